package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var lintToday = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func num(s string) Num { return N(decimal.RequireFromString(s)) }

func rates(in, cached, out string) Rates {
	r := Rates{Input: num(in), Output: num(out)}
	if cached != "" {
		r.CachedInput = num(cached)
	}
	return r
}

// cloud builds a valid, recently verified model with one current price.
func cloud(id, provider, ctx string, r Rates, opts ...func(*CloudModel)) CloudModel {
	m := CloudModel{
		ID: Ident{V: id}, Provider: provider, ContextWindow: num(ctx),
		Source: "https://example.test/pricing", Verified: Day(2026, 11, 1),
		Prices: []Price{{EffectiveFrom: Day(2026, 1, 1), Rates: r, Source: "https://example.test/pricing", Verified: Day(2026, 11, 1)}},
	}
	for _, o := range opts {
		o(&m)
	}
	return m
}

func withTier(at string, r Rates) func(*CloudModel) {
	return func(m *CloudModel) {
		m.Prices[0].Tiers = append(m.Prices[0].Tiers, Tier{AboveTokens: num(at), Rates: r})
	}
}

func withCacheWrites(w5m, w1h string) func(*CloudModel) {
	return func(m *CloudModel) {
		if w5m != "" {
			m.Prices[0].CacheWrite5m = num(w5m)
		}
		if w1h != "" {
			m.Prices[0].CacheWrite1h = num(w1h)
		}
	}
}

