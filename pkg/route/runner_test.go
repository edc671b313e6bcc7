package route

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/route/pii"
	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"
)

// fakeBackend answers in-process and records what it received.
type fakeBackend struct {
	name    string
	mu      sync.Mutex
	got     []string
	respond func(ctx context.Context, req backend.Request) (backend.Response, error)
}

func (f *fakeBackend) Name() string { return f.name }

func (f *fakeBackend) Complete(ctx context.Context, req backend.Request) (backend.Response, error) {
	f.mu.Lock()
	f.got = append(f.got, req.Prompt)
	f.mu.Unlock()
	if f.respond != nil {
		return f.respond(ctx, req)
	}
	return okResponse(req, -0.05), nil
}

func (f *fakeBackend) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

func okResponse(req backend.Request, logprob float64) backend.Response {
	r := backend.Response{Text: "answer to " + req.ID, Latency: 20 * time.Millisecond,
		Usage: backend.Usage{InputTokens: ledger.Int64(int64(len(req.Prompt)/4 + 1)), OutputTokens: ledger.Int64(8)}}
	if req.Logprobs {
		r.Logprobs = []float64{logprob, logprob, logprob}
	}
	return r
}

// fakePricer: $1 per 1M input tokens, $2 per 1M output tokens, $0.1 per 1M cached.
type fakePricer struct{}

func (fakePricer) PriceCloud(id string, _ time.Time, u backend.Usage) (decimal.Decimal, error) {
	if id != "claude-haiku-4.5" {
		return decimal.Zero, fmt.Errorf("unknown model %q", id)
	}
	in := decimal.NewFromInt(*u.InputTokens)
	cached := decimal.Zero
	if u.CachedTokens != nil {
		cached = decimal.NewFromInt(*u.CachedTokens)
	}
	m := decimal.NewFromInt(1_000_000)
	return in.Sub(cached).Add(cached.Mul(decimal.RequireFromString("0.1"))).Add(decimal.NewFromInt(*u.OutputTokens).Mul(decimal.NewFromInt(2))).Div(m), nil
}

// memLog collects records.
type memLog struct {
	mu   sync.Mutex
	recs []ledger.Record
}

func (m *memLog) Write(r *ledger.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, *r)
	return nil
}

func (m *memLog) byID() map[string][]ledger.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string][]ledger.Record{}
	for _, r := range m.recs {
		out[r.ID] = append(out[r.ID], r)
	}
	return out
}

type sliceSource struct {
	ps []Prompt
	i  int
}

func (s *sliceSource) Next() (Prompt, error) {
	if s.i >= len(s.ps) {
		return Prompt{}, io.EOF
	}
	s.i++
	return s.ps[s.i-1], nil
}

