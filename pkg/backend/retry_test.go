package backend

import (
	"context"
	"errors"
	"net"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestDoFailures(t *testing.T) {
	s := time.Second
	ms := time.Millisecond
	// Backoff with Rand=0.5, base 500ms, cap 8s: 250ms, 500ms, 1s, ...
	tests := []struct {
		name         string
		api          string
		stream       bool
		replies      func(t *testing.T) []reply
		policy       func(p *RetryPolicy)
		timeout      time.Duration
		wantAttempts int
		wantCode     string // "" = success
		wantStatus   int
		wantRetry    bool // Error.Retryable of the final error
		wantSleeps   []time.Duration
		wantUsage    string // on success
	}{
		{
			name: "openai 429 Retry-After then success", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				return []reply{httpFixture(t, "openai-429-rate-limit.http.json"), jsonReply(t, "openai-chat-nonstream.json")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{4 * s},
			wantUsage: "in=19 out=10 cached=0 cwrite=nil reasoning=0",
		},
		{
			name: "openai 429 Retry-After every time exhausts attempts", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				r := httpFixture(t, "openai-429-rate-limit.http.json")
				return []reply{r, r, r, r}
			},
			wantAttempts: 4, wantCode: "rate_limit_exceeded", wantStatus: 429, wantRetry: true,
			wantSleeps: []time.Duration{4 * s, 4 * s, 4 * s},
		},
		{
			name: "openai insufficient_quota is permanent", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				return []reply{httpFixture(t, "openai-429-insufficient-quota.http.json")}
			},
			wantAttempts: 1, wantCode: "insufficient_quota", wantStatus: 429, wantRetry: false,
		},
		{
			name: "openai 500 then success", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				return []reply{httpFixture(t, "derived-openai-500.http.json"), jsonReply(t, "openai-chat-nonstream.json")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{250 * ms},
			wantUsage: "in=19 out=10 cached=0 cwrite=nil reasoning=0",
		},
		{
			name: "openai 500 four times: full-jitter backoff doubles", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				r := httpFixture(t, "derived-openai-500.http.json")
				return []reply{r, r, r, r}
			},
			wantAttempts: 4, wantCode: "server_error", wantStatus: 500, wantRetry: true,
			wantSleeps: []time.Duration{250 * ms, 500 * ms, 1000 * ms},
		},
		{
			name: "openai 401 is permanent", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				return []reply{{status: 401, header: map[string]string{"Content-Type": "application/json"},
					body: []byte(`{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`)}}
			},
			wantAttempts: 1, wantCode: "invalid_api_key", wantStatus: 401, wantRetry: false,
		},
		{
			name: "vllm 400 with integer code is permanent", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				return []reply{{status: 400, header: map[string]string{"Content-Type": "application/json"},
					body: []byte(`{"error":{"message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400}}`)}}
			},
			wantAttempts: 1, wantCode: "BadRequestError", wantStatus: 400, wantRetry: false,
		},
		{
			name: "503 with HTML body still classified by status", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				return []reply{{status: 503, header: map[string]string{"Content-Type": "text/html"}, body: []byte("<html>Service Unavailable</html>")},
					jsonReply(t, "openai-chat-nonstream.json")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{250 * ms},
			wantUsage: "in=19 out=10 cached=0 cwrite=nil reasoning=0",
		},
		{
			name: "retry-after-ms preferred over Retry-After", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				r := httpFixture(t, "openai-429-rate-limit.http.json")
				r.header["retry-after-ms"] = "1500"
				return []reply{r, jsonReply(t, "openai-chat-nonstream.json")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{1500 * ms},
			wantUsage: "in=19 out=10 cached=0 cwrite=nil reasoning=0",
		},
		{
			name: "Retry-After above MaxRetryAfter is not retried", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				r := httpFixture(t, "openai-429-rate-limit.http.json")
				r.header["retry-after"] = "3600"
				return []reply{r}
			},
			wantAttempts: 1, wantCode: "rate_limit_exceeded", wantStatus: 429, wantRetry: true,
		},
		{
			name: "anthropic 529 overloaded then success", api: APIAnthropic,
			replies: func(t *testing.T) []reply {
				return []reply{httpFixture(t, "anthropic-529-overloaded.http.json"), jsonReply(t, "anthropic-messages-nonstream.recorded.json")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{250 * ms},
			wantUsage: "in=514 out=19 cached=0 cwrite=0 reasoning=nil",
		},
		{
			name: "anthropic 529 overloaded every time", api: APIAnthropic,
			replies: func(t *testing.T) []reply {
				r := httpFixture(t, "anthropic-529-overloaded.http.json")
				return []reply{r, r, r, r}
			},
			wantAttempts: 4, wantCode: "overloaded_error", wantStatus: 529, wantRetry: true,
			wantSleeps: []time.Duration{250 * ms, 500 * ms, 1000 * ms},
		},
		{
			name: "anthropic 429 retry-after 12s", api: APIAnthropic,
			replies: func(t *testing.T) []reply {
				return []reply{httpFixture(t, "anthropic-429-rate-limit.http.json"), jsonReply(t, "anthropic-messages-nonstream.recorded.json")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{12 * s},
			wantUsage: "in=514 out=19 cached=0 cwrite=0 reasoning=nil",
		},
		{
			name: "anthropic spend limit 429 is permanent", api: APIAnthropic,
			replies: func(t *testing.T) []reply {
				return []reply{httpFixture(t, "anthropic-429-spend-limit.http.json")}
			},
			wantAttempts: 1, wantCode: "enforced_spend_limit_reached", wantStatus: 429, wantRetry: false,
		},
		{
			name: "anthropic overloaded error event inside 200 stream", api: APIAnthropic, stream: true,
			replies: func(t *testing.T) []reply {
				return []reply{sseReply(t, "anthropic-stream-error-overloaded.sse"), sseReply(t, "anthropic-messages-stream.recorded.sse")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{250 * ms},
			wantUsage: "in=394 out=79 cached=0 cwrite=0 reasoning=nil",
		},
		{
			name: "anthropic stream error event every time", api: APIAnthropic, stream: true,
			replies: func(t *testing.T) []reply {
				r := sseReply(t, "anthropic-stream-error-overloaded.sse")
				return []reply{r, r}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 2 },
			wantAttempts: 2, wantCode: "overloaded_error", wantRetry: true,
			wantSleeps: []time.Duration{250 * ms},
		},
		{
			name: "openai truncated stream (no usage, no [DONE]) then success", api: APIOpenAI, stream: true,
			replies: func(t *testing.T) []reply {
				full := sseReply(t, "openai-chat-stream-include-usage.sse")
				return []reply{cut(t, full, `data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[],`), full}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{250 * ms},
			wantUsage: "in=19 out=2 cached=0 cwrite=nil reasoning=0",
		},
		{
			name: "openai stream ending after finish and usage without [DONE] is accepted", api: APIOpenAI, stream: true,
			replies: func(t *testing.T) []reply {
				return []reply{cut(t, sseReply(t, "openai-chat-stream-include-usage.sse"), "data: [DONE]")}
			},
			wantAttempts: 1,
			wantUsage:    "in=19 out=2 cached=0 cwrite=nil reasoning=0",
		},
		{
			name: "openai stream cut mid-content", api: APIOpenAI, stream: true,
			replies: func(t *testing.T) []reply {
				return []reply{cut(t, sseReply(t, "openai-chat-stream-include-usage.sse"), `data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"!"}`)}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 1 },
			wantAttempts: 1, wantCode: CodeTruncatedStream, wantRetry: true,
		},
		{
			name: "openai stream connection dies mid-body", api: APIOpenAI, stream: true,
			replies: func(t *testing.T) []reply {
				r := cut(t, sseReply(t, "openai-chat-stream-include-usage.sse"), `data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{},`)
				r.shortBody = true
				return []reply{r}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 1 },
			wantAttempts: 1, wantCode: CodeTruncatedStream, wantRetry: true,
		},
		{
			name: "anthropic stream without message_stop", api: APIAnthropic, stream: true,
			replies: func(t *testing.T) []reply {
				return []reply{cut(t, sseReply(t, "anthropic-messages-stream.recorded.sse"), "event: message_stop")}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 1 },
			wantAttempts: 1, wantCode: CodeTruncatedStream, wantRetry: true,
		},
		{
			name: "ollama ndjson without done", api: APIOllama, stream: true,
			replies: func(t *testing.T) []reply {
				r := ndjsonReply(t, "ollama-api-chat-stream.ndjson")
				return []reply{cut(t, r, `{"model":"llama3.2","created_at":"2023-08-04T19:22:45`), r}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{250 * ms},
			wantUsage: "in=26 out=282 cached=nil cwrite=nil reasoning=nil",
		},
		{
			name: "ollama ndjson cut mid-object", api: APIOllama, stream: true,
			replies: func(t *testing.T) []reply {
				return []reply{cut(t, ndjsonReply(t, "ollama-api-chat-stream.ndjson"), `"eval_count"`)}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 1 },
			wantAttempts: 1, wantCode: CodeTruncatedStream, wantRetry: true,
		},
		{
			name: "malformed JSON is retried once only", api: APIOpenAI,
			replies: func(t *testing.T) []reply {
				r := cut(t, jsonReply(t, "openai-chat-nonstream.json"), `"usage"`)
				return []reply{r, r}
			},
			wantAttempts: 2, wantCode: CodeMalformedResponse, wantStatus: 200, wantRetry: true,
			wantSleeps: []time.Duration{250 * ms},
		},
		{
			name: "malformed JSON then success", api: APIAnthropic,
			replies: func(t *testing.T) []reply {
				return []reply{{status: 200, header: map[string]string{"Content-Type": "application/json"}, body: []byte("<html>proxy error</html>")},
					jsonReply(t, "anthropic-messages-nonstream.recorded.json")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{250 * ms},
			wantUsage: "in=514 out=19 cached=0 cwrite=0 reasoning=nil",
		},
		{
			name: "ollama malformed stream line", api: APIOllama, stream: true,
			replies: func(t *testing.T) []reply {
				return []reply{{status: 200, body: []byte("{\"model\":\"x\",\"done\":false}\nnot json\n")}}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 1 },
			wantAttempts: 1, wantCode: CodeMalformedResponse, wantRetry: true,
		},
		{
			name: "anthropic 502 HTML from a proxy", api: APIAnthropic,
			replies: func(t *testing.T) []reply {
				return []reply{{status: 502, header: map[string]string{"Content-Type": "text/html"}, body: []byte("<html>Bad Gateway</html>")}}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 1 },
			wantAttempts: 1, wantCode: "http_502", wantStatus: 502, wantRetry: true,
		},
		{
			name: "ollama 503 plain text then success", api: APIOllama,
			replies: func(t *testing.T) []reply {
				return []reply{{status: 503, body: []byte("server busy")}, jsonReply(t, "ollama-api-chat-nonstream.json")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{250 * ms},
			wantUsage: "in=26 out=298 cached=nil cwrite=nil reasoning=nil",
		},
		{
			name: "openai error object inside a 200 stream", api: APIOpenAI, stream: true,
			replies: func(t *testing.T) []reply {
				return []reply{{status: 200, header: map[string]string{"Content-Type": "text/event-stream"},
					body: []byte("data: {\"error\":{\"message\":\"engine died\",\"type\":\"server_error\",\"code\":500}}\n\n")}}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 1 },
			wantAttempts: 1, wantCode: "server_error", wantRetry: true,
		},
		{
			name: "ollama model not found is permanent", api: APIOllama,
			replies: func(t *testing.T) []reply {
				return []reply{{status: 404, header: map[string]string{"Content-Type": "application/json"}, body: []byte(`{"error":"model \"llama9\" not found, try pulling it first"}`)}}
			},
			wantAttempts: 1, wantCode: "http_404", wantStatus: 404, wantRetry: false,
		},
		{
			name: "openai timeout on every attempt", api: APIOpenAI, timeout: 20 * ms,
			replies: func(t *testing.T) []reply {
				return []reply{{block: true}, {block: true}}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 2 },
			wantAttempts: 2, wantCode: CodeTimeout, wantRetry: true, wantSleeps: []time.Duration{250 * ms},
		},
		{
			name: "anthropic timeout then success", api: APIAnthropic, timeout: 20 * ms,
			replies: func(t *testing.T) []reply {
				return []reply{{block: true}, jsonReply(t, "anthropic-messages-nonstream.recorded.json")}
			},
			wantAttempts: 2, wantSleeps: []time.Duration{250 * ms},
			wantUsage: "in=514 out=19 cached=0 cwrite=0 reasoning=nil",
		},
		{
			name: "ollama timeout", api: APIOllama, timeout: 20 * ms, stream: true,
			replies: func(t *testing.T) []reply {
				return []reply{{block: true}}
			},
			policy:       func(p *RetryPolicy) { p.MaxAttempts = 1 },
			wantAttempts: 1, wantCode: CodeTimeout, wantRetry: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := tt.replies(t)
			rp := newReplay(t, replies...)
			var opts []backendOpt
			if tt.timeout > 0 {
				opts = append(opts, withTimeout(tt.timeout))
			}
			b := newTestBackend(t, tt.api, rp, opts...)
			rec := &sleepRecorder{}
			p := testPolicy(rec)
			if tt.policy != nil {
				tt.policy(&p)
			}
			resp, attempts, err := Do(context.Background(), b, Request{ID: "p1", Prompt: "hi", MaxTokens: 64, Stream: tt.stream}, p)
			if attempts != tt.wantAttempts {
				t.Errorf("attempts = %d, want %d", attempts, tt.wantAttempts)
			}
			// SDK retries must be off: the server never sees more requests
			// than Do's attempts. A request that timed out may have spent
			// its whole wall-clock budget before reaching the handler on a
			// loaded machine, so a timeout case may see fewer.
			if got := len(rp.requests()); got > tt.wantAttempts || got < tt.wantAttempts && tt.wantCode != CodeTimeout {
				t.Errorf("server saw %d requests, want %d (SDK retries must be off)", got, tt.wantAttempts)
			}
			if !reflect.DeepEqual(rec.sleeps, tt.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", rec.sleeps, tt.wantSleeps)
			}
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if got := usageString(resp.Usage); got != tt.wantUsage {
					t.Errorf("Usage = %s, want %s", got, tt.wantUsage)
				}
				return
			}
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if be.Code != tt.wantCode {
				t.Errorf("Code = %q, want %q (err: %v)", be.Code, tt.wantCode, err)
			}
			if be.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", be.StatusCode, tt.wantStatus)
			}
			if be.Retryable != tt.wantRetry {
				t.Errorf("Retryable = %v, want %v", be.Retryable, tt.wantRetry)
			}
			if be.Backend != b.Name() {
				t.Errorf("Backend = %q, want %q", be.Backend, b.Name())
			}
			if tt.wantCode == CodeTimeout && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("timeout error does not wrap context.DeadlineExceeded: %v", err)
			}
		})
	}
}

func TestDoRetryAfterTooLongKeepsHint(t *testing.T) {
	r := httpFixture(t, "openai-429-rate-limit.http.json")
	r.header["retry-after"] = "120"
	rp := newReplay(t, r)
	b := newTestBackend(t, APIOpenAI, rp)
	rec := &sleepRecorder{}
	_, attempts, err := Do(context.Background(), b, Request{Prompt: "hi"}, testPolicy(rec))
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if attempts != 1 || len(rec.sleeps) != 0 {
		t.Errorf("attempts = %d, sleeps = %v; want 1 attempt, no sleep", attempts, rec.sleeps)
	}
	if be.RetryAfter != 120*time.Second {
		t.Errorf("RetryAfter = %v, want 2m0s so the caller can reschedule", be.RetryAfter)
	}
}

func TestDoRetryAfterHTTPDate(t *testing.T) {
	// stepClock starts at 09:00:00.001 and the date is 09:00:30: ~30s.
	r := httpFixture(t, "anthropic-429-rate-limit.http.json")
	r.header["retry-after"] = time.Date(2026, 11, 27, 9, 0, 30, 0, time.UTC).Format(http.TimeFormat)
	rp := newReplay(t, r, jsonReply(t, "anthropic-messages-nonstream.recorded.json"))
	b := newTestBackend(t, APIAnthropic, rp)
	rec := &sleepRecorder{}
	_, attempts, err := Do(context.Background(), b, Request{Prompt: "hi"}, testPolicy(rec))
	if err != nil {
		t.Fatal(err)
	}
	if attempts != 2 || len(rec.sleeps) != 1 {
		t.Fatalf("attempts = %d, sleeps = %v; want 2 and one sleep", attempts, rec.sleeps)
	}
	if d := rec.sleeps[0]; d < 29*time.Second || d > 30*time.Second {
		t.Errorf("slept %v, want just under 30s from the HTTP-date", d)
	}
}

func TestDoConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	b, err := New(Config{Name: "gone", API: APIOpenAI, BaseURL: "http://" + addr + "/v1", Model: "m", Getenv: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	rec := &sleepRecorder{}
	p := testPolicy(rec)
	p.MaxAttempts = 3
	var retried []int
	p.OnRetry = func(attempt int, err *Error, wait time.Duration) {
		if err.Code != CodeConnection || wait != p.Backoff(attempt-1) {
			t.Errorf("OnRetry(%d, %s, %v): unexpected", attempt, err.Code, wait)
		}
		retried = append(retried, attempt)
	}
	_, attempts, err := Do(context.Background(), b, Request{Prompt: "hi"}, p)
	if !reflect.DeepEqual(retried, []int{1, 2}) {
		t.Errorf("OnRetry saw attempts %v, want [1 2]", retried)
	}
	var be *Error
	if !errors.As(err, &be) || be.Code != CodeConnection || !be.Retryable || be.StatusCode != 0 {
		t.Fatalf("err = %#v, want retryable connection_error", err)
	}
	if attempts != 3 || len(rec.sleeps) != 2 {
		t.Errorf("attempts = %d, sleeps = %v; want 3 attempts, 2 sleeps", attempts, rec.sleeps)
	}
}

func TestDoCanceledWhileWaiting(t *testing.T) {
	rp := newReplay(t, httpFixture(t, "openai-429-rate-limit.http.json"))
	b := newTestBackend(t, APIOpenAI, rp)
	ctx, cancel := context.WithCancel(context.Background())
	p := testPolicy(&sleepRecorder{})
	p.Sleep = func(ctx context.Context, d time.Duration) error {
		cancel() // Ctrl-C arrives during the back-off
		return ctx.Err()
	}
	_, attempts, err := Do(ctx, b, Request{Prompt: "hi"}, p)
	if attempts != 1 {
		t.Errorf("attempts = %d, want 1", attempts)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap context.Canceled", err)
	}
	var be *Error
	if !errors.As(err, &be) || be.Code != CodeCanceled || be.Retryable {
		t.Errorf("err = %#v, want non-retryable canceled", err)
	}
}

func TestDoCanceledDuringRequest(t *testing.T) {
	rp := newReplay(t, reply{block: true})
	b := newTestBackend(t, APIOpenAI, rp)
	ctx, cancel := context.WithCancel(context.Background())
	rec := &sleepRecorder{}
	// Cancel as soon as the server has the request: the caller gave up.
	go func() {
		<-rp.arrived
		cancel()
	}()
	_, attempts, err := Do(ctx, b, Request{Prompt: "hi"}, testPolicy(rec))
	if attempts != 1 || len(rec.sleeps) != 0 {
		t.Errorf("attempts = %d, sleeps = %v; want 1 and none (caller cancellation is not retried)", attempts, rec.sleeps)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, Rand: func() float64 { return 0.999999 }}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for n, w := range want {
		got := p.Backoff(n)
		w *= time.Millisecond
		if got > w || got < w*99/100 {
			t.Errorf("Backoff(%d) = %v, want just under %v", n, got, w)
		}
	}
	if got := p.Backoff(200); got > time.Second {
		t.Errorf("Backoff(200) = %v, want capped at 1s (no overflow)", got)
	}
	p.Rand = func() float64 { return 0 }
	if got := p.Backoff(3); got != 0 {
		t.Errorf("full jitter with Rand=0: Backoff = %v, want 0", got)
	}
}
