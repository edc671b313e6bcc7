package cli

import (
	"fmt"

	"github.com/llmcost/llmcost/pkg/output"
	"github.com/spf13/cobra"
)

var exitCodes = []struct {
	Code    int    `json:"code"`
	Meaning string `json:"meaning"`
}{
	{ExitOK, "success"},
	{ExitNegative, "the command ran and its verdict is negative: a budget is exceeded (check), prompts failed after retries (route), lint found errors"},
	{ExitBadInput, "bad usage or bad input: a flag, a file (named with file:line and field), the catalog, or an unknown model or GPU"},
	{ExitInternal, "internal or I/O error"},
	{ExitInterrupted, "interrupted (Ctrl-C), after flushing everything already done"},
}

const exitCodesHelp = `llmcost exit codes:

  0    success
  1    the command ran and its verdict is negative: a budget is exceeded
       (check), prompts failed after retries (route), lint found errors
  2    bad usage or bad input: a flag, a file (named with file:line and
       field), the catalog, or an unknown model or GPU
  3    internal or I/O error
  130  interrupted (Ctrl-C), after flushing everything already done
`

// ExitCodesResult is the JSON of `help exit-codes --format json`.
type ExitCodesResult struct {
	SchemaVersion int `json:"schema_version"`
	ExitCodes     any `json:"exit_codes"`
}

// Tables renders the codes.
func (r *ExitCodesResult) Tables() []output.TableData {
	t := output.TableData{Headers: []string{"Code", "Meaning"}, Align: []output.Align{output.Right, output.Left}}
	for _, c := range exitCodes {
		t.Rows = append(t.Rows, []string{fmt.Sprint(c.Code), c.Meaning})
	}
	return []output.TableData{t}
}

// Text keeps the help topic's layout on a terminal.
func (r *ExitCodesResult) Text(output.Theme, int) string { return exitCodesHelp }

func newCmdExitCodesTopic(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "exit-codes",
		Short:   "What llmcost's exit codes mean",
		Long:    exitCodesHelp,
		Example: "  llmcost help exit-codes\n  llmcost exit-codes --format json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := f.Format()
			if err != nil {
				return err
			}
			return output.Write(f.IOStreams, format, &ExitCodesResult{SchemaVersion: 1, ExitCodes: exitCodes})
		},
	}
}
