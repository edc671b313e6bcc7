package proxy

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/internal/fakeupstream"
	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/route"
)

// memLog keeps the records the server writes.
type memLog struct {
	mu      sync.Mutex
	recs    []ledger.Record
	written chan ledger.Record // every record, as written (buffered)
}

func (l *memLog) Write(r *ledger.Record) error {
	// Round-trip through the ledger's own encoding: what report would read.
	line, err := ledger.Marshal(r)
	if err != nil {
		return err
	}
	back, err := ledger.ParseLine(bytes.TrimSpace(line))
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.recs = append(l.recs, back)
	l.mu.Unlock()
	select {
	case l.written <- back:
	default:
	}
	return nil
}

func (l *memLog) all() []ledger.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ledger.Record(nil), l.recs...)
}

func (l *memLog) only(t *testing.T) ledger.Record {
	t.Helper()
	recs := l.all()
	if len(recs) != 1 {
		t.Fatalf("want exactly 1 ledger record, got %d: %+v", len(recs), recs)
	}
	return recs[0]
}

type harness struct {
	cloud, local *fakeupstream.Server
	cloudURL     string
	srv          *Server
	url          string
	log          *memLog
	metrics      *Metrics
	base         context.Context // the server's BaseContext, when set
	wrapLn       func(net.Listener) net.Listener
	policyExtra  string
	policy       string // "" = testPolicy (same %[1]s cloud, %[2]s local, %[3]s dead URLs)
}

func withBase(ctx context.Context) harnessOpt {
	return func(h *harness, _ *route.Runner) { h.base = ctx }
}

// next waits for the next record the server writes.
func (h *harness) next(t *testing.T) ledger.Record {
	t.Helper()
	select {
	case r := <-h.log.written:
		return r
	case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("no ledger record written")
		return ledger.Record{}
	}
}

const testPolicy = `schema_version: 1
backends:
  - {name: cloud-gpt, source: cloud, api: openai, base_url: "%[1]s/v1", model: gpt-4o-mini, price: gpt-4o-mini, api_key_env: CLOUD_KEY}
  - {name: cloud-claude, source: cloud, api: anthropic, base_url: "%[1]s", model: claude-haiku-4-5, price: claude-haiku-4.5, api_key_env: CLOUD_KEY}
  - {name: local, source: local, api: openai, base_url: "%[2]s/v1", model: llama, hourly_usd: 0.74, logprobs: false}
  - {name: dead, source: local, api: openai, base_url: "%[3]s/v1", model: gone, hourly_usd: 0.5}
rules:
  - when: {pii: true}
    use: local
  - when: {task: summarize}
    use: local
  - use: cloud-gpt
`

const upstreamKey = "sk-upstream-SECRET-0001"

type harnessOpt func(*harness, *route.Runner)

func newHarness(t testing.TB, opts ...harnessOpt) *harness {
	t.Helper()
	h := &harness{cloud: fakeupstream.New(), local: fakeupstream.New(), log: &memLog{written: make(chan ledger.Record, 64)}}
	cloudSrv := httptest.NewServer(h.cloud)
	localSrv := httptest.NewServer(h.local)
	t.Cleanup(cloudSrv.Close)
	t.Cleanup(localSrv.Close)
	h.cloudURL = cloudSrv.URL
	deadSrv := httptest.NewServer(http.NotFoundHandler())
	deadURL := deadSrv.URL
	deadSrv.Close() // nothing listens there any more: connection refused
	cat, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	pricer := &route.CatalogPricer{Catalog: cat}
	for _, o := range opts {
		o(h, nil)
	}
	policy := testPolicy
	if h.policy != "" {
		policy = h.policy
	}
	pol, _, err := route.ParsePolicy("route.yaml", []byte(fmt.Sprintf(policy, cloudSrv.URL, localSrv.URL, deadURL)+h.policyExtra), route.Options{CheckPrice: pricer.CheckPrice})
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "CLOUD_KEY" {
			return upstreamKey
		}
		return ""
	}
	backends := map[string]backend.Backend{}
	for _, pb := range pol.Backends {
		b, err := backend.New(backend.Config{Name: pb.Name, API: pb.API, BaseURL: pb.BaseURL, Model: pb.Model,
			APIKeyEnv: pb.APIKeyEnv, Getenv: getenv, Timeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		backends[pb.Name] = b
	}
	r := &route.Runner{Policy: pol, Backends: backends, Pricer: pricer,
		Retry: backend.RetryPolicy{MaxAttempts: 3, Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}}
	rt, err := r.NewRouter()
	if err != nil {
		t.Fatal(err)
	}
	h.metrics = NewMetrics(nil)
	if h.srv == nil {
		h.srv = &Server{}
	}
	h.srv.Router, h.srv.Write, h.srv.Metrics = rt, h.log.Write, h.metrics
	ps := httptest.NewUnstartedServer(h.srv.Handler())
	if h.base != nil {
		ps.Config.BaseContext = func(net.Listener) context.Context { return h.base }
	}
	if h.wrapLn != nil {
		ps.Listener = h.wrapLn(ps.Listener)
	}
	ps.Start()
	t.Cleanup(ps.Close)
	h.url = ps.URL
	return h
}

func withShadow(section string) harnessOpt {
	return func(h *harness, _ *route.Runner) { h.policyExtra = section + "\n" }
}

func withPolicy(policy string) harnessOpt {
	return func(h *harness, _ *route.Runner) { h.policy = policy }
}

// withListener wraps the proxy's listener (to watch its connections).
func withListener(wrap func(net.Listener) net.Listener) harnessOpt {
	return func(h *harness, _ *route.Runner) { h.wrapLn = wrap }
}

func withServer(s *Server) harnessOpt { return func(h *harness, _ *route.Runner) { h.srv = s } }

// expected is the fake upstream's deterministic answer to texts.
func expected(maxTokens int, texts ...string) fakeupstream.Answer {
	return fakeupstream.Reply(texts, maxTokens, nil)
}

func post(t *testing.T, url, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

func fakeReply(texts []string, maxTokens int, stop string) fakeupstream.Answer {
	return fakeupstream.Reply(texts, maxTokens, []string{stop})
}
