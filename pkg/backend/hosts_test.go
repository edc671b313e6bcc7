package backend

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestIsCloudHost(t *testing.T) {
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"api.openai.com", true},
		{"API.OpenAI.com:443", true},
		{"api.anthropic.com.", true},
		{"generativelanguage.googleapis.com", true},
		{"us-central1-aiplatform.googleapis.com", true},
		{"openrouter.ai", true},
		{"api.deepseek.com", true},
		{"api.x.ai", true},
		{"api.mistral.ai", true},
		{"api.groq.com", true},
		{"api.together.xyz", true},
		{"api.fireworks.ai", true},
		{"myco.openai.azure.com", true},
		{"bedrock-runtime.us-east-1.amazonaws.com", true},
		{"127.0.0.1:8000", false},
		{"localhost", false},
		{"[::1]:11434", false},
		{"gpu-box.lan", false},
		{"ec2-3-1-2-3.compute-1.amazonaws.com", false}, // a rented machine of one's own
		{"notopenrouter.ai", false},
		{"openai.com.evil.example", false},
		{"", false},
	} {
		if got := IsCloudHost(tc.host); got != tc.want {
			t.Errorf("IsCloudHost(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

func TestIsPrivateHost(t *testing.T) {
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"127.0.0.1:8000", true},
		{"localhost:11434", true},
		{"[::1]:8000", true},
		{"10.0.0.5", true},
		{"172.16.3.4:8000", true},
		{"192.168.1.20", true},
		{"[fd12:3456::1]:8000", true}, // ULA
		{"169.254.10.1", true},        // link-local
		{"[fe80::1]", true},
		{"gpubox", true}, // single label
		{"gpubox:8000", true},
		{"llm.local", true},
		{"vllm.corp.internal", true},
		{"gpu.lan", true},
		{"203.0.113.7", false},
		{"8.8.8.8:80", false},
		{"172.32.0.1", false},
		{"gpu.example.com", false},
		{"openrouter.ai", false},
		{"", false},
	} {
		if got := IsPrivateHost(tc.host); got != tc.want {
			t.Errorf("IsPrivateHost(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

func TestEffectiveBaseURL(t *testing.T) {
	for _, tc := range []struct{ api, base, want string }{
		{"anthropic", "", DefaultAnthropicBaseURL},
		{"openai", "", DefaultOpenAIBaseURL},
		{"ollama", "", DefaultOllamaBaseURL},
		{"openai", " http://127.0.0.1:8000/v1 ", "http://127.0.0.1:8000/v1"},
		{"grpc", "", ""},
	} {
		if got := EffectiveBaseURL(tc.api, tc.base); got != tc.want {
			t.Errorf("EffectiveBaseURL(%q, %q) = %q, want %q", tc.api, tc.base, got, tc.want)
		}
	}
}

// TestRedirectToAnotherHostRefused: a server that redirects (307 resends
// the body) to another host must not get the prompt forwarded there.
func TestRedirectToAnotherHostRefused(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`)
	}))
	defer other.Close()
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer local.Close()
	for _, api := range []string{APIOpenAI, APIAnthropic, APIOllama} {
		b, err := New(Config{Name: "local", API: api, BaseURL: local.URL + "/v1", Model: "m", HTTPClient: &http.Client{}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Complete(context.Background(), Request{ID: "1", Prompt: "my card 4111 1111 1111 1111"})
		var be *Error
		if !errors.As(err, &be) || be.Retryable || !strings.Contains(be.Message, "redirect to another host refused") {
			t.Errorf("%s: err = %v, want a non-retryable refused redirect", api, err)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}
