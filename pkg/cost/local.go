package cost

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// Local-inference costs: owned hardware (amortization + energy + operations),
// rented GPUs ($/GPU-hour), and the capacity a month's tokens need. Speeds
// come in as float64 tokens/s (from pkg/hardware); every money figure is an
// exact decimal.

var (
	secondsPerHour = decimal.NewFromInt(3600)
	wattsPerKW     = decimal.NewFromInt(1000)
	// DefaultHoursPerMonth is 365 x 24 / 12 (DESIGN.md: 730 h/month).
	DefaultHoursPerMonth = decimal.NewFromInt(730)
	// LoadedIdleShareOfTDP is the idle draw assumed when the catalog has no
	// measured loaded-idle power: a server keeps the model resident and the
	// GPU in P0, at 20-30% of TDP on datacenter parts (local-economics §9.2, §10).
	LoadedIdleShareOfTDP = decimal.RequireFromString("0.25")
)

// Tokens is one month's traffic.
type Tokens struct {
	Input  int64 // prompt tokens (prefill)
	Output int64 // generated tokens (decode)
}

// Total is input + output.
func (t Tokens) Total() int64 { return t.Input + t.Output }

// SplitTokens divides a monthly total by the input share (e.g. 0.75),
// rounding input down so input + output == total.
func SplitTokens(total int64, inputShare decimal.Decimal) Tokens {
	in := decimal.NewFromInt(total).Mul(inputShare).Floor().IntPart()
	return Tokens{Input: in, Output: total - in}
}

// LocalPlan is one way to serve an open model: how many GPUs one copy of the
// model needs (VRAM) and how fast one copy is.
type LocalPlan struct {
	GPUsPerReplica int
	PrefillTPS     float64 // prompt tokens/s of one replica
	DecodeTPS      float64 // aggregate output tokens/s of one replica at the planned concurrency
	HoursPerMonth  decimal.Decimal
}

// Capacity is what a month's tokens need from a plan.
type Capacity struct {
	PrefillHours     decimal.Decimal // input tokens / prefill rate
	DecodeHours      decimal.Decimal // output tokens / aggregate decode rate
	BusyReplicaHours decimal.Decimal // prefill + decode
	Replicas         int             // copies of the model needed to do it within the month (at least 1)
	GPUs             int             // Replicas x GPUsPerReplica: max(VRAM need, throughput need)
	BusyGPUHours     decimal.Decimal // BusyReplicaHours x GPUsPerReplica
	Utilization      decimal.Decimal // busy / (replicas x hours), 0..1
}

func (p LocalPlan) validate() error {
	switch {
	case p.GPUsPerReplica < 1:
		return errors.New("local plan: GPUs per replica must be >= 1")
	case !(p.PrefillTPS > 0) || !(p.DecodeTPS > 0):
		return errors.New("local plan: prefill and decode rates must be > 0")
	case !p.HoursPerMonth.IsPositive():
		return errors.New("local plan: hours per month must be > 0")
	}
	return nil
}

// Capacity is the GPU time a month's tokens take. Prefill and decode of one
// replica are serialised (a conservative simplification: continuous batching
// overlaps them); replicas are added until the busy hours fit in the month.
func (p LocalPlan) Capacity(t Tokens) (Capacity, error) {
	if err := p.validate(); err != nil {
		return Capacity{}, err
	}
	if t.Input < 0 || t.Output < 0 {
		return Capacity{}, errors.New("tokens must be >= 0")
	}
	var c Capacity
	c.PrefillHours = decimal.NewFromInt(t.Input).Div(decimal.NewFromFloat(p.PrefillTPS)).Div(secondsPerHour)
	c.DecodeHours = decimal.NewFromInt(t.Output).Div(decimal.NewFromFloat(p.DecodeTPS)).Div(secondsPerHour)
	c.BusyReplicaHours = c.PrefillHours.Add(c.DecodeHours)
	c.Replicas = int(c.BusyReplicaHours.Div(p.HoursPerMonth).Ceil().IntPart())
	c.Replicas = max(c.Replicas, 1)
	c.GPUs = c.Replicas * p.GPUsPerReplica
	per := decimal.NewFromInt(int64(p.GPUsPerReplica))
	c.BusyGPUHours = c.BusyReplicaHours.Mul(per)
	c.Utilization = c.BusyReplicaHours.Div(p.HoursPerMonth.Mul(decimal.NewFromInt(int64(c.Replicas))))
	return c, nil
}

// Owned is the cost basis of hardware you buy.
type Owned struct {
	HardwarePriceUSD   decimal.Decimal // one replica: its GPUs (and host, if you include it)
	AmortizationMonths decimal.Decimal // e.g. 36
	ActiveWatts        decimal.Decimal // per GPU while busy
	IdleWatts          decimal.Decimal // per GPU while idle with the model loaded
	PUE                decimal.Decimal // facility overhead multiplier, >= 1
	KWhPriceUSD        decimal.Decimal
	OpsMonthlyUSD      decimal.Decimal // people, hosting, spares
}

// Rented is a $/GPU-hour offer.
type Rented struct {
	USDPerGPUHour decimal.Decimal
	OnDemand      bool            // billed only for busy hours (serverless); otherwise always on
	OpsMonthlyUSD decimal.Decimal // people and tooling: renting saves the hardware, not the operators
}

// LocalCost prices a plan at any monthly volume. Exactly one of Owned and
// Rented is set.
type LocalCost struct {
	Plan       LocalPlan
	InputShare decimal.Decimal // share of the monthly tokens that are prompt
	Owned      *Owned
	Rented     *Rented
}

