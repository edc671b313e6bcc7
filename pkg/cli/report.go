package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/route"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
)

// ReportOptions are the inputs of `llmcost report`.
type ReportOptions struct {
	F       *Factory
	Ledgers []string
	By      string
	Budget  string
	Compare bool
}

var reportGroupings = []string{"backend", "model", "task", "day"}

func newCmdReport(f *Factory, runF func(*ReportOptions) error) *cobra.Command {
	opts := &ReportOptions{F: f, By: "backend"}
	cmd := &cobra.Command{
		Use:   "report LEDGER...",
		Short: "What measured traffic cost, projected per month, vs the catalog and a budget",
		Long: `Read cost ledgers (JSONL written by llmcost route; paths or globs) and total them
by backend, model, task or day: requests, error rate, tokens, measured cost,
latency percentiles, the observed period projected to a 730-hour month, and what
the catalog says the same tokens cost (cloud records).

--budget FILE holds real traffic against a budget config's assumptions. A
record belongs to the workload its task names, or else to the only workload
using its model; each workload's requests per month, prompt and output tokens
per request and cached share are compared, and the assumptions that are off by
more than 25% (10 points for shares) are named with how much.

--compare reads a proxy ledger (route --listen with a policy shadow: section)
and, per pair of primary and shadow backend, compares the two answers of the
same requests: cost per request, latency p50/p95, time to first token, tokens,
agreement (share of exactly equal answers, mean length ratio shadow/primary),
and the whole month's traffic of the primary backend priced on each side.

A torn last line (a crash mid-write) is skipped with a warning.`,
		Example: `  llmcost report costs.jsonl
  llmcost report 'runs/*.jsonl' --by model --format markdown
  llmcost report costs.jsonl --budget budget.yaml
  llmcost report costs.jsonl --compare`,
		Args: wantArgs(1, -1, "want one or more cost ledgers, e.g. llmcost report costs.jsonl (route --log writes them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ledgers = args
			valid := false
			for _, g := range reportGroupings {
				valid = valid || g == opts.By
			}
			if !valid {
				return FlagErrorf("invalid value %q for --by: want one of %s", opts.By, strings.Join(reportGroupings, ", "))
			}
			if opts.Compare && (cmd.Flags().Changed("by") || opts.Budget != "") {
				return FlagErrorf("--compare cannot be combined with --by or --budget")
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Compare {
				return compareRun(opts)
			}
			return reportRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.By, "by", "backend", "group by: "+strings.Join(reportGroupings, ", "))
	cmd.Flags().StringVar(&opts.Budget, "budget", "", "budget config `FILE` whose assumptions to hold against the traffic")
	cmd.Flags().BoolVar(&opts.Compare, "compare", false, "compare primary and shadow answers per backend pair (proxy ledgers)")
	_ = cmd.RegisterFlagCompletionFunc("by", fixedCompletion(reportGroupings...))
	_ = cmd.MarkFlagFilename("budget", "yaml", "yml")
	return cmd
}

// ReportResult is the JSON of `report`.
type ReportResult struct {
	SchemaVersion int                      `json:"schema_version"`
	By            string                   `json:"by"`
	Period        ReportPeriod             `json:"period"`
	Groups        []ReportGroup            `json:"groups"`
	Total         ReportGroup              `json:"total"`
	Budget        string                   `json:"budget,omitempty"`
	Assumptions   []budget.AssumptionCheck `json:"assumptions,omitempty"`
	Unattributed  int64                    `json:"unattributed_requests,omitempty"`
	Warnings      []string                 `json:"warnings"`
	Notes         []string                 `json:"notes"`
}

// ReportPeriod is the time the ledger covers.
type ReportPeriod struct {
	First string  `json:"first"`
	Last  string  `json:"last"`
	Hours float64 `json:"hours"`
}

// ReportGroup is one group's totals.
type ReportGroup struct {
	Key          string  `json:"key"`
	Requests     int64   `json:"requests"`
	OK           int64   `json:"ok"`
	Errors       int64   `json:"errors"`
	ClientClosed int64   `json:"client_closed,omitempty"` // proxy clients that hung up mid-answer (counted in requests)
	ErrorRate    float64 `json:"error_rate"`
	// Token sums over the records that reported them; null when answers
	// were expected to and none did (never a made-up 0). TokensMissing
	// counts the answers that did not report each one.
	InputTokens         *int64           `json:"input_tokens"`
	OutputTokens        *int64           `json:"output_tokens"`
	CachedTokens        *int64           `json:"cached_tokens"`
	TokensMissing       *TokensMissing   `json:"tokens_missing,omitempty"`
	CostUSD             *decimal.Decimal `json:"cost_usd"`     // sum of the known costs; null when none is known
	CostMissing         int64            `json:"cost_missing"` // records whose cost is unknown (not $0)
	ProjectedMonthlyUSD *decimal.Decimal `json:"projected_monthly_usd"`
	CatalogEstimateUSD  *decimal.Decimal `json:"catalog_estimate_usd"` // the same tokens at catalog prices (cloud records)
	EstimateMissing     int64            `json:"catalog_estimate_missing"`
	LatencyMs           Percentiles      `json:"latency_ms"`
	TTFTMs              Percentiles      `json:"ttft_ms"`
}

// Percentiles of a latency; null when nothing was measured.
type Percentiles struct {
	P50 *float64 `json:"p50"`
	P95 *float64 `json:"p95"`
	P99 *float64 `json:"p99"`
}

func percentiles(s ledger.Samples) Percentiles {
	get := func(p float64) *float64 {
		v, ok := s.Percentile(p)
		if !ok {
			return nil
		}
		return &v
	}
	return Percentiles{P50: get(50), P95: get(95), P99: get(99)}
}

// totalKey is the estimates' key of the whole ledger: no group's key (a
// group of records without a backend or task has the key "").
const totalKey = "\x00total"

// estimates sums per group what the catalog charges for each cloud
// record's reported usage.
type estimates struct {
	pricer *route.CatalogPricer
	sum    map[string]decimal.Decimal
	miss   map[string]int64
	priced map[string]int64 // records the catalog could price
	any    map[string]bool
	local  map[string]bool // groups with local records: their cost is not comparable
}

func (e *estimates) add(key string, r *ledger.Record) {
	switch r.Source {
	case ledger.SourceCloud:
	case ledger.SourceLocal:
		e.local[key] = true
		return
	default:
		return // never sent (refused before routing): neither side
	}
	if r.Status != ledger.StatusOK {
		return
	}
	e.any[key] = true
	c, err := e.pricer.PriceCloud(r.Model, r.TS, backend.Usage{InputTokens: r.InputTokens, OutputTokens: r.OutputTokens, CachedTokens: r.CachedTokens, CacheWriteTokens: r.CacheWriteTokens, ReasoningTokens: r.ReasoningTokens})
	if err != nil {
		e.miss[key]++
		return
	}
	e.sum[key] = e.sum[key].Add(c)
	e.priced[key]++
}

func reportRun(o *ReportOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	var key ledger.KeyFunc
	switch o.By {
	case "backend":
		key = ledger.ByBackend
	case "model":
		key = ledger.ByModel
	case "task":
		key = ledger.ByTask
	case "day":
		key = ledger.ByDay(time.UTC)
	}
	var cfg *budget.Config
	if o.Budget != "" {
		cfgs, err := loadBudgets(f, []string{o.Budget})
		if err != nil {
			return err
		}
		cfg = cfgs[0]
	}
	groups := ledger.NewGroups(key)
	all := ledger.NewGroups(ledger.All)
	est := &estimates{pricer: &route.CatalogPricer{Catalog: cat}, sum: map[string]decimal.Decimal{}, miss: map[string]int64{}, priced: map[string]int64{}, any: map[string]bool{}, local: map[string]bool{}}
	attr := newAttribution(cat, cfg)
	var dryRun, shadows int64
	warns, err := ledger.ReadFiles(o.Ledgers, func(r ledger.Record) error {
		if r.DryRun {
			dryRun++
			return nil
		}
		if r.Shadow {
			shadows++
		}
		groups.Add(&r)
		all.Add(&r)
		est.add(key(&r), &r)
		est.add(totalKey, &r)
		attr.add(&r)
		return nil
	})
	if err != nil {
		return asInput(err)
	}
	res := &ReportResult{SchemaVersion: 1, By: o.By, Groups: []ReportGroup{}, Warnings: []string{}, Notes: []string{}}
	for _, w := range warns {
		// Once: a table's notes show it (stderr with --format csv); JSON
		// keeps it in "warnings" and says it on stderr too, for the
		// person whose output goes to a file.
		res.Warnings = append(res.Warnings, w.String())
		if format == output.JSON {
			fmt.Fprintf(f.IOStreams.ErrOut, "warning: %s\n", w)
		}
	}
	if dryRun > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d dry-run records left out (nothing was sent)", dryRun))
	}
	if shadows > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d shadow answers are included (their cost was spent); report --compare sets them against their primaries", shadows))
	}
	total := all.Total()
	hours := 0.0
	if !total.First.IsZero() {
		res.Period = ReportPeriod{First: total.First.UTC().Format(time.RFC3339), Last: total.Last.UTC().Format(time.RFC3339)}
		hours = total.Last.Sub(total.First).Hours()
		res.Period.Hours = hours
	}
	for _, k := range groups.Keys() {
		res.Groups = append(res.Groups, reportGroup(k, groups.Get(k), hours, est))
	}
	res.Total = reportGroup(totalKey, total, hours, est)
	res.Total.Key = "Total"
	for _, g := range res.Groups {
		if est.local[g.Key] {
			continue
		}
		if n := estimateGap(g); n != "" {
			res.Notes = append(res.Notes, n)
		}
	}
	switch {
	case hours == 0:
		res.Notes = append(res.Notes, "the ledger covers no measurable period (one instant): no monthly projection")
	case hours < 24:
		res.Notes = append(res.Notes, fmt.Sprintf("the monthly projection extrapolates %.1f hours of traffic to 730", hours))
	}
	if cfg != nil {
		res.Budget = cfg.File
		// Volume is per the ledger's whole period: the workload could have
		// had traffic any time in it.
		res.Assumptions = budget.CompareTraffic(cfg, attr.traffic(total.Last.Sub(total.First)))
		res.Unattributed = attr.unattributed
		if res.Assumptions == nil {
			res.Assumptions = []budget.AssumptionCheck{}
		}
		if attr.unattributed > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("%d requests match no workload of %s (by task name, or by model when one workload uses it)", attr.unattributed, cfg.File))
		}
	}
	return output.Write(f.IOStreams, format, res)
}

