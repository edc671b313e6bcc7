package cost_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/shopspring/decimal"
)

// Test models with round prices, so every expected value below can be
// checked by hand.
const testCatalog = `schema_version: 1
models:
  - id: plain
    provider: openai
    context_window: 128000
    source: test
    verified: 2026-01-01
    prices:
      - {effective_from: 2024-01-01, input: 2.50, cached_input: 1.25, output: 10, batch_multiplier: 0.5, source: test, verified: 2026-01-01}
  - id: anthropic-like
    provider: anthropic
    context_window: 1000000
    source: test
    verified: 2026-01-01
    prices:
      - effective_from: 2024-01-01
        input: 3
        cached_input: 0.30
        cache_write_5m: 3.75
        cache_write_1h: 6
        output: 15
        batch_multiplier: 0.5
        source: test
        verified: 2026-01-01
        tiers:
          - {above_tokens: 200000, input: 6, cached_input: 0.60, cache_write_5m: 7.5, cache_write_1h: 12, output: 22.50}
  - id: tiered
    provider: openai
    context_window: 1050000
    source: test
    verified: 2026-01-01
    prices:
      - effective_from: 2024-01-01
        input: 2.50
        cached_input: 0.25
        output: 15
        source: test
        verified: 2026-01-01
        tiers:
          - {above_tokens: 272000, input: 5, cached_input: 0.50, output: 22.50}
  - id: thinker
    provider: acme
    context_window: 200000
    source: test
    verified: 2026-01-01
    prices:
      - {effective_from: 2024-01-01, input: 1, output: 10, reasoning: 20, source: test, verified: 2026-01-01}
  - id: bare
    provider: acme
    context_window: 8000
    source: test
    verified: 2026-01-01
    prices:
      - {effective_from: 2024-01-01, input: 1, output: 2, source: test, verified: 2026-01-01}
  - id: timeofday
    provider: acme
    context_window: 8000
    source: test
    verified: 2026-01-01
    prices:
      - effective_from: 2024-01-01
        input: 0.30
        output: 1.20
        cached_input: 0.006
        off_peak: {multiplier: 0.5, peak_hours_utc: ["01:00-04:00", "06:00-10:00"], peak_weekdays: [mon, tue, wed, thu, fri]}
        source: test
        verified: 2026-01-01
`

