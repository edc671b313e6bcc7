// Command llmcost compares the cost of cloud LLM APIs with running open
// models on your own or rented GPUs. See README.md.
package main

import (
	"os"

	"github.com/llmcost/llmcost/pkg/cli"
	"github.com/llmcost/llmcost/pkg/iostreams"
)

func main() { os.Exit(run()) }

func run() int { return cli.Main(os.Args[1:], iostreams.System(), os.Getenv) }
