package budget

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/fileissue"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"github.com/llmcost/llmcost/pkg/units"
)

// Every value type remembers the line it came from, so validation after
// decoding can still point at file:line.

// typeErr is a decoding error at node. Its column lets the message name the
// right key when several share a line ({p50: 1, p90: 2} or a flow-style
// workload); yamlIssues takes the column off again.
func typeErr(node *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: ", node.Line, node.Column) + fmt.Sprintf(format, args...)}}
}

// unitsReason is the reason part of a units.ParseError ("must be
// greater than zero"), without the value repeated.
func unitsReason(err error) string {
	var pe *units.ParseError
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return err.Error()
}

func scalar(node *yaml.Node, what string) error {
	if node.Kind != yaml.ScalarNode {
		return typeErr(node, "expected %s, got a %s", what, kindName(node))
	}
	if node.Tag == "!!null" {
		return typeErr(node, "expected %s, got null (omit the key instead)", what)
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

// Text is a string that remembers its line.
type Text struct {
	V    string
	Line int
}

// UnmarshalYAML reads a scalar string.
func (t *Text) UnmarshalYAML(node *yaml.Node) error {
	if err := scalar(node, "a string"); err != nil {
		return err
	}
	t.V, t.Line = strings.TrimSpace(node.Value), node.Line
	return nil
}

// MarshalYAML writes the plain string.
func (t Text) MarshalYAML() (any, error) { return t.V, nil }

// IsZero lets omitempty drop an unset Text.
func (t Text) IsZero() bool { return t.V == "" }

func (t Text) String() string { return t.V }

// Version is schema_version, with its line.
type Version struct {
	N    int
	Line int
}

// UnmarshalYAML reads an integer.
func (v *Version) UnmarshalYAML(node *yaml.Node) error {
	if err := scalar(node, "an integer"); err != nil {
		return err
	}
	n, err := strconv.Atoi(node.Value)
	if err != nil {
		return typeErr(node, "%q is not a schema version (want 1)", node.Value)
	}
	v.N, v.Line = n, node.Line
	return nil
}

// MarshalYAML writes the number.
func (v Version) MarshalYAML() (any, error) { return v.N, nil }

// Count is a whole number of requests per month. It accepts what
// units.ParseMonthlyTokens accepts: 300000, "300K", "10K/day".
type Count struct {
	N    int64
	Line int
	Set  bool
}

// UnmarshalYAML parses a count or a rate.
func (c *Count) UnmarshalYAML(node *yaml.Node) error {
	if err := scalar(node, "a request count such as 300000, 300K or 10K/day"); err != nil {
		return err
	}
	n, err := units.ParseMonthlyTokens(node.Value)
	if err != nil {
		return typeErr(node, "%q is not a request count: %s", node.Value, unitsReason(err))
	}
	c.N, c.Line, c.Set = n, node.Line, true
	return nil
}

// IsZero lets omitempty drop an unset Count.
func (c Count) IsZero() bool { return !c.Set }

// MarshalYAML writes the number.
func (c Count) MarshalYAML() (any, error) { return c.N, nil }

// Share is a fraction in [0, 1]: 0.5, .5 or "50%".
type Share struct {
	D    decimal.Decimal
	Line int
	Set  bool
}

// UnmarshalYAML parses a share.
func (s *Share) UnmarshalYAML(node *yaml.Node) error {
	if err := scalar(node, "a share such as 0.5 or 50%"); err != nil {
		return err
	}
	f, err := units.ParseShare(node.Value)
	if err != nil {
		return typeErr(node, "%q is not a share: %s", node.Value, unitsReason(err))
	}
	s.D, s.Line, s.Set = decimal.NewFromFloat(f), node.Line, true
	return nil
}

// IsZero lets omitempty drop an unset Share.
func (s Share) IsZero() bool { return !s.Set }

// MarshalYAML writes the number.
func (s Share) MarshalYAML() (any, error) { return s.D.InexactFloat64(), nil }

// USD is an exact amount of money ("1500", "$1,500", "1.5k").
type USD struct {
	D    decimal.Decimal
	Line int
	Set  bool
}

// UnmarshalYAML parses an amount.
func (u *USD) UnmarshalYAML(node *yaml.Node) error {
	if err := scalar(node, "an amount in USD such as 1500 or $1,500"); err != nil {
		return err
	}
	d, err := units.ParseUSD(node.Value)
	if err != nil {
		return typeErr(node, "%q is not an amount in USD: %s", node.Value, unitsReason(err))
	}
	u.D, u.Line, u.Set = d, node.Line, true
	return nil
}

// IsZero lets omitempty drop an unset USD.
func (u USD) IsZero() bool { return !u.Set }

// MarshalYAML writes the exact number.
func (u USD) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: u.D.String()}, nil
}

