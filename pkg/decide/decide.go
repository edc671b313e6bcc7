package decide

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
)

// Verdict is the answer.
type Verdict string

// Verdicts.
const (
	Cloud  Verdict = "cloud"
	Local  Verdict = "local"
	Hybrid Verdict = "hybrid"
)

// Recommendation is one part of the setup the verdict recommends.
type Recommendation struct {
	Role           string          `json:"role"` // all | regulated | rest | base | overflow
	Kind           string          `json:"kind"` // cloud | local
	Model          string          `json:"model"`
	Provider       string          `json:"provider,omitempty"`
	GPU            string          `json:"gpu,omitempty"`
	GPUs           int             `json:"gpus,omitempty"`     // all of them
	Machines       int             `json:"machines,omitempty"` // machines the GPUs are in (local)
	Quant          string          `json:"quant,omitempty"`
	Mode           string          `json:"mode,omitempty"` // owned | rented | sunk
	TrafficShare   float64         `json:"traffic_share"`
	TokensPerMonth int64           `json:"tokens_per_month"`
	MonthlyCostUSD decimal.Decimal `json:"monthly_cost_usd"`
	UpfrontUSD     decimal.Decimal `json:"upfront_usd"`
	Quality        string          `json:"quality"`
	ReplySeconds   *float64        `json:"reply_seconds"`
	HFRepo         string          `json:"hf_repo,omitempty"`
	Measured       string          `json:"measured,omitempty"` // speeds from `llmcost bench` (local only)
}

// Change is a threshold at which the verdict would be different.
type Change struct {
	Kind      string  `json:"kind"` // volume | latency | ttft | context | accuracy | budget | privacy
	Threshold float64 `json:"threshold"`
	Unit      string  `json:"unit"` // tokens_per_month | seconds | tokens | score | usd_per_month
	Verdict   Verdict `json:"verdict"`
	Text      string  `json:"text"`
}

// Workload echoes the workload that was decided on.
type Workload struct {
	TokensPerMonth int64   `json:"tokens_per_month"`
	InputTokens    int64   `json:"input_tokens"`
	OutputTokens   int64   `json:"output_tokens"`
	PromptTokens   int64   `json:"prompt_tokens_per_request"`
	OutputPerReq   int64   `json:"output_tokens_per_request"`
	ContextTokens  int64   `json:"context_tokens"`
	Privacy        Privacy `json:"privacy"`
	Task           Task    `json:"task"`
	Accuracy       string  `json:"accuracy"`
	Load           Load    `json:"load"`
	PeakToAverage  float64 `json:"peak_to_average"`
}

// Decision is the JSON contract of `decide` (DESIGN.md).
type Decision struct {
	SchemaVersion     int              `json:"schema_version"`
	AsOf              string           `json:"as_of"`
	Verdict           Verdict          `json:"verdict"`
	Reasons           []string         `json:"reasons"`
	Recommendations   []Recommendation `json:"recommendations"`
	MonthlyCostUSD    *decimal.Decimal `json:"monthly_cost_usd"` // nil when no setup can serve the workload
	UpfrontUSD        *decimal.Decimal `json:"upfront_usd"`
	WhatWouldChangeIt []Change         `json:"what_would_change_it"`
	CrossoverTokens   *int64           `json:"crossover_tokens_per_month"`
	BudgetUSD         *decimal.Decimal `json:"budget_usd"`
	Workload          Workload         `json:"workload"`
	CloudOptions      []*CloudOption   `json:"cloud_options"`
	LocalOptions      []*LocalOption   `json:"local_options"`
	Notes             []string         `json:"notes"`
	BestCloud         *CloudOption     `json:"-"`
	BestLocal         *LocalOption     `json:"-"`
	answers           *Answers
}

// MissingError lists every required answer that is missing.
type MissingError struct{ Fields []string }

func (e *MissingError) Error() string {
	return "missing answers: " + strings.Join(e.Fields, ", ")
}

// BadInput marks the error as the user's (exit 2).
func (e *MissingError) BadInput() bool { return true }

// maxLocalShown bounds the local options listed in the result.
const maxLocalShown = 5

// Decide computes the verdict for answers a against catalog cat at date asOf.
func Decide(cat *catalog.Catalog, asOf time.Time, a *Answers) (*Decision, error) {
	return DecideOn(cat, asOf, a, nil)
}

