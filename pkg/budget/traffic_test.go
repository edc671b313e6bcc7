package budget_test

import (
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/budget"
)

func TestCompareTrafficFlagsTheWrongAssumption(t *testing.T) {
	cfg := decode(t, `schema_version: 1
workloads:
  - name: chat
    model: flat
    requests_per_month: 73000
    prompt_tokens: {p50: 1000, p90: 2000, p99: 4000}
    output_tokens: 200
    cached_share: 0.5
  - name: quiet
    model: flat
    requests_per_month: 1000
    prompt_tokens: 1000
    output_tokens: 100
`)
	// 10 days: 73,000 a 730-hour month is 2,400 a day. Traffic: 24,000 requests (on
	// plan), prompts averaging 1,800 (the assumed mean is 0.5×1000 +
	// 0.4×2000 + 0.1×4000 = 1,700: +6%, fine), outputs 210 (+5%), but only
	// 10% of prompt tokens cached (assumed 50%).
	tr := []budget.Traffic{{
		Workload: "chat", Requests: 24_000, InputTokens: 43_200_000, OutputTokens: 5_040_000,
		CachedTokens: 4_320_000, CachedKnown: true, Period: 240 * time.Hour,
	}}
	checks := budget.CompareTraffic(cfg, tr)
	if len(checks) != 4 {
		t.Fatalf("%d checks: %+v", len(checks), checks)
	}
	first := checks[0]
	if first.Assumption != budget.AssumeCachedShare || !first.Off || first.OffBy != -40 || first.Line != 8 {
		t.Fatalf("worst assumption: %+v", first)
	}
	if first.Message != "chat: budget.yaml assumes cached_share 50%, traffic shows 10% (-40 points)" {
		t.Fatalf("message %q", first.Message)
	}
	for _, c := range checks[1:] {
		if c.Off {
			t.Errorf("%s flagged: %+v", c.Assumption, c)
		}
		if c.Workload != "chat" {
			t.Errorf("a workload without traffic was checked: %+v", c)
		}
	}
	var volume budget.AssumptionCheck
	for _, c := range checks {
		if c.Assumption == budget.AssumeRequests {
			volume = c
		}
	}
	if volume.Observed < 72_999 || volume.Observed > 73_001 || volume.OffBy > 0.001 || volume.OffBy < -0.001 {
		t.Fatalf("volume projection: %+v", volume)
	}
}

func TestCompareTrafficVolumeAndUnknownCache(t *testing.T) {
	cfg := decode(t, one("flat", ""))
	// One day with 100 requests projects to 3,041.7/month vs 1,000 assumed;
	// cached tokens unreported: no cache check (unknown is not 0).
	checks := budget.CompareTraffic(cfg, []budget.Traffic{{Workload: "w", Requests: 100, InputTokens: 100_000, OutputTokens: 10_000, Period: 24 * time.Hour}})
	if len(checks) != 3 || checks[0].Assumption != budget.AssumeRequests || !checks[0].Off || !strings.Contains(checks[0].Message, "traffic shows 3,042 (+204%)") {
		t.Fatalf("%+v", checks)
	}
}
