package budget

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/llmcost/llmcost/pkg/units"
)

// Baseline is a previous `check --format json` report, read back for
// --compare-to.
type Baseline struct {
	Name            string
	TotalMonthlyUSD decimal.Decimal
	Files           map[string]decimal.Decimal // file -> total
	Workloads       map[string]decimal.Decimal // workload name -> monthly
}

type baselineJSON struct {
	SchemaVersion   *int             `json:"schema_version"`
	TotalMonthlyUSD *decimal.Decimal `json:"total_monthly_usd"`
	Files           []struct {
		File            string          `json:"file"`
		TotalMonthlyUSD decimal.Decimal `json:"total_monthly_usd"`
	} `json:"files"`
	Workloads []struct {
		Name       string          `json:"name"`
		MonthlyUSD decimal.Decimal `json:"monthly_usd"`
	} `json:"workloads"`
}

// ParseBaseline reads a report written by `llmcost check --format json`.
func ParseBaseline(name string, data []byte) (*Baseline, error) {
	var bj baselineJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&bj); err != nil {
		return nil, &Error{Kind: errKind, Issues: []Issue{{File: name, Msg: "not a `llmcost check --format json` report: " + err.Error()}}}
	}
	switch {
	case bj.SchemaVersion == nil || bj.TotalMonthlyUSD == nil:
		return nil, &Error{Kind: errKind, Issues: []Issue{{File: name, Msg: "not a `llmcost check --format json` report: schema_version or total_monthly_usd is missing"}}}
	case *bj.SchemaVersion != 1:
		return nil, &Error{Kind: errKind, Issues: []Issue{{File: name, Field: "schema_version", Msg: fmt.Sprintf("must be 1 (got %d)", *bj.SchemaVersion)}}}
	}
	// A check report never holds a negative or absurd figure: one here was
	// edited or is something else, and would make every delta nonsense.
	limit := decimal.New(1, 12) // the budgets' own money limit
	money := func(field string, d decimal.Decimal) error {
		if d.IsNegative() || d.GreaterThan(limit) {
			return &Error{Kind: errKind, Issues: []Issue{{File: name, Field: field, Msg: "must be from $0 to $1,000,000,000,000, as check writes it"}}}
		}
		return nil
	}
	if err := money("total_monthly_usd", *bj.TotalMonthlyUSD); err != nil {
		return nil, err
	}
	b := &Baseline{Name: name, TotalMonthlyUSD: *bj.TotalMonthlyUSD, Files: map[string]decimal.Decimal{}, Workloads: map[string]decimal.Decimal{}}
	for _, f := range bj.Files {
		if err := money("files["+f.File+"].total_monthly_usd", f.TotalMonthlyUSD); err != nil {
			return nil, err
		}
		b.Files[f.File] = f.TotalMonthlyUSD
	}
	for _, w := range bj.Workloads {
		if err := money("workloads["+w.Name+"].monthly_usd", w.MonthlyUSD); err != nil {
			return nil, err
		}
		b.Workloads[w.Name] = w.MonthlyUSD
	}
	return b, nil
}

// compareBaseline fills per-workload deltas and enforces each file's
// max_increase_* limits against that file's baseline total (the only
// total when one file is checked on each side).
func compareBaseline(rep *Report, cfgs []*Config, b *Baseline) error {
	if b == nil {
		for _, c := range cfgs {
			if c.Limits.MaxIncreaseUSD.Set || c.Limits.MaxIncreasePct.Set {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: max_increase_usd/max_increase_pct are checked only with --compare-to BASELINE.json", c.File))
			}
		}
		return nil
	}
	for i := range rep.Workloads {
		w := &rep.Workloads[i]
		if prev, ok := b.Workloads[w.Name]; ok {
			w.BaselineMonthlyUSD = dec(prev)
			w.DeltaUSD = dec(w.MonthlyUSD.Sub(prev))
		}
	}
	rep.Baseline = &BaselineDelta{File: b.Name, TotalMonthlyUSD: b.TotalMonthlyUSD, DeltaUSD: rep.TotalMonthlyUSD.Sub(b.TotalMonthlyUSD), DeltaPct: pct(rep.TotalMonthlyUSD, b.TotalMonthlyUSD)}
	for i, c := range cfgs {
		l := c.Limits
		if !l.MaxIncreaseUSD.Set && !l.MaxIncreasePct.Set {
			continue
		}
		base, ok := b.Files[c.File]
		if !ok {
			if len(cfgs) != 1 || len(b.Files) > 1 {
				return &Error{Kind: errKind, Issues: []Issue{{File: b.Name, Msg: fmt.Sprintf("has no total for %s, so its max_increase limits cannot be checked", c.File)}}}
			}
			base = b.TotalMonthlyUSD
		}
		cur := rep.Files[i].TotalMonthlyUSD
		delta := cur.Sub(base)
		if l.MaxIncreaseUSD.Set && delta.GreaterThan(l.MaxIncreaseUSD.D) {
			rep.Violations = append(rep.Violations, Finding{
				Kind: KindMaxIncreaseUSD, File: c.File, Line: l.MaxIncreaseUSD.Line,
				Message:   fmt.Sprintf("the total rises by %s/month (%s → %s), more than the %s allowed", units.FormatUSD(delta), units.FormatUSD(base), units.FormatUSD(cur), units.FormatUSD(l.MaxIncreaseUSD.D)),
				ActualUSD: dec(delta), LimitUSD: dec(l.MaxIncreaseUSD.D),
			})
		}
		if l.MaxIncreasePct.Set && delta.IsPositive() {
			p := pct(cur, base)
			if p == nil || p.GreaterThan(l.MaxIncreasePct.D) {
				rise := "from $0.00"
				if p != nil {
					rise = fmt.Sprintf("by %s%%", p.Round(1).StringFixed(1))
				}
				rep.Violations = append(rep.Violations, Finding{
					Kind: KindMaxIncreasePct, File: c.File, Line: l.MaxIncreasePct.Line,
					Message:   fmt.Sprintf("the total rises %s (%s → %s), more than the %s%% allowed", rise, units.FormatUSD(base), units.FormatUSD(cur), l.MaxIncreasePct.D),
					ActualUSD: dec(delta),
				})
			}
		}
	}
	return nil
}

// pct is (cur-base)/base in percent; nil when base is 0.
func pct(cur, base decimal.Decimal) *decimal.Decimal {
	if base.IsZero() {
		return nil
	}
	return dec(cur.Sub(base).Div(base).Mul(hundred))
}
