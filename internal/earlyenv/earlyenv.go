// Package earlyenv keeps package initialisation from talking to the
// terminal.
//
// bubbletea v1 (pulled in by huh v1.0.0, which DESIGN.md pins) asks the
// terminal for its background colour in an init function: on a terminal it
// switches it to raw mode, writes OSC 11 and a cursor-position query, and
// waits for the answers. Every llmcost command paid for that round trip,
// even --version, and where nothing answers (script(1), Emacs shell mode,
// some CI ptys) it printed the raw query and hung for termenv's 5-second
// timeout (charmbracelet/bubbletea#1771, closed upstream as not planned).
//
// termenv skips the query when CI is set. This package sets CI, if it is
// unset, while packages initialise, and Restore unsets it first thing in
// main, before anything reads the environment. It imports only os, so by
// the Go specification's initialisation order (packages sorted by import
// path, each initialised as soon as its imports are) it runs before
// github.com/muesli/termenv, which bubbletea needs through lipgloss; a test
// checks that order on the built binary. The interactive questionnaire asks
// the terminal itself, just before it starts (see pkg/cli).
package earlyenv

import "os"

const key = "CI"

var set bool

func init() {
	if _, ok := os.LookupEnv(key); !ok {
		set = os.Setenv(key, "llmcost-init") == nil
	}
}

// Restore removes what init set. Call it before anything else in main.
func Restore() {
	if set {
		os.Unsetenv(key)
		set = false
	}
}
