package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// fixedServer answers every request with the same body, for benchmarks.
func fixedServer(b *testing.B, contentType string, body []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchBackend(b *testing.B, srv *httptest.Server) Backend {
	be, err := New(Config{Name: "bench", API: APIOpenAI, BaseURL: srv.URL + "/v1", Model: "m",
		HTTPClient: srv.Client(), Getenv: testEnv, APIKeyEnv: "TEST_KEY", Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	return be
}

// BenchmarkOpenAIComplete is one non-streamed completion through the full
// backend path (openai-go request build, raw read, usage normalisation,
// classification) against a local server. Compare with
// BenchmarkPlainHTTPBaseline for this package's overhead.
func BenchmarkOpenAIComplete(b *testing.B) {
	srv := fixedServer(b, "application/json", readWire(b, "openai-chat-nonstream.json"))
	be := benchBackend(b, srv)
	req := Request{Prompt: "Say hello.", MaxTokens: 32}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := be.Complete(ctx, req)
		if err != nil || resp.Usage.InputTokens == nil {
			b.Fatalf("Complete: %v", err)
		}
	}
}

// BenchmarkOpenAIDo adds the retry wrapper on the success path.
func BenchmarkOpenAIDo(b *testing.B) {
	srv := fixedServer(b, "application/json", readWire(b, "openai-chat-nonstream.json"))
	be := benchBackend(b, srv)
	req := Request{Prompt: "Say hello.", MaxTokens: 32}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Do(ctx, be, req, RetryPolicy{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenAICompleteStream(b *testing.B) {
	srv := fixedServer(b, "text/event-stream", readWire(b, "openai-chat-stream-include-usage.sse"))
	be := benchBackend(b, srv)
	req := Request{Prompt: "Say hello.", MaxTokens: 32, Stream: true}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := be.Complete(ctx, req)
		if err != nil || resp.Usage.OutputTokens == nil {
			b.Fatalf("Complete: %v", err)
		}
	}
}

func BenchmarkAnthropicComplete(b *testing.B) {
	srv := fixedServer(b, "application/json", readWire(b, "anthropic-messages-nonstream.recorded.json"))
	be, err := New(Config{Name: "bench", API: APIAnthropic, BaseURL: srv.URL, Model: "m",
		HTTPClient: srv.Client(), Getenv: testEnv, APIKeyEnv: "TEST_KEY", Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Prompt: "Say hello.", MaxTokens: 32}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := be.Complete(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainHTTPBaseline is the floor: a hand-written net/http POST and
// encoding/json decode of the same response, no SDK, no classification.
func BenchmarkPlainHTTPBaseline(b *testing.B) {
	srv := fixedServer(b, "application/json", readWire(b, "openai-chat-nonstream.json"))
	client := srv.Client()
	url := srv.URL + "/v1/chat/completions"
	payload, _ := json.Marshal(map[string]any{"model": "m", "max_tokens": 32,
		"messages": []map[string]string{{"role": "user", "content": "Say hello."}}})
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+sentinelKey)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out struct {
			Choices []struct {
				Message struct{ Content string } `json:"message"`
			} `json:"choices"`
			Usage struct {
				PromptTokens     int64 `json:"prompt_tokens"`
				CompletionTokens int64 `json:"completion_tokens"`
			} `json:"usage"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || out.Usage.PromptTokens == 0 {
			b.Fatal(err)
		}
	}
}
