package budget_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/shopspring/decimal"
)

const diffBase = `schema_version: 1
workloads:
  - name: chat
    model: flat
    requests_per_month: 1000
    prompt_tokens: 1000
    output_tokens: 100
  - name: docs
    model: tiered
    requests_per_month: 10
    prompt_tokens: 100k
    output_tokens: 1000
  - name: gone
    model: flat
    requests_per_month: 1000
    prompt_tokens: 1000
    output_tokens: 100
`

func TestDiffReasonsAddUp(t *testing.T) {
	tests := []struct {
		name    string
		head    string
		reasons map[string][]string // workload -> reason kinds
	}{
		{"identical", diffBase, map[string][]string{"chat": nil, "docs": nil, "gone": nil}},
		{"model, requests and tokens at once", strings.NewReplacer(
			"model: flat\n    requests_per_month: 1000\n    prompt_tokens: 1000\n    output_tokens: 100\n  - name: docs", "model: changing\n    requests_per_month: 3000\n    prompt_tokens: 2000\n    output_tokens: 50\n    cached_share: 0\n  - name: docs",
		).Replace(diffBase), map[string][]string{"chat": {budget.ReasonModel, budget.ReasonRequests, budget.ReasonPrompt, budget.ReasonOutput}}},
		// 300k prompts cross the 200k tier: priced at $4 instead of $2.
		{"prompt crosses a tier", strings.Replace(diffBase, "prompt_tokens: 100k", "prompt_tokens: {p50: 100k, p90: 150k, p99: 300k}", 1), map[string][]string{"docs": {budget.ReasonPrompt}}},
		{"discount", diffBase + "assumptions:\n  discounts: {acme: 0.2}\n", map[string][]string{"chat": {budget.ReasonPrice}, "docs": nil}},
		{"added and removed", strings.Replace(diffBase, "name: gone", "name: new", 1), map[string][]string{"gone": {budget.ReasonRemoved}, "new": {budget.ReasonAdded}}},
		// flat's context is 100k: a 150k prompt cannot be priced on flat, so
		// the prompt change is merged into the model change that makes it fit.
		{"unpriceable step merged", strings.Replace(strings.Replace(diffBase, "prompt_tokens: 1000\n    output_tokens: 100\n  - name: docs", "prompt_tokens: 150k\n    output_tokens: 100\n  - name: docs", 1), "model: flat\n    requests_per_month: 1000\n    prompt_tokens: 150k", "model: tiered\n    requests_per_month: 1000\n    prompt_tokens: 150k", 1),
			map[string][]string{"chat": {budget.ReasonModel, budget.ReasonPrompt}}},
	}
	cat := testCat(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := decode(t, diffBase)
			head, err := budget.Decode("head.yaml", []byte(tt.head))
			if err != nil {
				t.Fatal(err)
			}
			dr, err := budget.Diff(cat, base, head, today)
			if err != nil {
				t.Fatal(err)
			}
			// The diff equals the subtraction of two checks.
			br, _ := budget.Check(cat, []*budget.Config{base}, budget.Options{Today: today})
			hr, _ := budget.Check(cat, []*budget.Config{head}, budget.Options{Today: today})
			if !dr.DeltaUSD.Equal(hr.TotalMonthlyUSD.Sub(br.TotalMonthlyUSD)) || !dr.Base.TotalMonthlyUSD.Equal(br.TotalMonthlyUSD) {
				t.Fatalf("diff %s, checks %s - %s", dr.DeltaUSD, hr.TotalMonthlyUSD, br.TotalMonthlyUSD)
			}
			var sum decimal.Decimal
			for _, w := range dr.Workloads {
				sum = sum.Add(w.DeltaUSD)
				var rs decimal.Decimal
				var ks []string
				for _, r := range w.Reasons {
					rs = rs.Add(r.DeltaUSD)
					ks = append(ks, r.Kind)
				}
				if !rs.Equal(w.DeltaUSD) {
					t.Errorf("%s: reasons add up to %s, delta is %s", w.Name, rs, w.DeltaUSD)
				}
				if want, ok := tt.reasons[w.Name]; ok {
					got := strings.Join(ks, ",")
					if strings.Contains(tt.name, "merged") {
						got = strings.ReplaceAll(got, "+", ",")
					}
					if got != strings.Join(want, ",") {
						t.Errorf("%s: reasons %v, want %v (%+v)", w.Name, ks, want, w.Reasons)
					}
				}
			}
			if !sum.Equal(dr.DeltaUSD) {
				t.Fatalf("workloads add up to %s, total delta is %s", sum, dr.DeltaUSD)
			}
		})
	}
}

