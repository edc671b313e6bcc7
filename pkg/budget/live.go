package budget

// Live holds a budget file's limits against the month's measured spend,
// for route --listen --budget: each request asks Decide before going to
// a backend; each ledger record written is passed to Add.
//
// Usage:
//
//	live := budget.NewLive(cfg) // cfg from budget.Decode (the existing loader)
//	f, err := os.Open(logPath)  // at start-up: this month's spend so far
//	if err == nil { _, err = live.AddLedger(f, logPath); f.Close() }
//	...
//	v := live.Decide(now, budget.LiveRequest{Task: task, Cloud: b.Cloud(), CanDowngrade: localOK})
//	switch v.Action {
//	case budget.Allow:     // send as routed
//	case budget.Downgrade: // send to the policy's local backend instead; v.Hit says why
//	case budget.Refuse:    // answer 429 with v.Hit.Message() in the client's wire format
//	}
//	live.Add(&rec) // after every record written (primary and shadow)
//
// How limits map to proxy traffic:
//   - limits.monthly_usd is held against the cost of every record of the
//     current calendar month (UTC): ok, error, client_closed, interrupted,
//     primary and shadow, cloud and local — all of it was spent.
//   - limits.workloads.NAME is held against the records whose task is NAME
//     (the X-Llmcost-Task header, as `report --budget` attributes them).
//     Records with no task, or a task no limit names, count only towards
//     monthly_usd.
//   - Only cloud requests are ever downgraded or refused; local ones are
//     always allowed. For a shadow request pass CanDowngrade false and skip
//     it unless Allow.
//   - A record whose cost is unknown (cost_usd null) adds nothing but is
//     counted (Status.Unpriced): the spend is then a lower bound, and the
//     message says "at least".
//   - The month rolls over by the timestamps seen: the first request or
//     record of a new month starts from $0.

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
)

// Action is what Decide says to do with a request.
type Action int

// Actions.
const (
	Allow Action = iota
	Downgrade
	Refuse
)

func (a Action) String() string {
	switch a {
	case Downgrade:
		return "downgrade"
	case Refuse:
		return "refuse"
	}
	return "allow"
}

// LiveRequest is what Decide needs to know of a request.
type LiveRequest struct {
	Task         string // the record's task (workload limits are keyed by it)
	Cloud        bool   // the routed backend is source: cloud
	CanDowngrade bool   // the policy's rules allow sending it to a local backend
}

// LimitHit is a limit the month's spend has reached.
type LimitHit struct {
	Name  string          // "limits.monthly_usd" or "limits.workloads.NAME"
	Limit decimal.Decimal // USD per month
	Spent decimal.Decimal // measured this month (a lower bound when Unpriced > 0)
	Lower bool            // some records' cost is unknown: Spent is at least this
	File  string
	Line  int
}

// Message is the sentence for the client's 429 and the log.
func (h *LimitHit) Message() string {
	at := ""
	if h.Lower {
		at = "at least "
	}
	return fmt.Sprintf("budget limit %s of %s/month reached: %s%s spent this month (%s:%d)",
		h.Name, units.FormatUSD(h.Limit), at, units.FormatUSD(h.Spent), h.File, h.Line)
}

// Verdict is Decide's answer; Hit is nil when Action is Allow.
type Verdict struct {
	Action Action
	Hit    *LimitHit
}

// LiveStatus is the month's spend so far.
type LiveStatus struct {
	Month      string                     // YYYY-MM (UTC); "" before any record
	SpentUSD   decimal.Decimal            // every record of the month
	ByWorkload map[string]decimal.Decimal // per task named by limits.workloads
	Unpriced   int64                      // records of the month with unknown cost
}

// Live is safe for concurrent use.
type Live struct {
	cfg *Config

	mu       sync.Mutex
	month    string
	spent    decimal.Decimal
	byTask   map[string]decimal.Decimal // only tasks some limit names
	limited  map[string]USD
	unpriced int64
}

// NewLive holds cfg's limits (monthly_usd, workloads); a config with
// neither always allows.
func NewLive(cfg *Config) *Live {
	l := &Live{cfg: cfg, byTask: map[string]decimal.Decimal{}, limited: map[string]USD{}}
	for _, e := range cfg.Limits.Workloads.Entries {
		l.limited[e.Key.V] = e.Value
	}
	return l
}

func monthOf(t time.Time) string { return t.UTC().Format("2006-01") }

// roll moves to month m when it is later than the current one; it
// reports whether m is the current month afterwards.
func (l *Live) roll(m string) bool {
	if m > l.month {
		l.month, l.spent, l.unpriced = m, decimal.Zero, 0
		clear(l.byTask)
	}
	return m == l.month
}

// Add accounts one ledger record. Records of an earlier month than the
// latest seen and dry-run records are ignored.
func (l *Live) Add(r *ledger.Record) {
	if r.DryRun {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.roll(monthOf(r.TS)) {
		return
	}
	if r.CostUSD == nil {
		// An unknown cost makes the spend a lower bound, but only if the
		// request was sent (as ledger.Totals counts it): a request refused
		// before any attempt cost nothing.
		if r.Status == ledger.StatusOK || r.Status == ledger.StatusClientClosed || r.Attempts > 0 {
			l.unpriced++
		}
		return
	}
	l.spent = l.spent.Add(r.CostUSD.Decimal)
	if _, ok := l.limited[r.Task]; ok && r.Task != "" {
		l.byTask[r.Task] = l.byTask[r.Task].Add(r.CostUSD.Decimal)
	}
}

// AddLedger accounts every record of a ledger stream (the proxy's log at
// start-up); name is used in messages. A torn last line is a warning.
func (l *Live) AddLedger(r io.Reader, name string) ([]ledger.Warning, error) {
	return ledger.ReadStream(r, name, func(rec ledger.Record) error { l.Add(&rec); return nil })
}

// Decide says whether a request made at now may go as routed. The
// workload limit is checked before the monthly one, so the message names
// the narrower limit.
func (l *Live) Decide(now time.Time, req LiveRequest) Verdict {
	if !req.Cloud {
		return Verdict{Action: Allow}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(monthOf(now))
	var hit *LimitHit
	if lim, ok := l.limited[req.Task]; ok && req.Task != "" && lim.Set {
		if s := l.byTask[req.Task]; s.GreaterThanOrEqual(lim.D) {
			hit = &LimitHit{Name: "limits.workloads." + req.Task, Limit: lim.D, Spent: s, Line: lim.Line}
		}
	}
	if m := l.cfg.Limits.MonthlyUSD; hit == nil && m.Set && l.spent.GreaterThanOrEqual(m.D) {
		hit = &LimitHit{Name: "limits.monthly_usd", Limit: m.D, Spent: l.spent, Line: m.Line}
	}
	if hit == nil {
		return Verdict{Action: Allow}
	}
	hit.File, hit.Lower = l.cfg.File, l.unpriced > 0
	if req.CanDowngrade {
		return Verdict{Action: Downgrade, Hit: hit}
	}
	return Verdict{Action: Refuse, Hit: hit}
}

// Status returns the month's spend so far (for /metrics and start-up).
func (l *Live) Status() LiveStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := LiveStatus{Month: l.month, SpentUSD: l.spent, ByWorkload: map[string]decimal.Decimal{}, Unpriced: l.unpriced}
	for k, v := range l.byTask {
		st.ByWorkload[k] = v
	}
	return st
}
