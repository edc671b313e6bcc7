package catalog

import (
	"fmt"
	"strings"

	"github.com/llmcost/llmcost/pkg/fileissue"
)

// Issue is one problem found while loading or validating, located at
// file:line and naming the offending field.
type Issue = fileissue.Issue

// Error collects every issue of a load, so one run shows them all.
type Error = fileissue.Error

type issues = fileissue.List

// errKind starts every catalog error message.
const errKind = "catalog"

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
