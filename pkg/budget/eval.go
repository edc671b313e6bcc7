package budget

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/llmcost/llmcost/pkg/units"
)

// Warning windows (DESIGN: a CI gate should say when its numbers rot).
const (
	StaleAfterDays     = 180 // a price not re-verified for longer is stale
	UpcomingChangeDays = 90  // a scheduled price change this close is announced
)

// Finding kinds.
const (
	KindMonthlyLimit     = "monthly_limit"
	KindWorkloadLimit    = "workload_limit"
	KindMaxIncreaseUSD   = "max_increase_usd"
	KindMaxIncreasePct   = "max_increase_pct"
	KindModelDeprecated  = "model_deprecated"
	KindModelRetired     = "model_retired"
	KindPriceStale       = "price_stale"
	KindPriceUnverified  = "price_unverified"
	KindPriceChange      = "price_change"
	KindPrivacyRegulated = "privacy_regulated"
)

var hundred = decimal.NewFromInt(100)

// Options of an evaluation.
type Options struct {
	Today    time.Time // warnings are relative to today; prices to assumptions.as_of (default today)
	Strict   bool      // warnings become violations
	Baseline *Baseline // a previous report, for limits.max_increase_*
}

// Report is the result of `llmcost check` (its JSON is a contract:
// DESIGN.md "Outputs").
type Report struct {
	SchemaVersion   int              `json:"schema_version"`
	OK              bool             `json:"ok"`
	AsOf            string           `json:"as_of"`
	TotalMonthlyUSD decimal.Decimal  `json:"total_monthly_usd"`
	Files           []FileResult     `json:"files"`
	Workloads       []WorkloadResult `json:"workloads"`
	Violations      []Finding        `json:"violations"`
	Warnings        []Finding        `json:"warnings"`
	Baseline        *BaselineDelta   `json:"baseline,omitempty"`
	Notes           []string         `json:"notes"`
}

// FileResult is one budget file's total against its own limit.
type FileResult struct {
	File            string           `json:"file"`
	AsOf            string           `json:"as_of"`
	TotalMonthlyUSD decimal.Decimal  `json:"total_monthly_usd"`
	LimitUSD        *decimal.Decimal `json:"limit_usd"`
	OK              bool             `json:"ok"`
}

// WorkloadResult is one workload priced for a month.
type WorkloadResult struct {
	Name               string           `json:"name"`
	File               string           `json:"file"`
	Line               int              `json:"line"`
	Kind               string           `json:"kind"` // cloud | local
	Model              string           `json:"model"`
	Provider           string           `json:"provider"` // the cloud provider, or owned | rented
	GPUs               int              `json:"gpus,omitempty"`
	UpfrontUSD         *decimal.Decimal `json:"upfront_usd,omitempty"`
	RequestsPerMonth   int64            `json:"requests_per_month"`
	PromptTokens       int64            `json:"prompt_tokens_per_request"`  // the mean over the distribution, to a whole token
	OutputTokens       int64            `json:"output_tokens_per_request"`  // the mean, to a whole token
	OutputDistribution []TokenShare     `json:"output_tokens_distribution"` // as the budget gives it (the prompt's is in buckets)
	InputTokens        int64            `json:"input_tokens"`
	OutputTokensMonth  int64            `json:"output_tokens"`
	MonthlyUSD         decimal.Decimal  `json:"monthly_usd"`
	LimitUSD           *decimal.Decimal `json:"limit_usd"`
	PriceEffectiveFrom string           `json:"price_effective_from"`
	Discount           *decimal.Decimal `json:"discount,omitempty"`
	RatesOverridden    bool             `json:"rates_overridden,omitempty"`
	Buckets            []BucketResult   `json:"buckets"`
	BaselineMonthlyUSD *decimal.Decimal `json:"baseline_monthly_usd,omitempty"`
	DeltaUSD           *decimal.Decimal `json:"delta_usd,omitempty"`

	// PromptSpec and OutputSpec are the counts as the budget file gives
	// them, for people: "1,200", "p50 800 / p90 3,000 / p99 12,000".
	PromptSpec, OutputSpec string `json:"-"`

	localNotes []string // unverified catalog values a local price used
}