func ruleHits(fs []Finding, model, rule string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Model == model && f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func TestLintRules(t *testing.T) {
	tests := []struct {
		name      string
		model     CloudModel
		rule      string
		level     Level
		field     string // "" = rule must not fire
		msgSubstr string
	}{
		{name: "clean model", model: cloud("ok", "openai", "128000", rates("2.5", "1.25", "10")), rule: "", field: ""},
		{name: "cache above input", model: cloud("m", "openai", "128000", rates("1", "1.5", "4")), rule: RuleCacheAboveInput, level: LevelError, field: "prices[0].cached_input", msgSubstr: "1.5 is above the input price 1"},
		{name: "cache equal to input is fine", model: cloud("m", "openai", "128000", rates("1", "1", "4")), rule: RuleCacheAboveInput},
		{name: "batch above 1", model: cloud("m", "openai", "128000", rates("1", "", "4"), func(m *CloudModel) { m.Prices[0].BatchMultiplier = num("1.5") }), rule: RuleBatchAboveOne, level: LevelError, field: "prices[0].batch_multiplier"},
		{name: "batch 1 is fine", model: cloud("m", "openai", "128000", rates("1", "", "4"), func(m *CloudModel) { m.Prices[0].BatchMultiplier = num("1") }), rule: RuleBatchAboveOne},
		{name: "anthropic 1h write wrong", model: cloud("claude-3-haiku", "anthropic", "200000", rates("0.25", "0.03", "1.25"), withCacheWrites("0.3125", "6")), rule: RuleAnthropicCache, level: LevelWarning, field: "prices[0].cache_write_1h", msgSubstr: "(= 0.5)"},
		{name: "anthropic rounding within 5%", model: cloud("claude-3-haiku", "anthropic", "200000", rates("0.25", "0.03", "1.25"), withCacheWrites("0.30", "0.50")), rule: RuleAnthropicCache},
		{name: "anthropic writes right", model: cloud("claude-x", "anthropic", "200000", rates("3", "0.3", "15"), withCacheWrites("3.75", "6")), rule: RuleAnthropicCache},
		{name: "anthropic 5m write wrong", model: cloud("claude-x", "anthropic", "200000", rates("3", "0.3", "15"), withCacheWrites("3.5", "")), rule: RuleAnthropicCache, level: LevelWarning, field: "prices[0].cache_write_5m"},
		{name: "non-anthropic writes not checked", model: cloud("gem", "google", "200000", rates("3", "0.3", "15"), withCacheWrites("1", "1")), rule: RuleAnthropicCache},
		{name: "anthropic tier writes checked", model: cloud("claude-x", "anthropic", "1000000", rates("3", "0.3", "15"), withTier("200000", Rates{Input: num("6"), Output: num("22.5"), CacheWrite1h: num("6")})), rule: RuleAnthropicCache, level: LevelWarning, field: "prices[0].tiers[0].cache_write_1h"},
		{name: "tier at context", model: cloud("m", "anthropic", "200000", rates("3", "", "15"), withTier("200000", rates("6", "", "22.5"))), rule: RuleTierUnreachable, level: LevelError, field: "prices[0].tiers[0].above_tokens"},
		{name: "tier below context fine", model: cloud("m", "openai", "1050000", rates("2.5", "", "15"), withTier("272000", rates("5", "", "22.5"))), rule: RuleTierUnreachable},
		{name: "tier cheaper", model: cloud("m", "openai", "1000000", rates("2", "", "8"), withTier("200000", rates("1", "", "8"))), rule: RuleTierCheaper, level: LevelWarning, field: "prices[0].tiers[0].input"},
		{name: "deprecated passed", model: cloud("m", "openai", "8192", rates("30", "", "60"), func(m *CloudModel) { m.Deprecated = Day(2026, 3, 26) }), rule: RuleDeprecated, level: LevelWarning, field: "deprecated", msgSubstr: "246 days ago"},
		{name: "deprecated in future", model: cloud("m", "openai", "8192", rates("30", "", "60"), func(m *CloudModel) { m.Deprecated = Day(2027, 3, 26) }), rule: RuleDeprecated},
		{name: "retired passed", model: cloud("m", "openai", "8192", rates("30", "", "60"), func(m *CloudModel) { m.Retired = Day(2026, 11, 27) }), rule: RuleRetired, level: LevelWarning, field: "retired"},
		{name: "stale verified", model: cloud("m", "openai", "8192", rates("30", "", "60"), func(m *CloudModel) { m.Verified = Day(2026, 5, 1) }), rule: RuleStale, level: LevelWarning, field: "verified", msgSubstr: "210 days ago"},
		{name: "180 days is not stale", model: cloud("m", "openai", "8192", rates("30", "", "60"), func(m *CloudModel) { m.Verified = Day(2026, 5, 31) }), rule: RuleStale},
		{name: "stale current price", model: cloud("m", "openai", "8192", rates("30", "", "60"), func(m *CloudModel) { m.Prices[0].Verified = Day(2025, 1, 1) }), rule: RuleStale, level: LevelWarning, field: "prices[0].verified"},
		{name: "source missing", model: cloud("m", "openai", "8192", rates("30", "", "60"), func(m *CloudModel) { m.Source = " " }), rule: RuleNoSource, level: LevelError, field: "source"},
		{name: "price source missing", model: cloud("m", "openai", "8192", rates("30", "", "60"), func(m *CloudModel) { m.Prices[0].Source = "" }), rule: RuleNoSource, level: LevelError, field: "prices[0].source"},
		{name: "no current price", model: cloud("m", "openai", "8192", rates("30", "", "60"), func(m *CloudModel) { m.Prices[0].EffectiveUntil = Day(2026, 6, 1) }), rule: RuleNoPrice, level: LevelWarning, field: "prices"},
		{name: "cache writes without cache read", model: cloud("m", "anthropic", "200000", rates("3", "", "15"), withCacheWrites("3.75", "")), rule: RuleCachedUnpriced, level: LevelInfo, field: "prices[0].cached_input"},
		{name: "imported caching model without cache read", model: cloud("o3-pro", "openai", "200000", rates("20", "", "80"), func(m *CloudModel) { m.Notes = "From LiteLLM: " + cachedUnpricedMarker + "." }), rule: RuleCachedUnpriced, level: LevelInfo, field: "prices[0].cached_input"},
		{name: "no caching, no finding", model: cloud("m", "openai", "8192", rates("30", "", "60")), rule: RuleCachedUnpriced},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.model.File = "data/cloud/test.yaml"
			fs := Lint([]CloudModel{tt.model}, lintToday, nil)
			if tt.rule == "" {
				if len(fs) != 0 {
					t.Fatalf("want no findings, got %+v", fs)
				}
				return
			}
			hits := ruleHits(fs, tt.model.ID.V, tt.rule)
			if tt.field == "" {
				if len(hits) != 0 {
					t.Fatalf("rule %s fired: %+v", tt.rule, hits)
				}
				return
			}
			if len(hits) != 1 {
				t.Fatalf("rule %s: %d findings, want 1: %+v (all: %+v)", tt.rule, len(hits), hits, fs)
			}
			h := hits[0]
			if h.Level != tt.level || h.Field != tt.field || h.File != "data/cloud/test.yaml" {
				t.Errorf("got %s %s %s, want %s %s", h.Level, h.Field, h.File, tt.level, tt.field)
			}
			if !strings.Contains(h.Message, tt.msgSubstr) {
				t.Errorf("message %q lacks %q", h.Message, tt.msgSubstr)
			}
		})
	}
}

