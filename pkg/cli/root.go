// Package cli holds llmcost's cobra commands: one file per command, each
// with an options struct, a constructor taking the Factory and an
// injectable run function, so tests can check flag parsing and running
// separately. Only this package reads flags, environment and config.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/llmcost/llmcost/internal/gctune"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Version is set at build time with -ldflags.
var Version = "dev"

// NewRootCmd builds a fresh command tree (never a package-level one).
func NewRootCmd(f *Factory) *cobra.Command {
	var configFile string
	var noColor bool
	root := &cobra.Command{
		Use:   "llmcost <command> [flags]",
		Short: "Honest LLM cost numbers: cloud APIs vs your own or rented GPUs",
		Long: `llmcost answers one question with honest numbers: for this workload, should you
pay a cloud LLM API, run an open model on your own or rented GPUs, or split the
traffic? Every price comes from an embedded, sourced and dated catalog.`,
		Example: `  llmcost estimate --tokens 10M
  llmcost estimate --tokens 300K/day --models gpt-4o,claude-haiku-4.5 --format json
  llmcost catalog show gpt-4o
  llmcost help exit-codes`,
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if longRunning(cmd) {
				gctune.LongRunning()
			}
			read, err := loadConfig(f, configFile)
			if err != nil {
				return err
			}
			if read {
				if err := checkConfigKeys(f, cmd.Root()); err != nil {
					return err
				}
			}
			if err := applyConfig(f, cmd, read); err != nil {
				return err
			}
			// After applyConfig: --no-color may come from LLMCOST_NO_COLOR
			// or the config file.
			if noColor {
				f.IOStreams.DisableColor()
			}
			f.IOStreams.SetNoInput(f.NoInput)
			if _, err := f.Format(); err != nil {
				return err
			}
			return nil
		},
	}
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetIn(f.IOStreams.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// pflag wraps our parse errors and repeats the value; name the
		// flag once, in our words.
		var iv *pflag.InvalidValueError
		if errors.As(err, &iv) {
			var pe *units.ParseError
			if errors.As(err, &pe) {
				return &FlagError{Err: units.WithFlag(pe, iv.GetFlag().Name)}
			}
		}
		var ne *pflag.NotExistError
		if errors.As(err, &ne) && ne.GetSpecifiedName() != "" {
			if s := similarFlags(c, ne.GetSpecifiedName()); len(s) > 0 {
				return &FlagError{Err: fmt.Errorf("%w (did you mean --%s?)", err, strings.Join(s, " or --"))}
			}
		}
		return &FlagError{Err: err}
	})
	root.CompletionOptions.SetDefaultShellCompDirective(cobra.ShellCompDirectiveNoFileComp)

	pf := root.PersistentFlags()
	pf.StringVar(&f.FormatFlag, "format", "table", "output format: "+strings.Join(output.Formats, ", "))
	pf.StringArrayVar(&f.CatalogDirs, "catalog", nil, "extra catalog `DIR` merged over the embedded one (repeatable; later wins)")
	pf.StringVar(&configFile, "config", "", "config `FILE` (default $XDG_CONFIG_HOME/llmcost/config.yaml)")
	pf.BoolVar(&noColor, "no-color", false, "disable colour (also NO_COLOR=1)")
	pf.BoolVar(&f.NoInput, "no-input", false, "never prompt; fail when an answer is missing")
	_ = root.RegisterFlagCompletionFunc("format", fixedCompletion(output.Formats...))
	_ = root.MarkPersistentFlagDirname("catalog")
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")

	root.AddGroup(&cobra.Group{ID: "cost", Title: "Cost commands:"}, &cobra.Group{ID: "data", Title: "Catalog and data:"})
	for _, c := range []*cobra.Command{
		newCmdEstimate(f, nil),
		newCmdFit(f, nil),
		newCmdBreakeven(f, nil),
		newCmdDecide(f, nil),
		newCmdRecommend(f, nil),
		newCmdRoute(f, nil),
		newCmdCheck(f, nil),
		newCmdDiff(f, nil),
		newCmdReport(f, nil),
		newCmdHardware(f, nil),
		newCmdBench(f, nil),
	} {
		c.GroupID = "cost"
		root.AddCommand(c)
	}
	catalogCmd := newCmdCatalog(f)
	catalogCmd.GroupID = "data"
	root.AddCommand(catalogCmd)
	root.AddCommand(newCmdSchema(f, nil))
	root.AddCommand(newCmdExitCodesTopic(f))
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	addBuiltinExamples(root)
	strictSubcommands(root)
	return root
}

// builtinExamples are the examples of the commands cobra adds (help and
// completion), which come without any.
var builtinExamples = map[string]string{
	"help": `  llmcost help estimate
  llmcost help exit-codes`,
	"completion": `  # load completions in the current bash session
  source <(llmcost completion bash)
  # install them for every zsh session
  llmcost completion zsh > "${fpath[1]}/_llmcost"`,
	"completion bash": `  source <(llmcost completion bash)
  llmcost completion bash > /etc/bash_completion.d/llmcost`,
	"completion zsh":        `  llmcost completion zsh > "${fpath[1]}/_llmcost"`,
	"completion fish":       `  llmcost completion fish > ~/.config/fish/completions/llmcost.fish`,
	"completion powershell": `  llmcost completion powershell | Out-String | Invoke-Expression`,
}

