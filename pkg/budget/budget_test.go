package budget_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/shopspring/decimal"
)

// today is the clock of every test: 2026-11-27.
var today = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// Round prices so that every expected cost below is checkable by hand.
const testCatalog = `schema_version: 1
models:
  - id: flat
    provider: acme
    aliases: [acme/flat]
    context_window: 100000
    max_output: 8000
    source: test
    verified: 2026-11-01
    prices:
      - {effective_from: 2024-01-01, input: 1, cached_input: 0.1, cache_write_5m: 1.25, output: 4, batch_multiplier: 0.5, source: test, verified: 2026-11-01}
  - id: tiered
    provider: bigco
    context_window: 1000000
    source: test
    verified: 2026-11-01
    prices:
      - effective_from: 2024-01-01
        input: 2
        output: 10
        source: test
        verified: 2026-11-01
        tiers:
          - {above_tokens: 200000, input: 4, output: 15}
  - id: old
    provider: acme
    context_window: 100000
    deprecated: 2026-06-01
    retired: 2027-06-01
    source: test
    verified: 2026-01-01
    prices:
      - {effective_from: 2024-01-01, input: 1, output: 4, source: test, verified: 2026-01-01}
  - id: gone
    provider: acme
    context_window: 100000
    retired: 2026-09-01
    source: test
    verified: 2026-11-01
    prices:
      - {effective_from: 2024-01-01, input: 1, output: 4, source: test, verified: 2026-11-01}
  - id: changing
    provider: acme
    context_window: 100000
    source: test
    verified: 2026-11-01
    prices:
      - {effective_from: 2024-01-01, input: 1, output: 4, source: test, verified: 2026-11-01}
      - {effective_from: 2027-01-15, input: 2, output: 4, source: test, verified: 2026-11-01}
  - id: later
    provider: acme
    context_window: 100000
    source: test
    verified: 2026-11-01
    prices:
      - {effective_from: 2024-01-01, input: 1, output: 4, source: test, verified: 2026-11-01}
      - {effective_from: 2027-06-01, input: 2, output: 4, source: test, verified: 2026-11-01}
  - id: shaky
    provider: acme
    context_window: 100000
    unverified: true
    source: test
    verified: 2026-11-01
    prices:
      - {effective_from: 2024-01-01, input: 1, output: 4, source: test, verified: 2026-11-01}
  - id: timeofday
    provider: acme
    context_window: 100000
    source: test
    verified: 2026-11-01
    prices:
      - {effective_from: 2024-01-01, input: 1, output: 4, source: test, verified: 2026-11-01, off_peak: {multiplier: 0.5, peak_hours_utc: ["00:00-12:00"]}}
`

