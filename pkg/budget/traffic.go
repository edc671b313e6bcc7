package budget

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Traffic is measured usage (from the cost ledger) attributed to one
// workload of a budget: what really happened, to hold against what the
// budget assumed.
type Traffic struct {
	Workload     string
	Requests     int64 // answered requests
	InputTokens  int64 // prompt tokens, cache reads included
	OutputTokens int64
	CachedTokens int64
	// CachedKnown is false when some records did not report cached
	// tokens: the observed cache share is then unknown, not 0.
	CachedKnown bool
	Period      time.Duration // first to last record
}

// Assumption names, as the budget's keys.
const (
	AssumeRequests    = "requests_per_month"
	AssumePrompt      = "prompt_tokens"
	AssumeOutput      = "output_tokens"
	AssumeCachedShare = "cached_share"
)

// Tolerances: a per-request or volume assumption is "off" when the
// observation differs by more than TolerancePct percent of it; a share
// when it differs by more than ToleranceSharePoints percentage points.
const (
	TolerancePct         = 25.0
	ToleranceSharePoints = 10.0
)

// AssumptionCheck holds one assumption of one workload against traffic.
type AssumptionCheck struct {
	Workload   string  `json:"workload"`
	File       string  `json:"file"`
	Line       int     `json:"line"`
	Assumption string  `json:"assumption"`
	Assumed    float64 `json:"assumed"`
	Observed   float64 `json:"observed"`
	// OffBy is percent of the assumption for counts, percentage points
	// for shares.
	OffBy   float64 `json:"off_by"`
	Unit    string  `json:"unit"` // "pct" or "points"
	Off     bool    `json:"off"`
	Message string  `json:"message"`
}

// hoursPerMonth is the 730-hour month every monthly figure uses.
const hoursPerMonth = 730.0

// CompareTraffic checks each workload's assumptions against the traffic
// attributed to it. Workloads without traffic are left out (nothing was
// observed); the result is sorted with the assumptions that are most off
// first.
func CompareTraffic(cfg *Config, traffic []Traffic) []AssumptionCheck {
	byName := map[string]*Workload{}
	for i := range cfg.Workloads {
		byName[cfg.Workloads[i].Name.V] = &cfg.Workloads[i]
	}
	var out []AssumptionCheck
	for _, tr := range traffic {
		w, ok := byName[tr.Workload]
		if !ok || tr.Requests == 0 {
			continue
		}
		add := func(assumption string, line int, assumed, observed float64, share bool) {
			c := AssumptionCheck{Workload: w.Name.V, File: cfg.File, Line: line, Assumption: assumption, Assumed: assumed, Observed: observed}
			if line == 0 {
				c.Line = w.Line
			}
			if share {
				c.Unit, c.OffBy = "points", (observed-assumed)*100
				c.Off = math.Abs(c.OffBy) > ToleranceSharePoints
				c.Message = fmt.Sprintf("%s: %s assumes %s %.0f%%, traffic shows %.0f%% (%+.0f points)", w.Name.V, cfg.File, assumption, assumed*100, observed*100, c.OffBy)
			} else {
				c.Unit = "pct"
				if assumed > 0 {
					c.OffBy = (observed - assumed) / assumed * 100
				} else if observed > 0 {
					c.OffBy = math.Inf(1)
				}
				c.Off = math.Abs(c.OffBy) > TolerancePct
				c.Message = fmt.Sprintf("%s: %s assumes %s %s, traffic shows %s (%s)", w.Name.V, cfg.File, assumption, FormatCount(int64(math.Round(assumed))), FormatCount(int64(math.Round(observed))), offText(c.OffBy))
			}
			out = append(out, c)
		}
		reqs := float64(tr.Requests)
		if tr.Period > 0 {
			add(AssumeRequests, w.RequestsPerMonth.Line, float64(w.RequestsPerMonth.N), reqs*hoursPerMonth/tr.Period.Hours(), false)
		}
		add(AssumePrompt, w.PromptTokens.Line, w.PromptTokens.Mean().InexactFloat64(), float64(tr.InputTokens)/reqs, false)
		add(AssumeOutput, w.OutputTokens.Line, w.OutputTokens.Mean().InexactFloat64(), float64(tr.OutputTokens)/reqs, false)
		if tr.CachedKnown && tr.InputTokens > 0 {
			add(AssumeCachedShare, w.CachedShare.Line, w.CachedShare.D.InexactFloat64(), float64(tr.CachedTokens)/float64(tr.InputTokens), true)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Off != out[b].Off {
			return out[a].Off
		}
		return severity(out[a]) > severity(out[b])
	})
	return out
}

// severity makes percent and points comparable: how many tolerances off.
func severity(c AssumptionCheck) float64 {
	if c.Unit == "points" {
		return math.Abs(c.OffBy) / ToleranceSharePoints
	}
	return math.Abs(c.OffBy) / TolerancePct
}

func offText(p float64) string {
	if math.IsInf(p, 1) {
		return "assumed none"
	}
	return fmt.Sprintf("%+.0f%%", p)
}