func TestLintFindingCarriesLine(t *testing.T) {
	m := cloud("m", "openai", "128000", rates("1", "", "4"))
	m.ID.Line = 3
	cached := num("2")
	cached.Line = 12
	m.Prices[0].CachedInput = cached
	fs := ruleHits(Lint([]CloudModel{m}, lintToday, nil), "m", RuleCacheAboveInput)
	if len(fs) != 1 || fs[0].Line != 12 {
		t.Fatalf("want line 12, got %+v", fs)
	}
	m.Source = ""
	fs = ruleHits(Lint([]CloudModel{m}, lintToday, nil), "m", RuleNoSource)
	if len(fs) != 1 || fs[0].Line != 3 {
		t.Fatalf("a model-level finding should point at the id line 3, got %+v", fs)
	}
}

func TestLintAgainstThreshold(t *testing.T) {
	ours := cloud("m", "openai", "128000", rates("2", "0.5", "8"))
	tests := []struct {
		theirs string
		warn   bool
	}{
		{"2.1", false},  // +5.0%: not more than 5%
		{"2.11", true},  // +5.5%
		{"1.9", false},  // -5%
		{"1.89", true},  // -5.5%
		{"2", false},    // same
		{"20", true},    // +900%
		{"0.02", true},  // -99%
		{"2.00", false}, // same value, other scale
	}
	for _, tt := range tests {
		t.Run(tt.theirs, func(t *testing.T) {
			theirs := cloud("m", "openai", "128000", rates(tt.theirs, "0.5", "8"))
			hits := ruleHits(Lint([]CloudModel{ours}, lintToday, []CloudModel{theirs}), "m", RulePriceDisagrees)
			if (len(hits) == 1) != tt.warn || len(hits) > 1 {
				t.Fatalf("theirs %s: findings %+v, want warning=%v", tt.theirs, hits, tt.warn)
			}
			if tt.warn && (hits[0].Field != "input" || hits[0].Level != LevelWarning) {
				t.Errorf("finding %+v", hits[0])
			}
		})
	}
}

