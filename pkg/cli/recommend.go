package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/decide"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/recommend"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/spf13/cobra"
)

// RecommendOptions are the inputs of `llmcost recommend`.
type RecommendOptions struct {
	F *Factory

	Tokens     units.MonthlyTokensValue
	Task       string
	MinScore   string
	MaxLatency string
	Context    contextValue
	GPUs       []string
	Quants     []string
	Privacy    string
	AsOf       string
	Top        int
}

func newCmdRecommend(f *Factory, runF func(*RecommendOptions) error) *cobra.Command {
	opts := &RecommendOptions{F: f, Top: recommend.DefaultTop}
	cmd := &cobra.Command{
		Use:   "recommend",
		Short: "Every option that meets your constraints, cheapest first",
		Long: `Rank every way to serve a monthly volume — cloud models, and open models at a
quantization on a number of GPUs, bought (owned) or rented — that meets the
constraints, cheapest first, with the monthly cost, decode speed, reply time and
quality score of each, and how many options each constraint left out.

The options and their prices are decide's: cloud prices on the --as-of date,
local setups sized by fit (VRAM, batch-1 decode from memory bandwidth or a
catalog benchmark) and priced with estimate's cost model, serving as many
requests at once as the memory holds (the Batch column, up to 8; estimate's
--concurrency). The reply time is one request served alone.

--task narrows the cloud models to the task's value and frontier tiers and
holds open models to its good-enough bar (mmlu 60 for classification,
mmlu_pro 65 for code); --min-score sets another bar. The catalog has no scores
for cloud models: with --min-score only frontier-tier models are kept, and are
assumed to reach it. Without either, there is no quality bar.

--max-latency is the whole reply (prompt prefill + output). The catalog has no
measured latency for most cloud models: their reply time is "unknown", and
--max-latency keeps them, with a note, rather than guess. Local reply times are
estimates.

--privacy regulated leaves out every cloud model. --context is the context a
request carries, as in decide: models and GPUs must hold it, and it is the
prompt of the reply time.`,
		Example: `  # code assistant, 50M tokens a month
  llmcost recommend --tokens 50M --task code

  # a score bar, a reply within 2 s, 32K context, on GPUs you might buy or rent
  llmcost recommend --tokens 50M --min-score mmlu=70 --max-latency 2s --context 32K --gpu rtx-4090,l40s

  # regulated data: local only; every option, for scripts
  llmcost recommend --tokens 20M --task qa --privacy regulated --top 0 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The volume may come from the flag, LLMCOST_TOKENS or the config file.
			if !cmd.Flags().Changed("tokens") && f.valueSources["tokens"] == "" {
				return FlagErrorf("--tokens is required (e.g. --tokens 50M or 300K/day)")
			}
			if opts.Tokens.N <= 0 {
				return FlagErrorf("invalid value %q for --tokens: must be > 0", opts.Tokens.String())
			}
			if opts.Top < 0 {
				return FlagErrorf("invalid value %d for --top: must be >= 0 (0 = all)", opts.Top)
			}
			if _, err := parseAsOf(opts.AsOf, f); err != nil {
				return err
			}
			if _, err := parseTask(opts.Task); err != nil {
				return err
			}
			if _, err := parseMinScore(opts.MinScore); err != nil {
				return err
			}
			if _, err := parseLatency(opts.MaxLatency); err != nil {
				return err
			}
			if _, err := parsePrivacy(opts.Privacy); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return recommendRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.Var(&opts.Tokens, "tokens", "tokens per month, or per period: 50M, 300K/day (required)")
	fl.StringVar(&opts.Task, "task", "", strings.Join(decide.Tasks, " | ")+" (default: any)")
	fl.StringVar(&opts.MinScore, "min-score", "", "BENCHMARK=SCORE an open model must reach, e.g. mmlu=70 or mmlu_pro=65")
	fl.StringVar(&opts.MaxLatency, "max-latency", "", "reply-time limit, e.g. 2s, 1500ms or 2 (seconds)")
	fl.Var(&opts.Context, "context", "context a request carries; K = 1,024, so 32K = 32,768 (default 8K fit, 500-token prompts)")
	fl.StringSliceVar(&opts.GPUs, "gpu", nil, "catalog GPU ids local setups may use, comma-separated (default: every GPU); auto = the GPUs detected on this machine, priced as owned (sunk)")
	fl.StringSliceVar(&opts.Quants, "quant", nil, "quantizations to try, e.g. q4_k_m,q8_0 (default: each model's own)")
	fl.StringVar(&opts.Privacy, "privacy", "none", "none | contractual | regulated (regulated: no cloud)")
	fl.StringVar(&opts.AsOf, "as-of", "", "price date YYYY-MM-DD (default today)")
	fl.IntVar(&opts.Top, "top", recommend.DefaultTop, "options listed (0 = all)")
	_ = cmd.RegisterFlagCompletionFunc("task", fixedCompletion(decide.Tasks...))
	_ = cmd.RegisterFlagCompletionFunc("privacy", fixedCompletion(decide.Privacies...))
	_ = cmd.RegisterFlagCompletionFunc("min-score", fixedCompletion("mmlu=", "mmlu_pro="))
	_ = cmd.RegisterFlagCompletionFunc("gpu", completeGPUs(f))
	_ = cmd.RegisterFlagCompletionFunc("quant", completeIDList(f, (*catalog.Catalog).QuantIDs))
	return cmd
}

func parseTask(s string) (decide.Task, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return "", nil
	}
	for _, name := range decide.Tasks {
		if t == name {
			return decide.Task(t), nil
		}
	}
	return "", FlagErrorf("invalid value %q for --task: want one of %s", s, strings.Join(decide.Tasks, ", "))
}

func parseMinScore(s string) (*recommend.MinScore, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	acc, err := decide.ParseAccuracy(s)
	if err == nil && acc.Level != decide.AccuracyMinScore {
		err = errors.New("want BENCHMARK=SCORE")
	}
	if err != nil {
		return nil, FlagErrorf("invalid value %q for --min-score: %v (e.g. mmlu=70)", s, err)
	}
	return &recommend.MinScore{Benchmark: acc.Benchmark, Score: acc.MinScore}, nil
}

// parseLatency reads a Go duration (2s, 1500ms) or plain seconds (2, 0.5).
func parseLatency(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, nil
	}
	secs, err := strconv.ParseFloat(t, 64)
	if err != nil {
		d, derr := time.ParseDuration(t)
		if derr != nil {
			return 0, FlagErrorf("invalid value %q for --max-latency: want a duration such as 2s or 1500ms, or seconds", s)
		}
		secs = d.Seconds()
	}
	if secs <= 0 || secs != secs || secs > 24*3600 {
		return 0, FlagErrorf("invalid value %q for --max-latency: must be above 0 and at most 24h", s)
	}
	return secs, nil
}

func parsePrivacy(s string) (decide.Privacy, error) {
	p := strings.ToLower(strings.TrimSpace(s))
	for _, name := range decide.Privacies {
		if p == name {
			return decide.Privacy(p), nil
		}
	}
	return "", FlagErrorf("invalid value %q for --privacy: want one of %s", s, strings.Join(decide.Privacies, ", "))
}

// gpuSelection is what --gpu resolves to: the GPU types local setups may
// use, and the GPUs already owned (sunk cost), which only detection gives.
type gpuSelection struct {
	IDs  []string // nil = every GPU in the catalog
	Have []decide.OwnedGPU
	Note string // what auto resolved to, for the output
}

// resolveGPUFlag turns --gpu values into catalog GPU ids. It is the one
// place the flag is read, so `--gpu auto` (the GPUs detected on this
// machine, owned, from a detector on the Factory) plugs in here.
func resolveGPUFlag(f *Factory, cat *catalog.Catalog, values []string) (gpuSelection, error) {
	var sel gpuSelection
	var named []string
	for _, v := range values {
		if !isAutoGPU(v) {
			named = append(named, v)
			continue
		}
		if sel.Note != "" {
			continue
		}
		// The detected GPUs are owned: their purchase is sunk, as
		// decide's --have-gpu auto prices them.
		hw, err := f.detectHardware("--gpu auto")
		if err != nil {
			return gpuSelection{}, err
		}
		for _, g := range hw.groups {
			sel.IDs = append(sel.IDs, g.GPU)
			sel.Have = append(sel.Have, decide.OwnedGPU{GPU: g.GPU, Count: g.Count})
		}
		sel.Note = hw.note("--gpu auto", hw.groups)
		// Detection may add an entry for this machine (an Apple memory size).
		if cat, err = f.Catalog(); err != nil {
			return gpuSelection{}, err
		}
	}
	if sel.Note != "" && len(named) == 0 {
		return sel, nil
	}
	values = named
	ids, err := resolveIDs("gpu", values, nil, func(s string) (string, error) {
		g, err := cat.GPU(s)
		if err != nil {
			return "", &FlagError{Err: fmt.Errorf("--gpu: %w", err)}
		}
		return g.ID.V, nil
	})
	if err != nil {
		return gpuSelection{}, err
	}
	if len(values) > 0 && !isAll(values) {
		sel.IDs = append(sel.IDs, ids...)
	} else if sel.Note != "" {
		sel.IDs = nil // auto,all: every GPU, the detected ones owned
	}
	return sel, nil
}

func recommendRun(o *RecommendOptions) error {
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
	task, _ := parseTask(o.Task)
	minScore, _ := parseMinScore(o.MinScore)
	latency, _ := parseLatency(o.MaxLatency)
	privacy, _ := parsePrivacy(o.Privacy)
	if minScore != nil {
		a := &decide.Answers{Accuracy: decide.Accuracy{Level: decide.AccuracyMinScore, Benchmark: minScore.Benchmark, MinScore: minScore.Score}}
		a.SetByFlag(decide.FieldAccuracy, "--min-score")
		if err := checkBenchmark(cat, a); err != nil {
			return &FlagError{Err: errors.Unwrap(err)}
		}
	}
	gpus, err := resolveGPUFlag(f, cat, o.GPUs)
	if err != nil {
		return err
	}
	if cat, err = f.Catalog(); err != nil { // auto may have extended it
		return err
	}
	var quants []string
	for _, s := range o.Quants {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		q, err := cat.Quant(s)
		if err != nil {
			return &FlagError{Err: fmt.Errorf("--quant: %w", err)}
		}
		quants = append(quants, q.ID.V)
	}
	c := recommend.Constraints{Tokens: o.Tokens.N, Task: task, MinScore: minScore, MaxLatencySeconds: latency,
		ContextTokens: o.Context.N, GPUs: gpus.IDs, Have: gpus.Have, Quants: quants, Privacy: privacy, Top: o.Top}
	res, err := recommend.Recommend(cat, asOf, c)
	if err == nil && gpus.Note != "" {
		res.Notes = append([]string{gpus.Note}, res.Notes...)
	}
	var ae *decide.AnswerError
	if errors.As(err, &ae) {
		return &InputError{Err: err}
	}
	if err != nil {
		return err
	}
	return output.Write(f.IOStreams, format, &recommendResult{Result: res})
}

// recommendResult renders recommend.Result; its JSON is the Result itself.
type recommendResult struct{ *recommend.Result }

// maxReasonsShown bounds the exclusion table for people (JSON has all).
const maxReasonsShown = 8

// Tables: the ranked options, then the reasons others were left out.
func (r *recommendResult) Tables() []output.TableData {
	w := r.Workload
	t := output.TableData{
		Headers: []string{"#", "Option", "Kind", "Mode", "GPUs", "Batch", "Monthly", "Upfront", "Decode tok/s", "Reply s", "Quality"},
		Align:   []output.Align{output.Right, output.Left, output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Left},
	}
	title := fmt.Sprintf("%s tokens/month, prices as of %s", units.FormatTokens(w.TokensPerMonth), r.AsOf)
	var cons []string
	if w.Task != "" {
		cons = append(cons, "task "+w.Task)
	}
	if w.MinScore != nil {
		cons = append(cons, fmt.Sprintf("%s >= %g", w.MinScore.Benchmark, w.MinScore.Score))
	}
	if w.MaxLatencySeconds != nil {
		cons = append(cons, fmt.Sprintf("reply <= %g s", *w.MaxLatencySeconds))
	}
	cons = append(cons, "context "+decide.FormatContextTokens(w.ContextTokens), "privacy "+string(w.Privacy))
	if len(w.GPUs) > 0 {
		cons = append(cons, "GPUs "+strings.Join(w.GPUs, ","))
	}
	t.Title = title + "; " + strings.Join(cons, ", ")
	for _, o := range r.Options {
		name, kind, mode, gpus, batch := o.Model, o.Kind, "-", "-", "-"
		if o.Kind == "local" {
			name = fmt.Sprintf("%s %s on %s", o.Model, o.Quant, o.GPU)
			mode = o.Mode
			if o.Mode == decide.ModeRented && o.Provider != "" {
				mode = "rented (" + o.Provider + ")"
			}
			gpus, batch = fmt.Sprint(o.GPUs), fmt.Sprint(o.Concurrency)
		} else {
			kind = "cloud (" + o.Provider + ")"
		}
		decode, rawDecode := "unknown", ""
		if o.DecodeTPS != nil {
			decode, rawDecode = fmt.Sprintf("%.1f", *o.DecodeTPS), fmt.Sprint(*o.DecodeTPS)
			if o.DecodeBasis == "measured" {
				decode += "*"
			}
		}
		reply, rawReply := "unknown", ""
		if o.ReplySeconds != nil {
			reply, rawReply = fmt.Sprintf("%.2f", *o.ReplySeconds), fmt.Sprint(*o.ReplySeconds)
		}
		quality, rawScore := qualityText(o), ""
		if o.Score != nil {
			rawScore = fmt.Sprint(*o.Score)
		}
		t.Rows = append(t.Rows, []string{fmt.Sprint(o.Rank), name, kind, mode, gpus, batch, units.FormatUSD(o.MonthlyCostUSD), units.FormatUSD(o.UpfrontUSD), decode, reply, quality})
		rawGPUs, rawBatch := "", ""
		if o.Kind == "local" {
			rawGPUs, rawBatch = fmt.Sprint(o.GPUs), fmt.Sprint(o.Concurrency)
		}
		t.Raw = append(t.Raw, []string{fmt.Sprint(o.Rank), o.Model, o.Kind, o.Mode, rawGPUs, rawBatch, o.MonthlyCostUSD.String(), o.UpfrontUSD.String(), rawDecode, rawReply, rawScore})
	}
	if len(r.Options) == 0 {
		t.Notes = append(t.Notes, "no option meets every constraint: see what was left out below")
	}
	for _, o := range r.Options {
		if o.DecodeBasis == "measured" {
			t.Notes = append(t.Notes, "decode marked * is a catalog measurement of that model, GPU and quantization")
			break
		}
	}
	t.Notes = append(t.Notes, r.Notes...)

	ex := output.TableData{
		Title:   "Left out",
		Headers: []string{"Count", "Kind", "Reason"},
		Align:   []output.Align{output.Right, output.Left, output.Left},
	}
	for i, e := range r.Excluded {
		if i == maxReasonsShown {
			rest := 0
			for _, e := range r.Excluded[i:] {
				rest += e.Count
			}
			ex.Notes = append(ex.Notes, fmt.Sprintf("and %d more for %d other reasons (--format json lists them all)", rest, len(r.Excluded)-i))
			break
		}
		kind := map[string]string{"cloud": "cloud model", "local": "local setup", "open_model": "open model"}[e.Kind]
		ex.Rows = append(ex.Rows, []string{fmt.Sprint(e.Count), kind, e.Reason})
		ex.Raw = append(ex.Raw, []string{fmt.Sprint(e.Count), e.Kind, e.Reason})
	}
	if len(ex.Rows) == 0 {
		return []output.TableData{t}
	}
	return []output.TableData{t, ex}
}

func qualityText(o recommend.Option) string {
	switch {
	case o.Score != nil:
		return fmt.Sprintf("%s %g", o.Benchmark, *o.Score)
	case o.ScoreBasis == "assumed":
		return fmt.Sprintf("%s tier (%s assumed)", o.Tier, o.Benchmark)
	case o.Tier != "":
		return o.Tier + " tier"
	}
	return "unknown"
}