// DecideOn is Decide with the local setups narrowed to the catalog GPU ids
// gpus (nil = every GPU). GPUs the answers own are always tried: what is
// already paid for is an option whatever else may be bought.
func DecideOn(cat *catalog.Catalog, asOf time.Time, a *Answers, gpus []string) (*Decision, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if m := a.Missing(); len(m) > 0 {
		return nil, &MissingError{Fields: m}
	}
	e, err := newEnv(cat, asOf, a)
	if err != nil {
		return nil, err
	}
	if gpus != nil {
		e.gpuIDs = slices.Clone(gpus)
		for _, g := range a.HaveGPUs {
			if cg, err := cat.GPU(g.GPU); err == nil && !slices.Contains(e.gpuIDs, cg.ID.V) {
				e.gpuIDs = append(e.gpuIDs, cg.ID.V)
			}
		}
	}
	T := a.Monthly()
	split := splitFor(T, e.share)
	acc := a.Accuracy
	if acc.Level == "" {
		acc.Level = AccuracyGoodEnough
	}
	load := a.Load
	if load == "" {
		load = LoadSteady
	}
	d := &Decision{SchemaVersion: 1, AsOf: asOf.Format(time.DateOnly), Reasons: []string{}, Recommendations: []Recommendation{},
		WhatWouldChangeIt: []Change{}, Notes: []string{}, BudgetUSD: a.BudgetUSD, CloudOptions: []*CloudOption{}, LocalOptions: []*LocalOption{},
		answers: a, Workload: Workload{TokensPerMonth: T, InputTokens: split[0], OutputTokens: split[1], PromptTokens: e.prompt, OutputPerReq: e.output,
			ContextTokens: e.context, Privacy: a.Privacy, Task: a.Task, Accuracy: acc.String(), Load: load, PeakToAverage: a.Peak()}}
	vol := units.FormatTokens(T) + " tokens/month"

	// Cloud side.
	day := d.AsOf
	candidates := cloudCandidates(a.Task, acc)
	cloudOpts, skipped := e.cloudOptions(candidates, T)
	if len(skipped) > 0 {
		d.Notes = append(d.Notes, fmt.Sprintf("%s cloud candidates left out: %s", a.Task, strings.Join(skipped, "; ")))
	}
	fellBack := len(cloudOpts) == 0
	if fellBack {
		// An early as-of date (or a user catalog) can leave every candidate
		// unpriced; the models priced that day still make a cloud side.
		var scope string
		cloudOpts, scope = e.fallbackCloud(candidates, acc.Level != AccuracyGoodEnough, T)
		if len(cloudOpts) > 0 {
			d.Reasons = append(d.Reasons, fmt.Sprintf("none of the %s cloud candidates (%s) is priced on %s, so the cloud side is the %s priced then", a.Task, strings.Join(candidates, ", "), day, scope))
		} else {
			d.Reasons = append(d.Reasons, fmt.Sprintf("the catalog has no cloud model priced on %s", day))
		}
	}
	if cloudOpts != nil {
		d.CloudOptions = cloudOpts
	}
	for _, c := range d.CloudOptions {
		if c.Excluded == "" && d.BestCloud == nil {
			d.BestCloud = c
		}
	}
	if acc.Level == AccuracyMinScore {
		which := fmt.Sprintf("the %s frontier candidates are", a.Task)
		if fellBack {
			which = "the frontier-tier models standing in for them are"
		}
		d.Notes = append(d.Notes, fmt.Sprintf("the catalog has no %s scores for cloud models: %s assumed to meet %s %g", acc.Benchmark, which, acc.Benchmark, acc.MinScore))
	}
	if d.BestCloud != nil && d.BestCloud.ReplySeconds == nil && (a.LatencySeconds > 0 || a.TTFTSeconds > 0) {
		d.Notes = append(d.Notes, fmt.Sprintf("the catalog has no measured latency for %s: its reply time is not checked against the target", d.BestCloud.Model))
	}

	// Local side.
	bench, minScore, qualityOK := localBar(a.Task, acc)
	opts, short, err := e.localOptions(bench, minScore, qualityOK)
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := o.price(T); err != nil {
			return nil, err
		}
	}
	eligible := func(o *LocalOption) bool { return o.fail == "" }
	d.BestLocal = cheapest(opts, eligible)

	regulated := a.Regulated()
	switch {
	case regulated > 0:
		decideRegulated(d, e, opts, regulated, vol, bench, minScore, qualityOK)
	case d.BestLocal == nil && d.BestCloud == nil && len(d.CloudOptions) == 0:
		return nil, &AnswerError{Field: "context_tokens", Msg: fmt.Sprintf("the catalog has no cloud model priced on %s and no local option takes %s tokens of context within the targets: lower the context or the latency target, or pick another --as-of date", day, FormatContextTokens(e.context))}
	case d.BestLocal == nil && d.BestCloud == nil:
		return nil, &AnswerError{Field: "context_tokens", Msg: fmt.Sprintf("no %s cloud candidate and no local option takes %s tokens of context within the targets: lower the context or the latency target", a.Task, FormatContextTokens(e.context))}
	case d.BestLocal == nil:
		d.Verdict = Cloud
		d.Reasons = append(d.Reasons, fmt.Sprintf("at %s %s costs %s/month", vol, d.BestCloud.Model, units.FormatUSD(d.BestCloud.MonthlyCostUSD)))
		d.Reasons = append(d.Reasons, whyNoLocal(opts, short, e, bench, minScore, qualityOK)...)
		d.recommendCloud("all", 1, T, d.BestCloud, acc)
	case d.BestCloud == nil:
		d.Verdict = Local
		if len(d.CloudOptions) > 0 { // else the reason above says no cloud model is priced
			d.Reasons = append(d.Reasons, fmt.Sprintf("no %s cloud candidate meets the answers (%s)", a.Task, cloudExclusions(d.CloudOptions)))
		}
		d.Reasons = append(d.Reasons, localReason(d.BestLocal, vol, e))
		d.recommendLocal("all", 1, T, d.BestLocal)
	default:
		decideByCost(d, e, opts, T, vol, acc)
	}

	// The volume at which cloud and the best local option trade places.
	if d.BestCloud != nil && d.BestLocal != nil {
		x, err := d.BestLocal.Crossover(e.cloudMonthly(d.BestCloud), crossoverLimit(T))
		if err != nil {
			return nil, err
		}
		d.CrossoverTokens = x
		// All-regulated traffic stays local at any volume; a local option
		// that misses the answers (kept only for regulated data) never
		// takes the rest, whatever the volume.
		if regulated < 1 && d.BestLocal.fail == "" {
			d.volumeChange(x, T, regulated)
		}
	}
	if regulated > 0 && d.BestCloud != nil && d.BestLocal != nil && d.BestCloud.MonthlyCostUSD.LessThan(d.BestLocal.MonthlyCostUSD) {
		d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: "privacy", Unit: "", Verdict: Cloud,
			Text: fmt.Sprintf("without regulated data, %s would serve all of it for %s/month", d.BestCloud.Model, units.FormatUSD(d.BestCloud.MonthlyCostUSD))})
	}
	if regulated == 0 {
		d.otherChanges(opts, short, e, bench, minScore, qualityOK, T)
	}
	d.budget(a)
	if len(d.Recommendations) > 0 {
		monthly, upfront := decimal.Zero, decimal.Zero
		for _, r := range d.Recommendations {
			monthly, upfront = monthly.Add(r.MonthlyCostUSD), upfront.Add(r.UpfrontUSD)
		}
		d.MonthlyCostUSD, d.UpfrontUSD = &monthly, &upfront
	}

	// Local options shown: the cheapest eligible ones.
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].MonthlyCostUSD.LessThan(opts[j].MonthlyCostUSD) })
	if l := d.BestLocal; l != nil && l.fail != "" {
		// Chosen although it misses an answer (regulated data): listed, with why.
		l.Excluded = "misses the " + l.fail + " answer"
		d.LocalOptions = append(d.LocalOptions, l)
	}
	for _, o := range opts {
		if o.fail == "" && len(d.LocalOptions) < maxLocalShown {
			d.LocalOptions = append(d.LocalOptions, o)
		}
	}
	for _, r := range d.Recommendations {
		if r.Kind == "local" && d.BestLocal != nil {
			for _, o := range opts {
				if o.Model == r.Model && o.GPU == r.GPU && o.Mode == r.Mode {
					if o.measuredNote != "" {
						d.Notes = append(d.Notes, o.measuredNote)
					}
					d.Notes = append(d.Notes, o.notes...)
					break
				}
			}
		}
	}
	if a.Privacy == PrivacyContractual && d.Verdict != Local {
		d.Notes = append(d.Notes, "contractual privacy: the cloud part needs the provider's data-processing terms (zero data retention, no training on prompts); check them before sending traffic")
	}
	if a.OpsHoursPerMonth.IsZero() && d.Verdict != Cloud {
		d.Notes = append(d.Notes, "no operations time counted for local: add --ops-hours to price the hours spent running it")
	}
	return d, nil
}

