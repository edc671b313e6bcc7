package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/pflag"
)

// autoLocalMaxGPUs bounds the machines `estimate` proposes on its own: a
// 70B model on eight 12 GB cards is not an option anyone should be shown
// unasked.
const autoLocalMaxGPUs = 4

// estimateLocalFlags are estimate's local-inference inputs.
type estimateLocalFlags struct {
	Local   []string
	Rent    []string
	NoLocal bool
	GPU     gpuFlag
	Owned   ownedFlags

	local, rent       []hardware.Spec
	localGPU, rentGPU []bool   // the spec's GPU came from --gpu
	autoNotes         []string // what MODEL@auto or --gpu auto became

	// gpus are the catalog's GPUs resolved in env, in catalog order,
	// for cheapest: built once per env rather than per model and basis.
	gpus    []*catalog.GPU
	gpusEnv *hardware.Env
	// floors are gpuFloors' answer, owned [0] and rented [1], for floorsEnv.
	floors    [2][]gpuFloor
	floorsEnv [2]*hardware.Env
}

// catalogGPUs returns every GPU of the catalog that env resolves, in
// catalog (id) order.
func (e *estimateLocalFlags) catalogGPUs(env *hardware.Env, cat *catalog.Catalog) []*catalog.GPU {
	if e.gpusEnv != env {
		e.gpus, e.gpusEnv = nil, env
		for _, gid := range cat.GPUIDs() {
			if _, cg, err := env.GPU(gid); err == nil {
				e.gpus = append(e.gpus, cg)
			}
		}
	}
	return e.gpus
}

func (e *estimateLocalFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVar(&e.Local, "local", nil, "owned local option MODEL@GPU[:QUANT][xN] (repeatable), e.g. llama-3.1-70b@rtx-4090:q4_k_mx2; GPU auto = this machine's; MODEL[:QUANT] with --gpu")
	fl.StringArrayVar(&e.Rent, "rent", nil, "rented option MODEL@GPU[:QUANT][xN] at the GPU's cheapest catalog rental (repeatable); GPU auto = this machine's type; MODEL[:QUANT] with --gpu")
	fl.BoolVar(&e.NoLocal, "no-local", false, "leave out the automatic local options (the catalog's local comparison set)")
	fl.StringVar(&e.GPU.Value, "gpu", "", "GPU of the local options, GPU[xN] or auto (this machine's): for --local/--rent MODEL without @GPU, or else the automatic options on it alone")
	e.Owned.register(fl)
}

// fixedMachine reports whether --gpu names one machine (auto, or a count):
// then --hardware-price and --watts can price the automatic options.
func (e *estimateLocalFlags) fixedMachine() bool {
	return e.GPU.set() && (isAutoGPU(e.GPU.spec.GPU) || e.GPU.spec.GPUs > 0)
}

func (e *estimateLocalFlags) validate() error {
	e.local, e.rent, e.localGPU, e.rentGPU = nil, nil, nil, nil
	if err := e.GPU.parse(); err != nil {
		return err
	}
	viaGPU := 0
	for _, s := range e.Local {
		spec, via, err := localSpec("local", s, &e.GPU)
		if err != nil {
			return err
		}
		e.local, e.localGPU = append(e.local, spec), append(e.localGPU, via)
		if via {
			viaGPU++
		}
	}
	for _, s := range e.Rent {
		spec, via, err := localSpec("rent", s, &e.GPU)
		if err != nil {
			return err
		}
		e.rent, e.rentGPU = append(e.rent, spec), append(e.rentGPU, via)
		if via {
			viaGPU++
		}
	}
	named := len(e.local) > 0 || len(e.rent) > 0
	if e.NoLocal && named {
		return FlagErrorf("--no-local leaves out only the automatic options; drop it or drop --local/--rent")
	}
	if e.NoLocal && e.GPU.set() {
		return FlagErrorf("--no-local leaves out the local options that --gpu %s would place; drop one of them", e.GPU.Value)
	}
	if e.GPU.set() && named && viaGPU == 0 {
		return FlagErrorf("--gpu %s applies to --local/--rent MODEL[:QUANT] given without @GPU, and every one here names its GPU; drop --gpu or the @GPU", e.GPU.Value)
	}
	if len(e.local) == 0 && (e.Owned.HardwarePrice != "" || e.Owned.Watts != "") && !(e.fixedMachine() && !named) {
		return FlagErrorf("--hardware-price and --watts describe one machine: name it with --local MODEL@GPU (or --gpu GPUxN or auto)")
	}
	if len(e.local) > 1 && (e.Owned.HardwarePrice != "" || e.Owned.Watts != "") {
		// One price for machines of different GPU counts would be wrong for all but one.
		return FlagErrorf("--hardware-price and --watts describe one machine, but --local names %d; price them in separate runs", len(e.local))
	}
	return e.Owned.validate()
}

