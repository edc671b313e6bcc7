package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/decide"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// DecideOptions are the inputs of `llmcost decide`.
type DecideOptions struct {
	F *Factory

	AnswersFile string
	WritePolicy string
	AsOf        string
	Accessible  bool

	// Flag values; only changed flags override the answers file.
	Tokens           units.MonthlyTokensValue
	Requests         units.MonthlyTokensValue
	TokensPerRequest units.TokensValue
	InputShare       float64
	Privacy          string
	RegulatedShare   float64
	Task             string
	Accuracy         string
	Latency          float64
	TTFT             float64
	Context          contextValue
	Load             string
	PeakRatio        float64
	HaveGPUs         []string
	GPUs             []string // --gpu: the GPU types local setups may use
	Budget           string
	OpsHours         float64
	OpsRate          string

	changed    map[string]bool // typed, or from LLMCOST_*: over the answers file
	fromConfig map[string]bool // from the config file: under the answers file
}

func newCmdDecide(f *Factory, runF func(*DecideOptions) error) *cobra.Command {
	opts := &DecideOptions{F: f}
	cmd := &cobra.Command{
		Use:   "decide",
		Short: "Cloud, local or hybrid? A verdict for your workload, with the numbers",
		Long: `Answer a few questions about the workload — volume, privacy, task and accuracy,
latency, context, load, GPUs you already own, budget — and get a verdict
(cloud, local or hybrid) with reasons that quote the numbers, the setup to use,
and what would change the verdict (the volume, latency or budget at which it flips).

The thresholds come from the cost maths for this workload (the computed
crossover of the best local option against the best cloud one), not from fixed
tiers. Regulated data never goes to a cloud API.

On a terminal, missing answers are asked interactively (--accessible or
ACCESSIBLE=1 for screen readers). Otherwise every answer comes from flags or
--answers FILE (flags and LLMCOST_* variables win over the file; the config
file only fills answers it leaves out), and missing answers are one error
listing them.
--write-policy writes a route policy implementing the verdict.
--gpu narrows the GPUs local setups may use (GPUs already owned are always
tried); --gpu auto is the GPUs detected on this machine (llmcost hardware),
owned unless --have-gpu says what you own. Speeds measured by llmcost bench
--write-catalog DIR replace the catalog's with --catalog DIR, and a note says so.

The answers file is YAML with one key per question (all optional but the
volume, privacy and task):
  tokens_per_month: 2M            # or requests_per_month: 100K with tokens_per_request: 2K
  input_share: 0.75
  privacy: regulated              # none | contractual | regulated
  regulated_share: 0.3            # with privacy regulated
  task: classification            # classification | extraction | summarization | qa | code | reasoning | creative | agents
  accuracy: good-enough           # good-enough | best | {mmlu: 75}
  latency_seconds: 5
  ttft_seconds: 1
  context_tokens: 8K
  load: spiky                     # steady | spiky
  peak_to_average: 3              # with load spiky
  have_gpus: [rtx-4090x2]
  budget_usd: 500
  ops_hours_per_month: 4
  ops_hourly_usd: 75`,
		Example: `  # ask interactively
  llmcost decide

  # no questions: everything from flags
  llmcost decide --tokens 2M --privacy none --task classification

  # an answers file, one answer overridden, policy written for llmcost route
  llmcost decide --answers workload.yaml --tokens 50M --write-policy route.yaml

  # regulated data, GPUs already owned, a latency target and a budget
  llmcost decide --tokens 20M --privacy regulated --task qa --have-gpu rtx-4090x2 \
      --latency 5 --budget 300 --format json

  # local setups only on the GPUs of this machine (owned), or on GPUs you might buy or rent
  llmcost decide --tokens 50M --privacy none --task code --gpu auto
  llmcost decide --tokens 50M --privacy none --task code --gpu rtx-4090,l40s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Set flags win over the answers file; so do values applyConfig
			// took from LLMCOST_*. Values from the config file are defaults:
			// they fill only answers the answers file does not give.
			opts.changed, opts.fromConfig = map[string]bool{}, map[string]bool{}
			cmd.Flags().VisitAll(func(fl *pflag.Flag) {
				switch {
				case fl.Changed || strings.HasPrefix(f.valueSources[fl.Name], "LLMCOST_"):
					opts.changed[fl.Name] = true
				case fl.Value.String() != fl.DefValue:
					opts.fromConfig[fl.Name] = true
				}
			})
			if opts.F.Getenv("ACCESSIBLE") != "" || opts.F.Getenv("LLMCOST_ACCESSIBLE") != "" {
				opts.Accessible = true
			}
			if _, err := parseAsOf(opts.AsOf, f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return decideRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.AnswersFile, "answers", "", "answers `FILE` (YAML, the format is shown above); flags override it")
	fl.Var(&opts.Tokens, "tokens", "tokens per month, or per period: 2M, 300K/day")
	fl.Var(&opts.Requests, "requests", "requests per month (with --tokens-per-request, instead of --tokens)")
	fl.Var(&opts.TokensPerRequest, "tokens-per-request", "prompt + output tokens of one request")
	fl.Float64Var(&opts.InputShare, "input-share", decide.DefaultInputShare, "share of the tokens that is input (0-1)")
	fl.StringVar(&opts.Privacy, "privacy", "", "none | contractual | regulated")
	fl.Float64Var(&opts.RegulatedShare, "regulated-share", 1, "with --privacy regulated: the share of traffic that is regulated (0-1)")
	fl.StringVar(&opts.Task, "task", "", strings.Join(decide.Tasks, " | "))
	fl.StringVar(&opts.Accuracy, "accuracy", "good-enough", "good-enough | best | BENCHMARK:SCORE (e.g. mmlu:75)")
	fl.Float64Var(&opts.Latency, "latency", 0, "reply-time target in seconds (0 = none)")
	fl.Float64Var(&opts.TTFT, "ttft", 0, "time-to-first-token target in seconds (0 = none)")
	fl.Var(&opts.Context, "context", "context a request carries (prompt, documents, history); sets the VRAM fit, time to first token and cloud long-context tiers; K = 1,024 (default 8K fit, 500-token prompts)")
	fl.StringVar(&opts.Load, "load", "steady", "steady | spiky")
	fl.Float64Var(&opts.PeakRatio, "peak-ratio", decide.DefaultPeakToAverage, "with --load spiky: peak ÷ average traffic")
	fl.StringArrayVar(&opts.HaveGPUs, "have-gpu", nil, "GPUs you already own, GPU or GPUxN (repeatable): rtx-4090x2, or auto for the GPUs detected on this machine")
	fl.StringSliceVar(&opts.GPUs, "gpu", nil, "catalog GPU ids local setups may use, comma-separated (default: every GPU); auto = the GPUs detected on this machine, owned unless --have-gpu says what you own")
	fl.StringVar(&opts.Budget, "budget", "", "monthly budget in USD")
	fl.Float64Var(&opts.OpsHours, "ops-hours", 0, "hours a month spent operating local hardware")
	fl.StringVar(&opts.OpsRate, "ops-rate", "", "USD per operations hour (default 75)")
	fl.StringVar(&opts.WritePolicy, "write-policy", "", "write a route policy implementing the verdict to `FILE`")
	fl.StringVar(&opts.AsOf, "as-of", "", "price date YYYY-MM-DD (default today)")
	fl.BoolVar(&opts.Accessible, "accessible", false, "plain line-by-line prompts for screen readers (also ACCESSIBLE=1)")
	_ = cmd.MarkFlagFilename("answers", "yaml", "yml")
	_ = cmd.MarkFlagFilename("write-policy", "yaml", "yml")
	_ = cmd.RegisterFlagCompletionFunc("privacy", fixedCompletion(decide.Privacies...))
	_ = cmd.RegisterFlagCompletionFunc("task", fixedCompletion(decide.Tasks...))
	_ = cmd.RegisterFlagCompletionFunc("accuracy", fixedCompletion("good-enough", "best", "mmlu:", "mmlu_pro:"))
	_ = cmd.RegisterFlagCompletionFunc("load", fixedCompletion(decide.Loads...))
	_ = cmd.RegisterFlagCompletionFunc("have-gpu", completeGPUs(f))
	_ = cmd.RegisterFlagCompletionFunc("gpu", completeGPUs(f))
	cmd.MarkFlagsMutuallyExclusive("tokens", "requests")
	return cmd
}

// answers builds the answers: the file first, then every changed flag.
func (o *DecideOptions) answers() (*decide.Answers, error) {
	a := &decide.Answers{}
	if o.AnswersFile != "" {
		data, err := os.ReadFile(o.AnswersFile)
		if err != nil {
			return nil, &InputError{Err: fmt.Errorf("--answers: %w", err)}
		}
		a, err = decide.ParseAnswersFile(o.AnswersFile, data) // its errors read FILE:LINE: field
		if err != nil {
			return nil, &InputError{Err: err}
		}
	}
	// ch says whether a flag's value is used: always when typed or from the
	// environment, from the config file only where the answers file is silent.
	ch := map[string]bool{}
	for name := range o.changed {
		ch[name] = true
	}
	for name := range o.fromConfig {
		silent := true
		for _, field := range answerFields[name] {
			if a.InFile(field) {
				silent = false
			}
		}
		ch[name] = silent
	}
	var errs []error
	bad := func(flag string, err error) { errs = append(errs, fmt.Errorf("invalid value for --%s: %v", flag, err)) }
	if ch["tokens"] {
		a.TokensPerMonth, a.RequestsPerMonth, a.TokensPerRequest = o.Tokens.N, 0, 0
		a.SetByFlag(decide.FieldTokens, "--tokens")
	}
	if ch["requests"] {
		a.RequestsPerMonth, a.TokensPerMonth = o.Requests.N, 0
		a.SetByFlag("requests_per_month", "--requests")
	}
	if ch["tokens-per-request"] {
		a.TokensPerRequest = o.TokensPerRequest.N
		a.SetByFlag("tokens_per_request", "--tokens-per-request")
	}
	if ch["input-share"] {
		v := o.InputShare
		a.InputShare = &v
		a.SetByFlag("input_share", "--input-share")
	}
	if ch["privacy"] {
		a.Privacy = decide.Privacy(strings.ToLower(strings.TrimSpace(o.Privacy)))
		a.SetByFlag(decide.FieldPrivacy, "--privacy")
	}
	if ch["regulated-share"] {
		v := o.RegulatedShare
		a.RegulatedShare = &v
		a.SetByFlag("regulated_share", "--regulated-share")
	}
	if ch["task"] {
		a.Task = decide.Task(strings.ToLower(strings.TrimSpace(o.Task)))
		a.SetByFlag(decide.FieldTask, "--task")
	}
	if ch["accuracy"] {
		acc, err := decide.ParseAccuracy(o.Accuracy)
		if err != nil {
			bad("accuracy", err)
		}
		a.Accuracy = acc
		a.SetByFlag(decide.FieldAccuracy, "--accuracy")
	}
	if ch["latency"] {
		a.LatencySeconds = o.Latency
		a.SetByFlag("latency_seconds", "--latency")
	}
	if ch["ttft"] {
		a.TTFTSeconds = o.TTFT
		a.SetByFlag("ttft_seconds", "--ttft")
	}
	if ch["context"] {
		a.ContextTokens = o.Context.N
		a.SetByFlag("context_tokens", "--context")
	}
	if ch["load"] {
		a.Load = decide.Load(strings.ToLower(strings.TrimSpace(o.Load)))
		a.SetByFlag("load", "--load")
	}
	if ch["peak-ratio"] {
		a.PeakToAverage = o.PeakRatio
		a.SetByFlag("peak_to_average", "--peak-ratio")
	}
	if ch["have-gpu"] {
		a.HaveGPUs = nil
		a.SetByFlag("have_gpus", "--have-gpu")
		for _, s := range o.HaveGPUs {
			for _, part := range strings.Split(s, ",") {
				g, err := decide.ParseOwnedGPU(part)
				if err != nil {
					bad("have-gpu", err)
					continue
				}
				a.HaveGPUs = append(a.HaveGPUs, g)
			}
		}
	}
	if ch["budget"] {
		b, err := units.ParseUSD(o.Budget)
		if err != nil {
			bad("budget", err)
		}
		a.BudgetUSD = &b
		a.SetByFlag("budget_usd", "--budget")
	}
	if ch["ops-hours"] {
		a.OpsHoursPerMonth = decimal.NewFromFloat(o.OpsHours)
		a.SetByFlag("ops_hours_per_month", "--ops-hours")
	}
	if ch["ops-rate"] {
		r, err := units.ParseUSD(o.OpsRate)
		if err != nil {
			bad("ops-rate", err)
		}
		a.OpsHourlyUSD = &r
		a.SetByFlag("ops_hourly_usd", "--ops-rate")
	}
	if err := errors.Join(errs...); err != nil {
		return nil, &FlagError{Err: err}
	}
	return a, nil
}

// answerFields are the answers-file fields each flag gives (a volume flag
// stands for every way of giving the volume).
var answerFields = map[string][]string{
	"tokens":             {decide.FieldTokens, "requests_per_month", "tokens_per_request"},
	"requests":           {decide.FieldTokens, "requests_per_month"},
	"tokens-per-request": {decide.FieldTokens, "tokens_per_request"},
	"input-share":        {"input_share"},
	"privacy":            {decide.FieldPrivacy},
	"regulated-share":    {"regulated_share"},
	"task":               {decide.FieldTask},
	"accuracy":           {decide.FieldAccuracy},
	"latency":            {"latency_seconds"},
	"ttft":               {"ttft_seconds"},
	"context":            {"context_tokens"},
	"load":               {"load"},
	"peak-ratio":         {"peak_to_average"},
	"have-gpu":           {"have_gpus"},
	"budget":             {"budget_usd"},
	"ops-hours":          {"ops_hours_per_month"},
	"ops-rate":           {"ops_hourly_usd"},
}

// flagFor names the flag that answers a field, for the missing-answers error.
var flagFor = map[string]string{
	decide.FieldTokens:  "--tokens (or --requests with --tokens-per-request)",
	decide.FieldPrivacy: "--privacy none|contractual|regulated",
	decide.FieldTask:    "--task " + strings.Join(decide.Tasks, "|"),
}

func decideRun(o *DecideOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	asOf, err := parseAsOf(o.AsOf, f)
	if err != nil {
		return err
	}
	a, err := o.answers()
	if err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return &InputError{Err: err}
	}
	if missing := a.Missing(); len(missing) > 0 {
		if f.IOStreams.CanPrompt() {
			if err := askDecide(f, a, o.Accessible); err != nil {
				return err
			}
		} else {
			parts := make([]string, len(missing))
			for i, m := range missing {
				parts[i] = fmt.Sprintf("%s (%s)", m, flagFor[m])
			}
			return FlagErrorf("missing answers: %s; give them as flags or in --answers FILE (not asked: no terminal or --no-input)", strings.Join(parts, ", "))
		}
	}
	// Prompts can be skipped (accessible mode at EOF keeps defaults without
	// validating), so everything is checked again here.
	if err := a.Validate(); err != nil {
		return &InputError{Err: err}
	}
	if missing := a.Missing(); len(missing) > 0 {
		return &InputError{Err: fmt.Errorf("missing answers: %s", strings.Join(missing, ", "))}
	}
	autoNote, err := resolveAutoOwned(f, a)
	if err != nil {
		return err
	}
	var autoNotes []string // what auto became
	if autoNote != "" {
		autoNotes = append(autoNotes, autoNote)
	}
	var gpus []string // nil = every GPU
	if len(o.GPUs) > 0 {
		sel, err := resolveGPUFlag(f, cat, o.GPUs)
		if err != nil {
			return err
		}
		gpus = sel.IDs
		if sel.Note != "" {
			// The detected GPUs are owned, unless the answers say what is.
			if len(a.HaveGPUs) == 0 {
				a.HaveGPUs = sel.Have
			} else {
				sel.Note += "; owned: the GPUs --have-gpu names"
			}
			autoNotes = append(autoNotes, sel.Note)
		}
	}
	if len(autoNotes) > 0 {
		// A detected Apple machine adds a catalog entry with its memory.
		if cat, err = f.Catalog(); err != nil {
			return err
		}
	}
	for i, g := range a.HaveGPUs {
		if _, err := cat.GPU(g.GPU); err != nil {
			return &InputError{Err: a.ErrorFor("have_gpus", i, err.Error())}
		}
	}
	if err := checkBenchmark(cat, a); err != nil {
		return err
	}
	d, err := decide.DecideOn(cat, asOf, a, gpus)
	var ae *decide.AnswerError
	if errors.As(err, &ae) && ae.File == "" && ae.Flag == "" {
		// An answer no setup can meet: say where it came from.
		return &InputError{Err: a.ErrorFor(ae.Field, -1, ae.Msg)}
	}
	if err != nil {
		return err
	}
	if len(autoNotes) > 0 {
		d.Notes = append(autoNotes, d.Notes...)
	}
	if o.WritePolicy != "" {
		if err := writePolicy(o.WritePolicy, d, cost.BasisFromCatalog(cat.Defaults).HoursPerMonth); err != nil {
			return err
		}
		fmt.Fprintf(f.IOStreams.ErrOut, "wrote route policy to %s\n", o.WritePolicy)
	}
	return output.Write(f.IOStreams, format, &decideResult{Decision: d})
}

// checkBenchmark rejects a minimum score on a benchmark no open model in
// the catalog is scored on: that is a typo (mmlu-pro for mmlu_pro), and
// taken at its word it would only rule every local model out.
func checkBenchmark(cat *catalog.Catalog, a *decide.Answers) error {
	if a.Accuracy.Level != decide.AccuracyMinScore {
		return nil
	}
	known := map[string]bool{}
	for _, id := range cat.OpenModelIDs() {
		m, err := cat.Open(id)
		if err != nil {
			return err
		}
		for _, q := range m.Quality {
			known[q.Benchmark] = true
		}
	}
	if known[a.Accuracy.Benchmark] {
		return nil
	}
	names := make([]string, 0, len(known))
	for b := range known {
		names = append(names, b)
	}
	sort.Strings(names)
	return &InputError{Err: a.ErrorFor(decide.FieldAccuracy, -1, fmt.Sprintf("unknown benchmark %q (the catalog scores models on %s)", a.Accuracy.Benchmark, strings.Join(names, ", ")))}
}

// hasCloud reports whether any of p's backends is a cloud one.
func hasCloud(p *decide.Policy) bool {
	for _, b := range p.Backends {
		if b.Source == "cloud" {
			return true
		}
	}
	return false
}

// writePolicy writes atomically: a temp file in the same directory, renamed
// over the target, so a crash never leaves half a policy.
func writePolicy(path string, d *decide.Decision, hours decimal.Decimal) error {
	p, err := d.Policy(hours)
	if err != nil {
		return &InputError{Err: fmt.Errorf("--write-policy: %w", err)}
	}
	header := fmt.Sprintf("Written by llmcost decide (%s verdict, prices as of %s).\nCheck base_url and model for your serving setup before `llmcost route --policy %s`.", d.Verdict, d.AsOf, filepath.Base(path))
	if hasCloud(p) && d.Workload.Privacy == decide.PrivacyRegulated {
		header += "\nRegulated prompts stay local only if route sees them: the detectors find e-mails, phone, card,\nIBAN and SSN numbers, not a diagnosis or a contract. Mark the rest in a JSONL prompts file:\n{\"id\": \"...\", \"prompt\": \"...\", \"pii\": true}."
	}
	for _, r := range d.Recommendations {
		if r.Role == "overflow" {
			header += fmt.Sprintf("\nBursts above the local capacity (%.0f%% of tokens) go to the cloud backend: rules match task and PII,\nnot load, so put a gateway (e.g. LiteLLM with fallbacks) in front of both, or rely on the fallback.", r.TrafficShare*100)
		}
	}
	data, err := decide.MarshalPolicy(p, header)
	if err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return &InputError{Err: fmt.Errorf("--write-policy: %s is a directory: give the policy file's name, e.g. %s", path, filepath.Join(path, "route.yaml"))}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".llmcost-policy-*.yaml")
	if err != nil {
		// The temp file's name would only confuse: name the file asked for.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return &InputError{Err: fmt.Errorf("--write-policy: cannot write %s: %w", path, err)}
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// decideResult renders a decision: tables for machines, a card for people.
type decideResult struct {
	*decide.Decision
}

// Tables: the verdict in brief, reasons, recommendations and what would
// change the verdict. CSV drops table titles, so the verdict and its
// numbers get a table of their own.
func (r *decideResult) Tables() []output.TableData {
	d := r.Decision
	summary := output.TableData{
		Title:   "Decision",
		Headers: []string{"Field", "Value"},
		Align:   []output.Align{output.Left, output.Left},
	}
	addSummary := func(label, key, human, raw string) {
		summary.Rows = append(summary.Rows, []string{label, human})
		summary.Raw = append(summary.Raw, []string{key, raw})
	}
	addSummary("Verdict", "verdict", string(d.Verdict), string(d.Verdict))
	usd := func(label, key string, v *decimal.Decimal) {
		if v == nil {
			addSummary(label, key, "-", "")
			return
		}
		addSummary(label, key, units.FormatUSD(*v), v.String())
	}
	usd("Monthly cost", "monthly_cost_usd", d.MonthlyCostUSD)
	usd("Upfront", "upfront_usd", d.UpfrontUSD)
	if x := d.CrossoverTokens; x != nil {
		addSummary("Crossover", "crossover_tokens_per_month", units.FormatTokens(*x)+"/month", strconv.FormatInt(*x, 10))
	} else {
		addSummary("Crossover", "crossover_tokens_per_month", "-", "")
	}
	if d.BudgetUSD != nil {
		usd("Budget", "budget_usd", d.BudgetUSD)
	}
	addSummary("Volume", "tokens_per_month", units.FormatTokens(d.Workload.TokensPerMonth)+"/month", strconv.FormatInt(d.Workload.TokensPerMonth, 10))
	addSummary("Prices as of", "as_of", d.AsOf, d.AsOf)
	reasons := output.TableData{
		Title:   fmt.Sprintf("Verdict: %s — %s", strings.ToUpper(string(d.Verdict)), costLine(d)),
		Headers: []string{"#", "Reason"},
		Align:   []output.Align{output.Right, output.Left},
		Notes:   d.Notes,
	}
	for i, s := range d.Reasons {
		reasons.Rows = append(reasons.Rows, []string{fmt.Sprint(i + 1), s})
	}
	recs := output.TableData{
		Title:   "Recommendations",
		Headers: []string{"Role", "Kind", "Model", "Hardware", "Share", "Tokens/month", "Monthly", "Upfront", "Quality"},
		Align:   []output.Align{output.Left, output.Left, output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Left},
	}
	for _, x := range d.Recommendations {
		hw := "-"
		if x.Kind == "local" {
			hw = decide.MachinesText(x.Machines, x.GPUs, x.GPU) + " " + x.Mode
		}
		recs.Rows = append(recs.Rows, []string{x.Role, x.Kind, x.Model, hw, fmt.Sprintf("%.0f%%", x.TrafficShare*100), units.FormatTokens(x.TokensPerMonth),
			units.FormatUSD(x.MonthlyCostUSD), units.FormatUSD(x.UpfrontUSD), x.Quality})
		recs.Raw = append(recs.Raw, []string{x.Role, x.Kind, x.Model, hw, plainFloat(x.TrafficShare), strconv.FormatInt(x.TokensPerMonth, 10),
			x.MonthlyCostUSD.String(), x.UpfrontUSD.String(), x.Quality})
	}
	changes := output.TableData{
		Title:   "What would change it",
		Headers: []string{"Kind", "Threshold", "Verdict", "Explanation"},
		Align:   []output.Align{output.Left, output.Right, output.Left, output.Left},
	}
	for _, c := range d.WhatWouldChangeIt {
		changes.Rows = append(changes.Rows, []string{c.Kind, thresholdText(c), string(c.Verdict), c.Text})
		changes.Raw = append(changes.Raw, []string{c.Kind, thresholdRaw(c), string(c.Verdict), c.Text})
	}
	return []output.TableData{summary, reasons, recs, changes}
}

// plainFloat never uses exponent notation (fmt.Sprint(9.2e7) does).
func plainFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// thresholdRaw is the machine form of a threshold: whole tokens, dollars
// and cents, plain seconds or scores; empty when the change has no number.
func thresholdRaw(c decide.Change) string {
	switch c.Unit {
	case "tokens_per_month", "tokens":
		return strconv.FormatInt(int64(math.Round(c.Threshold)), 10)
	case "usd_per_month":
		return decimal.NewFromFloat(c.Threshold).String()
	case "seconds", "score":
		return plainFloat(c.Threshold)
	}
	return ""
}

// costLine is "$59.03/month, $1,497.00 upfront", or says nothing can serve it.
func costLine(d *decide.Decision) string {
	if d.MonthlyCostUSD == nil {
		return "no setup in the catalog can serve it"
	}
	return fmt.Sprintf("%s/month, %s upfront", units.FormatUSD(*d.MonthlyCostUSD), units.FormatUSD(*d.UpfrontUSD))
}

func thresholdText(c decide.Change) string {
	switch c.Unit {
	case "tokens_per_month":
		return units.FormatTokens(int64(c.Threshold)) + "/month"
	case "tokens":
		return units.FormatTokens(int64(c.Threshold)) + " tokens"
	case "seconds":
		return plainFloat(c.Threshold) + " s"
	case "usd_per_month":
		return units.FormatUSD(decimal.NewFromFloat(c.Threshold)) + "/month"
	case "score":
		return plainFloat(c.Threshold)
	}
	return "-"
}

// Text is the verdict card shown on a terminal (plain lines when piped).
func (r *decideResult) Text(t output.Theme, width int) string {
	d := r.Decision
	w := min(max(width, 40), 100) - 4
	verdictStyle := t.Good
	switch d.Verdict {
	case decide.Cloud:
		verdictStyle = t.Title
	case decide.Hybrid:
		verdictStyle = t.Warn
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", verdictStyle.Bold(true).Render("Verdict: "+strings.ToUpper(string(d.Verdict))),
		t.Muted.Render(fmt.Sprintf("%s · %s tokens/month · prices as of %s", costLine(d), units.FormatTokens(d.Workload.TokensPerMonth), d.AsOf)))
	b.WriteString("\n" + t.Bold.Render("Why") + "\n")
	for _, s := range d.Reasons {
		b.WriteString(wrapBullet("• ", s, w))
	}
	if len(d.Recommendations) > 0 {
		b.WriteString("\n" + t.Bold.Render("Use") + "\n")
		for _, x := range d.Recommendations {
			line := fmt.Sprintf("%s (%s, %.0f%% of traffic): %s", x.Model, x.Kind, x.TrafficShare*100, units.FormatUSD(x.MonthlyCostUSD)+"/month")
			if x.Kind == "local" {
				line = fmt.Sprintf("%s %s on %dx %s (%s, %.0f%% of traffic): %s/month, %s upfront", x.Model, x.Quant, x.GPUs, x.GPU, x.Mode, x.TrafficShare*100, units.FormatUSD(x.MonthlyCostUSD), units.FormatUSD(x.UpfrontUSD))
			}
			b.WriteString(wrapBullet("→ ", line, w))
		}
	}
	if len(d.WhatWouldChangeIt) > 0 {
		b.WriteString("\n" + t.Bold.Render("What would change it") + "\n")
		for _, c := range d.WhatWouldChangeIt {
			b.WriteString(wrapBullet("• ", c.Text+" → "+string(c.Verdict), w))
		}
	}
	for _, n := range d.Notes {
		// Line by line: lipgloss pads a multi-line block to its widest line.
		for _, l := range strings.Split(strings.TrimRight(wrapBullet("note: ", n, w), "\n"), "\n") {
			b.WriteString(t.Muted.Render(l) + "\n")
		}
	}
	if !t.TTY {
		// Piped: plain lines that grep and logs read, as tables are.
		return b.String()
	}
	card := t.Title.UnsetBold().Border(roundedBorder).Padding(0, 1).Render(strings.TrimRight(b.String(), "\n"))
	return card + "\n"
}

// wrapBullet wraps s to width with a hanging indent under the bullet.
func wrapBullet(bullet, s string, width int) string {
	indent := strings.Repeat(" ", len([]rune(bullet)))
	var b strings.Builder
	line := bullet
	n := len([]rune(line))
	for i, word := range strings.Fields(s) {
		wl := len([]rune(word))
		if i > 0 && n+1+wl > width {
			b.WriteString(line + "\n")
			line, n = indent+word, len(indent)+wl
			continue
		}
		if i > 0 {
			line += " "
			n++
		}
		line += word
		n += wl
	}
	b.WriteString(line + "\n")
	return b.String()
}

// resolveAutoOwned replaces an owned GPU "auto" (--have-gpu auto, or
// have_gpus: [auto] in an answers file) with the GPUs detected here.
func resolveAutoOwned(f *Factory, a *decide.Answers) (string, error) {
	var out []decide.OwnedGPU
	note := ""
	for i, g := range a.HaveGPUs {
		if !isAutoGPU(g.GPU) {
			out = append(out, g)
			continue
		}
		if g.Count != 1 {
			return "", &InputError{Err: a.ErrorFor("have_gpus", i, fmt.Sprintf("%q: auto takes no count, it is the GPUs detected on this machine", g.String()))}
		}
		hw, err := f.detectHardware("--have-gpu auto")
		if err != nil {
			return "", err
		}
		for _, grp := range hw.groups {
			out = append(out, decide.OwnedGPU{GPU: grp.GPU, Count: grp.Count})
		}
		note = hw.note("--have-gpu auto", hw.groups)
	}
	if note != "" {
		a.HaveGPUs = out
	}
	return note, nil
}
