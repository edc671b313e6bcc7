package catalog

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Num is an exact decimal read from YAML. It remembers the line it came
// from so validation errors can point at file:line.
type Num struct {
	D    decimal.Decimal
	Line int
	Set  bool
}

// UnmarshalYAML parses the scalar's literal text, not a float64, so 0.075
// stays exactly 0.075.
func (n *Num) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: expected a number", node.Line)}}
	}
	if node.Tag == "!!null" {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: null is not a price; omit the key instead", node.Line)}}
	}
	s := strings.ReplaceAll(node.Value, "_", "")
	low := strings.ToLower(s)
	if strings.Contains(low, "nan") || strings.Contains(low, "inf") {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a finite number", node.Line, node.Value)}}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a number", node.Line, node.Value)}}
	}
	n.D, n.Line, n.Set = d, node.Line, true
	return nil
}

// MarshalYAML writes the exact decimal text.
func (n Num) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: n.D.String()}, nil
}

// N makes a Num from a decimal (for code that builds catalogs, e.g. import).
func N(d decimal.Decimal) Num { return Num{D: d, Set: true} }

// Date is a calendar day (UTC) read from YAML as YYYY-MM-DD.
type Date struct {
	time.Time
	Line int
}

// UnmarshalYAML accepts only YYYY-MM-DD.
func (d *Date) UnmarshalYAML(node *yaml.Node) error {
	t, err := time.Parse(time.DateOnly, node.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a date (want YYYY-MM-DD)", node.Line, node.Value)}}
	}
	d.Time, d.Line = t, node.Line
	return nil
}

// MarshalYAML writes YYYY-MM-DD.
func (d Date) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: 0, Value: d.Format(time.DateOnly)}, nil
}

// String is YYYY-MM-DD or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// Day makes a Date from y/m/d.
func Day(y int, m time.Month, d int) Date {
	return Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// Ident is a string that remembers its line.
type Ident struct {
	V    string
	Line int
}

// UnmarshalYAML reads a scalar string.
func (i *Ident) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: expected a string", node.Line)}}
	}
	i.V, i.Line = node.Value, node.Line
	return nil
}

// MarshalYAML writes the plain string.
func (i Ident) MarshalYAML() (any, error) { return i.V, nil }

func (i Ident) String() string { return i.V }

// MarshalJSON writes the exact number, or null when unset.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.Set {
		return []byte("null"), nil
	}
	return []byte(n.D.String()), nil
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.Format(time.DateOnly) + `"`), nil
}

// MarshalJSON writes the plain string.
func (i Ident) MarshalJSON() ([]byte, error) { return json.Marshal(i.V) }
