package cost

import (
	"errors"
	"testing"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/shopspring/decimal"
)

func num(s string) catalog.Num { return catalog.N(d(s)) }

func placement(gpus int) hardware.Result {
	return hardware.Result{GPUs: gpus, Prefill: hardware.Figure{Value: 1000}, Aggregate: hardware.Figure{Value: 100}}
}

func TestOwnedForFromCatalog(t *testing.T) {
	g := &catalog.GPU{ID: catalog.Ident{V: "card"}, PriceUSD: num("1599"), TDPW: num("450"), UnverifiedFields: []string{"price_usd"}}
	b := BasisFromCatalog(catalog.Defaults{KWhPriceUSD: num("0.20")})
	eq(t, "default months", b.AmortizationMonths, "36")
	eq(t, "catalog kWh", b.KWhPriceUSD, "0.20")
	eq(t, "default hours", b.HoursPerMonth, "730")

	lc, notes, err := OwnedFor(placement(2), g, b, OwnedOverrides{}, d("0.75"))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "price = catalog x GPUs", lc.Owned.HardwarePriceUSD, "3198")
	eq(t, "active = TDP", lc.Owned.ActiveWatts, "450")
	eq(t, "idle = 25% of TDP", lc.Owned.IdleWatts, "112.5")
	if len(notes) != 1 {
		t.Errorf("the unverified price must be noted: %v", notes)
	}
	if lc.Plan.GPUsPerReplica != 2 || lc.Plan.DecodeTPS != 100 || lc.Plan.PrefillTPS != 1000 {
		t.Errorf("plan %+v", lc.Plan)
	}

	// Measured loaded idle wins over the 25% rule; overrides win over the catalog.
	g.IdleW = num("140")
	price, watts := d("2500"), d("300")
	lc, _, _ = OwnedFor(placement(1), g, b, OwnedOverrides{HardwarePriceUSD: &price}, d("0.75"))
	eq(t, "overridden price", lc.Owned.HardwarePriceUSD, "2500")
	eq(t, "measured idle", lc.Owned.IdleWatts, "140")
	lc, _, _ = OwnedFor(placement(1), g, b, OwnedOverrides{ActiveWatts: &watts}, d("0.75"))
	eq(t, "overridden power", lc.Owned.ActiveWatts, "300")
	eq(t, "measured idle stays with a given busy power", lc.Owned.IdleWatts, "140")
	low := d("100")
	lc, _, _ = OwnedFor(placement(1), g, b, OwnedOverrides{ActiveWatts: &low}, d("0.75"))
	eq(t, "idle at most the busy power", lc.Owned.IdleWatts, "100")
	g.IdleW = catalog.Num{}
	lc, _, _ = OwnedFor(placement(1), g, b, OwnedOverrides{ActiveWatts: &watts}, d("0.75"))
	eq(t, "no measured idle: 25% of the given power", lc.Owned.IdleWatts, "75")
}

func TestOwnedForMissingIsNeverZero(t *testing.T) {
	b := BasisFromCatalog(catalog.Defaults{})
	for _, tc := range []struct {
		g      *catalog.GPU
		supply string
	}{
		{&catalog.GPU{ID: catalog.Ident{V: "h100"}, TDPW: num("700")}, "hardware_price"},
		{&catalog.GPU{ID: catalog.Ident{V: "mac"}, PriceUSD: num("3999")}, "watts"},
	} {
		_, _, err := OwnedFor(placement(1), tc.g, b, OwnedOverrides{}, d("0.75"))
		var me *MissingError
		if !errors.As(err, &me) || me.Supply != tc.supply || !me.BadInput() {
			t.Errorf("%s: err %v, want a MissingError for %s", tc.g.ID.V, err, tc.supply)
		}
	}
}

func TestRentedForPicksCheapestVerified(t *testing.T) {
	g := &catalog.GPU{ID: catalog.Ident{V: "card"}, Rentals: []catalog.Rental{
		{Provider: "snippet", USDPerHour: num("0.10"), Unverified: true},
		{Provider: "b", USDPerHour: num("0.74")},
		{Provider: "a", USDPerHour: num("0.34")},
	}}
	lc, r, err := RentedFor(placement(1), g, DefaultHoursPerMonth, d("0.75"))
	if err != nil || r.Provider != "a" {
		t.Fatalf("rental %+v err %v, want the cheapest verified offer", r, err)
	}
	m, _ := lc.At(1_000_000)
	eq(t, "always on", m.Rent, "248.2")
	if _, _, err := RentedFor(placement(1), &catalog.GPU{ID: catalog.Ident{V: "x"}}, DefaultHoursPerMonth, decimal.Zero); err == nil {
		t.Error("no offer must be an error")
	}
	only := &catalog.GPU{Rentals: []catalog.Rental{{Provider: "snippet", USDPerHour: num("0.10"), Unverified: true}}}
	if CheapestRental(only).Provider != "snippet" {
		t.Error("with only unverified offers the cheapest is used")
	}
}
