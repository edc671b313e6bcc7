package cost

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func eq(t *testing.T, name string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(d(want)) {
		t.Errorf("%s = %s, want %s", name, got, want)
	}
}

// A plan whose month is easy to compute by hand: 3.6M prompt tokens at
// 1,000 tok/s = 1 h of prefill; 360K output tokens at 100 tok/s = 1 h of decode.
func handPlan() LocalPlan {
	return LocalPlan{GPUsPerReplica: 1, PrefillTPS: 1000, DecodeTPS: 100, HoursPerMonth: DefaultHoursPerMonth}
}

func TestCapacityHandComputed(t *testing.T) {
	c, err := handPlan().Capacity(Tokens{Input: 3_600_000, Output: 360_000})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "prefill hours", c.PrefillHours, "1")
	eq(t, "decode hours", c.DecodeHours, "1")
	eq(t, "busy", c.BusyReplicaHours, "2")
	if c.Replicas != 1 || c.GPUs != 1 {
		t.Errorf("replicas %d gpus %d, want 1 1", c.Replicas, c.GPUs)
	}
	if got := c.Utilization.Mul(d("730")); !got.Sub(d("2")).Abs().LessThan(d("1e-12")) {
		t.Errorf("utilization %s, want 2/730", c.Utilization)
	}

	// 1,000 busy hours on a 2-GPU replica: two replicas, four GPUs.
	p := handPlan()
	p.GPUsPerReplica = 2
	c, err = p.Capacity(Tokens{Output: 100 * 3600 * 1000})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "busy", c.BusyReplicaHours, "1000")
	eq(t, "busy GPU-hours", c.BusyGPUHours, "2000")
	if c.Replicas != 2 || c.GPUs != 4 {
		t.Errorf("replicas %d gpus %d, want 2 and 4 (VRAM need x throughput need)", c.Replicas, c.GPUs)
	}
	// Zero traffic still needs the machine.
	c, _ = p.Capacity(Tokens{})
	if c.Replicas != 1 || c.GPUs != 2 || !c.Utilization.IsZero() {
		t.Errorf("idle month: %+v", c)
	}
}

func TestOwnedMonthlyHandComputed(t *testing.T) {
	l := LocalCost{
		Plan:       handPlan(),
		InputShare: d("0.75"),
		Owned: &Owned{
			HardwarePriceUSD: d("1800"), AmortizationMonths: d("36"),
			ActiveWatts: d("450"), IdleWatts: d("100"), PUE: d("1"),
			KWhPriceUSD: d("0.20"), OpsMonthlyUSD: d("10"),
		},
	}
	m, err := l.For(Tokens{Input: 3_600_000, Output: 360_000})
	if err != nil {
		t.Fatal(err)
	}
	// 2 busy h x 450 W + 728 idle h x 100 W = 73,700 Wh = 73.7 kWh x $0.20.
	eq(t, "upfront", m.UpfrontUSD, "1800")
	eq(t, "amortization", m.Amortization, "50")
	eq(t, "kWh", m.EnergyKWh, "73.7")
	eq(t, "energy", m.Energy, "14.74")
	eq(t, "ops", m.Ops, "10")
	eq(t, "running", m.Running, "24.74")
	eq(t, "total", m.Total, "74.74")

	// PUE multiplies the energy.
	l.Owned.PUE = d("1.5")
	m, _ = l.For(Tokens{Input: 3_600_000, Output: 360_000})
	eq(t, "energy at PUE 1.5", m.Energy, "22.11")
}

func TestRentedMonthly(t *testing.T) {
	tok := Tokens{Input: 3_600_000, Output: 360_000}
	always := LocalCost{Plan: handPlan(), Rented: &Rented{USDPerGPUHour: d("0.34")}}
	m, err := always.For(tok)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "always-on rent", m.Rent, "248.2") // 0.34 x 730
	eq(t, "total", m.Total, "248.2")
	if !m.UpfrontUSD.IsZero() {
		t.Errorf("renting has no upfront: %s", m.UpfrontUSD)
	}
	onDemand := LocalCost{Plan: handPlan(), Rented: &Rented{USDPerGPUHour: d("0.34"), OnDemand: true}}
	m, _ = onDemand.For(tok)
	eq(t, "on-demand rent", m.Rent, "0.68") // 0.34 x 2 busy hours
}