// oursFromAnchors is a hand-written slice of our catalog as
// reference/pricing-anchors.md §5 gives it (USD per 1M tokens).
func oursFromAnchors() []CloudModel {
	anth := func(id, in, cached, out, w5m, w1h, ctx string, opts ...func(*CloudModel)) CloudModel {
		return cloud(id, "anthropic", ctx, rates(in, cached, out), append([]func(*CloudModel){withCacheWrites(w5m, w1h)}, opts...)...)
	}
	return []CloudModel{
		cloud("gpt-4o", "openai", "128000", rates("2.5", "1.25", "10"), func(m *CloudModel) { m.Prices[0].BatchMultiplier = num("0.5") }),
		cloud("gpt-4.1-mini", "openai", "1047576", rates("0.40", "0.10", "1.60"), func(m *CloudModel) { m.Prices[0].BatchMultiplier = num("0.5") }),
		cloud("gpt-5.6-luna", "openai", "400000", rates("0.20", "0.02", "1.20"), func(m *CloudModel) {
			old := m.Prices[0]
			old.Rates = rates("1", "0.1", "6")
			old.EffectiveUntil = Day(2026, 7, 30)
			m.Prices[0].EffectiveFrom = Day(2026, 7, 30)
			m.Prices = append([]Price{old}, m.Prices...)
		}),
		cloud("gpt-5.6-terra", "openai", "400000", rates("2", "0.20", "12")),
		cloud("grok-4.5", "xai", "500000", rates("2", "0.30", "6"), withTier("200000", rates("4", "0.60", "12"))),
		anth("claude-3-haiku", "0.25", "0.03", "1.25", "0.30", "0.50", "200000", func(m *CloudModel) { m.Deprecated = Day(2026, 12, 31) }),
		anth("claude-3-opus", "15", "1.50", "75", "18.75", "30", "200000"),
		anth("claude-sonnet-4.5", "3", "0.30", "15", "3.75", "6", "1000000", func(m *CloudModel) {
			m.Aliases = []string{"claude-sonnet-4-5"}
		}, withTier("200000", Rates{Input: num("6"), Output: num("22.5"), CachedInput: num("0.6"), CacheWrite5m: num("7.5"), CacheWrite1h: num("12")})),
		// DeepSeek's peak rate since 2026-08-16 (the conservative one of peak/off-peak).
		cloud("deepseek-v4-flash", "deepseek", "1000000", rates("0.30", "0.006", "1.20")),
		cloud("deepseek-v4-pro", "deepseek", "1000000", rates("1.32", "0.044", "3.96")),
	}
}

// TestLintFindsAnchorDisagreements: linting our prices against the LiteLLM
// subset finds the defects pricing-anchors.md §1.11 lists.
func TestLintFindsAnchorDisagreements(t *testing.T) {
	imported, _ := importSubset(t)
	fs := Lint(oursFromAnchors(), lintToday, imported.Models)

	want := []struct{ model, field, ours, theirs string }{
		{"grok-4.5", "cached_input", "0.3", "0.5"},
		{"claude-3-haiku", "cache_write_1h", "0.5", "6"},
		{"claude-3-opus", "cache_write_1h", "30", "6"},
		{"gpt-5.6-luna", "input", "0.2", "1"},
		{"gpt-5.6-luna", "output", "1.2", "6"},
		{"gpt-5.6-luna", "cached_input", "0.02", "0.1"},
		{"gpt-5.6-terra", "input", "2", "2.5"},
		{"gpt-5.6-terra", "output", "12", "15"},
		{"deepseek-v4-flash", "input", "0.3", "0.14"},
		{"deepseek-v4-flash", "output", "1.2", "0.28"},
		{"deepseek-v4-pro", "input", "1.32", "0.435"},
		{"deepseek-v4-pro", "output", "3.96", "0.87"},
	}
	for _, w := range want {
		found := false
		for _, f := range ruleHits(fs, w.model, RulePriceDisagrees) {
			if f.Field == w.field && f.Level == LevelWarning &&
				strings.Contains(f.Message, "ours "+w.ours+",") && strings.Contains(f.Message, "LiteLLM") && strings.Contains(f.Message, " "+w.theirs+" (") {
				found = true
			}
		}
		if !found {
			t.Errorf("no disagreement for %s %s (ours %s, LiteLLM %s); findings: %v", w.model, w.field, w.ours, w.theirs, ruleHits(fs, w.model, RulePriceDisagrees))
		}
	}
	// grok-4.5: LiteLLM has no >200k tier; claude-sonnet-4.5: LiteLLM's tier is
	// unreachable under its 200k context, so the import dropped it.
	for _, m := range []string{"grok-4.5", "claude-sonnet-4.5"} {
		hits := ruleHits(fs, m, RuleMissingElsewhere)
		if len(hits) != 1 || hits[0].Field != "tiers[>200000]" || hits[0].Level != LevelWarning {
			t.Errorf("%s: want one warning about the >200000 tier, got %+v", m, hits)
		}
	}
	if hits := ruleHits(fs, "claude-sonnet-4.5", RuleContextDisagrees); len(hits) != 1 || !strings.Contains(hits[0].Message, "ours 1000000") || !strings.Contains(hits[0].Message, "200000") {
		t.Errorf("claude-sonnet-4.5 context: %+v", hits)
	}
	// Models that agree produce no price warnings.
	for _, m := range []string{"gpt-4o", "gpt-4.1-mini"} {
		if hits := ruleHits(fs, m, RulePriceDisagrees); len(hits) != 0 {
			t.Errorf("%s agrees with LiteLLM but got %+v", m, hits)
		}
	}
	// The relative difference is stated: grok-4.5 cached 0.3 -> 0.5 is +66.7%.
	if hits := ruleHits(fs, "grok-4.5", RulePriceDisagrees); len(hits) == 0 || !strings.Contains(fmt.Sprint(hits), "(+66.7%)") {
		t.Errorf("grok-4.5 relative difference missing: %+v", hits)
	}
	for _, f := range fs {
		if f.Level == LevelError {
			t.Errorf("our anchor prices have an error: %+v", f)
		}
	}
}

