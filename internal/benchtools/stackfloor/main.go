// Command stackfloor is the start-up floor of DESIGN.md's library stack:
// a binary that links every library llmcost is built on, does nothing
// with them and prints what hello prints. Go runs every linked package's
// initialisation before main, so no implementation of llmcost on this
// stack, in one binary, can start faster than this (make bench).
package main

import (
	"os"

	_ "github.com/anthropics/anthropic-sdk-go/v2"
	_ "github.com/charmbracelet/huh"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/guptarohit/asciigraph"
	_ "github.com/openai/openai-go/v3"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/shopspring/decimal"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "github.com/tiktoken-go/tokenizer"
	_ "go.yaml.in/yaml/v3"
	_ "gonum.org/v1/plot"
	_ "gonum.org/v1/plot/vg/vgimg"
	_ "gonum.org/v1/plot/vg/vgsvg"
)

func main() { os.Stdout.WriteString("hello, world\n") }
