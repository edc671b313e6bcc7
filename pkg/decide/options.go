package decide

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/shopspring/decimal"
)

// Local option modes.
const (
	ModeOwned  = "owned"  // bought: amortized price + energy + ops
	ModeRented = "rented" // $/GPU-hour + ops
	ModeSunk   = "sunk"   // GPUs already owned: energy + ops only
)

// maxGPUsPerReplica bounds the setups considered: one machine holds at most 8.
const maxGPUsPerReplica = 8

// planConcurrencies are tried largest first: a replica batches as many
// requests as the memory left after the weights allows, up to 8.
var planConcurrencies = []int{8, 4, 2}

// LocalOption is one way to serve the workload on open weights.
type LocalOption struct {
	Model          string           `json:"model"`
	GPU            string           `json:"gpu"`
	Quant          string           `json:"quant"`
	Mode           string           `json:"mode"` // owned | rented | sunk
	Provider       string           `json:"provider,omitempty"`
	GPUsPerReplica int              `json:"gpus_per_replica"`
	Replicas       int              `json:"replicas"`
	GPUs           int              `json:"gpus"`
	Concurrency    int              `json:"concurrency"`
	MonthlyCostUSD decimal.Decimal  `json:"monthly_cost_usd"`
	UpfrontUSD     decimal.Decimal  `json:"upfront_usd"`
	RunningUSD     decimal.Decimal  `json:"running_monthly_usd"`
	Utilization    float64          `json:"utilization"`
	ReplySeconds   float64          `json:"reply_seconds"`
	TTFTSeconds    float64          `json:"ttft_seconds"`
	DecodeTPS      float64          `json:"decode_tokens_per_second"`
	Benchmark      string           `json:"benchmark,omitempty"`
	Score          *float64         `json:"score"`
	MaxContext     int              `json:"max_context"`
	HFRepo         string           `json:"hf_repo,omitempty"`
	Breakeven      *decimal.Decimal `json:"breakeven_months,omitempty"`
	Excluded       string           `json:"excluded,omitempty"`
	// Measured says which speeds come from `llmcost bench` rows of a
	// user catalog ("measured 2026-12-02, 4 streams: ..."); absent when none do.
	Measured string `json:"measured,omitempty"`

	measuredNote  string // Measured with the setup's id in front
	lc            cost.LocalCost
	peak          float64
	ownedReplicas int              // sunk: replicas the owned GPUs hold
	replicaPrice  *decimal.Decimal // price of one more replica; nil = unknown
	idleReplica   decimal.Decimal  // $ of one replica idling a whole month
	ops           decimal.Decimal  // added to rented (owned carries it in lc)
	rate          decimal.Decimal
	onDemand      bool
	notes         []string // unverified catalog values this option rests on
	decodeBasis   hardware.Basis
	fail          string // first unmet requirement: "" eligible
}

// Label is "llama-3.1-8b (q4_k_m) on 1x rtx-4090 (owned)", or "... on 2
// machines of 3x rtx-4060-ti-16gb (owned)" when one machine cannot serve
// the volume.
func (o *LocalOption) Label() string {
	mode := o.Mode
	if o.Mode == ModeRented && o.Provider != "" {
		mode = "rented, " + o.Provider
	}
	if o.Mode == ModeSunk {
		mode = "already owned"
	}
	return fmt.Sprintf("%s (%s) on %s (%s)", o.Model, o.Quant, MachinesText(o.Replicas, o.GPUs, o.GPU), mode)
}

// MachinesText is "3x rtx-4090" for one machine and "2 machines of 3x
// rtx-4090" for more; gpus counts all of them.
func MachinesText(machines, gpus int, gpu string) string {
	if machines > 1 && gpus%machines == 0 {
		return fmt.Sprintf("%d machines of %dx %s", machines, gpus/machines, gpu)
	}
	return fmt.Sprintf("%dx %s", gpus, gpu)
}

// LocalMonth is one month of a local option at a volume.
type LocalMonth struct {
	Total, Upfront, Running decimal.Decimal
	Replicas                int
	BusyReplicaHours        decimal.Decimal
	Utilization             decimal.Decimal
	Feasible                bool // false: more GPUs are needed than owned and none can be priced
}

