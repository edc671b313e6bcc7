package backend

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewValidates(t *testing.T) {
	env := func(name string) string {
		if name == "SET_KEY" {
			return "value-of-key"
		}
		return ""
	}
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // substring; "" = valid
	}{
		{"local openai without key", Config{Name: "l", API: "openai", BaseURL: "http://127.0.0.1:8000/v1", Model: "m"}, ""},
		{"api is case-insensitive", Config{Name: "l", API: "Ollama", Model: "m"}, ""},
		{"missing name", Config{API: "openai", BaseURL: "http://x/v1", Model: "m"}, "name is required"},
		{"unknown api", Config{Name: "b", API: "gemini", Model: "m"}, `api "gemini" is not one of openai, anthropic, ollama`},
		{"missing model", Config{Name: "b", API: "ollama"}, "model is required"},
		{"bad scheme", Config{Name: "b", API: "openai", BaseURL: "ftp://host/v1", Model: "m"}, "is not an http(s) URL"},
		{"no host", Config{Name: "b", API: "openai", BaseURL: "localhost:8000", Model: "m"}, "is not an http(s) URL"},
		{"credentials in URL", Config{Name: "b", API: "openai", BaseURL: "http://u:p@host/v1", Model: "m"}, "must not contain credentials"},
		{"negative timeout", Config{Name: "b", API: "ollama", Model: "m", Timeout: -time.Second}, "timeout -1s is negative"},
		{"env var named but unset", Config{Name: "claude", API: "anthropic", Model: "m", APIKeyEnv: "ANTHROPIC_API_KEY"}, `backend "claude": environment variable ANTHROPIC_API_KEY (api_key_env) is not set`},
		{"default OpenAI endpoint needs a key", Config{Name: "b", API: "openai", Model: "m"}, "api_key_env is required for api.openai.com"},
		{"default Anthropic endpoint needs a key", Config{Name: "b", API: "anthropic", Model: "m"}, "api_key_env is required for api.anthropic.com"},
		{"cloud flag needs a key", Config{Name: "b", API: "openai", BaseURL: "https://gateway.example/v1", Model: "m", RequireAPIKey: true}, "api_key_env is required"},
		{"cloud with key", Config{Name: "b", API: "anthropic", Model: "m", APIKeyEnv: "SET_KEY", RequireAPIKey: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Getenv = env
			b, err := New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if b.Name() != tt.cfg.Name {
					t.Errorf("Name() = %q", b.Name())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "value-of-key") {
				t.Errorf("error shows a key value: %v", err)
			}
		})
	}
}

