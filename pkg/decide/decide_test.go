package decide

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
)

var asOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

var loadCatalog = sync.OnceValues(func() (*catalog.Catalog, error) {
	return catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
})

func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// decideYAML decides the answers given as an answers file.
func decideYAML(t testing.TB, y string) *Decision {
	t.Helper()
	a, err := ParseAnswers([]byte(y))
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	d, err := Decide(testCatalog(t), asOf, a)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	return d
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func changeOf(d *Decision, kind string) *Change {
	for i := range d.WhatWouldChangeIt {
		if d.WhatWouldChangeIt[i].Kind == kind {
			return &d.WhatWouldChangeIt[i]
		}
	}
	return nil
}

// The seed article's decision matrix ("answer these three questions"),
// replayed through the maths. Where our verdict differs, why says why.
func TestSeedDecisionMatrix(t *testing.T) {
	tests := []struct {
		name, answers string
		seed, want    Verdict
		why           string
	}{
		{"Q1 under 500K tokens: cloud", "tokens_per_month: 300K\nprivacy: none\ntask: classification\n", Cloud, Cloud,
			"agrees: a few cents of gpt-5-nano against at least a GPU's amortization"},
		{"Q1 500K-5M: break-even zone", "tokens_per_month: 2M\nprivacy: none\ntask: classification\n", Cloud, Cloud,
			"no zone here: 2M tokens of a value-tier model cost well under $1/month, and the computed crossover for this workload is near 90M tokens/month, so it is plainly cloud (the seed's zone comes from GPT-4o-era prices of $5/$15 per 1M)"},
		{"Q1 5M+: hybrid routing", "tokens_per_month: 10M\nprivacy: none\ntask: classification\n", Hybrid, Cloud,
			"differs: at 10M tokens the cheapest cloud model still costs about $1.40/month against ~$12 for the cheapest owned GPU; local only pays above the computed crossover (tested below), and hybrid routing only pays for spiky load or a regulated share"},
		{"Q1 far above the crossover: local", "tokens_per_month: 2B\nprivacy: none\ntask: classification\n", Hybrid, Local,
			"the seed would route hybrid; at 2B tokens a month one consumer GPU serves it all for a fraction of the API bill"},
		{"Q2 privacy required: local", "tokens_per_month: 2M\nprivacy: regulated\ntask: qa\n", Local, Local,
			"agrees: regulated data never goes to a cloud API, whatever the price"},
		{"Q2 no privacy requirement: cloud is simpler", "tokens_per_month: 2M\nprivacy: none\ntask: qa\n", Cloud, Cloud,
			"agrees, from the costs rather than simplicity"},
		{"Q3 classification: local 7B is fine", "tokens_per_month: 500M\nprivacy: none\ntask: classification\n", Local, Local,
			"agrees once the volume is past the crossover: the recommended model clears the 7B-class bar (MMLU 60)"},
		{"Q3 code: cloud is significantly better", "tokens_per_month: 10M\nprivacy: none\ntask: code\n", Cloud, Cloud,
			"agrees: code needs a 70B-class model locally (MMLU-Pro 65), which needs several GPUs and costs more than a value-tier code model"},
		{"Q3 reasoning: cloud", "tokens_per_month: 10M\nprivacy: none\ntask: reasoning\n", Cloud, Cloud,
			"agrees, for the same reason as code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decideYAML(t, tt.answers)
			if d.Verdict != tt.want {
				t.Fatalf("verdict %s, want %s (seed: %s; %s)\nreasons: %q", d.Verdict, tt.want, tt.seed, tt.why, d.Reasons)
			}
			if len(d.Reasons) < 2 || !anyContains(d.Reasons, "$") {
				t.Errorf("reasons must quote their numbers: %q", d.Reasons)
			}
			if tt.want == Local && d.Workload.Privacy == PrivacyNone {
				r := d.Recommendations[0]
				if r.Kind != "local" || !strings.Contains(r.Quality, "mmlu") {
					t.Errorf("recommendation %+v", r)
				}
			}
		})
	}
}

// The "5M+: hybrid" row differs because of the computed crossover: the
// verdict flips exactly where pkg/cost says local becomes no dearer.
func TestSeedVolumeRowFlipsAtComputedCrossover(t *testing.T) {
	d := decideYAML(t, "tokens_per_month: 10M\nprivacy: none\ntask: classification\n")
	ch := changeOf(d, "volume")
	if ch == nil || ch.Verdict != Local {
		t.Fatalf("no volume change: %+v", d.WhatWouldChangeIt)
	}
	x := int64(ch.Threshold)
	if x <= 10_000_000 {
		t.Fatalf("crossover %d should be above the workload", x)
	}
	above := decideYAML(t, fmt.Sprintf("tokens_per_month: %d\nprivacy: none\ntask: classification\n", x))
	if above.Verdict != Local {
		t.Fatalf("at the crossover %d the verdict is %s, want local", x, above.Verdict)
	}
}

