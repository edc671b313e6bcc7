package backend_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
)

// A local OpenAI-compatible server (vLLM, llama.cpp, Ollama /v1) that
// rate-limits once, then answers.
func Example() {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		if calls == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}`)
			return
		}
		fmt.Fprint(w, `{"id":"x","object":"chat.completion","created":1,"model":"llama-3.1-8b",
			"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],
			"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}`)
	}))
	defer srv.Close()

	b, err := backend.New(backend.Config{
		Name: "local-llama", API: backend.APIOpenAI, BaseURL: srv.URL + "/v1",
		Model: "meta-llama/Llama-3.1-8B-Instruct", Timeout: time.Minute,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	policy := backend.RetryPolicy{
		Sleep: func(ctx context.Context, d time.Duration) error { fmt.Println("waiting", d); return nil },
	}
	resp, attempts, err := backend.Do(context.Background(), b, backend.Request{Prompt: "Say hello."}, policy)
	if err != nil {
		var be *backend.Error
		if errors.As(err, &be) {
			fmt.Println(be.Code, be.Retryable)
		}
		return
	}
	fmt.Println(resp.Text, *resp.Usage.InputTokens, *resp.Usage.OutputTokens, resp.Usage.CachedTokens == nil, attempts)
	// Output:
	// waiting 2s
	// Hello! 12 3 true 2
}