func addBuiltinExamples(root *cobra.Command) {
	for _, c := range root.Commands() {
		for _, cc := range append([]*cobra.Command{c}, c.Commands()...) {
			path := strings.TrimPrefix(cc.CommandPath(), root.Name()+" ")
			if ex, ok := builtinExamples[path]; ok && cc.Example == "" {
				cc.Example = ex
			}
		}
	}
}

// strictSubcommands makes a mistyped subcommand or help topic bad usage.
// cobra checks subcommand names only at the root: `llmcost catalog lsit`,
// `llmcost completion tcsh` and `llmcost help nonsense` printed a help page
// and exited 0.
func strictSubcommands(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c != root && c.HasSubCommands() && c.Run == nil && c.RunE == nil {
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmd.Help()
				}
				return unknownSubcommand(cmd, args[0], "unknown command")
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, c := range root.Commands() {
		if c.Name() != "help" {
			continue
		}
		c.RunE = func(cmd *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			switch {
			case len(args) == 0:
				return root.Help()
			case err != nil || target == nil || target == root:
				return unknownSubcommand(root, args[0], "unknown help topic")
			case len(rest) > 0 && target.HasSubCommands():
				return unknownSubcommand(target, rest[0], "unknown help topic")
			}
			return target.Help()
		}
	}
}

func unknownSubcommand(parent *cobra.Command, name, what string) error {
	msg := fmt.Sprintf("%s %q for %q", what, name, parent.CommandPath())
	if parent.SuggestionsMinimumDistance <= 0 {
		parent.SuggestionsMinimumDistance = 2 // what cobra uses at the root
	}
	if s := parent.SuggestionsFor(name); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return &FlagError{Err: errors.New(msg)}
}

func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// Main runs llmcost with args and returns the exit code. It owns signal
// handling (Ctrl-C cancels the context: exit 130) and error printing.
func Main(args []string, ios *iostreams.IOStreams, getenv func(string) string) int {
	// Money in JSON is a plain number, never a quoted string.
	decimal.MarshalJSONWithoutQuotes = true
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	f := NewFactory(ios, getenv)
	return Run(ctx, f, args)
}

// Run executes the command tree with a factory (tests use this directly).
func Run(ctx context.Context, f *Factory, args []string) int {
	decimal.MarshalJSONWithoutQuotes = true
	f.runCtx = ctx
	root := NewRootCmd(f)
	root.SetArgs(args)
	ran := markRun(root)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	// cobra checks arguments and flag groups itself, with plain errors; a
	// command that failed before its RunE started was used wrongly.
	if !*ran && ExitCode(err) == ExitInternal {
		err = &FlagError{Err: err}
	}
	code := ExitCode(err)
	if code == ExitBadInput {
		err = explainSource(f, err)
	}
	if ctx.Err() != nil && code == ExitInternal {
		code = ExitInterrupted
	}
	printError(f.IOStreams.ErrOut, cmd, err, code)
	return code
}

// explainSource adds where a flag's value came from when the error names
// a flag the user did not type (its value came from LLMCOST_* or the
// config file).
func explainSource(f *Factory, err error) error {
	msg := err.Error()
	for name, from := range f.valueSources {
		if strings.Contains(msg, "--"+name) && !strings.Contains(msg, from) {
			return &wrapped{err: err, msg: fmt.Sprintf("%s (the value of --%s comes from %s)", msg, name, from)}
		}
	}
	return err
}

type wrapped struct {
	err error
	msg string
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// markRun wraps every RunE so Run knows whether a command got as far as
// running.
// annotationLongRunning marks a command that may run for minutes or
// serve until stopped (route, bench): it gets Go's default garbage
// collector settings back rather than the short-command ones.
const annotationLongRunning = "llmcost/long-running"

// longRunning reports whether cmd or a parent is marked long-running.
func longRunning(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		if c.Annotations[annotationLongRunning] == "true" {
			return true
		}
	}
	return false
}

func markRun(root *cobra.Command) *bool {
	ran := new(bool)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if inner := c.RunE; inner != nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				*ran = true
				return inner(cmd, args)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return ran
}

func printError(w io.Writer, cmd *cobra.Command, err error, code int) {
	var ee *ExitError
	if errors.As(err, &ee) && ee.Msg == "" {
		return
	}
	if code == ExitInterrupted {
		fmt.Fprintln(w, "interrupted")
		return
	}
	fmt.Fprintf(w, "error: %v\n", err)
	var fe *FlagError
	if errors.As(err, &fe) && cmd != nil {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
}

// similarFlags are the command's flags (its own and inherited) within two
// edits of name, or that it is a prefix of: --model for --models.
func similarFlags(c *cobra.Command, name string) []string {
	var out []string
	seen := map[string]bool{}
	visit := func(fl *pflag.Flag) {
		if fl.Hidden || seen[fl.Name] {
			return
		}
		seen[fl.Name] = true
		if catalog.EditDistance(name, fl.Name) <= 2 || len(name) >= 3 && strings.HasPrefix(fl.Name, name) {
			out = append(out, fl.Name)
		}
	}
	c.LocalFlags().VisitAll(visit)
	c.InheritedFlags().VisitAll(visit)
	sort.Strings(out)
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}
