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
	// Admit, when set, may refuse a request or move it to another backend
	// before it is sent (the proxy's live budget). note goes into the
	// record's route reason. It is never asked to move PII to the cloud,
	// and serve ignores such an answer.
	Admit func(pb *PolicyBackend, in *Input, pii bool) (alt *PolicyBackend, note string, err error)
}

// Summary of a run, per backend and in total.
type Summary struct {
	DryRun      bool  `json:"dry_run"`
	Interrupted bool  `json:"interrupted"`
	Skipped     int64 `json:"skipped"` // already done (--resume)
	// Unlogged are answers (counted below: sent and billed) whose record
	// the ledger could not take; --resume runs their prompts again.
	Unlogged int64            `json:"unlogged"`
	Backends []BackendSummary `json:"backends"`
	Total    BackendSummary   `json:"total"`
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
	reqCtx   context.Context
	limits   map[string]limits
	meters   map[string]*busyMeter
	mu       sync.Mutex // guards groups, writeErr, OnRecord
	groups   *ledger.Groups
	writeEr  error
	unlogged int64 // records the ledger refused (counted in groups)
	skipped  int64
	tokMu    sync.Mutex
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
	// The request was made either way: the summary counts it (its cost
	// was spent) even when the ledger could not take its record.
	st.groups.Add(rec)
	if err != nil {
		if st.writeEr == nil {
			st.writeEr = err
		}
		st.unlogged++
		return err
	}
	if st.OnRecord != nil {
		st.OnRecord(rec)
	}
	return nil
}

func (st *run) summary() *Summary {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := &Summary{DryRun: st.DryRun, Skipped: st.skipped, Unlogged: st.unlogged, Backends: []BackendSummary{}}
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

// Input is one request to route, from a prompts file or from the proxy:
// both go through serve, so the rules, the PII invariant, fallback,
// retries and pricing are one code path.
type Input struct {
	ID, Task string
	// Flagged: the caller marked the request as personal data ("pii":
	// true in a prompts file, X-Llmcost-Pii: true on the proxy).
	Flagged bool
	// Texts are scanned for personal data: every message, system prompt
	// and tool result. Nil: Req.Prompt alone.
	Texts []string
	// Backend names the policy backend the caller asked for ("" = the
	// rules decide). A cloud backend asked for a PII request is replaced
	// by the rules' local choice.
	Backend string
	// Req is what is sent (Logprobs is set from the policy).
	Req backend.Request
	// Committed reports whether part of the answer already reached the
	// client: from then on nothing is retried or replaced.
	Committed func() bool
	// NoFallback skips confidence fallback (streamed answers are the
	// client's as they arrive).
	NoFallback bool

	// Chosen, when set, is told which backend each call goes to, just
	// before it is sent (the proxy names the model in its stream head).
	Chosen func(pb *PolicyBackend)

	// Wire, when set, is the only backend api this input may be sent to:
	// a request relayed unchanged in the client's wire format
	// (Req.Native). A backend of another api chosen by the rules, the
	// model asked for, the PII rule or the budget is refused, unsent,
	// with a *WireError.
	Wire string
	// Refuse, when set, names what of this input a backend of the given
	// api cannot carry ("" = nothing): such a backend is refused, unsent,
	// with a *WireError, as for Wire.
	Refuse func(api string) string

	lastErr error // the last backend call's error
}

// WireError refuses an input whose Wire the chosen backend does not speak.
type WireError struct {
	Backend, API, Wire string
	Reason             string // set when Input.Refuse refused it
}

func (e *WireError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("backend %q speaks the %s wire, which cannot carry %s; not sent", e.Backend, e.API, e.Reason)
	}
	return fmt.Sprintf("backend %q speaks the %s wire; this %s request can only be relayed unchanged to a backend of its own wire; not sent", e.Backend, e.API, e.Wire)
}

// wireRefusal is the WireError for sending in to pb, nil when allowed.
func wireRefusal(in *Input, pb *PolicyBackend) *WireError {
	if in.Wire != "" && pb.API != in.Wire {
		return &WireError{Backend: pb.Name, API: pb.API, Wire: in.Wire}
	}
	if in.Refuse != nil {
		if why := in.Refuse(pb.API); why != "" {
			return &WireError{Backend: pb.Name, API: pb.API, Wire: in.Wire, Reason: why}
		}
	}
	return nil
}