func testCat(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load(catalog.Source{FS: fstest.MapFS{"models.yaml": {Data: []byte(testCatalog)}}, Origin: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func decode(t testing.TB, src string) *budget.Config {
	t.Helper()
	c, err := budget.Decode("budget.yaml", []byte(src))
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, src)
	}
	return c
}

func check(t testing.TB, src string, o budget.Options) *budget.Report {
	t.Helper()
	if o.Today.IsZero() {
		o.Today = today
	}
	r, err := budget.Check(testCat(t), []*budget.Config{decode(t, src)}, o)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	return r
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// one workload on a model with the given extra keys.
func one(model, extra string) string {
	return `schema_version: 1
workloads:
  - name: w
    model: ` + model + `
    requests_per_month: 1000
    prompt_tokens: 1000
    output_tokens: 100
` + extra
}

func TestCostsByHand(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		// 1M input × $1 + 100k output × $4
		{"fixed", one("flat", ""), "1.4"},
		{"alias and request rate", strings.Replace(one("acme/flat", ""), "requests_per_month: 1000", "requests_per_month: 1k", 1), "1.4"},
		// cached 500k × 0.1 + written 100k × 1.25 + uncached 400k × 1 + output 0.4
		{"cache reads and writes", strings.Replace(one("flat", ""), "    output_tokens: 100\n", "    output_tokens: 100\n    cached_share: 50%\n    cache_write_share: 0.1\n", 1), "0.975"},
		{"batch", strings.Replace(one("flat", ""), "    output_tokens: 100\n", "    output_tokens: 100\n    batch_share: 1\n", 1), "0.7"},
		{"provider discount", one("flat", "assumptions:\n  discounts: {acme: 0.1}\n"), "1.26"},
		{"model discount beats provider", one("flat", "assumptions:\n  discounts: {acme: 0.5, flat: 0.1}\n"), "1.26"},
		// input overridden to $0.50: 0.5 + 0.4
		{"rate override", one("flat", "assumptions:\n  prices:\n    flat: {input: 0.5}\n"), "0.9"},
		// 5 requests × 100k at $2 + 5 × 1000 out at $10; 5 × 300k at the >200k tier $4 + 5 × 1000 at $15
		{"histogram buckets priced at their own tier", `schema_version: 1
workloads:
  - name: long
    model: tiered
    requests_per_month: 10
    prompt_tokens: [{tokens: 100k, share: 0.5}, {tokens: 300k, share: 0.5}]
    output_tokens: 1000
`, "7.125"},
		// 50 req × 100k × $2 + 40 × 150k × $2 + 10 × 250k × $4 (p99 over the tier)
		{"quantiles 50/40/10", `schema_version: 1
workloads:
  - name: q
    model: tiered
    requests_per_month: 100
    prompt_tokens: {p50: 100k, p90: 150k, p99: 250k}
    output_tokens: 0
`, "32"},
		// output mean = 0.5×100 + 0.4×200 + 0.1×1000 = 230 tokens; 1000 × 230 × $4 = 0.92 + 1.0 input
		{"output distribution enters as its mean", strings.Replace(one("flat", ""), "output_tokens: 100", "output_tokens: {p50: 100, p90: 200, p99: 1000}", 1), "1.92"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(t, tt.src, budget.Options{})
			if !r.TotalMonthlyUSD.Equal(d(tt.want)) {
				t.Fatalf("total = %s, want %s", r.TotalMonthlyUSD, tt.want)
			}
			var sum decimal.Decimal
			for _, b := range r.Workloads[0].Buckets {
				sum = sum.Add(b.MonthlyUSD)
			}
			if !sum.Equal(r.TotalMonthlyUSD) {
				t.Fatalf("buckets add up to %s, total is %s", sum, r.TotalMonthlyUSD)
			}
		})
	}
}

func TestAsOfChangesPrice(t *testing.T) {
	// changing doubles its input price on 2027-01-15: 2M... 1M × $2 + 0.4
	r := check(t, one("changing", "assumptions:\n  as_of: 2027-02-01\n"), budget.Options{})
	if !r.TotalMonthlyUSD.Equal(d("2.4")) || r.AsOf != "2027-02-01" {
		t.Fatalf("as of 2027-02-01: %s (%s)", r.TotalMonthlyUSD, r.AsOf)
	}
}

func TestTierBucketsReported(t *testing.T) {
	r := check(t, `schema_version: 1
workloads:
  - name: long
    model: tiered
    requests_per_month: 10
    prompt_tokens: [{tokens: 100k, share: 0.5}, {tokens: 300k, share: 0.5}]
    output_tokens: 1000
`, budget.Options{})
	b := r.Workloads[0].Buckets
	if len(b) != 2 || b[0].TierAboveTokens != nil || b[1].TierAboveTokens == nil || *b[1].TierAboveTokens != 200000 {
		t.Fatalf("buckets: %+v", b)
	}
	if r.Workloads[0].InputTokens != 2_000_000 || r.Workloads[0].OutputTokensMonth != 10_000 {
		t.Fatalf("tokens: %d in, %d out", r.Workloads[0].InputTokens, r.Workloads[0].OutputTokensMonth)
	}
}

