package cost

import (
	"fmt"
	"slices"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
)

// Building local costs from catalog entries and a placement from
// pkg/hardware, for every command (estimate, breakeven, check, decide).

// LocalBasis is the cost basis shared by every owned machine.
type LocalBasis struct {
	AmortizationMonths decimal.Decimal
	KWhPriceUSD        decimal.Decimal
	PUE                decimal.Decimal
	OpsMonthlyUSD      decimal.Decimal
	HoursPerMonth      decimal.Decimal
}

// BasisFromCatalog takes the catalog defaults, with DESIGN.md's values
// (36 months, $0.18/kWh, PUE 1, 730 h) where the catalog is silent.
func BasisFromCatalog(d catalog.Defaults) LocalBasis {
	or := func(n catalog.Num, fallback string) decimal.Decimal {
		if n.Set {
			return n.D
		}
		return decimal.RequireFromString(fallback)
	}
	return LocalBasis{
		AmortizationMonths: or(d.AmortizationMonths, "36"),
		KWhPriceUSD:        or(d.KWhPriceUSD, "0.18"),
		PUE:                or(d.PUE, "1"),
		OpsMonthlyUSD:      decimal.Zero,
		HoursPerMonth:      or(d.HoursPerMonth, "730"),
	}
}

// MissingError is a catalog value a local cost needs but does not have (a
// datacenter GPU's purchase price, an Apple machine's power). It is never
// read as zero; Supply names what the caller can pass instead.
type MissingError struct {
	GPU    string
	What   string // "purchase price", "power figure", "rental offer"
	Supply string // "hardware_price", "watts"
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s has no %s in the catalog", e.GPU, e.What)
}

// BadInput marks it as the user's to fix (exit 2).
func (e *MissingError) BadInput() bool { return true }

// Plan is the cost model's view of one replica of a placement.
func Plan(r hardware.Result, hours decimal.Decimal) LocalPlan {
	return LocalPlan{GPUsPerReplica: r.GPUs, PrefillTPS: r.Prefill.Value, DecodeTPS: r.Aggregate.Value, HoursPerMonth: hours}
}

// OwnedOverrides replace catalog values for one machine; nil keeps the catalog's.
type OwnedOverrides struct {
	HardwarePriceUSD *decimal.Decimal // the whole machine (all its GPUs)
	ActiveWatts      *decimal.Decimal // per GPU while busy; idle stays the measured one (at most this), else 25% of it
}

// OwnedFor prices a placement on bought hardware. The price defaults to the
// catalog price x GPUs, power to the TDP, idle to the measured loaded idle
// (at most the active power) or LoadedIdleShareOfTDP of the active power. notes list the unverified
// catalog values used.
func OwnedFor(r hardware.Result, g *catalog.GPU, b LocalBasis, ov OwnedOverrides, inputShare decimal.Decimal) (lc LocalCost, notes []string, err error) {
	unverified := func(field string) bool { return g.Unverified || slices.Contains(g.UnverifiedFields, field) }
	var price decimal.Decimal
	switch {
	case ov.HardwarePriceUSD != nil:
		price = *ov.HardwarePriceUSD
	case !g.PriceUSD.Set:
		return LocalCost{}, nil, &MissingError{GPU: g.ID.V, What: "purchase price", Supply: "hardware_price"}
	default:
		price = g.PriceUSD.D.Mul(decimal.NewFromInt(int64(r.GPUs)))
		if unverified("price_usd") {
			notes = append(notes, fmt.Sprintf("%s price %s is not verified (%s)", g.ID.V, units.FormatUSD(g.PriceUSD.D), g.PriceSource))
		}
	}
	var active decimal.Decimal
	switch {
	case ov.ActiveWatts != nil:
		active = *ov.ActiveWatts
	case !g.TDPW.Set:
		return LocalCost{}, nil, &MissingError{GPU: g.ID.V, What: "power figure", Supply: "watts"}
	default:
		active = g.TDPW.D
		if unverified("tdp_w") {
			notes = append(notes, fmt.Sprintf("%s power %s W is not verified", g.ID.V, g.TDPW.D))
		}
	}
	// A measured loaded idle stays with a --watts override (a power limit
	// or a measured busy draw does not change what the GPU draws waiting),
	// capped at the busy power, which idle cannot exceed.
	idle := active.Mul(LoadedIdleShareOfTDP)
	if g.IdleW.Set {
		idle = decimal.Min(g.IdleW.D, active)
	}
	return LocalCost{
		Plan:       Plan(r, b.HoursPerMonth),
		InputShare: inputShare,
		Owned: &Owned{
			HardwarePriceUSD: price, AmortizationMonths: b.AmortizationMonths,
			ActiveWatts: active, IdleWatts: idle, PUE: b.PUE, KWhPriceUSD: b.KWhPriceUSD, OpsMonthlyUSD: b.OpsMonthlyUSD,
		},
	}, notes, nil
}

// RentedFor prices a placement at the GPU's cheapest rental, preferring
// verified offers.
func RentedFor(r hardware.Result, g *catalog.GPU, hours, inputShare decimal.Decimal) (LocalCost, *catalog.Rental, error) {
	best := CheapestRental(g)
	if best == nil {
		return LocalCost{}, nil, &MissingError{GPU: g.ID.V, What: "rental offer"}
	}
	return LocalCost{
		Plan:       Plan(r, hours),
		InputShare: inputShare,
		Rented:     &Rented{USDPerGPUHour: best.USDPerHour.D, OnDemand: best.OnDemand},
	}, best, nil
}

// CheapestRental is the cheapest verified offer, or the cheapest of all
// when none is verified; nil when the GPU has none.
func CheapestRental(g *catalog.GPU) *catalog.Rental {
	var best *catalog.Rental
	for i := range g.Rentals {
		r := &g.Rentals[i]
		switch {
		case best == nil,
			best.Unverified && !r.Unverified,
			best.Unverified == r.Unverified && r.USDPerHour.D.LessThan(best.USDPerHour.D):
			best = r
		}
	}
	return best
}