// TokensMissing counts answers whose server did not report a token kind.
type TokensMissing struct {
	Input  int64 `json:"input"`
	Output int64 `json:"output"`
	Cached int64 `json:"cached"`
}

// tokenSum is a group's sum of one token kind: unknown (nil) when answers
// were expected to report it and none did.
func tokenSum(sum, reported, missing int64) *int64 {
	if reported == 0 && missing > 0 {
		return nil
	}
	return &sum
}

// formatTokenSum is a token sum for the table: "unknown" when none was
// reported, "12.0K (+2 unknown)" when some were not.
func formatTokenSum(v *int64, missing int64) string {
	if v == nil {
		return fmt.Sprintf("unknown (%d)", missing)
	}
	s := units.FormatTokens(*v)
	if missing > 0 {
		s += fmt.Sprintf(" (+%d unknown)", missing)
	}
	return s
}

func reportGroup(k string, t *ledger.Totals, hours float64, est *estimates) ReportGroup {
	g := ReportGroup{
		Key: k, Requests: t.Requests, OK: t.OK, Errors: t.Errors, ClientClosed: t.ClientClosed,
		InputTokens:  tokenSum(t.InputTokens, t.ReportedInput, t.MissingInput),
		OutputTokens: tokenSum(t.OutputTokens, t.ReportedOutput, t.MissingOutput),
		CachedTokens: tokenSum(t.CachedTokens, t.ReportedCached, t.MissingCached),
		CostMissing:  t.CostMissing,
		LatencyMs:    percentiles(t.Latency), TTFTMs: percentiles(t.TTFT),
	}
	if m := (TokensMissing{t.MissingInput, t.MissingOutput, t.MissingCached}); m != (TokensMissing{}) {
		g.TokensMissing = &m
	}
	// Records whose cost is unknown are not $0: with none known, the
	// sum is unknown too, as in route's summary.
	if t.Priced > 0 || t.CostMissing == 0 {
		c := t.CostUSD
		g.CostUSD = &c
	}
	if t.Requests > 0 {
		g.ErrorRate = float64(t.Errors) / float64(t.Requests)
	}
	if hours > 0 && t.CostMissing == 0 {
		p := t.CostUSD.Mul(decimal.NewFromInt(units.HoursPerMonth)).Div(decimal.NewFromFloat(hours))
		g.ProjectedMonthlyUSD = &p
	}
	if est.any[k] {
		// With no record the catalog can price, its estimate is unknown,
		// not $0 (null, with the count in catalog_estimate_missing).
		if est.priced[k] > 0 {
			s := est.sum[k]
			g.CatalogEstimateUSD = &s
		}
		g.EstimateMissing = est.miss[k]
	}
	return g
}