func TestNewUsesOwnHTTPClient(t *testing.T) {
	b, err := New(Config{Name: "l", API: "ollama", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	c := b.(*ollamaBackend).client
	if c == http.DefaultClient || c.Transport == nil || c.Transport == http.DefaultTransport {
		t.Error("default client must be our own, not http.DefaultClient/DefaultTransport")
	}
	if c.Timeout != 0 {
		t.Errorf("client.Timeout = %v: an overall timeout would cut long streams", c.Timeout)
	}
}

func TestClassifyHTTP(t *testing.T) {
	c := common{name: "b", apiKey: "k3y-value", now: stepClock(), timeout: time.Second}
	json := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		wantCode   string
		wantRetry  bool
		wantMsg    string
		wantRetryA time.Duration
	}{
		{"400 permanent", 400, json, `{"error":{"message":"bad","type":"invalid_request_error"}}`, "invalid_request_error", false, "bad", 0},
		{"403 permanent", 403, json, `{"type":"error","error":{"type":"permission_error","message":"no"}}`, "permission_error", false, "no", 0},
		{"404 permanent", 404, nil, ``, "http_404", false, "Not Found", 0},
		{"408 retryable", 408, nil, ``, "http_408", true, "Request Timeout", 0},
		{"409 retryable like the SDKs", 409, nil, ``, "http_409", true, "Conflict", 0},
		{"413 permanent", 413, json, `{"type":"error","error":{"type":"request_too_large","message":"big"}}`, "request_too_large", false, "big", 0},
		{"429 plain retryable", 429, map[string]string{"Retry-After": "2"}, `{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}`, "rate_limit_exceeded", true, "slow down", 2 * time.Second},
		{"429 credit_balance_exhausted permanent", 429, json, `{"error":{"message":"out of credit","type":"insufficient_quota","code":"credit_balance_exhausted"}}`, "credit_balance_exhausted", false, "out of credit", 0},
		{"400 billing_error permanent", 400, json, `{"type":"error","error":{"type":"billing_error","message":"pay"}}`, "billing_error", false, "pay", 0},
		{"500 retryable", 500, json, `{"error":{"message":"oops","type":"server_error","code":null}}`, "server_error", true, "oops", 0},
		{"501 permanent", 501, nil, `not implemented`, "http_501", false, "Not Implemented: not implemented", 0},
		{"502 retryable", 502, nil, `<html>bad gateway</html>`, "http_502", true, "Bad Gateway: <html>bad gateway</html>", 0},
		{"504 retryable", 504, nil, ``, "http_504", true, "Gateway Timeout", 0},
		{"529 retryable", 529, json, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, "overloaded_error", true, "Overloaded", 0},
		{"x-should-retry false wins over 503", 503, map[string]string{"x-should-retry": "false"}, ``, "http_503", false, "Service Unavailable", 0},
		{"x-should-retry true on 400", 400, map[string]string{"x-should-retry": "true"}, ``, "http_400", true, "Bad Request", 0},
		{"spend limit beats x-should-retry", 429, map[string]string{"x-should-retry": "true"}, `{"type":"error","error":{"type":"rate_limit_error","message":"m","details":{"error_code":"enforced_spend_limit_reached"}}}`, "enforced_spend_limit_reached", false, "m", 0},
		{"ollama string error", 500, json, `{"error":"llama runner process has terminated"}`, "http_500", true, "llama runner process has terminated", 0},
		{"fastapi detail", 422, json, `{"detail":"field required"}`, "http_422", false, "field required", 0},
		{"vllm top-level error", 400, json, `{"object":"error","message":"too long","type":"BadRequestError","param":null,"code":400}`, "BadRequestError", false, "too long", 0},
		{"key scrubbed", 401, json, `{"error":{"message":"key k3y-value is wrong","type":"authentication_error"}}`, "authentication_error", false, "key [REDACTED] is wrong", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			e := c.classifyHTTP(tt.status, h, []byte(tt.body))
			if e.Code != tt.wantCode || e.Retryable != tt.wantRetry || e.Message != tt.wantMsg || e.StatusCode != tt.status || e.RetryAfter != tt.wantRetryA {
				t.Errorf("got code=%q retry=%v msg=%q status=%d ra=%v; want code=%q retry=%v msg=%q status=%d ra=%v",
					e.Code, e.Retryable, e.Message, e.StatusCode, e.RetryAfter, tt.wantCode, tt.wantRetry, tt.wantMsg, tt.status, tt.wantRetryA)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		ms, ra string
		want   time.Duration
	}{
		{"", "4", 4 * time.Second},
		{"", "1.5", 1500 * time.Millisecond},
		{"", "0", 0},
		{"", "-3", 0},
		{"", "soon", 0},
		{"", "", 0},
		{"", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"", now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"250", "4", 250 * time.Millisecond},
		{"12.5", "", 12500 * time.Microsecond},
		{"nope", "4", 4 * time.Second},
		{"-5", "4", 4 * time.Second},
		{"", "1e300", 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.ms != "" {
			h.Set("retry-after-ms", tt.ms)
		}
		if tt.ra != "" {
			h.Set("Retry-After", tt.ra)
		}
		if got := parseRetryAfter(h, now); got != tt.want {
			t.Errorf("retry-after-ms=%q Retry-After=%q: got %v, want %v", tt.ms, tt.ra, got, tt.want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"4", "1.5", "-1", "Fri, 27 Nov 2026 09:00:30 GMT", "NaN", "Inf", "1e18", "0x10"} {
		f.Add(s, s)
	}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ms, ra string) {
		h := http.Header{}
		h.Set("retry-after-ms", ms)
		h.Set("Retry-After", ra)
		if d := parseRetryAfter(h, now); d < 0 {
			t.Fatalf("negative wait %v for %q/%q", d, ms, ra)
		}
	})
}

func FuzzClassifyHTTP(f *testing.F) {
	f.Add(429, []byte(`{"error":{"message":"m","type":"insufficient_quota","code":"insufficient_quota"}}`))
	f.Add(529, []byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
	f.Add(400, []byte(`{"error":{"code":400,"message":"x"}}`))
	f.Add(500, []byte(`{"error":"text"}`))
	f.Add(502, []byte(`<html>`))
	f.Add(401, []byte(`{"error":{"message":"`+sentinelKey+`"}}`))
	c := common{name: "b", apiKey: sentinelKey, now: stepClock()}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			return
		}
		e := c.classifyHTTP(status, http.Header{}, body)
		if e.Code == "" {
			t.Fatal("empty code")
		}
		if strings.Contains(e.Error(), sentinelKey) {
			t.Fatalf("key in error: %s", e.Error())
		}
		if isQuotaExhausted(e.Code) && e.Retryable {
			t.Fatalf("quota error %q marked retryable", e.Code)
		}
	})
}

// FuzzStreams feeds arbitrary bytes to each protocol's stream reader: it
// must return a response or a classified *Error, never panic or hang.
func FuzzStreams(f *testing.F) {
	for _, name := range []string{"openai-chat-stream-include-usage.sse", "anthropic-messages-stream.recorded.sse",
		"ollama-api-chat-stream.ndjson", "vllm-chat-stream-continuous-usage.schema-derived.sse", "anthropic-stream-error-overloaded.sse"} {
		f.Add(readWire(f, name))
	}
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"logprobs\":{\"content\":[{\"logprob\":-9999}]}}]}\n\n"))
	c := common{name: "fz", now: stepClock(), timeout: time.Second}
	readers := map[string]func(context.Context, context.Context, *http.Response, time.Time, *Request) (Response, error){
		"openai":    (&openaiBackend{common: c}).readStream,
		"anthropic": (&anthropicBackend{common: c}).readStream,
		"ollama":    (&ollamaBackend{common: c}).readStream,
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for name, read := range readers {
			raw := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
				Body: io.NopCloser(bytes.NewReader(data))}
			ctx := context.Background()
			resp, err := read(ctx, ctx, raw, c.now(), &Request{TokenTimes: true})
			if err != nil {
				var be *Error
				if !errors.As(err, &be) {
					t.Fatalf("%s: unclassified error %T: %v", name, err, err)
				}
				continue
			}
			for _, lp := range resp.Logprobs {
				if lp <= logprobSentinel {
					t.Fatalf("%s: sentinel logprob kept", name)
				}
			}
		}
	})
}