func kinds(fs []budget.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind)
	}
	return out
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		want  []string // warning kinds
		inMsg string
	}{
		{"current model: none", one("flat", ""), nil, ""},
		{"deprecated and stale", one("old", ""), []string{budget.KindModelDeprecated, budget.KindPriceStale}, "deprecated since 2026-06-01 and retiring on 2027-06-01"},
		{"retired", one("gone", ""), []string{budget.KindModelRetired}, "retired on 2026-09-01"},
		{"price change in 49 days", one("changing", ""), []string{budget.KindPriceChange}, "changes on 2027-01-15 (in 49 days): w would cost $2.40/month (+71.4%)"},
		{"price change beyond 90 days: none", one("later", ""), nil, ""},
		{"unverified", one("shaky", ""), []string{budget.KindPriceUnverified}, "not confirmed"},
		{"regulated data on a cloud API", strings.Replace(one("flat", ""), "    output_tokens: 100\n", "    output_tokens: 100\n    privacy: regulated\n", 1), []string{budget.KindPrivacyRegulated}, "regulated data"},
		{"override silences stale price", one("old", "assumptions:\n  prices:\n    old: {input: 1, output: 4}\n"), []string{budget.KindModelDeprecated}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(t, tt.src, budget.Options{})
			got := kinds(r.Warnings)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("warnings %v, want %v: %+v", got, tt.want, r.Warnings)
			}
			if !r.OK || len(r.Violations) != 0 {
				t.Fatalf("warnings must not fail the check: %+v", r.Violations)
			}
			for _, w := range r.Warnings {
				if w.File != "budget.yaml" || w.Line != 3 || w.Workload != "w" {
					t.Errorf("warning not located at the workload: %+v", w)
				}
			}
			if tt.inMsg != "" && !strings.Contains(r.Warnings[0].Message, tt.inMsg) {
				t.Errorf("message %q lacks %q", r.Warnings[0].Message, tt.inMsg)
			}
			// --strict: the same findings, now violations.
			s := check(t, tt.src, budget.Options{Strict: true})
			if strings.Join(kinds(s.Violations), ",") != strings.Join(tt.want, ",") || len(s.Warnings) != 0 || s.OK != (len(tt.want) == 0) {
				t.Fatalf("strict: ok=%v violations %v warnings %v", s.OK, kinds(s.Violations), kinds(s.Warnings))
			}
			for _, v := range s.Violations {
				if !v.FromWarning {
					t.Errorf("strict violation not marked from_warning: %+v", v)
				}
			}
		})
	}
}

func TestPriceChangedAfterPinnedAsOf(t *testing.T) {
	// Budget pinned to 2026-12-01 prices, checked on 2027-02-01: the
	// 2027-01-15 change already happened.
	r := check(t, one("changing", "assumptions:\n  as_of: 2026-12-01\n"), budget.Options{Today: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)})
	if len(r.Warnings) != 1 || r.Warnings[0].Message != "changing's price changed on 2027-01-15, after this budget's as_of 2026-12-01: w now costs $2.40/month (+71.4%)" {
		t.Fatalf("warnings: %+v", r.Warnings)
	}
}

func TestStalePriceOnlyAfter180Days(t *testing.T) {
	// old was verified on 2026-01-01: 180 days later it is still fresh.
	r := check(t, one("old", ""), budget.Options{Today: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)})
	for _, w := range r.Warnings {
		if w.Kind == budget.KindPriceStale {
			t.Fatalf("stale after 179 days: %s", w.Message)
		}
	}
	r = check(t, one("old", ""), budget.Options{Today: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)})
	if !strings.Contains(strings.Join(kinds(r.Warnings), ","), budget.KindPriceStale) {
		t.Fatalf("not stale after 180+ days: %v", kinds(r.Warnings))
	}
}

const limited = `schema_version: 1
workloads:
  - name: a
    model: flat
    requests_per_month: 1000
    prompt_tokens: 1000
    output_tokens: 100
  - name: b
    model: flat
    requests_per_month: 2000
    prompt_tokens: 1000
    output_tokens: 100
limits:
  monthly_usd: LIMIT
  workloads:
    b: BLIMIT
  max_increase_usd: 1
  max_increase_pct: 50
`

func TestLimits(t *testing.T) {
	// a costs $1.40, b $2.80, total $4.20.
	tests := []struct {
		name, total, b string
		want           []string
		lines          []int
	}{
		{"within", "5", "3", nil, nil},
		{"exactly at the limits is within", "4.2", "2.8", nil, nil},
		{"workload over", "5", "2.79", []string{budget.KindWorkloadLimit}, []int{8}},
		{"total over", "4.19", "3", []string{budget.KindMonthlyLimit}, []int{14}},
		{"both", "$4", "$2.5", []string{budget.KindWorkloadLimit, budget.KindMonthlyLimit}, []int{8, 14}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.NewReplacer("BLIMIT", tt.b, "LIMIT", tt.total).Replace(limited)
			r := check(t, src, budget.Options{})
			if r.OK != (len(tt.want) == 0) || strings.Join(kinds(r.Violations), ",") != strings.Join(tt.want, ",") {
				t.Fatalf("ok=%v violations %+v", r.OK, r.Violations)
			}
			for i, v := range r.Violations {
				if v.Line != tt.lines[i] {
					t.Errorf("%s on line %d, want %d", v.Kind, v.Line, tt.lines[i])
				}
			}
		})
	}
	r := check(t, strings.NewReplacer("BLIMIT", "2.5", "LIMIT", "9").Replace(limited), budget.Options{})
	if msg := r.Violations[0].Message; msg != "b costs $2.80/month, over its $2.50 limit" {
		t.Fatalf("message %q", msg)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "--compare-to") {
		t.Fatalf("max_increase without a baseline must say it was not checked: %v", r.Notes)
	}
}

