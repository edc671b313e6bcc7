//go:build tools

// Package deps pins the modules DESIGN.md chose, so `go mod tidy` keeps
// them resolved together even before every package imports them.
package deps

import (
	_ "github.com/anthropics/anthropic-sdk-go/v2"
	_ "github.com/charmbracelet/huh"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/creack/pty"
	_ "github.com/guptarohit/asciigraph"
	_ "github.com/invopop/jsonschema"
	_ "github.com/olekukonko/tablewriter"
	_ "github.com/openai/openai-go/v3"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/shopspring/decimal"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "github.com/tiktoken-go/tokenizer"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/term"
	_ "golang.org/x/time/rate"
	_ "gonum.org/v1/plot"
)