func splitFor(T int64, share decimal.Decimal) [2]int64 {
	in := decimal.NewFromInt(T).Mul(share).Floor().IntPart()
	return [2]int64{in, T - in}
}

func quality(o *LocalOption) string {
	if o.Score == nil || o.Benchmark == "" {
		return "no published score in the catalog"
	}
	return fmt.Sprintf("%s %g", o.Benchmark, *o.Score)
}

func (d *Decision) recommendCloud(role string, share float64, tokens int64, c *CloudOption, acc Accuracy) {
	q := "value tier for the task"
	if acc.Level != AccuracyGoodEnough {
		q = "frontier tier for the task"
	}
	d.Recommendations = append(d.Recommendations, Recommendation{Role: role, Kind: "cloud", Model: c.Model, Provider: c.Provider,
		TrafficShare: share, TokensPerMonth: tokens, MonthlyCostUSD: c.MonthlyCostUSD, UpfrontUSD: decimal.Zero, Quality: q, ReplySeconds: c.ReplySeconds})
}

func (d *Decision) recommendLocal(role string, share float64, tokens int64, o *LocalOption) {
	reply := math.Round(o.ReplySeconds*100) / 100
	d.Recommendations = append(d.Recommendations, Recommendation{Role: role, Kind: "local", Model: o.Model, GPU: o.GPU, GPUs: o.GPUs, Machines: max(o.Replicas, 1),
		Quant: o.Quant, Mode: o.Mode, Provider: o.Provider, TrafficShare: share, TokensPerMonth: tokens, MonthlyCostUSD: o.MonthlyCostUSD,
		UpfrontUSD: o.UpfrontUSD, Quality: quality(o), ReplySeconds: &reply, HFRepo: o.HFRepo, Measured: o.Measured})
}