func TestCompareToBaseline(t *testing.T) {
	src := strings.NewReplacer("BLIMIT", "100", "LIMIT", "100").Replace(limited) // total $4.20
	tests := []struct {
		name, baseline string
		want           []string
	}{
		// +$0.20 (+5%)
		{"small rise", "4", nil},
		// +$1.20 (+40%): over $1, under 50%
		{"over the dollar limit", "3", []string{budget.KindMaxIncreaseUSD}},
		// +$1.00 (+31.25%): exactly $1 is allowed
		{"at the dollar limit", "3.2", nil},
		// +$1.40 (+50%): exactly 50% allowed, $ over
		{"at the percent limit", "2.8", []string{budget.KindMaxIncreaseUSD}},
		// +$2.20 (+110%)
		{"both", "2", []string{budget.KindMaxIncreaseUSD, budget.KindMaxIncreasePct}},
		{"decrease", "10", nil},
		{"from zero", "0", []string{budget.KindMaxIncreaseUSD, budget.KindMaxIncreasePct}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := budget.ParseBaseline("base.json", []byte(`{"schema_version": 1, "total_monthly_usd": `+tt.baseline+`, "workloads": [{"name": "a", "monthly_usd": 1}]}`))
			if err != nil {
				t.Fatal(err)
			}
			r := check(t, src, budget.Options{Baseline: b})
			if strings.Join(kinds(r.Violations), ",") != strings.Join(tt.want, ",") {
				t.Fatalf("violations %+v", r.Violations)
			}
			if !r.Baseline.DeltaUSD.Equal(d("4.2").Sub(d(tt.baseline))) {
				t.Fatalf("delta %s", r.Baseline.DeltaUSD)
			}
			if w := r.Workloads[0]; w.DeltaUSD == nil || !w.DeltaUSD.Equal(d("0.4")) || r.Workloads[1].DeltaUSD != nil {
				t.Fatalf("per-workload deltas: %+v / %+v", w.DeltaUSD, r.Workloads[1].DeltaUSD)
			}
			for _, v := range r.Violations {
				want := map[string]int{budget.KindMaxIncreaseUSD: 17, budget.KindMaxIncreasePct: 18}[v.Kind]
				if v.Line != want {
					t.Errorf("%s on line %d, want %d", v.Kind, v.Line, want)
				}
			}
		})
	}
}

