package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
)

// formatGitHub is check's own output format: GitHub Actions workflow
// commands (::error file=…,line=…::message). It is not a global format:
// no other command has anything to annotate.
const formatGitHub = "github"

// checkFormats are the values check's --format accepts.
var checkFormats = append(append([]string(nil), output.Formats...), formatGitHub)

// CheckOptions are the inputs of `llmcost check`.
type CheckOptions struct {
	F         *Factory
	Files     []string
	CompareTo string
	Strict    bool
	// Format shadows the global --format for this command, because check
	// also accepts "github" (the root validates the global one).
	Format string
}

func newCmdCheck(f *Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{F: f}
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "CI gate: exit 1 when a budget config goes over its limits",
		Long: `Price every workload of one or more budget configs (YAML, schema_version 1;
see llmcost schema budget) with the catalog, and hold the totals against the
configs' limits: limits.monthly_usd for the whole file, limits.workloads for
single workloads, and limits.max_increase_usd / max_increase_pct against a
baseline given with --compare-to (a previous check --format json).

A workload's model is a cloud catalog id, or a local option MODEL@GPU[:QUANT][xN]
priced like estimate --local (owned: amortized hardware + energy) or, with
hosting: rented, like estimate --rent.

Prompt lengths may be a distribution: {p50, p90, p99} is priced as 50% of the
requests at p50, 40% at p90 and 10% at p99 (each request at the upper quantile
of its band, so long-context tiers are never under-counted); a histogram
[{tokens, share}, ...] is priced exactly.

Warnings (deprecated or retired models, prices not verified for over 180 days,
unverified prices, price changes scheduled in the next 90 days, regulated data
sent to a cloud API) do not fail the check unless --strict is given.

Exit status: 0 within limits, 1 over a limit (violations are printed), 2 bad
input (the message names file:line and field).`,
		Example: `  llmcost check budget.yaml
  llmcost check budget.yaml --strict --format json > budget-report.json

  # in CI: fail a PR that raises the monthly cost by more than the limits allow
  git show origin/main:budget.yaml > /tmp/base.yaml
  llmcost check /tmp/base.yaml --format json > /tmp/base.json || true
  llmcost check budget.yaml --compare-to /tmp/base.json --format markdown > comment.md

  # annotations on the offending lines of a pull request
  llmcost check budget.yaml --format github`,
		Args: wantArgs(1, -1, "want one or more budget files, e.g. llmcost check budget.yaml (llmcost schema budget prints the format)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if err := validateCheckFormat(opts.Format); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "table", "output format: "+strings.Join(checkFormats, ", "))
	fl.StringVar(&opts.CompareTo, "compare-to", "", "baseline `FILE`: a previous check --format json, for limits.max_increase_usd/pct")
	fl.BoolVar(&opts.Strict, "strict", false, "treat warnings (deprecated models, stale or changing prices) as violations")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion(checkFormats...))
	_ = cmd.MarkFlagFilename("compare-to", "json")
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	}
	return cmd
}

func validateCheckFormat(s string) error {
	if strings.EqualFold(strings.TrimSpace(s), formatGitHub) {
		return nil
	}
	if _, err := output.ParseFormat(s); err != nil {
		return FlagErrorf("invalid value %q for --format: want one of %s", s, strings.Join(checkFormats, ", "))
	}
	return nil
}

// loadBudgets reads and strictly decodes each budget file.
func loadBudgets(f *Factory, files []string) ([]*budget.Config, error) {
	var cfgs []*budget.Config
	var all []budget.Issue
	for _, path := range files {
		data, err := readInput(f, path)
		if err != nil {
			return nil, err
		}
		c, err := budget.Decode(path, data)
		if err != nil {
			var be *budget.Error
			if errors.As(err, &be) {
				all = append(all, be.Issues...)
				continue
			}
			return nil, err
		}
		cfgs = append(cfgs, c)
	}
	if len(all) > 0 {
		return nil, &budget.Error{Kind: "budget", Issues: all}
	}
	return cfgs, nil
}

