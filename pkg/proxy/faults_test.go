package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/route"
)

func chatBody(model, content string, stream bool) string {
	b, _ := json.Marshal(map[string]any{"model": model, "stream": stream,
		"messages": []map[string]string{{"role": "user", "content": content}}})
	return string(b)
}

// Personal data anywhere in the conversation keeps the request local, even
// when the client names a cloud backend; the cloud fake never sees it.
func TestPIIStaysLocal(t *testing.T) {
	h := newHarness(t)
	cases := []struct{ name, body string }{
		{"system", `{"model":"auto","messages":[{"role":"system","content":"the customer is jane.doe@example.com"},{"role":"user","content":"draft a reply"}]}`},
		{"assistant turn", `{"model":"auto","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"call me on +1 415 555 0100"},{"role":"user","content":"ok"}]}`},
		{"cloud asked by name", `{"model":"cloud-gpt","messages":[{"role":"user","content":"card 4111 1111 1111 1111"}]}`},
		{"content parts", `{"model":"cloud-claude","messages":[{"role":"user","content":[{"type":"text","text":"IBAN GB82 WEST 1234 5698 7654 32"}]}]}`},
	}
	for _, c := range cases {
		resp, body := post(t, h.url+"/v1/chat/completions", c.body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", c.name, resp.StatusCode, body)
		}
		rec := h.next(t)
		if rec.Backend != "local" || len(rec.PII) == 0 {
			t.Fatalf("%s: backend %q pii %v, want local with pii kinds", c.name, rec.Backend, rec.PII)
		}
	}
	// Anthropic wire, flagged by header with no detectable PII.
	resp, body := post(t, h.url+"/v1/messages", `{"model":"auto","max_tokens":20,"messages":[{"role":"user","content":"plain words"}]}`, "X-Llmcost-Pii", "true")
	if resp.StatusCode != 200 {
		t.Fatalf("flagged: %d %s", resp.StatusCode, body)
	}
	if rec := h.next(t); rec.Backend != "local" || rec.PII[0] != "flagged" {
		t.Fatalf("flagged: %+v", rec)
	}
	if n := h.cloud.Requests(); n != 0 {
		t.Fatalf("the cloud upstream received %d requests with personal data", n)
	}
}

func TestTaskHeaderRoutes(t *testing.T) {
	h := newHarness(t)
	post(t, h.url+"/v1/chat/completions", chatBody("auto", "a long text", false), "X-Llmcost-Task", "summarize")
	if rec := h.next(t); rec.Backend != "local" || rec.Task != "summarize" {
		t.Fatalf("task summarize went to %q (task %q)", rec.Backend, rec.Task)
	}
}