func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func mustPolicy(t testing.TB, y string) *Policy {
	t.Helper()
	p, _, err := ParsePolicy("route.yaml", []byte(y), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newRunner(t testing.TB, local, cloud *fakeBackend, log RecordWriter) *Runner {
	// No rpm here: rate limiters wait on the wall clock.
	return &Runner{
		Policy:   mustPolicy(t, strings.Replace(goodPolicy, "    rpm: 500\n", "", 1)),
		Backends: map[string]backend.Backend{"local-llama": local, "claude": cloud},
		Pricer:   fakePricer{}, Log: log, Concurrency: 4,
		Retry: backend.RetryPolicy{MaxAttempts: 3, Sleep: noSleep},
	}
}

// piiSamples are personal data the generator plants in prompts.
var piiSamples = []string{
	"jane.doe@example.com", "4111 1111 1111 1111", "5555-5555-5555-4444", "GB82 WEST 1234 5698 7654 32",
	"DE89370400440532013000", "+44 20 7946 0958", "(415) 555-2671", "536-22-1234", "SSN 512346789", "203.0.113.9",
	"2001:db8::ff00:42:8329",
}

var fillers = []string{"Summarise the meeting notes", "Write a haiku about autumn", "Refactor this loop",
	"Explain TCP slow start", "In 2024 sales rose 12% to $1,250,000", "Translate 'good morning' to French",
	"What is 17 * 23?", "List three uses of version v1.2.3.4"}

// TestPropertyPIINeverReachesCloud routes many generated prompts, some
// with personal data or a pii flag, through a policy whose rules and
// fallback both point at the cloud, with flaky backends that force
// retries; the cloud backend must never receive a PII prompt.
func TestPropertyPIINeverReachesCloud(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var ps []Prompt
	isPII := map[string]bool{}
	tasks := []string{"", "code", "reasoning", "chat"}
	for i := range 2000 {
		text := fillers[rng.IntN(len(fillers))]
		p := Prompt{ID: fmt.Sprintf("p%d", i), Task: tasks[rng.IntN(len(tasks))]}
		switch rng.IntN(4) {
		case 0:
			text += " contact " + piiSamples[rng.IntN(len(piiSamples))] + " asap"
			isPII[p.ID] = true
		case 1:
			if rng.IntN(3) == 0 {
				p.PII = true
				isPII[p.ID] = true
			}
		}
		p.Text = fmt.Sprintf("%s #%d", text, i)
		ps = append(ps, p)
	}
	var calls atomic.Int64
	flaky := func(lp float64) func(context.Context, backend.Request) (backend.Response, error) {
		return func(_ context.Context, req backend.Request) (backend.Response, error) {
			if calls.Add(1)%7 == 0 {
				return backend.Response{}, &backend.Error{Backend: "x", StatusCode: 503, Code: "overloaded", Retryable: true}
			}
			return okResponse(req, lp), nil
		}
	}
	local := &fakeBackend{name: "local-llama", respond: flaky(-2)} // exp(-2)=0.14 < 0.7: always escalate
	cloud := &fakeBackend{name: "claude", respond: flaky(-0.01)}
	log := &memLog{}
	r := newRunner(t, local, cloud, log)
	r.Concurrency = 8
	sum, err := r.Run(context.Background(), &sliceSource{ps: ps})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range cloud.received() {
		if len(pii.Kinds(text)) > 0 {
			t.Fatalf("cloud received a prompt with personal data: %q", text)
		}
		id := text[strings.LastIndex(text, "#")+1:]
		if isPII["p"+id] {
			t.Fatalf("cloud received PII prompt p%s: %q", id, text)
		}
	}
	recs := log.byID()
	if len(recs) != len(ps) {
		t.Fatalf("%d ids in ledger, want %d", len(recs), len(ps))
	}
	escalated := 0
	for _, p := range ps {
		rs := recs[p.ID]
		if len(rs) != 1 {
			t.Fatalf("id %s has %d records", p.ID, len(rs))
		}
		rec := rs[0]
		if isPII[p.ID] && (rec.Source != ledger.SourceLocal || rec.FallbackFrom != "" || len(rec.PII) == 0) {
			t.Fatalf("PII prompt %s: %+v", p.ID, rec)
		}
		if rec.FallbackFrom != "" {
			escalated++
			if rec.Escalated == nil || rec.Escalated.Backend != "local-llama" || rec.Backend != "claude" {
				t.Fatalf("fallback record %+v", rec)
			}
		}
	}
	// The property is only meaningful if both sides got traffic.
	if escalated == 0 || len(cloud.received()) == 0 || len(local.received()) == 0 {
		t.Fatalf("escalated=%d cloud=%d local=%d: generator exercised nothing", escalated, len(cloud.received()), len(local.received()))
	}
	if sum.Total.Requests != int64(len(ps)) {
		t.Errorf("summary requests %d", sum.Total.Requests)
	}
}

// TestPIIGuardChecksHostNotLabel: even if a policy that labels a cloud
// API "local" got past validation (built in code, or a future bug), the
// runner refuses to send personal data to a known cloud host, logging an
// error; a local server on 127.0.0.1 still gets PII prompts.
func TestPIIGuardChecksHostNotLabel(t *testing.T) {
	for _, tc := range []struct {
		base    string
		refused bool
	}{
		{"https://api.anthropic.com", true},
		{"https://openrouter.ai/api/v1", true},
		{"", true}, // api openai's default, api.openai.com
		{"http://127.0.0.1:8000/v1", false},
	} {
		local, cloud := &fakeBackend{name: "local-llama"}, &fakeBackend{name: "claude"}
		log := &memLog{}
		r := newRunner(t, local, cloud, log)
		r.Policy.Backend("local-llama").BaseURL = tc.base // after validation
		_, err := r.Run(context.Background(), &sliceSource{ps: []Prompt{
			{ID: "pii", Text: "mail bob@example.org the report"}, {ID: "flag", Text: "x", PII: true},
			{ID: "plain", Text: "hello"}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range append(cloud.received(), local.received()...) {
			if tc.refused && text != "hello" {
				t.Errorf("%q: PII prompt %q was sent", tc.base, text)
			}
		}
		recs := log.byID()
		for _, id := range []string{"pii", "flag"} {
			rec := recs[id][0]
			if tc.refused {
				if rec.Status != ledger.StatusError || !strings.Contains(rec.Error, "refused") || rec.Attempts != 0 {
					t.Errorf("%q: record %s = %+v, want refused, never sent", tc.base, id, rec)
				}
			} else if rec.Status != ledger.StatusOK || rec.Backend != "local-llama" {
				t.Errorf("%q: record %s = %+v, want answered locally", tc.base, id, rec)
			}
		}
		if !tc.refused && len(local.received()) != 3 {
			t.Errorf("%q: local received %q, want all three prompts", tc.base, local.received())
		}
	}
}

func TestNoLocalBackendPIINotSent(t *testing.T) {
	cloud := &fakeBackend{name: "c"}
	log := &memLog{}
	r := &Runner{Policy: mustPolicy(t, `schema_version: 1
backends:
  - {name: c, source: cloud, api: openai, model: gpt-4o-mini, price: claude-haiku-4.5}
rules:
  - use: c
`), Backends: map[string]backend.Backend{"c": cloud}, Pricer: fakePricer{}, Log: log,
		Retry: backend.RetryPolicy{Sleep: noSleep}}
	_, err := r.Run(context.Background(), &sliceSource{ps: []Prompt{
		{ID: "1", Text: "mail bob@example.org"}, {ID: "2", Text: "hello"}, {ID: "3", Text: "x", PII: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := cloud.received(); len(got) != 1 || got[0] != "hello" {
		t.Fatalf("cloud got %q", got)
	}
	recs := log.byID()
	for _, id := range []string{"1", "3"} {
		rec := recs[id][0]
		if rec.Status != ledger.StatusError || !strings.Contains(rec.Error, "not sent") || rec.Attempts != 0 || !rec.Final() {
			t.Errorf("record %s = %+v", id, rec)
		}
	}
}

func TestRetriesAndPermanentErrors(t *testing.T) {
	var n atomic.Int64
	local := &fakeBackend{name: "local-llama", respond: func(_ context.Context, req backend.Request) (backend.Response, error) {
		switch req.ID {
		case "transient":
			if n.Add(1) < 3 {
				return backend.Response{}, &backend.Error{Backend: "local-llama", StatusCode: 503, Retryable: true}
			}
			return okResponse(req, -0.01), nil
		case "permanent":
			return backend.Response{}, &backend.Error{Backend: "local-llama", StatusCode: 400, Code: "invalid_request", Message: "bad"}
		}
		return okResponse(req, -0.01), nil
	}}
	log := &memLog{}
	r := newRunner(t, local, &fakeBackend{name: "claude"}, log)
	_, err := r.Run(context.Background(), &sliceSource{ps: []Prompt{{ID: "transient", Text: "a"}, {ID: "permanent", Text: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	recs := log.byID()
	if rec := recs["transient"][0]; rec.Status != ledger.StatusOK || rec.Attempts != 3 {
		t.Errorf("transient: %+v", rec)
	}
	if rec := recs["permanent"][0]; rec.Status != ledger.StatusError || rec.Attempts != 1 || rec.Retryable || !rec.Final() || !strings.Contains(rec.Error, "invalid_request") {
		t.Errorf("permanent: %+v", rec)
	}
}

func TestCostCloudLocalAndMissingUsage(t *testing.T) {
	var clock atomic.Int64 // ns since t0
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return t0.Add(time.Duration(clock.Load())) }
	local := &fakeBackend{name: "local-llama", respond: func(_ context.Context, req backend.Request) (backend.Response, error) {
		clock.Add(int64(90 * time.Second)) // each local request keeps the machine busy 90 s
		return okResponse(req, -0.01), nil
	}}
	cloud := &fakeBackend{name: "claude", respond: func(_ context.Context, req backend.Request) (backend.Response, error) {
		r := okResponse(req, 0)
		switch req.ID {
		case "nousage":
			r.Usage.InputTokens = nil
		case "cached":
			r.Usage = backend.Usage{InputTokens: ledger.Int64(1000), CachedTokens: ledger.Int64(800), OutputTokens: ledger.Int64(100)}
		}
		return r, nil
	}}
	log := &memLog{}
	r := newRunner(t, local, cloud, log)
	r.Concurrency, r.Now = 1, now
	sum, err := r.Run(context.Background(), &sliceSource{ps: []Prompt{
		{ID: "l", Text: "hi"}, {ID: "nousage", Text: "x", Task: "code"}, {ID: "cached", Text: "y", Task: "code"}}})
	if err != nil {
		t.Fatal(err)
	}
	recs := log.byID()
	l := recs["l"][0]
	// 0.74 $/h × 90 s = 0.0185
	if l.CostUSD == nil || !l.CostUSD.Equal(decimal.RequireFromString("0.0185")) || *l.BusyMs != 90000 {
		t.Errorf("local cost %v busy %v", l.CostUSD, l.BusyMs)
	}
	if nu := recs["nousage"][0]; nu.CostUSD != nil || !strings.Contains(nu.CostNote, "input_tokens") || nu.InputTokens != nil {
		t.Errorf("missing usage must give null cost with a note: %+v", nu)
	}
	c := recs["cached"][0]
	// (200 + 800×0.1 + 100×2) / 1M = 0.00048; list estimate (1000 + 200)/1M = 0.0012
	if !c.CostUSD.Equal(decimal.RequireFromString("0.00048")) || !c.EstimatedCostUSD.Equal(decimal.RequireFromString("0.0012")) {
		t.Errorf("cached cost %v estimate %v", c.CostUSD, c.EstimatedCostUSD)
	}
	var claude BackendSummary
	for _, b := range sum.Backends {
		if b.Backend == "claude" {
			claude = b
		}
	}
	if claude.CostMissing != 1 || claude.Requests != 2 || claude.DifferenceUSD != nil {
		t.Errorf("claude summary %+v: a missing cost must leave the difference unknown", claude)
	}
}

func TestBusyMeterSharesConcurrentTime(t *testing.T) {
	var now time.Time
	m := newBusyMeter(func() time.Time { return now })
	a := m.begin()
	now = now.Add(10 * time.Second)
	b := m.begin() // a alone for 10 s
	now = now.Add(10 * time.Second)
	da := m.end(a) // a and b share 10 s
	now = now.Add(4 * time.Second)
	db := m.end(b) // b alone 4 s
	if da != 15*time.Second || db != 9*time.Second {
		t.Fatalf("a=%v b=%v, want 15s and 9s (sum = 24 s of wall time busy)", da, db)
	}
}

// TestResumeAfterCancel cancels a run midway (requests in flight are cut)
// and resumes from the ledger file: every id must end with exactly one
// final record, status ok, and nothing finished is sent twice.
func TestResumeAfterCancel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "costs.jsonl")
	var ps []Prompt
	for i := range 200 {
		ps = append(ps, Prompt{ID: fmt.Sprint(i), Text: fmt.Sprintf("prompt %d", i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	var served, stuck atomic.Int64
	const workers = 6
	block := func(ctx context.Context, req backend.Request) (backend.Response, error) {
		if served.Add(1) > 50 {
			// Hang until interrupted; once every worker hangs, press Ctrl-C.
			if stuck.Add(1) == workers {
				cancel()
			}
			<-ctx.Done()
			return backend.Response{}, &backend.Error{Backend: "local-llama", Code: backend.CodeCanceled, Message: "context canceled"}
		}
		return okResponse(req, -0.01), nil
	}
	w, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	local := &fakeBackend{name: "local-llama", respond: block}
	r := newRunner(t, local, &fakeBackend{name: "claude"}, w)
	r.Concurrency = workers
	sum, err := r.Run(ctx, &sliceSource{ps: ps})
	if !errors.Is(err, context.Canceled) || !sum.Interrupted {
		t.Fatalf("first run: err=%v interrupted=%v", err, sum.Interrupted)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	finalIDs, _, err := ledger.FinalIDs(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(finalIDs) == 0 || len(finalIDs) >= len(ps) {
		t.Fatalf("first run finished %d of %d; the test needs a partial run", len(finalIDs), len(ps))
	}

	w2, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	local2 := &fakeBackend{name: "local-llama"}
	r2 := newRunner(t, local2, &fakeBackend{name: "claude"}, w2)
	r2.Skip = func(id string) bool { _, ok := finalIDs[id]; return ok }
	sum2, err := r2.Run(context.Background(), &sliceSource{ps: ps})
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	if sum2.Skipped != int64(len(finalIDs)) || len(local2.received()) != len(ps)-len(finalIDs) {
		t.Errorf("resume skipped %d, sent %d; want %d and %d", sum2.Skipped, len(local2.received()), len(finalIDs), len(ps)-len(finalIDs))
	}
	final := map[string]int{}
	interrupted := 0
	recs, _, err := ledger.ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.Final() {
			final[rec.ID]++
			if rec.Status != ledger.StatusOK {
				t.Errorf("final record not ok: %+v", rec)
			}
		} else if rec.Interrupted {
			interrupted++
		}
	}
	for _, p := range ps {
		if final[p.ID] != 1 {
			t.Errorf("id %s has %d final records, want exactly 1", p.ID, final[p.ID])
		}
	}
	if interrupted == 0 {
		t.Error("expected interrupted records from the requests cut by the cancel")
	}
}

func TestDryRun(t *testing.T) {
	log := &memLog{}
	local, cloud := &fakeBackend{name: "local-llama"}, &fakeBackend{name: "claude"}
	r := newRunner(t, local, cloud, log)
	r.DryRun = true
	_, err := r.Run(context.Background(), &sliceSource{ps: []Prompt{
		{ID: "c", Text: "Write a function that reverses a string.", Task: "code", MaxTokens: 100},
		{ID: "l", Text: "hello there"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(local.received())+len(cloud.received()) != 0 {
		t.Fatal("dry run sent requests")
	}
	recs := log.byID()
	c := recs["c"][0]
	if !c.DryRun || c.Final() || *c.OutputTokens != 100 || *c.InputTokens < 5 || c.CostUSD == nil ||
		!strings.Contains(c.CostNote, "estimate for claude-haiku-4-5") || !c.TokensEstimated {
		t.Errorf("dry cloud record %+v", c)
	}
	l := recs["l"][0]
	if l.CostUSD != nil || *l.OutputTokens != DefaultDryRunOutputTokens || !strings.Contains(l.CostNote, "busy time") {
		t.Errorf("dry local record %+v", l)
	}
}

func TestLogPromptsOnlyWhenAsked(t *testing.T) {
	for _, logPrompts := range []bool{false, true} {
		log := &memLog{}
		r := newRunner(t, &fakeBackend{name: "local-llama"}, &fakeBackend{name: "claude"}, log)
		r.LogPrompts = logPrompts
		if _, err := r.Run(context.Background(), &sliceSource{ps: []Prompt{{ID: "1", Text: "secret text"}}}); err != nil {
			t.Fatal(err)
		}
		line, _ := ledger.Marshal(&log.recs[0])
		if strings.Contains(string(line), "secret text") != logPrompts {
			t.Errorf("LogPrompts=%v: record %s", logPrompts, line)
		}
	}
}

func TestInputErrorStopsRun(t *testing.T) {
	log := &memLog{}
	r := newRunner(t, &fakeBackend{name: "local-llama"}, &fakeBackend{name: "claude"}, log)
	src := NewPromptReader(strings.NewReader("{\"prompt\":\"a\"}\n{bad\n{\"prompt\":\"c\"}\n"), "p.jsonl")
	_, err := r.Run(context.Background(), src)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Line != 2 {
		t.Fatalf("err = %v", err)
	}
	if len(log.recs) != 1 {
		t.Errorf("the prompt before the bad line must still be recorded; got %d records", len(log.recs))
	}
}

func TestLimitsFromPolicy(t *testing.T) {
	l := newLimits(120, 60000)
	if l.rpm.Limit() != 2 || l.rpm.Burst() != 2 || l.tpm.Limit() != 1000 || l.tpm.Burst() != 1000 {
		t.Fatalf("rpm %v/%d tpm %v/%d", l.rpm.Limit(), l.rpm.Burst(), l.tpm.Limit(), l.tpm.Burst())
	}
	if u := newLimits(0, 0); u.rpm != nil || u.tpm != nil {
		t.Fatal("0 must mean unlimited")
	}
	// A request larger than the burst is taken in burst-sized chunks
	// (WaitN alone would refuse it); with an infinite rate it never waits.
	inf := newLimits(0, 60)
	inf.tpm.SetLimit(rate.Inf)
	if err := inf.wait(context.Background(), 5000); err != nil {
		t.Fatal(err)
	}
}

func TestFallbackInterruptedIsNotFinal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	local := &fakeBackend{name: "local-llama", respond: func(_ context.Context, req backend.Request) (backend.Response, error) {
		return okResponse(req, -3), nil // unsure: escalate
	}}
	cloud := &fakeBackend{name: "claude", respond: func(c context.Context, req backend.Request) (backend.Response, error) {
		cancel()
		<-c.Done()
		return backend.Response{}, &backend.Error{Backend: "claude", Code: backend.CodeCanceled, Message: "canceled"}
	}}
	log := &memLog{}
	r := newRunner(t, local, cloud, log)
	if _, err := r.Run(ctx, &sliceSource{ps: []Prompt{{ID: "1", Text: "hello"}}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	rec := log.byID()["1"][0]
	if rec.Final() || !rec.Interrupted || rec.Escalated == nil || rec.Escalated.CostUSD == nil || rec.FallbackFrom != "local-llama" {
		t.Fatalf("record %+v: want an interrupted, non-final record that keeps the local leg's cost", rec)
	}
}

// TestAttemptAfterCancelSendsNothing: a prompt handed to a worker just as
// the run is cancelled must not reach the backend nor count as sent (an
// "interrupted" record, a busy-time cost), whether or not the backend has
// rate limits to wait for.
func TestAttemptAfterCancelSendsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, l := range []limits{{}, newLimits(600, 0)} {
		fb := &fakeBackend{name: "local"}
		res := &result{}
		a := &attempt{inner: fb, limits: l, meter: newBusyMeter(time.Now), tokens: 10, res: res}
		if _, err := a.Complete(ctx, backend.Request{ID: "1", Prompt: "hi"}); err == nil {
			t.Fatal("want an error after cancel")
		}
		if res.sent || len(fb.received()) != 0 {
			t.Errorf("limits %+v: sent=%v received=%v, want nothing sent", l, res.sent, fb.received())
		}
	}
}

// fullLog takes n records, then fails as a full disk does.
type fullLog struct {
	memLog
	n int
}

func (f *fullLog) Write(r *ledger.Record) error {
	f.mu.Lock()
	full := len(f.recs) >= f.n
	f.mu.Unlock()
	if full {
		return errors.New("write costs.jsonl: no space left on device")
	}
	return f.memLog.Write(r)
}

// When the ledger stops taking records, the answers already made still
// count in the summary (they were sent and billed), and it says how many
// the log lacks.
func TestSummaryCountsUnloggedAnswers(t *testing.T) {
	local := &fakeBackend{name: "local-llama", respond: func(_ context.Context, req backend.Request) (backend.Response, error) {
		return okResponse(req, -0.01), nil
	}}
	cloud := &fakeBackend{name: "claude", respond: func(_ context.Context, req backend.Request) (backend.Response, error) {
		return okResponse(req, -0.01), nil
	}}
	log := &fullLog{n: 3}
	r := newRunner(t, local, cloud, log)
	r.Concurrency = 1
	var ps []Prompt
	for i := range 6 {
		ps = append(ps, Prompt{ID: fmt.Sprintf("p%d", i), Text: "hello"})
	}
	sum, err := r.Run(context.Background(), &sliceSource{ps: ps})
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("err = %v, want the write error", err)
	}
	sent := int64(len(local.received()) + len(cloud.received()))
	if sum == nil || sum.Unlogged < 1 || sum.Total.Requests != 3+sum.Unlogged || sum.Total.Requests > sent {
		t.Fatalf("summary %+v after %d sent: want the 3 logged plus the unlogged", sum, sent)
	}
}
