package ledger

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// Totals accumulates records. Token sums count only reported values; the
// Missing* counters say how many records did not report one, so a reader
// never mistakes "unknown" for 0. Money is exact decimal.
type Totals struct {
	Requests     int64 // final records (ok + errors + client_closed); interrupted ones are counted apart
	OK           int64
	Errors       int64
	ClientClosed int64 // proxy clients that hung up mid-answer (tokens so far counted and priced)
	Interrupted  int64
	Escalated    int64 // answers of this group replaced by a fallback (their cost is included)

	InputTokens, OutputTokens, CachedTokens, ReasoningTokens         int64
	MissingInput, MissingOutput, MissingCached, MissingReasoning     int64
	ReportedInput, ReportedOutput, ReportedCached, ReportedReasoning int64 // records that gave the count

	CostUSD          decimal.Decimal
	CostMissing      int64 // records that cost something unknown (cost_usd null)
	Priced           int64 // records and legs with a known cost
	EstimatedCostUSD decimal.Decimal
	EstimateMissing  int64
	BusyMs           float64

	Latency Samples // ms, records and legs that have one
	TTFT    Samples // ms, streamed requests only

	decodeTokens int64
	decodeMs     float64

	First, Last time.Time
}

// Add accounts one record (not its escalated leg; Groups does that).
func (t *Totals) Add(r *Record) {
	switch {
	case r.IsInterrupted():
		t.Interrupted++
	case r.Status == StatusOK:
		t.Requests++
		t.OK++
	case r.Status == StatusClientClosed:
		t.Requests++
		t.ClientClosed++
	default:
		t.Requests++
		t.Errors++
	}
	t.tokens(r.InputTokens, r.OutputTokens, r.CachedTokens, r.ReasoningTokens, r.Status == StatusOK)
	t.timing(r.Status == StatusOK, r.TTFTMs, r.LatencyMs, r.OutputTokens)
	t.cost(r.CostUSD, r.Status == StatusOK || r.Status == StatusClientClosed || r.Attempts > 0)
	if r.EstimatedCostUSD != nil {
		t.EstimatedCostUSD = t.EstimatedCostUSD.Add(r.EstimatedCostUSD.Decimal)
	} else if r.Status == StatusOK {
		t.EstimateMissing++
	}
	if r.BusyMs != nil {
		t.BusyMs += *r.BusyMs
	}
	if !r.TS.IsZero() {
		if t.First.IsZero() || r.TS.Before(t.First) {
			t.First = r.TS
		}
		if r.TS.After(t.Last) {
			t.Last = r.TS
		}
	}
}

// AddLeg accounts the first answer of an escalated prompt.
func (t *Totals) AddLeg(l *Leg) {
	t.Escalated++
	t.tokens(l.InputTokens, l.OutputTokens, l.CachedTokens, l.ReasoningTokens, true)
	t.timing(true, l.TTFTMs, l.LatencyMs, l.OutputTokens)
	t.cost(l.CostUSD, true)
	if l.BusyMs != nil {
		t.BusyMs += *l.BusyMs
	}
}

func (t *Totals) tokens(in, out, cached, reasoning *int64, expect bool) {
	add := func(sum, missing, reported *int64, v *int64) {
		if v != nil {
			*sum += *v
			*reported++
		} else if expect {
			*missing++
		}
	}
	add(&t.InputTokens, &t.MissingInput, &t.ReportedInput, in)
	add(&t.OutputTokens, &t.MissingOutput, &t.ReportedOutput, out)
	add(&t.CachedTokens, &t.MissingCached, &t.ReportedCached, cached)
	add(&t.ReasoningTokens, &t.MissingReasoning, &t.ReportedReasoning, reasoning)
}

func (t *Totals) timing(ok bool, ttft, latency *float64, out *int64) {
	if !ok {
		return
	}
	if latency != nil {
		t.Latency = append(t.Latency, *latency)
	}
	if ttft != nil {
		t.TTFT = append(t.TTFT, *ttft)
	}
	// Decode speed needs the time after the first token, so only streamed
	// answers with more than one output token count.
	if ttft != nil && latency != nil && out != nil && *out > 1 && *latency > *ttft {
		t.decodeTokens += *out - 1
		t.decodeMs += *latency - *ttft
	}
}

// cost adds c; a null cost on a request that was sent is counted missing.
func (t *Totals) cost(c *USD, sent bool) {
	if c != nil {
		t.CostUSD = t.CostUSD.Add(c.Decimal)
		t.Priced++
	} else if sent {
		t.CostMissing++
	}
}

// DecodeTokensPerSecond is output tokens after the first over the time
// after the first token, summed over streamed answers.
func (t *Totals) DecodeTokensPerSecond() (float64, bool) {
	if t.decodeMs <= 0 {
		return 0, false
	}
	return float64(t.decodeTokens) / (t.decodeMs / 1000), true
}