func localReason(o *LocalOption, vol string, e *env) string {
	s := fmt.Sprintf("the cheapest local option that fits, %s, costs %s/month at %s", o.Label(), units.FormatUSD(o.MonthlyCostUSD), vol)
	switch o.Mode {
	case ModeOwned:
		s += fmt.Sprintf(" with %s of hardware amortized over %s months", units.FormatUSD(o.UpfrontUSD), e.basis.AmortizationMonths)
	case ModeSunk:
		s += " (the GPUs are already paid for: energy and operations only)"
	case ModeRented:
		s += " in rent"
	}
	return s + fmt.Sprintf("; replies in about %.1f s", o.ReplySeconds)
}

// decideByCost: both sides are possible; the cheaper one for this workload
// wins, with a hybrid (local base load, cloud overflow) for spiky traffic.
func decideByCost(d *Decision, e *env, opts []*LocalOption, T int64, vol string, acc Accuracy) {
	c, l := d.BestCloud, d.BestLocal
	d.Reasons = append(d.Reasons, fmt.Sprintf("at %s the cheapest %s cloud option, %s, costs %s/month", vol, e.a.Task, c.Model, units.FormatUSD(c.MonthlyCostUSD)))
	d.Reasons = append(d.Reasons, localReason(l, vol, e))
	if l.Mode == ModeOwned {
		if m := breakeven(l, c); m != nil {
			s := fmt.Sprintf("against %s the hardware pays for itself in %s months", c.Model, m.StringFixed(1))
			if m.GreaterThan(e.basis.AmortizationMonths) {
				s += fmt.Sprintf(", longer than the %s months it is amortized over", e.basis.AmortizationMonths)
			}
			d.Reasons = append(d.Reasons, s)
		} else {
			d.Reasons = append(d.Reasons, fmt.Sprintf("against %s the hardware never pays for itself at this volume: running it (%s/month) costs at least as much as the cloud bill (%s/month)", c.Model, units.FormatUSD(l.RunningUSD), units.FormatUSD(c.MonthlyCostUSD)))
		}
	}
	unusedOwnedReason(d, e, opts, l)
	best, bestCost := Cloud, c.MonthlyCostUSD
	if l.MonthlyCostUSD.LessThan(bestCost) {
		best, bestCost = Local, l.MonthlyCostUSD
	}
	// Spiky load: local sized for the average, bursts to the cloud.
	var hyb *hybridPlan
	if e.a.Peak() > 1 {
		hyb = bestSpikyHybrid(opts, c, e, T)
		if hyb != nil && hyb.total.LessThan(bestCost) {
			best, bestCost = Hybrid, hyb.total
		}
		if l.Replicas > 1 || hyb != nil {
			d.Reasons = append(d.Reasons, fmt.Sprintf("spiky load (peak %gx the average) sizes local capacity for the peak: %d replica(s) of %d GPU(s)", e.a.Peak(), l.Replicas, l.GPUsPerReplica))
		}
	}
	d.Verdict = best
	switch best {
	case Cloud:
		d.Reasons = append(d.Reasons, fmt.Sprintf("cloud is cheaper by %s/month", units.FormatUSD(l.MonthlyCostUSD.Sub(c.MonthlyCostUSD))))
		d.recommendCloud("all", 1, T, c, acc)
	case Local:
		d.Reasons = append(d.Reasons, fmt.Sprintf("local is cheaper by %s/month", units.FormatUSD(c.MonthlyCostUSD.Sub(l.MonthlyCostUSD))))
		d.recommendLocal("all", 1, T, l)
	case Hybrid:
		base := *hyb.local
		base.MonthlyCostUSD, base.UpfrontUSD, base.Replicas, base.GPUs = hyb.localCost, hyb.localUpfront, hyb.replicas, hyb.replicas*hyb.local.GPUsPerReplica
		d.Reasons = append(d.Reasons, fmt.Sprintf("hybrid: %s sized for the average load serves %.0f%% of the tokens and the bursts above it (%.0f%%) go to %s, %s/month in all — cheaper than cloud only (%s) or local sized for the peak (%s)",
			base.Label(), (1-hyb.overflow)*100, hyb.overflow*100, c.Model, units.FormatUSD(hyb.total), units.FormatUSD(c.MonthlyCostUSD), units.FormatUSD(l.MonthlyCostUSD)))
		over := int64(math.Round(float64(T) * hyb.overflow))
		d.recommendLocal("base", 1-hyb.overflow, T-over, &base)
		oc := *c
		oc.MonthlyCostUSD = hyb.cloudCost
		d.recommendCloud("overflow", hyb.overflow, over, &oc, acc)
	}
}

