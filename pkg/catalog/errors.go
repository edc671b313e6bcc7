package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// Issue is one problem found while loading or validating, located at
// file:line and naming the offending field.
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

// Error collects every issue of a load, so one run shows them all.
type Error struct{ Issues []Issue }

func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Issues))
	for _, i := range e.Issues {
		lines = append(lines, i.String())
	}
	if len(lines) == 1 {
		return "catalog: " + lines[0]
	}
	return fmt.Sprintf("catalog: %d problems:\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// BadInput marks the error as the user's input (exit 2).
func (e *Error) BadInput() bool { return true }

type issues []Issue

func (is *issues) add(file string, line int, field, format string, args ...any) {
	*is = append(*is, Issue{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (is issues) err() error {
	if len(is) == 0 {
		return nil
	}
	sorted := append([]Issue(nil), is...)
	sort.SliceStable(sorted, func(a, b int) bool {
		if sorted[a].File != sorted[b].File {
			return sorted[a].File < sorted[b].File
		}
		return sorted[a].Line < sorted[b].Line
	})
	return &Error{Issues: sorted}
}

// UnknownError is returned for an id the catalog does not have. It carries
// close matches so the CLI can say "did you mean …?".
type UnknownError struct {
	Kind        string // "model", "open model", "GPU", "quantization"
	Name        string
	Suggestions []string
}

func (e *UnknownError) Error() string {
	msg := fmt.Sprintf("unknown %s %q", e.Kind, e.Name)
	if len(e.Suggestions) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(e.Suggestions, ", "))
	}
	return msg
}

// BadInput marks the error as the user's input (exit 2).
func (e *UnknownError) BadInput() bool { return true }

// PriceError says a price needed for a calculation is not in the catalog.
type PriceError struct{ Msg string }

func (e *PriceError) Error() string { return e.Msg }

// BadInput marks the error as the user's input (exit 2).
func (e *PriceError) BadInput() bool { return true }
