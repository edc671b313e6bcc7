package budget

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/shopspring/decimal"
)

// Diff statuses of a workload.
const (
	DiffAdded     = "added"
	DiffRemoved   = "removed"
	DiffChanged   = "changed"
	DiffUnchanged = "unchanged"
)

// Reason kinds of a diff, in the order they are attributed.
const (
	ReasonPrice    = "price_changed"
	ReasonModel    = "model_changed"
	ReasonHosting  = "hosting_changed"
	ReasonRequests = "requests_changed"
	ReasonPrompt   = "prompt_tokens_changed"
	ReasonOutput   = "output_tokens_changed"
	ReasonShares   = "shares_changed"
	ReasonAdded    = "added"
	ReasonRemoved  = "removed"
)

// DiffReport is the monthly cost difference between two budget configs.
type DiffReport struct {
	SchemaVersion int              `json:"schema_version"`
	Base          DiffSide         `json:"base"`
	Head          DiffSide         `json:"head"`
	DeltaUSD      decimal.Decimal  `json:"delta_usd"`
	DeltaPct      *decimal.Decimal `json:"delta_pct"` // null when the base total is 0
	Workloads     []WorkloadDiff   `json:"workloads"`
}

// DiffSide is one of the two configs.
type DiffSide struct {
	File            string          `json:"file"`
	AsOf            string          `json:"as_of"`
	TotalMonthlyUSD decimal.Decimal `json:"total_monthly_usd"`
}

// WorkloadDiff is one workload's change, with the reasons that add up
// to its delta.
type WorkloadDiff struct {
	Name           string           `json:"name"`
	Status         string           `json:"status"`
	File           string           `json:"file"`
	Line           int              `json:"line"`
	BaseModel      string           `json:"base_model,omitempty"`
	HeadModel      string           `json:"head_model,omitempty"`
	BaseMonthlyUSD *decimal.Decimal `json:"base_monthly_usd"`
	HeadMonthlyUSD *decimal.Decimal `json:"head_monthly_usd"`
	DeltaUSD       decimal.Decimal  `json:"delta_usd"`
	Reasons        []Reason         `json:"reasons"`
}

// Reason is one cause of a delta and the part of the delta it explains.
type Reason struct {
	Kind     string          `json:"kind"`
	Message  string          `json:"message"`
	DeltaUSD decimal.Decimal `json:"delta_usd"`
}