func testModels(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load(catalog.Source{FS: fstest.MapFS{"t.yaml": {Data: []byte(testCatalog)}}, Origin: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func price(t *testing.T, c *catalog.Catalog, id string, w cost.Workload) (cost.CloudResult, error) {
	t.Helper()
	m, err := c.Cloud(id)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.PriceAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return cost.Cloud(m, p, w)
}

func TestCloudHandComputed(t *testing.T) {
	c := testModels(t)
	cases := []struct {
		name  string
		model string
		w     cost.Workload
		want  string
	}{
		// 7.5M × $2.50 + 2.5M × $10
		{"plain", "plain", cost.Workload{InputTokens: 7_500_000, OutputTokens: 2_500_000}, "43.75"},
		// 3.75M × 2.50 + 3.75M × 1.25 + 2.5M × 10 = 9.375 + 4.6875 + 25
		{"cached half", "plain", cost.Workload{InputTokens: 7_500_000, OutputTokens: 2_500_000, CachedShare: d("0.5")}, "39.0625"},
		// standard half: 4M × 2.5 + 1M × 10 = 20; batch half at ×0.5: 10
		{"batch half", "plain", cost.Workload{InputTokens: 8_000_000, OutputTokens: 2_000_000, BatchShare: d("0.5")}, "30"},
		// 3M × 3 + 6M × 0.30 + 1M × 3.75 + 1M × 15 = 9 + 1.8 + 3.75 + 15
		{"cache write 5m", "anthropic-like", cost.Workload{InputTokens: 10_000_000, OutputTokens: 1_000_000, CachedShare: d("0.6"), CacheWriteShare: d("0.1")}, "29.55"},
		// same with the 1-hour write at $6: 9 + 1.8 + 6 + 15
		{"cache write 1h", "anthropic-like", cost.Workload{InputTokens: 10_000_000, OutputTokens: 1_000_000, CachedShare: d("0.6"), CacheWriteShare: d("0.1"), CacheWriteTTL: "1h"}, "31.8"},
		// prompt 300K > 272K: the whole request at the tier: 30M × 5 + 1M × 22.50
		{"long-context tier", "tiered", cost.Workload{InputTokens: 30_000_000, OutputTokens: 1_000_000, PromptTokens: 300_000}, "172.5"},
		// exactly at the threshold is not above it: 30M × 2.5 + 1M × 15
		{"at the threshold", "tiered", cost.Workload{InputTokens: 30_000_000, OutputTokens: 1_000_000, PromptTokens: 272_000}, "90"},
		// tier with cache reads: 15M × 5 + 15M × 0.5 + 1M × 22.5
		{"tier with cache", "tiered", cost.Workload{InputTokens: 30_000_000, OutputTokens: 1_000_000, PromptTokens: 500_000, CachedShare: d("0.5")}, "105"},
		// Anthropic tier + cache write + batch: prompt 250K; 10M in, 1M out, write 0.2 (5m), batch 1.0
		// (8M × 6 + 2M × 7.5 + 1M × 22.5) × 0.5 = (48 + 15 + 22.5) / 2
		{"tier, write, batch", "anthropic-like", cost.Workload{InputTokens: 10_000_000, OutputTokens: 1_000_000, PromptTokens: 250_000, CacheWriteShare: d("0.2"), BatchShare: d("1")}, "42.75"},
		// reasoning at its own rate: 1M × 1 + 1M × 10 + 1M × 20
		{"reasoning rate", "thinker", cost.Workload{InputTokens: 1_000_000, OutputTokens: 2_000_000, ReasoningShare: d("0.5")}, "31"},
		// reasoning without its own rate is billed as output: 1M × 2.5 + 2M × 10
		{"reasoning as output", "plain", cost.Workload{InputTokens: 1_000_000, OutputTokens: 2_000_000, ReasoningShare: d("0.5")}, "22.5"},
		{"zero traffic", "plain", cost.Workload{}, "0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := price(t, c, tc.model, tc.w)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Total.Equal(d(tc.want)) {
				t.Fatalf("total = %s, want %s (lines %+v)", r.Total, tc.want, r.Lines)
			}
			sum := decimal.Zero
			for _, l := range r.Lines {
				sum = sum.Add(l.Cost)
			}
			if !sum.Equal(r.Total) {
				t.Fatalf("lines sum to %s, total %s", sum, r.Total)
			}
		})
	}
}

func TestCloudUnpricedIsAnError(t *testing.T) {
	c := testModels(t)
	cases := []struct {
		name, model string
		w           cost.Workload
		want        string
	}{
		{"cached without a cache price", "bare", cost.Workload{InputTokens: 100, OutputTokens: 1, CachedShare: d("0.5")}, "bare has no cached-input price"},
		{"batch without a batch price", "bare", cost.Workload{InputTokens: 100, OutputTokens: 1, BatchShare: d("0.5")}, "bare has no batch price"},
		{"cache write without a write price", "plain", cost.Workload{InputTokens: 100, OutputTokens: 1, CacheWriteShare: d("0.5")}, "plain has no cache_write_5m price"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := price(t, c, tc.model, tc.w)
			var pe *catalog.PriceError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got total %s, err %v; want a PriceError containing %q", r.Total, err, tc.want)
			}
		})
	}
}

func TestWorkloadValidate(t *testing.T) {
	for _, w := range []cost.Workload{
		{CachedShare: d("1.1")},
		{BatchShare: d("-0.1")},
		{CachedShare: d("0.6"), CacheWriteShare: d("0.5")},
		{CacheWriteTTL: "2h"},
		{InputTokens: -1},
	} {
		if err := w.Validate(); err == nil {
			t.Errorf("%+v: accepted", w)
		}
	}
}

// The seed article's GPT-4o claim, against the embedded catalog: at the
// prices of June 2024 ($5/$15) 10M tokens (75% input) cost $75, at
// today's ($2.50/$10) $43.75 — not $1,800.
func TestSeedGPT4oOnEmbeddedCatalog(t *testing.T) {
	c, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Cloud("gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	w := cost.Workload{InputTokens: 7_500_000, OutputTokens: 2_500_000, PromptTokens: 1000}
	for _, tc := range []struct {
		day  time.Time
		want string
	}{
		{time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), "75"},
		{time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), "43.75"},
	} {
		p, err := m.PriceAt(tc.day)
		if err != nil {
			t.Fatal(err)
		}
		r, err := cost.Cloud(m, p, w)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Total.Equal(d(tc.want)) {
			t.Errorf("%s: %s, want %s", tc.day.Format(time.DateOnly), r.Total, tc.want)
		}
	}
}