func TestParseBaselineRejects(t *testing.T) {
	for _, in := range []string{``, `[]`, `{"ok": true}`, `{"schema_version": 2, "total_monthly_usd": 1}`, `{"schema_version": 1, "total_monthly_usd": "x"}`,
		`{"schema_version": 1, "total_monthly_usd": -1e400, "workloads": []}`, `{"schema_version": 1, "total_monthly_usd": 5, "workloads": [{"name": "a", "monthly_usd": -3}]}`} {
		if _, err := budget.ParseBaseline("b.json", []byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		} else if !strings.HasPrefix(err.Error(), "budget: b.json") {
			t.Errorf("%q: error does not name the file: %v", in, err)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown workload key", one("flat", "") + "    promt_tokens: 5\n", "budget.yaml:8: workloads[0].promt_tokens: unknown key (allowed: name, model"},
		{"unknown top key", one("flat", "limit:\n  monthly_usd: 5\n"), "budget.yaml:8: limit: unknown key (allowed: schema_version, workloads, limits, assumptions)"},
		{"unknown limits key", one("flat", "limits:\n  monthly: 5\n"), "budget.yaml:9: limits.monthly: unknown key"},
		{"schema version", strings.Replace(one("flat", ""), "schema_version: 1", "schema_version: 2", 1), "budget.yaml:1: schema_version: must be 1 (got 2)"},
		{"bad token count", strings.Replace(one("flat", ""), "prompt_tokens: 1000", "prompt_tokens: lots", 1), `budget.yaml:6: workloads[0].prompt_tokens: "lots" is not a token count`},
		{"zero prompt", strings.Replace(one("flat", ""), "prompt_tokens: 1000", "prompt_tokens: 0", 1), "budget.yaml:6: workloads[0].prompt_tokens: a request has at least one prompt token"},
		{"negative requests", strings.Replace(one("flat", ""), "requests_per_month: 1000", "requests_per_month: -5", 1), `budget.yaml:5: workloads[0].requests_per_month: "-5" is not a request count`},
		{"share above 1", one("flat", "") + "    cached_share: 1.5\n", `budget.yaml:8: workloads[0].cached_share: "1.5" is not a share: must be between 0 and 1`},
		{"shares above 1 together", one("flat", "") + "    cached_share: 0.6\n    cache_write_share: 0.5\n", "budget.yaml:9: workloads[0].cache_write_share: cached_share 0.6 plus cache_write_share 0.5 exceed 1"},
		{"quantile missing", strings.Replace(one("flat", ""), "prompt_tokens: 1000", "prompt_tokens: {p50: 1, p90: 2}", 1), "budget.yaml:6: workloads[0].prompt_tokens: a distribution needs p50, p90 and p99 (p99 is missing)"},
		{"quantiles decreasing", strings.Replace(one("flat", ""), "prompt_tokens: 1000", "prompt_tokens: {p50: 10, p90: 2, p99: 30}", 1), "quantiles must not decrease"},
		{"unknown quantile", strings.Replace(one("flat", ""), "prompt_tokens: 1000", "prompt_tokens: {p50: 1, p90: 2, p99: 3, p95: 2}", 1), "workloads[0].prompt_tokens.p95: unknown key (allowed: p50, p90, p99)"},
		{"histogram sum", strings.Replace(one("flat", ""), "prompt_tokens: 1000", "prompt_tokens: [{tokens: 1, share: 0.5}, {tokens: 2, share: 0.4}]", 1), "histogram shares add up to 0.9, not 1"},
		{"missing model", strings.Replace(one("flat", ""), "    model: flat\n", "", 1), "budget.yaml:3: workloads[0].model: is required"},
		{"duplicate name", one("flat", "") + "  - name: w\n    model: flat\n    requests_per_month: 1\n    prompt_tokens: 1\n    output_tokens: 1\n", `budget.yaml:8: workloads[1].name: "w" is used twice (first on line 3)`},
		{"limit names no workload", one("flat", "limits:\n  workloads: {v: 5}\n"), "budget.yaml:9: limits.workloads.v: names no workload of this file (did you mean w?)"},
		{"hosting on a cloud model", one("flat", "") + "    hosting: owned\n", "budget.yaml:8: workloads[0].hosting: hosting and concurrency apply to local options (MODEL@GPU) only"},
		{"bad hosting", one("a@b", "") + "    hosting: leased\n", `budget.yaml:8: workloads[0].hosting: "leased" is not owned or rented`},
		{"bad ttl", one("flat", "") + "    cache_write_ttl: 10m\n", `budget.yaml:8: workloads[0].cache_write_ttl: "10m" is not 5m or 1h`},
		{"bad date", one("flat", "assumptions:\n  as_of: 27/11/2026\n"), `budget.yaml:9: assumptions.as_of: "27/11/2026" is not a date`},
		{"unknown rate", one("flat", "assumptions:\n  prices:\n    flat: {inptu: 1}\n"), "budget.yaml:10: assumptions.prices.flat.inptu: unknown key (allowed: input, output"},
		{"no workloads", "schema_version: 1\nworkloads: []\n", "budget.yaml:1: workloads: a budget needs at least one workload"},
		{"flow-style workload, bad count", "schema_version: 1\nworkloads:\n  - {name: w, model: flat, requests_per_month: -5, prompt_tokens: 1, output_tokens: 1}\n", `budget.yaml:3: workloads[0].requests_per_month: "-5" is not a request count`},
		{"flow-style workload, bad tokens", "schema_version: 1\nworkloads:\n  - {name: w, model: flat, requests_per_month: 5, prompt_tokens: 1, output_tokens: 1.5}\n", `budget.yaml:3: workloads[0].output_tokens: "1.5" is not a token count`},
		{"flow-style workload, bad distribution", "schema_version: 1\nworkloads:\n  - {name: w, model: flat, requests_per_month: 5, prompt_tokens: {p50: 10, p90: 2, p99: 30}, output_tokens: 1}\n", `budget.yaml:3: workloads[0].prompt_tokens: quantiles must not decrease`},
		{"flow-style limits", one("flat", "limits: {workloads: {w: 5}, monthly_usd: -1}\n"), `budget.yaml:8: limits.monthly_usd: "-1" is not an amount in USD`},
		{"empty", "", "budget.yaml: empty file"},
		{"syntax", "schema_version: 1\nworkloads: [\n", "budget.yaml:2: did not find expected node content"},
		{"two documents", one("flat", "---\nschema_version: 1\n"), "more than one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := budget.Decode("budget.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("accepted:\n%s", tt.src)
			}
			var be *budget.Error
			if !errors.As(err, &be) || !be.BadInput() {
				t.Fatalf("not a bad-input error: %T %v", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n  %v\nlacks\n  %s", err, tt.want)
			}
		})
	}
}

func TestCheckRejects(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown model", one("flatt", ""), `budget.yaml:4: model: unknown model "flatt" (did you mean flat?)`},
		{"local option with an unknown model", one("llama-3.1-8b@rtx-4090", ""), `budget.yaml:4: model: unknown open model "llama-3.1-8b"`},
		{"malformed local option", one("llama@", ""), `budget.yaml:4: model: "llama@": want MODEL@GPU[:QUANT][xN]`},
		{"prompt over the context window", strings.Replace(one("flat", ""), "prompt_tokens: 1000", "prompt_tokens: {p50: 1k, p90: 50k, p99: 120k}", 1), "budget.yaml:6: prompt_tokens: a 120,000-token prompt does not fit flat's 100,000-token context window"},
		{"output over max output", strings.Replace(one("flat", ""), "output_tokens: 100", "output_tokens: 9000", 1), "budget.yaml:7: output_tokens: 9,000 output tokens per request exceed flat's maximum output of 8,000"},
		{"unpriced batch", strings.Replace(one("tiered", ""), "    output_tokens: 100\n", "    output_tokens: 100\n    batch_share: 0.5\n", 1), "budget.yaml:4: model: tiered has no batch price in the catalog; use batch_share: 0"},
		{"unpriced cache", strings.Replace(one("tiered", ""), "    output_tokens: 100\n", "    output_tokens: 100\n    cached_share: 0.5\n", 1), "tiered has no cached-input price"},
		{"unknown discount key", one("flat", "assumptions:\n  discounts: {acmee: 0.1}\n"), "budget.yaml:9: assumptions.discounts.acmee: names neither a provider nor a model"},
		{"unknown override model", one("flat", "assumptions:\n  prices:\n    nope: {input: 1}\n"), `budget.yaml:10: assumptions.prices.nope: unknown model "nope"`},
		{"no price on as_of", one("flat", "assumptions:\n  as_of: 2023-01-01\n"), "first known price starts 2024-01-01"},
		{"absurd volume", strings.Replace(one("flat", ""), "requests_per_month: 1000", "requests_per_month: 900T", 1), "budget.yaml:5: requests_per_month"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := budget.Check(testCat(t), []*budget.Config{decode(t, tt.src)}, budget.Options{Today: today})
			var be *budget.Error
			if !errors.As(err, &be) {
				t.Fatalf("want a *budget.Error, got %T %v", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n  %v\nlacks\n  %s", err, tt.want)
			}
		})
	}
}

func TestNamesUniqueAcrossFiles(t *testing.T) {
	a := decode(t, one("flat", ""))
	b, _ := budget.Decode("other.yaml", []byte(one("flat", "")))
	_, err := budget.Check(testCat(t), []*budget.Config{a, b}, budget.Options{Today: today})
	if err == nil || !strings.Contains(err.Error(), `other.yaml:3: name: workload "w" is also defined in budget.yaml:3`) {
		t.Fatalf("got %v", err)
	}
}

func TestSeveralFiles(t *testing.T) {
	a := decode(t, one("flat", "limits:\n  monthly_usd: 1\n"))
	b, err := budget.Decode("other.yaml", []byte(strings.Replace(one("flat", ""), "name: w", "name: v", 1)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := budget.Check(testCat(t), []*budget.Config{a, b}, budget.Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if !r.TotalMonthlyUSD.Equal(d("2.8")) || len(r.Files) != 2 || r.Files[0].OK || !r.Files[1].OK || r.OK {
		t.Fatalf("total %s files %+v ok %v", r.TotalMonthlyUSD, r.Files, r.OK)
	}
}