// estimateGap says when the bill differs from the catalog for the same
// tokens (a price change, a discount, or usage the catalog misses).
func estimateGap(g ReportGroup) string {
	e := g.CatalogEstimateUSD
	if e == nil || !e.IsPositive() || g.EstimateMissing > 0 || g.CostMissing > 0 || g.CostUSD == nil {
		return ""
	}
	// Only the cloud records are estimated; local ones are not in e.
	diff := g.CostUSD.Sub(*e)
	if diff.Abs().LessThanOrEqual(e.Div(decimal.NewFromInt(100))) {
		return ""
	}
	return fmt.Sprintf("%s: measured %s, the catalog says %s for the same tokens (%s)", g.Key, units.FormatUSD(*g.CostUSD), units.FormatUSD(*e), signedPct(diff.Div(*e).Mul(decimal.NewFromInt(100))))
}

// attribution assigns records to budget workloads: by task name, else by
// a model that exactly one workload uses.
type attribution struct {
	cfg          *budget.Config
	cat          *catalog.Catalog
	byModel      map[string]string // catalog id -> workload (only when unique)
	totals       map[string]*ledger.Totals
	unattributed int64
}

func newAttribution(cat *catalog.Catalog, cfg *budget.Config) *attribution {
	a := &attribution{cfg: cfg, cat: cat, byModel: map[string]string{}, totals: map[string]*ledger.Totals{}}
	if cfg == nil {
		return a
	}
	count := map[string]int{}
	for _, w := range cfg.Workloads {
		id := w.Model.V
		if m, err := cat.Cloud(id); err == nil {
			id = m.ID.V
		}
		count[id]++
		a.byModel[id] = w.Name.V
		a.totals[w.Name.V] = &ledger.Totals{}
	}
	for id, n := range count {
		if n > 1 {
			delete(a.byModel, id)
		}
	}
	return a
}

