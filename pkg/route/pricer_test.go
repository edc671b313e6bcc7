package route

import (
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/shopspring/decimal"
)

func TestCatalogPricer(t *testing.T) {
	cat, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	p := &CatalogPricer{Catalog: cat}
	at := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	i := ledger.Int64
	for _, tc := range []struct {
		name, id string
		u        backend.Usage
		want     string
		err      string
	}{
		// Haiku 4.5: $1 in, $5 out, $0.10 cache read, $1.25 cache write per 1M.
		{"plain", "claude-haiku-4.5", backend.Usage{InputTokens: i(1000), OutputTokens: i(200)}, "0.002", ""},
		{"alias", "claude-haiku-4-5", backend.Usage{InputTokens: i(1000), OutputTokens: i(200)}, "0.002", ""},
		// 100 uncached + 800×0.10 + 100×1.25 = 305 µ$ in; 200×5 out
		{"cache", "claude-haiku-4.5", backend.Usage{InputTokens: i(1000), CachedTokens: i(800), CacheWriteTokens: i(100), OutputTokens: i(200)}, "0.001305", ""},
		{"missing", "claude-haiku-4.5", backend.Usage{InputTokens: i(1)}, "", "usage not reported"},
		{"inconsistent", "claude-haiku-4.5", backend.Usage{InputTokens: i(1), CachedTokens: i(5), OutputTokens: i(1)}, "", "inconsistent"},
		{"unknown", "gpt-nope", backend.Usage{InputTokens: i(1), OutputTokens: i(1)}, "", "gpt-nope"},
	} {
		got, err := p.PriceCloud(tc.id, at, tc.u)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("%s: %s, %v; want %s", tc.name, got, err, tc.want)
		}
	}
	if err := p.CheckPrice("claude-haiku-4.5"); err != nil {
		t.Error(err)
	}
	if _, err := p.PriceCloud("claude-haiku-4.5", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), backend.Usage{InputTokens: i(1), OutputTokens: i(1)}); err == nil {
		t.Error("a date before the model existed must not be priced")
	}
}

// A time-of-day price bills each request by when it was made: DeepSeek's
// peak rate at 02:00 UTC on a Monday, half of it at 12:00 or on a
// Saturday. A fixed --as-of picks the price, not the hour.
func TestCatalogPricerTimeOfDay(t *testing.T) {
	cat, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	i := ledger.Int64
	u := backend.Usage{InputTokens: i(1_000_000), OutputTokens: i(1_000_000)}
	m, err := cat.Cloud("deepseek-flash")
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.PriceAt(time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC))
	if err != nil || p.OffPeak == nil {
		t.Fatalf("deepseek-flash has no time-of-day price (%v): the test needs one", err)
	}
	peak := p.Input.D.Add(p.Output.D)
	for _, c := range []struct {
		at   time.Time
		want decimal.Decimal
	}{
		{time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC), peak},
		{time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), peak.Mul(p.OffPeak.Multiplier.D)},
		{time.Date(2026, 12, 12, 2, 0, 0, 0, time.UTC), peak.Mul(p.OffPeak.Multiplier.D)},
	} {
		got, err := (&CatalogPricer{Catalog: cat}).PriceCloud("deepseek-flash", c.at, u)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s: %s, %v; want %s", c.at.Format(time.RFC3339), got, err, c.want)
		}
		asOf := &CatalogPricer{Catalog: cat, AsOf: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
		if got, err := asOf.PriceCloud("deepseek-flash", c.at, u); err != nil || !got.Equal(c.want) {
			t.Errorf("%s with as-of 2026-11-01 (00:00, off-peak): %s, %v; want %s", c.at.Format(time.RFC3339), got, err, c.want)
		}
	}
}
