package cost

import (
	"errors"

	"github.com/shopspring/decimal"
)

// CloudMonthly prices a monthly token volume on a cloud option. Cloud cost is
// linear in tokens for a fixed workload shape, which is what makes the
// crossover search exact within each GPU-count step.
type CloudMonthly func(tokens int64) (decimal.Decimal, error)

// Crossing is a volume where the cheaper side changes.
type Crossing struct {
	Tokens       int64 // first monthly volume of the new state
	LocalCheaper bool  // from Tokens on, local total <= cloud
}

// SweepRow compares both options at one volume.
type SweepRow struct {
	Tokens int64
	Local  LocalMonthly
	Cloud  decimal.Decimal
}

// DefaultSweepVolumes are 1-2-5 steps from 100K to 10B tokens a month.
func DefaultSweepVolumes() []int64 {
	var v []int64
	for decade := int64(100_000); decade <= 1_000_000_000; decade *= 10 {
		v = append(v, decade, 2*decade, 5*decade)
	}
	return append(v, 10_000_000_000)
}

// Sweep prices both options at each volume.
func (l LocalCost) Sweep(cloud CloudMonthly, volumes []int64) ([]SweepRow, error) {
	rows := make([]SweepRow, 0, len(volumes))
	for _, t := range volumes {
		lm, err := l.At(t)
		if err != nil {
			return nil, err
		}
		cm, err := cloud(t)
		if err != nil {
			return nil, err
		}
		rows = append(rows, SweepRow{Tokens: t, Local: lm, Cloud: cm})
	}
	return rows, nil
}

// Crossover is the least monthly volume in [lo, hi] from which local (total
// cost of ownership, or rent) is no dearer than the cloud: where the two
// monthly costs meet. nil when local never gets there within the range. A
// later GPU-count step can make local dearer again; Crossings lists every
// change.
func (l LocalCost) Crossover(cloud CloudMonthly, lo, hi int64) (*int64, error) {
	cs, err := l.Crossings(cloud, lo, hi)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.LocalCheaper {
			t := c.Tokens
			return &t, nil
		}
	}
	return nil, nil
}

// Crossings lists every volume in [lo, hi] where the cheaper option changes,
// including changes caused by a step in the number of GPUs. The first entry
// is at lo when local is already cheaper there.
//
// Between two GPU-count steps local cost is affine in tokens (fixed hardware
// or rent, plus energy per busy hour) and cloud cost is linear, so the
// difference is monotone and a bisection on whole tokens finds the exact
// volume. The steps themselves are found by bisection on the replica count.
func (l LocalCost) Crossings(cloud CloudMonthly, lo, hi int64) ([]Crossing, error) {
	if lo < 0 || hi < lo {
		return nil, errors.New("crossover range: need 0 <= lo <= hi")
	}
	localCheaper := func(t int64) (bool, int, error) {
		lm, err := l.At(t)
		if err != nil {
			return false, 0, err
		}
		cm, err := cloud(t)
		if err != nil {
			return false, 0, err
		}
		return lm.Total.LessThanOrEqual(cm), lm.Capacity.Replicas, nil
	}

	var out []Crossing
	state, replicas, err := localCheaper(lo)
	if err != nil {
		return nil, err
	}
	if state {
		out = append(out, Crossing{Tokens: lo, LocalCheaper: true})
	}
	segStart := lo
	for segStart <= hi {
		// The segment ends at the last volume served by the same replica count.
		segEnd, err := lastWithReplicas(l, segStart, hi, replicas)
		if err != nil {
			return nil, err
		}
		endState, _, err := localCheaper(segEnd)
		if err != nil {
			return nil, err
		}
		if endState != state {
			// Smallest t in (segStart, segEnd] with the new state.
			a, b := segStart, segEnd
			for b-a > 1 {
				mid := a + (b-a)/2
				s, _, err := localCheaper(mid)
				if err != nil {
					return nil, err
				}
				if s == state {
					a = mid
				} else {
					b = mid
				}
			}
			out = append(out, Crossing{Tokens: b, LocalCheaper: endState})
			state = endState
		}
		if segEnd == hi {
			break
		}
		segStart = segEnd + 1
		var next bool
		next, replicas, err = localCheaper(segStart)
		if err != nil {
			return nil, err
		}
		if next != state {
			out = append(out, Crossing{Tokens: segStart, LocalCheaper: next})
			state = next
		}
	}
	return out, nil
}

// lastWithReplicas is the largest t in [from, hi] that still needs at most
// replicas copies of the model (replica count grows with tokens).
func lastWithReplicas(l LocalCost, from, hi int64, replicas int) (int64, error) {
	at := func(t int64) (int, error) {
		lm, err := l.At(t)
		return lm.Capacity.Replicas, err
	}
	r, err := at(hi)
	if err != nil {
		return 0, err
	}
	if r <= replicas {
		return hi, nil
	}
	a, b := from, hi // at(a) <= replicas < at(b)
	for b-a > 1 {
		mid := a + (b-a)/2
		r, err := at(mid)
		if err != nil {
			return 0, err
		}
		if r <= replicas {
			a = mid
		} else {
			b = mid
		}
	}
	return a, nil
}