// TestLintImportedSubset: the subset's own defects show without a comparison.
func TestLintImportedSubset(t *testing.T) {
	imported, _ := importSubset(t)
	fs := Lint(imported.Models, lintToday, nil)
	for _, m := range []string{"claude-3-haiku", "claude-3-opus"} {
		hits := ruleHits(fs, m, RuleAnthropicCache)
		if len(hits) != 1 || hits[0].Field != "prices[0].cache_write_1h" {
			t.Errorf("%s: want a 1h cache-write warning, got %+v", m, hits)
		}
	}
	deprecated := 0
	for _, f := range fs {
		if f.Rule == RuleDeprecated {
			deprecated++
		}
		if f.Level == LevelError {
			t.Errorf("imported file has an error (the importer should have dropped it): %+v", f)
		}
	}
	// 16 entries carry a deprecation date, all passed by 2026-11-27; merged
	// aliases (gemini-2.0-flash-001 into gemini-2.0-flash) share one model.
	if deprecated < 10 {
		t.Errorf("only %d deprecated findings", deprecated)
	}
	if hits := ruleHits(fs, "o3-pro", RuleCachedUnpriced); len(hits) != 1 || hits[0].Level != LevelInfo {
		t.Errorf("o3-pro cached-unpriced: %+v", hits)
	}
}

// loadRepoCatalog loads data/, the YAML the binary's catalog is generated
// from (data imports this package, so its tests cannot import data).
func loadRepoCatalog(t testing.TB) (*Catalog, []CloudModel) {
	t.Helper()
	c, err := Load(Source{FS: os.DirFS("../../data"), Origin: "data"})
	if err != nil {
		t.Fatalf("loading the embedded catalog: %v", err)
	}
	var ours []CloudModel
	for _, m := range c.CloudModels() {
		ours = append(ours, *m)
	}
	return c, ours
}

