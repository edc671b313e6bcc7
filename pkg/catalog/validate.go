package catalog

import (
	"regexp"
	"strings"
	"sync"

	"github.com/shopspring/decimal"
)

var idRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`) })

func line(n Num, fallback int) int {
	if n.Line > 0 {
		return n.Line
	}
	return fallback
}

func nonNegative(is *issues, file string, fallback int, field string, n Num) {
	if n.Set && n.D.IsNegative() {
		is.Add(file, line(n, fallback), field, "must not be negative (got %s)", n.D)
	}
}

func positive(is *issues, file string, fallback int, field string, n Num, required bool) {
	if !n.Set {
		if required {
			is.Add(file, fallback, field, "is required")
		}
		return
	}
	if !n.D.IsPositive() {
		is.Add(file, line(n, fallback), field, "must be greater than zero (got %s)", n.D)
	}
}

// within reports a set value outside [lo, hi].
func within(is *issues, file, field string, n Num, lo, hi int64) {
	if n.Set && (n.D.LessThan(decimal.NewFromInt(lo)) || n.D.GreaterThan(decimal.NewFromInt(hi))) {
		is.Add(file, n.Line, field, "must be from %d to %d (got %s)", lo, hi, n.D)
	}
}

// maxCount bounds token counts and architecture sizes: far above any real
// value, and safely inside int64 where the maths reads them as integers.
var maxCount = decimal.New(1, 15)

// wholeCount checks a count (tokens, layers, heads): a whole number no
// larger than maxCount. 1e30 would wrap around when read as an int64.
func wholeCount(is *issues, file string, fallback int, field string, n Num) {
	if !n.Set {
		return
	}
	switch {
	case !n.D.IsInteger():
		is.Add(file, line(n, fallback), field, "must be a whole number (got %s)", n.D)
	case n.D.GreaterThan(maxCount):
		is.Add(file, line(n, fallback), field, "%s is too large (at most 1e15)", n.D)
	}
}

func validateFile(is *issues, pf parsedFile) {
	f := pf.f
	for i := range f.Models {
		validateCloud(is, pf.name, &f.Models[i])
	}
	for i := range f.OpenModels {
		validateOpen(is, pf.name, &f.OpenModels[i])
	}
	for i := range f.Quantizations {
		q := &f.Quantizations[i]
		checkID(is, pf.name, q.ID)
		positive(is, pf.name, q.ID.Line, "bytes_per_param", q.BytesPerParam, true)
		sourced(is, pf.name, q.ID.Line, q.Source, q.Verified)
	}
	for i := range f.GPUs {
		validateGPU(is, pf.name, &f.GPUs[i])
	}
	for i := range f.Benchmarks {
		b := &f.Benchmarks[i]
		l := line(b.DecodeTPS, line(b.PrefillTPS, 0))
		if b.Model == "" || b.GPU == "" || b.Quant == "" {
			is.Add(pf.name, l, "benchmarks", "model, gpu and quant are required")
		}
		if !b.DecodeTPS.Set && !b.PrefillTPS.Set {
			is.Add(pf.name, l, "decode_tps", "a benchmark needs decode_tps or prefill_tps")
		}
		positive(is, pf.name, l, "decode_tps", b.DecodeTPS, false)
		positive(is, pf.name, l, "prefill_tps", b.PrefillTPS, false)
		positive(is, pf.name, l, "context_tokens", b.ContextTokens, false)
		wholeCount(is, pf.name, l, "context_tokens", b.ContextTokens)
		if b.Source == "" {
			is.Add(pf.name, l, "source", "is required")
		}
	}
	if d := f.Defaults; d != nil {
		positive(is, pf.name, 0, "defaults.kwh_price_usd", d.KWhPriceUSD, false)
		positive(is, pf.name, 0, "defaults.amortization_months", d.AmortizationMonths, false)
		positive(is, pf.name, 0, "defaults.hours_per_month", d.HoursPerMonth, false)
		// The ranges the --months and --pue flags take, and a month's
		// hours: beyond them a value is a typo that prices as a
		// 400-digit bill.
		if d.AmortizationMonths.D.IsPositive() {
			within(is, pf.name, "defaults.amortization_months", d.AmortizationMonths, 1, 1200)
		}
		if d.HoursPerMonth.D.IsPositive() {
			within(is, pf.name, "defaults.hours_per_month", d.HoursPerMonth, 1, 744)
		}
		within(is, pf.name, "defaults.pue", d.PUE, 1, 10)
	}
}

func checkID(is *issues, file string, id Ident) {
	if id.V == "" {
		is.Add(file, id.Line, "id", "is required")
		return
	}
	if !idRe().MatchString(id.V) {
		is.Add(file, id.Line, "id", "%q must be lower-case letters, digits, '.', '-' or '_'", id.V)
	}
}

func sourced(is *issues, file string, l int, source string, verified Date) {
	if source == "" {
		is.Add(file, l, "source", "is required (a URL or citation)")
	}
	if verified.IsZero() {
		is.Add(file, l, "verified", "is required (YYYY-MM-DD the value was last confirmed)")
	}
}

func validateCloud(is *issues, file string, m *CloudModel) {
	checkID(is, file, m.ID)
	l := m.ID.Line
	if m.Provider == "" {
		is.Add(file, l, "provider", "is required")
	}
	positive(is, file, l, "context_window", m.ContextWindow, true)
	positive(is, file, l, "max_output", m.MaxOutput, false)
	wholeCount(is, file, l, "context_window", m.ContextWindow)
	wholeCount(is, file, l, "max_output", m.MaxOutput)
	sourced(is, file, l, m.Source, m.Verified)
	if len(m.Prices) == 0 {
		is.Add(file, l, "prices", "%s has no prices", m.ID.V)
	}
	if !m.Deprecated.IsZero() && !m.Retired.IsZero() && m.Retired.Before(m.Deprecated.Time) {
		is.Add(file, m.Retired.Line, "retired", "is before deprecated (%s)", m.Deprecated)
	}
	for i := range m.Prices {
		p := &m.Prices[i]
		pl := p.EffectiveFrom.Line
		if pl == 0 {
			pl = l
		}
		if p.EffectiveFrom.IsZero() {
			is.Add(file, pl, "effective_from", "is required")
		}
		if !p.EffectiveUntil.IsZero() && !p.EffectiveUntil.After(p.EffectiveFrom.Time) {
			is.Add(file, p.EffectiveUntil.Line, "effective_until", "must be after effective_from %s", p.EffectiveFrom)
		}
		if i > 0 {
			prev := &m.Prices[i-1]
			if !p.EffectiveFrom.After(prev.EffectiveFrom.Time) {
				is.Add(file, pl, "effective_from", "%s overlaps the price from %s (history must be in increasing date order)", p.EffectiveFrom, prev.EffectiveFrom)
			} else if !prev.EffectiveUntil.IsZero() && prev.EffectiveUntil.After(p.EffectiveFrom.Time) {
				is.Add(file, pl, "effective_from", "%s overlaps the price from %s, which runs until %s", p.EffectiveFrom, prev.EffectiveFrom, prev.EffectiveUntil)
			}
		}
		sourced(is, file, pl, p.Source, p.Verified)
		validateRates(is, file, pl, "", p.Rates, true)
		if p.BatchMultiplier.Set {
			positive(is, file, pl, "batch_multiplier", p.BatchMultiplier, false)
		}
		if o := p.OffPeak; o != nil {
			ol := line(o.Multiplier, pl)
			positive(is, file, ol, "off_peak.multiplier", o.Multiplier, true)
			if o.Multiplier.Set && o.Multiplier.D.GreaterThan(decimal.NewFromInt(1)) {
				is.Add(file, ol, "off_peak.multiplier", "must be at most 1 (off-peak is the cheaper rate; got %s)", o.Multiplier.D)
			}
			if _, _, err := o.parse(); err != nil {
				field, msg, _ := strings.Cut(err.Error(), ": ")
				is.Add(file, ol, "off_peak."+field, "%s", msg)
			}
		}
		var prevAbove decimal.Decimal
		for j := range p.Tiers {
			t := &p.Tiers[j]
			tl := line(t.AboveTokens, pl)
			positive(is, file, tl, "tiers.above_tokens", t.AboveTokens, true)
			wholeCount(is, file, tl, "tiers.above_tokens", t.AboveTokens)
			if m.ContextWindow.Set && t.AboveTokens.Set && !t.AboveTokens.D.LessThan(m.ContextWindow.D) {
				is.Add(file, tl, "tiers.above_tokens", "%s is at or above the context window (%s): the tier can never apply", t.AboveTokens.D, m.ContextWindow.D)
			}
			if j > 0 && !t.AboveTokens.D.GreaterThan(prevAbove) {
				is.Add(file, tl, "tiers.above_tokens", "tiers must be in increasing order of above_tokens")
			}
			prevAbove = t.AboveTokens.D
			validateRates(is, file, tl, "tiers.", t.Rates, true)
			// A tier must price every kind the base price prices, or a
			// long prompt would silently fall back to a cheaper rate.
			for _, k := range p.Rates.kinds() {
				if !t.Rates.get(k).Set {
					is.Add(file, tl, "tiers."+k, "is missing: the base price has %s, so the tier must too", k)
				}
			}
		}
	}
}

func validateRates(is *issues, file string, l int, prefix string, r Rates, required bool) {
	if required {
		if !r.Input.Set {
			is.Add(file, l, prefix+"input", "is required")
		}
		if !r.Output.Set {
			is.Add(file, l, prefix+"output", "is required")
		}
	}
	for _, k := range rateKinds {
		nonNegative(is, file, l, prefix+k, r.get(k))
		// The dearest model priced today is under $1,000 per 1M tokens;
		// a rate a thousand times that is a typo (per token, not per 1M).
		if n := r.get(k); n.Set && n.D.GreaterThan(maxRatePerMillion) {
			is.Add(file, line(n, l), prefix+k, "is implausible: over 1,000,000 USD per 1M tokens (rates are per 1M tokens, not per token)")
		}
	}
	if r.CachedInput.Set && r.Input.Set && r.CachedInput.D.GreaterThan(r.Input.D) {
		is.Add(file, line(r.CachedInput, l), prefix+"cached_input", "%s is above the input price %s", r.CachedInput.D, r.Input.D)
	}
}

var maxRatePerMillion = decimal.NewFromInt(1_000_000)

var rateKinds = []string{"input", "output", "cached_input", "cache_write_5m", "cache_write_1h", "reasoning"}

func (r Rates) get(kind string) Num {
	switch kind {
	case "input":
		return r.Input
	case "output":
		return r.Output
	case "cached_input":
		return r.CachedInput
	case "cache_write_5m":
		return r.CacheWrite5m
	case "cache_write_1h":
		return r.CacheWrite1h
	case "reasoning":
		return r.Reasoning
	}
	return Num{}
}

// kinds lists the rate kinds that are set.
func (r Rates) kinds() []string {
	var out []string
	for _, k := range rateKinds {
		if r.get(k).Set {
			out = append(out, k)
		}
	}
	return out
}

func validateOpen(is *issues, file string, m *OpenModel) {
	checkID(is, file, m.ID)
	l := m.ID.Line
	positive(is, file, l, "params_b", m.ParamsB, true)
	positive(is, file, l, "active_params_b", m.ActiveParamsB, false)
	if m.ActiveParamsB.Set && m.ParamsB.Set && m.ActiveParamsB.D.GreaterThan(m.ParamsB.D) {
		is.Add(file, m.ActiveParamsB.Line, "active_params_b", "is above params_b")
	}
	positive(is, file, l, "layers", m.Layers, true)
	positive(is, file, l, "heads", m.Heads, true)
	positive(is, file, l, "kv_heads", m.KVHeads, true)
	positive(is, file, l, "head_dim", m.HeadDim, true)
	positive(is, file, l, "max_context", m.MaxContext, true)
	for _, c := range []struct {
		field string
		n     Num
	}{{"layers", m.Layers}, {"heads", m.Heads}, {"kv_heads", m.KVHeads}, {"head_dim", m.HeadDim}, {"max_context", m.MaxContext}, {"sliding_window", m.SlidingWindow}, {"sliding_layers", m.SlidingLayers}, {"kv_latent_dim", m.KVLatentDim}} {
		wholeCount(is, file, l, c.field, c.n)
	}
	if m.KVHeads.Set && m.Heads.Set && m.KVHeads.D.GreaterThan(m.Heads.D) {
		is.Add(file, m.KVHeads.Line, "kv_heads", "is above heads")
	}
	if m.SlidingLayers.Set && m.Layers.Set && m.SlidingLayers.D.GreaterThan(m.Layers.D) {
		is.Add(file, m.SlidingLayers.Line, "sliding_layers", "is above layers")
	}
	validateOpenLocal(is, file, m)
	sourced(is, file, l, m.Source, m.Verified)
}

func validateGPU(is *issues, file string, g *GPU) {
	checkID(is, file, g.ID)
	l := g.ID.Line
	positive(is, file, l, "vram_gb", g.VRAMGB, true)
	positive(is, file, l, "bandwidth_gbs", g.BandwidthGBs, true)
	positive(is, file, l, "fp16_tflops", g.FP16TFLOPS, false)
	positive(is, file, l, "tdp_w", g.TDPW, false)
	nonNegative(is, file, l, "idle_w", g.IdleW)
	positive(is, file, l, "price_usd", g.PriceUSD, false)
	if g.UsableShare.Set && (!g.UsableShare.D.IsPositive() || g.UsableShare.D.GreaterThan(decimal.NewFromInt(1))) {
		is.Add(file, g.UsableShare.Line, "usable_share", "must be in (0, 1] (got %s)", g.UsableShare.D)
	}
	for _, r := range g.Rentals {
		positive(is, file, line(r.USDPerHour, l), "rentals.usd_per_hour", r.USDPerHour, true)
		if r.Provider == "" || r.Source == "" || r.Date.IsZero() {
			is.Add(file, line(r.USDPerHour, l), "rentals", "provider, date and source are required")
		}
	}
	validateGPULocal(is, file, g)
	sourced(is, file, l, g.Source, g.Verified)
}

// checkDuplicatesWithin reports ids defined twice inside one source.
func checkDuplicatesWithin(is *issues, files []parsedFile) {
	type seen struct {
		file string
		line int
	}
	cloud, open, gpu, quant := map[string]seen{}, map[string]seen{}, map[string]seen{}, map[string]seen{}
	dup := func(m map[string]seen, id Ident, file, kind string) {
		if id.V == "" {
			return
		}
		if s, ok := m[id.V]; ok {
			is.Add(file, id.Line, "id", "duplicate %s id %q (first defined at %s:%d)", kind, id.V, s.file, s.line)
			return
		}
		m[id.V] = seen{file, id.Line}
	}
	for _, pf := range files {
		for _, m := range pf.f.Models {
			dup(cloud, m.ID, pf.name, "model")
		}
		for _, m := range pf.f.OpenModels {
			dup(open, m.ID, pf.name, "open model")
		}
		for _, g := range pf.f.GPUs {
			dup(gpu, g.ID, pf.name, "GPU")
		}
		for _, q := range pf.f.Quantizations {
			dup(quant, q.ID, pf.name, "quantization")
		}
	}
}

// validateCrossRefs checks references between sections of the merged catalog.
func validateCrossRefs(is *issues, c *Catalog) {
	or := func(file, fallback string) string {
		if file != "" {
			return file
		}
		return fallback
	}
	for _, id := range c.Defaults.ComparisonSet {
		if _, err := c.Cloud(id); err != nil {
			is.Add(or(c.Defaults.ComparisonSetFile, "defaults"), 0, "comparison_set", "%v", err)
		}
	}
	for _, id := range c.Defaults.LocalComparisonSet {
		if _, err := c.Open(id); err != nil {
			is.Add(or(c.Defaults.LocalComparisonSetFile, "defaults"), 0, "local_comparison_set", "%v", err)
		}
	}
	for _, b := range c.Benchmarks {
		l := line(b.DecodeTPS, line(b.PrefillTPS, 0))
		file := or(b.File, "benchmarks")
		if _, err := c.Open(b.Model); err != nil {
			is.Add(file, l, "benchmarks.model", "%v", err)
		}
		if _, err := c.GPU(b.GPU); err != nil {
			is.Add(file, l, "benchmarks.gpu", "%v", err)
		}
		if _, err := c.Quant(b.Quant); err != nil {
			is.Add(file, l, "benchmarks.quant", "%v", err)
		}
	}
}
