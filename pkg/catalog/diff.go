package catalog

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// DiffResult is what changed between two sets of cloud models on a date.
type DiffResult struct {
	AsOf           Date            `json:"as_of"`
	Added          []string        `json:"added"`
	Removed        []string        `json:"removed"`
	PriceChanges   []PriceChange   `json:"price_changes"`
	ContextChanges []ContextChange `json:"context_changes"`
}

// PriceChange is one rate that differs. Old or New is unset (Set=false)
// when that side does not price the kind; Pct is nil then, or when Old is 0.
type PriceChange struct {
	Model string           `json:"model"`
	Field string           `json:"field"`
	Old   Num              `json:"-"`
	New   Num              `json:"-"`
	Pct   *decimal.Decimal `json:"-"`
}

// ContextChange is a context window that differs.
type ContextChange struct {
	Model string          `json:"model"`
	Old   decimal.Decimal `json:"-"`
	New   decimal.Decimal `json:"-"`
}

// Empty reports whether nothing changed.
func (d DiffResult) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.PriceChanges) == 0 && len(d.ContextChanges) == 0
}

// Diff compares the prices in force on asOf in a (old) and b (new). Models
// match by id, or by an alias of one naming the other (a renamed model).
func Diff(a, b []CloudModel, asOf time.Time) DiffResult {
	asOf = dayOf(asOf)
	res := DiffResult{AsOf: Date{Time: asOf}}
	bIdx := newModelIndex(b)
	matchedB := map[int]bool{}
	for _, ma := range a {
		j, ok := bIdx.find(ma)
		if !ok {
			res.Removed = append(res.Removed, ma.ID.V)
			continue
		}
		matchedB[j] = true
		mb := b[j]
		if !ma.ContextWindow.D.Equal(mb.ContextWindow.D) {
			res.ContextChanges = append(res.ContextChanges, ContextChange{Model: mb.ID.V, Old: ma.ContextWindow.D, New: mb.ContextWindow.D})
		}
		pa, okA := priceInForceOn(ma.Prices, asOf)
		pb, okB := priceInForceOn(mb.Prices, asOf)
		if !okA && !okB {
			continue
		}
		for _, fd := range priceFieldDiffs(pa, pb) {
			res.PriceChanges = append(res.PriceChanges, PriceChange{Model: mb.ID.V, Field: fd.field, Old: fd.a, New: fd.b, Pct: pctChange(fd.a, fd.b)})
		}
	}
	for j, mb := range b {
		if !matchedB[j] {
			res.Added = append(res.Added, mb.ID.V)
		}
	}
	sort.Strings(res.Added)
	sort.Strings(res.Removed)
	sort.SliceStable(res.PriceChanges, func(i, j int) bool { return res.PriceChanges[i].Model < res.PriceChanges[j].Model })
	sort.SliceStable(res.ContextChanges, func(i, j int) bool { return res.ContextChanges[i].Model < res.ContextChanges[j].Model })
	return res
}

// pctChange is (new-old)/old × 100, or nil when it has no meaning.
func pctChange(old, new Num) *decimal.Decimal {
	if !old.Set || !new.Set || old.D.IsZero() {
		return nil
	}
	p := new.D.Sub(old.D).Div(old.D).Mul(decimal.NewFromInt(100)).Round(2)
	return &p
}

// modelIndex finds models by id or alias, case-insensitively.
type modelIndex map[string]int

func newModelIndex(ms []CloudModel) modelIndex {
	idx := modelIndex{}
	for i, m := range ms { // ids first so an alias never shadows an id
		idx[strings.ToLower(m.ID.V)] = i
	}
	for i, m := range ms {
		for _, a := range m.Aliases {
			if _, taken := idx[strings.ToLower(a)]; !taken {
				idx[strings.ToLower(a)] = i
			}
		}
	}
	return idx
}

func (idx modelIndex) find(m CloudModel) (int, bool) {
	if i, ok := idx[strings.ToLower(m.ID.V)]; ok {
		return i, true
	}
	for _, a := range m.Aliases {
		if i, ok := idx[strings.ToLower(a)]; ok {
			return i, true
		}
	}
	return 0, false
}

// priceInForceOn is the price whose effective range covers day (the latest
// effective_from wins when ranges overlap).
func priceInForceOn(prices []Price, day time.Time) (Price, bool) {
	best := -1
	for i, p := range prices {
		if p.EffectiveFrom.After(day) {
			continue
		}
		if !p.EffectiveUntil.IsZero() && !day.Before(p.EffectiveUntil.Time) {
			continue
		}
		if best < 0 || p.EffectiveFrom.After(prices[best].EffectiveFrom.Time) {
			best = i
		}
	}
	if best < 0 {
		return Price{}, false
	}
	return prices[best], true
}

type fieldDiff struct {
	field string
	a, b  Num
	line  int // line of a's value, for findings
}

// rateFields lists Rates' fields with their YAML names.
func rateFields(r *Rates) []struct {
	name string
	n    *Num
} {
	return []struct {
		name string
		n    *Num
	}{
		{"input", &r.Input}, {"output", &r.Output}, {"cached_input", &r.CachedInput},
		{"cache_write_5m", &r.CacheWrite5m}, {"cache_write_1h", &r.CacheWrite1h}, {"reasoning", &r.Reasoning},
	}
}

func rateDiffs(prefix string, a, b Rates) []fieldDiff {
	var out []fieldDiff
	fa, fb := rateFields(&a), rateFields(&b)
	for i := range fa {
		if !numEqual(*fa[i].n, *fb[i].n) {
			out = append(out, fieldDiff{field: prefix + fa[i].name, a: *fa[i].n, b: *fb[i].n, line: fa[i].n.Line})
		}
	}
	return out
}

// tierField names a tier by its threshold, which survives reordering.
func tierField(at decimal.Decimal) string { return fmt.Sprintf("tiers[>%s].", at) }

// priceFieldDiffs lists every rate, batch multiplier and tier rate that
// differs between a and b. A tier only one side has shows as its rates
// against unset ones.
func priceFieldDiffs(a, b Price) []fieldDiff {
	out := rateDiffs("", a.Rates, b.Rates)
	if !numEqual(a.BatchMultiplier, b.BatchMultiplier) {
		out = append(out, fieldDiff{field: "batch_multiplier", a: a.BatchMultiplier, b: b.BatchMultiplier, line: a.BatchMultiplier.Line})
	}
	tiersB := map[string]Tier{}
	for _, t := range b.Tiers {
		tiersB[t.AboveTokens.D.String()] = t
	}
	seen := map[string]bool{}
	for _, ta := range a.Tiers {
		k := ta.AboveTokens.D.String()
		seen[k] = true
		tb, ok := tiersB[k]
		if !ok {
			tb = Tier{}
		}
		out = append(out, rateDiffs(tierField(ta.AboveTokens.D), ta.Rates, tb.Rates)...)
	}
	for _, tb := range b.Tiers {
		if !seen[tb.AboveTokens.D.String()] {
			out = append(out, rateDiffs(tierField(tb.AboveTokens.D), Rates{}, tb.Rates)...)
		}
	}
	return out
}