func checkRun(o *CheckOptions) error {
	err := checkEval(o)
	// In CI the bad line of a broken budget gets its annotation too.
	var be *budget.Error
	if strings.EqualFold(strings.TrimSpace(o.Format), formatGitHub) && errors.As(err, &be) {
		for _, is := range be.Issues {
			props := "file=" + escapeGHProperty(is.File)
			if is.Line > 0 {
				props += fmt.Sprintf(",line=%d", is.Line)
			}
			msg := is.Msg
			if is.Field != "" {
				msg = is.Field + ": " + msg
			}
			fmt.Fprintf(o.F.IOStreams.Out, "::error %s::%s\n", props, escapeGHData(msg))
		}
	}
	return err
}

func checkEval(o *CheckOptions) error {
	f := o.F
	cfgs, err := loadBudgets(f, o.Files)
	if err != nil {
		return err
	}
	var base *budget.Baseline
	if o.CompareTo != "" {
		data, err := readInput(f, o.CompareTo)
		if err != nil {
			return err
		}
		if base, err = budget.ParseBaseline(o.CompareTo, data); err != nil {
			return err
		}
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	rep, err := budget.Check(cat, cfgs, budget.Options{Today: f.Today(), Strict: o.Strict, Baseline: base})
	if err != nil {
		return err
	}
	res := &CheckResult{Report: rep}
	if err := writeCheck(f, strings.ToLower(strings.TrimSpace(o.Format)), res); err != nil {
		return err
	}
	if !rep.OK {
		return &ExitError{Code: ExitNegative, Msg: fmt.Sprintf("budget check failed: %d violation%s", len(rep.Violations), plural(len(rep.Violations)))}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func writeCheck(f *Factory, format string, res *CheckResult) error {
	out := f.IOStreams.Out
	switch format {
	case formatGitHub:
		return writeAnnotations(out, res.Report)
	case "markdown", "md":
		fmt.Fprintf(out, "%s\n## %s\n\n", checkCommentMarker, res.headline(true))
		res.markdown = true
		return output.Write(f.IOStreams, output.Markdown, res)
	}
	fm, _ := output.ParseFormat(format) // validated in RunE
	return output.Write(f.IOStreams, fm, res)
}

// checkCommentMarker lets a CI job find and update its previous PR
// comment instead of adding a new one on every push.
const checkCommentMarker = "<!-- llmcost-check -->"

// CheckResult is the output of `check`; its JSON is the budget.Report.
type CheckResult struct {
	*budget.Report
	markdown bool
}

func (r *CheckResult) headline(md bool) string {
	total := units.FormatUSD(r.TotalMonthlyUSD) + "/month"
	if r.OK {
		if md {
			return "✅ Budget check passed: " + total
		}
		return "Budget check passed: " + total
	}
	h := fmt.Sprintf("Budget check failed: %d violation%s, %s", len(r.Violations), plural(len(r.Violations)), total)
	if md {
		return "❌ " + h
	}
	return h
}

func location(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// Tables renders violations first, then warnings, then the workloads.
func (r *CheckResult) Tables() []output.TableData {
	var ts []output.TableData
	findings := func(title string, fs []budget.Finding) output.TableData {
		t := output.TableData{Title: title, Headers: []string{"Where", "Kind", "Message"}}
		for _, v := range fs {
			t.Rows = append(t.Rows, []string{location(v.File, v.Line), v.Kind, v.Message})
		}
		return t
	}
	if len(r.Violations) > 0 {
		ts = append(ts, findings(fmt.Sprintf("Violations (%d)", len(r.Violations)), r.Violations))
	}
	if len(r.Warnings) > 0 {
		ts = append(ts, findings(fmt.Sprintf("Warnings (%d)", len(r.Warnings)), r.Warnings))
	}
	withBase := r.Baseline != nil
	t := output.TableData{
		Title:   r.headline(false) + ", prices as of " + r.AsOf,
		Headers: []string{"Workload", "Model", "Requests/mo", "Prompt/req", "Output/req", "Monthly", "Limit"},
		Align:   []output.Align{output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Right},
	}
	if r.markdown {
		t.Title = "Workloads, prices as of " + r.AsOf // the comment's heading has the verdict
	}
	if withBase {
		t.Headers = append(t.Headers, "Baseline", "Change")
		t.Align = append(t.Align, output.Right, output.Right)
	}
	t.Headers = append(t.Headers, "Status")
	t.Align = append(t.Align, output.Left)
	over := map[string]bool{}
	for _, v := range r.Violations {
		if v.Kind == budget.KindWorkloadLimit {
			over[v.Workload] = true
		}
	}
	for _, w := range r.Workloads {
		limit, rawLimit := "-", ""
		if w.LimitUSD != nil {
			limit, rawLimit = units.FormatUSD(*w.LimitUSD), w.LimitUSD.String()
		}
		status := "ok"
		if over[w.Name] {
			status = "OVER"
		}
		row := []string{w.Name, w.Model, budget.FormatCount(w.RequestsPerMonth), w.PromptSpec, w.OutputSpec, units.FormatUSD(w.MonthlyUSD), limit}
		raw := []string{w.Name, w.Model, fmt.Sprint(w.RequestsPerMonth), fmt.Sprint(w.PromptTokens), fmt.Sprint(w.OutputTokens), w.MonthlyUSD.String(), rawLimit}
		if withBase {
			b, d, rb, rd := "-", "new", "", ""
			if w.BaselineMonthlyUSD != nil {
				b, d, rb, rd = units.FormatUSD(*w.BaselineMonthlyUSD), signedUSD(*w.DeltaUSD), w.BaselineMonthlyUSD.String(), w.DeltaUSD.String()
			}
			row, raw = append(row, b, d), append(raw, rb, rd)
		}
		t.Rows, t.Raw = append(t.Rows, append(row, status)), append(t.Raw, append(raw, status))
	}
	for _, fr := range r.Files {
		limit, rawLimit := "-", ""
		if fr.LimitUSD != nil {
			limit, rawLimit = units.FormatUSD(*fr.LimitUSD), fr.LimitUSD.String()
		}
		status := "ok"
		if !fr.OK {
			status = "FAILED"
		}
		name := "Total"
		if len(r.Files) > 1 {
			name = "Total " + fr.File
		}
		row := []string{name, "", "", "", "", units.FormatUSD(fr.TotalMonthlyUSD), limit}
		raw := []string{name, "", "", "", "", fr.TotalMonthlyUSD.String(), rawLimit}
		if withBase {
			row, raw = append(row, "", ""), append(raw, "", "")
		}
		t.Rows, t.Raw = append(t.Rows, append(row, status)), append(t.Raw, append(raw, status))
	}
	if b := r.Baseline; b != nil {
		change := signedUSD(b.DeltaUSD) + "/month"
		if b.DeltaPct != nil {
			change += fmt.Sprintf(" (%s)", signedPct(*b.DeltaPct))
		}
		t.Notes = append(t.Notes, fmt.Sprintf("Against baseline %s: %s → %s, %s", b.File, units.FormatUSD(b.TotalMonthlyUSD), units.FormatUSD(r.TotalMonthlyUSD), change))
	}
	t.Notes = append(t.Notes, r.Notes...)
	for _, w := range r.Workloads {
		if strings.HasPrefix(w.PromptSpec, "p50") || strings.HasPrefix(w.OutputSpec, "p50") {
			t.Notes = append(t.Notes, "p50/p90/p99 token counts are priced as 50% of requests at p50, 40% at p90, 10% at p99")
			break
		}
	}
	return append(ts, t)
}

func signedUSD(d decimal.Decimal) string {
	if d.IsNegative() {
		return units.FormatUSD(d)
	}
	return "+" + units.FormatUSD(d)
}

// writeAnnotations prints GitHub Actions workflow commands: an error on
// the line of each violation, a warning on the line of each warning.
func writeAnnotations(w io.Writer, r *budget.Report) error {
	for _, set := range []struct {
		level string
		fs    []budget.Finding
	}{{"error", r.Violations}, {"warning", r.Warnings}} {
		for _, v := range set.fs {
			props := "file=" + escapeGHProperty(v.File)
			if v.Line > 0 {
				props += fmt.Sprintf(",line=%d", v.Line)
			}
			if _, err := fmt.Fprintf(w, "::%s %s::%s\n", set.level, props, escapeGHData(v.Message)); err != nil {
				return err
			}
		}
	}
	summary := fmt.Sprintf("llmcost: %s", (&CheckResult{Report: r}).headline(false))
	if b := r.Baseline; b != nil {
		summary += fmt.Sprintf(" (%s vs baseline)", signedUSD(b.DeltaUSD))
	}
	_, err := fmt.Fprintln(w, summary)
	return err
}

// GitHub's workflow-command escaping: data escapes %, CR and LF;
// properties also ':' and ','.
func escapeGHData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeGHProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