// Monthly prices the option at a monthly volume, sized for the peak.
func (o *LocalOption) Monthly(tokens int64) (LocalMonth, error) {
	return o.month(tokens, o.peak)
}

// month sizes replicas for peak × the average rate. Steady load (peak 1) is
// exactly cost.LocalCost.At plus ops for rentals.
func (o *LocalOption) month(tokens int64, peak float64) (LocalMonth, error) {
	m, err := o.lc.At(tokens)
	if err != nil {
		return LocalMonth{}, err
	}
	lm := LocalMonth{Total: m.Total, Upfront: m.UpfrontUSD, Running: m.Running, Replicas: m.Capacity.Replicas,
		BusyReplicaHours: m.Capacity.BusyReplicaHours, Utilization: m.Capacity.Utilization, Feasible: true}
	hours := o.lc.Plan.HoursPerMonth
	if peak > 1 {
		need := int(m.Capacity.BusyReplicaHours.Mul(decimal.NewFromFloat(peak)).Div(hours).Ceil().IntPart())
		if need > lm.Replicas {
			extra := decimal.NewFromInt(int64(need - lm.Replicas))
			lm.Replicas = need
			lm.Total = lm.Total.Add(extra.Mul(o.idleReplica))
			lm.Running = lm.Running.Add(extra.Mul(o.idleReplica))
			switch o.Mode {
			case ModeOwned:
				// The replica price is already in upfront for the average; add the peak ones.
				lm.Upfront = lm.Upfront.Add(extra.Mul(*o.replicaPrice))
				lm.Total = lm.Total.Add(extra.Mul(*o.replicaPrice).Div(o.lc.Owned.AmortizationMonths))
			case ModeRented:
				lm.Total = lm.Total.Sub(extra.Mul(o.idleReplica)) // rent, not energy
				lm.Running = lm.Running.Sub(extra.Mul(o.idleReplica))
				if !o.onDemand {
					rent := extra.Mul(decimal.NewFromInt(int64(o.GPUsPerReplica))).Mul(hours).Mul(o.rate)
					lm.Total = lm.Total.Add(rent)
					lm.Running = lm.Running.Add(rent)
				}
			}
			lm.Utilization = m.Capacity.BusyReplicaHours.Div(hours.Mul(decimal.NewFromInt(int64(lm.Replicas))))
		}
	}
	if o.Mode == ModeRented {
		lm.Total = lm.Total.Add(o.ops)
		lm.Running = lm.Running.Add(o.ops)
	}
	if o.Mode == ModeSunk && lm.Replicas > o.ownedReplicas {
		if o.replicaPrice == nil {
			lm.Feasible = false
			return lm, nil
		}
		buy := decimal.NewFromInt(int64(lm.Replicas - o.ownedReplicas)).Mul(*o.replicaPrice)
		lm.Upfront = lm.Upfront.Add(buy)
		lm.Total = lm.Total.Add(buy.Div(o.lc.Owned.AmortizationMonths))
	}
	return lm, nil
}

// plain reports whether Monthly is exactly cost.LocalCost.At, so the
// crossover can come from pkg/cost unchanged.
func (o *LocalOption) plain() bool {
	if o.peak > 1 {
		return false
	}
	switch o.Mode {
	case ModeOwned:
		return true
	case ModeRented:
		return o.ops.IsZero()
	}
	return false
}

// maxCrossoverTokens bounds the volume searched for a crossover (or 10x
// the workload when that is more).
const maxCrossoverTokens int64 = 10_000_000_000

func crossoverLimit(tokens int64) int64 { return max(maxCrossoverTokens, 10*tokens) }

// Crossover is the least monthly volume in [1, hi] from which this option
// is no dearer than the cloud; nil when it never is.
func (o *LocalOption) Crossover(cloud cost.CloudMonthly, hi int64) (*int64, error) {
	if o.plain() {
		return o.lc.Crossover(cloud, 1, hi)
	}
	return firstCrossing(func(t int64) (bool, error) {
		lm, err := o.Monthly(t)
		if err != nil {
			return false, err
		}
		c, err := cloud(t)
		if err != nil {
			return false, err
		}
		return lm.Feasible && lm.Total.LessThanOrEqual(c), nil
	}, 1, hi)
}