// AdmitError is an Admit refusal (the proxy answers it with 429).
type AdmitError struct{ Err error }

func (e *AdmitError) Error() string { return e.Err.Error() }
func (e *AdmitError) Unwrap() error { return e.Err }

func (in *Input) promptText() string {
	if len(in.Texts) == 0 {
		return in.Req.Prompt
	}
	return strings.Join(in.Texts, "\n")
}

// process routes one prompt of a file.
func (st *run) process(p Prompt) *ledger.Record {
	maxTokens := p.MaxTokens
	if maxTokens == 0 {
		maxTokens = st.DefaultMaxTokens
	}
	rec, _ := st.serve(st.reqCtx, &Input{ID: p.ID, Task: p.Task, Flagged: p.PII,
		Req: backend.Request{ID: p.ID, Prompt: p.Text, MaxTokens: maxTokens, Stream: st.Stream}})
	return rec
}

// detect is the PII kinds found in the input ("flagged" first when the
// caller said so).
func (st *run) detect(in *Input) []string {
	var kinds []string
	if in.Flagged {
		kinds = append(kinds, "flagged")
	}
	if len(in.Texts) == 0 {
		return append(kinds, st.Detect(in.Req.Prompt)...)
	}
	seen := map[string]bool{}
	for _, t := range in.Texts {
		for _, k := range st.Detect(t) {
			if !seen[k] {
				seen[k] = true
				kinds = append(kinds, k)
			}
		}
	}
	return kinds
}

// decide picks the backend: the one asked for, unless that would send
// personal data to the cloud, else the rules.
func (st *run) decide(in *Input, isPII bool) Decision {
	if in.Backend != "" {
		pb := st.Policy.Backend(in.Backend)
		if pb != nil && !(isPII && pb.Cloud()) {
			return Decision{Backend: pb, Reason: fmt.Sprintf("model %q asked for it", in.Backend)}
		}
		d := st.Policy.Route(in.Task, isPII)
		d.Reason = fmt.Sprintf("pii: model %q asked for cloud; %s", in.Backend, d.Reason)
		return d
	}
	return st.Policy.Route(in.Task, isPII)
}

// serve routes one input and returns its record (nil: interrupted
// before anything was sent, so a prompt stays pending for --resume) and
// the answer the record describes.
func (st *run) serve(ctx context.Context, in *Input) (*ledger.Record, backend.Response) {
	kinds := st.detect(in)
	isPII := len(kinds) > 0
	d := st.decide(in, isPII)
	rec := &ledger.Record{TS: st.Now().UTC(), ID: in.ID, Task: in.Task, PII: kinds, RouteReason: d.Reason}
	if st.LogPrompts {
		text := in.promptText()
		rec.Prompt = &text
	}
	if d.Backend == nil {
		rec.Status, rec.Error = ledger.StatusError, d.Err
		return rec, backend.Response{}
	}
	pb := d.Backend
	if st.Admit != nil {
		alt, note, err := st.Admit(pb, in, isPII)
		if err != nil {
			rec.Backend, rec.Model, rec.Source = pb.Name, pb.Model, pb.Source
			rec.Status, rec.Error = ledger.StatusError, err.Error()
			if note != "" {
				rec.RouteReason += "; " + note
			}
			in.lastErr = &AdmitError{Err: err}
			return rec, backend.Response{}
		}
		if alt != nil && alt != pb {
			if isPII && alt.Cloud() {
				alt = pb // never: Admit only downgrades to local
			}
			if note != "" {
				rec.RouteReason += "; " + note
			}
			pb = alt
		}
	}
	rec.Backend, rec.Model, rec.Source = pb.Name, pb.Model, pb.Source
	if we := wireRefusal(in, pb); we != nil {
		rec.Status, rec.Error = ledger.StatusError, we.Error()
		in.lastErr = we
		return rec, backend.Response{}
	}
	if st.DryRun {
		st.dryRun(rec, pb, in.Req.Prompt, in.Req.MaxTokens)
		return rec, backend.Response{}
	}

	first := st.call(ctx, pb, in, isPII)
	if !first.sent && first.interrupted {
		return nil, backend.Response{}
	}
	first.fill(rec)
	if first.err != nil {
		return rec, backend.Response{}
	}
	fb := st.Policy.Fallback
	if in.NoFallback {
		return rec, first.resp
	}
	if fb != nil && fb.From == pb.Name && !isPII && first.conf == nil {
		rec.RouteReason += "; no logprobs in the answer, so fallback was not evaluated"
	}
	if fb == nil || fb.From != pb.Name || isPII || first.conf == nil || first.conf.Score >= fb.MinConfidence {
		return rec, first.resp
	}
	to := st.Policy.Backend(fb.To)
	second := st.call(ctx, to, in, isPII)
	leg := first.leg(pb)
	reason := fmt.Sprintf("%s; fallback: confidence %.3f < %g", d.Reason, first.conf.Score, fb.MinConfidence)
	if second.interrupted {
		// Not final: --resume asks both again. The local answer's cost stays
		// in the log through the leg.
		*rec = ledger.Record{TS: rec.TS, ID: in.ID, Task: in.Task, PII: kinds, Prompt: rec.Prompt,
			Backend: to.Name, Model: to.Model, Source: to.Source, FallbackFrom: pb.Name, Escalated: leg, RouteReason: reason}
		second.fill(rec)
		return rec, backend.Response{}
	}
	if second.err != nil {
		// The local answer stands; say why it was not replaced.
		rec.RouteReason += fmt.Sprintf("; fallback to %q (confidence %.3f < %g) failed: %s", to.Name, first.conf.Score, fb.MinConfidence, second.errText())
		return rec, first.resp
	}
	*rec = ledger.Record{TS: rec.TS, ID: in.ID, Task: in.Task, PII: kinds, Prompt: rec.Prompt,
		Backend: to.Name, Model: to.Model, Source: to.Source, FallbackFrom: pb.Name, Escalated: leg, RouteReason: reason}
	second.fill(rec)
	rec.Confidence, rec.MinLogprob = leg.Confidence, leg.MinLogprob // the confidence that triggered it
	return rec, second.resp
}

