package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

const exitCodesHelp = `llmcost exit codes:

  0    success
  1    the command ran and its verdict is negative: a budget is exceeded
       (check), prompts failed after retries (route), lint found errors
  2    bad usage or bad input: a flag, a file (named with file:line and
       field), the catalog, or an unknown model or GPU
  3    internal or I/O error
  130  interrupted (Ctrl-C), after flushing everything already done
`

func newCmdExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What llmcost's exit codes mean",
		Long:  exitCodesHelp,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprint(cmd.OutOrStdout(), exitCodesHelp)
		},
		Example: "  llmcost help exit-codes",
	}
}