// firstCrossing finds the least volume in [lo, hi] where cheaper turns true,
// on a log grid refined by bisection (exact within a GPU-count step, where
// local cost is affine and cloud cost linear).
func firstCrossing(cheaper func(int64) (bool, error), lo, hi int64) (*int64, error) {
	ok, err := cheaper(lo)
	if err != nil || ok {
		return &lo, err
	}
	const steps = 400
	ratio := math.Pow(float64(hi)/float64(lo), 1.0/steps)
	prev := lo
	for i := 1; i <= steps; i++ {
		v := int64(math.Round(float64(lo) * math.Pow(ratio, float64(i))))
		if i == steps {
			v = hi
		}
		if v <= prev {
			continue
		}
		ok, err := cheaper(v)
		if err != nil {
			return nil, err
		}
		if ok {
			a, b := prev, v
			for b-a > 1 {
				mid := a + (b-a)/2
				s, err := cheaper(mid)
				if err != nil {
					return nil, err
				}
				if s {
					b = mid
				} else {
					a = mid
				}
			}
			return &b, nil
		}
		prev = v
	}
	return nil, nil
}

// CloudOption is a cloud candidate priced for the workload.
type CloudOption struct {
	Model          string          `json:"model"`
	Provider       string          `json:"provider"`
	MonthlyCostUSD decimal.Decimal `json:"monthly_cost_usd"`
	ContextWindow  int64           `json:"context_window"`
	ReplySeconds   *float64        `json:"reply_seconds"` // nil: no measured latency in the catalog
	Excluded       string          `json:"excluded,omitempty"`

	m *catalog.CloudModel
	p *catalog.Price
}

// env holds what one decision needs from the catalog.
type env struct {
	cat     *catalog.Catalog
	hw      *hardware.Env
	basis   cost.LocalBasis // catalog defaults + the answers' operations cost
	asOf    time.Time
	a       *Answers
	share   decimal.Decimal
	prompt  int64
	output  int64
	context int64

	// Narrowing for recommend (zero values: decide's behaviour).
	gpuIDs        []string                           // GPUs tried; nil = every GPU in the catalog
	quantIDs      []string                           // quantizations tried; nil = the model's default
	scoreOptional bool                               // no score bar: a model without a score is not failed on accuracy
	onSkip        func(model, gpu, why, fail string) // a setup that gets no option at all, why, and the model's own failing (accuracy or "")
}

func newEnv(cat *catalog.Catalog, asOf time.Time, a *Answers) (*env, error) {
	hw, err := hardware.NewEnv(cat)
	if err != nil {
		return nil, err
	}
	e := &env{cat: cat, hw: hw, basis: cost.BasisFromCatalog(cat.Defaults), asOf: asOf, a: a,
		share: decimal.NewFromFloat(a.Share()), context: a.Context()}
	e.basis.OpsMonthlyUSD = a.OpsMonthly()
	e.prompt, e.output = a.RequestShape()
	return e, nil
}

// cloudMonthly prices a volume on a cloud model with the workload's split.
func (e *env) cloudMonthly(c *CloudOption) cost.CloudMonthly {
	return func(t int64) (decimal.Decimal, error) {
		tk := cost.SplitTokens(t, e.share)
		r, err := cost.Cloud(c.m, c.p, cost.Workload{InputTokens: tk.Input, OutputTokens: tk.Output, PromptTokens: e.prompt})
		return r.Total, err
	}
}

