package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/spf13/cobra"
)

// DiffOptions are the inputs of `llmcost diff`.
type DiffOptions struct {
	F    *Factory
	Base string
	Head string
	// GitShow reads REF:path from git; tests replace it.
	GitShow func(ctx context.Context, ref, path string) ([]byte, error)
	ctx     context.Context
}

func newCmdDiff(f *Factory, runF func(*DiffOptions) error) *cobra.Command {
	opts := &DiffOptions{F: f, GitShow: gitShow}
	cmd := &cobra.Command{
		Use:   "diff BASE HEAD",
		Short: "Monthly cost delta between two budget configs, with reasons",
		Long: `Price two budget configs (files, or git:REF:path read with git show) and show
the monthly delta per workload and in total. Each workload's delta is explained
by changing one thing at a time from BASE to HEAD: prices (as_of, discounts,
rate overrides), model, hosting of local options, requests, prompt tokens,
output tokens, then cache,
batch and reasoning shares; the reasons add up to the delta. --format markdown
writes a PR comment.`,
		Example: `  llmcost diff budget.yaml budget.new.yaml
  llmcost diff git:origin/main:budget.yaml budget.yaml --format markdown > comment.md
  llmcost diff git:HEAD~1:budget.yaml git:HEAD:budget.yaml --format json`,
		Args: wantArgs(2, 2, "want two budget files to compare, old then new, e.g. llmcost diff git:origin/main:budget.yaml budget.yaml"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Base, opts.Head = args[0], args[1]
			opts.ctx = cmd.Context()
			for _, a := range args {
				if strings.HasPrefix(a, "git:") {
					if _, _, err := parseGitSpec(a); err != nil {
						return err
					}
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return diffRun(opts)
		},
	}
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	}
	return cmd
}

// parseGitSpec splits git:REF:path.
func parseGitSpec(s string) (ref, path string, err error) {
	ref, path, ok := strings.Cut(strings.TrimPrefix(s, "git:"), ":")
	if !ok || ref == "" || path == "" || strings.HasPrefix(ref, "-") {
		return "", "", FlagErrorf("invalid argument %q: want a file or git:REF:path (e.g. git:origin/main:budget.yaml)", s)
	}
	return ref, path, nil
}

// gitShow runs `git show REF:path` in the current directory.
func gitShow(ctx context.Context, ref, path string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", "show", ref+":"+path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			// git's own words: "fatal: path 'x' does not exist in 'main'".
			return nil, &InputError{Err: fmt.Errorf("git:%s:%s: %s", ref, path, strings.TrimSpace(stderr.String()))}
		}
		return nil, fmt.Errorf("running git: %w", err)
	}
	return out, nil
}

func (o *DiffOptions) load(spec string) (*budget.Config, error) {
	var data []byte
	var err error
	if strings.HasPrefix(spec, "git:") {
		ref, path, perr := parseGitSpec(spec)
		if perr != nil {
			return nil, perr
		}
		ctx := o.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		data, err = o.GitShow(ctx, ref, path)
	} else {
		data, err = readInput(o.F, spec)
	}
	if err != nil {
		return nil, err
	}
	return budget.Decode(spec, data)
}

func diffRun(o *DiffOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	base, err := o.load(o.Base)
	if err != nil {
		return err
	}
	head, err := o.load(o.Head)
	if err != nil {
		return err
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	d, err := budget.Diff(cat, base, head, f.Today())
	if err != nil {
		return err
	}
	res := &DiffResult{DiffReport: d}
	if format == output.Markdown {
		res.markdown = true
		fmt.Fprintf(f.IOStreams.Out, "%s\n## %s\n\n", diffCommentMarker, res.headline())
	}
	return output.Write(f.IOStreams, format, res)
}

const diffCommentMarker = "<!-- llmcost-diff -->"

// DiffResult is the output of `diff`; its JSON is the budget.DiffReport.
type DiffResult struct {
	*budget.DiffReport
	markdown bool
}

func (r *DiffResult) headline() string {
	change := signedUSD(r.DeltaUSD) + "/month"
	if r.DeltaPct != nil {
		change += fmt.Sprintf(" (%s)", signedPct(*r.DeltaPct))
	}
	return fmt.Sprintf("LLM cost change: %s (%s → %s)", change, units.FormatUSD(r.Base.TotalMonthlyUSD), units.FormatUSD(r.Head.TotalMonthlyUSD))
}

// Tables renders one row per workload, largest change first.
func (r *DiffResult) Tables() []output.TableData {
	t := output.TableData{
		Headers: []string{"Workload", "Status", "Base", "Head", "Change", "Why"},
		Align:   []output.Align{output.Left, output.Left, output.Right, output.Right, output.Right, output.Left},
	}
	t.Title = r.headline()
	if r.markdown {
		t.Title = fmt.Sprintf("Per workload (%s → %s)", r.Base.File, r.Head.File)
	}
	for _, w := range r.Workloads {
		base, rawBase, head, rawHead := "-", "", "-", ""
		if w.BaseMonthlyUSD != nil {
			base, rawBase = units.FormatUSD(*w.BaseMonthlyUSD), w.BaseMonthlyUSD.String()
		}
		if w.HeadMonthlyUSD != nil {
			head, rawHead = units.FormatUSD(*w.HeadMonthlyUSD), w.HeadMonthlyUSD.String()
		}
		var why, rawWhy []string
		for _, rs := range w.Reasons {
			why = append(why, fmt.Sprintf("%s (%s)", rs.Message, signedUSD(rs.DeltaUSD)))
			rawWhy = append(rawWhy, rs.Kind)
		}
		reasons := strings.Join(why, "; ")
		if reasons == "" {
			reasons = "-"
		}
		t.Rows = append(t.Rows, []string{w.Name, w.Status, base, head, signedUSD(w.DeltaUSD), reasons})
		t.Raw = append(t.Raw, []string{w.Name, w.Status, rawBase, rawHead, w.DeltaUSD.String(), strings.Join(rawWhy, ";")})
	}
	t.Rows = append(t.Rows, []string{"Total", "", units.FormatUSD(r.Base.TotalMonthlyUSD), units.FormatUSD(r.Head.TotalMonthlyUSD), signedUSD(r.DeltaUSD), ""})
	t.Raw = append(t.Raw, []string{"Total", "", r.Base.TotalMonthlyUSD.String(), r.Head.TotalMonthlyUSD.String(), r.DeltaUSD.String(), ""})
	if r.Base.AsOf != r.Head.AsOf {
		t.Notes = append(t.Notes, fmt.Sprintf("prices as of %s (base) and %s (head)", r.Base.AsOf, r.Head.AsOf))
	} else {
		t.Notes = append(t.Notes, "prices as of "+r.Head.AsOf)
	}
	return []output.TableData{t}
}
