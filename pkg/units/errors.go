// Package units parses and formats the quantities llmcost users type and read:
// token counts ("10M", "1.5k", "300K/day"), dollar amounts and shares.
//
// Parsing is exact: numbers are handled as decimal digit strings and integers,
// never as floats, so "1.1M" is 1,100,000 and not 1,099,999.
package units

import (
	"errors"
	"fmt"
	"strings"
)

// ParseError says what was wrong with a value a person typed. Reason is meant
// to be acted on ("unknown suffix "Q" (use k, M, B or T)").
type ParseError struct {
	// Flag names where the value came from, e.g. "tokens" or "--tokens";
	// callers fill it (see WithFlag). It may be empty.
	Flag string
	// Value is the text as given.
	Value string
	// Reason says what is wrong and, where possible, what to write instead.
	Reason string
	// Kind names the kind of value for messages without a Flag; empty means
	// "token quantity".
	Kind string
}

func (e *ParseError) Error() string {
	if e.Flag != "" {
		return fmt.Sprintf("invalid value %q for %s: %s", e.Value, flagName(e.Flag), e.Reason)
	}
	kind := e.Kind
	if kind == "" {
		kind = "token quantity"
	}
	return fmt.Sprintf("invalid %s %q: %s", kind, e.Value, e.Reason)
}

// flagName writes a bare flag name the way a user types it ("tokens" -> "--tokens").
func flagName(flag string) string {
	if strings.HasPrefix(flag, "-") {
		return flag
	}
	return "--" + flag
}

// WithFlag returns the *ParseError inside err (also when wrapped, e.g. by
// pflag's InvalidValueError) as a copy with Flag set, so the message names the
// flag once. Any other error, and nil, is returned unchanged.
func WithFlag(err error, flag string) error {
	var pe *ParseError
	if !errors.As(err, &pe) {
		return err
	}
	named := *pe
	named.Flag = flag
	return &named
}

// BadInput marks a parse error as the user's input (the CLI exits 2).
func (e *ParseError) BadInput() bool { return true }