// TokenShare is one value of a per-request token distribution and the
// share of requests that have it.
type TokenShare struct {
	Tokens int64           `json:"tokens"`
	Share  decimal.Decimal `json:"share"`
}

// setTokens fills the per-request token fields from the workload.
func (wr *WorkloadResult) setTokens(w *Workload) {
	wr.PromptTokens, wr.PromptSpec = w.PromptTokens.Mean().Round(0).IntPart(), w.PromptTokens.String()
	wr.OutputTokens, wr.OutputSpec = w.OutputTokens.Mean().Round(0).IntPart(), w.OutputTokens.String()
	wr.OutputDistribution = make([]TokenShare, len(w.OutputTokens.Buckets))
	for i, b := range w.OutputTokens.Buckets {
		wr.OutputDistribution[i] = TokenShare{Tokens: b.Tokens, Share: b.Share}
	}
}

// BucketResult is the part of a workload's requests with one prompt length.
type BucketResult struct {
	PromptTokens    int64           `json:"prompt_tokens"`
	Share           decimal.Decimal `json:"share"`
	Requests        decimal.Decimal `json:"requests"`
	TierAboveTokens *int64          `json:"tier_above_tokens"`
	MonthlyUSD      decimal.Decimal `json:"monthly_usd"`
}

// Finding is a violation or a warning, located in its file.
type Finding struct {
	Kind        string           `json:"kind"`
	File        string           `json:"file"`
	Line        int              `json:"line"`
	Workload    string           `json:"workload,omitempty"`
	Model       string           `json:"model,omitempty"`
	Message     string           `json:"message"`
	ActualUSD   *decimal.Decimal `json:"actual_usd,omitempty"`
	LimitUSD    *decimal.Decimal `json:"limit_usd,omitempty"`
	FromWarning bool             `json:"from_warning,omitempty"` // --strict turned a warning into this violation
}

// BaselineDelta compares the total with a previous report.
type BaselineDelta struct {
	File            string           `json:"file"`
	TotalMonthlyUSD decimal.Decimal  `json:"total_monthly_usd"`
	DeltaUSD        decimal.Decimal  `json:"delta_usd"`
	DeltaPct        *decimal.Decimal `json:"delta_pct"` // null when the baseline total is 0
}

func dec(d decimal.Decimal) *decimal.Decimal { return &d }

