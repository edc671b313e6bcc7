package budget

import (
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/shopspring/decimal"
)

const liveBudget = `schema_version: 1
workloads:
  - name: support
    model: claude-haiku-4.5
    requests_per_month: 1000
    prompt_tokens: 2000
    output_tokens: 150
limits:
  monthly_usd: 10
  workloads:
    support: 2
`

func liveCfg(t *testing.T) *Config {
	t.Helper()
	c, err := Decode("budget.yaml", []byte(liveBudget))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var nov = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func spend(ts time.Time, task, cost string) *ledger.Record {
	r := &ledger.Record{TS: ts, ID: "x", Status: ledger.StatusOK, Task: task}
	if cost != "" {
		r.CostUSD = ledger.NewUSD(decimal.RequireFromString(cost))
	}
	return r
}

func TestLiveWorkloadLimitByTask(t *testing.T) {
	l := NewLive(liveCfg(t))
	cloud := LiveRequest{Task: "support", Cloud: true, CanDowngrade: true}
	if v := l.Decide(nov, cloud); v.Action != Allow || v.Hit != nil {
		t.Fatalf("nothing spent: %+v", v)
	}
	l.Add(spend(nov, "support", "1.99"))
	if v := l.Decide(nov, cloud); v.Action != Allow {
		t.Fatalf("$1.99 of $2: %+v", v)
	}
	l.Add(spend(nov, "support", "0.01")) // reaches $2 exactly
	v := l.Decide(nov, cloud)
	if v.Action != Downgrade || v.Hit.Name != "limits.workloads.support" || !v.Hit.Spent.Equal(decimal.NewFromInt(2)) || v.Hit.Line != 11 {
		t.Fatalf("at the limit: %+v %+v", v, v.Hit)
	}
	if want := "budget limit limits.workloads.support of $2.00/month reached: $2.00 spent this month (budget.yaml:11)"; v.Hit.Message() != want {
		t.Errorf("message %q, want %q", v.Hit.Message(), want)
	}
	if v := l.Decide(nov, LiveRequest{Task: "support", Cloud: true}); v.Action != Refuse {
		t.Fatalf("no local route: %+v", v)
	}
	if v := l.Decide(nov, LiveRequest{Task: "support", Cloud: false}); v.Action != Allow {
		t.Fatalf("local is always allowed: %+v", v)
	}
	// Another task is held only against monthly_usd ($2 of $10 so far).
	if v := l.Decide(nov, LiveRequest{Task: "triage", Cloud: true}); v.Action != Allow {
		t.Fatalf("other task: %+v", v)
	}
}

func TestLiveMonthlyLimitCountsEveryRecord(t *testing.T) {
	l := NewLive(liveCfg(t))
	shadow := spend(nov, "", "4")
	shadow.Shadow, shadow.ShadowOf = true, "q1"
	closed := spend(nov, "triage", "3")
	closed.Status = ledger.StatusClientClosed
	dry := spend(nov, "", "100")
	dry.DryRun = true
	old := spend(nov.AddDate(0, -1, 0), "", "100") // October: not this month
	for _, r := range []*ledger.Record{shadow, closed, dry, old, spend(nov, "", "2.5")} {
		l.Add(r)
	}
	if v := l.Decide(nov, LiveRequest{Cloud: true}); v.Action != Allow {
		t.Fatalf("$9.50 of $10: %+v", v)
	}
	l.Add(spend(nov, "", "0.5"))
	l.Add(spend(nov, "", "")) // cost unknown
	v := l.Decide(nov, LiveRequest{Cloud: true})
	if v.Action != Refuse || v.Hit.Name != "limits.monthly_usd" || !v.Hit.Spent.Equal(decimal.NewFromInt(10)) || !v.Hit.Lower {
		t.Fatalf("at $10: %+v %+v", v, v.Hit)
	}
	if !strings.Contains(v.Hit.Message(), "at least $10.00 spent this month (budget.yaml:9)") {
		t.Errorf("message %q", v.Hit.Message())
	}
	st := l.Status()
	if st.Month != "2026-11" || st.Unpriced != 1 || !st.SpentUSD.Equal(decimal.NewFromInt(10)) {
		t.Fatalf("status %+v", st)
	}
	// A new month starts from nothing.
	if v := l.Decide(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), LiveRequest{Cloud: true}); v.Action != Allow {
		t.Fatalf("December: %+v", v)
	}
	if st := l.Status(); st.Month != "2026-12" || !st.SpentUSD.IsZero() || st.Unpriced != 0 {
		t.Fatalf("after roll-over %+v", st)
	}
}

func TestLiveAddLedgerReadsMonthToDate(t *testing.T) {
	l := NewLive(liveCfg(t))
	var b strings.Builder
	for _, r := range []*ledger.Record{spend(nov, "support", "1.5"), spend(nov, "support", "0.5")} {
		line, err := ledger.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
	}
	b.WriteString(`{"ts":"2026-11-20T`) // torn by a crash
	warns, err := l.AddLedger(strings.NewReader(b.String()), "costs.jsonl")
	if err != nil || len(warns) != 1 {
		t.Fatal(err, warns)
	}
	if v := l.Decide(nov, LiveRequest{Task: "support", Cloud: true}); v.Action != Refuse || v.Hit.Name != "limits.workloads.support" {
		t.Fatalf("%+v", v)
	}
}

func TestLiveWithoutLimitsAllows(t *testing.T) {
	c, err := Decode("b.yaml", []byte(strings.Split(liveBudget, "limits:")[0]))
	if err != nil {
		t.Fatal(err)
	}
	l := NewLive(c)
	l.Add(spend(nov, "support", "1000000"))
	if v := l.Decide(nov, LiveRequest{Task: "support", Cloud: true}); v.Action != Allow {
		t.Fatalf("%+v", v)
	}
}

// A request refused before any attempt (the proxy's bad bodies, unknown
// models) has no cost and cost nothing: it does not make the month's
// spend a lower bound, as a sent request with an unknown cost does.
func TestLiveUnsentRecordIsNotUnpriced(t *testing.T) {
	l := NewLive(liveCfg(t))
	l.Add(spend(nov, "", "2"))
	l.Add(&ledger.Record{TS: nov, ID: "r", Status: ledger.StatusError, Attempts: 0})
	if st := l.Status(); st.Unpriced != 0 || !st.SpentUSD.Equal(decimal.NewFromInt(2)) {
		t.Fatalf("after an unsent refusal: %+v", st)
	}
	l.Add(&ledger.Record{TS: nov, ID: "s", Status: ledger.StatusError, Attempts: 1}) // sent, failed, cost unknown
	if st := l.Status(); st.Unpriced != 1 {
		t.Fatalf("a sent request with an unknown cost: %+v", st)
	}
}
