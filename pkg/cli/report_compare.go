package cli

// `llmcost report --compare`: per (primary backend, shadow backend) pair
// of a proxy ledger (route --listen with a policy `shadow:` section), the
// two sides on the same requests, and the whole traffic's month on each.

import (
	"fmt"
	"strconv"
	"time"

	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
)

// CompareResult is the JSON of `report --compare`.
type CompareResult struct {
	SchemaVersion int           `json:"schema_version"`
	Period        ReportPeriod  `json:"period"`
	Pairs         []ComparePair `json:"pairs"`
	Orphans       int64         `json:"orphan_shadow_records"` // shadow records whose primary is not in the ledger
	Warnings      []string      `json:"warnings"`
	Notes         []string      `json:"notes"`
}

// ComparePair is one (primary, shadow) backend pair.
type ComparePair struct {
	Primary         CompareSide `json:"primary"`
	Shadow          CompareSide `json:"shadow"`
	Requests        int64       `json:"requests"`         // requests answered by both
	TrafficRequests int64       `json:"traffic_requests"` // every request the primary backend answered
	PricedPairs     int64       `json:"priced_pairs"`     // pairs where both costs are known
	Compared        int64       `json:"agreement_compared"`
	ExactMatch      *float64    `json:"exact_match_share"` // null when no pair could be compared
	LengthRatio     *float64    `json:"mean_length_ratio"` // shadow answer length / primary's
}

// CompareSide is one side of a pair.
type CompareSide struct {
	Backend           string           `json:"backend"`
	Requests          int64            `json:"requests"`
	Errors            int64            `json:"errors"`
	CostPerRequestUSD *decimal.Decimal `json:"cost_per_request_usd"` // over the priced pairs; null when none
	LatencyMs         Percentiles      `json:"latency_ms"`
	TTFTMs            Percentiles      `json:"ttft_ms"`
	InputTokens       int64            `json:"input_tokens"`
	OutputTokens      int64            `json:"output_tokens"`
	MonthlyUSD        *decimal.Decimal `json:"whole_traffic_monthly_usd"` // the whole traffic on this side, per 730-hour month
}

func compareRun(o *ReportOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	c := ledger.NewComparer()
	warns, err := ledger.ReadFiles(o.Ledgers, func(r ledger.Record) error { c.Add(&r); return nil })
	if err != nil {
		return asInput(err)
	}
	res := &CompareResult{SchemaVersion: 1, Pairs: []ComparePair{}, Warnings: []string{}, Notes: []string{}}
	for _, w := range warns {
		res.Warnings = append(res.Warnings, w.String())
		fmt.Fprintf(f.IOStreams.ErrOut, "warning: %s\n", w)
	}
	first, last := c.Period()
	hours := 0.0
	if !first.IsZero() {
		res.Period = ReportPeriod{First: first.UTC().Format(time.RFC3339), Last: last.UTC().Format(time.RFC3339)}
		hours = last.Sub(first).Hours()
		res.Period.Hours = hours
	}
	pairs := c.Pairs()
	res.Orphans = c.Orphans
	for _, pt := range pairs {
		res.Pairs = append(res.Pairs, comparePair(pt, hours))
	}
	switch {
	case len(pairs) == 0:
		res.Notes = append(res.Notes, "no shadow records: add a `shadow:` section to the policy of route --listen")
	case hours == 0:
		res.Notes = append(res.Notes, "the ledger covers no measurable period (one instant): no monthly projection")
	case hours < 24:
		res.Notes = append(res.Notes, fmt.Sprintf("the monthly projection extrapolates %.1f hours of traffic to 730", hours))
	}
	if c.Orphans > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d shadow records name a primary not in these ledgers; left out", c.Orphans))
	}
	for _, p := range res.Pairs {
		if p.PricedPairs < p.Requests {
			res.Notes = append(res.Notes, fmt.Sprintf("%s vs %s: %d of %d pairs have an unknown cost on one side; cost per request is over the %d priced ones", p.Primary.Backend, p.Shadow.Backend, p.Requests-p.PricedPairs, p.Requests, p.PricedPairs))
		}
	}
	return output.Write(f.IOStreams, format, res)
}