func TestErrorsInClientWire(t *testing.T) {
	h := newHarness(t)
	h.srv.MaxBody = 1024
	var ids []string
	for _, c := range []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"malformed openai", "/v1/chat/completions", `{"model":`, 400, `"type":"invalid_request_error"`},
		{"malformed anthropic", "/v1/messages", `{"model":`, 400, `{"type":"error","error":{"type":"invalid_request_error"`},
		{"unknown model", "/v1/chat/completions", chatBody("gpt-9", "x", false), 404, `model \"gpt-9\" is not in the policy; use one of: auto, cloud-gpt, cloud-claude, local, dead`},
		{"unknown model anthropic", "/v1/messages", `{"model":"gpt-9","max_tokens":5,"messages":[{"role":"user","content":"x"}]}`, 404, `"not_found_error"`},
		{"too large", "/v1/chat/completions", chatBody("auto", strings.Repeat("x", 2000), false), 413, "--max-body"},
		{"too large anthropic", "/v1/messages", chatBody("auto", strings.Repeat("x", 2000), false), 413, `"request_too_large"`},
		{"tools across wires", "/v1/chat/completions", `{"model":"cloud-claude","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"x"}]}`, 400, "tools"},
		{"image across wires", "/v1/chat/completions", `{"model":"cloud-claude","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:x"}}]}]}`, 400, "images"},
		{"tool result across wires", "/v1/messages", `{"model":"auto","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"42"}]}]}`, 400, "tool results"},
		{"no max_tokens anthropic", "/v1/messages", `{"model":"auto","messages":[{"role":"user","content":"x"}]}`, 400, "max_tokens"},
		{"unreachable upstream", "/v1/chat/completions", chatBody("dead", "x", false), 502, "upstream dead"},
		{"upstream 500 passes through", "/v1/chat/completions", chatBody("auto", "boom [fault-500]", false), 500, "upstream cloud-gpt"},
		{"upstream 500 anthropic", "/v1/messages", `{"model":"cloud-claude","max_tokens":5,"messages":[{"role":"user","content":"boom [fault-500]"}]}`, 500, `"type":"api_error"`},
		{"bad pii header", "/v1/chat/completions", chatBody("auto", "x", false), 400, "X-Llmcost-Pii"},
	} {
		hdr := []string{}
		if c.name == "bad pii header" {
			hdr = []string{"X-Llmcost-Pii", "maybe"}
		}
		resp, body := post(t, h.url+c.path, c.body, hdr...)
		if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d containing %s", c.name, resp.StatusCode, body, c.status, c.want)
		}
		if resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: content type %q", c.name, resp.Header.Get("Content-Type"))
		}
		ids = append(ids, resp.Header.Get("X-Llmcost-Request-Id"))
	}
	// One record per request: those refused before routing (8: malformed,
	// unknown model, too large, no max_tokens, bad header) as unsent errors
	// without a backend, the others (3 refused across wires, unreachable,
	// two 500s) as the router's errors. No record carries the prompt.
	recs := h.log.all()
	if len(recs) != 14 {
		t.Fatalf("%d records, want 14, one per request", len(recs))
	}
	byID := map[string]ledger.Record{}
	rejected := 0
	for _, r := range recs {
		byID[r.ID] = r
		if r.Status != ledger.StatusError || r.Error == "" {
			t.Fatalf("record %+v, want an error", r)
		}
		if r.Backend == "" {
			rejected++
			if r.Attempts != 0 || r.CostUSD != nil || r.RouteReason != "refused before routing" || r.API == "" {
				t.Errorf("rejected record %+v, want unsent, no cost, its reason and wire", r)
			}
		}
		if strings.Contains(r.Error, "xxxxxxxx") {
			t.Errorf("record %s carries the prompt: %q", r.ID, r.Error)
		}
	}
	if rejected != 8 {
		t.Errorf("%d records without a backend, want the 8 refused before routing", rejected)
	}
	for i, id := range ids {
		if _, ok := byID[id]; !ok {
			t.Errorf("response %d: X-Llmcost-Request-Id %q names no record", i, id)
		}
	}
}