func BenchmarkCloud(b *testing.B) {
	c, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		b.Fatal(err)
	}
	models := c.CloudModels()
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	w := cost.Workload{InputTokens: 7_500_000, OutputTokens: 2_500_000, PromptTokens: 1000, CachedShare: d("0.3")}
	for b.Loop() {
		for _, m := range models {
			if p, err := m.PriceAt(now); err == nil {
				_, _ = cost.Cloud(m, p, w)
			}
		}
	}
}

// A time-of-day price: the peak share of every slice's tokens at the
// rates, the rest at rate x multiplier, in whole tokens that add up; by
// default the share of the week's hours in the peak windows (35/168).
func TestCloudTimeOfDay(t *testing.T) {
	c := testModels(t)
	w := cost.Workload{InputTokens: 7_500_000, OutputTokens: 2_500_000, CachedShare: d("0.2")}
	all, err := price(t, c, "timeofday", cost.Workload{InputTokens: w.InputTokens, OutputTokens: w.OutputTokens, CachedShare: w.CachedShare, PeakShare: ptrDec(d("1"))})
	if err != nil {
		t.Fatal(err)
	}
	// All at peak: 6M x 0.30 + 1.5M x 0.006 + 2.5M x 1.20 = 1.8 + 0.009 + 3.0.
	if want := d("4.809"); !all.Total.Equal(want) {
		t.Fatalf("all at peak: %s, want %s", all.Total, want)
	}
	none, err := price(t, c, "timeofday", cost.Workload{InputTokens: w.InputTokens, OutputTokens: w.OutputTokens, CachedShare: w.CachedShare, PeakShare: ptrDec(d("0"))})
	if err != nil {
		t.Fatal(err)
	}
	if want := d("2.4045"); !none.Total.Equal(want) {
		t.Fatalf("all off-peak: %s, want half, %s", none.Total, want)
	}
	even, err := price(t, c, "timeofday", w)
	if err != nil {
		t.Fatal(err)
	}
	share := d("35").Div(d("168"))
	if even.PeakShare == nil || !even.PeakShare.Equal(share) {
		t.Fatalf("default peak share %v, want 35/168", even.PeakShare)
	}
	var tokens, cost2 decimal.Decimal
	offPeakLines := 0
	for _, l := range even.Lines {
		if !l.Tokens.Equal(l.Tokens.Round(0)) {
			t.Errorf("line %+v: tokens not whole", l)
		}
		if l.OffPeak {
			offPeakLines++
		}
		tokens = tokens.Add(l.Tokens)
		cost2 = cost2.Add(l.Cost)
	}
	if !tokens.Equal(decimal.NewFromInt(10_000_000)) || !cost2.Equal(even.Total) || offPeakLines != 3 {
		t.Fatalf("lines add up to %s tokens and $%s (total $%s), %d off-peak lines", tokens, cost2, even.Total, offPeakLines)
	}
	// Exactly the blend of the two: (35 x all + 133 x none) / 168, with
	// no rounding of the share or of the tokens it splits.
	blend := all.Total.Mul(d("35")).Add(none.Total.Mul(d("133"))).DivRound(d("168"), 24)
	if !even.Total.Equal(blend) {
		t.Fatalf("even spread %s, blend %s", even.Total, blend)
	}
	// 16M tokens at 12M in / 4M out cost $5.075 exactly, which shows as
	// $5.08 (rounding the peak tokens had made it 5.0749998, $5.07).
	sixteen, err := price(t, c, "timeofday", cost.Workload{InputTokens: 12_000_000, OutputTokens: 4_000_000})
	if err != nil {
		t.Fatal(err)
	}
	if want := d("12").Mul(d("0.30").Mul(d("35")).Add(d("0.15").Mul(d("133")))).Add(d("4").Mul(d("1.20").Mul(d("35")).Add(d("0.60").Mul(d("133"))))).DivRound(d("168"), 24); !sixteen.Total.Equal(want) {
		t.Fatalf("16M: %s, want %s", sixteen.Total, want)
	}
	// A price without peak hours ignores the share and says nothing.
	flat, err := price(t, c, "bare", cost.Workload{InputTokens: 1000, OutputTokens: 1000, PeakShare: ptrDec(d("0"))})
	if err != nil || flat.PeakShare != nil || !flat.Total.Equal(d("0.003")) {
		t.Fatalf("flat price: %v %v %s", err, flat.PeakShare, flat.Total)
	}
	if _, err := price(t, c, "timeofday", cost.Workload{InputTokens: 1, PeakShare: ptrDec(d("1.5"))}); err == nil {
		t.Fatal("peak share 1.5 accepted")
	}
}

func ptrDec(v decimal.Decimal) *decimal.Decimal { return &v }
