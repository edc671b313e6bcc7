package cli

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/pflag"
)

// Shared by fit, estimate (--local/--rent) and breakeven: parsing
// MODEL@GPU[:QUANT][xN], turning catalog entries into pkg/hardware inputs,
// and the owned-hardware cost flags.

// localSpec is MODEL@GPU[:QUANT][xN].
type localSpec struct {
	Model, GPU, Quant string
	GPUs              int // 0 = as many as the model needs
	text              string
}

var localSpecRe = regexp.MustCompile(`^([^@\s]+)@([^:\s]+?)(?::([A-Za-z0-9_.-]+?))?(?:x([0-9]+))?$`)

func parseLocalSpec(flag, s string) (localSpec, error) {
	t := strings.TrimSpace(s)
	m := localSpecRe.FindStringSubmatch(t)
	if m == nil {
		return localSpec{}, FlagErrorf("invalid value %q for --%s: want MODEL@GPU[:QUANT][xN], e.g. llama-3.1-8b@rtx-4090, llama-3.1-70b@rtx-4090:q4_k_mx2", s, flag)
	}
	spec := localSpec{Model: m[1], GPU: m[2], Quant: m[3], text: t}
	if m[4] != "" {
		n, err := strconv.Atoi(m[4])
		if err != nil || n < 1 || n > 1024 {
			return localSpec{}, FlagErrorf("invalid value %q for --%s: GPU count must be 1-1024", s, flag)
		}
		spec.GPUs = n
	}
	return spec, nil
}

// localEnv converts catalog entries for pkg/hardware once per command.
type localEnv struct {
	cat    *catalog.Catalog
	models map[string]hardware.Model
	gpus   map[string]hardware.GPU
	quants map[string]hardware.Quant
	bench  *hardware.Benchmarks
}

func newLocalEnv(cat *catalog.Catalog) (*localEnv, error) {
	e := &localEnv{cat: cat, models: map[string]hardware.Model{}, gpus: map[string]hardware.GPU{}, quants: map[string]hardware.Quant{}}
	// Benchmark rows may name models, GPUs and quants by alias: resolve them.
	rows := make([]catalog.Benchmark, 0, len(cat.Benchmarks))
	for _, b := range cat.Benchmarks {
		om, err := cat.Open(b.Model)
		if err != nil {
			return nil, err
		}
		g, err := cat.GPU(b.GPU)
		if err != nil {
			return nil, err
		}
		q, err := cat.Quant(b.Quant)
		if err != nil {
			return nil, err
		}
		b.Model, b.GPU, b.Quant = om.ID.V, g.ID.V, q.ID.V
		rows = append(rows, b)
	}
	bench, err := hardware.NewBenchmarks(rows, func(id string) (hardware.Model, bool) {
		m, err := e.model(id)
		return m, err == nil
	})
	if err != nil {
		return nil, err
	}
	e.bench = bench
	return e, nil
}

func (e *localEnv) model(name string) (hardware.Model, error) {
	om, err := e.cat.Open(name)
	if err != nil {
		return hardware.Model{}, err
	}
	if m, ok := e.models[om.ID.V]; ok {
		return m, nil
	}
	m, err := hardware.NewModel(*om)
	if err != nil {
		return hardware.Model{}, &InputError{Err: err}
	}
	e.models[m.ID] = m
	return m, nil
}

func (e *localEnv) gpu(name string) (hardware.GPU, *catalog.GPU, error) {
	cg, err := e.cat.GPU(name)
	if err != nil {
		return hardware.GPU{}, nil, err
	}
	if g, ok := e.gpus[cg.ID.V]; ok {
		return g, cg, nil
	}
	g, err := hardware.NewGPU(*cg)
	if err != nil {
		return hardware.GPU{}, nil, &InputError{Err: err}
	}
	e.gpus[g.ID] = g
	return g, cg, nil
}

func (e *localEnv) quant(name string) (hardware.Quant, error) {
	cq, err := e.cat.Quant(name)
	if err != nil {
		return hardware.Quant{}, err
	}
	if q, ok := e.quants[cq.ID.V]; ok {
		return q, nil
	}
	q, err := hardware.NewQuant(*cq)
	if err != nil {
		return hardware.Quant{}, &InputError{Err: err}
	}
	e.quants[q.ID] = q
	return q, nil
}

