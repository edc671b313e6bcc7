package route

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/route/pii"
	"github.com/shopspring/decimal"
)

// Pricer prices token usage from the catalog: the rates in force at
// time at, applied to the reported usage (cache reads, writes, reasoning
// and long-context tiers included). An unpriced token kind is an error.
type Pricer interface {
	PriceCloud(catalogID string, at time.Time, u backend.Usage) (decimal.Decimal, error)
}

// RecordWriter is where records go (a *ledger.Writer).
type RecordWriter interface {
	Write(r *ledger.Record) error
}

// PromptSource yields prompts until io.EOF (a *PromptReader).
type PromptSource interface {
	Next() (Prompt, error)
}

// DefaultDryRunOutputTokens is the output assumed by --dry-run for a
// prompt without max_tokens when the run has no default either.
const DefaultDryRunOutputTokens = 256

// Runner sends prompts through a policy's backends.
type Runner struct {
	Policy   *Policy
	Backends map[string]backend.Backend // by policy backend name; unused in a dry run
	Pricer   Pricer
	Log      RecordWriter

	Concurrency      int                 // workers; default 4
	Retry            backend.RetryPolicy // Sleep must be injected in tests
	Now              func() time.Time    // default time.Now
	Stream           bool                // stream responses (measures TTFT)
	LogPrompts       bool                // put prompt text in records
	DryRun           bool                // send nothing; count tokens and price
	DefaultMaxTokens int                 // for prompts without max_tokens; 0 = server default
	Tokens           TokenCounter        // dry run; default tiktoken, loaded on first use
	// Skip reports ids already finished (--resume); they are not sent.
	Skip func(id string) bool
	// Drain lets requests in flight at cancellation finish for this long;
	// after it they are cancelled and recorded as interrupted.
	Drain time.Duration
	// OnRecord is told about each record after it is written (progress).
	// Calls are serialised.
	OnRecord func(r *ledger.Record)
	// OnSkip is told about each prompt Skip passed over (progress).
	OnSkip func(id string)
	// Detect finds personal data in a prompt (default pii.Kinds).
	Detect func(text string) []string
}

// Summary of a run, per backend and in total.
type Summary struct {
	DryRun      bool             `json:"dry_run"`
	Interrupted bool             `json:"interrupted"`
	Skipped     int64            `json:"skipped"` // already done (--resume)
	Backends    []BackendSummary `json:"backends"`
	Total       BackendSummary   `json:"total"`
}

// BackendSummary is what one backend did.
type BackendSummary struct {
	Backend     string `json:"backend"`
	Source      string `json:"source,omitempty"`
	Model       string `json:"model,omitempty"`
	Requests    int64  `json:"requests"`
	OK          int64  `json:"ok"`
	Errors      int64  `json:"errors"`
	Interrupted int64  `json:"interrupted"`
	Escalated   int64  `json:"escalated"` // answers replaced by the fallback backend

	InputTokens   int64 `json:"input_tokens"`
	OutputTokens  int64 `json:"output_tokens"`
	MissingTokens int64 `json:"missing_token_counts"` // records whose usage was not reported

	P50LatencyMs *float64 `json:"p50_latency_ms"`
	P95LatencyMs *float64 `json:"p95_latency_ms"`
	P50TTFTMs    *float64 `json:"p50_ttft_ms"`
	P95TTFTMs    *float64 `json:"p95_ttft_ms"`
	DecodeTPS    *float64 `json:"decode_tokens_per_second"`

	CostUSD          *ledger.USD `json:"cost_usd"`     // sum of known costs; null when none is known
	CostMissing      int64       `json:"cost_missing"` // requests whose cost is unknown (not counted as $0)
	EstimatedCostUSD *ledger.USD `json:"estimated_cost_usd"`
	DifferenceUSD    *ledger.USD `json:"difference_usd"` // cost - estimate
}