func comparePair(pt *ledger.PairTotals, hours float64) ComparePair {
	side := func(name string, t *ledger.Totals) CompareSide {
		return CompareSide{Backend: name, Requests: t.Requests, Errors: t.Errors,
			LatencyMs: percentiles(t.Latency), TTFTMs: percentiles(t.TTFT),
			InputTokens: t.InputTokens, OutputTokens: t.OutputTokens}
	}
	p := ComparePair{Primary: side(pt.Primary, &pt.PrimaryTotals), Shadow: side(pt.Shadow, &pt.ShadowTotals),
		Requests: pt.Pairs, PricedPairs: pt.CostPairs, Compared: pt.Compared}
	if v, ok := pt.ExactMatchShare(); ok {
		p.ExactMatch = &v
	}
	if v, ok := pt.MeanLengthRatio(); ok {
		p.LengthRatio = &v
	}
	pc, sc, priced := pt.CostPerRequest()
	if priced {
		p.Primary.CostPerRequestUSD, p.Shadow.CostPerRequestUSD = &pc, &sc
	}
	if pt.Traffic == nil {
		return p
	}
	p.TrafficRequests = pt.Traffic.Requests
	if hours <= 0 {
		return p
	}
	perMonth := decimal.NewFromInt(units.HoursPerMonth).Div(decimal.NewFromFloat(hours))
	// The primary side is what the whole traffic measurably cost; the
	// shadow side prices the same request count at the shadow's measured
	// cost per request on the sampled pairs.
	if pt.Traffic.CostMissing == 0 {
		m := pt.Traffic.CostUSD.Mul(perMonth)
		p.Primary.MonthlyUSD = &m
	}
	if priced {
		m := sc.Mul(decimal.NewFromInt(pt.Traffic.Requests)).Mul(perMonth)
		p.Shadow.MonthlyUSD = &m
	}
	return p
}

// Tables renders two rows per pair: the primary side, then the shadow.
func (r *CompareResult) Tables() []output.TableData {
	t := output.TableData{
		Title:   fmt.Sprintf("Primary vs shadow on the same requests, %s to %s", r.Period.First, r.Period.Last),
		Headers: []string{"Pair", "Side", "Backend", "Requests", "Errors", "Cost/request", "p50 ms", "p95 ms", "TTFT p50", "Input", "Output", "Whole traffic/month", "Exact match", "Length ratio"},
		Align: []output.Align{output.Left, output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Right,
			output.Right, output.Right, output.Right, output.Right, output.Right, output.Right},
	}
	usd := func(d *decimal.Decimal) string {
		if d == nil {
			return "-"
		}
		return units.FormatUSD(*d)
	}
	rawUSD := func(d *decimal.Decimal) string {
		if d == nil {
			return ""
		}
		return d.String()
	}
	ms := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.0f", *p)
	}
	rawF := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	pct := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.0f%%", *p*100)
	}
	ratio := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.2f×", *p)
	}
	for i, p := range r.Pairs {
		pair := fmt.Sprintf("%d: %s → %s", i+1, p.Primary.Backend, p.Shadow.Backend)
		for j, s := range []CompareSide{p.Primary, p.Shadow} {
			name, exact, length := "primary", pct(p.ExactMatch), ratio(p.LengthRatio)
			rawExact, rawLength := rawF(p.ExactMatch), rawF(p.LengthRatio)
			if j == 1 {
				name, exact, length, rawExact, rawLength = "shadow", "", "", "", ""
			}
			t.Rows = append(t.Rows, []string{pair, name, s.Backend, budget.FormatCount(s.Requests), strconv.FormatInt(s.Errors, 10),
				usd(s.CostPerRequestUSD), ms(s.LatencyMs.P50), ms(s.LatencyMs.P95), ms(s.TTFTMs.P50),
				units.FormatTokens(s.InputTokens), units.FormatTokens(s.OutputTokens), usd(s.MonthlyUSD), exact, length})
			t.Raw = append(t.Raw, []string{strconv.Itoa(i + 1), name, s.Backend, strconv.FormatInt(s.Requests, 10), strconv.FormatInt(s.Errors, 10),
				rawUSD(s.CostPerRequestUSD), rawF(s.LatencyMs.P50), rawF(s.LatencyMs.P95), rawF(s.TTFTMs.P50),
				strconv.FormatInt(s.InputTokens, 10), strconv.FormatInt(s.OutputTokens, 10), rawUSD(s.MonthlyUSD), rawExact, rawLength})
		}
	}
	for _, p := range r.Pairs {
		if p.Primary.MonthlyUSD != nil && p.Shadow.MonthlyUSD != nil {
			t.Notes = append(t.Notes, fmt.Sprintf("%s's %s requests would have cost %s/month on %s instead of %s (measured on %d shadowed requests)",
				p.Primary.Backend, budget.FormatCount(p.TrafficRequests), units.FormatUSD(*p.Shadow.MonthlyUSD), p.Shadow.Backend, units.FormatUSD(*p.Primary.MonthlyUSD), p.Requests))
		}
	}
	t.Notes = append(append(t.Notes, r.Notes...), r.Warnings...)
	return []output.TableData{t}
}
