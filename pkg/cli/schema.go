package cli

import (
	"fmt"

	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/spf13/cobra"
)

// SchemaOptions are the inputs of `llmcost schema`.
type SchemaOptions struct {
	F    *Factory
	Kind string
}

// schemas maps a file kind to its JSON Schema generator.
var schemas = map[string]func() ([]byte, error){
	"budget": budget.Schema,
}

func newCmdSchema(f *Factory, runF func(*SchemaOptions) error) *cobra.Command {
	opts := &SchemaOptions{F: f}
	cmd := &cobra.Command{
		Use:     "schema KIND",
		GroupID: "data",
		Short:   "Print the JSON Schema of an llmcost file format (budget)",
		Long: `Print the JSON Schema (draft 2020-12) of an llmcost file format, generated from
the Go types the loader decodes into. Point your editor at it for completion and
inline errors, e.g. with a "# yaml-language-server: $schema=budget.schema.json"
comment at the top of a budget file. The loader stays the authority: it also
checks the catalog (unknown models), share sums and cross references.`,
		Example:   `  llmcost schema budget > budget.schema.json`,
		Args:      wantArgs(1, 1, "want the kind of file whose schema to print: llmcost schema budget"),
		ValidArgs: []string{"budget"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Kind = args[0]
			// A JSON Schema is JSON: a table or CSV of it would be a lie.
			if fl := cmd.Flag("format"); fl != nil && fl.Changed && fl.Value.String() != "json" {
				return FlagErrorf("--format %s: schema prints JSON Schema only (--format json, the default)", fl.Value.String())
			}
			if _, ok := schemas[opts.Kind]; !ok {
				return FlagErrorf("unknown schema %q: want budget", opts.Kind)
			}
			if runF != nil {
				return runF(opts)
			}
			return schemaRun(opts)
		},
	}
	return cmd
}

func schemaRun(o *SchemaOptions) error {
	b, err := schemas[o.Kind]()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.F.IOStreams.Out, "%s\n", b)
	return err
}