func (a *attribution) add(r *ledger.Record) {
	if a.cfg == nil || r.Status != ledger.StatusOK || r.IsInterrupted() {
		return
	}
	if t, ok := a.totals[r.Task]; ok && r.Task != "" {
		t.Add(r)
		return
	}
	id := r.Model
	if m, err := a.cat.Cloud(id); err == nil {
		id = m.ID.V
	}
	if w, ok := a.byModel[id]; ok {
		a.totals[w].Add(r)
		return
	}
	a.unattributed++
}

func (a *attribution) traffic(period time.Duration) []budget.Traffic {
	var out []budget.Traffic
	if a.cfg == nil {
		return nil
	}
	for _, w := range a.cfg.Workloads {
		t := a.totals[w.Name.V]
		// Per-request means count only records that reported the count.
		reqs := t.OK - t.MissingInput
		if reqs <= 0 {
			continue
		}
		tr := budget.Traffic{
			Workload: w.Name.V, Requests: reqs, InputTokens: t.InputTokens, OutputTokens: scale(t.OutputTokens, t.OK-t.MissingOutput, reqs),
			CachedTokens: t.CachedTokens, CachedKnown: t.MissingCached == 0, Period: period,
		}
		out = append(out, tr)
	}
	return out
}

// scale rescales a sum over n reporting records to m records.
func scale(sum, n, m int64) int64 {
	if n <= 0 || n == m {
		return sum
	}
	return int64(math.Round(float64(sum) * float64(m) / float64(n)))
}

