// Command llmcost compares the cost of cloud LLM APIs with running open
// models on your own or rented GPUs. See README.md.
package main

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/llmcost/llmcost/internal/earlyenv"
	"github.com/llmcost/llmcost/internal/gctune"
	"github.com/llmcost/llmcost/pkg/cli"
	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/muesli/termenv"
)

func main() { os.Exit(run()) }

func run() int {
	// Package initialisation ran with CI set so that bubbletea's init did
	// not query the terminal (internal/earlyenv). Undo that, and give
	// termenv and lipgloss defaults built from the real environment.
	earlyenv.Restore()
	// Most commands end before a first garbage collection would free
	// anything worth having; route and bench put the default back
	// (internal/gctune).
	gctune.ShortLived(os.Getenv)
	termenv.SetDefaultOutput(termenv.NewOutput(os.Stdout))
	lipgloss.SetDefaultRenderer(lipgloss.NewRenderer(os.Stdout))
	return cli.Main(os.Args[1:], iostreams.System(), os.Getenv)
}
