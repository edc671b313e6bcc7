package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
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

// newCmdGenDocs writes man pages and markdown docs (make docs).
func newCmdGenDocs(root *cobra.Command) *cobra.Command {
	var manDir, mdDir string
	cmd := &cobra.Command{
		Use:     "gen-docs",
		Short:   "Write man pages and markdown reference pages",
		Hidden:  true,
		Args:    cobra.NoArgs,
		Example: "  llmcost gen-docs --man man/ --markdown docs/cli",
		RunE: func(cmd *cobra.Command, args []string) error {
			root.DisableAutoGenTag = true
			if manDir != "" {
				if err := os.MkdirAll(manDir, 0o755); err != nil {
					return err
				}
				if err := doc.GenManTree(root, &doc.GenManHeader{Title: "LLMCOST", Section: "1", Source: "llmcost " + Version}, manDir); err != nil {
					return err
				}
			}
			if mdDir != "" {
				if err := os.MkdirAll(mdDir, 0o755); err != nil {
					return err
				}
				if err := doc.GenMarkdownTree(root, mdDir); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&manDir, "man", "", "write man pages into `DIR`")
	cmd.Flags().StringVar(&mdDir, "markdown", "", "write markdown pages into `DIR`")
	return cmd
}