// resolveAuto turns MODEL@auto specs into the GPUs detected on this
// machine (before the catalog is read: a detected Apple machine adds an
// entry with its memory).
func (e *estimateLocalFlags) resolveAuto(f *Factory) error {
	for _, set := range []struct {
		flag   string
		specs  []hardware.Spec
		viaGPU []bool
	}{{"local", e.local, e.localGPU}, {"rent", e.rent, e.rentGPU}} {
		for i := range set.specs {
			label := "--" + set.flag + " " + set.specs[i].Text
			if set.viaGPU[i] {
				label = "--gpu " + e.GPU.Value
			}
			spec, note, err := resolveAutoSpec(f, label, set.specs[i])
			if err != nil {
				return err
			}
			set.specs[i] = spec
			if note != "" && !slices.Contains(e.autoNotes, note) {
				e.autoNotes = append(e.autoNotes, note)
			}
		}
	}
	// --gpu auto with no --local/--rent: the automatic options go on the
	// machine detected here.
	if e.GPU.set() && isAutoGPU(e.GPU.spec.GPU) && len(e.local)+len(e.rent) == 0 {
		spec, note, err := resolveAutoSpec(f, "--gpu "+e.GPU.Value, hardware.Spec{GPU: e.GPU.spec.GPU, GPUs: e.GPU.spec.GPUs, Text: e.GPU.Value})
		if err != nil {
			return err
		}
		e.GPU.spec.GPU, e.GPU.spec.GPUs = spec.GPU, spec.GPUs
		e.autoNotes = append(e.autoNotes, note)
	}
	return nil
}