// Merge adds o into t.
func (t *Totals) Merge(o *Totals) {
	t.Requests += o.Requests
	t.OK += o.OK
	t.Errors += o.Errors
	t.ClientClosed += o.ClientClosed
	t.Interrupted += o.Interrupted
	t.Escalated += o.Escalated
	t.InputTokens += o.InputTokens
	t.OutputTokens += o.OutputTokens
	t.CachedTokens += o.CachedTokens
	t.ReasoningTokens += o.ReasoningTokens
	t.MissingInput += o.MissingInput
	t.MissingOutput += o.MissingOutput
	t.MissingCached += o.MissingCached
	t.MissingReasoning += o.MissingReasoning
	t.ReportedInput += o.ReportedInput
	t.ReportedOutput += o.ReportedOutput
	t.ReportedCached += o.ReportedCached
	t.ReportedReasoning += o.ReportedReasoning
	t.CostUSD = t.CostUSD.Add(o.CostUSD)
	t.CostMissing += o.CostMissing
	t.Priced += o.Priced
	t.EstimatedCostUSD = t.EstimatedCostUSD.Add(o.EstimatedCostUSD)
	t.EstimateMissing += o.EstimateMissing
	t.BusyMs += o.BusyMs
	t.Latency = append(t.Latency, o.Latency...)
	t.TTFT = append(t.TTFT, o.TTFT...)
	t.decodeTokens += o.decodeTokens
	t.decodeMs += o.decodeMs
	if !o.First.IsZero() && (t.First.IsZero() || o.First.Before(t.First)) {
		t.First = o.First
	}
	if o.Last.After(t.Last) {
		t.Last = o.Last
	}
}

// Samples are observations for percentiles.
type Samples []float64

// Percentile returns the p-th percentile (0..100) by linear interpolation
// between closest ranks; ok is false when there are no samples. It sorts
// the samples in place.
func (s Samples) Percentile(p float64) (float64, bool) {
	if len(s) == 0 || math.IsNaN(p) {
		return 0, false
	}
	if !sort.Float64sAreSorted(s) {
		slices.Sort(s)
	}
	p = min(max(p, 0), 100)
	pos := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	frac := pos - float64(lo)
	return s[lo] + (s[hi]-s[lo])*frac, true
}

// KeyFunc names the group of a record. Escalated legs are keyed as a
// record carrying the leg's backend, model and source.
type KeyFunc func(r *Record) string

// Common keys.
var (
	ByBackend KeyFunc = func(r *Record) string { return r.Backend }
	ByModel   KeyFunc = func(r *Record) string { return r.Model }
	BySource  KeyFunc = func(r *Record) string { return r.Source }
	ByTask    KeyFunc = func(r *Record) string { return r.Task }
	ByStatus  KeyFunc = func(r *Record) string { return r.Status }
	All       KeyFunc = func(*Record) string { return "" }
)

// ByDay groups by calendar day (YYYY-MM-DD) in loc.
func ByDay(loc *time.Location) KeyFunc {
	return func(r *Record) string { return r.TS.In(loc).Format(time.DateOnly) }
}

// ByMonth groups by calendar month (YYYY-MM) in loc.
func ByMonth(loc *time.Location) KeyFunc {
	return func(r *Record) string { return r.TS.In(loc).Format("2006-01") }
}

// Groups aggregates records into Totals per key.
type Groups struct {
	key KeyFunc
	m   map[string]*Totals
}

// NewGroups groups by key.
func NewGroups(key KeyFunc) *Groups { return &Groups{key: key, m: map[string]*Totals{}} }

// Add accounts r and, if it fell back, its first answer under the leg's own key.
func (g *Groups) Add(r *Record) {
	g.get(g.key(r)).Add(r)
	if r.Escalated != nil {
		leg := legRecord(r)
		g.get(g.key(&leg)).AddLeg(r.Escalated)
	}
}

func legRecord(r *Record) Record {
	l := r.Escalated
	return Record{TS: r.TS, ID: r.ID, Backend: l.Backend, Model: l.Model, Source: l.Source,
		Status: StatusOK, Task: r.Task, DryRun: r.DryRun}
}

func (g *Groups) get(k string) *Totals {
	t := g.m[k]
	if t == nil {
		t = &Totals{}
		g.m[k] = t
	}
	return t
}

// Keys returns the group keys, sorted.
func (g *Groups) Keys() []string {
	ks := make([]string, 0, len(g.m))
	for k := range g.m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Get returns the totals of key k (nil if none).
func (g *Groups) Get(k string) *Totals { return g.m[k] }

// Total merges every group.
func (g *Groups) Total() *Totals {
	var t Totals
	for _, k := range g.Keys() {
		t.Merge(g.m[k])
	}
	return &t
}