// "What would change it": the volume quoted is pkg/cost's crossover of the
// recommended local option against the recommended cloud model.
func TestVolumeThresholdIsCostCrossover(t *testing.T) {
	for _, y := range []string{
		"tokens_per_month: 10M\nprivacy: none\ntask: classification\n",
		"tokens_per_month: 2B\nprivacy: none\ntask: classification\n",
		"tokens_per_month: 500M\nprivacy: none\ntask: qa\n",
		"tokens_per_month: 20M\nprivacy: none\ntask: summarization\nops_hours_per_month: 2\n",
	} {
		t.Run(strings.ReplaceAll(y, "\n", " "), func(t *testing.T) {
			d := decideYAML(t, y)
			if d.BestLocal == nil || d.BestCloud == nil || d.CrossoverTokens == nil {
				t.Fatalf("no crossover: %+v", d)
			}
			if !d.BestLocal.plain() {
				t.Fatalf("steady owned option should use pkg/cost directly")
			}
			e, _ := newEnv(testCatalog(t), asOf, d.answers)
			cloud := e.cloudMonthly(d.BestCloud)
			want, err := d.BestLocal.lc.Crossover(cloud, 1, crossoverLimit(d.Workload.TokensPerMonth))
			if err != nil || want == nil {
				t.Fatal(err)
			}
			if *d.CrossoverTokens != *want {
				t.Fatalf("crossover %d, pkg/cost says %d", *d.CrossoverTokens, *want)
			}
			ch := changeOf(d, "volume")
			if ch == nil || int64(ch.Threshold) != *want {
				t.Fatalf("change %+v, want threshold %d", ch, *want)
			}
			// The generic search (used for spiky and sunk options) finds the same volume.
			got, err := firstCrossing(func(v int64) (bool, error) {
				lm, err := d.BestLocal.Monthly(v)
				if err != nil {
					return false, err
				}
				c, err := cloud(v)
				return lm.Total.LessThanOrEqual(c), err
			}, 1, crossoverLimit(d.Workload.TokensPerMonth))
			if err != nil || got == nil || *got != *want {
				t.Fatalf("generic crossover %v, pkg/cost %d", got, *want)
			}
			// And it is a real crossing: dearer one token below, no dearer at it.
			for _, c := range []struct {
				v       int64
				cheaper bool
			}{{*want - 1, false}, {*want, true}} {
				lm, _ := d.BestLocal.Monthly(c.v)
				cm, _ := cloud(c.v)
				if lm.Total.LessThanOrEqual(cm) != c.cheaper {
					t.Errorf("at %d local %s cloud %s", c.v, lm.Total, cm)
				}
			}
		})
	}
}

func TestEveryVerdict(t *testing.T) {
	tests := []struct {
		name, answers string
		want          Verdict
		roles         []string
		reason        string
	}{
		{"cloud", "tokens_per_month: 2M\nprivacy: none\ntask: classification\n", Cloud, []string{"all"}, "cloud is cheaper by"},
		{"local", "tokens_per_month: 2B\nprivacy: none\ntask: classification\n", Local, []string{"all"}, "local is cheaper by"},
		{"hybrid: regulated share local, the rest to the cloud", "tokens_per_month: 2M\nprivacy: regulated\nregulated_share: 0.3\ntask: code\n", Hybrid, []string{"regulated", "rest"}, "the regulated 30%"},
		{"hybrid: spiky load, bursts to the cloud", "tokens_per_month: 1B\nprivacy: none\ntask: agents\nload: spiky\npeak_to_average: 2\n", Hybrid, []string{"base", "overflow"}, "sized for the average load"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decideYAML(t, tt.answers)
			if d.Verdict != tt.want {
				t.Fatalf("verdict %s, want %s: %q", d.Verdict, tt.want, d.Reasons)
			}
			if !anyContains(d.Reasons, tt.reason) {
				t.Errorf("no reason with %q: %q", tt.reason, d.Reasons)
			}
			var roles []string
			sum := decimal.Zero
			share := 0.0
			for _, r := range d.Recommendations {
				roles = append(roles, r.Role)
				sum = sum.Add(r.MonthlyCostUSD)
				share += r.TrafficShare
			}
			if strings.Join(roles, ",") != strings.Join(tt.roles, ",") {
				t.Errorf("roles %v, want %v", roles, tt.roles)
			}
			if d.MonthlyCostUSD == nil || !sum.Equal(*d.MonthlyCostUSD) || !sum.IsPositive() {
				t.Errorf("monthly %v, recommendations sum to %s", d.MonthlyCostUSD, sum)
			}
			if share < 0.999 || share > 1.001 {
				t.Errorf("traffic shares sum to %g", share)
			}
		})
	}
}

