package cli

import (
	"fmt"
	"testing"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/shopspring/decimal"
)

// localFixture is the embedded catalog and its local-inference env.
func localFixture(t *testing.T) (*catalog.Catalog, *hardware.Env) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	cat, err := NewFactory(ios, func(string) string { return "" }).Catalog()
	if err != nil {
		t.Fatal(err)
	}
	env, err := newLocalEnv(cat)
	if err != nil {
		t.Fatal(err)
	}
	return cat, env
}

// cheapest skips pricing machines whose lower bound cannot beat the best
// so far. It must pick exactly what pricing every candidate would: the
// lowest cost, and on a tie the first GPU in catalog order.
func TestCheapestPruningIsExact(t *testing.T) {
	cat, env := localFixture(t)
	e := &estimateLocalFlags{Owned: ownedFlags{Concurrency: 1, OpsMonthly: "0"}}
	basis, err := e.Owned.basis(cat)
	if err != nil {
		t.Fatal(err)
	}
	models := append([]string{"phi-3.5-mini", "llama-3.1-70b", "mixtral-8x7b"}, cat.Defaults.LocalComparisonSet...)
	compared := 0
	for _, total := range []int64{1_000, 10_000_000, 1_000_000_000, 50_000_000_000} {
		tokens := cost.SplitTokens(total, decimal.RequireFromString("0.75"))
		req := hardware.Request{ContextTokens: requestContext(8192, 1000, hardware.DefaultOutputTokens), Concurrency: 1, PromptTokens: 1000}
		for _, id := range models {
			for _, rented := range []bool{false, true} {
				got, gotRun, ok := e.cheapest(env, cat, id, rented, basis, req, tokens, decimal.RequireFromString("0.75"))

				// Brute force: price every candidate, keep the first minimum.
				var want EstimateOption
				var wantRun decimal.Decimal
				found := false
				for _, gid := range cat.GPUIDs() {
					_, cg, err := env.GPU(gid)
					if err != nil || rented && (cost.CheapestRental(cg) == nil || cost.CheapestRental(cg).Unverified) || !rented && (!cg.PriceUSD.Set || !cg.TDPW.Set) {
						continue
					}
					hw, err := place(env, hardware.Spec{Model: id, GPU: gid}, req)
					if err != nil || !hw.Fits || hw.GPUsNeeded < 1 || hw.GPUsNeeded > autoLocalMaxGPUs {
						continue
					}
					pc, err := e.costOf(hw, cg, rented, basis, decimal.RequireFromString("0.75"))
					if err != nil {
						continue
					}
					opt, run, err := pc.option(tokens)
					if err != nil {
						continue
					}
					// The bound holds for every candidate priced.
					if pc.lc.MinMonthlyTotal().GreaterThan(opt.MonthlyCostUSD) {
						t.Errorf("%s: bound %s above the cost %s", opt.ID, pc.lc.MinMonthlyTotal(), opt.MonthlyCostUSD)
					}
					if !found || opt.MonthlyCostUSD.LessThan(want.MonthlyCostUSD) {
						want, wantRun, found = opt, run, true
					}
				}
				if ok != found || ok && (got.ID != want.ID || !got.MonthlyCostUSD.Equal(want.MonthlyCostUSD) || !gotRun.Equal(wantRun)) {
					t.Errorf("%s rented=%v at %d tokens: cheapest %q $%s, every candidate priced: %q $%s", id, rented, total, got.ID, got.MonthlyCostUSD, want.ID, want.MonthlyCostUSD)
				}
				compared++
			}
		}
	}
	if compared < 40 {
		t.Fatalf("only %d comparisons", compared)
	}
}

// With --gpu, cheapest considers that GPU alone, on the count given (or
// sized by the model), and only if it is priced: a price and a power
// figure owned, a verified offer rented. The same as placing and pricing it
// directly, for every GPU of the catalog, priced or not.
func TestCheapestWithGPUFlag(t *testing.T) {
	cat, env := localFixture(t)
	share := decimal.RequireFromString("0.75")
	tokens := cost.SplitTokens(10_000_000, share)
	req := hardware.Request{ContextTokens: requestContext(8192, 1000, hardware.DefaultOutputTokens), Concurrency: 1, PromptTokens: 1000}
	found, missing := 0, 0
	for _, gid := range cat.GPUIDs() {
		for _, count := range []int{0, 2} {
			value := gid
			if count > 0 {
				value = fmt.Sprintf("%sx%d", gid, count)
			}
			e := &estimateLocalFlags{Owned: ownedFlags{Concurrency: 1, OpsMonthly: "0"}, GPU: gpuFlag{Value: value}}
			if err := e.GPU.parse(); err != nil {
				t.Fatal(err)
			}
			basis, err := e.Owned.basis(cat)
			if err != nil {
				t.Fatal(err)
			}
			_, cg, err := env.GPU(gid)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range cat.Defaults.LocalComparisonSet {
				for _, rented := range []bool{false, true} {
					got, _, ok := e.cheapest(env, cat, id, rented, basis, req, tokens, share)

					var want EstimateOption
					wantOK := false
					priced := cg.PriceUSD.Set && cg.TDPW.Set
					if rented && cost.CheapestRental(cg) != nil && !cost.CheapestRental(cg).Unverified || !rented && priced {
						hw, err := place(env, hardware.Spec{Model: id, GPU: gid, GPUs: count}, req)
						if err == nil && hw.Fits && hw.GPUsNeeded >= 1 && (count > 0 || hw.GPUsNeeded <= autoLocalMaxGPUs) {
							if pc, err := e.costOf(hw, cg, rented, basis, share); err == nil {
								if opt, _, err := pc.option(tokens); err == nil {
									want, wantOK = opt, true
								}
							}
						}
					}
					if ok != wantOK || ok && (got.ID != want.ID || !got.MonthlyCostUSD.Equal(want.MonthlyCostUSD)) {
						t.Errorf("--gpu %s, %s rented=%v: cheapest %v %q $%s, placed directly %v %q $%s", value, id, rented, ok, got.ID, got.MonthlyCostUSD, wantOK, want.ID, want.MonthlyCostUSD)
					}
					if ok {
						found++
					} else {
						missing++
					}
				}
			}
		}
	}
	if found == 0 || missing == 0 {
		t.Fatalf("found %d, not found %d: want both kinds", found, missing)
	}
}
