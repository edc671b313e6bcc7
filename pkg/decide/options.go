package decide

import (
	"fmt"
	"math"
	"sort"
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

	lc            cost.LocalCost
	peak          float64
	ownedReplicas int              // sunk: replicas the owned GPUs hold
	replicaPrice  *decimal.Decimal // price of one more replica; nil = unknown
	idleReplica   decimal.Decimal  // $ of one replica idling a whole month
	ops           decimal.Decimal  // added to rented (owned carries it in lc)
	rate          decimal.Decimal
	onDemand      bool
	fail          string // first unmet requirement: "" eligible
}

// Label is "llama-3.1-8b on 1x rtx-4090 (owned)".
func (o *LocalOption) Label() string {
	mode := o.Mode
	if o.Mode == ModeRented && o.Provider != "" {
		mode = "rented, " + o.Provider
	}
	if o.Mode == ModeSunk {
		mode = "already owned"
	}
	return fmt.Sprintf("%s (%s) on %dx %s (%s)", o.Model, o.Quant, o.GPUs, o.GPU, mode)
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
	asOf    time.Time
	a       *Answers
	bench   *hardware.Benchmarks
	months  decimal.Decimal
	kwh     decimal.Decimal
	pue     decimal.Decimal
	hours   decimal.Decimal
	share   decimal.Decimal
	prompt  int64
	output  int64
	context int64
}

func numOr(n catalog.Num, fallback string) decimal.Decimal {
	if n.Set {
		return n.D
	}
	return decimal.RequireFromString(fallback)
}