// result is one backend call (with its retries).
type result struct {
	start       time.Time
	resp        backend.Response
	badUsage    []string // usage fields the backend reported negative (dropped)
	attempts    int
	err         error
	sent        bool
	interrupted bool
	busy        time.Duration
	cost        *ledger.USD
	estimate    *ledger.USD
	costNote    string
	conf        *Confidence
	partial     *backend.Response // what a broken stream had delivered
	estimated   bool              // partial token counts were counted locally
}

// call sends in to pb with retries, rate limits and busy metering.
func (st *run) call(ctx context.Context, pb *PolicyBackend, in *Input, isPII bool) *result {
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
	if we := wireRefusal(in, pb); we != nil {
		res.err = we // the single choke point for the wire, as above for PII
		return res
	}
	if in.Chosen != nil {
		in.Chosen(pb)
	}
	req := in.Req
	// A Native request's body is the client's: no logprobs are added, so
	// confidence fallback never applies to it.
	req.Logprobs = pb.RequestLogprobs() && req.Native == nil
	chars := len(req.Prompt) + len(req.System)
	if req.Native != nil {
		chars += len(req.Native.Body)
	}
	for _, m := range req.Messages {
		chars += len(m.Content)
	}
	ab := &attempt{inner: st.Backends[pb.Name], limits: st.limits[pb.Name], meter: st.meters[pb.Name],
		tokens: chars/4 + max(req.MaxTokens, DefaultDryRunOutputTokens), res: res, committed: in.Committed}
	res.resp, res.attempts, res.err = backend.Do(ctx, ab, req, st.Retry)
	res.interrupted = res.err != nil && ctx.Err() != nil
	in.lastErr = res.err
	// A negative count is unknown, not a figure: never priced or logged
	// (the ledger's readers refuse one).
	res.badUsage = res.resp.Usage.DropNegative()
	var be *backend.Error
	if errors.As(res.err, &be) && be.Partial != nil {
		res.badUsage = append(res.badUsage, be.Partial.Usage.DropNegative()...)
		res.partial = st.estimatePartial(pb, in, be.Partial)
		res.estimated = res.partial != be.Partial
	}
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
	// committed: once true, a failure is not retried (the client has
	// part of the answer; a retry would send it twice).
	committed func() bool
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
	var be *backend.Error
	if err != nil && a.committed != nil && a.committed() && errors.As(err, &be) && be.Retryable {
		c := *be
		c.Retryable = false
		c.Message += " (not retried: part of the answer had reached the client)"
		return resp, &c
	}
	return resp, err
}

