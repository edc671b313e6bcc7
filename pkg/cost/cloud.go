// Package cost is llmcost's pure cost maths: cloud token pricing, local
// total cost of ownership, capacity, break-even and crossover. Money is
// exact decimal; nothing here rounds.
package cost

import (
	"fmt"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/shopspring/decimal"
)

var (
	one = decimal.NewFromInt(1)
)

// Workload is a month of traffic to one model.
type Workload struct {
	InputTokens  int64 // all prompt tokens per month, cached ones included
	OutputTokens int64 // all output tokens per month, reasoning included
	// Shares are fractions in [0, 1].
	CachedShare     decimal.Decimal // share of input served from the cache (cache reads)
	CacheWriteShare decimal.Decimal // share of input written to the cache
	CacheWriteTTL   string          // "5m" (default) or "1h"
	BatchShare      decimal.Decimal // share of all traffic sent through the batch API
	ReasoningShare  decimal.Decimal // share of output tokens that are reasoning tokens
	PromptTokens    int64           // prompt length of one request: picks the long-context tier
	// PeakShare is the share of traffic in a time-of-day price's peak
	// hours (catalog.OffPeak); nil = spread evenly over the week
	// (OffPeak.PeakShareOfWeek). Prices without peak hours ignore it.
	PeakShare *decimal.Decimal
}

// Line is one priced component of a cloud bill.
type Line struct {
	Kind    string          `json:"kind"` // input, cached_input, cache_write_5m, cache_write_1h, output, reasoning
	Batch   bool            `json:"batch"`
	OffPeak bool            `json:"off_peak,omitempty"` // outside a time-of-day price's peak hours (rate × off_peak.multiplier)
	Tokens  decimal.Decimal `json:"tokens"`
	Rate    decimal.Decimal `json:"rate_per_million_usd"` // after the batch multiplier
	Cost    decimal.Decimal `json:"cost_usd"`
}

// CloudResult is the monthly cost of a workload on one cloud model.
type CloudResult struct {
	Total      decimal.Decimal
	Lines      []Line
	Tier       *catalog.Tier // nil when the base rates apply
	Price      *catalog.Price
	PerMillion decimal.Decimal // total ÷ all tokens × 1M; zero when there are no tokens
	// PeakShare is the share of tokens priced at the peak rates of a
	// time-of-day price; nil when the price has none.
	PeakShare *decimal.Decimal
}

// Validate checks a workload's shares.
func (w Workload) Validate() error {
	for _, s := range []struct {
		name string
		v    decimal.Decimal
	}{{"cached share", w.CachedShare}, {"cache-write share", w.CacheWriteShare}, {"batch share", w.BatchShare}, {"reasoning share", w.ReasoningShare}} {
		if s.v.IsNegative() || s.v.GreaterThan(one) {
			return fmt.Errorf("%s must be between 0 and 1 (got %s)", s.name, s.v)
		}
	}
	if w.PeakShare != nil && (w.PeakShare.IsNegative() || w.PeakShare.GreaterThan(one)) {
		return fmt.Errorf("peak share must be between 0 and 1 (got %s)", w.PeakShare)
	}
	if w.CachedShare.Add(w.CacheWriteShare).GreaterThan(one) {
		return fmt.Errorf("cached share %s plus cache-write share %s exceed 1", w.CachedShare, w.CacheWriteShare)
	}
	if w.InputTokens < 0 || w.OutputTokens < 0 || w.PromptTokens < 0 {
		return fmt.Errorf("token counts must not be negative")
	}
	if w.CacheWriteTTL != "" && w.CacheWriteTTL != "5m" && w.CacheWriteTTL != "1h" {
		return fmt.Errorf("cache-write TTL must be 5m or 1h (got %q)", w.CacheWriteTTL)
	}
	return nil
}

// TierFor returns the long-context tier a prompt of n tokens falls in, or
// nil for the base rates. The highest threshold the prompt exceeds wins.
func TierFor(p *catalog.Price, promptTokens int64) *catalog.Tier {
	n := decimal.NewFromInt(promptTokens)
	var hit *catalog.Tier
	for i := range p.Tiers {
		if n.GreaterThan(p.Tiers[i].AboveTokens.D) {
			hit = &p.Tiers[i]
		}
	}
	return hit
}

