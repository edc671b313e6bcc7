// Package fileissue reports problems in the files users give llmcost
// (catalog YAML, budget configs) at file:line with the field named, all
// of a run's problems at once, and turns go.yaml.in/yaml/v3 errors into
// such issues.
package fileissue

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Issue is one problem, located at file:line and naming the offending field.
type Issue struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (i Issue) String() string {
	loc := i.File
	if i.Line > 0 {
		loc = fmt.Sprintf("%s:%d", i.File, i.Line)
	}
	if i.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, i.Field, i.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, i.Msg)
}

// Error collects every issue of a run, so one run shows them all. Kind
// ("catalog", "budget") starts the message.
type Error struct {
	Kind   string
	Issues []Issue
}

func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Issues))
	for _, i := range e.Issues {
		lines = append(lines, i.String())
	}
	if len(lines) == 1 {
		return e.Kind + ": " + lines[0]
	}
	return fmt.Sprintf("%s: %d problems:\n  %s", e.Kind, len(lines), strings.Join(lines, "\n  "))
}

// BadInput marks the error as the user's input (the CLI exits 2).
func (e *Error) BadInput() bool { return true }

// List gathers issues while a file is checked.
type List []Issue

// Add records an issue.
func (l *List) Add(file string, line int, field, format string, args ...any) {
	*l = append(*l, Issue{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Err is nil for no issues, else an *Error of the given kind with the
// issues in file and line order.
func (l List) Err(kind string) error {
	if len(l) == 0 {
		return nil
	}
	sorted := append([]Issue(nil), l...)
	sort.SliceStable(sorted, func(a, b int) bool {
		if sorted[a].File != sorted[b].File {
			return sorted[a].File < sorted[b].File
		}
		return sorted[a].Line < sorted[b].Line
	})
	return &Error{Kind: kind, Issues: sorted}
}

var (
	lineRe         = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) })
	unknownFieldRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^field (\S+) not found in type (\S+)$`) })
)

// FromYAML splits a yaml.v3 decoding error into issues of file: "line N:"
// becomes the issue's line, and "field x not found in type T" becomes
// Field x with "unknown key (allowed: …)", the keys coming from
// allowed(T) ("" when unknown).
func FromYAML(file string, err error, allowed func(typeName string) string) []Issue {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]Issue, 0, len(msgs))
	for _, m := range msgs {
		iss := Issue{File: file, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := lineRe().FindStringSubmatch(m); sm != nil {
			iss.Line, _ = strconv.Atoi(sm[1])
			iss.Msg = sm[2]
		}
		if sm := unknownFieldRe().FindStringSubmatch(iss.Msg); sm != nil {
			iss.Field = sm[1]
			iss.Msg = "unknown key"
			if keys := allowed(sm[2]); keys != "" {
				iss.Msg += " (allowed: " + keys + ")"
			}
		}
		iss.Msg = PlainTypeError(iss.Msg)
		out = append(out, iss)
	}
	return out
}

var typeErrRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)$")
})

// structLike matches the file formats' section types (budget.Config,
// route.PolicyBackend, catalog.File …), which are written as mappings.
var structLike = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\.(Config|Policy|PolicyBackend|Rule|Shadow|Workload|Limits|Assumptions|File|CloudModel|OpenModel|GPU|Price|Rates|Tier)$`)
})

// PlainTypeError says yaml.v3's "cannot unmarshal !!map into
// []budget.Workload" in the file's terms, "want a list, got a mapping",
// rather than naming a Go type. Other messages come back as they are.
func PlainTypeError(msg string) string {
	sm := typeErrRe().FindStringSubmatch(msg)
	if sm == nil {
		return msg
	}
	got := map[string]string{"map": "a mapping (key: value lines)", "seq": "a list", "str": "text", "int": "a number",
		"float": "a number", "bool": "true or false", "null": "nothing"}[sm[1]]
	if got == "" {
		got = "a " + sm[1]
	}
	if sm[2] != "" {
		got += fmt.Sprintf(" %q", strings.TrimSuffix(sm[2], "..."))
	}
	var want string
	switch into := strings.TrimPrefix(sm[3], "*"); {
	case into == "time.Duration":
		want = "a duration such as 30s or 2m"
	case strings.HasPrefix(into, "[]"):
		want = "a list"
	case strings.HasPrefix(into, "map["):
		want = "a mapping (key: value lines)"
	case strings.HasPrefix(into, "int"), strings.HasPrefix(into, "uint"), strings.HasPrefix(into, "float"):
		want = "a number"
	case into == "string":
		want = "text"
	case into == "bool":
		want = "true or false"
	case structLike().MatchString(into):
		want = "a mapping (key: value lines)"
	default:
		return msg // a type of ours with its own syntax: yaml's words stand
	}
	return "want " + want + ", got " + got
}

// YAMLKeys lists the YAML keys of a struct type, inline fields expanded.
func YAMLKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		fld := t.Field(i)
		name, opts, _ := strings.Cut(fld.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			keys = append(keys, YAMLKeys(fld.Type)...)
			continue
		}
		if name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

// NameFields fills in the Field of issues that have a line but no field
// (a wrong type or an unparsable value: yaml.v3 names only the line) with
// the key whose value sits on that line in data. A line with several
// values (a flow mapping) is ambiguous and stays unnamed.
func NameFields(issues []Issue, data []byte) {
	keys := map[int]string{}
	for _, v := range Values(data) {
		if v.Item || v.Block {
			continue
		}
		if _, seen := keys[v.Line]; seen {
			keys[v.Line] = ""
		} else {
			keys[v.Line] = v.Key
		}
	}
	for i := range issues {
		if issues[i].Field == "" && issues[i].Line > 0 {
			issues[i].Field = keys[issues[i].Line]
		}
	}
}
