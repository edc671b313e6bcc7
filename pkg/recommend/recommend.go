// Package recommend ranks every way to serve a workload — cloud models,
// and open models on owned, rented or already-owned GPUs at a
// quantization and GPU count — that meets the constraints, cheapest
// first, and counts why the others were left out.
//
// It prices nothing itself: the options come from pkg/decide
// (BuildCandidates: pkg/cost prices, pkg/hardware fit and speed, decide's
// task tiers and quality bars); this package filters, ranks and explains.
package recommend

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/decide"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
)

// DefaultBenchmark is the score shown for open models when neither a task
// nor a minimum score names one.
const DefaultBenchmark = "mmlu"

// DefaultTop is how many options are listed unless asked otherwise.
const DefaultTop = 10

// MinScore is a required benchmark score (mmlu=70).
type MinScore struct {
	Benchmark string  `json:"benchmark"`
	Score     float64 `json:"score"`
}

// Constraints are what every listed option must meet.
type Constraints struct {
	Tokens            int64             // per month, required
	Task              decide.Task       // "" = any: every cloud model, no quality bar on open models
	MinScore          *MinScore         // nil = the task's good-enough bar (or none without a task)
	MaxLatencySeconds float64           // whole reply; 0 = no target
	ContextTokens     int64             // context one request carries; 0 = decide's default (8K fit, 500-token prompts)
	GPUs              []string          // catalog GPU ids local setups may use; nil = all
	Have              []decide.OwnedGPU // GPUs already owned (sunk): from hardware detection
	Quants            []string          // quantizations to try; nil = each model's default
	Privacy           decide.Privacy    // "" = none
	Top               int               // options listed; 0 = all
}

// Option is one ranked way to serve the workload.
type Option struct {
	Rank           int             `json:"rank"`
	Kind           string          `json:"kind"` // cloud | local
	Model          string          `json:"model"`
	Provider       string          `json:"provider,omitempty"` // cloud provider, or the rental's
	Quant          string          `json:"quant,omitempty"`
	GPU            string          `json:"gpu,omitempty"`
	GPUs           int             `json:"gpus,omitempty"`             // GPUs in all
	GPUsPerReplica int             `json:"gpus_per_replica,omitempty"` // GPUs one copy of the model needs
	Replicas       int             `json:"replicas,omitempty"`
	Concurrency    int             `json:"concurrency,omitempty"` // requests one copy serves at once in the price: the most its memory holds (up to 8)
	Mode           string          `json:"mode,omitempty"`        // owned | rented | sunk
	MonthlyCostUSD decimal.Decimal `json:"monthly_cost_usd"`
	UpfrontUSD     decimal.Decimal `json:"upfront_usd"`
	Utilization    *float64        `json:"utilization"`              // busy share of the local GPUs; null for cloud
	DecodeTPS      *float64        `json:"decode_tokens_per_second"` // batch-1 stream; null = unknown (cloud)
	DecodeBasis    string          `json:"decode_basis"`             // measured (catalog benchmark) | estimated | unknown
	ReplySeconds   *float64        `json:"reply_seconds"`            // null = unknown (cloud without measured latency)
	ReplyBasis     string          `json:"reply_basis"`              // estimated | measured | unknown
	Benchmark      string          `json:"benchmark,omitempty"`
	Score          *float64        `json:"score"`          // published score of the open model; null otherwise
	ScoreBasis     string          `json:"score_basis"`    // published | assumed | unknown
	Tier           string          `json:"tier,omitempty"` // cloud: value | frontier (decide's task tiers)
	Notes          []string        `json:"notes,omitempty"`
}