// addLocalOptions prices the local options of an estimate: the ones named
// with --local/--rent, or else the cheapest owned and rented machine for
// each model of the catalog's local comparison set. Each gets the months
// its purchase takes to repay against every cloud option already in res.
//
// The automatic options join only the default comparison: once --models or
// --all picks the cloud side, local options are the ones named.
func addLocalOptions(e *estimateLocalFlags, defaultSet bool, cat *catalog.Catalog, w cost.Workload, res *EstimateResult) error {
	explicit := len(e.local) > 0 || len(e.rent) > 0
	// --gpu asks for local options whatever picks the cloud side.
	if e.NoLocal {
		return nil
	}
	if !explicit && !defaultSet && !e.GPU.set() {
		// --models or --all name the cloud side; say where local went.
		res.Notes = append(res.Notes, "no local options: --models and --all pick cloud models only; add --local MODEL@GPU, --rent MODEL@GPU or --gpu GPU to compare local setups")
		return nil
	}
	if err := e.GPU.check(cat); err != nil {
		return err
	}
	res.Notes = append(res.Notes, e.autoNotes...)
	env, err := newLocalEnv(cat)
	if err != nil {
		return err
	}
	basis, err := e.Owned.basis(cat)
	if err != nil {
		return err
	}
	tokens := cost.Tokens{Input: w.InputTokens, Output: w.OutputTokens}
	reply := e.Owned.reply()
	req := hardware.Request{ContextTokens: requestContext(e.Owned.Context.N, w.PromptTokens, reply), Concurrency: e.Owned.Concurrency, PromptTokens: int(w.PromptTokens), OutputTokens: int(reply)}
	inputShare := decimal.Zero
	if t := tokens.Total(); t > 0 {
		inputShare = decimal.NewFromInt(tokens.Input).Div(decimal.NewFromInt(t))
	}

	var local []EstimateOption
	var running []decimal.Decimal // per local option: energy or rent, + ops
	if explicit {
		for _, spec := range e.local {
			opt, run, err := e.option(env, spec, false, basis, req, tokens, inputShare)
			if err != nil {
				return flagScoped("local", err)
			}
			local, running = append(local, opt), append(running, run)
		}
		for _, spec := range e.rent {
			opt, run, err := e.option(env, spec, true, basis, req, tokens, inputShare)
			if err != nil {
				return flagScoped("rent", err)
			}
			local, running = append(local, opt), append(running, run)
		}
	} else {
		var left []string
		for _, id := range cat.Defaults.LocalComparisonSet {
			placed := false
			for _, rented := range []bool{false, true} {
				if opt, run, ok := e.cheapest(env, cat, id, rented, basis, req, tokens, inputShare); ok {
					local, running = append(local, opt), append(running, run)
					placed = true
				}
			}
			if !placed {
				left = append(left, id)
			}
		}
		switch {
		case len(cat.Defaults.LocalComparisonSet) == 0:
		case e.GPU.set():
			machine := e.GPU.spec.GPU
			if n := e.GPU.spec.GPUs; n > 0 {
				machine = fmt.Sprintf("%dx %s", n, machine)
			} else {
				machine = fmt.Sprintf("up to %d %s", autoLocalMaxGPUs, machine)
			}
			note := fmt.Sprintf("local options: each model of the catalog's local comparison set on %s (--gpu), owned and rented where the catalog prices it", machine)
			if len(left) > 0 {
				note += fmt.Sprintf("; left out (does not fit, or no price, power figure or verified rental): %s", strings.Join(left, ", "))
			}
			res.Notes = append(res.Notes, note)
		case len(local) == 0:
			ctx := req.ContextTokens
			if ctx == 0 {
				ctx = hardware.DefaultContextTokens
			}
			res.Notes = append(res.Notes, fmt.Sprintf("local options: no model of the catalog's local comparison set (%s) fits on up to %d GPUs with a %s-token context per request; name your own with --local or --rent", strings.Join(cat.Defaults.LocalComparisonSet, ", "), autoLocalMaxGPUs, units.FormatTokensExact(int64(ctx))))
		default:
			res.Notes = append(res.Notes, fmt.Sprintf("local options: the cheapest owned and rented machine (up to %d GPUs) for each model of the catalog's local comparison set; name your own with --local or --rent, or leave them out with --no-local", autoLocalMaxGPUs))
		}
	}

	// Break-even against every cloud option.
	for i := range local {
		o := &local[i]
		o.BreakevenMonths = map[string]*float64{}
		for _, c := range res.Options {
			if c.Kind != "cloud" {
				continue
			}
			if m := cost.BreakevenMonths(o.UpfrontUSD, c.MonthlyCostUSD, running[i]); m != nil {
				v := m.Round(2).InexactFloat64()
				o.BreakevenMonths[c.ID] = &v
			} else {
				o.BreakevenMonths[c.ID] = nil
			}
		}
		if o.Measured != "" {
			res.Notes = append(res.Notes, o.ID+": "+o.Measured)
		}
		if o.Unverified {
			res.Notes = append(res.Notes, fmt.Sprintf("%s rests on unverified values: %s", o.ID, strings.Join(o.Notes, "; ")))
		}
	}
	if len(local) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("local costs: %s-month amortization, %s/kWh, PUE %s, %d request(s) at once per machine; see `llmcost breakeven` for volumes and crossover", basis.AmortizationMonths, kwhPrice(basis.KWhPriceUSD), basis.PUE, e.Owned.Concurrency))
	}
	res.Options = append(res.Options, local...)
	return nil
}

