package ledger

// Comparer pairs shadow records with their primaries for
// `llmcost report --compare`.
//
// Usage:
//
//	c := ledger.NewComparer()
//	_, err := ledger.ReadFiles(paths, func(r ledger.Record) error { c.Add(&r); return nil })
//	for _, p := range c.Pairs() { ... p.Primary, p.Shadow, p.PrimaryTotals, p.ShadowTotals, p.Traffic ... }
//
// A shadow record (Shadow, ShadowOf) may come before or after its
// primary in the files; pairs are formed once everything is read.

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// PairTotals compares one (primary backend, shadow backend) pair over the
// requests that were answered by both.
type PairTotals struct {
	Primary, Shadow string
	Pairs           int64  // shadow records linked to a primary on this pair
	PrimaryTotals   Totals // the primary answers of those pairs
	ShadowTotals    Totals // the shadow answers

	// Cost on the same requests: pairs where both sides are priced.
	CostPairs               int64
	PrimaryCost, ShadowCost decimal.Decimal

	// Agreement over pairs where both answered ok with an answer digest.
	Compared, ExactMatches int64
	LengthRatioSum         float64 // sum of shadow chars / primary chars
	LengthCompared         int64   // pairs with a non-empty primary answer

	// Traffic is every primary (non-shadow) record of the primary backend,
	// sampled or not: the whole traffic the pair's costs are projected to.
	Traffic *Totals
}

// Comparer accumulates records; see the usage at the top of this file.
type Comparer struct {
	primaries map[string]Record
	shadows   []Record
	traffic   *Groups
	all       Totals
	// Orphans are shadow records whose primary is not in the files read.
	Orphans int64
}

// NewComparer returns an empty Comparer.
func NewComparer() *Comparer {
	return &Comparer{primaries: map[string]Record{}, traffic: NewGroups(ByBackend)}
}

// Add accounts one record; dry-run records are ignored.
func (c *Comparer) Add(r *Record) {
	if r.DryRun {
		return
	}
	c.all.Add(r)
	slim := *r
	slim.Prompt, slim.PII, slim.Escalated = nil, nil, nil // not needed; keeps memory down
	if r.Shadow {
		c.shadows = append(c.shadows, slim)
		return
	}
	c.traffic.Add(r)
	c.primaries[r.ID] = slim
}

// Period is the first and last timestamp of every record added.
func (c *Comparer) Period() (first, last time.Time) { return c.all.First, c.all.Last }

// Pairs returns the pairs sorted by primary then shadow backend, and sets
// Orphans.
func (c *Comparer) Pairs() []*PairTotals {
	byKey := map[[2]string]*PairTotals{}
	c.Orphans = 0
	for i := range c.shadows {
		s := &c.shadows[i]
		p, ok := c.primaries[s.ShadowOf]
		if !ok {
			c.Orphans++
			continue
		}
		k := [2]string{p.Backend, s.Backend}
		pt := byKey[k]
		if pt == nil {
			pt = &PairTotals{Primary: p.Backend, Shadow: s.Backend, Traffic: c.traffic.Get(p.Backend)}
			byKey[k] = pt
		}
		pt.add(&p, s)
	}
	out := make([]*PairTotals, 0, len(byKey))
	for _, pt := range byKey {
		out = append(out, pt)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Primary != out[j].Primary {
			return out[i].Primary < out[j].Primary
		}
		return out[i].Shadow < out[j].Shadow
	})
	return out
}

func (pt *PairTotals) add(p, s *Record) {
	pt.Pairs++
	pt.PrimaryTotals.Add(p)
	pt.ShadowTotals.Add(s)
	if p.CostUSD != nil && s.CostUSD != nil {
		pt.CostPairs++
		pt.PrimaryCost = pt.PrimaryCost.Add(p.CostUSD.Decimal)
		pt.ShadowCost = pt.ShadowCost.Add(s.CostUSD.Decimal)
	}
	if p.Status != StatusOK || s.Status != StatusOK || p.AnswerSHA256 == "" || s.AnswerSHA256 == "" {
		return
	}
	pt.Compared++
	if p.AnswerSHA256 == s.AnswerSHA256 {
		pt.ExactMatches++
	}
	if p.AnswerChars != nil && s.AnswerChars != nil && *p.AnswerChars > 0 {
		pt.LengthCompared++
		pt.LengthRatioSum += float64(*s.AnswerChars) / float64(*p.AnswerChars)
	}
}

// ExactMatchShare is ExactMatches over Compared; false when none compared.
func (pt *PairTotals) ExactMatchShare() (float64, bool) {
	if pt.Compared == 0 {
		return 0, false
	}
	return float64(pt.ExactMatches) / float64(pt.Compared), true
}

// MeanLengthRatio is the mean of shadow/primary answer length.
func (pt *PairTotals) MeanLengthRatio() (float64, bool) {
	if pt.LengthCompared == 0 {
		return 0, false
	}
	return pt.LengthRatioSum / float64(pt.LengthCompared), true
}

// CostPerRequest is the mean cost of each side over the priced pairs.
func (pt *PairTotals) CostPerRequest() (primary, shadow decimal.Decimal, ok bool) {
	if pt.CostPairs == 0 {
		return decimal.Zero, decimal.Zero, false
	}
	n := decimal.NewFromInt(pt.CostPairs)
	return pt.PrimaryCost.Div(n), pt.ShadowCost.Div(n), true
}