// Exclusion is one reason options were left out, and how many.
type Exclusion struct {
	Kind   string `json:"kind"` // cloud | local | open_model
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Workload echoes what was asked.
type Workload struct {
	TokensPerMonth    int64          `json:"tokens_per_month"`
	PromptTokens      int64          `json:"prompt_tokens_per_request"`
	OutputTokens      int64          `json:"output_tokens_per_request"`
	ContextTokens     int64          `json:"context_tokens"`
	Task              string         `json:"task"`
	MinScore          *MinScore      `json:"min_score"`
	MaxLatencySeconds *float64       `json:"max_latency_seconds"`
	Privacy           decide.Privacy `json:"privacy"`
	GPUs              []string       `json:"gpus"`
	Quants            []string       `json:"quants"`
}

// Result is the JSON contract of `llmcost recommend`.
type Result struct {
	SchemaVersion int         `json:"schema_version"`
	AsOf          string      `json:"as_of"`
	Workload      Workload    `json:"workload"`
	Options       []Option    `json:"options"`
	Eligible      int         `json:"eligible"` // options meeting every constraint (Options lists the first Top)
	Excluded      []Exclusion `json:"excluded"`
	Notes         []string    `json:"notes"`
}

// Recommend ranks the options for c on catalog cat at date asOf.
func Recommend(cat *catalog.Catalog, asOf time.Time, c Constraints) (*Result, error) {
	if c.Tokens <= 0 {
		return nil, fmt.Errorf("tokens per month must be > 0")
	}
	if c.Task != "" {
		if _, _, err := decide.TaskBar(c.Task); err != nil {
			return nil, err
		}
	}
	privacy := c.Privacy
	if privacy == "" {
		privacy = decide.PrivacyNone
	}
	a := &decide.Answers{TokensPerMonth: c.Tokens, Privacy: privacy, Task: c.Task,
		LatencySeconds: c.MaxLatencySeconds, ContextTokens: c.ContextTokens, HaveGPUs: c.Have}

	// Open models: the minimum score, else the task's bar, else no bar.
	q := decide.Query{GPUs: c.GPUs, Quants: c.Quants, Benchmark: DefaultBenchmark}
	switch {
	case c.MinScore != nil:
		q.Benchmark, q.MinScore, q.ScoreRequired = c.MinScore.Benchmark, c.MinScore.Score, true
	case c.Task != "":
		b, s, _ := decide.TaskBar(c.Task)
		q.Benchmark, q.MinScore, q.ScoreRequired = b, s, true
	}

	// Cloud models: every one in the catalog is looked at, so the ones left
	// out are counted with a reason.
	ex := newCounter()
	var cloudIDs []string
	tier := map[string]string{}
	if c.Task != "" {
		for _, id := range decide.CloudCandidates(c.Task, decide.Accuracy{Level: decide.AccuracyGoodEnough}) {
			tier[id] = "value"
		}
		for _, id := range decide.CloudCandidates(c.Task, decide.Accuracy{Level: decide.AccuracyBest}) {
			tier[id] = "frontier"
		}
	}
	frontier := decide.FrontierModels()
	if c.Task != "" {
		frontier = decide.CloudCandidates(c.Task, decide.Accuracy{Level: decide.AccuracyBest})
	}
	for _, m := range cat.CloudModels() {
		id := m.ID.V
		switch {
		case privacy == decide.PrivacyRegulated:
			ex.add("cloud", "privacy regulated: never sent to a cloud API")
		case c.Task != "" && tier[id] == "":
			ex.add("cloud", fmt.Sprintf("not a %s candidate (decide's value and frontier tiers for the task)", c.Task))
		case c.MinScore != nil && !slices.Contains(frontier, id):
			ex.add("cloud", fmt.Sprintf("no %s score in the catalog, and not a frontier-tier model (the only ones assumed to reach it)", c.MinScore.Benchmark))
		default:
			cloudIDs = append(cloudIDs, id)
		}
	}
	q.CloudIDs = cloudIDs

	cands, err := decide.BuildCandidates(cat, asOf, a, q)
	if err != nil {
		return nil, err
	}
	day := asOf.Format(time.DateOnly)
	res := &Result{SchemaVersion: 1, AsOf: day, Options: []Option{}, Excluded: []Exclusion{}, Notes: []string{},
		Workload: Workload{TokensPerMonth: c.Tokens, PromptTokens: cands.Prompt, OutputTokens: cands.Output, ContextTokens: cands.Context,
			Task: string(c.Task), MinScore: c.MinScore, Privacy: privacy, GPUs: nonNil(c.GPUs), Quants: nonNil(c.Quants)}}
	if c.MaxLatencySeconds > 0 {
		v := c.MaxLatencySeconds
		res.Workload.MaxLatencySeconds = &v
	}

	for _, s := range cands.CloudSkipped {
		if strings.Contains(s, "is retired") {
			ex.add("cloud", "retired by "+day) // each on its own date, on or before the as-of day
		} else {
			ex.add("cloud", "no price on "+day)
		}
	}
	var opts []Option
	unknownLatency := 0
	for _, co := range cands.Cloud {
		if co.Excluded != "" {
			switch {
			case strings.HasPrefix(co.Excluded, "context window"):
				ex.add("cloud", fmt.Sprintf("context window below %s tokens", decide.FormatContextTokens(cands.Context)))
			case strings.HasPrefix(co.Excluded, "measured reply"):
				ex.add("cloud", fmt.Sprintf("measured reply time above %g s", c.MaxLatencySeconds))
			default:
				ex.add("cloud", co.Excluded)
			}
			continue
		}
		o := Option{Kind: "cloud", Model: co.Model, Provider: co.Provider, MonthlyCostUSD: co.MonthlyCostUSD, UpfrontUSD: decimal.Zero,
			DecodeBasis: "unknown", ReplyBasis: "unknown", ScoreBasis: "unknown", Tier: tier[co.Model]}
		if co.ReplySeconds != nil {
			v := round2(*co.ReplySeconds)
			o.ReplySeconds, o.ReplyBasis = &v, "measured"
		} else if c.MaxLatencySeconds > 0 {
			unknownLatency++
		}
		if c.MinScore != nil {
			o.Benchmark, o.ScoreBasis = c.MinScore.Benchmark, "assumed"
			if o.Tier == "" {
				o.Tier = "frontier"
			}
		}
		opts = append(opts, o)
	}

	for _, s := range cands.ShortContext {
		_ = s
		ex.add("open_model", fmt.Sprintf("maximum context below %s tokens", decide.FormatContextTokens(cands.Context)))
	}
	for _, s := range cands.Skipped {
		if s.Fail == "accuracy" {
			ex.add("local", accuracyReason(s.Score, q))
			continue
		}
		ex.add("local", s.Why)
	}
	for _, lo := range cands.Local {
		if why := localFailure(lo, q, c); why != "" {
			ex.add("local", why)
			continue
		}
		dec, reply := round1(lo.DecodeTPS), round2(lo.ReplySeconds)
		util := lo.Utilization
		o := Option{Kind: "local", Model: lo.Model, Provider: lo.Provider, Quant: lo.Quant, GPU: lo.GPU, GPUs: lo.GPUs,
			GPUsPerReplica: lo.GPUsPerReplica, Replicas: lo.Replicas, Concurrency: lo.Concurrency, Mode: lo.Mode,
			MonthlyCostUSD: lo.MonthlyCostUSD, UpfrontUSD: lo.UpfrontUSD, Utilization: &util,
			DecodeTPS: &dec, DecodeBasis: lo.DecodeBasis(), ReplySeconds: &reply, ReplyBasis: "estimated",
			Benchmark: lo.Benchmark, Score: lo.Score, ScoreBasis: "unknown", Notes: lo.Notes()}
		if lo.Score != nil {
			o.ScoreBasis = "published"
		}
		opts = append(opts, o)
	}

	// Cheapest first; then the faster reply (unknown last); then by name,
	// so equal options always come out in the same order.
	sort.SliceStable(opts, func(i, j int) bool {
		a, b := opts[i], opts[j]
		if cmp := a.MonthlyCostUSD.Cmp(b.MonthlyCostUSD); cmp != 0 {
			return cmp < 0
		}
		ra, rb := replyOrInf(a), replyOrInf(b)
		if ra != rb {
			return ra < rb
		}
		return a.label() < b.label()
	})
	res.Eligible = len(opts)
	if c.Top > 0 && len(opts) > c.Top {
		opts = opts[:c.Top]
	}
	for i := range opts {
		opts[i].Rank = i + 1
	}
	res.Options = append(res.Options, opts...)
	res.Excluded = ex.sorted()

	// Notes: what the ranking rests on.
	if unknownLatency > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("the catalog has no measured latency for %d cloud model(s): their reply time is unknown and --max-latency does not exclude them (measure one with llmcost route or bench)", unknownLatency))
	}
	if c.MinScore != nil && len(cloudIDs) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("the catalog has no %s scores for cloud models: frontier-tier models are assumed to reach %s %g", c.MinScore.Benchmark, c.MinScore.Benchmark, c.MinScore.Score))
	}
	if c.MinScore == nil && c.Task != "" {
		res.Notes = append(res.Notes, fmt.Sprintf("open models need %s %g for %s (the good-enough bar decide uses; --min-score sets another)", q.Benchmark, q.MinScore, c.Task))
	}
	if c.MinScore == nil && c.Task == "" {
		res.Notes = append(res.Notes, "no --task or --min-score: no quality bar; cloud models are unscored, open models show their "+DefaultBenchmark+" score where published")
	}
	if privacy == decide.PrivacyContractual {
		res.Notes = append(res.Notes, "contractual privacy: a cloud option needs the provider's data-processing terms (zero data retention, no training on prompts)")
	}
	res.Notes = append(res.Notes,
		fmt.Sprintf("local: owned = bought and amortized + energy; rented = per GPU-hour; priced serving Batch requests at once (the most the memory holds, up to 8); reply = %d-token prompt / prefill + %d tokens / batch-1 decode, one request alone, estimated from memory bandwidth or a catalog benchmark", cands.Prompt, cands.Output))
	if res.Eligible > len(res.Options) {
		res.Notes = append(res.Notes, fmt.Sprintf("%d of %d options that meet the constraints are listed (--top)", len(res.Options), res.Eligible))
	}
	return res, nil
}

