package cli

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
)

// crossoverCeiling is the top of the crossover search and of the sweep.
const crossoverCeiling = 10_000_000_000

// BreakevenOptions are the inputs of `llmcost breakeven`.
type BreakevenOptions struct {
	F *Factory

	Local        string
	Vs           string
	Tokens       units.MonthlyTokensValue
	InputShare   float64
	PromptTokens units.TokensValue
	Rent         bool
	Owned        ownedFlags
	Chart        bool
	Plot         string
	PlotVolume   string
	AsOf         string

	GPU gpuFlag

	spec   hardware.Spec
	viaGPU bool // the spec's GPU came from --gpu
}

func newCmdBreakeven(f *Factory, runF func(*BreakevenOptions) error) *cobra.Command {
	opts := &BreakevenOptions{F: f, InputShare: 0.75,
		Tokens:       units.MonthlyTokensValue{N: 10_000_000},
		PromptTokens: units.TokensValue{N: defaultCostPromptTokens}}
	cmd := &cobra.Command{
		Use:   "breakeven",
		Short: "When owned (or rented) GPUs pay for themselves against a cloud model",
		Long: `Compare one local setup with one cloud model.

Local monthly cost (owned) = hardware price / --months + energy (busy GPU-hours x
power + idle GPU-hours x loaded-idle power, x PUE x $/kWh) + --ops-monthly. The
number of machines grows with volume: each serves its measured or estimated
throughput at --concurrency for 730 hours a month.

breakeven_months = hardware price / (cloud monthly - local running monthly) at
--tokens; "never" when the cloud costs no more than running the hardware.
The crossover is the monthly volume where local total cost (amortization
included) equals the cloud bill, found exactly, GPU-count steps included.
--rent prices the GPU at its cheapest catalog rental instead (no upfront cost;
--ops-monthly still applies).

--gpu GPU[xN] or --gpu auto (the GPUs detected on this machine) gives the GPU of
--local MODEL[:QUANT]. Speeds measured by llmcost bench --write-catalog DIR
replace the catalog's with --catalog DIR, and a note says so.`,
		Example: `  llmcost breakeven --local llama-3.1-8b@rtx-4090 --vs gpt-4o --tokens 50M

  # datacenter GPUs have no catalog purchase price: give one
  llmcost breakeven --local llama-3.1-70b@a100-80gb --vs claude-sonnet-4.5 --hardware-price 18000 --watts 400

  # batching 8 requests at once, European electricity, terminal chart and an SVG
  llmcost breakeven --local qwen2.5-32b@rtx-5090 --vs gpt-4.1 --concurrency 8 --kwh-price 0.31 --chart --plot breakeven.svg

  # the GPUs of this machine (see llmcost hardware); --local llama-3.1-8b@auto is the same
  llmcost breakeven --local llama-3.1-8b --gpu auto --vs gpt-4o-mini --tokens 50M

  # rented instead of owned
  llmcost breakeven --local llama-3.1-8b@h100-sxm:fp16 --vs gpt-4o-mini --rent --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			if strings.Contains(args[0], "@") {
				// estimate --rent MODEL@GPU written here: --rent is a switch.
				return FlagErrorf("unexpected argument %q: breakeven's --rent is a switch that rents the --local setup (breakeven --local %s --rent --vs MODEL)", args[0], args[0])
			}
			return FlagErrorf("unexpected argument %q: breakeven takes flags only (see --help)", args[0])
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Local == "" || opts.Vs == "" {
				return FlagErrorf("give both --local MODEL@GPU (or --local MODEL --gpu GPU|auto) and --vs CLOUD_MODEL")
			}
			if err := opts.GPU.parse(); err != nil {
				return err
			}
			if opts.GPU.set() && strings.Contains(opts.Local, "@") {
				return FlagErrorf("--local %s names its GPU and --gpu %s another: give the GPU once", opts.Local, opts.GPU.Value)
			}
			spec, viaGPU, err := localSpec("local", opts.Local, &opts.GPU)
			if err != nil {
				return err
			}
			opts.spec, opts.viaGPU = spec, viaGPU
			if opts.InputShare != opts.InputShare || opts.InputShare < 0 || opts.InputShare > 1 {
				return FlagErrorf("invalid value %v for --input-share: a share is between 0 and 1", opts.InputShare)
			}
			if err := opts.Owned.validate(); err != nil {
				return err
			}
			if p := strings.ToLower(opts.Plot); p != "" && !strings.HasSuffix(p, ".svg") && !strings.HasSuffix(p, ".png") {
				return FlagErrorf("invalid value %q for --plot: the file must end in .svg or .png", opts.Plot)
			}
			if p := strings.ToLower(opts.PlotVolume); p != "" && !strings.HasSuffix(p, ".svg") && !strings.HasSuffix(p, ".png") {
				return FlagErrorf("invalid value %q for --plot-volume: the file must end in .svg or .png", opts.PlotVolume)
			}
			if opts.Plot != "" && filepath.Clean(opts.Plot) == filepath.Clean(opts.PlotVolume) {
				return FlagErrorf("--plot and --plot-volume both name %s: the second chart would replace the first", opts.Plot)
			}
			if opts.Rent && (cmd.Flags().Changed("hardware-price") || cmd.Flags().Changed("months")) {
				return FlagErrorf("--rent has no purchase: --hardware-price and --months do not apply")
			}
			if _, err := parseAsOf(opts.AsOf, f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return breakevenRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Local, "local", "", "local setup MODEL@GPU[:QUANT][xN], e.g. llama-3.1-70b@rtx-4090:q4_k_mx2; GPU auto = this machine's; MODEL[:QUANT] with --gpu")
	fl.StringVar(&opts.GPU.Value, "gpu", "", "GPU of --local MODEL[:QUANT]: a catalog GPU id, GPUxN, or auto (the GPUs detected on this machine)")
	fl.StringVar(&opts.Vs, "vs", "", "cloud model id to compare with")
	fl.Var(&opts.Tokens, "tokens", "tokens per month (or per day/week: 300K/day) for breakeven_months")
	fl.Float64Var(&opts.InputShare, "input-share", 0.75, "share of tokens that is input (0-1)")
	fl.Var(&opts.PromptTokens, "prompt-tokens", "prompt length of one request (cloud long-context tiers)")
	fl.BoolVar(&opts.Rent, "rent", false, "price the GPUs at their cheapest catalog rental instead of buying them")
	opts.Owned.register(fl)
	fl.BoolVar(&opts.Chart, "chart", false, "draw cumulative cost over months (break-even marked) and monthly cost by volume in the terminal")
	fl.StringVar(&opts.Plot, "plot", "", "write the cumulative-cost-over-months chart to `FILE` (.svg or .png)")
	fl.StringVar(&opts.PlotVolume, "plot-volume", "", "write the monthly-cost-by-volume chart (crossover marked) to `FILE` (.svg or .png)")
	fl.StringVar(&opts.AsOf, "as-of", "", "cloud price date YYYY-MM-DD (default today)")
	_ = cmd.RegisterFlagCompletionFunc("vs", completeCloudModels(f))
	_ = cmd.RegisterFlagCompletionFunc("local", completeSpec(f))
	_ = cmd.RegisterFlagCompletionFunc("gpu", completeGPUs(f))
	_ = cmd.MarkFlagFilename("plot", "svg", "png")
	_ = cmd.MarkFlagFilename("plot-volume", "svg", "png")
	return cmd
}

// BreakevenResult is the JSON contract of `breakeven` (DESIGN.md).
type BreakevenResult struct {
	SchemaVersion           int                 `json:"schema_version"`
	AsOf                    string              `json:"as_of"`
	TokensPerMonth          int64               `json:"tokens_per_month"`
	Local                   BreakevenLocal      `json:"local"`
	Cloud                   BreakevenCloud      `json:"cloud"`
	BreakevenMonths         *float64            `json:"breakeven_months"` // null = never
	CrossoverTokensPerMonth *int64              `json:"crossover_tokens_per_month"`
	Crossings               []BreakevenCrossing `json:"crossings"`
	Sweep                   []BreakevenSweepRow `json:"sweep"`
	Notes                   []string            `json:"notes"`

	chart  output.Chart // monthly cost by volume
	months output.Chart // cumulative cost over months at --tokens
}

// BreakevenLocal is the local side at --tokens.
type BreakevenLocal struct {
	ID                string          `json:"id"`
	Model             string          `json:"model"`
	GPU               string          `json:"gpu"`
	Quant             string          `json:"quant"`
	Mode              string          `json:"mode"` // owned | rented
	GPUs              int             `json:"gpus"`
	GPUsPerReplica    int             `json:"gpus_per_replica"`
	Fits              bool            `json:"fits"`
	UpfrontUSD        decimal.Decimal `json:"upfront_usd"`
	MonthlyCostUSD    decimal.Decimal `json:"monthly_cost_usd"`
	RunningMonthlyUSD decimal.Decimal `json:"running_monthly_usd"`
	AmortizationUSD   decimal.Decimal `json:"amortization_monthly_usd"`
	EnergyUSD         decimal.Decimal `json:"energy_monthly_usd"`
	EnergyKWh         decimal.Decimal `json:"energy_kwh"`
	OpsUSD            decimal.Decimal `json:"ops_monthly_usd"`
	RentUSD           decimal.Decimal `json:"rent_monthly_usd"`
	RentUSDPerGPUHour *float64        `json:"rent_usd_per_gpu_hour,omitempty"`
	RentProvider      string          `json:"rent_provider,omitempty"`
	Utilization       float64         `json:"utilization"`
	DecodeTPS         float64         `json:"decode_tokens_per_second"`
	AggregateTPS      float64         `json:"aggregate_tokens_per_second"`
	PrefillTPS        float64         `json:"prefill_tokens_per_second"`
	SpeedBasis        string          `json:"speed_basis"`
	Concurrency       int             `json:"concurrency"`
	// Measured says which speeds come from `llmcost bench` rows of a
	// --catalog DIR; absent when none do.
	Measured string `json:"measured,omitempty"`
}

// BreakevenCloud is the cloud side at --tokens.
type BreakevenCloud struct {
	ID                 string          `json:"id"`
	Provider           string          `json:"provider"`
	MonthlyCostUSD     decimal.Decimal `json:"monthly_cost_usd"`
	CostPerMillionUSD  decimal.Decimal `json:"cost_per_million_tokens_usd"`
	PriceEffectiveFrom string          `json:"price_effective_from"`
}

// BreakevenCrossing is a volume where the cheaper side changes.
type BreakevenCrossing struct {
	TokensPerMonth int64 `json:"tokens_per_month"`
	LocalCheaper   bool  `json:"local_cheaper"`
}

// BreakevenSweepRow compares both at one volume.
type BreakevenSweepRow struct {
	TokensPerMonth  int64           `json:"tokens_per_month"`
	LocalMonthlyUSD decimal.Decimal `json:"local_monthly_usd"`
	CloudMonthlyUSD decimal.Decimal `json:"cloud_monthly_usd"`
	GPUs            int             `json:"gpus"`
}

func breakevenRun(o *BreakevenOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	label := "--local " + o.spec.Text
	if o.viaGPU {
		label = "--gpu " + o.GPU.Value
	}
	spec, autoNote, err := resolveAutoSpec(f, label, o.spec)
	if err != nil {
		return err
	}
	o.spec = spec
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	if err := o.GPU.check(cat); err != nil {
		return err
	}
	asOf, err := parseAsOf(o.AsOf, f)
	if err != nil {
		return err
	}
	env, err := newLocalEnv(cat)
	if err != nil {
		return err
	}
	cm, err := cat.Cloud(o.Vs)
	if err != nil {
		return &FlagError{Err: fmt.Errorf("--vs: %w", err)}
	}
	price, err := cm.PriceAt(asOf)
	if err != nil {
		return &InputError{Err: err}
	}
	if cw := cm.ContextWindow.D.IntPart(); o.PromptTokens.N > cw {
		return FlagErrorf("--prompt-tokens %s exceeds %s's context window of %s tokens", units.FormatTokens(o.PromptTokens.N), cm.ID.V, units.FormatTokens(cw))
	}
	inputShare := decimal.NewFromFloat(o.InputShare)
	cloud := cloudMonthlyFunc(cm, price, inputShare, o.PromptTokens.N)

	lc, hw, rental, notes, err := o.localCost(env, cat, inputShare)
	if err != nil {
		return err
	}
	at, err := lc.At(o.Tokens.N)
	if err != nil {
		return &InputError{Err: err}
	}
	cloudAt, err := cloud(o.Tokens.N)
	if err != nil {
		return err
	}
	res := &BreakevenResult{SchemaVersion: 1, AsOf: asOf.Format(time.DateOnly), TokensPerMonth: o.Tokens.N, Notes: notes, Crossings: []BreakevenCrossing{}}
	if autoNote != "" {
		res.Notes = append([]string{autoNote}, res.Notes...)
	}
	res.Local = breakevenLocal(hw, at, rental)
	res.Cloud = BreakevenCloud{ID: cm.ID.V, Provider: cm.Provider, MonthlyCostUSD: cloudAt, PriceEffectiveFrom: price.EffectiveFrom.String()}
	if o.Tokens.N > 0 {
		res.Cloud.CostPerMillionUSD = cloudAt.Mul(decimal.NewFromInt(1_000_000)).Div(decimal.NewFromInt(o.Tokens.N))
	}
	if m := cost.BreakevenMonths(at.UpfrontUSD, cloudAt, at.Running); m != nil {
		v := m.Round(2).InexactFloat64()
		res.BreakevenMonths = &v
		if b, err := o.Owned.basis(cat); err == nil && !o.Rent && m.GreaterThan(b.AmortizationMonths) {
			res.Notes = append(res.Notes, fmt.Sprintf("break-even (%.1f months) comes after the %s-month amortization: the hardware is written off before it pays for itself", v, b.AmortizationMonths))
		}
	}
	// From 1 token, as decide: at 0 an on-demand rental and the cloud both
	// cost nothing, a tie that is no crossover.
	crossings, err := lc.Crossings(cloud, 1, crossoverCeiling)
	if err != nil {
		return &InputError{Err: err}
	}
	for _, c := range crossings {
		res.Crossings = append(res.Crossings, BreakevenCrossing{TokensPerMonth: c.Tokens, LocalCheaper: c.LocalCheaper})
		if c.LocalCheaper && res.CrossoverTokensPerMonth == nil {
			t := c.Tokens
			res.CrossoverTokensPerMonth = &t
		}
	}
	rows, err := lc.Sweep(cloud, cost.DefaultSweepVolumes())
	if err != nil {
		return &InputError{Err: err}
	}
	for _, r := range rows {
		res.Sweep = append(res.Sweep, BreakevenSweepRow{TokensPerMonth: r.Tokens, LocalMonthlyUSD: r.Local.Total, CloudMonthlyUSD: r.Cloud, GPUs: r.Local.Capacity.GPUs})
	}
	res.Notes = append(res.Notes, breakevenNotes(res, hw)...)
	// As in estimate: a retired or deprecated model, or an unverified
	// price, is said next to the figures that rest on it.
	if status := cm.Status(asOf); status != "" {
		res.Notes = append(res.Notes, fmt.Sprintf("%s is %s (%s)", cm.ID.V, status, statusDate(cm, status)))
	}
	if next := cm.NextChange(asOf); next != nil {
		// A price already on the calendar (a promotion ending, an announced
		// cut) changes the answer: say what it becomes.
		if nextAt, err := cloudMonthlyFunc(cm, next, inputShare, o.PromptTokens.N)(o.Tokens.N); err == nil {
			be := "never"
			if m := cost.BreakevenMonths(at.UpfrontUSD, nextAt, at.Running); m != nil {
				be = fmt.Sprintf("%.1f months", m.Round(2).InexactFloat64())
			}
			res.Notes = append(res.Notes, fmt.Sprintf("%s price changes on %s: cloud %s/month at this volume, break-even then %s", cm.ID.V, next.EffectiveFrom, units.FormatUSD(nextAt), be))
		}
	}
	if cm.Unverified || price.Unverified {
		res.Notes = append(res.Notes, fmt.Sprintf("%s: price not verified in a primary source (see `llmcost catalog show %s`)", cm.ID.V, cm.ID.V))
	}
	res.chart = breakevenChart(res)
	res.months = cumulativeChart(res)

	// Image files first: a bad --plot path fails before anything is printed.
	for _, p := range []struct {
		flag, path string
		chart      output.Chart
	}{{"--plot", o.Plot, res.months}, {"--plot-volume", o.PlotVolume, res.chart}} {
		if p.path == "" {
			continue
		}
		if err := p.chart.WriteImage(p.path); err != nil {
			return &InputError{Err: fmt.Errorf("%s: %w", p.flag, err)}
		}
		fmt.Fprintf(f.IOStreams.ErrOut, "wrote %s\n", p.path)
	}
	if err := output.Write(f.IOStreams, format, res); err != nil {
		return err
	}
	if o.Chart {
		if format != output.Table {
			fmt.Fprintln(f.IOStreams.ErrOut, "warning: --chart draws only with --format table; use --plot FILE.svg for a file")
		} else {
			for _, c := range []output.Chart{res.months, res.chart} {
				s, err := c.ASCII(f.IOStreams.ColorEnabled(), f.IOStreams.TerminalWidth())
				if err != nil {
					return err
				}
				fmt.Fprint(f.IOStreams.Out, "\n"+s)
			}
		}
	}
	return nil
}

// cloudMonthlyFunc prices any monthly volume on the cloud model with the
// workload's shape (input share, prompt length); linear in tokens.
func cloudMonthlyFunc(m *catalog.CloudModel, p *catalog.Price, inputShare decimal.Decimal, promptTokens int64) cost.CloudMonthly {
	return func(tokens int64) (decimal.Decimal, error) {
		t := cost.SplitTokens(tokens, inputShare)
		r, err := cost.Cloud(m, p, cost.Workload{InputTokens: t.Input, OutputTokens: t.Output, PromptTokens: promptTokens, CacheWriteTTL: "5m"})
		if err != nil {
			return decimal.Zero, &InputError{Err: err}
		}
		return r.Total, nil
	}
}

func (o *BreakevenOptions) localCost(env *hardware.Env, cat *catalog.Catalog, inputShare decimal.Decimal) (cost.LocalCost, hardware.Result, *catalog.Rental, []string, error) {
	if err := checkContext(env, o.spec, o.Owned.Context.N, o.PromptTokens.N); err != nil {
		return cost.LocalCost{}, hardware.Result{}, nil, nil, err
	}
	reply := o.Owned.reply()
	hw, err := place(env, o.spec, hardware.Request{ContextTokens: requestContext(o.Owned.Context.N, o.PromptTokens.N, reply), Concurrency: o.Owned.Concurrency, PromptTokens: int(o.PromptTokens.N), OutputTokens: int(reply)})
	if err != nil {
		return cost.LocalCost{}, hardware.Result{}, nil, nil, flagScoped("local", err)
	}
	_, cg, err := env.GPU(o.spec.GPU)
	if err != nil {
		return cost.LocalCost{}, hardware.Result{}, nil, nil, err
	}
	var notes []string
	if !hw.Fits && hw.GPUsNeeded == 0 {
		return cost.LocalCost{}, hardware.Result{}, nil, nil, noGPUCountFits("--local "+o.spec.Text, hw)
	}
	if !hw.Fits {
		return cost.LocalCost{}, hardware.Result{}, nil, nil, FlagErrorf("--local %s: %s does not fit %d x %s (needs %d); use xN or a smaller quant", o.spec.Text, hw.Model, hw.GPUsAvailable, hw.GPU, hw.GPUsNeeded)
	}
	b, err := o.Owned.basis(cat)
	if err != nil {
		return cost.LocalCost{}, hardware.Result{}, nil, nil, err
	}
	if o.Rent {
		lc, rental, err := rentedCost(hw, cg, b, inputShare)
		if err != nil {
			return cost.LocalCost{}, hardware.Result{}, nil, nil, err
		}
		if rental.Unverified {
			notes = append(notes, fmt.Sprintf("rental %s $%s/h is not verified", rental.Provider, rental.USDPerHour.D))
		}
		return lc, hw, rental, notes, nil
	}
	lc, n, err := o.Owned.ownedCost(hw, cg, b, inputShare)
	if err != nil {
		return cost.LocalCost{}, hardware.Result{}, nil, nil, err
	}
	notes = append(notes, n...)
	notes = append(notes, fmt.Sprintf("electricity %s/kWh, PUE %s, %s-month amortization", kwhPrice(b.KWhPriceUSD), b.PUE, b.AmortizationMonths))
	return lc, hw, nil, notes, nil
}

// flagScoped names the flag in a bad-input error about its value.
func flagScoped(flag string, err error) error {
	var ie *InputError
	var bi badInput
	if errors.As(err, &ie) || (errors.As(err, &bi) && bi.BadInput()) {
		return &FlagError{Err: fmt.Errorf("--%s: %w", flag, err)}
	}
	return err
}

func breakevenLocal(hw hardware.Result, at cost.LocalMonthly, rental *catalog.Rental) BreakevenLocal {
	l := BreakevenLocal{
		ID: fmt.Sprintf("%s@%s:%s", hw.Model, hw.GPU, hw.Quant), Model: hw.Model, GPU: hw.GPU, Quant: hw.Quant,
		Mode: "owned", GPUs: at.Capacity.GPUs, GPUsPerReplica: hw.GPUs, Fits: hw.Fits,
		UpfrontUSD: at.UpfrontUSD, MonthlyCostUSD: at.Total, RunningMonthlyUSD: at.Running,
		AmortizationUSD: at.Amortization, EnergyUSD: at.Energy, EnergyKWh: at.EnergyKWh, OpsUSD: at.Ops, RentUSD: at.Rent,
		Utilization:  at.Capacity.Utilization.Round(4).InexactFloat64(),
		DecodeTPS:    round3(hw.Decode.Value),
		AggregateTPS: round3(hw.Aggregate.Value),
		PrefillTPS:   round3(hw.Prefill.Value),
		SpeedBasis:   string(hw.Aggregate.Basis),
		Concurrency:  hw.Concurrency,
		Measured:     hw.MeasuredText(),
	}
	if hw.GPUs > 1 {
		l.ID += fmt.Sprintf("x%d", hw.GPUs)
	}
	if rental != nil {
		l.Mode = "rented"
		v := rental.USDPerHour.D.InexactFloat64()
		l.RentUSDPerGPUHour, l.RentProvider = &v, rental.Provider
	}
	return l
}

func breakevenNotes(r *BreakevenResult, hw hardware.Result) []string {
	var notes []string
	if len(hw.Unverified) > 0 {
		notes = append(notes, "unverified inputs: "+strings.Join(hw.Unverified, ", "))
	}
	notes = append(notes, fmt.Sprintf("throughput per machine: %.0f output tok/s at concurrency %d (%s), prefill %.0f tok/s (%s)",
		hw.Aggregate.Value, hw.Concurrency, hw.Aggregate.Basis, hw.Prefill.Value, hw.Prefill.Basis))
	if n := hw.MeasuredNote(); n != "" {
		notes = append(notes, n)
	}
	for _, c := range r.Crossings {
		if !c.LocalCheaper {
			notes = append(notes, fmt.Sprintf("local becomes dearer again at %s tokens/month, where it needs another machine", units.FormatTokens(c.TokensPerMonth)))
		}
	}
	if r.CrossoverTokensPerMonth == nil {
		notes = append(notes, fmt.Sprintf("local stays dearer than %s up to %s tokens/month", r.Cloud.ID, units.FormatTokens(crossoverCeiling)))
	}
	return notes
}

func breakevenChart(r *BreakevenResult) output.Chart {
	c := output.Chart{
		Title:  fmt.Sprintf("%s vs %s: monthly cost", r.Local.ID, r.Cloud.ID),
		XLabel: "tokens per month",
		YLabel: "USD per month",
		Series: []output.Series{{Name: r.Local.ID + " (" + r.Local.Mode + ")"}, {Name: r.Cloud.ID}},
	}
	for _, row := range r.Sweep {
		c.X = append(c.X, float64(row.TokensPerMonth))
		c.Series[0].Y = append(c.Series[0].Y, row.LocalMonthlyUSD.InexactFloat64())
		c.Series[1].Y = append(c.Series[1].Y, row.CloudMonthlyUSD.InexactFloat64())
	}
	if x := r.CrossoverTokensPerMonth; x != nil && *x > 0 {
		y := 0.0
		for _, row := range r.Sweep {
			if row.TokensPerMonth >= *x {
				y = row.CloudMonthlyUSD.InexactFloat64() * float64(*x) / float64(row.TokensPerMonth)
				break
			}
		}
		c.Marker = &output.Point{X: float64(*x), Y: y, Label: fmt.Sprintf("crossover: local is cheaper from %s tokens/month", units.FormatTokens(*x))}
	}
	return c
}

// cumulativeChart draws what each side has cost after m months at the
// workload's volume: local = upfront + m × running, cloud = m × monthly.
// The lines cross at the break-even month, which is marked.
func cumulativeChart(r *BreakevenResult) output.Chart {
	horizon := 36.0
	if r.BreakevenMonths != nil {
		horizon = math.Max(horizon, math.Ceil(*r.BreakevenMonths*1.5))
	}
	horizon = math.Min(horizon, 240)
	up := r.Local.UpfrontUSD.InexactFloat64()
	run := r.Local.RunningMonthlyUSD.InexactFloat64()
	cloud := r.Cloud.MonthlyCostUSD.InexactFloat64()
	c := output.Chart{
		Title:  fmt.Sprintf("%s vs %s: cumulative cost at %s tokens/month", r.Local.ID, r.Cloud.ID, units.FormatTokens(r.TokensPerMonth)),
		XLabel: "months",
		YLabel: "USD spent",
		Linear: true,
		XUnit:  func(v float64) string { return fmt.Sprintf("%g mo", v) },
		Series: []output.Series{{Name: r.Local.ID + " (" + r.Local.Mode + ")"}, {Name: r.Cloud.ID}},
	}
	for m := 0.0; m <= horizon; m++ {
		c.X = append(c.X, m)
		c.Series[0].Y = append(c.Series[0].Y, up+run*m)
		c.Series[1].Y = append(c.Series[1].Y, cloud*m)
	}
	if be := r.BreakevenMonths; be != nil {
		c.Marker = &output.Point{X: *be, Y: cloud * *be, Label: fmt.Sprintf("break-even after %.1f months", *be)}
	} else {
		c.Marker = &output.Point{X: 0, Y: up, Label: "no break-even: the cloud costs no more than running the hardware"}
	}
	return c
}

// Tables renders the summary and the sweep.
func (r *BreakevenResult) Tables() []output.TableData {
	be := "never"
	if r.BreakevenMonths != nil {
		be = fmt.Sprintf("%.1f months", *r.BreakevenMonths)
	}
	cross := "none up to " + units.FormatTokens(crossoverCeiling)
	if r.CrossoverTokensPerMonth != nil {
		cross = units.FormatTokens(*r.CrossoverTokensPerMonth) + " tokens/month"
	}
	l := r.Local
	summary := output.TableData{
		Title:   fmt.Sprintf("%s (%s) vs %s at %s tokens/month", l.ID, l.Mode, r.Cloud.ID, units.FormatTokens(r.TokensPerMonth)),
		Headers: []string{"Item", "Value"},
		Rows: [][]string{
			{"Cloud monthly", units.FormatUSD(r.Cloud.MonthlyCostUSD)},
			{"Local monthly (total)", units.FormatUSD(l.MonthlyCostUSD)},
			{"Local running (energy or rent, + ops)", units.FormatUSD(l.RunningMonthlyUSD)},
			{"Upfront", units.FormatUSD(l.UpfrontUSD)},
			{"GPUs", fmt.Sprintf("%d (%d per machine), %.1f%% busy", l.GPUs, l.GPUsPerReplica, l.Utilization*100)},
			{"Break-even", be},
			{"Crossover", cross},
		},
		Raw: [][]string{
			{"cloud_monthly_usd", r.Cloud.MonthlyCostUSD.String()},
			{"local_monthly_usd", l.MonthlyCostUSD.String()},
			{"local_running_monthly_usd", l.RunningMonthlyUSD.String()},
			{"upfront_usd", l.UpfrontUSD.String()},
			{"gpus", fmt.Sprint(l.GPUs)},
			{"breakeven_months", optFloat(r.BreakevenMonths)},
			{"crossover_tokens_per_month", optInt(r.CrossoverTokensPerMonth)},
		},
		Notes: r.Notes,
	}
	sweep := output.TableData{
		Title:   "Monthly cost by volume",
		Headers: []string{"Tokens/month", "Local $", "GPUs", "Cloud $", "Cheaper"},
		Align:   []output.Align{output.Right, output.Right, output.Right, output.Right, output.Left},
	}
	for _, s := range r.Sweep {
		cheaper := "cloud"
		if s.LocalMonthlyUSD.LessThanOrEqual(s.CloudMonthlyUSD) {
			cheaper = "local"
		}
		sweep.Rows = append(sweep.Rows, []string{units.FormatTokens(s.TokensPerMonth), units.FormatUSD(s.LocalMonthlyUSD), fmt.Sprint(s.GPUs), units.FormatUSD(s.CloudMonthlyUSD), cheaper})
		sweep.Raw = append(sweep.Raw, []string{fmt.Sprint(s.TokensPerMonth), s.LocalMonthlyUSD.String(), fmt.Sprint(s.GPUs), s.CloudMonthlyUSD.String(), cheaper})
	}
	return []output.TableData{summary, sweep}
}

func optFloat(v *float64) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(*v)
}

func optInt(v *int64) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(*v)
}