// Diff prices both configs and explains each workload's delta by changing
// one thing at a time from base to head (prices, then model, hosting,
// requests, prompt tokens, output tokens, shares): each reason's delta is the cost
// change of that step, so the reasons add up to the workload's delta and
// the workloads add up to the total.
func Diff(cat *catalog.Catalog, base, head *Config, today time.Time) (*DiffReport, error) {
	today = today.UTC().Truncate(24 * time.Hour)
	br, err := Check(cat, []*Config{base}, Options{Today: today})
	if err != nil {
		return nil, err
	}
	hr, err := Check(cat, []*Config{head}, Options{Today: today})
	if err != nil {
		return nil, err
	}
	bp, err := newPricer(cat, base, today)
	if err != nil {
		return nil, err
	}
	hp, err := newPricer(cat, head, today)
	if err != nil {
		return nil, err
	}
	d := &DiffReport{
		SchemaVersion: 1,
		Base:          DiffSide{File: base.File, AsOf: br.AsOf, TotalMonthlyUSD: br.TotalMonthlyUSD},
		Head:          DiffSide{File: head.File, AsOf: hr.AsOf, TotalMonthlyUSD: hr.TotalMonthlyUSD},
		DeltaUSD:      hr.TotalMonthlyUSD.Sub(br.TotalMonthlyUSD),
		DeltaPct:      pct(hr.TotalMonthlyUSD, br.TotalMonthlyUSD),
		Workloads:     []WorkloadDiff{},
	}
	baseRes := map[string]WorkloadResult{}
	for _, w := range br.Workloads {
		baseRes[w.Name] = w
	}
	baseW := map[string]*Workload{}
	for i := range base.Workloads {
		baseW[base.Workloads[i].Name.V] = &base.Workloads[i]
	}
	inHead := map[string]bool{}
	for i, hres := range hr.Workloads {
		hw := &head.Workloads[i]
		inHead[hw.Name.V] = true
		wd := WorkloadDiff{Name: hw.Name.V, File: head.File, Line: hw.Line, HeadModel: hres.Model, HeadMonthlyUSD: dec(hres.MonthlyUSD), Reasons: []Reason{}}
		bw, ok := baseW[hw.Name.V]
		if !ok {
			wd.Status, wd.DeltaUSD = DiffAdded, hres.MonthlyUSD
			wd.Reasons = append(wd.Reasons, Reason{Kind: ReasonAdded, Message: fmt.Sprintf("new workload on %s", hres.Model), DeltaUSD: hres.MonthlyUSD})
			d.Workloads = append(d.Workloads, wd)
			continue
		}
		bres := baseRes[hw.Name.V]
		wd.BaseModel, wd.BaseMonthlyUSD = bres.Model, dec(bres.MonthlyUSD)
		wd.DeltaUSD = hres.MonthlyUSD.Sub(bres.MonthlyUSD)
		if rs := attribute(bp, hp, bw, hw, bres.MonthlyUSD, hres.MonthlyUSD); rs != nil {
			wd.Reasons = rs // else [] (never JSON null)
		}
		wd.Status = DiffUnchanged
		if len(wd.Reasons) > 0 || !wd.DeltaUSD.IsZero() {
			wd.Status = DiffChanged
		}
		d.Workloads = append(d.Workloads, wd)
	}
	for i, bres := range br.Workloads {
		if inHead[bres.Name] {
			continue
		}
		d.Workloads = append(d.Workloads, WorkloadDiff{
			Name: bres.Name, Status: DiffRemoved, File: base.File, Line: base.Workloads[i].Line, BaseModel: bres.Model,
			BaseMonthlyUSD: dec(bres.MonthlyUSD), DeltaUSD: bres.MonthlyUSD.Neg(),
			Reasons: []Reason{{Kind: ReasonRemoved, Message: "workload removed", DeltaUSD: bres.MonthlyUSD.Neg()}},
		})
	}
	// Largest changes first: that is what a reviewer wants to see.
	sort.SliceStable(d.Workloads, func(a, b int) bool {
		return d.Workloads[a].DeltaUSD.Abs().GreaterThan(d.Workloads[b].DeltaUSD.Abs())
	})
	return d, nil
}

// hostingText describes how a local option is run ("" for cloud models).
func hostingText(w *Workload) string {
	if !isLocal(w) && w.Hosting.V == "" && !w.Concurrency.Set {
		return ""
	}
	h := w.Hosting.V
	if h == "" {
		h = "owned"
	}
	c := int64(1)
	if w.Concurrency.Set {
		c = w.Concurrency.N
	}
	return fmt.Sprintf("%s, concurrency %d", h, c)
}

