// Package iostreams decides what the terminal can do: whether stdin,
// stdout and stderr are terminals, whether to use colour, and whether
// prompting is allowed. Commands never look at os.Stdout themselves.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// IOStreams bundles the three standard streams and what we know of them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorForced, colorOff          bool
	noInput                        bool
	termWidth                      int
}

// System wires the process's real streams and reads the colour
// environment (NO_COLOR, CLICOLOR, CLICOLOR_FORCE, CI).
func System() *IOStreams {
	ios := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	ios.stdinTTY = isTerminal(os.Stdin)
	ios.stdoutTTY = isTerminal(os.Stdout)
	ios.stderrTTY = isTerminal(os.Stderr)
	ios.applyEnv(os.Getenv)
	if ios.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			ios.termWidth = w
		}
	}
	return ios
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

func (s *IOStreams) applyEnv(getenv func(string) string) {
	if _, ok := lookup(getenv, "NO_COLOR"); ok {
		s.colorOff = true
	}
	if v, ok := lookup(getenv, "CLICOLOR"); ok && v == "0" {
		s.colorOff = true
	}
	if v, ok := lookup(getenv, "CI"); ok && v != "" && v != "0" && v != "false" {
		s.colorOff = true
	}
	if v, ok := lookup(getenv, "CLICOLOR_FORCE"); ok && v != "" && v != "0" {
		s.colorForced = true
	}
	if v, ok := lookup(getenv, "COLUMNS"); ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			s.termWidth = n
		}
	}
}

func lookup(getenv func(string) string, k string) (string, bool) {
	v := getenv(k)
	return v, v != ""
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetTTY fakes terminal status (tests).
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// SetEnv applies colour environment variables through a lookup function (tests).
func (s *IOStreams) SetEnv(getenv func(string) string) { s.applyEnv(getenv) }

// DisableColor turns colour off (--no-color).
func (s *IOStreams) DisableColor() { s.colorOff = true }

// SetNoInput forbids prompting (--no-input).
func (s *IOStreams) SetNoInput(v bool) { s.noInput = v }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal (progress bars go there).
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// IsStdinTTY reports whether stdin is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// ColorEnabled: CLICOLOR_FORCE wins, then NO_COLOR/--no-color/CI, then a terminal.
func (s *IOStreams) ColorEnabled() bool {
	if s.colorOff {
		return false
	}
	return s.colorForced || s.stdoutTTY
}

// CanPrompt: both ends are terminals and --no-input is not set.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stdoutTTY && !s.noInput }

// TerminalWidth is the width of stdout, 100 when unknown.
func (s *IOStreams) TerminalWidth() int {
	if s.termWidth > 0 {
		return s.termWidth
	}
	return 100
}