func TestSpikyHybridIsCheaperThanBothAlternatives(t *testing.T) {
	d := decideYAML(t, "tokens_per_month: 1B\nprivacy: none\ntask: agents\nload: spiky\npeak_to_average: 2\n")
	if d.Verdict != Hybrid {
		t.Fatalf("verdict %s", d.Verdict)
	}
	if !(*d.MonthlyCostUSD).LessThan(d.BestCloud.MonthlyCostUSD) || !(*d.MonthlyCostUSD).LessThan(d.BestLocal.MonthlyCostUSD) {
		t.Fatalf("hybrid %s vs cloud %s and peak-sized local %s", *d.MonthlyCostUSD, d.BestCloud.MonthlyCostUSD, d.BestLocal.MonthlyCostUSD)
	}
	base := d.Recommendations[0]
	if base.GPUs >= d.BestLocal.GPUs {
		t.Errorf("the base load should need fewer GPUs (%d) than peak sizing (%d)", base.GPUs, d.BestLocal.GPUs)
	}
	// Steady load at the same volume sizes for the average: no peak replicas.
	steady := decideYAML(t, "tokens_per_month: 1B\nprivacy: none\ntask: agents\n")
	if steady.Verdict == Hybrid {
		t.Errorf("steady load should not be hybrid")
	}
}