// Check prices every workload of every config and holds them against the
// configs' limits. Bad input (unknown model, impossible prompt length,
// an unpriced token kind) is an *Error with file:line; a budget that is
// over its limits is a Report with OK false.
func Check(cat *catalog.Catalog, cfgs []*Config, o Options) (*Report, error) {
	today := o.Today.UTC().Truncate(24 * time.Hour)
	rep := &Report{SchemaVersion: 1, OK: true, Files: []FileResult{}, Workloads: []WorkloadResult{}, Violations: []Finding{}, Warnings: []Finding{}, Notes: []string{}}
	var is issues
	seen := map[string]string{}
	for _, c := range cfgs {
		for _, w := range c.Workloads {
			if prev, ok := seen[w.Name.V]; ok {
				is.Add(c.File, w.Line, "name", "workload %q is also defined in %s; names must be unique across the files checked together", w.Name.V, prev)
			}
			seen[w.Name.V] = fmt.Sprintf("%s:%d", c.File, w.Line)
		}
	}
	if err := is.Err(errKind); err != nil {
		return nil, err
	}
	for _, c := range cfgs {
		pr, err := newPricer(cat, c, today)
		if err != nil {
			return nil, err
		}
		fr := FileResult{File: c.File, AsOf: pr.asOf.Format(time.DateOnly), OK: true}
		if rep.AsOf == "" {
			rep.AsOf = fr.AsOf
		}
		limits := map[string]USD{}
		for _, e := range c.Limits.Workloads.Entries {
			limits[e.Key.V] = e.Value
		}
		var is issues
		for i := range c.Workloads {
			w := &c.Workloads[i]
			wr, err := pr.price(w)
			if err != nil {
				var ie *Error
				if errors.As(err, &ie) {
					is = append(is, ie.Issues...)
					continue
				}
				return nil, err
			}
			if l, ok := limits[w.Name.V]; ok {
				wr.LimitUSD = dec(l.D)
				if wr.MonthlyUSD.GreaterThan(l.D) {
					rep.Violations = append(rep.Violations, Finding{
						Kind: KindWorkloadLimit, File: c.File, Line: w.Line, Workload: w.Name.V, Model: wr.Model,
						Message:   fmt.Sprintf("%s costs %s/month, over its %s limit", w.Name.V, units.FormatUSD(wr.MonthlyUSD), units.FormatUSD(l.D)),
						ActualUSD: dec(wr.MonthlyUSD), LimitUSD: dec(l.D),
					})
				}
			}
			rep.Warnings = append(rep.Warnings, pr.warnings(w, &wr)...)
			fr.TotalMonthlyUSD = fr.TotalMonthlyUSD.Add(wr.MonthlyUSD)
			rep.Workloads = append(rep.Workloads, wr)
		}
		if err := is.Err(errKind); err != nil {
			return nil, err
		}
		if l := c.Limits.MonthlyUSD; l.Set {
			fr.LimitUSD = dec(l.D)
			if fr.TotalMonthlyUSD.GreaterThan(l.D) {
				rep.Violations = append(rep.Violations, Finding{
					Kind: KindMonthlyLimit, File: c.File, Line: l.Line,
					Message:   fmt.Sprintf("the budget's workloads cost %s/month in total, over the %s limit", units.FormatUSD(fr.TotalMonthlyUSD), units.FormatUSD(l.D)),
					ActualUSD: dec(fr.TotalMonthlyUSD), LimitUSD: dec(l.D),
				})
			}
		}
		rep.TotalMonthlyUSD = rep.TotalMonthlyUSD.Add(fr.TotalMonthlyUSD)
		rep.Files = append(rep.Files, fr)
	}
	if err := compareBaseline(rep, cfgs, o.Baseline); err != nil {
		return nil, err
	}
	if o.Strict {
		for _, w := range rep.Warnings {
			w.FromWarning = true
			rep.Violations = append(rep.Violations, w)
		}
		rep.Warnings = []Finding{}
	}
	sortFindings(rep.Violations)
	sortFindings(rep.Warnings)
	for i := range rep.Files {
		for _, v := range rep.Violations {
			if v.File == rep.Files[i].File {
				rep.Files[i].OK = false
			}
		}
	}
	rep.OK = len(rep.Violations) == 0
	return rep, nil
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(a, b int) bool {
		if fs[a].File != fs[b].File {
			return fs[a].File < fs[b].File
		}
		return fs[a].Line < fs[b].Line
	})
}

// pricer prices workloads of one config: its as_of date, discounts and
// rate overrides resolved against the catalog once.
type pricer struct {
	cat       *catalog.Catalog
	file      string
	asOf      time.Time
	today     time.Time
	overrides map[string]*RateOverride       // model id -> rates
	modelDisc map[string]decimal.Decimal     // model id -> share off
	provDisc  map[string]decimal.Decimal     // lower-case provider -> share off
	models    map[string]*catalog.CloudModel // as written -> model (memo for big configs)
	env       *hardware.Env                  // built on the first local option
}