// option prices one named placement, owned or rented.
func (e *estimateLocalFlags) option(env *hardware.Env, spec hardware.Spec, rented bool, b cost.LocalBasis, req hardware.Request, tokens cost.Tokens, inputShare decimal.Decimal) (EstimateOption, decimal.Decimal, error) {
	if err := checkContext(env, spec, e.Owned.Context.N, int64(req.PromptTokens)); err != nil {
		return EstimateOption{}, decimal.Zero, err
	}
	hw, err := place(env, spec, req)
	if err != nil {
		return EstimateOption{}, decimal.Zero, err
	}
	if !hw.Fits {
		if hw.GPUsNeeded == 0 {
			return EstimateOption{}, decimal.Zero, noGPUCountFits(spec.Text, hw)
		}
		return EstimateOption{}, decimal.Zero, FlagErrorf("%s does not fit %d x %s (needs %d); add x%d or pick a smaller quant", spec.Text, hw.GPUsAvailable, hw.GPU, hw.GPUsNeeded, hw.GPUsNeeded)
	}
	_, cg, err := env.GPU(spec.GPU)
	if err != nil {
		return EstimateOption{}, decimal.Zero, err
	}
	pc, err := e.costOf(hw, cg, rented, b, inputShare)
	if err != nil {
		return EstimateOption{}, decimal.Zero, err
	}
	return pc.option(tokens)
}

// placedCost is a placement that fits with its cost basis, owned or
// rented, not yet priced at a volume.
type placedCost struct {
	hw     hardware.Result
	lc     cost.LocalCost
	rented bool
	rental *catalog.Rental // the offer, when rented
	notes  []string
}

// hardwareText describes the machines ("2x rtx-4090 owned", "2 machines
// of 3x rtx-4060-ti-16gb owned" when one cannot serve the month); built
// only for the placement that is shown, not for every candidate cheapest
// tries.
func (pc placedCost) hardwareText(machines int) string {
	s := fmt.Sprintf("%dx %s", pc.hw.GPUs, pc.hw.GPU)
	if machines > 1 {
		s = fmt.Sprintf("%d machines of %s", machines, s)
	}
	if pc.rented {
		return s + fmt.Sprintf(" rented (%s $%s/h)", pc.rental.Provider, pc.rental.USDPerHour.D)
	}
	return s + " owned"
}

// costOf builds the cost basis of a placement that fits.
func (e *estimateLocalFlags) costOf(hw hardware.Result, cg *catalog.GPU, rented bool, b cost.LocalBasis, inputShare decimal.Decimal) (placedCost, error) {
	pc := placedCost{hw: hw, rented: rented}
	var err error
	if rented {
		var rental *catalog.Rental
		if pc.lc, rental, err = rentedCost(hw, cg, b, inputShare); err != nil {
			return pc, err
		}
		pc.rental = rental
		if rental.Unverified {
			pc.notes = append(pc.notes, fmt.Sprintf("rental %s $%s/h", rental.Provider, rental.USDPerHour.D))
		}
		return pc, nil
	}
	pc.lc, pc.notes, err = e.Owned.ownedCost(hw, cg, b, inputShare)
	return pc, err
}