// cloudOptions prices the given cloud models on the as-of date. Ids the
// catalog lacks (a user catalog may drop them), retired ones and ones with
// no price that day are left out; skipped says why, one entry per id.
func (e *env) cloudOptions(ids []string, tokens int64) (out []*CloudOption, skipped []string) {
	day := e.asOf.Format(time.DateOnly)
	for _, id := range ids {
		m, err := e.cat.Cloud(id)
		if err != nil {
			skipped = append(skipped, id+" is not in the catalog")
			continue
		}
		if m.Status(e.asOf) == "retired" {
			skipped = append(skipped, fmt.Sprintf("%s is retired on %s", id, day))
			continue
		}
		p, err := m.PriceAt(e.asOf)
		if err != nil {
			skipped = append(skipped, err.Error())
			continue
		}
		c := &CloudOption{Model: m.ID.V, Provider: m.Provider, ContextWindow: m.ContextWindow.D.IntPart(), m: m, p: p}
		total, err := e.cloudMonthly(c)(tokens)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s cannot be priced for this workload on %s: %v", id, day, err))
			continue
		}
		c.MonthlyCostUSD = total
		if l := m.Latency; l != nil && l.TTFTSeconds.Set && l.OutputTokensPerSec.Set && l.OutputTokensPerSec.D.IsPositive() {
			v := l.TTFTSeconds.D.InexactFloat64() + float64(e.output)/l.OutputTokensPerSec.D.InexactFloat64()
			c.ReplySeconds = &v
		}
		if c.ContextWindow < e.context {
			c.Excluded = fmt.Sprintf("context window %d < %d tokens", c.ContextWindow, e.context)
		} else if c.ReplySeconds != nil && e.a.LatencySeconds > 0 && *c.ReplySeconds > e.a.LatencySeconds {
			c.Excluded = fmt.Sprintf("measured reply %.1f s > target %.1f s", *c.ReplySeconds, e.a.LatencySeconds)
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].MonthlyCostUSD.LessThan(out[j].MonthlyCostUSD) })
	return out, skipped
}

// valueClassMarkers are the words providers put in the names of their
// cheap, high-volume models; the value tier of every task is of this class.
var valueClassMarkers = []string{"mini", "nano", "flash", "haiku", "lite", "small"}

func isValueClass(id string) bool {
	for _, w := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '.' || r == '_' }) {
		if slices.Contains(valueClassMarkers, w) {
			return true
		}
	}
	return false
}

// fallbackCloud stands in for a task's candidates when none of them is
// priced on the as-of date (an early date, or a user catalog without them):
// the other cloud models priced that day, preferring the candidates'
// providers and tier class (value: mini/nano/flash/haiku/lite/small names;
// frontier: the rest). scope describes the models that were used; it is
// empty, as are opts, only when no cloud model is priced that day.
func (e *env) fallbackCloud(candidates []string, frontier bool, tokens int64) (opts []*CloudOption, scope string) {
	providers := map[string]bool{}
	var provNames []string
	for _, id := range candidates {
		if m, err := e.cat.Cloud(id); err == nil && !providers[m.Provider] {
			providers[m.Provider] = true
			provNames = append(provNames, m.Provider)
		}
	}
	tier := "value-tier (mini/nano/flash/haiku/lite/small)"
	if frontier {
		tier = "frontier-tier (not mini/nano/flash/haiku/lite/small)"
	}
	sameTier := func(m *catalog.CloudModel) bool { return isValueClass(m.ID.V) != frontier }
	groups := []struct {
		keep  func(*catalog.CloudModel) bool
		scope string
	}{
		{func(m *catalog.CloudModel) bool { return providers[m.Provider] && sameTier(m) }, strings.Join(provNames, "/") + " " + tier + " models"},
		{sameTier, tier + " models of any provider"},
		{func(*catalog.CloudModel) bool { return true }, "cloud models of any provider and tier"},
	}
	for _, g := range groups {
		var ids []string
		for _, m := range e.cat.CloudModels() {
			if !slices.Contains(candidates, m.ID.V) && g.keep(m) {
				ids = append(ids, m.ID.V)
			}
		}
		if opts, _ := e.cloudOptions(ids, tokens); len(opts) > 0 {
			return opts, g.scope
		}
	}
	return nil, ""
}

func scoreOf(q []catalog.Score, bench string) *float64 {
	for _, s := range q {
		if s.Benchmark == bench && s.Score.Set {
			v := s.Score.D.InexactFloat64()
			return &v
		}
	}
	return nil
}