// Percent is a non-negative percentage: 15 or "15%" (both mean 15%).
type Percent struct {
	D    decimal.Decimal
	Line int
	Set  bool
}

// UnmarshalYAML parses a percentage.
func (p *Percent) UnmarshalYAML(node *yaml.Node) error {
	if err := scalar(node, "a percentage such as 15"); err != nil {
		return err
	}
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(node.Value), "%"))
	low := strings.ToLower(s)
	if strings.Contains(low, "nan") || strings.Contains(low, "inf") {
		return typeErr(node, "%q is not a finite percentage", node.Value)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return typeErr(node, "%q is not a percentage (write e.g. 15 for 15%%)", node.Value)
	}
	if d.IsNegative() {
		return typeErr(node, "%q must not be negative", node.Value)
	}
	p.D, p.Line, p.Set = d, node.Line, true
	return nil
}

// IsZero lets omitempty drop an unset Percent.
func (p Percent) IsZero() bool { return !p.Set }

// Date is a calendar day (UTC) written YYYY-MM-DD.
type Date struct {
	time.Time
	Line int
}

// UnmarshalYAML accepts only YYYY-MM-DD.
func (d *Date) UnmarshalYAML(node *yaml.Node) error {
	if err := scalar(node, "a date YYYY-MM-DD"); err != nil {
		return err
	}
	t, err := time.Parse(time.DateOnly, node.Value)
	if err != nil {
		return typeErr(node, "%q is not a date (want YYYY-MM-DD)", node.Value)
	}
	d.Time, d.Line = t, node.Line
	return nil
}

// MarshalYAML writes YYYY-MM-DD.
func (d Date) MarshalYAML() (any, error) { return d.Format(time.DateOnly), nil }

// Bucket is a share of requests with the same token count.
type Bucket struct {
	Tokens int64
	Share  decimal.Decimal
}

// The documented bucket scheme for {p50, p90, p99}: every request is
// priced at the upper quantile of its band, so a budget never
// under-counts the tokens or the long-context requests of a distribution
// that matches its quantiles. 50% of requests (those at or below p50) at
// p50, the 40% between p50 and p90 at p90, and the 10% above p90 at p99
// (nothing is known above p99, so the top 1% is priced at p99 too).
var (
	quantileShares = [3]decimal.Decimal{decimal.RequireFromString("0.5"), decimal.RequireFromString("0.4"), decimal.RequireFromString("0.1")}
	one            = decimal.NewFromInt(1)
	// Histogram shares must add up to 1 within this (0.999-1.001 absorbs
	// rounded percentages); they are then rescaled to exactly 1.
	shareSumTolerance = decimal.RequireFromString("0.001")
)

// Tokens is a per-request token count: a fixed number, quantiles
// {p50, p90, p99} or a histogram [{tokens, share}, ...]. Buckets holds
// the distribution in every case (one bucket of share 1 when fixed).
type Tokens struct {
	Form    string // "fixed", "quantiles" or "histogram"
	Buckets []Bucket
	Line    int
	Set     bool
}

// UnmarshalYAML reads any of the three forms.
func (t *Tokens) UnmarshalYAML(node *yaml.Node) error {
	t.Line, t.Set = node.Line, true
	switch node.Kind {
	case yaml.ScalarNode:
		n, err := tokenCount(node)
		if err != nil {
			return err
		}
		t.Form, t.Buckets = "fixed", []Bucket{{Tokens: n, Share: one}}
		return nil
	case yaml.MappingNode:
		return t.quantiles(node)
	case yaml.SequenceNode:
		return t.histogram(node)
	}
	return typeErr(node, "expected a token count, {p50, p90, p99} or a list of {tokens, share}")
}

func tokenCount(node *yaml.Node) (int64, error) {
	if err := scalar(node, "a token count such as 1200 or 1.2k"); err != nil {
		return 0, err
	}
	n, err := units.ParseTokensAllowZero(node.Value)
	if err != nil {
		return 0, typeErr(node, "%q is not a token count: %s", node.Value, unitsReason(err))
	}
	return n, nil
}