func breakeven(l *LocalOption, c *CloudOption) *decimal.Decimal {
	saving := c.MonthlyCostUSD.Sub(l.RunningUSD)
	if !saving.IsPositive() {
		return nil
	}
	m := l.UpfrontUSD.Div(saving)
	return &m
}

type hybridPlan struct {
	local                              *LocalOption
	replicas                           int
	overflow                           float64
	localCost, localUpfront, cloudCost decimal.Decimal
	total                              decimal.Decimal
}

// bestSpikyHybrid models the load as two levels: peaks at p × the average
// and quiet periods at the average ÷ p, so the peak holds for 1/(p+1) of the
// time. Local replicas sized for the average serve up to their capacity;
// the tokens above it (overflow) go to the cloud model c.
func bestSpikyHybrid(opts []*LocalOption, c *CloudOption, e *env, T int64) *hybridPlan {
	p := e.a.Peak()
	q := 1 / (p + 1)
	var best *hybridPlan
	for _, o := range opts {
		if o.fail != "" {
			continue
		}
		lm, err := o.month(T, 1)
		if err != nil || !lm.Feasible || !lm.BusyReplicaHours.IsPositive() {
			continue
		}
		capRatio := e.basis.HoursPerMonth.Mul(decimal.NewFromInt(int64(lm.Replicas))).Div(lm.BusyReplicaHours).InexactFloat64()
		if capRatio >= p {
			continue // the average-sized setup already absorbs the peak
		}
		overflow := q * (p - capRatio)
		cc, err := e.cloudMonthly(c)(int64(math.Round(float64(T) * overflow)))
		if err != nil {
			continue
		}
		h := &hybridPlan{local: o, replicas: lm.Replicas, overflow: overflow, localCost: lm.Total, localUpfront: lm.Upfront, cloudCost: cc, total: lm.Total.Add(cc)}
		if best == nil || h.total.LessThan(best.total) {
			best = h
		}
	}
	return best
}

// unusedOwnedReason says why the GPUs the user owns are not the pick l:
// running them costs more, or they cannot meet the answers.
func unusedOwnedReason(d *Decision, e *env, opts []*LocalOption, l *LocalOption) {
	if len(e.a.HaveGPUs) == 0 || l.Mode == ModeSunk {
		return
	}
	if s := cheapest(opts, func(o *LocalOption) bool { return o.fail == "" && o.Mode == ModeSunk }); s != nil {
		d.Reasons = append(d.Reasons, fmt.Sprintf("the GPUs you own are sunk cost, but running them is not: %s costs %s/month in energy and operations, more than the option above", s.Label(), units.FormatUSD(s.MonthlyCostUSD)))
	} else {
		d.Reasons = append(d.Reasons, ownedGPUsReason(opts, e.a))
	}
}