// localOptions builds every setup of every open model on every GPU that
// can hold it, and marks why each is not eligible (fail). Models whose
// context is too short get no setups; their ids come back in short.
func (e *env) localOptions(bench string, minScore float64, qualityOK bool) (opts []*LocalOption, short []string, err error) {
	owned := map[string]int{}
	for i, g := range e.a.HaveGPUs {
		cg, err := e.cat.GPU(g.GPU)
		if err != nil {
			return nil, nil, e.a.ErrorFor("have_gpus", i, err.Error())
		}
		owned[cg.ID.V] += g.Count
	}
	hours := e.basis.HoursPerMonth
	for _, mid := range e.cat.OpenModelIDs() {
		om, _ := e.cat.Open(mid)
		hm, err := e.hw.Model(mid)
		if err != nil {
			continue
		}
		if int64(hm.MaxContext) < e.context {
			short = append(short, fmt.Sprintf("%s (%dK)", mid, hm.MaxContext/1024))
			continue
		}
		quants, err := e.modelQuants(hm)
		if err != nil {
			return nil, nil, err
		}
		var score *float64
		if bench != "" {
			score = scoreOf(om.Quality, bench)
		}
		fail := ""
		if !qualityOK || score == nil && !e.scoreOptional || score != nil && *score < minScore {
			fail = "accuracy"
		}
		gpuIDs := e.gpuIDs
		if gpuIDs == nil {
			gpuIDs = e.cat.GPUIDs()
		}
		for _, hq := range quants {
			for _, gid := range gpuIDs {
				hg, cg, err := e.hw.GPU(gid)
				if err != nil {
					continue
				}
				req := hardware.Request{ContextTokens: int(e.context), PromptTokens: int(e.prompt), OutputTokens: int(e.output)}
				r1, err := hardware.Estimate(hm, hq, hg, e.hw.Bench, req)
				if err != nil || r1.GPUsNeeded < 1 || r1.GPUsNeeded > maxGPUsPerReplica {
					if e.onSkip != nil {
						e.onSkip(mid, gid, fmt.Sprintf("does not fit on %d or fewer GPUs of that type", maxGPUsPerReplica), fail)
					}
					continue
				}
				n := r1.GPUsNeeded
				req.GPUs = n
				r, err := hardware.Estimate(hm, hq, hg, e.hw.Bench, req)
				if err != nil || !r.Fits {
					continue
				}
				// Throughput at the largest batch the memory allows; latency at batch 1.
				served, conc := r, 1
				for _, c := range planConcurrencies {
					rq := req
					rq.Concurrency = c
					if rc, err := hardware.Estimate(hm, hq, hg, e.hw.Bench, rq); err == nil && rc.Fits {
						served, conc = rc, c
						break
					}
				}
				f := fail
				if f == "" && e.a.LatencySeconds > 0 && r.ReplySeconds > e.a.LatencySeconds {
					f = "latency"
				}
				if f == "" && e.a.TTFTSeconds > 0 && r.TTFTSeconds > e.a.TTFTSeconds {
					f = "ttft"
				}
				base := LocalOption{Model: mid, GPU: gid, Quant: hq.ID, GPUsPerReplica: n, Concurrency: conc,
					ReplySeconds: r.ReplySeconds, TTFTSeconds: r.TTFTSeconds, DecodeTPS: r.Decode.Value,
					Benchmark: bench, Score: score, MaxContext: hm.MaxContext, HFRepo: om.HFRepo,
					peak: e.a.Peak(), fail: f, decodeBasis: r.Decode.Basis,
					Measured: served.MeasuredText(), measuredNote: served.MeasuredNote()}
				before := len(opts)
				// The same figures estimate and breakeven use (pkg/cost); a GPU
				// without a price or power figure is simply not offered as owned.
				if lc, notes, err := cost.OwnedFor(served, cg, e.basis, cost.OwnedOverrides{}, e.share); err == nil {
					o := base
					price := lc.Owned.HardwarePriceUSD
					o.Mode, o.lc, o.notes, o.replicaPrice, o.idleReplica = ModeOwned, lc, notes, &price, idleMonth(lc, n)
					opts = append(opts, &o)
				}
				if have := owned[gid]; have >= n {
					zero := decimal.Zero
					if lc, notes, err := cost.OwnedFor(served, cg, e.basis, cost.OwnedOverrides{HardwarePriceUSD: &zero}, e.share); err == nil {
						o := base
						o.Mode, o.lc, o.notes, o.idleReplica, o.ownedReplicas = ModeSunk, lc, notes, idleMonth(lc, n), have/n
						if cg.PriceUSD.Set {
							p := cg.PriceUSD.D.Mul(decimal.NewFromInt(int64(n)))
							o.replicaPrice = &p
						}
						opts = append(opts, &o)
					}
				}
				if lc, rent, err := cost.RentedFor(served, cg, hours, e.share); err == nil {
					o := base
					o.Mode, o.lc, o.Provider, o.rate, o.onDemand, o.ops = ModeRented, lc, rent.Provider, rent.USDPerHour.D, rent.OnDemand, e.basis.OpsMonthlyUSD
					if rent.Unverified {
						o.notes = []string{fmt.Sprintf("%s rental at $%s/GPU-hour (%s) is not verified", gid, rent.USDPerHour.D, rent.Provider)}
					}
					opts = append(opts, &o)
				}
				if len(opts) == before && e.onSkip != nil {
					e.onSkip(mid, gid, "the catalog has no price, power figure or rental for this GPU", fail)
				}
			}
		}
	}
	return opts, short, nil
}

