package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Level is how serious a lint finding is.
type Level string

// Finding levels. Only errors fail `llmcost catalog lint`.
const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
	LevelInfo    Level = "info"
)

// Lint rule names, stable for tests and for filtering.
const (
	RuleCacheAboveInput   = "cache-above-input"
	RuleBatchAboveOne     = "batch-multiplier"
	RuleAnthropicCache    = "anthropic-cache-write"
	RuleTierUnreachable   = "tier-unreachable"
	RuleTierCheaper       = "tier-cheaper"
	RuleDeprecated        = "deprecated"
	RuleRetired           = "retired"
	RuleStale             = "stale"
	RuleNoSource          = "no-source"
	RuleNoPrice           = "no-price"
	RuleCachedUnpriced    = "cached-unpriced"
	RulePriceDisagrees    = "price-disagrees"
	RuleContextDisagrees  = "context-disagrees"
	RuleMissingElsewhere  = "missing-elsewhere"
	staleAfterDays        = 180
	disagreeThresholdPct  = 5
	cachedUnpricedMarker  = "supports prompt caching but has no cache-read price"
	anthropicProviderName = "anthropic"
)

// Finding is one lint result, pointing at the model's file and line.
type Finding struct {
	Level   Level  `json:"level"`
	Rule    string `json:"rule"`
	Model   string `json:"model"`
	Field   string `json:"field"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Lint checks cloud models for prices that cannot be right or are likely
// out of date, as of today. With against (e.g. an imported LiteLLM file),
// it also reports every rate that differs from the other source by more
// than 5%, matching models by id or alias.
func Lint(models []CloudModel, today time.Time, against []CloudModel) []Finding {
	return LintWith(models, today, against, LintOptions{})
}

// LintOptions tune Lint.
type LintOptions struct {
	// StaleAfterDays is the age in days past which a verified date is stale;
	// 0 means the default of 180.
	StaleAfterDays int
	// EveryPrice checks the verified date of every price that can still be
	// billed (the one in force and any scheduled), each at its own line,
	// even where it repeats the model's date. Superseded prices are history
	// and are not re-checked.
	EveryPrice bool
}

// LintWith is Lint with options (`catalog lint --stale 90d`).
func LintWith(models []CloudModel, today time.Time, against []CloudModel, opts LintOptions) []Finding {
	if opts.StaleAfterDays <= 0 {
		opts.StaleAfterDays = staleAfterDays
	}
	today = dayOf(today)
	var out []Finding
	var idx modelIndex
	if against != nil {
		idx = newModelIndex(against)
	}
	for _, m := range models {
		l := modelLinter{m: m, today: today, staleDays: opts.StaleAfterDays, everyPrice: opts.EveryPrice}
		l.check()
		if against != nil {
			if j, ok := idx.find(m); ok {
				l.compare(against[j])
			}
		}
		out = append(out, l.out...)
	}
	return out
}

func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

type modelLinter struct {
	m          CloudModel
	today      time.Time
	staleDays  int
	everyPrice bool
	out        []Finding
}

func (l *modelLinter) add(level Level, rule, field string, line int, format string, args ...any) {
	if line == 0 {
		line = l.m.ID.Line
	}
	l.out = append(l.out, Finding{Level: level, Rule: rule, Model: l.m.ID.V, Field: field, File: l.m.File, Line: line,
		Message: fmt.Sprintf(format, args...)})
}

func (l *modelLinter) check() {
	m := l.m
	if strings.TrimSpace(m.Source) == "" {
		l.add(LevelError, RuleNoSource, "source", 0, "no source: every entry must say where its numbers come from")
	}
	// A retired model is also deprecated; say only the stronger one.
	if m.Retired.IsZero() || m.Retired.After(l.today) {
		l.dateRule(RuleDeprecated, "deprecated", m.Deprecated)
	}
	l.dateRule(RuleRetired, "retired", m.Retired)
	l.staleRule("verified", m.Verified)

	current, ok := priceInForceOn(m.Prices, l.today)
	if !ok {
		l.add(LevelWarning, RuleNoPrice, "prices", 0, "no price in force on %s: the model cannot be priced today", l.today.Format(time.DateOnly))
	}
	for i, p := range m.Prices {
		pf := fmt.Sprintf("prices[%d].", i)
		if strings.TrimSpace(p.Source) == "" {
			l.add(LevelError, RuleNoSource, pf+"source", p.EffectiveFrom.Line, "price effective %s has no source", p.EffectiveFrom)
		}
		// The current price's date, unless it only repeats the model's;
		// with everyPrice, every price still to be billed (current or
		// scheduled) on its own line.
		isCurrent := ok && p.EffectiveFrom.Equal(current.EffectiveFrom.Time)
		switch {
		case l.everyPrice && (isCurrent || p.EffectiveFrom.After(l.today)):
			l.staleRule(pf+"verified", p.Verified)
		case isCurrent && !p.Verified.Equal(m.Verified.Time):
			l.staleRule(pf+"verified", p.Verified)
		}
		l.rateRules(pf, p.Rates)
		if p.BatchMultiplier.Set && (p.BatchMultiplier.D.GreaterThan(decimal.NewFromInt(1)) || !p.BatchMultiplier.D.IsPositive()) {
			l.add(LevelError, RuleBatchAboveOne, pf+"batch_multiplier", p.BatchMultiplier.Line,
				"batch multiplier %s is outside (0, 1]: batch traffic would cost more than, or nothing against, the standard rate", p.BatchMultiplier.D)
		}
		if !p.CachedInput.Set && (p.CacheWrite5m.Set || p.CacheWrite1h.Set || strings.Contains(m.Notes, cachedUnpricedMarker)) {
			l.add(LevelInfo, RuleCachedUnpriced, pf+"cached_input", p.EffectiveFrom.Line,
				"the model caches prompts but has no cached_input price: LiteLLM would bill cached tokens at $0; llmcost refuses to price them")
		}
		for j, t := range p.Tiers {
			tf := fmt.Sprintf("%stiers[%d].", pf, j)
			line := t.AboveTokens.Line
			if m.ContextWindow.Set && t.AboveTokens.D.GreaterThanOrEqual(m.ContextWindow.D) {
				l.add(LevelError, RuleTierUnreachable, tf+"above_tokens", line,
					"tier above %s tokens can never apply: the context window is %s tokens", t.AboveTokens.D, m.ContextWindow.D)
			}
			if t.Input.Set && p.Input.Set && t.Input.D.LessThan(p.Input.D) {
				l.add(LevelWarning, RuleTierCheaper, tf+"input", t.Input.Line, "tier input %s is cheaper than the base %s: long prompts usually cost more", t.Input.D, p.Input.D)
			}
			if t.Output.Set && p.Output.Set && t.Output.D.LessThan(p.Output.D) {
				l.add(LevelWarning, RuleTierCheaper, tf+"output", t.Output.Line, "tier output %s is cheaper than the base %s: long prompts usually cost more", t.Output.D, p.Output.D)
			}
			l.rateRules(tf, t.Rates)
		}
	}
}

// rateRules are the checks that hold for base and tier rates alike.
func (l *modelLinter) rateRules(prefix string, r Rates) {
	if r.CachedInput.Set && r.Input.Set && r.CachedInput.D.GreaterThan(r.Input.D) {
		l.add(LevelError, RuleCacheAboveInput, prefix+"cached_input", r.CachedInput.Line,
			"cache read %s is above the input price %s: a cache hit would cost more than a miss", r.CachedInput.D, r.Input.D)
	}
	if !l.isAnthropic() || !r.Input.Set {
		return
	}
	check := func(field string, n Num, factor string) {
		if !n.Set {
			return
		}
		// Anthropic rounds some (Haiku 3's 5m write is $0.30, not 0.3125),
		// so only a gap of more than 5% is a finding.
		want := r.Input.D.Mul(decimal.RequireFromString(factor))
		if relDiffPct(want, n.D).Abs().GreaterThan(decimal.NewFromInt(disagreeThresholdPct)) {
			l.add(LevelWarning, RuleAnthropicCache, prefix+field, n.Line,
				"%s %s is not %s × input %s (= %s), Anthropic's rule", field, n.D, factor, r.Input.D, want)
		}
	}
	check("cache_write_5m", r.CacheWrite5m, "1.25")
	check("cache_write_1h", r.CacheWrite1h, "2")
}

func (l *modelLinter) isAnthropic() bool {
	return strings.EqualFold(l.m.Provider, anthropicProviderName) || strings.HasPrefix(strings.ToLower(l.m.ID.V), "claude")
}

func (l *modelLinter) dateRule(rule, field string, d Date) {
	if d.IsZero() || d.After(l.today) {
		return
	}
	days := int(l.today.Sub(d.Time).Hours() / 24)
	l.add(LevelWarning, rule, field, d.Line, "%s on %s (%d days ago)", field, d, days)
}

func (l *modelLinter) staleRule(field string, d Date) {
	if d.IsZero() {
		l.add(LevelWarning, RuleStale, field, 0, "no verified date")
		return
	}
	days := int(l.today.Sub(d.Time).Hours() / 24)
	if days > l.staleDays {
		l.add(LevelWarning, RuleStale, field, d.Line, "last verified %s, %d days ago (more than %d): check the provider's price page", d, days, l.staleDays)
	}
}

// compare reports where the other source prices the model differently.
func (l *modelLinter) compare(o CloudModel) {
	name := "the other source"
	if strings.HasPrefix(o.Source, LiteLLMSourcePrefix) {
		name = "LiteLLM"
	}
	label := fmt.Sprintf("%s (%s)", name, o.ID.V)
	if l.m.ContextWindow.Set && o.ContextWindow.Set && !l.m.ContextWindow.D.Equal(o.ContextWindow.D) {
		l.add(LevelInfo, RuleContextDisagrees, "context_window", l.m.ContextWindow.Line,
			"context window: ours %s, %s %s", l.m.ContextWindow.D, label, o.ContextWindow.D)
	}
	ours, okO := priceInForceOn(l.m.Prices, l.today)
	theirs, okT := priceInForceOn(o.Prices, l.today)
	if !okT && len(o.Prices) > 0 { // an import dated after today: compare with its newest price
		theirs, okT = o.Prices[len(o.Prices)-1], true
	}
	if !okO || !okT {
		return
	}
	// A tier only one side has is one finding, not one per rate.
	oneSided := map[string]bool{}
	for _, fd := range priceFieldDiffs(ours, theirs) {
		if !strings.HasPrefix(fd.field, "tiers[") {
			continue
		}
		tier := fd.field[:strings.Index(fd.field, "].")+1]
		if oneSided[tier] {
			continue
		}
		if at, hasOurs, hasTheirs := tierPresence(ours, theirs, tier); hasOurs != hasTheirs {
			oneSided[tier] = true
			if hasOurs {
				l.add(LevelWarning, RuleMissingElsewhere, tier, at.Line, "%s: ours bills prompts above %s tokens at a tier rate, %s has no such tier", tier, at.D, label)
			} else {
				l.add(LevelWarning, RuleMissingElsewhere, tier, ours.EffectiveFrom.Line, "%s: %s bills prompts above %s tokens at a tier rate, ours has no such tier", tier, label, at.D)
			}
		}
	}
	for _, fd := range priceFieldDiffs(ours, theirs) {
		if strings.HasPrefix(fd.field, "tiers[") && oneSided[fd.field[:strings.Index(fd.field, "].")+1]] {
			continue
		}
		line := fd.line
		if line == 0 {
			line = ours.EffectiveFrom.Line
		}
		switch {
		case fd.a.Set && fd.b.Set:
			if fd.a.D.IsZero() {
				l.add(LevelWarning, RulePriceDisagrees, fd.field, line, "%s: ours 0, %s %s", fd.field, label, fd.b.D)
				continue
			}
			rel := relDiffPct(fd.a.D, fd.b.D)
			if rel.Abs().GreaterThan(decimal.NewFromInt(disagreeThresholdPct)) {
				l.add(LevelWarning, RulePriceDisagrees, fd.field, line, "%s: ours %s, %s %s (%s%%)", fd.field, fd.a.D, label, fd.b.D, signed(rel.Round(1)))
			}
		case fd.a.Set:
			level := LevelInfo
			if strings.HasPrefix(fd.field, "tiers[") {
				level = LevelWarning // a whole tier one side lacks changes long-prompt bills
			}
			l.add(level, RuleMissingElsewhere, fd.field, line, "%s: ours %s, %s has none", fd.field, fd.a.D, label)
		case fd.b.Set:
			level := LevelInfo
			if strings.HasPrefix(fd.field, "tiers[") {
				level = LevelWarning
			}
			l.add(level, RuleMissingElsewhere, fd.field, line, "%s: ours none, %s %s", fd.field, label, fd.b.D)
		}
	}
}

// tierPresence reports which side has the tier named like "tiers[>200000]".
func tierPresence(a, b Price, tier string) (at Num, inA, inB bool) {
	for _, t := range a.Tiers {
		if tierField(t.AboveTokens.D) == tier+"." {
			at, inA = t.AboveTokens, true
		}
	}
	for _, t := range b.Tiers {
		if tierField(t.AboveTokens.D) == tier+"." {
			inB = true
			if !inA {
				at = t.AboveTokens
			}
		}
	}
	return at, inA, inB
}

// relDiffPct is (b-a)/a × 100; a must not be 0.
func relDiffPct(a, b decimal.Decimal) decimal.Decimal {
	if a.IsZero() {
		return decimal.NewFromInt(100)
	}
	return b.Sub(a).Div(a).Mul(decimal.NewFromInt(100))
}

func signed(d decimal.Decimal) string {
	if d.IsPositive() {
		return "+" + d.String()
	}
	return d.String()
}