func TestSpikyLoadSizesForThePeak(t *testing.T) {
	steady := decideYAML(t, "tokens_per_month: 3B\nprivacy: none\ntask: qa\n")
	spiky := decideYAML(t, "tokens_per_month: 3B\nprivacy: none\ntask: qa\nload: spiky\npeak_to_average: 8\n")
	if !(spiky.BestLocal.Replicas > steady.BestLocal.Replicas || spiky.BestLocal.MonthlyCostUSD.GreaterThan(steady.BestLocal.MonthlyCostUSD)) {
		t.Fatalf("peak sizing changed nothing: steady %d replicas %s, spiky %d replicas %s", steady.BestLocal.Replicas, steady.BestLocal.MonthlyCostUSD, spiky.BestLocal.Replicas, spiky.BestLocal.MonthlyCostUSD)
	}
	if !anyContains(spiky.Reasons, "peak 8x") {
		t.Errorf("reasons: %q", spiky.Reasons)
	}
	// The peak-sized month has room for the peak: replicas x hours >= busy x peak.
	lm, err := spiky.BestLocal.Monthly(3_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	need := lm.BusyReplicaHours.Mul(decimal.NewFromInt(8))
	if decimal.NewFromInt(int64(lm.Replicas) * 730).LessThan(need) {
		t.Errorf("%d replicas cannot carry %s busy hours at peak", lm.Replicas, need)
	}
}

func TestPrivacyOverridesCost(t *testing.T) {
	d := decideYAML(t, "tokens_per_month: 300K\nprivacy: regulated\ntask: classification\n")
	if d.Verdict != Local {
		t.Fatalf("verdict %s", d.Verdict)
	}
	if !d.BestCloud.MonthlyCostUSD.LessThan(d.BestLocal.MonthlyCostUSD) {
		t.Fatalf("the test needs cloud to be cheaper: cloud %s, local %s", d.BestCloud.MonthlyCostUSD, d.BestLocal.MonthlyCostUSD)
	}
	if !anyContains(d.Reasons, "never goes to a cloud API") || !anyContains(d.Reasons, "if privacy allowed it") {
		t.Errorf("reasons: %q", d.Reasons)
	}
	for _, r := range d.Recommendations {
		if r.Kind == "cloud" {
			t.Errorf("regulated traffic recommended to the cloud: %+v", r)
		}
	}
	// Never cloud-only, for any task or accuracy: at worst local with a warning.
	for _, task := range Tasks {
		for _, acc := range []string{"good-enough", "best", "{mmlu: 99}"} {
			d := decideYAML(t, fmt.Sprintf("tokens_per_month: 5M\nprivacy: regulated\ntask: %s\naccuracy: %s\n", task, acc))
			if d.Verdict == Cloud {
				t.Errorf("%s/%s: regulated gave cloud", task, acc)
			}
			if acc != "good-enough" && !anyContains(d.Reasons, "expect lower quality") {
				t.Errorf("%s/%s: no quality warning: %q", task, acc, d.Reasons)
			}
		}
	}
}

func TestContractualPrivacyAllowsCloudWithNote(t *testing.T) {
	d := decideYAML(t, "tokens_per_month: 2M\nprivacy: contractual\ntask: qa\n")
	if d.Verdict != Cloud || !anyContains(d.Notes, "data-processing terms") {
		t.Fatalf("%s %q", d.Verdict, d.Notes)
	}
}

func TestSunkGPUs(t *testing.T) {
	without := decideYAML(t, "tokens_per_month: 300K\nprivacy: none\ntask: classification\n")
	with := decideYAML(t, "tokens_per_month: 300K\nprivacy: none\ntask: classification\nhave_gpus: [rtx-3060-12gb]\n")
	l := with.BestLocal
	if l.Mode != ModeSunk || l.GPU != "rtx-3060-12gb" {
		t.Fatalf("best local %s", l.Label())
	}
	if !l.UpfrontUSD.IsZero() {
		t.Errorf("sunk hardware has upfront %s", l.UpfrontUSD)
	}
	if !l.MonthlyCostUSD.IsPositive() {
		t.Errorf("energy is still paid: %s", l.MonthlyCostUSD)
	}
	// The same card bought: amortization on top of the same energy.
	var bought *LocalOption
	e, _ := newEnv(testCatalog(t), asOf, with.answers)
	opts, _, _ := e.localOptions("mmlu", 60, true)
	for _, o := range opts {
		if o.Model == l.Model && o.GPU == l.GPU && o.Mode == ModeOwned {
			bought = o
		}
	}
	if bought == nil {
		t.Fatal("no owned twin")
	}
	_ = bought.price(300_000)
	amort := decimal.NewFromInt(329).Div(decimal.NewFromInt(36))
	if got := bought.MonthlyCostUSD.Sub(l.MonthlyCostUSD); !got.Sub(amort).Abs().LessThan(decimal.RequireFromString("0.000001")) {
		t.Errorf("owned - sunk = %s, want the amortization %s", got, amort)
	}
	if !(*with.CrossoverTokens < *without.CrossoverTokens) {
		t.Errorf("owning the GPU should lower the crossover: %d vs %d", *with.CrossoverTokens, *without.CrossoverTokens)
	}
	// Owned GPUs that cannot serve the workload alone: the extra ones are bought.
	big := decideYAML(t, "tokens_per_month: 5B\nprivacy: regulated\ntask: classification\nhave_gpus: [rtx-3060-12gb]\n")
	if big.BestLocal.Mode == ModeSunk && big.BestLocal.Replicas > 1 && !big.BestLocal.UpfrontUSD.IsPositive() {
		t.Errorf("%d replicas on one owned GPU with no purchase", big.BestLocal.Replicas)
	}
}

func TestUnmeetableLatency(t *testing.T) {
	d := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: classification\nlatency_seconds: 0.1\n")
	if d.Verdict != Cloud {
		t.Fatalf("verdict %s", d.Verdict)
	}
	if !anyContains(d.Reasons, "latency: no qualifying local option replies within 0.1 s") {
		t.Errorf("reasons: %q", d.Reasons)
	}
	if !anyContains(d.Notes, "no measured latency") {
		t.Errorf("the unchecked cloud latency must be said: %q", d.Notes)
	}
	ch := changeOf(d, "latency")
	if ch == nil || ch.Verdict != Local {
		t.Fatalf("no latency change: %+v", d.WhatWouldChangeIt)
	}
	// At the threshold local qualifies; 10 ms below it, not.
	at := decideYAML(t, fmt.Sprintf("tokens_per_month: 2B\nprivacy: none\ntask: classification\nlatency_seconds: %g\n", ch.Threshold))
	if at.Verdict != Local {
		t.Errorf("at latency %g: %s", ch.Threshold, at.Verdict)
	}
	below := decideYAML(t, fmt.Sprintf("tokens_per_month: 2B\nprivacy: none\ntask: classification\nlatency_seconds: %g\n", ch.Threshold-0.01))
	if below.Verdict != Cloud {
		t.Errorf("at latency %g: %s", ch.Threshold-0.01, below.Verdict)
	}
	// And from the local side: the target under which it flips to cloud.
	loc := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: classification\nlatency_seconds: 2\n")
	lc := changeOf(loc, "latency")
	if loc.Verdict != Local || lc == nil || lc.Verdict != Cloud {
		t.Fatalf("%s %+v", loc.Verdict, loc.WhatWouldChangeIt)
	}
	if v := decideYAML(t, fmt.Sprintf("tokens_per_month: 2B\nprivacy: none\ntask: classification\nlatency_seconds: %g\n", lc.Threshold-0.01)).Verdict; v != Cloud {
		t.Errorf("under %g s: %s", lc.Threshold, v)
	}
}

func TestContextBeyondLocalLimits(t *testing.T) {
	d := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: classification\ncontext_tokens: 300K\n")
	if d.Verdict != Cloud || d.BestCloud.ContextWindow < 300_000 {
		t.Fatalf("%s on %+v", d.Verdict, d.BestCloud)
	}
	if !anyContains(d.Reasons, "no open model in the catalog takes a 300K-token context") {
		t.Errorf("reasons: %q", d.Reasons)
	}
	ch := changeOf(d, "context")
	if ch == nil {
		t.Fatalf("no context change: %+v", d.WhatWouldChangeIt)
	}
	at := decideYAML(t, fmt.Sprintf("tokens_per_month: 2B\nprivacy: none\ntask: classification\ncontext_tokens: %d\n", int64(ch.Threshold)))
	if at.BestLocal == nil {
		t.Errorf("at context %g local options should exist", ch.Threshold)
	}
	for _, c := range d.CloudOptions {
		if c.ContextWindow < 300_000 && c.Excluded == "" {
			t.Errorf("%s (window %d) not excluded", c.Model, c.ContextWindow)
		}
	}
}

func TestAccuracyBeyondLocal(t *testing.T) {
	d := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: qa\naccuracy: {mmlu: 95}\n")
	if d.Verdict != Cloud {
		t.Fatalf("verdict %s", d.Verdict)
	}
	if !anyContains(d.Reasons, "no local model that fits reaches mmlu 95 (best: deepseek-r1 at 90.8)") {
		t.Errorf("reasons: %q", d.Reasons)
	}
	if !anyContains(d.Notes, "no mmlu scores for cloud models") {
		t.Errorf("notes: %q", d.Notes)
	}
	best := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: qa\naccuracy: best\n")
	if best.Verdict != Cloud || !anyContains(best.Reasons, "frontier quality") || best.BestCloud.Model != "claude-sonnet-4.6" && best.BestCloud.Model != "gpt-5.4" && best.BestCloud.Model != "gemini-2.5-pro" {
		t.Errorf("best: %s %q on %s", best.Verdict, best.Reasons, best.BestCloud.Model)
	}
	// A bar a local model does reach keeps local in play.
	ok := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: qa\naccuracy: {mmlu: 85}\n")
	if ok.BestLocal == nil || *ok.BestLocal.Score < 85 {
		t.Errorf("mmlu 85: %+v", ok.BestLocal)
	}
}

func TestBudget(t *testing.T) {
	over := decideYAML(t, "tokens_per_month: 2M\nprivacy: none\ntask: qa\naccuracy: best\nbudget_usd: 1\n")
	ch := changeOf(over, "budget")
	if ch == nil || !anyContains(over.Reasons, "over the $1.00 monthly budget") {
		t.Fatalf("%q %+v", over.Reasons, over.WhatWouldChangeIt)
	}
	if !decimal.NewFromFloat(ch.Threshold).Sub(*over.MonthlyCostUSD).Abs().LessThan(decimal.RequireFromString("0.0001")) {
		t.Errorf("budget threshold %g, cost %s", ch.Threshold, *over.MonthlyCostUSD)
	}
	within := decideYAML(t, fmt.Sprintf("tokens_per_month: 2M\nprivacy: none\ntask: qa\naccuracy: best\nbudget_usd: %g\n", ch.Threshold+0.01))
	if changeOf(within, "budget") != nil || !anyContains(within.Reasons, "within the") {
		t.Errorf("%q", within.Reasons)
	}
}

func TestOpsHoursCountForLocal(t *testing.T) {
	base := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: classification\n")
	ops := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: classification\nops_hours_per_month: 2\nops_hourly_usd: 100\n")
	if got := ops.BestLocal.MonthlyCostUSD.Sub(base.BestLocal.MonthlyCostUSD); !got.Equal(decimal.NewFromInt(200)) {
		t.Errorf("2 h x $100 added %s", got)
	}
	if !(*ops.CrossoverTokens > *base.CrossoverTokens) {
		t.Errorf("ops time must raise the crossover")
	}
}

func TestDecideErrors(t *testing.T) {
	cat := testCatalog(t)
	_, err := Decide(cat, asOf, &Answers{})
	me, ok := err.(*MissingError)
	if !ok || strings.Join(me.Fields, ",") != "tokens_per_month,privacy,task" {
		t.Fatalf("%v", err)
	}
	_, err = Decide(cat, asOf, &Answers{TokensPerMonth: 1e6, Privacy: "none", Task: "qa", HaveGPUs: []OwnedGPU{{GPU: "rtx-9999", Count: 1}}})
	if err == nil || !strings.Contains(err.Error(), "rtx-9999") {
		t.Fatalf("unknown GPU: %v", err)
	}
	_, err = Decide(cat, asOf, &Answers{TokensPerMonth: 1e6, Privacy: "none", Task: "code", ContextTokens: 5_000_000})
	if ae, ok := err.(*AnswerError); !ok || !ae.BadInput() || !strings.Contains(err.Error(), "5000000 tokens of context") {
		t.Fatalf("unanswerable context: %v", err)
	}
}

func TestRequestsTimesTokens(t *testing.T) {
	a := decideYAML(t, "requests_per_month: 10K\ntokens_per_request: 1000\nprivacy: none\ntask: qa\n")
	b := decideYAML(t, "tokens_per_month: 10M\nprivacy: none\ntask: qa\n")
	if a.Workload.TokensPerMonth != 10_000_000 || a.Verdict != b.Verdict {
		t.Fatalf("%d %s vs %s", a.Workload.TokensPerMonth, a.Verdict, b.Verdict)
	}
	if a.Workload.PromptTokens != 750 || a.Workload.OutputPerReq != 250 {
		t.Errorf("request shape %d/%d", a.Workload.PromptTokens, a.Workload.OutputPerReq)
	}
}

func TestFirstCrossing(t *testing.T) {
	// A step function: cheaper from 12345 on.
	got, err := firstCrossing(func(v int64) (bool, error) { return v >= 12345, nil }, 1, 1e9)
	if err != nil || got == nil || *got != 12345 {
		t.Fatalf("%v %v", got, err)
	}
	if got, _ := firstCrossing(func(int64) (bool, error) { return false, nil }, 1, 1e9); got != nil {
		t.Fatalf("never: %d", *got)
	}
	if got, _ := firstCrossing(func(int64) (bool, error) { return true, nil }, 5, 1e9); got == nil || *got != 5 {
		t.Fatalf("always: %v", got)
	}
}

func BenchmarkDecide(b *testing.B) {
	a, _ := ParseAnswers([]byte("tokens_per_month: 50M\nprivacy: none\ntask: qa\nlatency_seconds: 5\n"))
	cat := testCatalog(b)
	for b.Loop() {
		if _, err := Decide(cat, asOf, a); err != nil {
			b.Fatal(err)
		}
	}
}

// The privacy change of a cloud verdict names what regulated data would
// actually get: deciding again with privacy regulated recommends it.
func TestPrivacyChangeMatchesRegulatedDecision(t *testing.T) {
	for _, y := range []string{
		"tokens_per_month: 2M\nprivacy: none\ntask: classification\n",
		"tokens_per_month: 10M\nprivacy: none\ntask: code\n",
		"tokens_per_month: 2M\nprivacy: none\ntask: qa\naccuracy: best\n",
	} {
		d := decideYAML(t, y)
		ch := changeOf(d, "privacy")
		if d.Verdict != Cloud || ch == nil || ch.Verdict != Local {
			t.Fatalf("%s: %s %+v", y, d.Verdict, d.WhatWouldChangeIt)
		}
		reg := decideYAML(t, strings.Replace(y, "privacy: none", "privacy: regulated", 1))
		r := reg.Recommendations[0]
		label := fmt.Sprintf("%s (%s) on %dx %s", r.Model, r.Quant, r.GPUs, r.GPU)
		if reg.Verdict != Local || !strings.Contains(ch.Text, label) || !strings.Contains(ch.Text, units.FormatUSD(r.MonthlyCostUSD)+"/month") {
			t.Errorf("%s: change %q, regulated decision %s %s at %s", y, ch.Text, reg.Verdict, label, r.MonthlyCostUSD)
		}
	}
}

// A request that carries a long context is priced at the long-context tier
// in the cloud and pays its prefill locally.
func TestContextIsThePromptOfARequest(t *testing.T) {
	short := decideYAML(t, "tokens_per_month: 20M\nprivacy: none\ntask: qa\naccuracy: best\n")
	long := decideYAML(t, "tokens_per_month: 20M\nprivacy: none\ntask: qa\naccuracy: best\ncontext_tokens: 250K\n")
	if long.Workload.PromptTokens != 250*1024-400 || short.Workload.PromptTokens != DefaultPromptTokens {
		t.Fatalf("prompts %d / %d", long.Workload.PromptTokens, short.Workload.PromptTokens)
	}
	cost := func(d *Decision, id string) decimal.Decimal {
		for _, c := range d.CloudOptions {
			if c.Model == id {
				return c.MonthlyCostUSD
			}
		}
		t.Fatalf("%s not among %+v", id, d.CloudOptions)
		return decimal.Zero
	}
	// gemini-2.5-pro bills whole requests above 200K at its higher tier.
	if !cost(long, "gemini-2.5-pro").GreaterThan(cost(short, "gemini-2.5-pro")) {
		t.Errorf("no long-context tier: %s vs %s", cost(long, "gemini-2.5-pro"), cost(short, "gemini-2.5-pro"))
	}
	a := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: classification\n")
	b := decideYAML(t, "tokens_per_month: 2B\nprivacy: none\ntask: classification\ncontext_tokens: 32K\n")
	if !(b.BestLocal.TTFTSeconds > 10*a.BestLocal.TTFTSeconds) {
		t.Errorf("32K prompts should take far longer to first token: %g vs %g s", b.BestLocal.TTFTSeconds, a.BestLocal.TTFTSeconds)
	}
}

// Unknown is never $0: when nothing can serve regulated traffic the cost is
// null, and the reason says why.
func TestNothingCanServeRegulated(t *testing.T) {
	d := decideYAML(t, "tokens_per_month: 2M\nprivacy: regulated\ntask: qa\ncontext_tokens: 1M\n")
	if d.Verdict != Local || d.MonthlyCostUSD != nil || len(d.Recommendations) != 0 || !anyContains(d.Reasons, "no open model in the catalog runs this workload") {
		t.Fatalf("%s %v %q", d.Verdict, d.MonthlyCostUSD, d.Reasons)
	}
	if _, err := d.Policy(decimal.NewFromInt(730)); err == nil {
		t.Error("a policy without backends")
	}
}

// An as-of date before the task's candidates were priced still has a cloud
// side: the models priced that day. Only a date with no cloud price at all
// leaves it empty, and the reason says exactly that.
func TestAsOfBeforeCandidatesArePriced(t *testing.T) {
	tests := []struct {
		name, answers, asOf string
		verdict             Verdict
		cloud               string // the recommended or best cloud model; "" = none
		reason, note        string
	}{
		{"value tier falls back to gpt-4o-mini", "tokens_per_month: 10M\nprivacy: none\ntask: qa\n", "2025-01-01", Cloud, "gpt-4o-mini",
			"none of the qa cloud candidates (gpt-5-mini, gemini-2.5-flash, claude-haiku-4.5, deepseek-v4-flash, gemini-3-flash) is priced on 2025-01-01, so the cloud side is the openai/google/anthropic/deepseek value-tier",
			"gpt-5-mini has no price on 2025-01-01"},
		{"frontier tier falls back to a frontier-class model", "tokens_per_month: 10M\nprivacy: none\ntask: qa\naccuracy: best\n", "2025-01-01", Cloud, "gpt-4o",
			"frontier-tier", "claude-sonnet-4.6 has no price on 2025-01-01"},
		{"some candidates priced: the others are skipped with a note", "tokens_per_month: 10M\nprivacy: none\ntask: qa\n", "2025-09-01", Cloud, "gpt-5-mini",
			"at 10.0M tokens/month the cheapest qa cloud option", "claude-haiku-4.5 has no price on 2025-09-01"},
		{"no cloud model priced at all", "tokens_per_month: 10M\nprivacy: none\ntask: qa\n", "2023-01-01", Local, "",
			"the catalog has no cloud model priced on 2023-01-01", "gemini-3-flash has no price on 2023-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decideAt(t, tt.answers, tt.asOf)
			day, _ := time.Parse(time.DateOnly, tt.asOf)
			if d.Verdict != tt.verdict {
				t.Errorf("verdict %s, want %s; reasons %q", d.Verdict, tt.verdict, d.Reasons)
			}
			got := ""
			if d.BestCloud != nil {
				got = d.BestCloud.Model
			}
			if got != tt.cloud {
				t.Errorf("best cloud %q, want %q", got, tt.cloud)
			}
			if !anyContains(d.Reasons, tt.reason) {
				t.Errorf("no reason contains %q: %q", tt.reason, d.Reasons)
			}
			if anyContains(d.Reasons, "not in the catalog") || anyContains(d.Reasons, "meets the answers ()") {
				t.Errorf("reasons blame the catalog or an empty list: %q", d.Reasons)
			}
			if !anyContains(d.Notes, tt.note) {
				t.Errorf("no note contains %q: %q", tt.note, d.Notes)
			}
			for _, c := range d.CloudOptions {
				if _, err := c.m.PriceAt(day); err != nil {
					t.Errorf("cloud option %s is not priced on %s: %v", c.Model, tt.asOf, err)
				}
			}
		})
	}
	// Entries that start later than the as-of date (claude-haiku-5.5 from
	// 2026-11-27) are never offered before it.
	d := decideAt(t, "tokens_per_month: 10M\nprivacy: none\ntask: qa\n", "2026-07-01")
	for _, c := range d.CloudOptions {
		if c.Model == "claude-haiku-5.5" || c.Model == "claude-opus-5.5" {
			t.Errorf("%s offered before its first price", c.Model)
		}
	}
}