// LocalMonthly is one month of a local option.
type LocalMonthly struct {
	Tokens       Tokens
	Capacity     Capacity
	UpfrontUSD   decimal.Decimal // hardware price x replicas (owned)
	Amortization decimal.Decimal // upfront / amortization months
	EnergyKWh    decimal.Decimal
	Energy       decimal.Decimal // kWh x $/kWh (PUE included in kWh)
	Ops          decimal.Decimal
	Rent         decimal.Decimal
	Running      decimal.Decimal // what the month costs beyond the purchase: energy + ops, or rent + ops
	Total        decimal.Decimal // amortization + running
}

func (l LocalCost) validate() error {
	if (l.Owned == nil) == (l.Rented == nil) {
		return errors.New("local cost: set exactly one of owned or rented")
	}
	if l.InputShare.IsNegative() || l.InputShare.GreaterThan(decimal.NewFromInt(1)) {
		return fmt.Errorf("input share %s must be between 0 and 1", l.InputShare)
	}
	if o := l.Owned; o != nil {
		switch {
		case o.HardwarePriceUSD.IsNegative():
			return errors.New("--hardware-price must be >= 0")
		case !o.AmortizationMonths.IsPositive():
			return errors.New("--months must be > 0")
		case o.ActiveWatts.IsNegative() || o.IdleWatts.IsNegative():
			return errors.New("power must be >= 0 W")
		case o.PUE.LessThan(decimal.NewFromInt(1)):
			return fmt.Errorf("--pue %s must be >= 1", o.PUE)
		case o.KWhPriceUSD.IsNegative():
			return errors.New("--kwh-price must be >= 0")
		case o.OpsMonthlyUSD.IsNegative():
			return errors.New("--ops-monthly must be >= 0")
		}
	}
	if r := l.Rented; r != nil && !r.USDPerGPUHour.IsPositive() {
		return errors.New("rental price must be > 0 $/GPU-hour")
	}
	if r := l.Rented; r != nil && r.OpsMonthlyUSD.IsNegative() {
		return errors.New("--ops-monthly must be >= 0")
	}
	return nil
}

// At is the month at a total token volume, split by InputShare.
func (l LocalCost) At(total int64) (LocalMonthly, error) {
	return l.For(SplitTokens(total, l.InputShare))
}

// For is the month for an explicit input/output split.
func (l LocalCost) For(t Tokens) (LocalMonthly, error) {
	if err := l.validate(); err != nil {
		return LocalMonthly{}, err
	}
	c, err := l.Plan.Capacity(t)
	if err != nil {
		return LocalMonthly{}, err
	}
	m := LocalMonthly{Tokens: t, Capacity: c}
	gpus := decimal.NewFromInt(int64(c.GPUs))
	allGPUHours := gpus.Mul(l.Plan.HoursPerMonth)
	if o := l.Owned; o != nil {
		m.UpfrontUSD = o.HardwarePriceUSD.Mul(decimal.NewFromInt(int64(c.Replicas)))
		m.Amortization = m.UpfrontUSD.Div(o.AmortizationMonths)
		idleGPUHours := allGPUHours.Sub(c.BusyGPUHours)
		wh := c.BusyGPUHours.Mul(o.ActiveWatts).Add(idleGPUHours.Mul(o.IdleWatts))
		m.EnergyKWh = wh.Div(wattsPerKW).Mul(o.PUE)
		m.Energy = m.EnergyKWh.Mul(o.KWhPriceUSD)
		m.Ops = o.OpsMonthlyUSD
		m.Running = m.Energy.Add(m.Ops)
	} else {
		hours := allGPUHours
		if l.Rented.OnDemand {
			hours = c.BusyGPUHours
		}
		m.Rent = l.Rented.USDPerGPUHour.Mul(hours)
		m.Ops = l.Rented.OpsMonthlyUSD
		m.Running = m.Rent.Add(m.Ops)
	}
	m.Total = m.Amortization.Add(m.Running)
	return m, nil
}

// MinMonthlyTotal is a lower bound of For(t).Total over every volume t:
// one replica's amortization (owned) or always-on rent (rented), plus ops.
// Energy and extra replicas only add to it. It lets a search over many
// machines skip pricing one that cannot beat the best found so far.
func (l LocalCost) MinMonthlyTotal() decimal.Decimal {
	if o := l.Owned; o != nil {
		if !o.AmortizationMonths.IsPositive() {
			return o.OpsMonthlyUSD
		}
		// The same division For makes, of the smallest numerator: rounding
		// to DivisionPrecision is monotone, so this stays a bound.
		return o.HardwarePriceUSD.Div(o.AmortizationMonths).Add(o.OpsMonthlyUSD)
	}
	r := l.Rented
	if r == nil {
		return decimal.Zero
	}
	if r.OnDemand {
		return r.OpsMonthlyUSD
	}
	per := decimal.NewFromInt(int64(l.Plan.GPUsPerReplica))
	return r.USDPerGPUHour.Mul(per.Mul(l.Plan.HoursPerMonth)).Add(r.OpsMonthlyUSD)
}

// BreakevenMonths is how long the purchase takes to pay for itself:
// upfront / (cloud monthly - local running monthly). nil means never (the
// local option costs as much or more to run than the cloud bill).
func BreakevenMonths(upfrontUSD, cloudMonthly, localRunningMonthly decimal.Decimal) *decimal.Decimal {
	saving := cloudMonthly.Sub(localRunningMonthly)
	if !saving.IsPositive() {
		return nil
	}
	months := upfrontUSD.Div(saving)
	return &months
}