func (t *Tokens) quantiles(node *yaml.Node) error {
	var q [3]int64
	var seen [3]bool
	names := [3]string{"p50", "p90", "p99"}
	var errs []string
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		idx := -1
		for j, n := range names {
			if k.Value == n {
				idx = j
			}
		}
		if idx < 0 {
			errs = append(errs, fmt.Sprintf("line %d: field %s not found in type budget.Quantiles", k.Line, k.Value))
			continue
		}
		n, err := tokenCount(v)
		if err != nil {
			errs = append(errs, err.(*yaml.TypeError).Errors...)
			continue
		}
		q[idx], seen[idx] = n, true
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	for j, ok := range seen {
		if !ok {
			return typeErr(node, "a distribution needs p50, p90 and p99 (%s is missing)", names[j])
		}
	}
	if q[0] > q[1] || q[1] > q[2] {
		return typeErr(node, "quantiles must not decrease: p50 %d, p90 %d, p99 %d", q[0], q[1], q[2])
	}
	t.Form = "quantiles"
	t.Buckets = nil
	for j := range q {
		t.Buckets = append(t.Buckets, Bucket{Tokens: q[j], Share: quantileShares[j]})
	}
	return nil
}

func (t *Tokens) histogram(node *yaml.Node) error {
	if len(node.Content) == 0 {
		return typeErr(node, "a histogram needs at least one {tokens, share} entry")
	}
	var errs []string
	sum := decimal.Zero
	t.Buckets = nil
	for _, item := range node.Content {
		if item.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Sprintf("line %d: a histogram entry is {tokens: N, share: S}", item.Line))
			continue
		}
		var b Bucket
		var haveTokens, haveShare bool
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			switch k.Value {
			case "tokens":
				n, err := tokenCount(v)
				if err != nil {
					errs = append(errs, err.(*yaml.TypeError).Errors...)
					continue
				}
				b.Tokens, haveTokens = n, true
			case "share":
				var s Share
				if err := s.UnmarshalYAML(v); err != nil {
					errs = append(errs, err.(*yaml.TypeError).Errors...)
					continue
				}
				b.Share, haveShare = s.D, true
			default:
				errs = append(errs, fmt.Sprintf("line %d: field %s not found in type budget.HistogramBucket", k.Line, k.Value))
			}
		}
		if len(errs) == 0 && (!haveTokens || !haveShare) {
			errs = append(errs, fmt.Sprintf("line %d: a histogram entry needs tokens and share", item.Line))
		}
		sum = sum.Add(b.Share)
		t.Buckets = append(t.Buckets, b)
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	if sum.Sub(one).Abs().GreaterThan(shareSumTolerance) {
		return typeErr(node, "histogram shares add up to %s, not 1", sum)
	}
	if !sum.Equal(one) {
		for i := range t.Buckets {
			t.Buckets[i].Share = t.Buckets[i].Share.Div(sum)
		}
	}
	t.Form = "histogram"
	return nil
}

// Mean is the expected tokens per request.
func (t Tokens) Mean() decimal.Decimal {
	m := decimal.Zero
	for _, b := range t.Buckets {
		m = m.Add(decimal.NewFromInt(b.Tokens).Mul(b.Share))
	}
	return m
}

// Max is the largest per-request count of the distribution.
func (t Tokens) Max() int64 {
	var m int64
	for _, b := range t.Buckets {
		m = max(m, b.Tokens)
	}
	return m
}

// Equal reports whether two distributions are the same.
func (t Tokens) Equal(o Tokens) bool {
	if len(t.Buckets) != len(o.Buckets) {
		return false
	}
	for i := range t.Buckets {
		if t.Buckets[i].Tokens != o.Buckets[i].Tokens || !t.Buckets[i].Share.Equal(o.Buckets[i].Share) {
			return false
		}
	}
	return true
}

// String is "1,200" for a fixed count, "p50 800 / p90 3,000 / p99 12,000"
// for quantiles and "70% 1,000 / 30% 50,000" for a histogram.
func (t Tokens) String() string {
	switch t.Form {
	case "fixed":
		return FormatCount(t.Buckets[0].Tokens)
	case "quantiles":
		return fmt.Sprintf("p50 %s / p90 %s / p99 %s", FormatCount(t.Buckets[0].Tokens), FormatCount(t.Buckets[1].Tokens), FormatCount(t.Buckets[2].Tokens))
	}
	parts := make([]string, len(t.Buckets))
	for i, b := range t.Buckets {
		parts[i] = fmt.Sprintf("%s%% %s", b.Share.Mul(decimal.NewFromInt(100)).Round(1).String(), FormatCount(b.Tokens))
	}
	return strings.Join(parts, " / ")
}

// keyed is one entry of a mapping whose keys are names (workloads,
// providers, models): the key keeps its line.
type keyed[V any] struct {
	Key   Text
	Value V
}