func newPricer(cat *catalog.Catalog, c *Config, today time.Time) (*pricer, error) {
	p := &pricer{cat: cat, file: c.File, asOf: today, today: today,
		overrides: map[string]*RateOverride{}, modelDisc: map[string]decimal.Decimal{}, provDisc: map[string]decimal.Decimal{},
		models: map[string]*catalog.CloudModel{}}
	if !c.Assumptions.AsOf.IsZero() {
		p.asOf = c.Assumptions.AsOf.Time
	}
	providers := map[string]bool{}
	for _, m := range cat.CloudModels() {
		providers[strings.ToLower(m.Provider)] = true
	}
	var is issues
	for i := range c.Assumptions.Prices.Entries {
		e := &c.Assumptions.Prices.Entries[i]
		m, err := cat.Cloud(e.Key.V)
		if err != nil {
			is.Add(c.File, e.Key.Line, "assumptions.prices."+e.Key.V, "%v", err)
			continue
		}
		p.overrides[m.ID.V] = &e.Value
	}
	for _, e := range c.Assumptions.Discounts.Entries {
		if m, err := cat.Cloud(e.Key.V); err == nil {
			p.modelDisc[m.ID.V] = e.Value.D
			continue
		}
		if providers[strings.ToLower(e.Key.V)] {
			p.provDisc[strings.ToLower(e.Key.V)] = e.Value.D
			continue
		}
		is.Add(c.File, e.Key.Line, "assumptions.discounts."+e.Key.V, "names neither a provider nor a model in the catalog")
	}
	return p, is.Err(errKind)
}

func (p *pricer) model(w *Workload) (*catalog.CloudModel, error) {
	if m, ok := p.models[w.Model.V]; ok {
		return m, nil
	}
	m, err := p.cat.Cloud(w.Model.V)
	if err != nil {
		return nil, &Error{Kind: errKind, Issues: []Issue{{File: p.file, Line: w.Model.Line, Field: "model", Msg: err.Error() + " (see llmcost catalog list)"}}}
	}
	p.models[w.Model.V] = m
	return m, nil
}

// priceFor is the catalog price in force on as_of with the config's
// rate overrides applied (to every tier: negotiated prices are flat).
func (p *pricer) priceFor(m *catalog.CloudModel, at time.Time) (*catalog.Price, error) {
	base, err := m.PriceAt(at)
	if err != nil {
		return nil, err
	}
	return withOverride(base, p.overrides[m.ID.V]), nil
}

func withOverride(base *catalog.Price, o *RateOverride) *catalog.Price {
	if o == nil {
		return base
	}
	pr := *base
	pr.Tiers = append([]catalog.Tier(nil), base.Tiers...)
	apply := func(r *catalog.Rates) {
		for _, f := range []struct {
			src USD
			dst *catalog.Num
		}{{o.Input, &r.Input}, {o.Output, &r.Output}, {o.CachedInput, &r.CachedInput}, {o.CacheWrite5m, &r.CacheWrite5m}, {o.CacheWrite1h, &r.CacheWrite1h}, {o.Reasoning, &r.Reasoning}} {
			if f.src.Set {
				*f.dst = catalog.N(f.src.D)
			}
		}
	}
	apply(&pr.Rates)
	for i := range pr.Tiers {
		apply(&pr.Tiers[i].Rates)
	}
	if o.BatchMultiplier.Set {
		pr.BatchMultiplier = catalog.N(o.BatchMultiplier.D)
	}
	return &pr
}

func (p *pricer) discount(m *catalog.CloudModel) (decimal.Decimal, bool) {
	if d, ok := p.modelDisc[m.ID.V]; ok {
		return d, true
	}
	d, ok := p.provDisc[strings.ToLower(m.Provider)]
	return d, ok
}

// maxTokensPerMonth keeps requests × tokens per request inside int64.
var maxTokensPerMonth = decimal.NewFromInt(units.MaxTokens)

// price prices one workload: one cost.Cloud call per prompt-length
// bucket, because the prompt length of a request decides its tier.
// Output tokens per request enter as the distribution's mean: within a
// tier the output bill is linear, so under independence of prompt and
// output lengths this is exact.
func (p *pricer) price(w *Workload) (WorkloadResult, error) {
	if isLocal(w) {
		return p.priceLocal(w)
	}
	m, err := p.model(w)
	if err != nil {
		return WorkloadResult{}, err
	}
	pr, err := p.priceFor(m, p.asOf)
	if err != nil {
		return WorkloadResult{}, &Error{Kind: errKind, Issues: []Issue{{File: p.file, Line: w.Model.Line, Field: "model", Msg: err.Error()}}}
	}
	wr := WorkloadResult{
		Name: w.Name.V, File: p.file, Line: w.Line, Kind: "cloud", Model: m.ID.V, Provider: m.Provider,
		RequestsPerMonth:   w.RequestsPerMonth.N,
		PriceEffectiveFrom: pr.EffectiveFrom.String(), RatesOverridden: p.overrides[m.ID.V] != nil, Buckets: []BucketResult{},
	}
	wr.setTokens(w)
	total, buckets, in, out, err := p.cost(m, pr, w)
	if err != nil {
		return WorkloadResult{}, err
	}
	wr.MonthlyUSD, wr.Buckets, wr.InputTokens, wr.OutputTokensMonth = total, buckets, in, out
	if d, ok := p.discount(m); ok {
		wr.Discount = dec(d)
	}
	return wr, nil
}