// option prices the placement at tokens: the option, and the running part
// of its monthly cost (energy or rent, + ops).
func (pc placedCost) option(tokens cost.Tokens) (EstimateOption, decimal.Decimal, error) {
	hw := pc.hw
	m, err := pc.lc.For(tokens)
	if err != nil {
		return EstimateOption{}, decimal.Zero, &InputError{Err: err}
	}
	notes := append(slices.Clip(pc.notes), hw.Unverified...)
	gpus, machines, fits := m.Capacity.GPUs, m.Capacity.Replicas, hw.Fits
	util := m.Capacity.Utilization.Round(4).InexactFloat64()
	id := fmt.Sprintf("%s@%s:%s", hw.Model, hw.GPU, hw.Quant)
	if hw.GPUs > 1 {
		id += fmt.Sprintf("x%d", hw.GPUs)
	}
	if pc.rented {
		id = "rent:" + id
	}
	opt := EstimateOption{
		ID: id, Kind: "local", Name: hw.Model,
		MonthlyCostUSD: m.Total, UpfrontUSD: m.UpfrontUSD,
		GPUs: &gpus, Machines: &machines, Fits: &fits, Hardware: pc.hardwareText(machines), Utilization: &util,
		Measured:   hw.MeasuredText(),
		Unverified: len(notes) > 0, Notes: notes,
	}
	if t := tokens.Total(); t > 0 {
		opt.CostPerMillionUSD = m.Total.Mul(decimal.NewFromInt(1_000_000)).Div(decimal.NewFromInt(t))
	}
	return opt, m.Running, nil
}

// cheapest tries every GPU (owned: those with a price and power; rented:
// those with a verified offer) and keeps the cheapest placement of model
// id; of equal costs, the first GPU in catalog order.
//
// Placing and pricing are the costly steps, so neither is done for a GPU
// that cannot win. GPUs are tried in order of a floor of any machine's
// cost on them (one card's amortization or always-on rent, the same for
// every model: gpuFloors), and the search stops once the floor passes the
// best cost found. A placed candidate is priced only if its own bound
// (cost.MinMonthlyTotal, for the cards it needs) can still beat the best
// or tie it from an earlier catalog position.
func (e *estimateLocalFlags) cheapest(env *hardware.Env, cat *catalog.Catalog, id string, rented bool, b cost.LocalBasis, req hardware.Request, tokens cost.Tokens, inputShare decimal.Decimal) (EstimateOption, decimal.Decimal, bool) {
	gpus, count := e.gpuFloors(env, cat, rented, b, inputShare), 0
	if e.GPU.set() {
		// --gpu: that GPU alone (auto is resolved by now), on the count
		// given, if it is priced.
		_, cg, err := env.GPU(e.GPU.spec.GPU)
		i := slices.IndexFunc(gpus, func(g gpuFloor) bool { return g.cg == cg })
		if err != nil || i < 0 {
			return EstimateOption{}, decimal.Zero, false
		}
		gpus, count = gpus[i:i+1], e.GPU.spec.GPUs
	}
	var best EstimateOption
	var bestRunning decimal.Decimal
	bestPos, found := 0, false
	// beaten: a candidate of bound at pos can neither undercut nor tie
	// the best from an earlier catalog position.
	beaten := func(bound decimal.Decimal, pos int) bool {
		cmp := bound.Cmp(best.MonthlyCostUSD)
		return found && (cmp > 0 || cmp == 0 && pos > bestPos)
	}
	for _, g := range gpus {
		if found && g.floor.Cmp(best.MonthlyCostUSD) > 0 {
			break // sorted by floor: no later GPU is cheaper either
		}
		if beaten(g.floor, g.pos) {
			continue // could at best tie, and ties go to catalog order
		}
		// With no GPU count asked, Place sizes the machine itself: the
		// result is already the placement on GPUsNeeded cards.
		hw, err := place(env, hardware.Spec{Model: id, GPU: g.cg.ID.V, GPUs: count}, req)
		if err != nil || !hw.Fits || hw.GPUsNeeded < 1 || count == 0 && hw.GPUsNeeded > autoLocalMaxGPUs {
			continue
		}
		pc, err := e.costOf(hw, g.cg, rented, b, inputShare)
		if err != nil || beaten(pc.lc.MinMonthlyTotal(), g.pos) {
			continue
		}
		opt, run, err := pc.option(tokens)
		if err != nil {
			continue
		}
		if cmp := opt.MonthlyCostUSD.Cmp(best.MonthlyCostUSD); !found || cmp < 0 || cmp == 0 && g.pos < bestPos {
			best, bestRunning, bestPos, found = opt, run, g.pos, true
		}
	}
	return best, bestRunning, found
}