func decodeMapping[V any](node *yaml.Node, what string, decode func(*yaml.Node, *V) error) ([]keyed[V], error) {
	if node.Kind != yaml.MappingNode {
		return nil, typeErr(node, "expected a mapping of %s", what)
	}
	var out []keyed[V]
	var errs []string
	seen := map[string]int{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		var e keyed[V]
		if err := e.Key.UnmarshalYAML(k); err != nil {
			errs = append(errs, err.(*yaml.TypeError).Errors...)
			continue
		}
		if prev, ok := seen[strings.ToLower(e.Key.V)]; ok {
			errs = append(errs, fmt.Sprintf("line %d: %q is listed twice (first on line %d)", k.Line, e.Key.V, prev))
			continue
		}
		seen[strings.ToLower(e.Key.V)] = k.Line
		if err := decode(v, &e.Value); err != nil {
			var te *yaml.TypeError
			if errors.As(err, &te) {
				errs = append(errs, te.Errors...)
				continue
			}
			return nil, err
		}
		out = append(out, e)
	}
	if len(errs) > 0 {
		return nil, &yaml.TypeError{Errors: errs}
	}
	return out, nil
}

// WorkloadLimit is one entry of limits.workloads.
type WorkloadLimit = keyed[USD]

// WorkloadLimits is limits.workloads: {workload name: USD}.
type WorkloadLimits struct{ Entries []WorkloadLimit }

// UnmarshalYAML reads the mapping, keeping each name's line.
func (w *WorkloadLimits) UnmarshalYAML(node *yaml.Node) error {
	e, err := decodeMapping(node, "workload names to USD", func(n *yaml.Node, u *USD) error { return u.UnmarshalYAML(n) })
	w.Entries = e
	return err
}

// IsZero lets omitempty drop empty limits.
func (w WorkloadLimits) IsZero() bool { return len(w.Entries) == 0 }

// Discount is one entry of assumptions.discounts.
type Discount = keyed[Share]

// Discounts is assumptions.discounts: {provider or model id: share off}.
type Discounts struct{ Entries []Discount }

// UnmarshalYAML reads the mapping, keeping each key's line.
func (d *Discounts) UnmarshalYAML(node *yaml.Node) error {
	e, err := decodeMapping(node, "providers or models to discounts", func(n *yaml.Node, s *Share) error { return s.UnmarshalYAML(n) })
	d.Entries = e
	return err
}

// IsZero lets omitempty drop empty discounts.
func (d Discounts) IsZero() bool { return len(d.Entries) == 0 }

// PriceOverride is one entry of assumptions.prices.
type PriceOverride = keyed[RateOverride]

// PriceOverrides is assumptions.prices: {model: rates}.
type PriceOverrides struct{ Entries []PriceOverride }

// UnmarshalYAML reads the mapping strictly (unknown rate names are errors).
func (p *PriceOverrides) UnmarshalYAML(node *yaml.Node) error {
	e, err := decodeMapping(node, "models to rates", decodeRates)
	p.Entries = e
	return err
}

// IsZero lets omitempty drop empty overrides.
func (p PriceOverrides) IsZero() bool { return len(p.Entries) == 0 }

// decodeRates is strict by hand: a nested node.Decode does not inherit
// the outer decoder's KnownFields.
func decodeRates(node *yaml.Node, r *RateOverride) error {
	if node.Kind != yaml.MappingNode {
		return typeErr(node, "expected rates such as {input: 2.5, output: 10}")
	}
	if err := knownKeys(node, reflect.TypeFor[RateOverride](), "budget.RateOverride"); err != nil {
		return err
	}
	return node.Decode(r)
}

// UnmarshalYAML records where the workload starts, then decodes it as
// strictly as the outer decoder would (a nested Decode does not inherit
// KnownFields, so unknown keys are checked here).
func (w *Workload) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		return typeErr(node, "a workload is a mapping with name, model, requests_per_month, prompt_tokens and output_tokens")
	}
	if err := knownKeys(node, reflect.TypeFor[Workload](), "budget.Workload"); err != nil {
		return err
	}
	type plain Workload // no UnmarshalYAML: no recursion
	var p plain
	err := node.Decode(&p)
	*w = Workload(p)
	w.Line = node.Line
	return err
}

func knownKeys(node *yaml.Node, t reflect.Type, typeName string) error {
	allowed := fileissue.YAMLKeys(t)
	var errs []string
	for i := 0; i+1 < len(node.Content); i += 2 {
		k := node.Content[i]
		ok := false
		for _, a := range allowed {
			ok = ok || a == k.Value
		}
		if !ok {
			errs = append(errs, fmt.Sprintf("line %d: field %s not found in type %s", k.Line, k.Value, typeName))
		}
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

// FormatCount writes a whole number with thousands separators: 304,167.
func FormatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