// localFailure says why a local option does not qualify, in words that
// count well (no per-option numbers), or "".
func localFailure(o *decide.LocalOption, q decide.Query, c Constraints) string {
	switch o.Fail() {
	case "":
		return ""
	case "accuracy":
		return accuracyReason(o.Score, q)
	case "latency":
		return fmt.Sprintf("estimated reply time above %g s", c.MaxLatencySeconds)
	case "ttft":
		return "time to first token above the target"
	case "capacity":
		return "needs more GPUs than owned, and the catalog has no price to buy more"
	}
	return o.Fail()
}

func accuracyReason(score *float64, q decide.Query) string {
	if score == nil {
		return fmt.Sprintf("no published %s score in the catalog", q.Benchmark)
	}
	return fmt.Sprintf("%s below %g", q.Benchmark, q.MinScore)
}

func (o Option) label() string {
	return strings.Join([]string{o.Kind, o.Model, o.Quant, o.GPU, fmt.Sprint(o.GPUs), o.Mode, o.Provider}, "|")
}

func replyOrInf(o Option) float64 {
	if o.ReplySeconds == nil {
		return math.Inf(1)
	}
	return *o.ReplySeconds
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
func round2(v float64) float64 { return math.Round(v*100) / 100 }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type counter struct {
	order []Exclusion
	index map[[2]string]int
}

func newCounter() *counter { return &counter{index: map[[2]string]int{}} }

func (c *counter) add(kind, reason string) {
	k := [2]string{kind, reason}
	if i, ok := c.index[k]; ok {
		c.order[i].Count++
		return
	}
	c.index[k] = len(c.order)
	c.order = append(c.order, Exclusion{Kind: kind, Reason: reason, Count: 1})
}

// sorted: most common first; ties by kind and reason.
func (c *counter) sorted() []Exclusion {
	out := slices.Clone(c.order)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Reason < out[j].Reason
	})
	if out == nil {
		out = []Exclusion{}
	}
	return out
}

// FormatOption is a short description for people: "llama-3.1-8b q4_k_m on
// 1x rtx-4090 (owned)" or "gpt-5-nano (openai)".
func FormatOption(o Option) string {
	if o.Kind == "cloud" {
		return fmt.Sprintf("%s (%s)", o.Model, o.Provider)
	}
	mode := o.Mode
	if o.Mode == decide.ModeRented && o.Provider != "" {
		mode = "rented, " + o.Provider
	}
	if o.Mode == decide.ModeSunk {
		mode = "already owned"
	}
	return fmt.Sprintf("%s %s on %dx %s (%s)", o.Model, o.Quant, o.GPUs, o.GPU, mode)
}

// Summary is one line for people: the cheapest option and what it costs.
func Summary(r *Result) string {
	if len(r.Options) == 0 {
		return "no option meets every constraint"
	}
	o := r.Options[0]
	return fmt.Sprintf("cheapest that meets every constraint at %s tokens/month: %s, %s/month", units.FormatTokens(r.Workload.TokensPerMonth), FormatOption(o), units.FormatUSD(o.MonthlyCostUSD))
}