// Cloud prices a workload at price p of model m. Every token kind the
// workload uses must have a price: an unpriced kind is an error, never $0.
func Cloud(m *catalog.CloudModel, p *catalog.Price, w Workload) (CloudResult, error) {
	if err := w.Validate(); err != nil {
		return CloudResult{}, err
	}
	res := CloudResult{Price: p}
	rates := p.Rates
	if t := TierFor(p, w.PromptTokens); t != nil {
		res.Tier = t
		rates = t.Rates
	}
	in := decimal.NewFromInt(w.InputTokens)
	out := decimal.NewFromInt(w.OutputTokens)
	// Shares split whole tokens: each part is rounded and the remainder
	// goes to the last, so the parts add up to the workload exactly.
	cached := in.Mul(w.CachedShare).Round(0)
	written := in.Mul(w.CacheWriteShare).Round(0)
	uncached := in.Sub(cached).Sub(written)
	reasoning := out.Mul(w.ReasoningShare).Round(0)
	plainOut := out.Sub(reasoning)

	writeKind, writeRate := "cache_write_5m", rates.CacheWrite5m
	if w.CacheWriteTTL == "1h" {
		writeKind, writeRate = "cache_write_1h", rates.CacheWrite1h
	}
	reasoningRate := rates.Reasoning
	if !reasoningRate.Set {
		reasoningRate = rates.Output // providers bill reasoning as output unless they say otherwise
	}
	parts := []struct {
		kind   string
		tokens decimal.Decimal
		rate   catalog.Num
	}{
		{"input", uncached, rates.Input},
		{"cached_input", cached, rates.CachedInput},
		{writeKind, written, writeRate},
		{"output", plainOut, rates.Output},
		{"reasoning", reasoning, reasoningRate},
	}
	batch := w.BatchShare
	if batch.IsPositive() && !p.BatchMultiplier.Set {
		return res, &catalog.PriceError{Msg: fmt.Sprintf("%s has no batch price in the catalog; use --batch-share 0", m.ID.V)}
	}
	// A time-of-day price splits every slice again: the peak share of its
	// tokens at the rate, the rest at rate × multiplier.
	// The share is kept as a fraction (peak minutes over the week's) and
	// divided last: 35/168 has no finite decimal, and rounding it, or the
	// tokens it splits, would move exact cents (16M DeepSeek tokens cost
	// $5.075, not $5.0749998).
	peakNum, peakDen := one, one
	if o := p.OffPeak; o != nil {
		peakNum, peakDen = decimal.NewFromInt(o.PeakMinutesOfWeek()), decimal.NewFromInt(catalog.MinutesPerWeek)
		if w.PeakShare != nil {
			peakNum, peakDen = *w.PeakShare, one
		}
		share := peakNum.DivRound(peakDen, 16)
		res.PeakShare = &share
	}
	for _, part := range parts {
		if part.tokens.IsZero() {
			continue
		}
		if !part.rate.Set {
			return res, &catalog.PriceError{Msg: unpricedMsg(m, part.kind)}
		}
		batchTokens := part.tokens.Mul(batch).Round(0)
		for _, slice := range []struct {
			batch  bool
			tokens decimal.Decimal
		}{{false, part.tokens.Sub(batchTokens)}, {true, batchTokens}} {
			if slice.tokens.IsZero() {
				continue
			}
			rate := part.rate.D
			if slice.batch {
				rate = rate.Mul(p.BatchMultiplier.D)
			}
			if res.PeakShare == nil {
				c := slice.tokens.Mul(rate).Shift(-6) // ÷ 1M, exactly and without a division
				res.Lines = append(res.Lines, Line{Kind: part.kind, Batch: slice.batch, Tokens: slice.tokens, Rate: rate, Cost: c})
				res.Total = res.Total.Add(c)
				continue
			}
			// The lines show whole tokens (the peak share rounded, the
			// rest off-peak); each cost is its share of the slice's tokens
			// exactly, so a line's cost is within half a token of tokens
			// × rate and the total is exact.
			peakTokens := slice.tokens.Mul(peakNum).DivRound(peakDen, 0)
			for _, tod := range []struct {
				off    bool
				num    decimal.Decimal
				tokens decimal.Decimal
			}{{false, peakNum, peakTokens}, {true, peakDen.Sub(peakNum), slice.tokens.Sub(peakTokens)}} {
				if tod.num.IsZero() {
					continue
				}
				r := rate
				if tod.off {
					r = rate.Mul(p.OffPeak.Multiplier.D)
				}
				c := slice.tokens.Mul(tod.num).Mul(r).DivRound(peakDen, costPlaces).Shift(-6)
				res.Lines = append(res.Lines, Line{Kind: part.kind, Batch: slice.batch, OffPeak: tod.off, Tokens: tod.tokens, Rate: r, Cost: c})
				res.Total = res.Total.Add(c)
			}
		}
	}
	if all := in.Add(out); all.IsPositive() {
		res.PerMillion = res.Total.Shift(6).Div(all)
	}
	return res, nil
}

// costPlaces is the precision of a cost that needs a division (a
// time-of-day share of 35/168): far below any cent, and a result with a
// finite decimal (most are) comes out exact.
const costPlaces = 24

func unpricedMsg(m *catalog.CloudModel, kind string) string {
	switch kind {
	case "cached_input":
		return fmt.Sprintf("%s has no cached-input price in the catalog, so cached tokens cannot be priced; use --cached-share 0", m.ID.V)
	case "cache_write_5m", "cache_write_1h":
		return fmt.Sprintf("%s has no %s price in the catalog (OpenAI and Google bill cache writes as ordinary input: use --cache-write-share 0)", m.ID.V, kind)
	}
	return fmt.Sprintf("%s has no %s price in the catalog", m.ID.V, kind)
}
