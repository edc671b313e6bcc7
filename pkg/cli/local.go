package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Shared by fit, estimate (--local/--rent) and breakeven: parsing
// MODEL@GPU[:QUANT][xN], turning catalog entries into pkg/hardware inputs,
// and the owned-hardware cost flags.

// parseLocalSpec reads MODEL@GPU[:QUANT][xN] from a flag.
func parseLocalSpec(flag, s string) (hardware.Spec, error) {
	spec, err := hardware.ParseSpec(s)
	if err != nil {
		return hardware.Spec{}, &FlagError{Err: fmt.Errorf("invalid value for --%s: %w", flag, err)}
	}
	return spec, nil
}

// newLocalEnv indexes the catalog for the local maths.
func newLocalEnv(cat *catalog.Catalog) (*hardware.Env, error) {
	env, err := hardware.NewEnv(cat)
	if err != nil {
		return nil, asInput(err)
	}
	return env, nil
}

// place estimates a spec; every failure is the user's input (a name, a
// context too long for the model, a catalog entry the maths cannot use).
func place(env *hardware.Env, spec hardware.Spec, req hardware.Request) (hardware.Result, error) {
	r, err := env.Place(spec, req)
	if err != nil {
		return hardware.Result{}, asInput(err)
	}
	return r, nil
}

func asInput(err error) error {
	var bi badInput
	if errors.As(err, &bi) && bi.BadInput() {
		return err
	}
	return &InputError{Err: err}
}

// ownedFlags are the cost basis of owned hardware, shared by estimate and
// breakeven. Empty strings mean "catalog default".
type ownedFlags struct {
	HardwarePrice string
	Months        string
	KWhPrice      string
	PUE           string
	OpsMonthly    string
	Watts         string
	Concurrency   int
	Context       contextValue
	// OutputTokens is the reply of one request: a local decode runs at a
	// context of the prompt plus half of it.
	OutputTokens units.TokensValue
}

// contextValue is a context length. Context windows are binary by
// convention, so K here is 1,024 tokens: 128K = 131,072 (Llama 3.1's
// max_position_embeddings); plain numbers are taken as written.
type contextValue struct{ N int64 }

func (c *contextValue) Set(s string) error {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1024, strings.TrimSuffix(t, "k")
	case strings.HasSuffix(t, "m"):
		mult, t = 1024*1024, strings.TrimSuffix(t, "m")
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(t, ",", ""), 10, 64)
	if err != nil || n <= 0 || n > 1<<24/mult {
		return fmt.Errorf("want a context length such as 8K, 128K or 131072 (K = 1,024)")
	}
	c.N = n * mult
	return nil
}

func (c *contextValue) String() string {
	if c == nil || c.N == 0 {
		return ""
	}
	return strconv.FormatInt(c.N, 10)
}

func (c *contextValue) Type() string { return "tokens" }

func (o *ownedFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&o.HardwarePrice, "hardware-price", "", "purchase price of one local machine in USD (default: the catalog GPU price x GPUs)")
	fl.StringVar(&o.Months, "months", "", "amortization period in months (default: catalog, 36)")
	fl.StringVar(&o.KWhPrice, "kwh-price", "", "electricity price in USD per kWh (default: catalog, 0.18)")
	fl.StringVar(&o.PUE, "pue", "", "power usage effectiveness, >= 1 (default: catalog, 1.0)")
	fl.StringVar(&o.OpsMonthly, "ops-monthly", "0", "operations cost per month in USD (people, hosting)")
	fl.StringVar(&o.Watts, "watts", "", "power per GPU while busy in W (default: catalog TDP); idle stays the catalog's measured draw, else 25% of this")
	fl.IntVar(&o.Concurrency, "concurrency", 1, "requests served at once by each local machine (batching raises throughput)")
	fl.Var(&o.Context, "context", "KV-cache context per request for the VRAM fit; K = 1,024 (default 8K, capped at the model's maximum)")
	o.OutputTokens.N = hardware.DefaultOutputTokens
	fl.Var(&o.OutputTokens, "output-tokens", "reply length of one request: local decode slows as prompt + reply fill the KV cache")
}

// reply is --output-tokens, or its default where the flags were never
// registered (a zero ownedFlags).
func (o *ownedFlags) reply() int64 {
	if o.OutputTokens.N < 1 {
		return hardware.DefaultOutputTokens
	}
	return o.OutputTokens.N
}

func (o *ownedFlags) validate() error {
	if o.Concurrency < 1 {
		return FlagErrorf("invalid value %d for --concurrency: must be >= 1", o.Concurrency)
	}
	if o.OutputTokens.N < 1 {
		return FlagErrorf("invalid value %d for --output-tokens: must be >= 1", o.OutputTokens.N)
	}
	return nil
}

