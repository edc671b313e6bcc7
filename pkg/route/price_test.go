package route

import (
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/shopspring/decimal"
)

// countingPricer prices 1 per input token, 2 per output token and 0.5 per
// cached token, and counts its calls.
type countingPricer struct{ calls int }

func (p *countingPricer) PriceCloud(_ string, _ time.Time, u backend.Usage) (decimal.Decimal, error) {
	p.calls++
	v := func(x *int64) int64 {
		if x == nil {
			return 0
		}
		return *x
	}
	c := v(u.CachedTokens)
	return decimal.NewFromInt(v(u.InputTokens) - c + 2*v(u.OutputTokens)).Add(decimal.NewFromInt(c).Div(decimal.NewFromInt(2))), nil
}

// The plain estimate is priced separately only when cache or reasoning
// tokens make it differ from the cost.
func TestPriceEstimate(t *testing.T) {
	for _, c := range []struct {
		name         string
		u            backend.Usage
		cost, est    string
		pricerCalled int
	}{
		{"plain", backend.Usage{InputTokens: ledger.Int64(100), OutputTokens: ledger.Int64(10), CachedTokens: ledger.Int64(0)}, "120", "120", 1},
		{"cached", backend.Usage{InputTokens: ledger.Int64(100), OutputTokens: ledger.Int64(10), CachedTokens: ledger.Int64(80)}, "80", "120", 2},
		{"reasoning", backend.Usage{InputTokens: ledger.Int64(100), OutputTokens: ledger.Int64(10), ReasoningTokens: ledger.Int64(5)}, "120", "120", 2},
	} {
		p := &countingPricer{}
		st := &run{Runner: &Runner{Pricer: p}}
		res := &result{resp: backend.Response{Usage: c.u}}
		st.price(&PolicyBackend{Name: "cloud", Price: "x"}, res)
		if res.cost == nil || res.estimate == nil || !res.cost.Equal(decimal.RequireFromString(c.cost)) || !res.estimate.Equal(decimal.RequireFromString(c.est)) || p.calls != c.pricerCalled {
			t.Errorf("%s: cost %v estimate %v after %d pricer calls; want %s, %s after %d", c.name, res.cost, res.estimate, p.calls, c.cost, c.est, c.pricerCalled)
		}
	}
}

// A backend's negative token count is unknown: not priced, not logged as a
// number the ledger's readers would refuse, and the note says why.
func TestNegativeUsageIsUnknown(t *testing.T) {
	u := backend.Usage{InputTokens: ledger.Int64(-5), OutputTokens: ledger.Int64(10), CachedTokens: ledger.Int64(-1)}
	if got := u.DropNegative(); strings.Join(got, ",") != "input_tokens,cached_tokens" || u.InputTokens != nil || u.CachedTokens != nil || *u.OutputTokens != 10 {
		t.Fatalf("DropNegative: %v, usage %+v", got, u)
	}
	p := &countingPricer{}
	st := &run{Runner: &Runner{Pricer: p}}
	res := &result{resp: backend.Response{Usage: u}, badUsage: []string{"input_tokens", "cached_tokens"}}
	st.price(&PolicyBackend{Name: "cloud", Price: "x"}, res)
	if res.cost != nil || p.calls != 0 || !strings.Contains(res.costNote, "cost unknown") || !strings.Contains(res.costNote, "negative input_tokens, cached_tokens") {
		t.Errorf("cost %v after %d pricer calls, note %q", res.cost, p.calls, res.costNote)
	}
}
