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
// termenv skips the query when CI is non-empty. This package sets CI, if it
// is empty or unset, while packages initialise, and Restore puts it back
// first thing in main, before anything reads the environment.
//
// Why this runs early enough: the Go specification (1.21+) initialises
// packages by sorting them all by import path and repeatedly initialising
// the first one whose imports are all initialised. This package imports
// only os, which github.com/muesli/termenv needs too, so whenever termenv
// is ready this package is ready as well and sorts before it
// ("github.com/llmcost/..." < "github.com/muesli/..."); bubbletea needs
// termenv (through lipgloss), so it comes later still. That holds while
// this package imports nothing outside os; TestNoTerminalQueryAtStartup
// checks the order on the built binary.
package earlyenv

import "os"

const key = "CI"

var (
	set        bool // init set CI
	wasPresent bool // CI was in the environment, empty
)

func init() {
	if os.Getenv(key) != "" {
		return
	}
	_, wasPresent = os.LookupEnv(key)
	set = os.Setenv(key, "llmcost-init") == nil
}

// Restore puts CI back as it was. Call it before anything else in main.
func Restore() {
	if !set {
		return
	}
	if wasPresent {
		os.Setenv(key, "")
	} else {
		os.Unsetenv(key)
	}
	set = false
}
