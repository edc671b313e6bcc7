package cli

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
)

// EstimateOptions are the inputs of `llmcost estimate`.
type EstimateOptions struct {
	F *Factory

	Tokens          units.MonthlyTokensValue
	Input           units.MonthlyTokensValue
	Output          units.MonthlyTokensValue
	InputShare      float64
	CachedShare     float64
	CacheWriteShare float64
	CacheTTL        string
	BatchShare      float64
	ReasoningShare  float64
	PeakShare       float64 // --peak-share; peakShareSet says whether it was given
	PromptTokens    units.TokensValue
	Models          []string
	AllModels       bool
	AsOf            string
	Local           estimateLocalFlags

	tokensSet, inputSet, outputSet bool
	peakShareSet                   bool
}

// defaultCostPromptTokens is the prompt length of one request that
// estimate and breakeven assume: it picks cloud long-context tiers and sets
// the KV cache a local machine reads per generated token, so both commands
// must agree on it to price the same setup alike. (fit and decide shape a
// request as 500 in / 400 out, DESIGN.md's fit defaults.)
const defaultCostPromptTokens = 1000

func newCmdEstimate(f *Factory, runF func(*EstimateOptions) error) *cobra.Command {
	opts := &EstimateOptions{F: f, InputShare: 0.75, CacheTTL: "5m", PromptTokens: units.TokensValue{N: defaultCostPromptTokens}}
	cmd := &cobra.Command{
		Use:   "estimate",
		Short: "Monthly cost of every option for a workload",
		Long: `Estimate the monthly cost of a workload on every option: cloud models priced
per token from the catalog (cached input, cache writes, batch, long-context tiers
and reasoning included).

The workload is --tokens per month (or per day/week/hour: 300K/day), split into
input and output by --input-share, or given as --input and --output. Long-context
tiers bill the whole request at the tier rate once a request's prompt exceeds the
threshold, so --prompt-tokens (the prompt length of one request) matters.

Local options are named with --local (owned) and --rent MODEL@GPU[:QUANT][xN],
or are, by default, the cheapest owned and rented machine for each model of the
catalog's local comparison set. --gpu GPU[xN] or --gpu auto (the GPUs detected
on this machine, see llmcost hardware) gives the GPU of --local/--rent MODEL
values without @GPU, or, with neither, puts the comparison set on that GPU.
Speeds measured by llmcost bench --write-catalog DIR replace the catalog's when
--catalog DIR is given, and the output says so ("measured 2026-12-02, 4 streams").`,
		Example: `  # 10M tokens a month on the default comparison set
  llmcost estimate --tokens 10M

  # what the seed article's GPT-4o workload cost in June 2024
  llmcost estimate --tokens 10M --models gpt-4o --as-of 2024-06-01

  # half the input served from the prompt cache, a third through the batch API
  llmcost estimate --tokens 300K/day --cached-share 0.5 --batch-share 0.33

  # explicit input and output, long prompts (long-context tiers apply)
  llmcost estimate --input 40M --output 2M --prompt-tokens 300K --models gpt-5.4,gemini-2.5-pro --format json

  # a local model on the GPUs of this machine (see llmcost hardware); MODEL@auto is the same
  llmcost estimate --tokens 50M --local llama-3.1-8b --gpu auto

  # the catalog's local comparison set on this machine, owned and rented
  llmcost estimate --tokens 50M --models gpt-4o-mini --gpu auto`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			// The workload may come from LLMCOST_* or the config file too
			// (applyConfig records where); a typed flag of one shape
			// overrides an ambient value of the other.
			ambient := func(name string) bool { return !fl.Changed(name) && f.valueSources[name] != "" }
			typedTokens, typedSplit := fl.Changed("tokens"), fl.Changed("input") || fl.Changed("output")
			opts.tokensSet = fl.Changed("tokens") || ambient("tokens") && !typedSplit
			opts.inputSet = fl.Changed("input") || ambient("input") && !typedTokens
			opts.outputSet = fl.Changed("output") || ambient("output") && !typedTokens
			if opts.tokensSet && (opts.inputSet || opts.outputSet) {
				return FlagErrorf("--tokens and --input/--output both set; give one workload")
			}
			opts.peakShareSet = fl.Changed("peak-share") || f.valueSources["peak-share"] != ""
			if err := opts.validate(fl.Changed("input-share")); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return estimateRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.Var(&opts.Tokens, "tokens", "tokens per month, or per period: 10M, 1.5B, 300K/day, 2M/week")
	fl.Var(&opts.Input, "input", "input (prompt) tokens per month, with --output instead of --tokens")
	fl.Var(&opts.Output, "output", "output tokens per month, with --input")
	fl.Float64Var(&opts.InputShare, "input-share", 0.75, "share of --tokens that is input (0-1)")
	fl.Float64Var(&opts.CachedShare, "cached-share", 0, "share of input read from the prompt cache (0-1)")
	fl.Float64Var(&opts.CacheWriteShare, "cache-write-share", 0, "share of input written to the prompt cache (0-1)")
	fl.StringVar(&opts.CacheTTL, "cache-ttl", "5m", "cache-write lifetime for --cache-write-share: 5m or 1h")
	fl.Float64Var(&opts.BatchShare, "batch-share", 0, "share of traffic sent through the batch API (0-1)")
	fl.Float64Var(&opts.ReasoningShare, "reasoning-share", 0, "share of output tokens that are reasoning tokens (0-1)")
	fl.Float64Var(&opts.PeakShare, "peak-share", 0, "share of traffic in a provider's peak hours, for time-of-day prices such as DeepSeek's (0-1; default: spread evenly over the week)")
	fl.Var(&opts.PromptTokens, "prompt-tokens", "prompt length of one request; decides long-context tiers")
	fl.StringSliceVar(&opts.Models, "models", nil, "cloud model ids to compare, comma-separated (default: the catalog's comparison set)")
	fl.BoolVar(&opts.AllModels, "all", false, "compare every cloud model in the catalog")
	fl.StringVar(&opts.AsOf, "as-of", "", "price date YYYY-MM-DD (default today)")
	opts.Local.register(fl)
	cmd.MarkFlagsMutuallyExclusive("tokens", "input")
	cmd.MarkFlagsMutuallyExclusive("tokens", "output")
	cmd.MarkFlagsMutuallyExclusive("models", "all")
	_ = cmd.RegisterFlagCompletionFunc("cache-ttl", fixedCompletion("5m", "1h"))
	_ = cmd.RegisterFlagCompletionFunc("models", completeCloudModels(f))
	_ = cmd.RegisterFlagCompletionFunc("local", completeSpec(f))
	_ = cmd.RegisterFlagCompletionFunc("rent", completeSpec(f))
	_ = cmd.RegisterFlagCompletionFunc("gpu", completeGPUs(f))
	return cmd
}

func completeCloudModels(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return completeIDList(f, (*catalog.Catalog).CloudIDs)
}

// completeIDList completes catalog ids for a flag that takes a
// comma-separated list: the item after the last comma is completed and the
// items before it are kept, so `--models gpt-4o,cl<TAB>` works. Only ids
// that extend what was typed are offered, so the list is short whatever
// the shell does with it.
func completeIDList(f *Factory, ids func(*catalog.Catalog) []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cat, err := f.Catalog()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		head, last := "", toComplete
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			head, last = toComplete[:i+1], toComplete[i+1:]
		}
		given := map[string]bool{}
		for _, s := range strings.Split(head, ",") {
			given[strings.TrimSpace(s)] = true
		}
		var out []string
		for _, id := range ids(cat) {
			if strings.HasPrefix(id, last) && !given[id] {
				out = append(out, head+id)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func (o *EstimateOptions) validate(inputShareSet bool) error {
	switch {
	case !o.tokensSet && !o.inputSet && !o.outputSet:
		return FlagErrorf("give the workload: --tokens N (e.g. --tokens 10M), or --input N and --output N")
	case o.inputSet != o.outputSet:
		return FlagErrorf("--input and --output go together (or use --tokens with --input-share)")
	case o.inputSet && inputShareSet:
		return FlagErrorf("--input-share applies to --tokens; with --input and --output the split is explicit")
	}
	for _, s := range []struct {
		name string
		v    float64
	}{{"input-share", o.InputShare}, {"cached-share", o.CachedShare}, {"cache-write-share", o.CacheWriteShare}, {"batch-share", o.BatchShare}, {"reasoning-share", o.ReasoningShare}, {"peak-share", o.PeakShare}} {
		if s.v != s.v || s.v < 0 || s.v > 1 {
			return FlagErrorf("invalid value %v for --%s: a share is between 0 and 1", s.v, s.name)
		}
	}
	if o.CachedShare+o.CacheWriteShare > 1 {
		return FlagErrorf("--cached-share %v plus --cache-write-share %v exceed 1", o.CachedShare, o.CacheWriteShare)
	}
	if o.CacheTTL != "5m" && o.CacheTTL != "1h" {
		return FlagErrorf("invalid value %q for --cache-ttl: want 5m or 1h", o.CacheTTL)
	}
	if _, err := parseAsOf(o.AsOf, o.F); err != nil {
		return err
	}
	return o.Local.validate()
}

// parseAsOf reads --as-of; empty means today on the factory clock.
func parseAsOf(s string, f *Factory) (time.Time, error) {
	if s == "" {
		return f.Today(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, FlagErrorf("invalid value %q for --as-of: want a date as YYYY-MM-DD", s)
	}
	return t, nil
}

// EstimateResult is the JSON contract of `estimate` (DESIGN.md).
type EstimateResult struct {
	SchemaVersion int              `json:"schema_version"`
	AsOf          string           `json:"as_of"`
	Workload      EstimateWorkload `json:"workload"`
	Options       []EstimateOption `json:"options"`
	Notes         []string         `json:"notes"`
}

// EstimateWorkload echoes the workload that was priced.
type EstimateWorkload struct {
	TokensPerMonth  int64   `json:"tokens_per_month"`
	InputTokens     int64   `json:"input_tokens"`
	OutputTokens    int64   `json:"output_tokens"`
	CachedShare     float64 `json:"cached_share"`
	CacheWriteShare float64 `json:"cache_write_share"`
	CacheTTL        string  `json:"cache_ttl"`
	BatchShare      float64 `json:"batch_share"`
	ReasoningShare  float64 `json:"reasoning_share"`
	// PeakShare is --peak-share; null = traffic spread evenly over the
	// week (each time-of-day option says what share that is).
	PeakShare    *float64 `json:"peak_share"`
	PromptTokens int64    `json:"prompt_tokens"`
}

// EstimateOption is one priced option: a cloud model, or a local or
// rented GPU setup.
type EstimateOption struct {
	ID                  string           `json:"id"`
	Kind                string           `json:"kind"` // cloud | local
	Provider            string           `json:"provider,omitempty"`
	Name                string           `json:"name,omitempty"`
	MonthlyCostUSD      decimal.Decimal  `json:"monthly_cost_usd"`
	UpfrontUSD          decimal.Decimal  `json:"upfront_usd"`
	CostPerMillionUSD   decimal.Decimal  `json:"cost_per_million_tokens_usd"`
	InputPerMillionUSD  *decimal.Decimal `json:"input_per_million_usd,omitempty"`
	OutputPerMillionUSD *decimal.Decimal `json:"output_per_million_usd,omitempty"`
	PriceEffectiveFrom  string           `json:"price_effective_from,omitempty"`
	TierAboveTokens     *int64           `json:"tier_above_tokens,omitempty"`
	PeakShare           *float64         `json:"peak_share,omitempty"` // share of tokens at a time-of-day price's peak rate
	Status              string           `json:"status,omitempty"`     // deprecated | retired
	Unverified          bool             `json:"unverified"`
	Source              string           `json:"source,omitempty"`
	Verified            string           `json:"verified,omitempty"`
	Breakdown           []cost.Line      `json:"breakdown,omitempty"`
	ScheduledChange     *PriceChange     `json:"scheduled_change,omitempty"`

	// Local options (kind "local").
	GPUs        *int     `json:"gpus,omitempty"`     // every GPU the month needs: machines x GPUs per machine
	Machines    *int     `json:"machines,omitempty"` // copies of the machine in Hardware the month needs
	Fits        *bool    `json:"fits,omitempty"`
	Hardware    string   `json:"hardware,omitempty"`
	Utilization *float64 `json:"utilization,omitempty"`
	// Measured says which speeds come from `llmcost bench` rows of a
	// --catalog DIR ("measured 2026-12-02, 4 streams: ..."); absent when
	// the speeds are the catalog's or estimated.
	Measured        string              `json:"measured,omitempty"`
	BreakevenMonths map[string]*float64 `json:"breakeven_months,omitempty"`
	Notes           []string            `json:"notes,omitempty"`
}

// PriceChange is a price that takes effect after the as-of date.
type PriceChange struct {
	EffectiveFrom  string          `json:"effective_from"`
	MonthlyCostUSD decimal.Decimal `json:"monthly_cost_usd"`
	ChangePct      float64         `json:"change_pct"`
}

func estimateRun(o *EstimateOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	if err := o.Local.resolveAuto(f); err != nil {
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
	w, wl := o.workload()
	ids, explicit, err := o.modelIDs(cat)
	if err != nil {
		return err
	}
	res := &EstimateResult{SchemaVersion: 1, AsOf: asOf.Format(time.DateOnly), Workload: wl, Options: []EstimateOption{}, Notes: []string{}}
	for _, id := range ids {
		m, err := cat.Cloud(id)
		if err != nil {
			return err
		}
		status := m.Status(asOf)
		if status == "retired" && !explicit {
			res.Notes = append(res.Notes, fmt.Sprintf("%s is retired as of %s; left out", m.ID.V, m.Retired))
			continue
		}
		// A prompt longer than the context window cannot be sent at all;
		// pricing it would be a number for a request that fails.
		if cw := m.ContextWindow.D.IntPart(); w.PromptTokens > cw {
			if explicit {
				return FlagErrorf("--prompt-tokens %s exceeds %s's context window of %s tokens", units.FormatTokens(w.PromptTokens), m.ID.V, units.FormatTokens(cw))
			}
			res.Notes = append(res.Notes, fmt.Sprintf("%s left out: its context window (%s) is shorter than the %s-token prompt", m.ID.V, units.FormatTokens(cw), units.FormatTokens(w.PromptTokens)))
			continue
		}
		if _, err := m.PriceAt(asOf); err != nil && !explicit {
			// Not yet launched (or between prices) on the as-of date: the
			// default set and --all skip it, as they skip retired models.
			res.Notes = append(res.Notes, err.Error()+"; left out")
			continue
		}
		opt, err := cloudOption(m, asOf, w)
		var pe *catalog.PriceError
		if err != nil && !explicit && errors.As(err, &pe) {
			// A token kind the workload uses (batch, cache writes, cached
			// input) that this model has no price for: the default set and
			// --all leave it out, as above; named, it is an error (never $0).
			res.Notes = append(res.Notes, fmt.Sprintf("%s left out: %v", m.ID.V, err))
			continue
		}
		if err != nil {
			return err
		}
		if status != "" {
			res.Notes = append(res.Notes, fmt.Sprintf("%s is %s (%s)", m.ID.V, status, statusDate(m, status)))
		}
		if sc := opt.ScheduledChange; sc != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("%s price changes on %s: %+.1f%% (%s/month)", m.ID.V, sc.EffectiveFrom, sc.ChangePct, units.FormatUSD(sc.MonthlyCostUSD)))
		}
		if opt.Unverified {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: price not verified in a primary source (see `llmcost catalog show %s`)", m.ID.V, m.ID.V))
		}
		res.Notes = append(res.Notes, opt.Notes...)
		res.Options = append(res.Options, opt)
	}
	if err := addLocalOptions(&o.Local, len(o.Models) == 0 && !o.AllModels, cat, w, res); err != nil {
		return err
	}
	// An empty table with exit 0 would read as "nothing costs anything".
	if len(res.Options) == 0 {
		return &InputError{Err: fmt.Errorf("no option can be priced for this workload:\n  %s", strings.Join(res.Notes, "\n  "))}
	}
	sortOptions(res.Options)
	return output.Write(f.IOStreams, format, res)
}

func statusDate(m *catalog.CloudModel, status string) string {
	if status == "retired" {
		return "retired " + m.Retired.String()
	}
	return "deprecated " + m.Deprecated.String()
}

func sortOptions(opts []EstimateOption) {
	sort.SliceStable(opts, func(a, b int) bool {
		if c := opts[a].MonthlyCostUSD.Cmp(opts[b].MonthlyCostUSD); c != 0 {
			return c < 0
		}
		return opts[a].ID < opts[b].ID
	})
}

func (o *EstimateOptions) workload() (cost.Workload, EstimateWorkload) {
	var in, out int64
	if o.inputSet {
		in, out = o.Input.N, o.Output.N
	} else {
		// The same split as breakeven and decide, so their figures agree.
		t := cost.SplitTokens(o.Tokens.N, decimal.NewFromFloat(o.InputShare))
		in, out = t.Input, t.Output
	}
	w := cost.Workload{
		InputTokens:     in,
		OutputTokens:    out,
		CachedShare:     decimal.NewFromFloat(o.CachedShare),
		CacheWriteShare: decimal.NewFromFloat(o.CacheWriteShare),
		CacheWriteTTL:   o.CacheTTL,
		BatchShare:      decimal.NewFromFloat(o.BatchShare),
		ReasoningShare:  decimal.NewFromFloat(o.ReasoningShare),
		PromptTokens:    o.PromptTokens.N,
	}
	if o.peakShareSet {
		ps := decimal.NewFromFloat(o.PeakShare)
		w.PeakShare = &ps
	}
	wl := EstimateWorkload{
		TokensPerMonth: in + out, InputTokens: in, OutputTokens: out,
		CachedShare: o.CachedShare, CacheWriteShare: o.CacheWriteShare, CacheTTL: o.CacheTTL,
		BatchShare: o.BatchShare, ReasoningShare: o.ReasoningShare, PromptTokens: o.PromptTokens.N,
	}
	if o.peakShareSet {
		wl.PeakShare = &o.PeakShare
	}
	return w, wl
}

func (o *EstimateOptions) modelIDs(cat *catalog.Catalog) ([]string, bool, error) {
	if o.AllModels {
		return cat.CloudIDs(), false, nil
	}
	if len(o.Models) == 0 {
		if len(cat.Defaults.ComparisonSet) == 0 {
			return cat.CloudIDs(), false, nil
		}
		return cat.Defaults.ComparisonSet, false, nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, name := range o.Models {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		m, err := cat.Cloud(name)
		if err != nil {
			return nil, true, &FlagError{Err: fmt.Errorf("--models: %w", err)}
		}
		if !seen[m.ID.V] {
			seen[m.ID.V] = true
			ids = append(ids, m.ID.V)
		}
	}
	if len(ids) == 0 {
		return nil, true, FlagErrorf("invalid value %q for --models: no model id in it", strings.Join(o.Models, ","))
	}
	return ids, true, nil
}

// cloudOption prices a cloud model at the as-of date, and at its next
// scheduled price if one is on the calendar.
func cloudOption(m *catalog.CloudModel, asOf time.Time, w cost.Workload) (EstimateOption, error) {
	p, err := m.PriceAt(asOf)
	if err != nil {
		return EstimateOption{}, err
	}
	r, err := cost.Cloud(m, p, w)
	if err != nil {
		return EstimateOption{}, err
	}
	rates := p.Rates
	opt := EstimateOption{
		ID: m.ID.V, Kind: "cloud", Provider: m.Provider, Name: m.Name,
		MonthlyCostUSD: r.Total, UpfrontUSD: decimal.Zero, CostPerMillionUSD: r.PerMillion,
		PriceEffectiveFrom: p.EffectiveFrom.String(),
		Status:             m.Status(asOf),
		Unverified:         m.Unverified || p.Unverified,
		Source:             p.Source,
		Verified:           p.Verified.String(),
		Breakdown:          r.Lines,
	}
	if r.Tier != nil {
		n := r.Tier.AboveTokens.D.IntPart()
		opt.TierAboveTokens = &n
		rates = r.Tier.Rates
	}
	inRate, outRate := rates.Input.D, rates.Output.D
	opt.InputPerMillionUSD, opt.OutputPerMillionUSD = &inRate, &outRate
	if r.PeakShare != nil {
		ps := r.PeakShare.InexactFloat64()
		opt.PeakShare = &ps
		how := "traffic spread evenly over the week; set yours with --peak-share"
		if w.PeakShare != nil {
			how = "--peak-share"
		}
		opt.Notes = append(opt.Notes, fmt.Sprintf("%s has time-of-day prices: %s of tokens at the peak rate shown (%s), the rest at %sx it (%s)",
			m.ID.V, pct(r.PeakShare), p.OffPeak.Describe(), p.OffPeak.Multiplier.D, how))
	}
	if next := m.NextChange(asOf); next != nil {
		if nr, err := cost.Cloud(m, next, w); err == nil {
			pc := &PriceChange{EffectiveFrom: next.EffectiveFrom.String(), MonthlyCostUSD: nr.Total}
			if r.Total.IsPositive() {
				pc.ChangePct = nr.Total.Sub(r.Total).Div(r.Total).Mul(decimal.NewFromInt(100)).InexactFloat64()
			}
			opt.ScheduledChange = pc
		}
	}
	return opt, nil
}

// Tables renders the estimate for people.
func (r *EstimateResult) Tables() []output.TableData {
	t := output.TableData{
		Headers: []string{"Option", "Kind", "Monthly", "Per 1M (effective)", "Input $/1M", "Output $/1M", "Upfront", "Price from"},
		Align:   []output.Align{output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Right, output.Left},
	}
	for _, o := range r.Options {
		in, out := "-", "-"
		rawIn, rawOut := "", ""
		if o.InputPerMillionUSD != nil {
			in, rawIn = units.FormatPerMillion(*o.InputPerMillionUSD), o.InputPerMillionUSD.String()
		}
		if o.OutputPerMillionUSD != nil {
			out, rawOut = units.FormatPerMillion(*o.OutputPerMillionUSD), o.OutputPerMillionUSD.String()
		}
		id := o.ID
		if o.Unverified {
			id += " (unverified)"
		}
		if o.TierAboveTokens != nil {
			id += tierLabel(*o.TierAboveTokens)
		}
		kind := o.Kind
		if o.Hardware != "" {
			kind = o.Hardware
		}
		t.Rows = append(t.Rows, []string{id, kind, units.FormatUSD(o.MonthlyCostUSD), units.FormatPerMillion(o.CostPerMillionUSD), in, out, units.FormatUSD(o.UpfrontUSD), o.PriceEffectiveFrom})
		t.Raw = append(t.Raw, []string{o.ID, o.Kind, o.MonthlyCostUSD.String(), o.CostPerMillionUSD.String(), rawIn, rawOut, o.UpfrontUSD.String(), o.PriceEffectiveFrom})
	}
	w := r.Workload
	t.Title = fmt.Sprintf("%s tokens/month (%s in, %s out), prices as of %s", units.FormatTokens(w.TokensPerMonth), units.FormatTokens(w.InputTokens), units.FormatTokens(w.OutputTokens), r.AsOf)
	t.Notes = append(t.Notes, r.Notes...)
	return []output.TableData{t}
}

// pct is a share as a percentage with one decimal: "20.8%".
func pct(d *decimal.Decimal) string {
	return d.Mul(decimal.NewFromInt(100)).StringFixed(1) + "%"
}

// tierLabel names a long-context tier by the prompts it applies to:
// above_tokens 200000 is " [>200.0K tier]"; xAI's 199999 (its rule is
// 200K and up) is " [>=200.0K tier]", not a rounded ">200.0K".
func tierLabel(above int64) string {
	if next := above + 1; next%1000 == 0 {
		return " [>=" + units.FormatTokens(next) + " tier]"
	}
	return " [>" + units.FormatTokens(above) + " tier]"
}
