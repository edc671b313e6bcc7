package ledger

import (
	"testing"

	"github.com/shopspring/decimal"
)

func answer(id, backend, status, cost, text string) *Record {
	r := rec(id, status)
	r.Backend = backend
	if cost != "" {
		r.CostUSD = NewUSD(decimal.RequireFromString(cost))
	}
	if text != "" {
		r.SetAnswer(text)
	}
	return r
}

func shadowOf(r *Record, primary string) *Record { r.Shadow, r.ShadowOf = true, primary; return r }

func TestComparerPairsInAnyOrder(t *testing.T) {
	c := NewComparer()
	for _, r := range []*Record{
		shadowOf(answer("s1", "local", StatusOK, "0.001", "Paris"), "p1"), // before its primary
		answer("p1", "cloud", StatusOK, "0.01", "Paris"),
		answer("p2", "cloud", StatusOK, "0.02", "four words answer here"),
		shadowOf(answer("s2", "local", StatusOK, "", "two words"), "p2"), // cost unknown
		answer("p3", "cloud", StatusOK, "0.03", ""),                      // not shadowed
		shadowOf(answer("s4", "local", StatusOK, "0.001", "x"), "gone"),  // orphan
		answer("p5", "cloud", StatusError, "0", ""),
		shadowOf(answer("s5", "local", StatusOK, "0.002", "y"), "p5"),
	} {
		c.Add(r)
	}
	pairs := c.Pairs()
	if len(pairs) != 1 || c.Orphans != 1 {
		t.Fatalf("pairs %d orphans %d", len(pairs), c.Orphans)
	}
	p := pairs[0]
	if p.Primary != "cloud" || p.Shadow != "local" || p.Pairs != 3 || p.PrimaryTotals.Errors != 1 || p.ShadowTotals.OK != 3 {
		t.Fatalf("pair %+v", p)
	}
	// Priced on both sides: p1/s1 and p5/s5.
	pc, sc, ok := p.CostPerRequest()
	if !ok || p.CostPairs != 2 || !pc.Equal(decimal.RequireFromString("0.005")) || !sc.Equal(decimal.RequireFromString("0.0015")) {
		t.Fatalf("cost per request %s %s (%d pairs)", pc, sc, p.CostPairs)
	}
	// Agreement only where both answered ok: p1 (equal) and p2 (different).
	if share, ok := p.ExactMatchShare(); !ok || p.Compared != 2 || share != 0.5 {
		t.Fatalf("exact %v over %d", share, p.Compared)
	}
	want := (1.0 + 9.0/22.0) / 2
	if r, ok := p.MeanLengthRatio(); !ok || r != want {
		t.Fatalf("length ratio %v, want %v", r, want)
	}
	if p.Traffic.Requests != 4 || !p.Traffic.CostUSD.Equal(decimal.RequireFromString("0.06")) {
		t.Fatalf("whole traffic %d requests $%s", p.Traffic.Requests, p.Traffic.CostUSD)
	}
}

func TestComparerWithoutShadows(t *testing.T) {
	c := NewComparer()
	c.Add(answer("p1", "cloud", StatusOK, "0.01", "a"))
	if len(c.Pairs()) != 0 || c.Orphans != 0 {
		t.Fatal("no shadow records, no pairs")
	}
	var pt PairTotals
	if _, ok := pt.ExactMatchShare(); ok {
		t.Fatal("nothing compared must not be 0% or 100%")
	}
	if _, _, ok := pt.CostPerRequest(); ok {
		t.Fatal("nothing priced must not be $0")
	}
}