// attribute walks from the base workload to the head workload one
// change at a time. A step that cannot be priced on its own (e.g. a new
// prompt length that does not fit the old model) is merged into the
// next one, so the reasons always add up to the delta.
func attribute(bp, hp *pricer, bw, hw *Workload, baseCost, headCost decimal.Decimal) []Reason {
	cur := *bw
	type step struct {
		kind    string
		msg     string
		changed bool
		apply   func()
	}
	pr := bp
	asOfMsg := "price assumptions changed (discounts or rate overrides)"
	if b, h := bp.asOf.Format(time.DateOnly), hp.asOf.Format(time.DateOnly); b != h {
		asOfMsg = fmt.Sprintf("prices as of %s instead of %s", h, b)
	}
	shareText := func(w *Workload) string {
		parts := []string{}
		for _, s := range []struct {
			k string
			v Share
		}{{"cached_share", w.CachedShare}, {"cache_write_share", w.CacheWriteShare}, {"batch_share", w.BatchShare}, {"reasoning_share", w.ReasoningShare}} {
			if s.v.D.IsPositive() {
				parts = append(parts, s.k+" "+s.v.D.String())
			}
		}
		if w.CacheWriteTTL.V != "" {
			parts = append(parts, "cache_write_ttl "+w.CacheWriteTTL.V)
		}
		if w.PeakShare.Set { // 0 (all off-peak) is not the default (spread evenly)
			parts = append(parts, "peak_share "+w.PeakShare.D.String())
		}
		if len(parts) == 0 {
			return "none"
		}
		return strings.Join(parts, ", ")
	}
	steps := []step{
		{ReasonPrice, asOfMsg, true, func() { pr = hp }},
		{ReasonModel, fmt.Sprintf("model %s → %s", bw.Model.V, hw.Model.V), bw.Model.V != hw.Model.V, func() { cur.Model = hw.Model }},
		{ReasonHosting, fmt.Sprintf("hosting %s → %s", hostingText(bw), hostingText(hw)), hostingText(bw) != hostingText(hw), func() { cur.Hosting, cur.Concurrency = hw.Hosting, hw.Concurrency }},
		{ReasonRequests, fmt.Sprintf("requests %s → %s a month", FormatCount(bw.RequestsPerMonth.N), FormatCount(hw.RequestsPerMonth.N)), bw.RequestsPerMonth.N != hw.RequestsPerMonth.N, func() { cur.RequestsPerMonth = hw.RequestsPerMonth }},
		{ReasonPrompt, fmt.Sprintf("prompt tokens per request %s → %s", bw.PromptTokens, hw.PromptTokens), !bw.PromptTokens.Equal(hw.PromptTokens), func() { cur.PromptTokens = hw.PromptTokens }},
		{ReasonOutput, fmt.Sprintf("output tokens per request %s → %s", bw.OutputTokens, hw.OutputTokens), !bw.OutputTokens.Equal(hw.OutputTokens), func() { cur.OutputTokens = hw.OutputTokens }},
		{ReasonShares, fmt.Sprintf("shares %s → %s", shareText(bw), shareText(hw)), shareText(bw) != shareText(hw), func() {
			cur.CachedShare, cur.CacheWriteShare, cur.CacheWriteTTL, cur.BatchShare, cur.ReasoningShare = hw.CachedShare, hw.CacheWriteShare, hw.CacheWriteTTL, hw.BatchShare, hw.ReasoningShare
			cur.PeakShare = hw.PeakShare
		}},
	}
	last := len(steps) - 1
	for last > 0 && !steps[last].changed {
		last--
	}
	var out []Reason
	prev := baseCost
	var pendingKinds, pendingMsgs []string
	for i, s := range steps {
		if !s.changed {
			continue
		}
		s.apply()
		var c decimal.Decimal
		if i == last {
			c = headCost // the walk ends at the head workload, priced already
		} else {
			wr, err := pr.price(&cur)
			if err != nil {
				pendingKinds, pendingMsgs = append(pendingKinds, s.kind), append(pendingMsgs, s.msg)
				continue
			}
			c = wr.MonthlyUSD
		}
		delta := c.Sub(prev)
		prev = c
		if s.kind == ReasonPrice && delta.IsZero() && len(pendingKinds) == 0 {
			continue // same prices: not a reason
		}
		kinds, msgs := append(pendingKinds, s.kind), append(pendingMsgs, s.msg)
		pendingKinds, pendingMsgs = nil, nil
		out = append(out, Reason{Kind: strings.Join(kinds, "+"), Message: strings.Join(msgs, "; "), DeltaUSD: delta})
	}
	return out
}