// modelQuants are the quantizations tried for a model: its default, or
// e.quantIDs where the model can take them (a model released quantized,
// such as gpt-oss in MXFP4, is never "upgraded" to a bigger format, as in
// hardware.BestQuant).
func (e *env) modelQuants(m hardware.Model) ([]hardware.Quant, error) {
	def, err := e.hw.Quant(hardware.DefaultQuantID(m))
	if err != nil {
		return nil, err
	}
	if e.quantIDs == nil {
		return []hardware.Quant{def}, nil
	}
	var out []hardware.Quant
	for _, id := range e.quantIDs {
		q, err := e.hw.Quant(id)
		if err != nil {
			return nil, err
		}
		if m.DefaultQuant != "" && q.BytesPerParam > def.BytesPerParam {
			if e.onSkip != nil {
				e.onSkip(m.ID, "", fmt.Sprintf("released in %s: not offered at the larger %s", def.ID, q.ID), "")
			}
			continue
		}
		out = append(out, q)
	}
	return out, nil
}

// idleMonth is what one replica of n GPUs costs idling for a whole month
// with the model loaded: the price of a peak replica that is mostly idle.
func idleMonth(lc cost.LocalCost, n int) decimal.Decimal {
	o := lc.Owned
	return decimal.NewFromInt(int64(n)).Mul(lc.Plan.HoursPerMonth).Mul(o.IdleWatts).Div(decimal.NewFromInt(1000)).Mul(o.PUE).Mul(o.KWhPriceUSD)
}

// price fills the option's monthly figures at a volume.
func (o *LocalOption) price(tokens int64) error {
	lm, err := o.Monthly(tokens)
	if err != nil {
		return err
	}
	if !lm.Feasible {
		if o.fail == "" {
			o.fail = "capacity"
		}
		o.MonthlyCostUSD = decimal.Zero
		return nil
	}
	o.MonthlyCostUSD, o.UpfrontUSD, o.RunningUSD = lm.Total, lm.Upfront, lm.Running
	o.Replicas, o.GPUs = lm.Replicas, lm.Replicas*o.GPUsPerReplica
	o.Utilization = math.Round(lm.Utilization.InexactFloat64()*1000) / 1000
	return nil
}

// cheapest returns the cheapest option passing keep, or nil.
func cheapest(opts []*LocalOption, keep func(*LocalOption) bool) *LocalOption {
	var best *LocalOption
	for _, o := range opts {
		if o.fail == "capacity" || !keep(o) {
			continue
		}
		if best == nil || o.MonthlyCostUSD.LessThan(best.MonthlyCostUSD) {
			best = o
		}
	}
	return best
}
