package decide

import (
	"fmt"
	"slices"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
)

// This file opens decide's option building to `llmcost recommend`, which
// ranks every option instead of picking one: the same cloud pricing, the
// same local setups (pkg/hardware sizing, pkg/cost prices), the same task
// tiers and quality bars.

// Query narrows the options Candidates builds.
type Query struct {
	// CloudIDs are the cloud models priced; nil = none.
	CloudIDs []string
	// GPUs are the catalog GPU ids local setups may use; nil = every GPU.
	GPUs []string
	// Quants are the quantizations tried; nil = each model's default.
	Quants []string
	// Benchmark ranks and filters open models; MinScore is the bar on it.
	// With ScoreRequired false a model without the score is kept (its
	// quality shows as unknown) and MinScore is ignored.
	Benchmark     string
	MinScore      float64
	ScoreRequired bool
}

// Skip is a (model, GPU) pair that got no local option, and why.
type Skip struct {
	Model, GPU, Why string
	// Fail is the model's own unmet requirement ("accuracy"), which comes
	// before any reason of the setup; "" when it has none.
	Fail  string
	Score *float64 // the model's score on the query's benchmark; nil = none published
}

// Candidates is every option for a workload, priced at its volume.
type Candidates struct {
	Cloud        []*CloudOption // cheapest first; Excluded says why one does not qualify
	CloudSkipped []string       // ids not in the catalog, retired or unpriced on the date
	Local        []*LocalOption // Fail says why one does not qualify
	ShortContext []string       // open models whose context is below the workload's, "id (8K)"
	Skipped      []Skip         // setups that never became an option
	Prompt       int64          // prompt tokens of one request
	Output       int64          // output tokens of one request
	Context      int64          // context tokens of one request
}

// BuildCandidates prices every cloud model of q.CloudIDs and every local
// setup of every open model on q.GPUs for answers a (volume, privacy,
// latency, context, owned GPUs) on date asOf. Nothing is ranked or chosen.
func BuildCandidates(cat *catalog.Catalog, asOf time.Time, a *Answers, q Query) (*Candidates, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	e, err := newEnv(cat, asOf, a)
	if err != nil {
		return nil, err
	}
	if q.GPUs != nil {
		e.gpuIDs = slices.Clone(q.GPUs)
	}
	if q.Quants != nil {
		e.quantIDs = slices.Clone(q.Quants)
	}
	e.scoreOptional = !q.ScoreRequired
	c := &Candidates{Prompt: e.prompt, Output: e.output, Context: e.context}
	e.onSkip = func(model, gpu, why, fail string) {
		var score *float64
		if om, err := cat.Open(model); err == nil && q.Benchmark != "" {
			score = scoreOf(om.Quality, q.Benchmark)
		}
		c.Skipped = append(c.Skipped, Skip{Model: model, GPU: gpu, Why: why, Fail: fail, Score: score})
	}
	T := a.Monthly()
	if len(q.CloudIDs) > 0 {
		c.Cloud, c.CloudSkipped = e.cloudOptions(q.CloudIDs, T)
	}
	minScore := q.MinScore
	if !q.ScoreRequired {
		minScore = 0
	}
	opts, short, err := e.localOptions(q.Benchmark, minScore, true)
	if err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := o.price(T); err != nil {
			return nil, err
		}
	}
	c.Local, c.ShortContext = opts, short
	return c, nil
}

// Fail is the first requirement the option misses: "" when it meets them
// all, else accuracy, latency, ttft or capacity.
func (o *LocalOption) Fail() string { return o.fail }

// DecodeBasis says whether DecodeTPS is a catalog measurement or an estimate.
func (o *LocalOption) DecodeBasis() string { return string(o.decodeBasis) }

// Notes are the unverified catalog values the option rests on.
func (o *LocalOption) Notes() []string { return slices.Clone(o.notes) }

// CloudCandidates are the cloud ids decide considers for a task at an
// accuracy: the value tier for good-enough, the frontier tier otherwise.
func CloudCandidates(t Task, acc Accuracy) []string {
	return slices.Clone(cloudCandidates(t, acc))
}

// TaskCloudModels are both tiers of a task's cloud candidates, value first.
func TaskCloudModels(t Task) []string {
	p := taskProfiles[t]
	return dedupe(append(slices.Clone(p.value), p.frontier...))
}

// FrontierModels are the frontier tiers of every task, deduplicated: the
// cloud models decide assumes meet a minimum score.
func FrontierModels() []string {
	var out []string
	for _, t := range Tasks {
		out = append(out, taskProfiles[Task(t)].frontier...)
	}
	return dedupe(out)
}

// TaskBar is the benchmark a task judges open models by and its
// good-enough score (mmlu 60 for classification, mmlu_pro 65 for code).
func TaskBar(t Task) (benchmark string, minScore float64, err error) {
	p, ok := taskProfiles[t]
	if !ok {
		return "", 0, fmt.Errorf("unknown task %q", t)
	}
	return p.benchmark, p.minScore, nil
}

func dedupe(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
