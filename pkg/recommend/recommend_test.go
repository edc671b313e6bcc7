package recommend

import (
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/decide"
)

var asOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// fixture is testdata/recommend/catalog alone: three cloud models, two GPUs
// (one without a price or rental) and three 7B open models, with costs that
// can be checked by hand (the numbers are in the YAML comments).
func fixture(t *testing.T) *catalog.Catalog {
	t.Helper()
	src, err := catalog.Dir("../../testdata/recommend/catalog")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func rec(t *testing.T, c Constraints) *Result {
	t.Helper()
	if c.Tokens == 0 {
		c.Tokens = 10_000_000
	}
	r, err := Recommend(fixture(t), asOf, c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// labels are "kind model [quant gpu mode] $cost" of the ranked options.
func labels(r *Result) []string {
	var out []string
	for _, o := range r.Options {
		s := o.Kind + " " + o.Model
		if o.Kind == "local" {
			s += " " + o.Quant + " " + o.GPU + " " + o.Mode
		}
		out = append(out, s+" $"+o.MonthlyCostUSD.StringFixed(2))
	}
	return out
}

func excluded(r *Result) map[string]int {
	m := map[string]int{}
	for _, e := range r.Excluded {
		m[e.Kind+": "+e.Reason] = e.Count
	}
	return m
}

func wantList(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func wantExcluded(t *testing.T, r *Result, want map[string]int) {
	t.Helper()
	got := excluded(r)
	for k, n := range want {
		if got[k] != n {
			t.Errorf("excluded %q = %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	total := 0
	for _, n := range got {
		total += n
	}
	wantTotal := 0
	for _, n := range want {
		wantTotal += n
	}
	if total != wantTotal {
		t.Errorf("%d exclusions in all, want %d: %v", total, wantTotal, got)
	}
}

// No constraints: every option, cheapest first. Cloud: 7.5M in + 2.5M out.
// Owned: $1,200 / 36 + 73 kWh x $0.10. Rented: 730 h x $0.50. The three
// open models have the same size, so their setups cost the same and come
// in name order.
func TestRankingCheapestFirst(t *testing.T) {
	r := rec(t, Constraints{})
	wantList(t, labels(r), []string{
		"cloud other-model $6.25",
		"cloud gpt-5-nano $17.50",
		"local noscore q4_k_m test-gpu owned $40.63",
		"local small-a q4_k_m test-gpu owned $40.63",
		"local small-b q4_k_m test-gpu owned $40.63",
		"cloud claude-sonnet-4.6 $60.00",
		"local noscore q4_k_m test-gpu rented $365.00",
		"local small-a q4_k_m test-gpu rented $365.00",
		"local small-b q4_k_m test-gpu rented $365.00",
	})
	if r.Eligible != 9 || r.Options[0].Rank != 1 || r.Options[8].Rank != 9 {
		t.Errorf("eligible %d, ranks %d..%d", r.Eligible, r.Options[0].Rank, r.Options[8].Rank)
	}
	// bare-gpu has neither a price nor a rental: one skip per open model.
	wantExcluded(t, r, map[string]int{"local: the catalog has no price, power figure or rental for this GPU": 3})
	o := r.Options[0]
	if o.ReplySeconds != nil || o.DecodeTPS != nil || o.ReplyBasis != "unknown" || o.Score != nil {
		t.Errorf("cloud option has invented figures: %+v", o)
	}
	l := r.Options[3]
	if l.DecodeTPS == nil || *l.DecodeTPS <= 0 || l.ReplySeconds == nil || l.Score == nil || *l.Score != 70 || l.Upfront() != "1200" {
		t.Errorf("local option: %+v", l)
	}
}

func (o Option) Upfront() string { return o.UpfrontUSD.String() }

// A task keeps its cloud tiers and its good-enough bar (classification:
// mmlu 60): small-b (50) and noscore (no score) are left out, each setup
// counted once under its first failing requirement.
func TestTaskFiltersCloudAndLocal(t *testing.T) {
	r := rec(t, Constraints{Task: decide.TaskClassification})
	wantList(t, labels(r), []string{
		"cloud gpt-5-nano $17.50",
		"local small-a q4_k_m test-gpu owned $40.63",
		"cloud claude-sonnet-4.6 $60.00",
		"local small-a q4_k_m test-gpu rented $365.00",
	})
	wantExcluded(t, r, map[string]int{
		"cloud: not a classification candidate (decide's value and frontier tiers for the task)": 1,
		"local: mmlu below 60":                                                 3, // owned, rented, bare-gpu
		"local: no published mmlu score in the catalog":                        3,
		"local: the catalog has no price, power figure or rental for this GPU": 1, // small-a on bare-gpu
	})
	if r.Options[0].Tier != "value" || r.Options[2].Tier != "frontier" {
		t.Errorf("tiers: %q %q", r.Options[0].Tier, r.Options[2].Tier)
	}
}

// A minimum score: open models need it published; cloud models have no
// scores, so only frontier-tier ones stay, marked assumed.
func TestMinScore(t *testing.T) {
	r := rec(t, Constraints{MinScore: &MinScore{Benchmark: "mmlu", Score: 65}})
	wantList(t, labels(r), []string{
		"local small-a q4_k_m test-gpu owned $40.63",
		"cloud claude-sonnet-4.6 $60.00",
		"local small-a q4_k_m test-gpu rented $365.00",
	})
	if o := r.Options[1]; o.ScoreBasis != "assumed" || o.Score != nil {
		t.Errorf("cloud score: %+v", o)
	}
	wantExcluded(t, r, map[string]int{
		"cloud: no mmlu score in the catalog, and not a frontier-tier model (the only ones assumed to reach it)": 2,
		"local: mmlu below 65":                                                 3,
		"local: no published mmlu score in the catalog":                        3,
		"local: the catalog has no price, power figure or rental for this GPU": 1,
	})
}

func TestRegulatedExcludesCloud(t *testing.T) {
	r := rec(t, Constraints{Privacy: decide.PrivacyRegulated, GPUs: []string{"test-gpu"}})
	for _, o := range r.Options {
		if o.Kind == "cloud" {
			t.Errorf("cloud option under regulated privacy: %s", o.Model)
		}
	}
	if len(r.Options) != 6 {
		t.Errorf("%d options, want the 6 local ones", len(r.Options))
	}
	wantExcluded(t, r, map[string]int{"cloud: privacy regulated: never sent to a cloud API": 3})
}

// --max-latency: local reply times are estimates and are held to it;
// cloud models have no measured latency and are kept, with a note.
func TestMaxLatencyKeepsUnknownCloudWithNote(t *testing.T) {
	r := rec(t, Constraints{MaxLatencySeconds: 0.01, GPUs: []string{"test-gpu"}})
	wantList(t, labels(r), []string{
		"cloud other-model $6.25",
		"cloud gpt-5-nano $17.50",
		"cloud claude-sonnet-4.6 $60.00",
	})
	wantExcluded(t, r, map[string]int{"local: estimated reply time above 0.01 s": 6})
	if !anyContains(r.Notes, "no measured latency for 3 cloud model(s)") {
		t.Errorf("notes lack the unknown-latency note: %v", r.Notes)
	}
	// A target every local setup meets excludes none.
	if r := rec(t, Constraints{MaxLatencySeconds: 3600, GPUs: []string{"test-gpu"}}); r.Eligible != 9 {
		t.Errorf("eligible %d with a one-hour target, want 9", r.Eligible)
	}
}

// 64K of context: other-model's 32,000-token window and small-b's 32K
// maximum are too short.
func TestContext(t *testing.T) {
	r := rec(t, Constraints{ContextTokens: 64 * 1024, GPUs: []string{"test-gpu"}})
	wantExcluded(t, r, map[string]int{
		"cloud: context window below 64K tokens":       1,
		"open_model: maximum context below 64K tokens": 1,
	})
	for _, o := range r.Options {
		if o.Model == "other-model" || o.Model == "small-b" {
			t.Errorf("%s does not take 64K", o.Model)
		}
	}
}

// More quantizations give more setups; q8_0 reads more bytes per token, so
// it decodes slower than q4_k_m on the same GPU.
func TestQuants(t *testing.T) {
	r := rec(t, Constraints{Quants: []string{"q4_k_m", "q8_0"}, GPUs: []string{"test-gpu"}, Task: decide.TaskClassification})
	var q4, q8 *Option
	for i, o := range r.Options {
		if o.Model == "small-a" && o.Mode == "owned" {
			switch o.Quant {
			case "q4_k_m":
				q4 = &r.Options[i]
			case "q8_0":
				q8 = &r.Options[i]
			}
		}
	}
	if q4 == nil || q8 == nil {
		t.Fatalf("want small-a owned at both quants: %v", labels(r))
	}
	if *q8.DecodeTPS >= *q4.DecodeTPS {
		t.Errorf("q8_0 decode %.1f >= q4_k_m %.1f", *q8.DecodeTPS, *q4.DecodeTPS)
	}
}

func TestTop(t *testing.T) {
	r := rec(t, Constraints{Top: 2})
	if len(r.Options) != 2 || r.Eligible != 9 {
		t.Errorf("%d listed of %d eligible, want 2 of 9", len(r.Options), r.Eligible)
	}
	if !anyContains(r.Notes, "2 of 9 options") {
		t.Errorf("notes: %v", r.Notes)
	}
}

func TestBadInput(t *testing.T) {
	cat := fixture(t)
	if _, err := Recommend(cat, asOf, Constraints{}); err == nil {
		t.Error("no tokens: want an error")
	}
	if _, err := Recommend(cat, asOf, Constraints{Tokens: 1, Task: "poetry"}); err == nil {
		t.Error("unknown task: want an error")
	}
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// Constraints nothing meets are an answer, not an error: no options, and
// every candidate counted under its reason.
func TestNothingMeetsTheConstraints(t *testing.T) {
	r := rec(t, Constraints{ContextTokens: 1 << 20})
	if r.Eligible != 0 || r.Options == nil || len(r.Options) != 0 {
		t.Errorf("eligible %d, options %v", r.Eligible, r.Options)
	}
	wantExcluded(t, r, map[string]int{
		"cloud: context window below 1024K tokens":       3,
		"open_model: maximum context below 1024K tokens": 3,
	})
}
