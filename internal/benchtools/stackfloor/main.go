// Command stackfloor is the start-up floor of llmcost's library stack: a
// binary that links every direct requirement in go.mod that llmcost
// itself links (the packages llmcost imports from each), does nothing
// with them and prints what hello prints. Go runs every linked package's
// initialisation before main, so no implementation of llmcost on this
// stack, in one binary, can start faster than this (make bench).
//
// stackfloor_test.go fails when go.mod and this list drift apart.
// Modules only tests use (pty, testscript, a JSON Schema validator) are
// not linked into llmcost, so they are not linked here either.
package main

import (
	"os"

	_ "github.com/anthropics/anthropic-sdk-go/v2"
	_ "github.com/anthropics/anthropic-sdk-go/v2/option"
	_ "github.com/anthropics/anthropic-sdk-go/v2/packages/ssestream"
	_ "github.com/charmbracelet/huh"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/charmbracelet/x/ansi"
	_ "github.com/guptarohit/asciigraph"
	_ "github.com/invopop/jsonschema"
	_ "github.com/muesli/termenv"
	_ "github.com/olekukonko/tablewriter"
	_ "github.com/olekukonko/tablewriter/pkg/twwidth"
	_ "github.com/olekukonko/tablewriter/renderer"
	_ "github.com/olekukonko/tablewriter/tw"
	_ "github.com/openai/openai-go/v3"
	_ "github.com/openai/openai-go/v3/option"
	_ "github.com/openai/openai-go/v3/packages/respjson"
	_ "github.com/openai/openai-go/v3/packages/ssestream"
	_ "github.com/pb33f/ordered-map/v2"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/collectors"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/shopspring/decimal"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/pflag"
	_ "github.com/spf13/viper"
	_ "github.com/tiktoken-go/tokenizer"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/term"
	_ "golang.org/x/time/rate"
	_ "gonum.org/v1/plot"
	_ "gonum.org/v1/plot/plotter"
	_ "gonum.org/v1/plot/vg"
	_ "gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg"
	_ "gonum.org/v1/plot/vg/vgsvg"
)

func main() { os.Stdout.WriteString("hello, world\n") }
