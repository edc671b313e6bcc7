package backend

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// reply is one scripted server answer.
type reply struct {
	status int
	header map[string]string
	body   []byte
	block  bool // hold the request until the client gives up (timeout tests)
	// shortBody declares a Content-Length larger than body, so the client
	// sees the connection end mid-body (a reset, not a clean EOF).
	shortBody bool
}

func readWire(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "wire", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonReply(t testing.TB, name string) reply {
	return reply{status: 200, header: map[string]string{"Content-Type": "application/json"}, body: readWire(t, name)}
}

func sseReply(t testing.TB, name string) reply {
	return reply{status: 200, header: map[string]string{"Content-Type": "text/event-stream; charset=utf-8"}, body: readWire(t, name)}
}

func ndjsonReply(t testing.TB, name string) reply {
	return reply{status: 200, header: map[string]string{"Content-Type": "application/x-ndjson"}, body: readWire(t, name)}
}

// httpFixture loads a *.http.json fixture: {"status", "headers", "body"}.
func httpFixture(t testing.TB, name string) reply {
	t.Helper()
	var f struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	}
	if err := json.Unmarshal(readWire(t, name), &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return reply{status: f.Status, header: f.Headers, body: f.Body}
}

// cut returns r with its body ending just before marker (a truncated stream).
func cut(t testing.TB, r reply, marker string) reply {
	t.Helper()
	i := strings.Index(string(r.body), marker)
	if i < 0 {
		t.Fatalf("marker %q not in body", marker)
	}
	r.body = r.body[:i]
	return r
}

type recordedRequest struct {
	Path   string
	Header http.Header
	Body   map[string]any
}

// replay is an httptest server on 127.0.0.1 that answers with scripted
// replies in order and records what it was sent.
type replay struct {
	t       testing.TB
	srv     *httptest.Server
	mu      sync.Mutex
	replies []reply
	reqs    []recordedRequest
	stop    chan struct{}
	arrived chan struct{} // one token per request, for tests that act mid-request
}

func newReplay(t testing.TB, replies ...reply) *replay {
	rp := &replay{t: t, replies: replies, stop: make(chan struct{}), arrived: make(chan struct{}, 64)}
	rp.srv = httptest.NewServer(http.HandlerFunc(rp.serve))
	t.Cleanup(func() {
		close(rp.stop)
		rp.srv.Close()
	})
	return rp
}

func (rp *replay) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var decoded map[string]any
	_ = json.Unmarshal(body, &decoded)
	rp.mu.Lock()
	rp.reqs = append(rp.reqs, recordedRequest{Path: r.URL.Path, Header: r.Header.Clone(), Body: decoded})
	if len(rp.replies) == 0 {
		rp.mu.Unlock()
		rp.t.Errorf("unexpected request %d to %s", len(rp.reqs), r.URL.Path)
		http.Error(w, "no scripted reply", http.StatusTeapot)
		return
	}
	rep := rp.replies[0]
	rp.replies = rp.replies[1:]
	rp.mu.Unlock()
	select {
	case rp.arrived <- struct{}{}:
	default:
	}
	if rep.block {
		select {
		case <-r.Context().Done():
		case <-rp.stop:
		}
		return
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	if rep.shortBody {
		w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)+64))
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

func (rp *replay) requests() []recordedRequest {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return append([]recordedRequest(nil), rp.reqs...)
}

// baseURL is what a user would configure for each API kind.
func (rp *replay) baseURL(api string) string {
	if api == APIOpenAI {
		return rp.srv.URL + "/v1"
	}
	return rp.srv.URL
}

// stepClock advances 1ms per reading, so TTFT and latency are deterministic.
func stepClock() func() time.Time {
	var mu sync.Mutex
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
}

const sentinelKey = "sk-SENTINEL-do-not-print-123"

func testEnv(name string) string {
	if name == "TEST_KEY" {
		return sentinelKey
	}
	return ""
}

type backendOpt func(*Config)

func withTimeout(d time.Duration) backendOpt { return func(c *Config) { c.Timeout = d } }
func withKey() backendOpt                    { return func(c *Config) { c.APIKeyEnv = "TEST_KEY" } }

func newTestBackend(t testing.TB, api string, rp *replay, opts ...backendOpt) Backend {
	t.Helper()
	cfg := Config{
		Name: "test-" + api, API: api, BaseURL: rp.baseURL(api), Model: "test-model",
		Timeout: 5 * time.Second, HTTPClient: rp.srv.Client(), Getenv: testEnv, Now: stepClock(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sleepRecorder stands in for RetryPolicy.Sleep: it records and returns at once.
type sleepRecorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.sleeps = append(s.sleeps, d)
	s.mu.Unlock()
	return ctx.Err()
}

func testPolicy(rec *sleepRecorder) RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: 500 * time.Millisecond, MaxDelay: 8 * time.Second,
		MaxRetryAfter: 60 * time.Second, Sleep: rec.sleep, Rand: func() float64 { return 0.5 }}
}

// u64 renders a usage count for comparison; "nil" for not reported.
func u64(p *int64) string {
	if p == nil {
		return "nil"
	}
	return strconv.FormatInt(*p, 10)
}

func usageString(u Usage) string {
	return "in=" + u64(u.InputTokens) + " out=" + u64(u.OutputTokens) + " cached=" + u64(u.CachedTokens) +
		" cwrite=" + u64(u.CacheWriteTokens) + " reasoning=" + u64(u.ReasoningTokens)
}
