package cli

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes (DESIGN.md; shown by `llmcost help exit-codes`).
const (
	ExitOK          = 0
	ExitNegative    = 1 // the command ran; its verdict is negative
	ExitBadInput    = 2
	ExitInternal    = 3
	ExitInterrupted = 130
)

// FlagError is bad usage of flags or arguments: exit 2, with usage hint.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// InputError is bad input in a file or value: exit 2, no usage.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ExitError ends the command with a code after it printed its result
// (e.g. `check` over budget: exit 1). Msg may be empty.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Msg
}

// badInput is implemented by errors of pure packages (catalog, units, …)
// that are the user's input, so they need not import this package.
type badInput interface{ BadInput() bool }

// ExitCode maps an error to the process exit code. It is the only place
// that does.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	var fe *FlagError
	var ie *InputError
	var bi badInput
	if errors.As(err, &fe) || errors.As(err, &ie) || (errors.As(err, &bi) && bi.BadInput()) {
		return ExitBadInput
	}
	// A directory named where a file is read (--policy /tmp) is the
	// user's input, whichever command read it.
	if errors.Is(err, syscall.EISDIR) {
		return ExitBadInput
	}
	return ExitInternal
}

// wantArgs checks the count of positional arguments (max -1: no limit)
// and says what they should be, rather than cobra's "accepts 1 arg(s),
// received 0".
func wantArgs(min, max int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min || max >= 0 && len(args) > max {
			return FlagErrorf("%s (got %d argument(s))", what, len(args))
		}
		return nil
	}
}