// basis resolves the owned-cost basis: catalog defaults, then flags.
func (o *ownedFlags) basis(cat *catalog.Catalog) (cost.LocalBasis, error) {
	b := cost.BasisFromCatalog(cat.Defaults)
	var err error
	if o.Months != "" {
		if b.AmortizationMonths, err = parseDecimalFlag("months", o.Months, 1, 1200); err != nil {
			return b, err
		}
	}
	if o.KWhPrice != "" {
		if b.KWhPriceUSD, err = parseUSDFlag("kwh-price", o.KWhPrice); err != nil {
			return b, err
		}
	}
	if o.PUE != "" {
		if b.PUE, err = parseDecimalFlag("pue", o.PUE, 1, 10); err != nil {
			return b, err
		}
	}
	if b.OpsMonthlyUSD, err = parseUSDFlag("ops-monthly", o.OpsMonthly); err != nil {
		return b, err
	}
	// Both in range: the flags by parseDecimalFlag, catalog defaults by
	// the catalog's validation (and cost.LocalCost checks again).
	return b, nil
}

func parseUSDFlag(flag, s string) (decimal.Decimal, error) {
	d, err := units.ParseUSD(s)
	if err != nil {
		return decimal.Zero, &FlagError{Err: fmt.Errorf("invalid value %q for --%s: %v", s, flag, err)}
	}
	return d, nil
}

// parseDecimalFlag reads a plain number that must lie in [lo, hi]: an
// amortization of 1e-400 months or a PUE of 1e400 is a typo, and priced
// as given it prints a 400-digit bill.
func parseDecimalFlag(flag, s string, lo, hi int64) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return decimal.Zero, FlagErrorf("invalid value %q for --%s: want a number from %d to %d", s, flag, lo, hi)
	}
	if d.LessThan(decimal.NewFromInt(lo)) || d.GreaterThan(decimal.NewFromInt(hi)) {
		return decimal.Zero, FlagErrorf("invalid value %q for --%s: must be from %d to %d", s, flag, lo, hi)
	}
	return d, nil
}

// ownedCost prices a placement on bought hardware with the flags'
// overrides; a missing catalog value names the flag that supplies it.
func (o *ownedFlags) ownedCost(r hardware.Result, cg *catalog.GPU, b cost.LocalBasis, inputShare decimal.Decimal) (cost.LocalCost, []string, error) {
	var ov cost.OwnedOverrides
	if o.HardwarePrice != "" {
		p, err := parseUSDFlag("hardware-price", o.HardwarePrice)
		if err != nil {
			return cost.LocalCost{}, nil, err
		}
		ov.HardwarePriceUSD = &p
	}
	if o.Watts != "" {
		w, err := parseDecimalFlag("watts", o.Watts, 0, 100_000)
		if err != nil {
			return cost.LocalCost{}, nil, err
		}
		ov.ActiveWatts = &w
	}
	lc, notes, err := cost.OwnedFor(r, cg, b, ov, inputShare)
	var me *cost.MissingError
	if errors.As(err, &me) {
		switch me.Supply {
		case "hardware_price":
			return lc, nil, FlagErrorf("%v: pass --hardware-price (USD for %d GPU(s))", me, r.GPUs)
		case "watts":
			return lc, nil, FlagErrorf("%v: pass --watts (W per GPU while busy)", me)
		}
	}
	return lc, notes, err
}

// rentedCost prices a placement at the GPU's cheapest rental, plus the
// basis's operations cost (--ops-monthly: people cost the same rented).
func rentedCost(r hardware.Result, cg *catalog.GPU, b cost.LocalBasis, inputShare decimal.Decimal) (cost.LocalCost, *catalog.Rental, error) {
	lc, rental, err := cost.RentedFor(r, cg, b.HoursPerMonth, inputShare)
	var me *cost.MissingError
	if errors.As(err, &me) {
		return lc, nil, FlagErrorf("%v; use --local to price it as owned hardware", me)
	}
	if err == nil {
		lc.Rented.OpsMonthlyUSD = b.OpsMonthlyUSD
	}
	return lc, rental, err
}

// round3 keeps speeds and seconds readable in JSON without pretending to
// more precision than the model has.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// gib converts bytes to the binary GB that GPU memory is labelled in.
func gib(bytes float64) float64 { return round3(bytes / hardware.GiB) }

// gpuFlag is the --gpu of estimate and breakeven: a catalog GPU id with an
// optional count (rtx-4090x2), or auto for the GPUs detected here.
type gpuFlag struct {
	Value string        // as given; "" = not set
	spec  hardware.Spec // GPU and GPUs (0 = not given) of Value
}