func (e *localEnv) allQuants() ([]hardware.Quant, error) {
	var out []hardware.Quant
	for _, id := range e.cat.QuantIDs() {
		q, err := e.quant(id)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// defaultQuant is the model's own format (e.g. mxfp4 for gpt-oss) or Q4_K_M.
func defaultQuant(m hardware.Model) string {
	if m.DefaultQuant != "" {
		return m.DefaultQuant
	}
	return "q4_k_m"
}

// estimate places a spec: the named quant, or the model's default one.
// When the spec names no GPU count the model gets as many as it needs.
func (e *localEnv) estimate(spec localSpec, req hardware.Request) (hardware.Result, error) {
	m, err := e.model(spec.Model)
	if err != nil {
		return hardware.Result{}, err
	}
	g, _, err := e.gpu(spec.GPU)
	if err != nil {
		return hardware.Result{}, err
	}
	qname := spec.Quant
	if qname == "" {
		qname = defaultQuant(m)
	}
	q, err := e.quant(qname)
	if err != nil {
		return hardware.Result{}, err
	}
	req.GPUs = spec.GPUs
	r, err := hardware.Estimate(m, q, g, e.bench, req)
	if err != nil {
		return hardware.Result{}, &InputError{Err: err}
	}
	if spec.GPUs == 0 && r.GPUsNeeded > 1 {
		req.GPUs = r.GPUsNeeded
		r, err = hardware.Estimate(m, q, g, e.bench, req)
		if err != nil {
			return hardware.Result{}, &InputError{Err: err}
		}
	}
	return r, nil
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
	Context       units.TokensValue
}

func (o *ownedFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&o.HardwarePrice, "hardware-price", "", "purchase price of one local machine in USD (default: the catalog GPU price x GPUs)")
	fl.StringVar(&o.Months, "months", "", "amortization period in months (default: catalog, 36)")
	fl.StringVar(&o.KWhPrice, "kwh-price", "", "electricity price in USD per kWh (default: catalog, 0.18)")
	fl.StringVar(&o.PUE, "pue", "", "power usage effectiveness, >= 1 (default: catalog, 1.0)")
	fl.StringVar(&o.OpsMonthly, "ops-monthly", "0", "operations cost per month in USD (people, hosting)")
	fl.StringVar(&o.Watts, "watts", "", "power per GPU while busy in W (default: catalog TDP)")
	fl.IntVar(&o.Concurrency, "concurrency", 1, "requests served at once by each local machine (batching raises throughput)")
	fl.Var(&o.Context, "context", "KV-cache context per request for the VRAM fit (default 8K, capped at the model's maximum)")
}

func (o *ownedFlags) validate() error {
	if o.Concurrency < 1 {
		return FlagErrorf("invalid value %d for --concurrency: must be >= 1", o.Concurrency)
	}
	return nil
}

// costBasis resolves owned-cost defaults from the catalog and flags.
type costBasis struct {
	Months, KWh, PUE, Ops, Hours decimal.Decimal
	KWhSource                    string
}

func (o *ownedFlags) basis(cat *catalog.Catalog) (costBasis, error) {
	d := cat.Defaults
	b := costBasis{
		Months: numOr(d.AmortizationMonths, "36"), KWh: numOr(d.KWhPriceUSD, "0.18"),
		PUE: numOr(d.PUE, "1"), Hours: numOr(d.HoursPerMonth, "730"), KWhSource: d.KWhSource,
	}
	var err error
	if o.Months != "" {
		if b.Months, err = parseDecimalFlag("months", o.Months); err != nil {
			return b, err
		}
	}
	if o.KWhPrice != "" {
		if b.KWh, err = parseUSDFlag("kwh-price", o.KWhPrice); err != nil {
			return b, err
		}
		b.KWhSource = "--kwh-price"
	}
	if o.PUE != "" {
		if b.PUE, err = parseDecimalFlag("pue", o.PUE); err != nil {
			return b, err
		}
	}
	if b.Ops, err = parseUSDFlag("ops-monthly", o.OpsMonthly); err != nil {
		return b, err
	}
	if !b.Months.IsPositive() {
		return b, FlagErrorf("invalid value %q for --months: must be > 0", o.Months)
	}
	if b.PUE.LessThan(decimal.NewFromInt(1)) {
		return b, FlagErrorf("invalid value %q for --pue: must be >= 1", o.PUE)
	}
	return b, nil
}

func numOr(n catalog.Num, fallback string) decimal.Decimal {
	if n.Set {
		return n.D
	}
	return decimal.RequireFromString(fallback)
}

func parseUSDFlag(flag, s string) (decimal.Decimal, error) {
	d, err := units.ParseUSD(s)
	if err != nil {
		return decimal.Zero, &FlagError{Err: fmt.Errorf("invalid value %q for --%s: %v", s, flag, err)}
	}
	return d, nil
}

func parseDecimalFlag(flag, s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil || d.IsNegative() {
		return decimal.Zero, FlagErrorf("invalid value %q for --%s: want a number >= 0", s, flag)
	}
	return d, nil
}

// plan turns a placement into the cost model's view of one replica.
func plan(r hardware.Result, hours decimal.Decimal) cost.LocalPlan {
	return cost.LocalPlan{GPUsPerReplica: r.GPUs, PrefillTPS: r.Prefill.Value, DecodeTPS: r.Aggregate.Value, HoursPerMonth: hours}
}

// ownedCost builds the owned-hardware cost of a placement. The hardware
// price defaults to the catalog's price x GPUs; power to the TDP, idle to
// the measured loaded idle or 25% of TDP. Unknown price or power is an
// error naming the flag that supplies it (never $0).
func (o *ownedFlags) ownedCost(r hardware.Result, cg *catalog.GPU, b costBasis, inputShare decimal.Decimal) (cost.LocalCost, []string, error) {
	var notes []string
	gpus := decimal.NewFromInt(int64(r.GPUs))
	var price decimal.Decimal
	if o.HardwarePrice != "" {
		p, err := parseUSDFlag("hardware-price", o.HardwarePrice)
		if err != nil {
			return cost.LocalCost{}, nil, err
		}
		price = p
	} else {
		if !cg.PriceUSD.Set {
			return cost.LocalCost{}, nil, FlagErrorf("%s has no purchase price in the catalog: pass --hardware-price (USD for %d GPU(s))", cg.ID.V, r.GPUs)
		}
		price = cg.PriceUSD.D.Mul(gpus)
		if has(cg.UnverifiedFields, "price_usd") || cg.Unverified {
			notes = append(notes, fmt.Sprintf("%s price $%s is not verified (%s)", cg.ID.V, cg.PriceUSD.D, cg.PriceSource))
		}
	}
	var active decimal.Decimal
	if o.Watts != "" {
		w, err := parseDecimalFlag("watts", o.Watts)
		if err != nil {
			return cost.LocalCost{}, nil, err
		}
		active = w
	} else {
		if !cg.TDPW.Set {
			return cost.LocalCost{}, nil, FlagErrorf("%s has no power figure in the catalog: pass --watts (W per GPU while busy)", cg.ID.V)
		}
		active = cg.TDPW.D
		if has(cg.UnverifiedFields, "tdp_w") || cg.Unverified {
			notes = append(notes, fmt.Sprintf("%s power %s W is not verified", cg.ID.V, cg.TDPW.D))
		}
	}
	idle := active.Mul(cost.LoadedIdleShareOfTDP)
	if cg.IdleW.Set && o.Watts == "" {
		idle = cg.IdleW.D
	}
	lc := cost.LocalCost{
		Plan:       plan(r, b.Hours),
		InputShare: inputShare,
		Owned: &cost.Owned{
			HardwarePriceUSD: price, AmortizationMonths: b.Months,
			ActiveWatts: active, IdleWatts: idle, PUE: b.PUE, KWhPriceUSD: b.KWh, OpsMonthlyUSD: b.Ops,
		},
	}
	return lc, notes, nil
}

// rentedCost prices a placement at the GPU's cheapest verified rental
// (or cheapest of all when none is verified).
func rentedCost(r hardware.Result, cg *catalog.GPU, hours, inputShare decimal.Decimal) (cost.LocalCost, *catalog.Rental, error) {
	best := cheapestRental(cg)
	if best == nil {
		return cost.LocalCost{}, nil, FlagErrorf("%s has no rental offer in the catalog; use --local to price it as owned hardware", cg.ID.V)
	}
	lc := cost.LocalCost{
		Plan:       plan(r, hours),
		InputShare: inputShare,
		Rented:     &cost.Rented{USDPerGPUHour: best.USDPerHour.D, OnDemand: best.OnDemand},
	}
	return lc, best, nil
}

func cheapestRental(cg *catalog.GPU) *catalog.Rental {
	var best *catalog.Rental
	for i := range cg.Rentals {
		r := &cg.Rentals[i]
		switch {
		case best == nil,
			best.Unverified && !r.Unverified,
			best.Unverified == r.Unverified && r.USDPerHour.D.LessThan(best.USDPerHour.D):
			best = r
		}
	}
	return best
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// round3 keeps speeds and seconds readable in JSON without pretending to
// more precision than the model has.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// gib converts bytes to the binary GB that GPU memory is labelled in.
func gib(bytes float64) float64 { return round3(bytes / hardware.GiB) }