func summarize(t *ledger.Totals, name string) BackendSummary {
	s := BackendSummary{
		Backend: name, Requests: t.Requests, OK: t.OK, Errors: t.Errors, Interrupted: t.Interrupted,
		Escalated: t.Escalated, InputTokens: t.InputTokens, OutputTokens: t.OutputTokens,
		MissingTokens: max(t.MissingInput, t.MissingOutput),
		CostMissing:   t.CostMissing,
	}
	if t.Priced > 0 || t.CostMissing == 0 {
		s.CostUSD = ledger.NewUSD(t.CostUSD)
	}
	pct := func(xs ledger.Samples, p float64) *float64 {
		if v, ok := xs.Percentile(p); ok {
			return &v
		}
		return nil
	}
	s.P50LatencyMs, s.P95LatencyMs = pct(t.Latency, 50), pct(t.Latency, 95)
	s.P50TTFTMs, s.P95TTFTMs = pct(t.TTFT, 50), pct(t.TTFT, 95)
	if v, ok := t.DecodeTokensPerSecond(); ok {
		s.DecodeTPS = &v
	}
	if t.EstimateMissing == 0 && t.OK > 0 {
		s.EstimatedCostUSD = ledger.NewUSD(t.EstimatedCostUSD)
		if t.CostMissing == 0 {
			s.DifferenceUSD = ledger.NewUSD(t.CostUSD.Sub(t.EstimatedCostUSD))
		}
	}
	return s
}

// run-scoped state.
type run struct {
	*Runner
	reqCtx  context.Context
	limits  map[string]limits
	meters  map[string]*busyMeter
	mu      sync.Mutex // guards groups, writeErr, OnRecord
	groups  *ledger.Groups
	writeEr error
	skipped int64
}

// Run routes every prompt from src. It returns when src is exhausted or
// ctx is cancelled (then ctx.Err() is returned with the summary of what
// was done), or on an input or ledger error. Every prompt that was
// dispatched gets exactly one record, written as it completes.
func (r *Runner) Run(ctx context.Context, src PromptSource) (*Summary, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	reqCtx, cancelReq := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReq()
	stopDrain := context.AfterFunc(ctx, func() {
		if r.Drain <= 0 {
			cancelReq()
			return
		}
		time.AfterFunc(r.Drain, cancelReq)
	})
	defer stopDrain()

	st := &run{Runner: r, reqCtx: reqCtx, limits: map[string]limits{}, meters: map[string]*busyMeter{},
		groups: ledger.NewGroups(ledger.ByBackend)}
	for i := range r.Policy.Backends {
		b := &r.Policy.Backends[i]
		st.limits[b.Name] = newLimits(b.RPM, b.TPM)
		st.meters[b.Name] = newBusyMeter(r.Now)
	}

	// Dispatch ends on its own when the run stops; each job is handed to
	// a ready worker (unbuffered), so nothing is queued but unstarted.
	dispatchCtx, stopDispatch := context.WithCancel(ctx)
	defer stopDispatch()
	jobs := make(chan Prompt)
	var wg sync.WaitGroup
	for range r.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if rec := st.process(p); rec != nil && st.write(rec) != nil {
					stopDispatch()
				}
			}
		}()
	}
	var inputErr error
dispatch:
	for {
		p, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			inputErr = err
			break
		}
		if r.Skip != nil && r.Skip(p.ID) {
			st.skipped++
			if r.OnSkip != nil {
				r.OnSkip(p.ID)
			}
			continue
		}
		select {
		case jobs <- p:
		case <-dispatchCtx.Done():
			break dispatch
		}
	}
	close(jobs)
	wg.Wait()

	sum := st.summary()
	sum.Interrupted = ctx.Err() != nil
	switch {
	case st.writeEr != nil:
		return sum, st.writeEr
	case inputErr != nil:
		return sum, inputErr
	case ctx.Err() != nil:
		return sum, ctx.Err()
	}
	return sum, nil
}