func (st *run) price(pb *PolicyBackend, res *result) {
	if bad := res.badUsage; len(bad) > 0 {
		defer func() {
			note := "backend reported negative " + strings.Join(bad, ", ") + ": taken as unknown"
			if res.costNote != "" {
				note = res.costNote + "; " + note
			}
			res.costNote = note
		}()
	}
	u := res.resp.Usage
	switch {
	case pb.HourlyUSD != nil:
		// The machine was busy whether or not the answer was good.
		if res.sent {
			c := pb.HourlyUSD.Mul(decimal.NewFromInt(int64(res.busy))).Div(decimal.NewFromInt(int64(time.Hour)))
			res.cost = ledger.NewUSD(c)
		}
	case res.err != nil && res.partial != nil && res.partial.Usage.InputTokens != nil && res.partial.Usage.OutputTokens != nil && st.Pricer != nil:
		c, err := st.Pricer.PriceCloud(pb.Price, res.start, res.partial.Usage)
		if err != nil {
			res.costNote = "pricing: " + err.Error()
		} else {
			res.cost = ledger.NewUSD(c)
			res.costNote = "cut short: priced the tokens delivered so far"
			if res.estimated {
				res.costNote += " (counted locally where the server had not reported them)"
			}
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
		// `estimate` would compute it (no cache split). Without cache or
		// reasoning tokens that is the cost itself (zero counts price
		// nothing), so it is not computed twice.
		if res.cost != nil && plainUsage(u) {
			res.estimate = ledger.NewUSD(res.cost.Decimal)
		} else if e, err := st.Pricer.PriceCloud(pb.Price, res.start, backend.Usage{InputTokens: u.InputTokens, OutputTokens: u.OutputTokens}); err == nil {
			res.estimate = ledger.NewUSD(e)
		}
	}
}

// plainUsage reports usage with no cached, cache-write or reasoning tokens.
func plainUsage(u backend.Usage) bool {
	zero := func(p *int64) bool { return p == nil || *p == 0 }
	return zero(u.CachedTokens) && zero(u.CacheWriteTokens) && zero(u.ReasoningTokens)
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
		if p := res.partial; p != nil {
			u := p.Usage
			rec.InputTokens, rec.OutputTokens, rec.CachedTokens, rec.CacheWriteTokens = u.InputTokens, u.OutputTokens, u.CachedTokens, u.CacheWriteTokens
			rec.TokensEstimated = res.estimated
			rec.LatencyMs = ledger.Float(ledger.Ms(p.Latency))
			if p.TTFT > 0 {
				rec.TTFTMs = ledger.Float(ledger.Ms(p.TTFT))
			}
		}
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
func (st *run) dryRun(rec *ledger.Record, pb *PolicyBackend, text string, maxTokens int) {
	rec.DryRun, rec.Status, rec.TokensEstimated = true, ledger.StatusOK, true
	in, exact, err := st.Tokens.Count(pb.Model, text)
	if err != nil {
		rec.Status, rec.Error = ledger.StatusError, "counting tokens: "+err.Error()
		return
	}
	out := maxTokens
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

// estimatePartial fills the token counts a broken stream had not reported
// yet (OpenAI sends usage last) by counting locally: the prompt for input,
// the text delivered for output. It returns p itself when nothing was
// missing.
func (st *run) estimatePartial(pb *PolicyBackend, in *Input, p *backend.Response) *backend.Response {
	if p.Usage.InputTokens != nil && p.Usage.OutputTokens != nil {
		return p
	}
	st.tokMu.Lock()
	if st.Tokens == nil {
		st.Tokens = &Tiktoken{}
	}
	tok := st.Tokens
	st.tokMu.Unlock()
	c := *p
	if c.Usage.InputTokens == nil {
		text := in.Req.System + "\n" + in.promptText()
		if n, _, err := tok.Count(pb.Model, text); err == nil {
			c.Usage.InputTokens = ledger.Int64(int64(n))
		}
	}
	if c.Usage.OutputTokens == nil {
		if n, _, err := tok.Count(pb.Model, c.Text); err == nil {
			c.Usage.OutputTokens = ledger.Int64(int64(n))
		}
	}
	return &c
}