func decideAt(t *testing.T, y, day string) *Decision {
	t.Helper()
	a, err := ParseAnswers([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	at, _ := time.Parse(time.DateOnly, day)
	d, err := Decide(testCatalog(t), at, a)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestIsValueClass(t *testing.T) {
	for id, want := range map[string]bool{"gpt-4o-mini": true, "gemini-2.0-flash-lite": true, "claude-3-haiku": true, "mistral-small-3.1": true,
		"gpt-4o": false, "claude-3.5-sonnet": false, "gemini-2.5-pro": false, "minimax-m1": false} {
		if got := isValueClass(id); got != want {
			t.Errorf("isValueClass(%q) = %v, want %v", id, got, want)
		}
	}
}

// Part of the traffic regulated and answers no local model meets (accuracy
// best): the regulated share must stay local anyway, but the rest is not
// sent to a model that does not meet the answers just because the rented
// machine is paid for: it goes to the cloud model that does (hybrid).
func TestRegulatedShareDoesNotPullTheRestBelowTheAnswers(t *testing.T) {
	d := decideYAML(t, "tokens_per_month: 5M\nprivacy: regulated\nregulated_share: 0.5\ntask: code\naccuracy: best\n")
	if d.Verdict != Hybrid {
		t.Fatalf("verdict %s, want hybrid: %q", d.Verdict, d.Reasons)
	}
	roles := map[string]string{}
	for _, r := range d.Recommendations {
		roles[r.Role] = r.Kind
	}
	if roles["regulated"] != "local" || roles["rest"] != "cloud" {
		t.Fatalf("recommendations %+v", d.Recommendations)
	}
	if !anyContains(d.Reasons, "does not meet the answers") {
		t.Errorf("reasons do not say why the rest leaves the cheaper local machine: %q", d.Reasons)
	}
	// No volume makes that model good enough for the rest.
	for _, c := range d.WhatWouldChangeIt {
		if c.Kind == "volume" {
			t.Errorf("volume change offered for a model that misses the answers: %+v", c)
		}
	}
	if anyContains(d.Reasons, "breaks even above") {
		t.Errorf("reasons: %q", d.Reasons)
	}
}

// "What would change it" lists changes that flip the verdict: none may end
// in the verdict already given.
func TestChangesFlipTheVerdict(t *testing.T) {
	for _, y := range []string{
		"tokens_per_month: 50M\nprivacy: regulated\nregulated_share: 0.3\ntask: qa\nlatency_seconds: 0.5\n",
		"tokens_per_month: 500M\nprivacy: regulated\nregulated_share: 0.5\ntask: classification\n",
		"tokens_per_month: 2M\nprivacy: regulated\nregulated_share: 0.3\ntask: code\nbudget_usd: 100\n",
		"tokens_per_month: 20M\nprivacy: regulated\nregulated_share: 0.3\ntask: code\nhave_gpus: [rtx-4090x2]\nlatency_seconds: 5\nbudget_usd: 300\n",
		"tokens_per_month: 2B\nprivacy: regulated\nregulated_share: 0.5\ntask: classification\n",
		"tokens_per_month: 2M\nprivacy: none\ntask: classification\n",
		"tokens_per_month: 500M\nprivacy: none\ntask: classification\n",
		"tokens_per_month: 5B\nprivacy: contractual\ntask: summarization\nload: spiky\npeak_to_average: 4\n",
		"tokens_per_month: 300M\nprivacy: none\ntask: summarization\nhave_gpus: [rtx-4090]\nops_hours_per_month: 2\n",
	} {
		d := decideYAML(t, y)
		regulated := strings.Contains(y, "privacy: regulated")
		for _, c := range d.WhatWouldChangeIt {
			if c.Verdict == d.Verdict && c.Kind != "budget" { // a budget change says what the answers cost
				t.Errorf("%s verdict, yet %q → %s\n%s", d.Verdict, c.Text, c.Verdict, y)
			}
			if regulated && c.Kind == "volume" && c.Verdict == Cloud {
				t.Errorf("regulated traffic cannot go to the cloud at any volume: %q\n%s", c.Text, y)
			}
		}
		if anyContains(d.Reasons, "also cheaper locally") && anyContains(d.Reasons, "never becomes cheaper") {
			t.Errorf("contradicting reasons: %q\n%s", d.Reasons, y)
		}
	}
}