func (g *gpuFlag) set() bool { return g.Value != "" }

// parse checks --gpu's syntax: GPU[xN] or auto[xN].
func (g *gpuFlag) parse() error {
	g.spec = hardware.Spec{}
	if !g.set() {
		return nil
	}
	v := strings.TrimSpace(g.Value)
	spec, err := hardware.ParseSpec("m@" + v)
	if err != nil || spec.Quant != "" {
		return FlagErrorf("invalid value %q for --gpu: want a catalog GPU id, GPUxN (rtx-4090x2) or auto", g.Value)
	}
	g.spec = spec
	return nil
}

// check resolves a named --gpu against the catalog (after auto is
// resolved), so an unknown id is an error about --gpu, not --local.
func (g *gpuFlag) check(cat *catalog.Catalog) error {
	if !g.set() || isAutoGPU(g.spec.GPU) {
		return nil
	}
	if _, err := cat.GPU(g.spec.GPU); err != nil {
		return &FlagError{Err: fmt.Errorf("--gpu: %w", err)}
	}
	return nil
}

// localSpec reads a --local/--rent value: MODEL@GPU[:QUANT][xN], or
// MODEL[:QUANT][xN] with the GPU from --gpu. viaGPU says the GPU came
// from --gpu.
func localSpec(flag, s string, gpu *gpuFlag) (spec hardware.Spec, viaGPU bool, err error) {
	if strings.Contains(s, "@") || !gpu.set() {
		if !strings.Contains(s, "@") {
			return hardware.Spec{}, false, FlagErrorf("invalid value %q for --%s: name the GPU, MODEL@GPU[:QUANT][xN] (e.g. llama-3.1-8b@rtx-4090), or give --gpu GPU|auto", s, flag)
		}
		spec, err := parseLocalSpec(flag, s)
		return spec, false, err
	}
	model, quant, hasQuant := strings.Cut(strings.TrimSpace(s), ":")
	text := model + "@" + gpu.spec.GPU
	if hasQuant {
		text += ":" + quant
	}
	if gpu.spec.GPUs > 0 {
		if strings.Contains(quant, "x") && hardwareCountSuffix(quant) {
			return hardware.Spec{}, false, FlagErrorf("--%s %s and --gpu %s both give a GPU count: give it once", flag, s, gpu.Value)
		}
		text += fmt.Sprintf("x%d", gpu.spec.GPUs)
	}
	spec, err = hardware.ParseSpec(text)
	if err != nil {
		return hardware.Spec{}, false, &FlagError{Err: fmt.Errorf("invalid value for --%s with --gpu %s: %w", flag, gpu.Value, err)}
	}
	return spec, true, nil
}

// hardwareCountSuffix reports whether a quant part ends in xN (q4_k_mx2).
func hardwareCountSuffix(quant string) bool {
	i := strings.LastIndex(quant, "x")
	if i < 0 || i == len(quant)-1 {
		return false
	}
	_, err := strconv.Atoi(quant[i+1:])
	return err == nil
}

// completeGPUs completes catalog GPU ids and auto (the GPUs detected on
// this machine), for --gpu and --have-gpu; comma lists as completeIDList.
func completeGPUs(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return completeIDList(f, func(c *catalog.Catalog) []string { return append([]string{"auto"}, c.GPUIDs()...) })
}

// completeSpec completes MODEL@GPU[:QUANT] for --local and --rent: open
// model ids first, then, after the @, that model with each GPU (and auto),
// then, after a :, each quantization.
func completeSpec(f *Factory) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cat, err := f.Catalog()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var out []string
		model, rest, hasAt := strings.Cut(toComplete, "@")
		switch {
		case !hasAt:
			for _, id := range cat.OpenModelIDs() {
				if strings.HasPrefix(id, model) {
					out = append(out, id+"@")
				}
			}
			return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
		case strings.Contains(rest, ":"):
			gpu, q, _ := strings.Cut(rest, ":")
			for _, id := range cat.QuantIDs() {
				if strings.HasPrefix(id, q) {
					out = append(out, model+"@"+gpu+":"+id)
				}
			}
		default:
			for _, id := range append([]string{"auto"}, cat.GPUIDs()...) {
				if strings.HasPrefix(id, rest) {
					out = append(out, model+"@"+id)
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// kwhPrice is an electricity rate as given, in cents at least: $0.30,
// $0.1234 (never rounded: it is a rate, not an amount).
func kwhPrice(d decimal.Decimal) string {
	if d.Round(2).Equal(d) {
		return "$" + d.StringFixed(2)
	}
	return "$" + d.String()
}