// decideRegulated: regulated traffic never goes to a cloud API.
func decideRegulated(d *Decision, e *env, opts []*LocalOption, share float64, vol, bench string, minScore float64, qualityOK bool) {
	T := e.a.Monthly()
	l := d.BestLocal
	if l == nil {
		// Quality or latency rule every local option out; the data still
		// cannot leave, so take the best that runs and say what is given up.
		l = bestRunnable(opts)
		if l == nil {
			d.Verdict = Local
			d.Reasons = append(d.Reasons, fmt.Sprintf("privacy regulated: the regulated traffic must stay local, but no open model in the catalog runs this workload (context %s tokens); shorten the context or add hardware to the catalog", FormatContextTokens(e.context)))
			return
		}
		d.BestLocal = l
		why := strings.Join(whyNoLocal(opts, nil, e, bench, minScore, qualityOK), "; ")
		d.Reasons = append(d.Reasons, fmt.Sprintf("privacy regulated: no local option meets every answer (%s), but regulated data cannot go to a cloud API; the best local model that runs is %s (%s) — expect lower quality or slower replies", why, l.Model, quality(l)))
	} else {
		d.Reasons = append(d.Reasons, "privacy regulated: regulated traffic never goes to a cloud API, whatever it costs")
	}
	if share >= 1 || d.BestCloud == nil {
		d.Verdict = Local
		d.Reasons = append(d.Reasons, localReason(l, vol, e))
		unusedOwnedReason(d, e, opts, l)
		if d.BestCloud != nil {
			d.Reasons = append(d.Reasons, fmt.Sprintf("for comparison, %s would cost %s/month if privacy allowed it", d.BestCloud.Model, units.FormatUSD(d.BestCloud.MonthlyCostUSD)))
		}
		d.recommendLocal("regulated", 1, T, l)
		return
	}
	// Part regulated: the regulated share runs locally; the rest goes where it is cheaper.
	regT := int64(math.Round(float64(T) * share))
	rest := T - regT
	lr := l // a relaxed choice (best quality that runs) stays the choice
	if l.fail == "" {
		if c := cheapestAt(opts, regT); c != nil {
			lr = c
		}
	}
	cr, err := e.cloudMonthly(d.BestCloud)(rest)
	if err != nil {
		d.Verdict = Local
		d.Reasons = append(d.Reasons, localReason(l, vol, e))
		d.recommendLocal("all", 1, T, l)
		return
	}
	lrm, _ := lr.Monthly(regT)
	hybrid := lrm.Total.Add(cr)
	// Only a local option that meets every answer may take the traffic that
	// could leave; a relaxed one (l.fail set) serves the regulated share alone.
	if l.fail == "" && l.MonthlyCostUSD.LessThanOrEqual(hybrid) {
		d.Verdict = Local
		d.Reasons = append(d.Reasons, localReason(l, vol, e))
		d.Reasons = append(d.Reasons, fmt.Sprintf("the %.0f%% that is not regulated is also cheaper locally: all-local %s/month vs %s/month with %s for the rest", (1-share)*100, units.FormatUSD(l.MonthlyCostUSD), units.FormatUSD(hybrid), d.BestCloud.Model))
		d.recommendLocal("all", 1, T, l)
		return
	}
	d.Verdict = Hybrid
	d.Reasons = append(d.Reasons, fmt.Sprintf("the regulated %.0f%% (%s tokens/month) runs on %s for %s/month; the other %.0f%% goes to %s for %s/month — %s in all, vs %s all-local",
		share*100, units.FormatTokens(regT), lr.Label(), units.FormatUSD(lrm.Total), (1-share)*100, d.BestCloud.Model, units.FormatUSD(cr), units.FormatUSD(hybrid), units.FormatUSD(l.MonthlyCostUSD)))
	if l.fail != "" && l.MonthlyCostUSD.LessThanOrEqual(hybrid) {
		d.Reasons = append(d.Reasons, fmt.Sprintf("all-local would cost no more, but %s does not meet the answers (%s), so only the regulated share runs there", l.Model, l.fail))
	}
	reg := *lr
	reg.MonthlyCostUSD, reg.UpfrontUSD, reg.GPUs = lrm.Total, lrm.Upfront, lrm.Replicas*lr.GPUsPerReplica
	d.recommendLocal("regulated", share, regT, &reg)
	rc := *d.BestCloud
	rc.MonthlyCostUSD = cr
	d.recommendCloud("rest", 1-share, rest, &rc, Accuracy{Level: AccuracyGoodEnough})
}

// cheapestAt is the cheapest eligible option at another volume.
func cheapestAt(opts []*LocalOption, tokens int64) *LocalOption {
	var best *LocalOption
	var bestCost decimal.Decimal
	for _, o := range opts {
		if o.fail != "" {
			continue
		}
		lm, err := o.Monthly(tokens)
		if err != nil || !lm.Feasible {
			continue
		}
		if best == nil || lm.Total.LessThan(bestCost) {
			best, bestCost = o, lm.Total
		}
	}
	return best
}

// bestRunnable is the highest-scoring option that runs (any fail but
// capacity), cheapest among equals.
func bestRunnable(opts []*LocalOption) *LocalOption {
	var best *LocalOption
	for _, o := range opts {
		if o.fail == "capacity" {
			continue
		}
		if best == nil || scoreVal(o) > scoreVal(best) || scoreVal(o) == scoreVal(best) && o.MonthlyCostUSD.LessThan(best.MonthlyCostUSD) {
			best = o
		}
	}
	return best
}

func scoreVal(o *LocalOption) float64 {
	if o.Score == nil {
		return -1
	}
	return *o.Score
}

func cloudExclusions(cs []*CloudOption) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Model+": "+c.Excluded)
	}
	return strings.Join(parts, "; ")
}

// whyNoLocal explains, with numbers, why no local option qualifies.
func whyNoLocal(opts []*LocalOption, short []string, e *env, bench string, minScore float64, qualityOK bool) []string {
	var out []string
	if len(short) > 0 && len(opts) == 0 {
		return append(out, fmt.Sprintf("no open model in the catalog takes a %s-token context (longest: %s tokens)", FormatContextTokens(e.context), FormatContextTokens(int64(longestLocal(e)))))
	}
	if !qualityOK {
		out = append(out, "accuracy best: no open model in the catalog is shown to reach frontier quality, so local is not an option for this traffic")
	} else if best := bestScore(opts); best == nil || *best.Score < minScore {
		s := fmt.Sprintf("accuracy: no local model that fits reaches %s %g", bench, minScore)
		if best != nil {
			s += fmt.Sprintf(" (best: %s at %g)", best.Model, *best.Score)
		}
		out = append(out, s)
	}
	if l := fastest(opts, "latency"); l != nil {
		out = append(out, fmt.Sprintf("latency: no qualifying local option replies within %g s (fastest: %s at %.1f s for %d prompt + %d output tokens)", e.a.LatencySeconds, l.Label(), l.ReplySeconds, e.prompt, e.output))
	}
	if l := fastestTTFT(opts); l != nil {
		out = append(out, fmt.Sprintf("time to first token: no qualifying local option starts within %g s (fastest: %s at %.2f s)", e.a.TTFTSeconds, l.Label(), l.TTFTSeconds))
	}
	return out
}