func (p *pricer) cost(m *catalog.CloudModel, pr *catalog.Price, w *Workload) (decimal.Decimal, []BucketResult, int64, int64, error) {
	fail := func(line int, field, format string, args ...any) (decimal.Decimal, []BucketResult, int64, int64, error) {
		return decimal.Zero, nil, 0, 0, &Error{Kind: errKind, Issues: []Issue{{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}}}
	}
	if mx := w.PromptTokens.Max(); m.ContextWindow.Set && decimal.NewFromInt(mx).GreaterThan(m.ContextWindow.D) {
		return fail(w.PromptTokens.Line, "prompt_tokens", "a %s-token prompt does not fit %s's %s-token context window", FormatCount(mx), m.ID.V, FormatCount(m.ContextWindow.D.IntPart()))
	}
	if mx := w.OutputTokens.Max(); m.MaxOutput.Set && decimal.NewFromInt(mx).GreaterThan(m.MaxOutput.D) {
		return fail(w.OutputTokens.Line, "output_tokens", "%s output tokens per request exceed %s's maximum output of %s", FormatCount(mx), m.ID.V, FormatCount(m.MaxOutput.D.IntPart()))
	}
	reqs := decimal.NewFromInt(w.RequestsPerMonth.N)
	meanOut := w.OutputTokens.Mean()
	if reqs.Mul(decimal.NewFromInt(w.PromptTokens.Max()).Add(meanOut)).GreaterThan(maxTokensPerMonth) {
		return fail(w.RequestsPerMonth.Line, "requests_per_month", "%s requests × tokens per request is over %s tokens a month; check the numbers", FormatCount(w.RequestsPerMonth.N), FormatCount(units.MaxTokens))
	}
	disc, hasDisc := p.discount(m)
	keep := one.Sub(disc)
	var total decimal.Decimal
	var in, out int64
	buckets := make([]BucketResult, 0, len(w.PromptTokens.Buckets))
	for _, b := range w.PromptTokens.Buckets {
		r := reqs.Mul(b.Share)
		cw := cost.Workload{
			InputTokens:     r.Mul(decimal.NewFromInt(b.Tokens)).Round(0).IntPart(),
			OutputTokens:    r.Mul(meanOut).Round(0).IntPart(),
			CachedShare:     w.CachedShare.D,
			CacheWriteShare: w.CacheWriteShare.D,
			CacheWriteTTL:   w.CacheWriteTTL.V,
			BatchShare:      w.BatchShare.D,
			ReasoningShare:  w.ReasoningShare.D,
			PromptTokens:    b.Tokens,
		}
		if w.PeakShare.Set {
			ps := w.PeakShare.D
			cw.PeakShare = &ps
		}
		res, err := cost.Cloud(m, pr, cw)
		if err != nil {
			line := w.Model.Line
			var pe *catalog.PriceError
			if errors.As(err, &pe) {
				// The message names the estimate flag; a budget has keys.
				msg := strings.NewReplacer("--batch-share", "batch_share:", "--cached-share", "cached_share:", "--cache-write-share", "cache_write_share:").Replace(pe.Msg)
				return fail(line, "model", "%s", msg)
			}
			return fail(line, "model", "%v", err)
		}
		c := res.Total
		if hasDisc {
			c = c.Mul(keep)
		}
		br := BucketResult{PromptTokens: b.Tokens, Share: b.Share, Requests: r, MonthlyUSD: c}
		if res.Tier != nil {
			n := res.Tier.AboveTokens.D.IntPart()
			br.TierAboveTokens = &n
		}
		buckets = append(buckets, br)
		total = total.Add(c)
		in += cw.InputTokens
		out += cw.OutputTokens
	}
	return total, buckets, in, out, nil
}

