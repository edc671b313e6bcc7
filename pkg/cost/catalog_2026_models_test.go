package cost_test

import (
	"testing"
	"time"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/shopspring/decimal"
)

// The models added for issue 14, priced from the embedded catalog. Each
// workload is 10M tokens a month at 75% input (7.5M in, 2.5M out) unless the
// case says otherwise; the comment on each case is the sum done by hand at
// the catalog's USD-per-1M rates, so a price typed wrongly into the YAML, a
// lost alias or a wrong tier fails here.
func TestIssue14ModelsHandComputed(t *testing.T) {
	c, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	dec3 := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	jan1 := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	apr1 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	jul15 := time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)
	base := cost.Workload{InputTokens: 7_500_000, OutputTokens: 2_500_000, PromptTokens: 1000}
	withCache := base
	withCache.CachedShare = decimal.RequireFromString("0.5")
	longPrompt := base
	longPrompt.PromptTokens = 300_000

	tests := []struct {
		name       string // as a user types it: an id or an alias
		id         string // the catalog entry it must resolve to
		day        time.Time
		w          cost.Workload
		want       string
		unverified bool // the entry rests on aggregators only
	}{
		// 7.5 × 1.75 = 13.125; 2.5 × 14 = 35; total 48.125
		{"gpt-5.3-instant", "gpt-5.3-chat-latest", dec3, base, "48.125", false},
		// same rates as gpt-5.3-chat-latest: 13.125 + 35 = 48.125
		{"gpt-5.2-codex", "gpt-5.2-codex", dec3, base, "48.125", true},
		// 7.5 × 1.25 = 9.375; 2.5 × 10 = 25; total 34.375
		{"gpt-5.1-codex-max", "gpt-5.1-codex-max", dec3, base, "34.375", true},
		// LiteLLM's price only (the API is a partner preview): 13.125 + 35 = 48.125
		{"gpt-5.3-codex-spark", "gpt-5.3-codex-spark", dec3, base, "48.125", true},
		// 7.5 × 0.30 = 2.25; 2.5 × 2.50 = 6.25; total 8.50
		{"amazon.nova-2-lite-v1:0", "nova-2-lite", dec3, base, "8.5", true},
		// Standard tier, not the 1.75x Priority price some tables carry:
		// 7.5 × 1.25 = 9.375; 2.5 × 10 = 25; total 34.375
		{"amazon.nova-2-pro-preview-20251202-v1:0", "nova-2-pro", dec3, base, "34.375", true},
		// half the input cached: 3.75 × 1.25 = 4.6875; 3.75 × 0.3125 = 1.171875;
		// 2.5 × 10 = 25; total 30.859375
		{"nova-2-pro", "nova-2-pro", dec3, withCache, "30.859375", true},
		// 7.5 × 2.50 = 18.75; 2.5 × 10 = 25; total 43.75
		{"command-a-03-2025", "command-a", dec3, base, "43.75", true},
		// 7.5 × 0.40 = 3.00; 2.5 × 1.20 = 3.00; total 6.00
		{"dashscope/qwen-plus", "qwen-plus", dec3, base, "6", true},
		// prompt under 256K: 7.5 × 0.05 = 0.375; 2.5 × 0.40 = 1.00; total 1.375
		{"qwen-flash", "qwen-flash", dec3, base, "1.375", true},
		// 300K-token prompts bill the whole request in the 256K-1M band:
		// 7.5 × 0.25 = 1.875; 2.5 × 2.00 = 5.00; total 6.875
		{"qwen-flash", "qwen-flash", dec3, longPrompt, "6.875", true},
		// DeepSeek-V3.2 is deepseek-chat: 7.5 × 0.28 = 2.10; 2.5 × 0.42 = 1.05; total 3.15
		{"deepseek-v3.2", "deepseek-chat", dec3, base, "3.15", false},
		// 7.5 × 0.20 = 1.50; 2.5 × 0.50 = 1.25; total 2.75
		{"grok-4-1-fast-reasoning", "grok-4.1-fast", dec3, base, "2.75", true},
		// half the input cached: 3.75 × 0.20 = 0.75; 3.75 × 0.05 = 0.1875;
		// 2.5 × 0.50 = 1.25; total 2.1875
		{"grok-4.1-fast", "grok-4.1-fast", dec3, withCache, "2.1875", true},
		// 7.5 × 0.20 = 1.50; 2.5 × 1.50 = 3.75; total 5.25
		{"grok-code-fast-1", "grok-code-fast-1", dec3, base, "5.25", true},
		// Grok 4.20 at its launch price ($2/$6, no long-context tier):
		// 7.5 × 2 = 15; 2.5 × 6 = 15; total 30
		{"grok-4.20-0309-reasoning", "grok-4.20-0309-reasoning", apr1, base, "30", false},
		// a 300K-token prompt at launch is still flat: 30
		{"grok-4.20-0309-non-reasoning", "grok-4.20-0309-non-reasoning", apr1, longPrompt, "30", false},
		// multi-agent at launch, half cached: 3.75 × 2 = 7.5; 3.75 × 0.20 = 0.75;
		// 2.5 × 6 = 15; total 23.25
		{"grok-4.20-multi-agent-beta-0309", "grok-4.20-multi-agent-0309", apr1, withCache, "23.25", false},
		// after the repricing: 7.5 × 1.25 = 9.375; 2.5 × 2.50 = 6.25; total 15.625
		{"grok-4.20-0309-reasoning", "grok-4.20-0309-reasoning", dec3, base, "15.625", false},
		// 300K-token prompts now bill the whole request at the >=200K tier:
		// 7.5 × 2.50 = 18.75; 2.5 × 5.00 = 12.5; total 31.25
		{"grok-4.20-0309-reasoning", "grok-4.20-0309-reasoning", dec3, longPrompt, "31.25", false},
		// 7.5 × 0.60 = 4.50; 2.5 × 6.00 = 15.00; total 19.50
		{"writer/palmyra-x5", "palmyra-x5", dec3, base, "19.5", true},
		// 7.5 × 1.50 = 11.25; 2.5 × 7.50 = 18.75; total 30.00
		{"mistral-medium-3-5", "mistral-medium-3.5", dec3, base, "30", false},
		// Mistral Small 4 at Mistral's own price: 7.5 × 0.15 = 1.125;
		// 2.5 × 0.60 = 1.50; total 2.625
		{"mistral-small-2603", "mistral-small-4", dec3, base, "2.625", false},
		// Mistral Large 4 at its preview price: 7.5 × 0.68 = 5.10;
		// 2.5 × 2.09 = 5.225; total 10.325
		{"mistral-large-4-0", "mistral-large-4", dec3, base, "10.325", false},
		// half the input cached: 3.75 × 0.68 = 2.55; 3.75 × 0.07 = 0.2625;
		// 2.5 × 2.09 = 5.225; total 8.0375
		{"mistral-large-4", "mistral-large-4", dec3, withCache, "8.0375", false},
		// introductory price in 2026: 7.5 × 0.75 = 5.625; 2.5 × 3.75 = 9.375; total 15.00
		{"gemini-3.8-flash", "gemini-3.8-flash", dec3, base, "15", false},
		// the announced 2027 price: 7.5 × 1.50 = 11.25; 2.5 × 7.50 = 18.75; total 30.00
		{"gemini-3.8-flash", "gemini-3.8-flash", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), base, "30", false},
		// Gemini 3.7 Flash, introductory price in 2026:
		// 7.5 × 0.75 = 5.625; 2.5 × 3.75 = 9.375; total 15.00
		{"gemini/gemini-3.7-flash", "gemini-3.7-flash", dec3, base, "15", false},
		// half the input cached: 3.75 × 0.75 = 2.8125; 3.75 × 0.075 = 0.28125;
		// 2.5 × 3.75 = 9.375; total 12.46875
		{"gemini-3.7-flash", "gemini-3.7-flash", dec3, withCache, "12.46875", false},
		// the announced 2027 price: 7.5 × 1.50 = 11.25; 2.5 × 7.50 = 18.75; total 30.00
		{"gemini-3.7-flash", "gemini-3.7-flash", jan1, base, "30", false},
		// Gemini 3.6 Flash before the cut of 2026-08-13 (launch price):
		// 7.5 × 1.50 = 11.25; 2.5 × 7.50 = 18.75; total 30.00
		{"gemini-3.6-flash", "gemini-3.6-flash", time.Date(2026, 8, 12, 0, 0, 0, 0, time.UTC), base, "30", false},
		// from the cut, the introductory price: 7.5 × 0.75 = 5.625; 2.5 × 3.75 = 9.375; total 15.00
		{"gemini-3.6-flash", "gemini-3.6-flash", time.Date(2026, 8, 13, 0, 0, 0, 0, time.UTC), base, "15", false},
		// last day of the introductory price, half cached: 3.75 × 0.75 = 2.8125;
		// 3.75 × 0.075 = 0.28125; 2.5 × 3.75 = 9.375; total 12.46875
		{"gemini-3.6-flash", "gemini-3.6-flash", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), withCache, "12.46875", false},
		// back to the standard price on 2027-01-01: 11.25 + 18.75 = 30.00
		{"gemini-3.6-flash", "gemini-3.6-flash", jan1, base, "30", false},
		// launch dates found on 2026-12-03 price the weeks before the first
		// source: Gemini 3.5 Flash on 2026-06-01: 7.5 × 1.50 = 11.25;
		// 2.5 × 9.00 = 22.50; total 33.75
		{"gemini-3.5-flash", "gemini-3.5-flash", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), base, "33.75", false},
		// Grok 4.5 in its launch month, half cached at $0.50: 3.75 × 2 = 7.5;
		// 3.75 × 0.50 = 1.875; 2.5 × 6 = 15; total 24.375
		{"grok-4.5", "grok-4.5", jul15, withCache, "24.375", false},
		// from 2026-08-01 the cache read is $0.30: 7.5 + 3.75 × 0.30 = 1.125;
		// + 15; total 23.625
		{"grok-4.5", "grok-4.5", dec3, withCache, "23.625", false},
		// Grok 4.6 on 2026-08-20: 7.5 × 2 = 15; 2.5 × 6 = 15; total 30
		{"grok-4.6", "grok-4.6", time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC), base, "30", false},
	}
	for _, tc := range tests {
		t.Run(tc.name+"@"+tc.day.Format(time.DateOnly), func(t *testing.T) {
			m, err := c.Cloud(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID.V != tc.id {
				t.Fatalf("%s resolved to %s, want %s", tc.name, m.ID.V, tc.id)
			}
			if m.Unverified != tc.unverified {
				t.Errorf("%s unverified = %v, want %v", m.ID.V, m.Unverified, tc.unverified)
			}
			p, err := m.PriceAt(tc.day)
			if err != nil {
				t.Fatal(err)
			}
			r, err := cost.Cloud(m, p, tc.w)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Total.Equal(decimal.RequireFromString(tc.want)) {
				t.Errorf("%s: $%s, want $%s", tc.name, r.Total, tc.want)
			}
		})
	}

	// Grok 4.1 Fast and Grok Code Fast 1 were retired on 2026-05-15: their
	// prices stay for as-of queries on old usage, but the status says so.
	for _, id := range []string{"grok-4.1-fast", "grok-code-fast-1"} {
		m, err := c.Cloud(id)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Status(time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)); got != "" {
			t.Errorf("%s status on 2026-05-14 = %q, want active", id, got)
		}
		if got := m.Status(time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC)); got != "retired" {
			t.Errorf("%s status on 2026-05-15 = %q, want retired", id, got)
		}
	}

	// Mistral's model pages date the retirements of the models the catalog
	// first had from llm-prices only.
	for id, retired := range map[string]string{"mistral-small-3.1": "2025-11-30", "mistral-large": "2026-05-31", "mistral-medium-3": "2026-08-31"} {
		m, err := c.Cloud(id)
		if err != nil {
			t.Fatal(err)
		}
		day, _ := time.Parse(time.DateOnly, retired)
		if got := m.Status(day.AddDate(0, 0, -1)); got != "deprecated" {
			t.Errorf("%s status the day before %s = %q, want deprecated", id, retired, got)
		}
		if got := m.Status(day); got != "retired" {
			t.Errorf("%s status on %s = %q, want retired", id, retired, got)
		}
	}

	// Mistral Large 4 has no price before its preview opened.
	if m, err := c.Cloud("mistral-large-4"); err != nil {
		t.Fatal(err)
	} else if p, err := m.PriceAt(time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Errorf("mistral-large-4 priced before 2026-10-06: %+v", p)
	}

	// Grok 4.20's and Grok 4.5's launch prices rest on third-party reports,
	// so those price entries (not the current ones) are marked unverified.
	for id, launch := range map[string]time.Time{"grok-4.20-0309-reasoning": apr1, "grok-4.5": jul15} {
		g, err := c.Cloud(id)
		if err != nil {
			t.Fatal(err)
		}
		for day, want := range map[time.Time]bool{launch: true, dec3: false} {
			p, err := g.PriceAt(day)
			if err != nil {
				t.Fatal(err)
			}
			if p.Unverified != want {
				t.Errorf("%s price on %s unverified = %v, want %v", id, day.Format(time.DateOnly), p.Unverified, want)
			}
		}
	}

	// Prices are dated: before the first source that lists qwen-flash there
	// is no price, which is an error, never $0.
	m, err := c.Cloud("qwen-flash")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := m.PriceAt(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Errorf("qwen-flash priced before its first source: %+v", p)
	}
}

// Models left out for lack of a price anyone can stand behind, and geo
// profiles priced differently from the global one, stay unknown.
func TestIssue14ModelsLeftOutAreUnknown(t *testing.T) {
	c, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"us.amazon.nova-2-pro-preview-20251202-v1:0", "us.amazon.nova-2-lite-v1:0"} {
		if m, err := c.Cloud(name); err == nil {
			t.Errorf("%s resolves to %s; it has no price (or a different one) in the sources", name, m.ID.V)
		}
	}
}