// gpuFloor is a GPU cheapest may propose, with the least any machine of
// it costs a month.
type gpuFloor struct {
	cg    *catalog.GPU
	pos   int // catalog order
	floor decimal.Decimal
}

// gpuFloors returns the GPUs cheapest considers, owned or rented, cheapest
// floor first (catalog order among equals): unasked, only verified rental
// offers are proposed, and an owned GPU needs a price and a power figure,
// from the catalog or the flags. A floor is the cost bound of a one-card
// machine, which no machine of that GPU goes below (cost.MinMonthlyTotal
// grows with the card count). Built once per run, not per model.
func (e *estimateLocalFlags) gpuFloors(env *hardware.Env, cat *catalog.Catalog, rented bool, b cost.LocalBasis, inputShare decimal.Decimal) []gpuFloor {
	i := 0
	if rented {
		i = 1
	}
	if e.floorsEnv[i] == env {
		return e.floors[i]
	}
	var out []gpuFloor
	for pos, cg := range e.catalogGPUs(env, cat) {
		priced := (cg.PriceUSD.Set || e.Owned.HardwarePrice != "") && (cg.TDPW.Set || e.Owned.Watts != "")
		if rented && (cost.CheapestRental(cg) == nil || cost.CheapestRental(cg).Unverified) || !rented && !priced {
			continue
		}
		one := hardware.Result{GPU: cg.ID.V, GPUs: 1, GPUsNeeded: 1, Fits: true}
		pc, err := e.costOf(one, cg, rented, b, inputShare)
		if err != nil {
			continue // costOf fails the same way for every card count
		}
		out = append(out, gpuFloor{cg: cg, pos: pos, floor: pc.lc.MinMonthlyTotal()})
	}
	slices.SortStableFunc(out, func(a, b gpuFloor) int { return a.floor.Cmp(b.floor) })
	e.floors[i], e.floorsEnv[i] = out, env
	return out
}

// noGPUCountFits is the error for a GPU whose usable memory does not even
// cover the runtime overhead: no xN helps ("needs 0; add x0" said nothing).
func noGPUCountFits(spec string, hw hardware.Result) error {
	return FlagErrorf("%s: no number of %s can hold %s: its usable memory (%.2f GB) is below the %.2f GB runtime overhead per GPU", spec, hw.GPU, hw.Model, hw.Memory.UsablePerGPU/1e9, hardware.OverheadBytesPerGPU/1e9)
}

// checkContext names the flag to change when a request is longer than the
// model can take: --context when that was asked for, else --prompt-tokens.
func checkContext(env *hardware.Env, spec hardware.Spec, context, promptTokens int64) error {
	m, err := env.Model(spec.Model)
	if err != nil {
		return nil // place reports an unknown model
	}
	ctx := requestContext(context, promptTokens, hardware.DefaultOutputTokens)
	if ctx <= m.MaxContext {
		return nil
	}
	maxCtx := units.FormatTokensExact(int64(m.MaxContext))
	if context >= promptTokens+hardware.DefaultOutputTokens {
		return FlagErrorf("invalid value %s for --context: %s takes at most %s tokens", units.FormatTokensExact(context), m.ID, maxCtx)
	}
	return FlagErrorf("--prompt-tokens %s plus a %d-token reply exceed %s's context of %s tokens", units.FormatTokensExact(promptTokens), hardware.DefaultOutputTokens, m.ID, maxCtx)
}

// requestContext is the context a machine must hold for one request: the
// --context asked for (0 = the default 8K, capped at the model's maximum,
// as in fit), raised to the prompt plus the reply when that is longer.
// Sizing the KV cache for 8K while the prompts are 100K would offer hardware
// that cannot serve them; sizing it for the prompt alone when --context is
// not given would undercut the documented 8K default (and disagree with fit).
func requestContext(context, promptTokens, outputTokens int64) int {
	need := promptTokens + outputTokens
	if context == 0 && need <= hardware.DefaultContextTokens {
		return 0
	}
	return int(max(context, need))
}