// Tables renders the groups, then the budget comparison.
func (r *ReportResult) Tables() []output.TableData {
	t := output.TableData{
		Title:   fmt.Sprintf("Measured traffic by %s, %s to %s", r.By, r.Period.First, r.Period.Last),
		Headers: []string{strings.ToUpper(r.By[:1]) + r.By[1:], "Requests", "Errors", "Input", "Output", "Cost", "Per month", "Catalog estimate", "p50 ms", "p95 ms"},
		Align:   []output.Align{output.Left, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right},
	}
	row := func(g ReportGroup) {
		cost := fmt.Sprintf("unknown (%d requests)", g.CostMissing)
		if g.CostUSD != nil {
			cost = units.FormatUSD(*g.CostUSD)
			if g.CostMissing > 0 {
				cost += fmt.Sprintf(" (+%d unknown)", g.CostMissing)
			}
		}
		month, est := "-", "-"
		if g.ProjectedMonthlyUSD != nil {
			month = units.FormatUSD(*g.ProjectedMonthlyUSD)
		}
		switch {
		case g.CatalogEstimateUSD != nil:
			est = units.FormatUSD(*g.CatalogEstimateUSD)
			if g.EstimateMissing > 0 {
				est += fmt.Sprintf(" (+%d unpriced)", g.EstimateMissing)
			}
		case g.EstimateMissing > 0:
			est = fmt.Sprintf("unknown (%d unpriced)", g.EstimateMissing)
		}
		ms := func(p *float64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprintf("%.0f", *p)
		}
		key := g.Key
		if key == "" {
			key = "(none)"
		}
		t.Rows = append(t.Rows, []string{key, budget.FormatCount(g.Requests), fmt.Sprintf("%d (%.1f%%)", g.Errors, g.ErrorRate*100),
			formatTokenSum(g.InputTokens, g.missing().Input), formatTokenSum(g.OutputTokens, g.missing().Output), cost, month, est, ms(g.LatencyMs.P50), ms(g.LatencyMs.P95)})
		raw := func(d *decimal.Decimal) string {
			if d == nil {
				return ""
			}
			return d.String()
		}
		rawMs := func(p *float64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatFloat(*p, 'f', -1, 64)
		}
		t.Raw = append(t.Raw, []string{g.Key, strconv.FormatInt(g.Requests, 10), strconv.FormatInt(g.Errors, 10),
			rawInt(g.InputTokens), rawInt(g.OutputTokens), raw(g.CostUSD), raw(g.ProjectedMonthlyUSD), raw(g.CatalogEstimateUSD), rawMs(g.LatencyMs.P50), rawMs(g.LatencyMs.P95)})
	}
	for _, g := range r.Groups {
		row(g)
	}
	row(r.Total)
	t.Notes = append(t.Notes, r.Notes...)
	for _, w := range r.Warnings {
		t.Notes = append(t.Notes, "warning: "+w)
	}
	out := []output.TableData{t}
	if r.Budget != "" {
		a := output.TableData{
			Title:   "Budget assumptions vs traffic (" + r.Budget + ")",
			Headers: []string{"Workload", "Assumption", "Assumed", "Observed", "Off by", "Verdict"},
			Align:   []output.Align{output.Left, output.Left, output.Right, output.Right, output.Right, output.Left},
		}
		for _, c := range r.Assumptions {
			verdict := "ok"
			if c.Off {
				verdict = "OFF"
			}
			assumed, observed, off := fmt.Sprintf("%.0f", c.Assumed), fmt.Sprintf("%.0f", c.Observed), fmt.Sprintf("%+.0f%%", c.OffBy)
			if c.Unit == "points" {
				assumed, observed, off = fmt.Sprintf("%.0f%%", c.Assumed*100), fmt.Sprintf("%.0f%%", c.Observed*100), fmt.Sprintf("%+.0f points", c.OffBy)
			}
			a.Rows = append(a.Rows, []string{c.Workload, c.Assumption, assumed, observed, off, verdict})
		}
		for _, c := range r.Assumptions {
			if c.Off {
				a.Notes = append(a.Notes, c.Message)
			}
		}
		out = append(out, a)
	}
	return out
}

func (g ReportGroup) missing() TokensMissing {
	if g.TokensMissing == nil {
		return TokensMissing{}
	}
	return *g.TokensMissing
}

func rawInt(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}
