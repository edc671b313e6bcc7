package route

import (
	"fmt"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/shopspring/decimal"
)

// CatalogPricer prices one request's reported usage with the catalog
// price in force at the request time (or at AsOf when set).
type CatalogPricer struct {
	Catalog *catalog.Catalog
	AsOf    time.Time // zero: the request's own time
}

// CheckPrice reports whether id names a catalog cloud model (for
// Options.CheckPrice).
func (p *CatalogPricer) CheckPrice(id string) error {
	_, err := p.Catalog.Cloud(id)
	return err
}

// PriceCloud implements Pricer. Input tokens include cache reads and
// writes; output tokens include reasoning. The long-context tier is the
// one the request's prompt falls in. Token kinds with a count but no
// catalog rate are an error (never $0). Cache writes are priced at the
// 5-minute rate, the providers' default TTL.
func (p *CatalogPricer) PriceCloud(id string, at time.Time, u backend.Usage) (decimal.Decimal, error) {
	m, err := p.Catalog.Cloud(id)
	if err != nil {
		return decimal.Zero, err
	}
	when := at // the request's own time picks a time-of-day rate
	if !p.AsOf.IsZero() {
		at = p.AsOf
	}
	price, err := m.PriceAt(at)
	if err != nil {
		return decimal.Zero, err
	}
	if u.InputTokens == nil || u.OutputTokens == nil {
		return decimal.Zero, fmt.Errorf("usage not reported")
	}
	val := func(v *int64) int64 {
		if v == nil {
			return 0
		}
		return *v
	}
	in, out := *u.InputTokens, *u.OutputTokens
	cached, writes, reasoning := val(u.CachedTokens), val(u.CacheWriteTokens), val(u.ReasoningTokens)
	if cached+writes > in || reasoning > out {
		return decimal.Zero, fmt.Errorf("inconsistent usage: cached %d + cache writes %d > input %d, or reasoning %d > output %d", cached, writes, in, reasoning, out)
	}
	rates := price.Rates
	if t := cost.TierFor(price, in); t != nil {
		rates = t.Rates
	}
	reasoningRate := rates.Reasoning
	if !reasoningRate.Set {
		reasoningRate = rates.Output
	}
	total := decimal.Zero
	for _, part := range []struct {
		kind   string
		tokens int64
		rate   catalog.Num
	}{
		{"input", in - cached - writes, rates.Input},
		{"cached input", cached, rates.CachedInput},
		{"cache write", writes, rates.CacheWrite5m},
		{"output", out - reasoning, rates.Output},
		{"reasoning", reasoning, reasoningRate},
	} {
		if part.tokens == 0 {
			continue
		}
		if !part.rate.Set {
			return decimal.Zero, fmt.Errorf("%s has no %s price in the catalog", m.ID.V, part.kind)
		}
		total = total.Add(decimal.NewFromInt(part.tokens).Mul(part.rate.D))
	}
	// A time-of-day price bills the request by when it was made.
	if o := price.OffPeak; o != nil && !o.IsPeak(when) {
		total = total.Mul(o.Multiplier.D)
	}
	return total.Shift(-6), nil // exact: rates are per 1M tokens
}