func TestRetryAfterBeforeFirstByte(t *testing.T) {
	h := newHarness(t)
	resp, body := post(t, h.url+"/v1/chat/completions", chatBody("auto", "hi [fault-429-retry-after-0-once]", false))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if rec := h.next(t); rec.Attempts != 2 || rec.Status != "ok" {
		t.Fatalf("attempts %d status %s, want a retried ok", rec.Attempts, rec.Status)
	}
	// Always 429: passed through with its Retry-After once attempts run out.
	resp, body = post(t, h.url+"/v1/chat/completions", chatBody("auto", "hi [fault-429-retry-after-1]", false))
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(body, "rate_limit") {
		t.Fatalf("%d retry-after %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if rec := h.next(t); rec.Attempts != 3 {
		t.Fatalf("attempts %d, want 3", rec.Attempts)
	}
}

// readUntil reads SSE lines until one contains want.
func readUntil(t *testing.T, br *bufio.Reader, want string) string {
	t.Helper()
	var all strings.Builder
	for {
		line, err := br.ReadString('\n')
		all.WriteString(line)
		if strings.Contains(line, want) {
			return all.String()
		}
		if err != nil {
			t.Fatalf("stream ended before %q: %v\n%s", want, err, all.String())
		}
	}
}

// A stream cut halfway after the client got text: no retry (the client
// would see the answer twice), an error event, and the record prices what
// was delivered.
//
// No upstream reported the output count before the cut (Anthropic's
// message_start says output_tokens 1, a placeholder), so the record counts
// the text delivered, and says the count is an estimate.
func TestStreamCutAfterFirstByte(t *testing.T) {
	for _, c := range []struct{ api, model string }{{APIOpenAI, "auto"}, {APIAnthropic, "auto"}, {APIOpenAI, "cloud-claude"}, {APIAnthropic, "cloud-claude"}} {
		t.Run(c.api+" client to "+c.model, func(t *testing.T) {
			api := c.api
			h := newHarness(t)
			path, body := "/v1/chat/completions", chatBody(c.model, "tell me [fault-cut-stream]", true)
			if api == APIAnthropic {
				path, body = "/v1/messages", `{"model":"`+c.model+`","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"tell me [fault-cut-stream]"}]}`
			}
			resp, out := post(t, h.url+path, body)
			if resp.StatusCode != 200 || !strings.Contains(out, `"error"`) || strings.Contains(out, "[DONE]") || strings.Contains(out, "message_stop") {
				t.Fatalf("%d %s", resp.StatusCode, out)
			}
			rec := h.next(t)
			if rec.Status != ledger.StatusError || rec.Attempts != 1 {
				t.Fatalf("status %s attempts %d, want one failed attempt", rec.Status, rec.Attempts)
			}
			if rec.OutputTokens == nil || *rec.OutputTokens <= 1 || rec.CostUSD == nil || !rec.TokensEstimated {
				t.Fatalf("delivered tokens not counted/priced: out %v cost %v estimated %v note %q", ptrVal(rec.OutputTokens), rec.CostUSD, rec.TokensEstimated, rec.CostNote)
			}
			if h.cloud.Requests() != 1 {
				t.Fatalf("upstream asked %d times, want 1 (no retry after the first byte)", h.cloud.Requests())
			}
		})
	}
}

// A client that hangs up mid-stream cancels the upstream call; the record
// says client_closed and keeps the tokens streamed so far, priced.
func TestClientHangsUpMidStream(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.url+"/v1/chat/completions", strings.NewReader(chatBody("auto", "go on [fault-stall-stream]", true)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, bufio.NewReader(resp.Body), `"content":"`+"") // the role chunk
	cancel()
	resp.Body.Close()
	rec := h.next(t)
	if rec.Status != StatusClientClosed {
		t.Fatalf("status %q (%s), want client_closed", rec.Status, rec.Error)
	}
	if rec.OutputTokens == nil || *rec.OutputTokens == 0 || rec.CostUSD == nil || !rec.TokensEstimated {
		t.Fatalf("tokens so far not priced: out %v cost %v estimated %v", rec.OutputTokens, rec.CostUSD, rec.TokensEstimated)
	}
}

// Drain timeout: requests still in flight are cancelled with ErrDraining
// and recorded as interrupted.
func TestDrainTimeoutInterrupts(t *testing.T) {
	base, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	h := newHarness(t, withBase(base))
	req, _ := http.NewRequest(http.MethodPost, h.url+"/v1/messages", strings.NewReader(`{"model":"cloud-claude","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"wait [fault-stall-stream]"}]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	readUntil(t, br, "text_delta")
	stop(ErrDraining)
	rec := h.next(t)
	if rec.Status != StatusInterrupted || rec.InputTokens == nil {
		t.Fatalf("status %q input %v, want interrupted with message_start's input count", rec.Status, rec.InputTokens)
	}
	// The client is told, in its wire, rather than cut off.
	rest, _ := io.ReadAll(br)
	if !strings.Contains(string(rest), "event: error") || !strings.Contains(string(rest), "shutting down") {
		t.Fatalf("the stream ends without an error event: %q", rest)
	}
}

// A non-streamed request cut off by the drain timeout gets a 503 in its
// client's wire, saying why, and an interrupted record.
func TestDrainTimeoutAnswersInWire(t *testing.T) {
	for _, c := range []struct{ path, body, want string }{
		{"/v1/chat/completions", chatBody("cloud-gpt", "wait [fault-hang]", false), `"code":"shutting_down"`},
		{"/v1/messages", `{"model":"cloud-claude","max_tokens":50,"messages":[{"role":"user","content":"wait [fault-hang]"}]}`, `{"type":"error","error":{"type":`},
	} {
		t.Run(c.path, func(t *testing.T) {
			base, stop := context.WithCancelCause(context.Background())
			defer stop(nil)
			h := newHarness(t, withBase(base))
			inFlight := make(chan struct{}, 1)
			h.cloud.OnWaiting(func() {
				select { // never block the fake's handler (a retry would wait again)
				case inFlight <- struct{}{}:
				default:
				}
			})
			type answer struct {
				resp *http.Response
				body string
				err  error
			}
			got := make(chan answer, 1)
			go func() {
				resp, err := http.Post(h.url+c.path, "application/json", strings.NewReader(c.body))
				if err != nil {
					got <- answer{err: err}
					return
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				got <- answer{resp, string(b), err}
			}()
			<-inFlight // the upstream holds the request
			stop(ErrDraining)
			a := <-got
			if a.err != nil {
				t.Fatal(a.err)
			}
			if a.resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(a.body, c.want) || !strings.Contains(a.body, "shutting down") {
				t.Fatalf("%d %s, want a 503 in the client's wire saying llmcost is shutting down", a.resp.StatusCode, a.body)
			}
			rec := h.next(t)
			if rec.Status != StatusInterrupted || a.resp.Header.Get("X-Llmcost-Request-Id") != rec.ID {
				t.Fatalf("record %s status %q, response names %q", rec.ID, rec.Status, a.resp.Header.Get("X-Llmcost-Request-Id"))
			}
		})
	}
}

func TestAuthKeys(t *testing.T) {
	h := newHarness(t, withServer(&Server{Keys: []Key{{Name: "team-a", Secret: "secret-aaaa-1111"}, {Name: "team-b", Secret: "secret-bbbb-2222"}}}))
	for _, c := range []struct {
		name, path string
		hdr        []string
		status     int
	}{
		{"no key", "/v1/chat/completions", nil, 401},
		{"wrong key", "/v1/chat/completions", []string{"Authorization", "Bearer nope-nope-nope"}, 401},
		{"bearer", "/v1/chat/completions", []string{"Authorization", "Bearer secret-aaaa-1111"}, 200},
		{"x-api-key", "/v1/messages", []string{"x-api-key", "secret-bbbb-2222", "anthropic-version", "2023-06-01"}, 200},
		{"models need a key", "/v1/models", nil, 401},
	} {
		body := chatBody("auto", "hello", false)
		if c.path == "/v1/messages" {
			body = `{"model":"auto","max_tokens":9,"messages":[{"role":"user","content":"hello"}]}`
		}
		var resp *http.Response
		var out string
		if c.path == "/v1/models" {
			r, err := http.Get(h.url + c.path)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			resp = r
		} else {
			resp, out = post(t, h.url+c.path, body, c.hdr...)
		}
		if resp.StatusCode != c.status {
			t.Fatalf("%s: %d %s, want %d", c.name, resp.StatusCode, out, c.status)
		}
		if c.status == 401 && strings.Contains(out, "secret-") {
			t.Fatalf("%s: a key in the error body", c.name)
		}
	}
	recs := h.log.all()
	if len(recs) != 2 || recs[0].Client != "team-a" || recs[1].Client != "team-b" || recs[1].API != "anthropic" {
		t.Fatalf("records %+v, want team-a then team-b (anthropic)", recs)
	}
	for k := range h.cloud.Stats().Auth {
		if strings.Contains(k, "secret-") {
			t.Fatal("a client key was forwarded upstream")
		}
	}
	if r, err := http.Get(h.url + "/healthz"); err != nil || r.StatusCode != 200 {
		t.Fatalf("healthz without a key: %v %v", r, err)
	}
}

// syncQueue runs shadow jobs at once (the real queue is route.ShadowQueue).
type syncQueue struct{ jobs []func(context.Context) }

func (q *syncQueue) offer(job func(context.Context)) bool { q.jobs = append(q.jobs, job); return true }

// afterHook makes sh.After srv's AfterAnswer and returns a wait for one
// call of it to finish: the hook runs after the client has its answer, so
// a test that looks at what it did must wait for it.
func afterHook(t *testing.T, srv *Server, sh *Shadower) (wait func()) {
	hooked := make(chan struct{}, 1)
	srv.AfterAnswer = func(req *Request, in *route.Input, rec *ledger.Record) {
		sh.After(req, in, rec)
		hooked <- struct{}{}
	}
	return func() {
		t.Helper()
		select {
		case <-hooked:
		case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
			t.Fatal("AfterAnswer never ran")
		}
	}
}

func TestShadowAfterAnswer(t *testing.T) {
	var q syncQueue
	var sh *Shadower
	srv := &Server{}
	h := newHarness(t, withServer(srv), withShadow("shadow: {to: local, sample: 1}"))
	sh = &Shadower{Router: srv.Router, Write: h.log.Write, Offer: q.offer}
	waitHook := afterHook(t, srv, sh)
	// Plain request: answered by cloud-gpt, shadowed on local.
	resp, body := post(t, h.url+"/v1/chat/completions", chatBody("auto", "compare me", false))
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	waitHook()
	if len(q.jobs) != 1 {
		t.Fatalf("%d shadow jobs, want 1", len(q.jobs))
	}
	primary := h.next(t)
	q.jobs[0](context.Background())
	shadow := h.next(t)
	if !shadow.Shadow || shadow.ShadowOf != primary.ID || shadow.Backend != "local" || shadow.Status != "ok" || shadow.AnswerSHA256 == "" {
		t.Fatalf("shadow record %+v for primary %s", shadow, primary.ID)
	}
	if primary.AnswerSHA256 != shadow.AnswerSHA256 {
		t.Fatal("same fake answer on both sides should agree")
	}
	// A request answered locally is never shadowed onto itself.
	post(t, h.url+"/v1/chat/completions", chatBody("local", "already local", false))
	waitHook()
	if len(q.jobs) != 1 {
		t.Fatalf("local primary was shadowed onto itself")
	}
}

func TestMetrics(t *testing.T) {
	h := newHarness(t)
	post(t, h.url+"/v1/chat/completions", chatBody("auto", "count me", false))
	post(t, h.url+"/v1/messages", `{"model":"auto","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"me too"}]}`)
	post(t, h.url+"/v1/chat/completions", chatBody("auto", "x [fault-500]", false))
	resp, err := http.Get(h.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
	body := b.String()
	for _, want := range []string{
		`llmcost_proxy_requests_total{api="openai",backend="cloud-gpt",status="ok"} 1`,
		`llmcost_proxy_requests_total{api="anthropic",backend="cloud-gpt",status="ok"} 1`,
		`llmcost_proxy_requests_total{api="openai",backend="cloud-gpt",status="error"} 1`,
		`llmcost_proxy_tokens_total{backend="cloud-gpt",direction="input",status="ok"}`,
		`llmcost_proxy_cost_usd_total{backend="cloud-gpt",status="ok"}`,
		`llmcost_proxy_request_duration_seconds_bucket{backend="cloud-gpt",status="ok",le="+Inf"} 2`,
		`llmcost_proxy_ttft_seconds_count{backend="cloud-gpt"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "count me") {
		t.Fatal("prompt text in metrics")
	}
}

// Deltas are held only while the upstream has more bytes ready: when it
// stalls, everything it sent so far has already reached the client (the
// coalesced flush never costs time to first token).
func TestStreamDeltasReachClientBeforeUpstreamStalls(t *testing.T) {
	for _, c := range []struct{ name, path, body, prompt string }{
		{APIOpenAI, "/v1/chat/completions", "", "go on please [fault-stall-stream]"},
		{APIAnthropic, "/v1/messages", "", "go on please now [fault-stall-stream]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			body := chatBody("auto", c.prompt, true)
			if c.name == APIAnthropic {
				body = antBody("cloud-claude", c.prompt, true)
			}
			a := expected(64, c.prompt)
			if c.name == APIOpenAI {
				a = expected(0, c.prompt)
			}
			want := strings.Join(a.Words[:len(a.Words)/2], "")
			if want == "" {
				t.Fatalf("the fake's answer %q is too short to stall halfway", a.Text)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.url+c.path, strings.NewReader(body))
			got := make(chan string, 1)
			go func() {
				// Even the status line waits for the first flush.
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					got <- "request failed: " + err.Error()
					return
				}
				defer resp.Body.Close()
				// Read deltas until the text so far is the half the fake sent.
				br := bufio.NewReader(resp.Body)
				var text strings.Builder
				for text.String() != want {
					line, err := br.ReadString('\n')
					if err != nil {
						break
					}
					data, ok := strings.CutPrefix(strings.TrimSpace(line), "data: ")
					if !ok {
						continue
					}
					var ev struct {
						Choices []struct {
							Delta struct{ Content string } `json:"delta"`
						} `json:"choices"`
						Delta struct{ Text string } `json:"delta"`
					}
					if json.Unmarshal([]byte(data), &ev) != nil {
						continue
					}
					text.WriteString(ev.Delta.Text)
					if len(ev.Choices) > 0 {
						text.WriteString(ev.Choices[0].Delta.Content)
					}
				}
				got <- text.String()
			}()
			select {
			case s := <-got:
				if s != want {
					t.Fatalf("client got %q before the stall, want %q", s, want)
				}
			case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
				t.Fatalf("the deltas sent before the upstream stalled did not reach the client (want %q)", want)
			}
		})
	}
}

func ptrVal[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// An error event inside a stream reaches an Anthropic client with the
// upstream's type: overloaded_error stays overloaded_error (not api_error),
// as it does for a non-streamed 529.
func TestStreamErrorKeepsAnthropicType(t *testing.T) {
	h := newHarness(t)
	_, out := post(t, h.url+"/v1/messages", `{"model":"cloud-claude","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"tell me [fault-stream-error]"}]}`)
	if !strings.Contains(out, "event: error") || !strings.Contains(out, `"type":"overloaded_error"`) {
		t.Fatalf("stream error event: %s", out)
	}
	// An OpenAI client of the same backend gets its own wire's type.
	_, out = post(t, h.url+"/v1/chat/completions", chatBody("cloud-claude", "tell me [fault-stream-error]", true))
	if !strings.Contains(out, `"type":"server_error"`) {
		t.Fatalf("openai stream error: %s", out)
	}
}