func longestLocal(e *env) int {
	best := 0
	for _, id := range e.cat.OpenModelIDs() {
		om, _ := e.cat.Open(id)
		if n := int(om.MaxContext.D.IntPart()); n > best {
			best = n
		}
	}
	return best
}

func bestScore(opts []*LocalOption) *LocalOption {
	var best *LocalOption
	for _, o := range opts {
		if o.Score != nil && (best == nil || *o.Score > *best.Score) {
			best = o
		}
	}
	return best
}

// ownedGPUsReason says why no model on the GPUs the answers own meets
// them, with the numbers of the one that came closest: one that fits but
// replies too slowly, or starts too slowly, or scores too low, or cannot
// keep up with the volume, in that order; "cannot hold" only when none
// fits at all.
func ownedGPUsReason(opts []*LocalOption, a *Answers) string {
	sunk := func(fail string) []*LocalOption {
		var out []*LocalOption
		for _, o := range opts {
			if o.Mode == ModeSunk && o.fail == fail {
				out = append(out, o)
			}
		}
		return out
	}
	if o := fastest(sunk("latency"), "latency"); o != nil {
		return fmt.Sprintf("the GPUs you own hold %s (%s), but its reply takes about %.2f s, over the %g s the answers allow", o.Model, o.Quant, o.ReplySeconds, a.LatencySeconds)
	}
	if o := fastestTTFT(sunk("ttft")); o != nil {
		return fmt.Sprintf("the GPUs you own hold %s (%s), but its first token takes about %.2f s, over the %g s the answers allow", o.Model, o.Quant, o.TTFTSeconds, a.TTFTSeconds)
	}
	var best *LocalOption
	for _, o := range sunk("accuracy") {
		if o.Score != nil && (best == nil || *o.Score > *best.Score) {
			best = o
		}
	}
	if best != nil {
		return fmt.Sprintf("the GPUs you own hold %s (%s), but the best score among the models they hold, %s %g, is below what the task needs", best.Model, best.Quant, best.Benchmark, *best.Score)
	}
	if c := sunk("capacity"); len(c) > 0 {
		return fmt.Sprintf("the GPUs you own hold %s (%s), but not enough copies of it to serve the volume", c[0].Model, c[0].Quant)
	}
	return "the GPUs you own cannot hold a model that meets the answers"
}

// fastest is the quickest option that failed only on fail.
func fastest(opts []*LocalOption, fail string) *LocalOption {
	var best *LocalOption
	for _, o := range opts {
		if o.fail == fail && (best == nil || o.ReplySeconds < best.ReplySeconds) {
			best = o
		}
	}
	return best
}

func fastestTTFT(opts []*LocalOption) *LocalOption {
	var best *LocalOption
	for _, o := range opts {
		if o.fail == "ttft" && (best == nil || o.TTFTSeconds < best.TTFTSeconds) {
			best = o
		}
	}
	return best
}

// volumeChange states the crossover as a flip of the verdict.
func (d *Decision) volumeChange(x *int64, T int64, regulated float64) {
	l, c := d.BestLocal, d.BestCloud
	if x == nil {
		if d.Verdict == Local {
			return // local for the regulated share; "never cheaper" would contradict the reason given
		}
		d.Reasons = append(d.Reasons, fmt.Sprintf("%s never becomes cheaper than %s below %s tokens/month", l.Label(), c.Model, units.FormatTokens(crossoverLimit(T))))
		return
	}
	if *x > T && d.Verdict == Local {
		// Local already (regulated traffic pays for the machine): a volume
		// at which local "starts" to pay would change nothing.
		return
	}
	if *x > T {
		d.Reasons = append(d.Reasons, fmt.Sprintf("local breaks even above %s tokens/month", units.FormatTokens(*x)))
		d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: "volume", Threshold: float64(*x), Unit: "tokens_per_month", Verdict: Local,
			Text: fmt.Sprintf("above %s tokens/month %s costs no more than %s", units.FormatTokens(*x), l.Label(), c.Model)})
	} else if (d.Verdict == Local || d.Verdict == Hybrid) && regulated == 0 {
		// (Regulated traffic cannot go to the cloud at any volume.)
		d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: "volume", Threshold: float64(*x), Unit: "tokens_per_month", Verdict: Cloud,
			Text: fmt.Sprintf("below %s tokens/month %s is cheaper than %s", units.FormatTokens(*x), c.Model, l.Label())})
	}
}