func isLocal(w *Workload) bool { return strings.Contains(w.Model.V, "@") }

// warnings are the reasons a budget's numbers may not hold.
func (p *pricer) warnings(w *Workload, wr *WorkloadResult) []Finding {
	var out []Finding
	add := func(kind, format string, args ...any) {
		out = append(out, Finding{Kind: kind, File: p.file, Line: w.Line, Workload: w.Name.V, Model: wr.Model, Message: fmt.Sprintf(format, args...)})
	}
	if wr.Kind == "local" {
		if len(wr.localNotes) > 0 {
			add(KindPriceUnverified, "%s is priced with unverified catalog values: %s", w.Name.V, strings.Join(wr.localNotes, "; "))
		}
		return out
	}
	m, _ := p.model(w)
	switch m.Status(p.today) {
	case "retired":
		add(KindModelRetired, "%s uses %s, which was retired on %s", w.Name.V, m.ID.V, m.Retired)
	case "deprecated":
		msg := fmt.Sprintf("%s uses %s, deprecated since %s", w.Name.V, m.ID.V, m.Deprecated)
		if !m.Retired.IsZero() {
			msg += fmt.Sprintf(" and retiring on %s", m.Retired)
		}
		add(KindModelDeprecated, "%s", msg)
	default:
		if !m.Retired.IsZero() && !m.Retired.After(p.today.AddDate(0, 0, UpcomingChangeDays)) {
			add(KindModelDeprecated, "%s uses %s, which retires on %s", w.Name.V, m.ID.V, m.Retired)
		}
	}
	if !wr.RatesOverridden {
		pr, _ := m.PriceAt(p.asOf)
		if pr != nil {
			if age := int(p.today.Sub(pr.Verified.Time).Hours() / 24); age > StaleAfterDays {
				add(KindPriceStale, "%s's price was last verified on %s (%d days ago); check it (llmcost catalog show %s)", m.ID.V, pr.Verified, age, m.ID.V)
			}
			if m.Unverified || pr.Unverified {
				add(KindPriceUnverified, "%s's price is not confirmed by a primary source (llmcost catalog show %s)", m.ID.V, m.ID.V)
			}
		}
	}
	if next := m.NextChange(p.asOf); next != nil && !next.EffectiveFrom.After(p.today.AddDate(0, 0, UpcomingChangeDays)) {
		newTotal := "an unknown amount"
		if c, _, _, _, err := p.cost(m, withOverride(next, p.overrides[m.ID.V]), w); err == nil {
			newTotal = units.FormatUSD(c) + "/month"
			if wr.MonthlyUSD.IsPositive() {
				newTotal += fmt.Sprintf(" (%+.1f%%)", c.Sub(wr.MonthlyUSD).Div(wr.MonthlyUSD).Mul(hundred).InexactFloat64())
			}
		}
		if next.EffectiveFrom.After(p.today) {
			days := int(next.EffectiveFrom.Sub(p.today).Hours() / 24)
			add(KindPriceChange, "%s's price changes on %s (in %d days): %s would cost %s", m.ID.V, next.EffectiveFrom, days, w.Name.V, newTotal)
		} else {
			add(KindPriceChange, "%s's price changed on %s, after this budget's as_of %s: %s now costs %s", m.ID.V, next.EffectiveFrom, p.asOf.Format(time.DateOnly), w.Name.V, newTotal)
		}
	}
	if w.Privacy.V == "regulated" {
		add(KindPrivacyRegulated, "%s handles regulated data but is sent to a cloud API (%s, %s)", w.Name.V, m.Provider, m.ID.V)
	}
	return out
}