func (r *Runner) check() error {
	if r.Policy == nil || r.Log == nil {
		return errors.New("route: runner needs a policy and a log")
	}
	if r.Concurrency <= 0 {
		r.Concurrency = 4
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Detect == nil {
		r.Detect = pii.Kinds
	}
	if r.DryRun {
		if r.Tokens == nil {
			r.Tokens = &Tiktoken{}
		}
		return nil
	}
	for _, b := range r.Policy.Backends {
		if r.Backends[b.Name] == nil {
			return fmt.Errorf("route: no client for backend %q", b.Name)
		}
	}
	return nil
}

func (st *run) write(rec *ledger.Record) error {
	err := st.Log.Write(rec)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err != nil {
		if st.writeEr == nil {
			st.writeEr = err
		}
		return err
	}
	st.groups.Add(rec)
	if st.OnRecord != nil {
		st.OnRecord(rec)
	}
	return nil
}

func (st *run) summary() *Summary {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := &Summary{DryRun: st.DryRun, Skipped: st.skipped, Backends: []BackendSummary{}}
	for _, k := range st.groups.Keys() {
		bs := summarize(st.groups.Get(k), k)
		if pb := st.Policy.Backend(k); pb != nil {
			bs.Source, bs.Model = pb.Source, pb.Model
		}
		s.Backends = append(s.Backends, bs)
	}
	s.Total = summarize(st.groups.Total(), "total")
	return s
}

// process routes one prompt and returns its record (nil: interrupted
// before anything was sent, so the prompt stays pending for --resume).
func (st *run) process(p Prompt) *ledger.Record {
	kinds := st.Detect(p.Text)
	if p.PII {
		kinds = append([]string{"flagged"}, kinds...)
	}
	isPII := len(kinds) > 0
	d := st.Policy.Route(p.Task, isPII)
	rec := &ledger.Record{TS: st.Now().UTC(), ID: p.ID, Task: p.Task, PII: kinds, RouteReason: d.Reason}
	if st.LogPrompts {
		text := p.Text
		rec.Prompt = &text
	}
	if d.Backend == nil {
		rec.Status, rec.Error = ledger.StatusError, d.Err
		return rec
	}
	pb := d.Backend
	rec.Backend, rec.Model, rec.Source = pb.Name, pb.Model, pb.Source
	if st.DryRun {
		st.dryRun(rec, pb, p)
		return rec
	}

	first := st.call(pb, p, isPII)
	if !first.sent && first.interrupted {
		return nil
	}
	first.fill(rec)
	if first.err != nil {
		return rec
	}
	fb := st.Policy.Fallback
	if fb != nil && fb.From == pb.Name && !isPII && first.conf == nil {
		rec.RouteReason += "; no logprobs in the answer, so fallback was not evaluated"
	}
	if fb == nil || fb.From != pb.Name || isPII || first.conf == nil || first.conf.Score >= fb.MinConfidence {
		return rec
	}
	to := st.Policy.Backend(fb.To)
	second := st.call(to, p, isPII)
	leg := first.leg(pb)
	reason := fmt.Sprintf("%s; fallback: confidence %.3f < %g", d.Reason, first.conf.Score, fb.MinConfidence)
	if second.interrupted {
		// Not final: --resume asks both again. The local answer's cost stays
		// in the log through the leg.
		*rec = ledger.Record{TS: rec.TS, ID: p.ID, Task: p.Task, PII: kinds, Prompt: rec.Prompt,
			Backend: to.Name, Model: to.Model, Source: to.Source, FallbackFrom: pb.Name, Escalated: leg, RouteReason: reason}
		second.fill(rec)
		return rec
	}
	if second.err != nil {
		// The local answer stands; say why it was not replaced.
		rec.RouteReason += fmt.Sprintf("; fallback to %q (confidence %.3f < %g) failed: %s", to.Name, first.conf.Score, fb.MinConfidence, second.errText())
		return rec
	}
	*rec = ledger.Record{TS: rec.TS, ID: p.ID, Task: p.Task, PII: kinds, Prompt: rec.Prompt,
		Backend: to.Name, Model: to.Model, Source: to.Source, FallbackFrom: pb.Name, Escalated: leg, RouteReason: reason}
	second.fill(rec)
	rec.Confidence, rec.MinLogprob = leg.Confidence, leg.MinLogprob // the confidence that triggered it
	return rec
}

// result is one backend call (with its retries).
type result struct {
	start       time.Time
	resp        backend.Response
	attempts    int
	err         error
	sent        bool
	interrupted bool
	busy        time.Duration
	cost        *ledger.USD
	estimate    *ledger.USD
	costNote    string
	conf        *Confidence
}

// call sends p to pb with retries, rate limits and busy metering.
func (st *run) call(pb *PolicyBackend, p Prompt, isPII bool) *result {
	res := &result{start: st.Now()}
	if isPII && pb.Cloud() {
		// Route never does this; this is the single choke point that makes
		// sure no path (rule, fallback, retry) ever can.
		res.err = fmt.Errorf("refused: prompt contains personal data and %q is a cloud backend", pb.Name)
		return res
	}
	if isPII && pb.CloudHost() {
		// Defence in depth: the label is the policy's word; the URL is where
		// the prompt would actually go.
		res.err = fmt.Errorf("refused: prompt contains personal data and %q sends to %s, a cloud API, whatever its source label", pb.Name, pb.Host())
		return res
	}
	maxTokens := p.MaxTokens
	if maxTokens == 0 {
		maxTokens = st.DefaultMaxTokens
	}
	req := backend.Request{ID: p.ID, Prompt: p.Text, MaxTokens: maxTokens, Logprobs: pb.RequestLogprobs(), Stream: st.Stream}
	ab := &attempt{inner: st.Backends[pb.Name], limits: st.limits[pb.Name], meter: st.meters[pb.Name],
		tokens: len(p.Text)/4 + max(maxTokens, DefaultDryRunOutputTokens), res: res}
	res.resp, res.attempts, res.err = backend.Do(st.reqCtx, ab, req, st.Retry)
	res.interrupted = res.err != nil && st.reqCtx.Err() != nil
	st.price(pb, res)
	if res.err == nil {
		if c, ok := ConfidenceOf(res.resp.Logprobs); ok {
			res.conf = &c
		}
	}
	return res
}

// attempt wraps a backend for one prompt: each attempt waits for the
// rate limits, and local busy time is metered around the request itself.
type attempt struct {
	inner  backend.Backend
	limits limits
	meter  *busyMeter
	tokens int
	res    *result
}

func (a *attempt) Name() string { return a.inner.Name() }

func (a *attempt) Complete(ctx context.Context, req backend.Request) (backend.Response, error) {
	if err := a.limits.wait(ctx, a.tokens); err != nil {
		return backend.Response{}, &backend.Error{Backend: a.inner.Name(), Code: backend.CodeCanceled, Message: "stopped while waiting for the rate limit"}
	}
	if ctx.Err() != nil {
		// Stopped before sending (a backend without rate limits does not
		// wait): nothing was sent, so the prompt stays pending, unlogged.
		return backend.Response{}, &backend.Error{Backend: a.inner.Name(), Code: backend.CodeCanceled, Message: "stopped before sending"}
	}
	a.res.sent = true
	id := a.meter.begin()
	resp, err := a.inner.Complete(ctx, req)
	a.res.busy += a.meter.end(id)
	return resp, err
}

func (st *run) price(pb *PolicyBackend, res *result) {
	u := res.resp.Usage
	switch {
	case pb.HourlyUSD != nil:
		// The machine was busy whether or not the answer was good.
		if res.sent {
			c := pb.HourlyUSD.Mul(decimal.NewFromInt(int64(res.busy))).Div(decimal.NewFromInt(int64(time.Hour)))
			res.cost = ledger.NewUSD(c)
		}
	case res.err != nil:
		if res.sent {
			res.costNote = "request failed; usage unknown"
		}
	case u.InputTokens == nil || u.OutputTokens == nil:
		res.costNote = "backend did not report " + missingUsage(u) + "; cost unknown (not $0)"
	case st.Pricer == nil:
		res.costNote = "no price catalog"
	default:
		c, err := st.Pricer.PriceCloud(pb.Price, res.start, u)
		if err != nil {
			res.costNote = "pricing: " + err.Error()
		} else {
			res.cost = ledger.NewUSD(c)
		}
		// The catalog's plain estimate for the same token counts, as
		// `estimate` would compute it (no cache split).
		if e, err := st.Pricer.PriceCloud(pb.Price, res.start, backend.Usage{InputTokens: u.InputTokens, OutputTokens: u.OutputTokens}); err == nil {
			res.estimate = ledger.NewUSD(e)
		}
	}
}

func missingUsage(u backend.Usage) string {
	var m []string
	if u.InputTokens == nil {
		m = append(m, "input_tokens")
	}
	if u.OutputTokens == nil {
		m = append(m, "output_tokens")
	}
	return strings.Join(m, " and ")
}

func (res *result) errText() string {
	if res.interrupted {
		return ledger.ErrInterrupted
	}
	if res.err == nil {
		return ""
	}
	return res.err.Error()
}

func (res *result) fill(rec *ledger.Record) {
	rec.Attempts = res.attempts
	rec.CostUSD, rec.EstimatedCostUSD, rec.CostNote = res.cost, res.estimate, res.costNote
	if res.busy > 0 {
		rec.BusyMs = ledger.Float(ledger.Ms(res.busy))
	}
	if res.err != nil {
		rec.Status, rec.Error = ledger.StatusError, res.errText()
		rec.Interrupted = res.interrupted
		var be *backend.Error
		rec.Retryable = errors.As(res.err, &be) && be.Retryable
		return
	}
	rec.Status = ledger.StatusOK
	u := res.resp.Usage
	rec.InputTokens, rec.OutputTokens, rec.CachedTokens, rec.ReasoningTokens = u.InputTokens, u.OutputTokens, u.CachedTokens, u.ReasoningTokens
	rec.CacheWriteTokens = u.CacheWriteTokens
	rec.LatencyMs = ledger.Float(ledger.Ms(res.resp.Latency))
	if res.resp.TTFT > 0 {
		rec.TTFTMs = ledger.Float(ledger.Ms(res.resp.TTFT))
	}
	rec.FinishReason = res.resp.FinishReason
	if res.resp.Model != "" {
		rec.Model = res.resp.Model
	}
	if res.conf != nil {
		rec.Confidence, rec.MinLogprob = ledger.Float(res.conf.Score), ledger.Float(res.conf.Min)
	}
}

func (res *result) leg(pb *PolicyBackend) *ledger.Leg {
	var r ledger.Record
	res.fill(&r)
	return &ledger.Leg{Backend: pb.Name, Model: r.Model, Source: pb.Source, Attempts: r.Attempts,
		InputTokens: r.InputTokens, OutputTokens: r.OutputTokens, CachedTokens: r.CachedTokens,
		ReasoningTokens: r.ReasoningTokens, TTFTMs: r.TTFTMs, LatencyMs: r.LatencyMs, BusyMs: r.BusyMs,
		CostUSD: r.CostUSD, CostNote: r.CostNote, Confidence: r.Confidence, MinLogprob: r.MinLogprob}
}

// dryRun fills rec with a local token count and a price, sending nothing.
func (st *run) dryRun(rec *ledger.Record, pb *PolicyBackend, p Prompt) {
	rec.DryRun, rec.Status, rec.TokensEstimated = true, ledger.StatusOK, true
	in, exact, err := st.Tokens.Count(pb.Model, p.Text)
	if err != nil {
		rec.Status, rec.Error = ledger.StatusError, "counting tokens: "+err.Error()
		return
	}
	out := p.MaxTokens
	if out == 0 {
		out = st.DefaultMaxTokens
	}
	if out == 0 {
		out = DefaultDryRunOutputTokens
	}
	rec.InputTokens, rec.OutputTokens = ledger.Int64(int64(in)), ledger.Int64(int64(out))
	note := fmt.Sprintf("dry run: output assumed %d tokens", out)
	if !exact {
		note += "; input counted with an OpenAI tokenizer, an estimate for " + pb.Model
	}
	switch {
	case pb.HourlyUSD != nil:
		note += "; local cost needs busy time from a real run"
	case st.Pricer == nil:
		note += "; no price catalog"
	default:
		c, err := st.Pricer.PriceCloud(pb.Price, rec.TS, backend.Usage{InputTokens: rec.InputTokens, OutputTokens: rec.OutputTokens})
		if err != nil {
			note += "; pricing: " + err.Error()
		} else {
			rec.CostUSD, rec.EstimatedCostUSD = ledger.NewUSD(c), ledger.NewUSD(c)
		}
	}
	rec.CostNote = note
}