func TestLocalCostRejectsBadInput(t *testing.T) {
	owned := func(edit func(*Owned)) LocalCost {
		o := &Owned{AmortizationMonths: d("36"), PUE: d("1")}
		edit(o)
		return LocalCost{Plan: handPlan(), Owned: o}
	}
	cases := []struct {
		name string
		l    LocalCost
		want string
	}{
		{"neither", LocalCost{Plan: handPlan()}, "exactly one"},
		{"both", LocalCost{Plan: handPlan(), Owned: &Owned{}, Rented: &Rented{}}, "exactly one"},
		{"months", owned(func(o *Owned) { o.AmortizationMonths = d("0") }), "--months"},
		{"pue", owned(func(o *Owned) { o.PUE = d("0.9") }), "--pue"},
		{"price", owned(func(o *Owned) { o.HardwarePriceUSD = d("-1") }), "--hardware-price"},
		{"kwh", owned(func(o *Owned) { o.KWhPriceUSD = d("-0.1") }), "--kwh-price"},
		{"ops", owned(func(o *Owned) { o.OpsMonthlyUSD = d("-5") }), "--ops-monthly"},
		{"rent", LocalCost{Plan: handPlan(), Rented: &Rented{}}, "rental price"},
		{"no speed", LocalCost{Plan: LocalPlan{GPUsPerReplica: 1, HoursPerMonth: DefaultHoursPerMonth}, Rented: &Rented{USDPerGPUHour: d("1")}}, "rates"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.l.At(1000)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestBreakevenMonths(t *testing.T) {
	cases := []struct {
		upfront, cloud, running string
		want                    string // "" = never
	}{
		{"3200", "500", "100", "8"},         // 3200 / (500 - 100)
		{"1599", "250", "36.80", "7.5"},     // 1599 / 213.2
		{"30000", "2000", "1000", "30"},     // 30000 / 1000
		{"0", "100", "50", "0"},             // renting: nothing to repay
		{"3200", "100", "100", ""},          // equal: never
		{"3200", "100", "150", ""},          // running dearer than cloud: never
		{"3200", "0", "0.01", ""},           // no cloud spend: never
		{"1000", "100.03", "100.02", "1e5"}, // tiny saving: long but finite
	}
	for _, tc := range cases {
		got := BreakevenMonths(d(tc.upfront), d(tc.cloud), d(tc.running))
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("%s/(%s-%s) = %s, want never", tc.upfront, tc.cloud, tc.running, got)
		case tc.want != "" && (got == nil || !got.Equal(d(tc.want))):
			t.Errorf("%s/(%s-%s) = %v, want %s", tc.upfront, tc.cloud, tc.running, got, tc.want)
		}
	}
}

// linearCloud is $perMillion per 1M tokens.
func linearCloud(perMillion string) CloudMonthly {
	rate := d(perMillion).Div(d("1000000"))
	return func(t int64) (decimal.Decimal, error) { return rate.Mul(decimal.NewFromInt(t)), nil }
}

// A rented 1-GPU replica at $0.34/h always on costs $248.20 a month up to its
// capacity of 1,000 tok/s x 730 h = 2.628B output tokens.
func rentedFlat() LocalCost {
	return LocalCost{
		Plan:       LocalPlan{GPUsPerReplica: 1, PrefillTPS: 1000, DecodeTPS: 1000, HoursPerMonth: DefaultHoursPerMonth},
		InputShare: d("0"),
		Rented:     &Rented{USDPerGPUHour: d("0.34")},
	}
}

func TestCrossoverIsWhereCostsMeet(t *testing.T) {
	l := rentedFlat()
	cloud := linearCloud("1") // $1 per 1M tokens
	got, err := l.Crossover(cloud, 100_000, 10_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || *got != 248_200_000 {
		t.Fatalf("crossover = %v, want 248,200,000 ($248.20 at $1/M)", got)
	}
	at, _ := l.At(*got)
	c, _ := cloud(*got)
	if !at.Total.Equal(c) {
		t.Errorf("at the crossover local %s != cloud %s", at.Total, c)
	}
	before, _ := l.At(*got - 1)
	cb, _ := cloud(*got - 1)
	if !before.Total.GreaterThan(cb) {
		t.Errorf("one token earlier local %s should still be dearer than cloud %s", before.Total, cb)
	}

	// Never within range: the cloud is too cheap.
	got, err = l.Crossover(linearCloud("0.01"), 100_000, 10_000_000_000)
	if err != nil || got != nil {
		t.Errorf("crossover vs $0.01/M = %v (err %v), want never", got, err)
	}
	// Already cheaper at the bottom of the range.
	got, _ = l.Crossover(linearCloud("10000"), 100_000, 10_000_000_000)
	if got == nil || *got != 100_000 {
		t.Errorf("crossover vs $10,000/M = %v, want the range start", got)
	}
}

// At $0.10/M, k rented GPUs ($248.20 k) win from 2.482B x k tokens and lose
// again when the volume needs GPU k+1 (2.628B x k + 1 tokens: e.g. $496.40 vs
// $262.80 at the first step).
func TestCrossingsIncludeGPUSteps(t *testing.T) {
	l := rentedFlat()
	got, err := l.Crossings(linearCloud("0.1"), 100_000, 10_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	want := []Crossing{
		{Tokens: 2_482_000_000, LocalCheaper: true},
		{Tokens: 2_628_000_001, LocalCheaper: false},
		{Tokens: 4_964_000_000, LocalCheaper: true},
		{Tokens: 5_256_000_001, LocalCheaper: false},
		{Tokens: 7_446_000_000, LocalCheaper: true},
		{Tokens: 7_884_000_001, LocalCheaper: false},
		{Tokens: 9_928_000_000, LocalCheaper: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("crossings = %+v\nwant %+v", got, want)
	}
	first, _ := l.Crossover(linearCloud("0.1"), 100_000, 10_000_000_000)
	if first == nil || *first != 2_482_000_000 {
		t.Errorf("crossover = %v, want the first crossing", first)
	}
}

// With owned hardware energy grows with busy hours, so local is affine, not
// flat; the crossover is still the first volume where local <= cloud.
func TestCrossoverOwnedWithEnergy(t *testing.T) {
	l := LocalCost{
		Plan:       LocalPlan{GPUsPerReplica: 1, PrefillTPS: 5000, DecodeTPS: 400, HoursPerMonth: DefaultHoursPerMonth},
		InputShare: d("0.75"),
		Owned: &Owned{
			HardwarePriceUSD: d("1599"), AmortizationMonths: d("36"),
			ActiveWatts: d("450"), IdleWatts: d("112.5"), PUE: d("1"), KWhPriceUSD: d("0.18"),
		},
	}
	cloud := linearCloud("0.6")
	got, err := l.Crossover(cloud, 100_000, 10_000_000_000)
	if err != nil || got == nil {
		t.Fatalf("crossover = %v, err %v", got, err)
	}
	for _, tc := range []struct {
		t            int64
		localCheaper bool
	}{{*got, true}, {*got - 1, false}} {
		lm, _ := l.At(tc.t)
		cm, _ := cloud(tc.t)
		if lm.Total.LessThanOrEqual(cm) != tc.localCheaper {
			t.Errorf("at %d: local %s cloud %s, want localCheaper=%v", tc.t, lm.Total, cm, tc.localCheaper)
		}
	}
}

func TestSweep(t *testing.T) {
	v := DefaultSweepVolumes()
	if len(v) != 16 || v[0] != 100_000 || v[len(v)-1] != 10_000_000_000 {
		t.Fatalf("volumes %v", v)
	}
	for i := 1; i < len(v); i++ {
		if v[i] <= v[i-1] {
			t.Fatalf("volumes not increasing: %v", v)
		}
	}
	rows, err := rentedFlat().Sweep(linearCloud("1"), v)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(v) {
		t.Fatalf("%d rows", len(rows))
	}
	eq(t, "local at 100K", rows[0].Local.Total, "248.2")
	eq(t, "cloud at 100K", rows[0].Cloud, "0.1")
	eq(t, "local at 10B (4 GPUs)", rows[len(rows)-1].Local.Total, "992.8")
	eq(t, "cloud at 10B", rows[len(rows)-1].Cloud, "10000")
}

func TestSplitTokens(t *testing.T) {
	for _, tc := range []struct {
		total   int64
		share   string
		in, out int64
	}{{1000, "0.75", 750, 250}, {10, "0.33", 3, 7}, {7, "1", 7, 0}, {0, "0.75", 0, 0}} {
		got := SplitTokens(tc.total, d(tc.share))
		if got.Input != tc.in || got.Output != tc.out || got.Total() != tc.total {
			t.Errorf("SplitTokens(%d, %s) = %+v", tc.total, tc.share, got)
		}
	}
}

// MinMonthlyTotal never exceeds the month at any volume, and is reached
// where it can be: an always-on rental at any volume one replica serves.
func TestMinMonthlyTotalIsALowerBound(t *testing.T) {
	owned := LocalCost{Plan: handPlan(), InputShare: d("0.75"), Owned: &Owned{
		HardwarePriceUSD: d("1800"), AmortizationMonths: d("36"), ActiveWatts: d("450"), IdleWatts: d("0"),
		PUE: d("1"), KWhPriceUSD: d("0.20"), OpsMonthlyUSD: d("10"),
	}}
	eq(t, "owned bound", owned.MinMonthlyTotal(), "60") // 1800/36 + 10
	plan2 := handPlan()
	plan2.GPUsPerReplica = 2
	always := LocalCost{Plan: plan2, InputShare: d("0.75"), Rented: &Rented{USDPerGPUHour: d("0.34"), OpsMonthlyUSD: d("5")}}
	eq(t, "always-on bound", always.MinMonthlyTotal(), "501.4") // 0.34 x 2 x 730 + 5
	onDemand := LocalCost{Plan: handPlan(), InputShare: d("0.75"), Rented: &Rented{USDPerGPUHour: d("0.34"), OnDemand: true, OpsMonthlyUSD: d("5")}}
	eq(t, "on-demand bound", onDemand.MinMonthlyTotal(), "5")

	for _, lc := range []LocalCost{owned, always, onDemand} {
		for _, total := range []int64{0, 1, 999, 3_960_000, 1_000_000_000, 900_000_000_000} {
			m, err := lc.At(total)
			if err != nil {
				t.Fatal(err)
			}
			if lc.MinMonthlyTotal().GreaterThan(m.Total) {
				t.Errorf("at %d tokens: bound %s above the month %s", total, lc.MinMonthlyTotal(), m.Total)
			}
		}
	}
	m, _ := always.At(3_960_000)
	eq(t, "always-on month at one replica", m.Total, "501.4")
}