// importSubsetFor imports the subset with the catalog's mappings and aliases,
// the way `llmcost catalog import` does.
func importSubsetFor(t testing.TB, c *Catalog, ours []CloudModel) File {
	t.Helper()
	r, err := os.Open(subsetPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, _, err := ImportLiteLLM(r, "litellm-subset-2026-07-24.json", subsetDate, append(append([]Mapping{}, c.Mappings...), MappingsFromModels(ours)...)...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestLintRealCatalogAgainstSubset: our shipped catalog, linted against the
// LiteLLM subset, shows the disagreements pricing-anchors.md §1.11 lists.
func TestLintRealCatalogAgainstSubset(t *testing.T) {
	c, ours := loadRepoCatalog(t)
	imported := importSubsetFor(t, c, ours)
	fs := Lint(ours, lintToday, imported.Models)

	disagree := []struct{ model, field string }{
		{"grok-4.5", "cached_input"},
		{"claude-3-haiku", "cache_write_1h"},
		{"claude-3-opus", "cache_write_1h"},
		{"gpt-5.6-luna", "input"}, {"gpt-5.6-luna", "output"},
		{"gpt-5.6-terra", "input"}, {"gpt-5.6-terra", "output"},
		{"deepseek-v4-flash", "input"}, {"deepseek-v4-flash", "output"},
		{"deepseek-v4-pro", "input"}, {"deepseek-v4-pro", "output"},
	}
	for _, w := range disagree {
		found := false
		for _, f := range ruleHits(fs, w.model, RulePriceDisagrees) {
			found = found || (f.Field == w.field && f.Level == LevelWarning && f.Line > 0 && strings.HasPrefix(f.File, "data/cloud/"))
		}
		if !found {
			t.Errorf("no %s disagreement on %s; got %+v", w.field, w.model, ruleHits(fs, w.model, RulePriceDisagrees))
		}
	}
	for _, m := range []string{"grok-4.5", "claude-sonnet-4.5"} {
		hits := ruleHits(fs, m, RuleMissingElsewhere)
		tier := false
		for _, h := range hits {
			tier = tier || (strings.HasPrefix(h.Field, "tiers[>") && h.Level == LevelWarning)
		}
		if !tier {
			t.Errorf("%s: no warning about the long-context tier LiteLLM lacks; got %+v", m, hits)
		}
	}
	for _, m := range []string{"gpt-4o", "gpt-4.1-mini", "gemini-2.5-pro"} {
		if hits := ruleHits(fs, m, RulePriceDisagrees); len(hits) != 0 {
			t.Errorf("%s should agree with LiteLLM: %+v", m, hits)
		}
	}
	for _, f := range fs {
		if f.Level == LevelError {
			t.Errorf("shipped catalog has a lint error: %+v", f)
		}
	}
}

// TestImportedCatalogLoadsOverOurs: the importer's output passes the
// loader's validation and merges over the shipped catalog without alias
// clashes, so `--catalog DIR` with an import works.
func TestImportedCatalogLoadsOverOurs(t *testing.T) {
	c, ours := loadRepoCatalog(t)
	imported := importSubsetFor(t, c, ours)
	yml, err := MarshalFileYAML(imported)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteFileAtomic(filepath.Join(dir, "litellm.yaml"), yml); err != nil {
		t.Fatal(err)
	}
	user, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Load(Source{FS: os.DirFS("../../data"), Origin: "data"}, user)
	if err != nil {
		t.Fatalf("imported catalog does not load over ours: %v", err)
	}
	g, err := merged.Cloud("grok-4.5")
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.PriceAt(lintToday)
	if err != nil {
		t.Fatal(err)
	}
	if p.CachedInput.D.String() != "0.5" || g.Origin != dir {
		t.Errorf("grok-4.5 from the import: cached %s origin %s", p.CachedInput.D, g.Origin)
	}
	if m, err := merged.Cloud("claude-sonnet-4-5-20250929"); err != nil || m.ID.V != "claude-sonnet-4.5" {
		t.Errorf("LiteLLM's dated Sonnet 4.5 key does not resolve to claude-sonnet-4.5: %v", err)
	}
}