// otherChanges: the latency, context, accuracy and privacy at which the verdict flips.
func (d *Decision) otherChanges(opts []*LocalOption, short []string, e *env, bench string, minScore float64, qualityOK bool, T int64) {
	if d.Verdict == Cloud {
		d.latencyChanges(opts, true)
		if len(opts) == 0 && len(short) > 0 {
			n := longestLocal(e)
			d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: "context", Threshold: float64(n), Unit: "tokens", Verdict: Local,
				Text: fmt.Sprintf("a context of %s tokens or less brings open models into play", FormatContextTokens(int64(n)))})
		}
		if qualityOK {
			if o := cheapest(opts, func(o *LocalOption) bool { return o.fail == "accuracy" && o.Score != nil }); o != nil && d.BestCloud != nil && o.MonthlyCostUSD.LessThan(d.BestCloud.MonthlyCostUSD) {
				d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: "accuracy", Threshold: *o.Score, Unit: "score", Verdict: Local,
					Text: fmt.Sprintf("accepting %s %g (%s) would make local cheaper: %s/month", bench, *o.Score, o.Model, units.FormatUSD(o.MonthlyCostUSD))})
			}
		}
		// What regulated data would force: the same choice decideRegulated makes.
		if l := d.BestLocal; l != nil {
			d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: "privacy", Threshold: 0, Unit: "", Verdict: Local,
				Text: fmt.Sprintf("regulated data would force local: %s at %s/month", l.Label(), units.FormatUSD(l.MonthlyCostUSD))})
		} else if l := bestRunnable(opts); l != nil {
			d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: "privacy", Threshold: 0, Unit: "", Verdict: Local,
				Text: fmt.Sprintf("regulated data would force local, below the answers' quality or speed: %s (%s) at %s/month", l.Label(), quality(l), units.FormatUSD(l.MonthlyCostUSD))})
		}
	}
	if d.Verdict != Cloud {
		d.latencyChanges(opts, false)
	}
}

func ceil2(v float64) float64 { return math.Ceil(v*100) / 100 }

// latencyChanges: the reply-time (and first-token) target at which a local
// option cheaper than the cloud starts or stops meeting the target. It is
// the fastest such option's time, rounded up to 10 ms, so a target at the
// threshold admits it and one 10 ms below does not.
func (d *Decision) latencyChanges(opts []*LocalOption, toLocal bool) {
	c := d.BestCloud
	if c == nil {
		return
	}
	a := d.answers
	for _, k := range []struct {
		kind, fail, what string
		target           float64
		time             func(*LocalOption) float64
	}{
		{"latency", "latency", "reply-time", a.LatencySeconds, func(o *LocalOption) float64 { return o.ReplySeconds }},
		{"ttft", "ttft", "time-to-first-token", a.TTFTSeconds, func(o *LocalOption) float64 { return o.TTFTSeconds }},
	} {
		if k.target == 0 {
			continue
		}
		var fastest *LocalOption
		for _, o := range opts {
			blocked := o.fail == k.fail
			if !(o.fail == "" || blocked) || !o.MonthlyCostUSD.LessThan(c.MonthlyCostUSD) || toLocal && !blocked {
				continue
			}
			if fastest == nil || k.time(o) < k.time(fastest) {
				fastest = o
			}
		}
		if fastest == nil {
			continue
		}
		t := ceil2(k.time(fastest))
		if toLocal {
			d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: k.kind, Threshold: t, Unit: "seconds", Verdict: Local,
				Text: fmt.Sprintf("a %s target of %.2f s or more lets %s qualify at %s/month, less than %s", k.what, t, fastest.Label(), units.FormatUSD(fastest.MonthlyCostUSD), c.Model)})
		} else {
			d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: k.kind, Threshold: t, Unit: "seconds", Verdict: Cloud,
				Text: fmt.Sprintf("a %s target under %.2f s leaves no local option cheaper than %s (the fastest, %s, takes %.2f s)", k.what, t, c.Model, fastest.Label(), k.time(fastest))})
		}
	}
}

// budget compares the recommended setup with the monthly budget.
func (d *Decision) budget(a *Answers) {
	if a.BudgetUSD == nil {
		return
	}
	total := decimal.Zero
	for _, r := range d.Recommendations {
		total = total.Add(r.MonthlyCostUSD)
	}
	b := *a.BudgetUSD
	if total.LessThanOrEqual(b) {
		d.Reasons = append(d.Reasons, fmt.Sprintf("within the %s monthly budget (%s/month)", units.FormatUSD(b), units.FormatUSD(total)))
		return
	}
	d.Reasons = append(d.Reasons, fmt.Sprintf("over the %s monthly budget: the cheapest setup that meets the answers costs %s/month", units.FormatUSD(b), units.FormatUSD(total)))
	d.WhatWouldChangeIt = append(d.WhatWouldChangeIt, Change{Kind: "budget", Threshold: total.InexactFloat64(), Unit: "usd_per_month", Verdict: d.Verdict,
		Text: fmt.Sprintf("a budget of %s/month covers it; otherwise lower the accuracy or latency needs, or the volume", units.FormatUSD(total))})
}
