package fileissue

import "testing"

// yaml.v3's type errors are said in the file's terms, not Go's.
func TestPlainTypeError(t *testing.T) {
	for in, want := range map[string]string{
		"cannot unmarshal !!map into []budget.Workload":          "want a list, got a mapping (key: value lines)",
		"cannot unmarshal !!str `tree HE...` into budget.Config": `want a mapping (key: value lines), got text "tree HE"`,
		"cannot unmarshal !!str `soon` into time.Duration":       `want a duration such as 30s or 2m, got text "soon"`,
		"cannot unmarshal !!seq into string":                     "want text, got a list",
		"cannot unmarshal !!str `x` into units.Tokens":           "cannot unmarshal !!str `x` into units.Tokens", // its own syntax
		"must not be negative":                                   "must not be negative",
	} {
		if got := PlainTypeError(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