func TestDiffTierCrossingCost(t *testing.T) {
	// docs: 10 × 100k × $2 + 10 × 1000 × $10 = $2.10 before;
	// after: 5 × 100k × $2 + 4 × 150k × $2 + 1 × 300k × $4 (tier) = 1 + 1.2 + 1.2,
	// outputs 5 000 × $10 + 4 000 × $10 + 1 000 × $15 = 0.105 -> $3.505.
	head, _ := budget.Decode("head.yaml", []byte(strings.Replace(diffBase, "prompt_tokens: 100k", "prompt_tokens: {p50: 100k, p90: 150k, p99: 300k}", 1)))
	dr, err := budget.Diff(testCat(t), decode(t, diffBase), head, today)
	if err != nil {
		t.Fatal(err)
	}
	w := dr.Workloads[0]
	if w.Name != "docs" || !w.DeltaUSD.Equal(d("1.405")) || !w.HeadMonthlyUSD.Equal(d("3.505")) {
		t.Fatalf("%s: %s -> %s (%s)", w.Name, w.BaseMonthlyUSD, w.HeadMonthlyUSD, w.DeltaUSD)
	}
	if !strings.Contains(w.Reasons[0].Message, "prompt tokens per request 100,000 → p50 100,000 / p90 150,000 / p99 300,000") {
		t.Fatalf("reason %q", w.Reasons[0].Message)
	}
}

func TestDiffLocalHosting(t *testing.T) {
	cat := realCat(t)
	base := decode(t, `schema_version: 1
workloads:
  - name: chat
    model: llama-3.1-8b@rtx-4090
    requests_per_month: 300000
    prompt_tokens: 1200
    output_tokens: 300
`)
	head, err := budget.Decode("head.yaml", []byte(`schema_version: 1
workloads:
  - name: chat
    model: llama-3.1-8b@rtx-4090
    hosting: rented
    requests_per_month: 300000
    prompt_tokens: 1200
    output_tokens: 300
`))
	if err != nil {
		t.Fatal(err)
	}
	dr, err := budget.Diff(cat, base, head, today)
	if err != nil {
		t.Fatal(err)
	}
	w := dr.Workloads[0]
	if len(w.Reasons) != 1 || w.Reasons[0].Kind != budget.ReasonHosting || !w.Reasons[0].DeltaUSD.Equal(w.DeltaUSD) || w.DeltaUSD.IsZero() {
		t.Fatalf("%+v", w)
	}
	if w.Reasons[0].Message != "hosting owned, concurrency 1 → rented, concurrency 1" {
		t.Fatalf("message %q", w.Reasons[0].Message)
	}
}

// TestDiffJSONReasonsNeverNull: "reasons" is an array for every workload,
// unchanged ones included (a null breaks `for r in w["reasons"]`).
func TestDiffJSONReasonsNeverNull(t *testing.T) {
	dr, err := budget.Diff(testCat(t), decode(t, diffBase), decode(t, diffBase), today)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(dr)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"reasons":null`) || !strings.Contains(string(b), `"reasons":[]`) {
		t.Errorf("want \"reasons\": [] for unchanged workloads:\n%s", b)
	}
}

// peak_share prices a workload's time-of-day mix: unset is traffic spread
// evenly (here half the week's hours are peak), 1 all at the list rate, 0
// all at the off-peak rate; a change of it is a diff reason of its own.
func TestPeakShare(t *testing.T) {
	w := func(extra string) string {
		return "schema_version: 1\nworkloads:\n  - name: chat\n    model: timeofday\n    requests_per_month: 1000\n    prompt_tokens: 1000\n    output_tokens: 250\n" + extra
	}
	cost := func(src string) decimal.Decimal { return check(t, src, budget.Options{}).Workloads[0].MonthlyUSD }
	// 1M in x $1 + 250K out x $4 = $2 at the list rate.
	if got := cost(w("    peak_share: 1\n")); !got.Equal(d("2")) {
		t.Errorf("all at peak: %s, want 2", got)
	}
	if got := cost(w("    peak_share: 0\n")); !got.Equal(d("1")) {
		t.Errorf("all off-peak: %s, want 1", got)
	}
	if got := cost(w("")); !got.Equal(d("1.5")) {
		t.Errorf("spread evenly: %s, want 1.5", got)
	}
	dr, err := budget.Diff(testCat(t), decode(t, w("")), decode(t, w("    peak_share: 1\n")), today)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(dr)
	if !strings.Contains(string(b), "peak_share 1") || !strings.Contains(string(b), budget.ReasonShares) {
		t.Errorf("diff does not name the peak share: %s", b)
	}
}