func newEnv(cat *catalog.Catalog, asOf time.Time, a *Answers) (*env, error) {
	d := cat.Defaults
	e := &env{cat: cat, asOf: asOf, a: a,
		months: numOr(d.AmortizationMonths, "36"), kwh: numOr(d.KWhPriceUSD, "0.18"),
		pue: numOr(d.PUE, "1"), hours: numOr(d.HoursPerMonth, "730"),
		share: decimal.NewFromFloat(a.Share()), context: a.Context()}
	e.prompt, e.output = a.RequestShape()
	rows := make([]catalog.Benchmark, 0, len(cat.Benchmarks))
	for _, b := range cat.Benchmarks {
		om, err1 := cat.Open(b.Model)
		g, err2 := cat.GPU(b.GPU)
		q, err3 := cat.Quant(b.Quant)
		if err1 != nil || err2 != nil || err3 != nil {
			continue // a row the catalog cannot resolve does not inform any option
		}
		b.Model, b.GPU, b.Quant = om.ID.V, g.ID.V, q.ID.V
		rows = append(rows, b)
	}
	bench, err := hardware.NewBenchmarks(rows, func(id string) (hardware.Model, bool) {
		om, err := cat.Open(id)
		if err != nil {
			return hardware.Model{}, false
		}
		m, err := hardware.NewModel(*om)
		return m, err == nil
	})
	if err != nil {
		return nil, err
	}
	e.bench = bench
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

// cloudOptions prices the task's candidates. Unknown ids in the mapping are
// skipped (a user catalog may drop them); retired or unpriced ones too.
func (e *env) cloudOptions(ids []string, tokens int64) []*CloudOption {
	var out []*CloudOption
	for _, id := range ids {
		m, err := e.cat.Cloud(id)
		if err != nil || m.Status(e.asOf) == "retired" {
			continue
		}
		p, err := m.PriceAt(e.asOf)
		if err != nil {
			continue
		}
		c := &CloudOption{Model: m.ID.V, Provider: m.Provider, ContextWindow: m.ContextWindow.D.IntPart(), m: m, p: p}
		total, err := e.cloudMonthly(c)(tokens)
		if err != nil {
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
	return out
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

func rentalFor(g *catalog.GPU) *catalog.Rental {
	var best *catalog.Rental
	for i := range g.Rentals {
		r := &g.Rentals[i]
		if best == nil || best.Unverified && !r.Unverified || best.Unverified == r.Unverified && r.USDPerHour.D.LessThan(best.USDPerHour.D) {
			best = r
		}
	}
	return best
}

// localOptions builds every setup of every open model on every GPU that
// can hold it, and marks why each is not eligible (fail). Models whose
// context is too short get no setups; their ids come back in short.
func (e *env) localOptions(bench string, minScore float64, qualityOK bool) (opts []*LocalOption, short []string, err error) {
	owned := map[string]int{}
	for _, g := range e.a.HaveGPUs {
		cg, err := e.cat.GPU(g.GPU)
		if err != nil {
			return nil, nil, &AnswerError{Field: "have_gpus", Msg: err.Error()}
		}
		owned[cg.ID.V] += g.Count
	}
	ops := e.a.OpsMonthly()
	for _, mid := range e.cat.OpenModelIDs() {
		om, _ := e.cat.Open(mid)
		hm, err := hardware.NewModel(*om)
		if err != nil {
			continue
		}
		if int64(hm.MaxContext) < e.context {
			short = append(short, fmt.Sprintf("%s (%dK)", mid, hm.MaxContext/1024))
			continue
		}
		qname := om.DefaultQuant
		if qname == "" {
			qname = "q4_k_m"
		}
		cq, err := e.cat.Quant(qname)
		if err != nil {
			continue
		}
		hq, err := hardware.NewQuant(*cq)
		if err != nil {
			continue
		}
		var score *float64
		fail := ""
		if !qualityOK {
			fail = "accuracy"
		} else if score = scoreOf(om.Quality, bench); score == nil || *score < minScore {
			fail = "accuracy"
		}
		if bench != "" {
			score = scoreOf(om.Quality, bench)
		}
		for _, gid := range e.cat.GPUIDs() {
			cg, _ := e.cat.GPU(gid)
			hg, err := hardware.NewGPU(*cg)
			if err != nil {
				continue
			}
			req := hardware.Request{ContextTokens: int(e.context), PromptTokens: int(e.prompt), OutputTokens: int(e.output)}
			r1, err := hardware.Estimate(hm, hq, hg, e.bench, req)
			if err != nil || r1.GPUsNeeded < 1 || r1.GPUsNeeded > maxGPUsPerReplica {
				continue
			}
			n := r1.GPUsNeeded
			req.GPUs = n
			r, err := hardware.Estimate(hm, hq, hg, e.bench, req)
			if err != nil || !r.Fits {
				continue
			}
			conc, agg := 1, r.Aggregate.Value
			for _, c := range planConcurrencies {
				rq := req
				rq.Concurrency = c
				if rc, err := hardware.Estimate(hm, hq, hg, e.bench, rq); err == nil && rc.Fits {
					conc, agg = c, rc.Aggregate.Value
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
			plan := cost.LocalPlan{GPUsPerReplica: n, PrefillTPS: r.Prefill.Value, DecodeTPS: agg, HoursPerMonth: e.hours}
			base := LocalOption{Model: mid, GPU: gid, Quant: hq.ID, GPUsPerReplica: n, Concurrency: conc,
				ReplySeconds: r.ReplySeconds, TTFTSeconds: r.TTFTSeconds, DecodeTPS: r.Decode.Value,
				Benchmark: bench, Score: score, MaxContext: hm.MaxContext, HFRepo: om.HFRepo,
				peak: e.a.Peak(), fail: f}
			gpusD := decimal.NewFromInt(int64(n))
			var price *decimal.Decimal
			if cg.PriceUSD.Set {
				p := cg.PriceUSD.D.Mul(gpusD)
				price = &p
			}
			if cg.TDPW.Set {
				idleW := cg.TDPW.D.Mul(cost.LoadedIdleShareOfTDP)
				if cg.IdleW.Set {
					idleW = cg.IdleW.D
				}
				idleReplica := gpusD.Mul(e.hours).Mul(idleW).Div(decimal.NewFromInt(1000)).Mul(e.pue).Mul(e.kwh)
				ownedCost := func(hw decimal.Decimal) *cost.Owned {
					return &cost.Owned{HardwarePriceUSD: hw, AmortizationMonths: e.months, ActiveWatts: cg.TDPW.D,
						IdleWatts: idleW, PUE: e.pue, KWhPriceUSD: e.kwh, OpsMonthlyUSD: ops}
				}
				if price != nil {
					o := base
					o.Mode, o.replicaPrice, o.idleReplica = ModeOwned, price, idleReplica
					o.lc = cost.LocalCost{Plan: plan, InputShare: e.share, Owned: ownedCost(*price)}
					opts = append(opts, &o)
				}
				if have := owned[gid]; have >= n {
					o := base
					o.Mode, o.replicaPrice, o.idleReplica, o.ownedReplicas = ModeSunk, price, idleReplica, have/n
					o.lc = cost.LocalCost{Plan: plan, InputShare: e.share, Owned: ownedCost(decimal.Zero)}
					opts = append(opts, &o)
				}
			}
			if rent := rentalFor(cg); rent != nil {
				o := base
				o.Mode, o.Provider, o.rate, o.onDemand, o.ops = ModeRented, rent.Provider, rent.USDPerHour.D, rent.OnDemand, ops
				o.lc = cost.LocalCost{Plan: plan, InputShare: e.share, Rented: &cost.Rented{USDPerGPUHour: rent.USDPerHour.D, OnDemand: rent.OnDemand}}
				opts = append(opts, &o)
			}
		}
	}
	return opts, short, nil
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
