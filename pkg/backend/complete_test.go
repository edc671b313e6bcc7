package backend

import (
	"context"
	"strconv"
	"testing"
	"time"
)

func TestCompleteNonStreaming(t *testing.T) {
	tests := []struct {
		name         string
		api          string
		fixture      reply
		logprobs     bool
		wantText     string
		wantModel    string
		wantFinish   string
		wantUsage    string
		wantLogprobs int // -1 = nil
		wantClamped  int
		wantFirstLP  float64
		wantTimings  string // "" = nil
	}{
		{
			name: "openai spec example", api: APIOpenAI, fixture: jsonReply(t, "openai-chat-nonstream.json"),
			wantText: "Hello! How can I assist you today?", wantModel: "gpt-5.4", wantFinish: "stop",
			wantUsage:    "in=19 out=10 cached=0 cwrite=nil reasoning=0",
			wantLogprobs: -1,
		},
		{
			// OpenAI counts cached tokens inside prompt_tokens: no adding up.
			name: "openai cached inside prompt count", api: APIOpenAI, fixture: jsonReply(t, "derived-openai-chat-nonstream-cached.json"),
			wantText: "Hello! How can I assist you today?", wantModel: "gpt-5.4", wantFinish: "stop",
			wantUsage:    "in=2006 out=300 cached=1920 cwrite=nil reasoning=192",
			wantLogprobs: -1,
		},
		{
			name: "openai logprobs", api: APIOpenAI, fixture: jsonReply(t, "openai-chat-logprobs.json"), logprobs: true,
			wantText: "Hello! How can I assist you today?", wantModel: "gpt-4o-mini", wantFinish: "stop",
			wantUsage:    "in=9 out=9 cached=nil cwrite=nil reasoning=0",
			wantLogprobs: 9, wantFirstLP: -0.31725305,
		},
		{
			// prompt_tokens_details: null means "not reported", never 0.
			name: "vllm details null", api: APIOpenAI, fixture: jsonReply(t, "vllm-chat-nonstream.captured.json"),
			wantText: "The text in the illustration is: **a tiger**", wantModel: "internvl3_5", wantFinish: "stop",
			wantUsage:    "in=107 out=16 cached=nil cwrite=nil reasoning=nil",
			wantLogprobs: -1,
		},
		{
			name: "vllm logprobs with -9999 sentinel", api: APIOpenAI, fixture: jsonReply(t, "derived-vllm-chat-logprobs-sentinel.json"), logprobs: true,
			wantText: "Paris.\n", wantModel: "Qwen/Qwen3-8B", wantFinish: "stop",
			wantUsage:    "in=24 out=3 cached=16 cwrite=nil reasoning=nil",
			wantLogprobs: 2, wantClamped: 1, wantFirstLP: -0.0021,
		},
		{
			name: "llama.cpp timings", api: APIOpenAI, fixture: jsonReply(t, "llamacpp-chat-nonstream-timings.captured.json"),
			wantText: "the quick brown fox jumps over the lazy dog", wantFinish: "stop",
			wantModel:    "/Users/nic/Library/Application Support/Tome/Granite/granite-speech-4.1-2b-Q8_0.gguf",
			wantUsage:    "in=46 out=10 cached=0 cwrite=nil reasoning=nil",
			wantLogprobs: -1, wantTimings: "llama.cpp prompt_n=46 predicted_n=10 tps=136.02",
		},
		{
			// Older llama.cpp: no prompt_tokens_details; cache_n is the cached count.
			name: "llama.cpp cache hit from timings", api: APIOpenAI, fixture: jsonReply(t, "derived-llamacpp-cache-hit-with-choices.json"),
			wantText: "(output elided)", wantModel: "glm-4.7-flash:30b", wantFinish: "length",
			wantUsage:    "in=13 out=1275 cached=3 cwrite=nil reasoning=nil",
			wantLogprobs: -1, wantTimings: "llama.cpp prompt_n=10 predicted_n=1275 tps=7.32",
		},
		{
			name: "ollama openai-compat", api: APIOpenAI, fixture: jsonReply(t, "ollama-openai-compat-chat.captured.json"),
			wantText:  "Hello! I'm here to help with any questions or information you might need. How can I assist you today?",
			wantModel: "gelab-zero-4b-preview", wantFinish: "stop",
			wantUsage:    "in=16 out=24 cached=nil cwrite=nil reasoning=nil",
			wantLogprobs: -1,
		},
		{
			name: "anthropic recorded", api: APIAnthropic, fixture: jsonReply(t, "anthropic-messages-nonstream.recorded.json"),
			wantText: "The current temperature in San Francisco is 68 degrees Fahrenheit.", wantModel: "claude-3-7-sonnet-20250219",
			wantFinish: "end_turn", wantUsage: "in=514 out=19 cached=0 cwrite=0 reasoning=nil", wantLogprobs: -1,
		},
		{
			// Anthropic counts cache reads/writes outside input_tokens: 100+2000+300.
			name: "anthropic cache tokens added to input", api: APIAnthropic, fixture: jsonReply(t, "derived-anthropic-messages-nonstream-cache.json"),
			wantText: "The current temperature in San Francisco is 68 degrees Fahrenheit.", wantModel: "claude-3-7-sonnet-20250219",
			wantFinish: "end_turn", wantUsage: "in=2400 out=19 cached=2000 cwrite=300 reasoning=nil", wantLogprobs: -1,
		},
		{
			name: "anthropic tool use keeps text blocks only", api: APIAnthropic, fixture: jsonReply(t, "anthropic-messages-nonstream-tooluse.recorded.json"),
			wantText: "I'll get the current weather in San Francisco for you in Fahrenheit.", wantModel: "claude-3-7-sonnet-20250219",
			wantFinish: "tool_use", wantUsage: "in=402 out=89 cached=0 cwrite=0 reasoning=nil", wantLogprobs: -1,
		},
		{
			name: "ollama native", api: APIOllama, fixture: jsonReply(t, "ollama-api-chat-nonstream.json"),
			wantText: "Hello! How are you today?", wantModel: "llama3.2",
			wantUsage:    "in=26 out=298 cached=nil cwrite=nil reasoning=nil",
			wantLogprobs: -1, wantTimings: "ollama prompt_n=26 predicted_n=298 tps=62.08",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rp := newReplay(t, tt.fixture)
			b := newTestBackend(t, tt.api, rp)
			resp, attempts, err := Do(context.Background(), b, Request{ID: "p1", Prompt: "hi", MaxTokens: 64, Logprobs: tt.logprobs}, testPolicy(&sleepRecorder{}))
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if attempts != 1 {
				t.Errorf("attempts = %d, want 1", attempts)
			}
			if resp.Text != tt.wantText {
				t.Errorf("Text = %q, want %q", resp.Text, tt.wantText)
			}
			if resp.Model != tt.wantModel {
				t.Errorf("Model = %q, want %q", resp.Model, tt.wantModel)
			}
			if resp.FinishReason != tt.wantFinish {
				t.Errorf("FinishReason = %q, want %q", resp.FinishReason, tt.wantFinish)
			}
			if got := usageString(resp.Usage); got != tt.wantUsage {
				t.Errorf("Usage = %s, want %s", got, tt.wantUsage)
			}
			if resp.TTFT != 0 {
				t.Errorf("TTFT = %v for a non-streamed request, want 0", resp.TTFT)
			}
			if resp.Latency <= 0 {
				t.Errorf("Latency = %v, want > 0", resp.Latency)
			}
			switch {
			case tt.wantLogprobs < 0 && resp.Logprobs != nil:
				t.Errorf("Logprobs = %v, want nil", resp.Logprobs)
			case tt.wantLogprobs >= 0 && len(resp.Logprobs) != tt.wantLogprobs:
				t.Errorf("len(Logprobs) = %d, want %d", len(resp.Logprobs), tt.wantLogprobs)
			case tt.wantLogprobs > 0 && resp.Logprobs[0] != tt.wantFirstLP:
				t.Errorf("Logprobs[0] = %v, want %v", resp.Logprobs[0], tt.wantFirstLP)
			}
			for _, lp := range resp.Logprobs {
				if lp <= logprobSentinel {
					t.Errorf("sentinel %v kept in Logprobs", lp)
				}
			}
			if resp.ClampedTokens != tt.wantClamped {
				t.Errorf("ClampedTokens = %d, want %d", resp.ClampedTokens, tt.wantClamped)
			}
			if got := timingsString(resp.ServerTimings); got != tt.wantTimings {
				t.Errorf("ServerTimings = %q, want %q", got, tt.wantTimings)
			}
			reqs := rp.requests()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			checkRequestShape(t, tt.api, reqs[0], false, tt.logprobs)
		})
	}
}

func timingsString(tm *Timings) string {
	if tm == nil {
		return ""
	}
	tps := "nil"
	if tm.PredictedPerSecond != nil {
		tps = formatFloat2(*tm.PredictedPerSecond)
	}
	return tm.Source + " prompt_n=" + u64(tm.PromptN) + " predicted_n=" + u64(tm.PredictedN) + " tps=" + tps
}

func formatFloat2(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// checkRequestShape asserts what each protocol must put on the wire.
func checkRequestShape(t *testing.T, api string, r recordedRequest, stream, logprobs bool) {
	t.Helper()
	wantPath := map[string]string{APIOpenAI: "/v1/chat/completions", APIAnthropic: "/v1/messages", APIOllama: "/api/chat"}[api]
	if r.Path != wantPath {
		t.Errorf("path = %q, want %q", r.Path, wantPath)
	}
	if r.Body["model"] != "test-model" {
		t.Errorf("model = %v, want test-model", r.Body["model"])
	}
	gotStream, _ := r.Body["stream"].(bool)
	if gotStream != stream {
		t.Errorf("stream = %v, want %v", r.Body["stream"], stream)
	}
	if got := r.Header.Get("X-Stainless-Retry-Count"); got != "" && got != "0" {
		t.Errorf("SDK retry count header = %q: SDK retries are not off", got)
	}
	switch api {
	case APIOpenAI:
		if r.Body["max_tokens"] != float64(64) {
			t.Errorf("max_tokens = %v, want 64 (local servers take max_tokens)", r.Body["max_tokens"])
		}
		if logprobs && r.Body["logprobs"] != true {
			t.Errorf("logprobs = %v, want true", r.Body["logprobs"])
		}
		so, _ := r.Body["stream_options"].(map[string]any)
		if stream && so["include_usage"] != true {
			t.Errorf("stream_options = %v, want include_usage true", r.Body["stream_options"])
		}
	case APIAnthropic:
		if r.Body["max_tokens"] != float64(64) {
			t.Errorf("max_tokens = %v, want 64", r.Body["max_tokens"])
		}
		if r.Header.Get("anthropic-version") == "" {
			t.Error("anthropic-version header missing")
		}
	case APIOllama:
		opts, _ := r.Body["options"].(map[string]any)
		if opts["num_predict"] != float64(64) {
			t.Errorf("options.num_predict = %v, want 64", r.Body["options"])
		}
	}
}

func TestCompleteStreaming(t *testing.T) {
	tests := []struct {
		name       string
		api        string
		fixture    reply
		wantText   string
		wantModel  string
		wantFinish string
		wantUsage  string
	}{
		{
			name: "openai include_usage", api: APIOpenAI, fixture: sseReply(t, "openai-chat-stream-include-usage.sse"),
			wantText: "Hello!", wantModel: "gpt-4o-mini", wantFinish: "stop",
			wantUsage: "in=19 out=2 cached=0 cwrite=nil reasoning=0",
		},
		{
			// continuous_usage_stats repeats cumulative usage: last chunk is 24/2; a sum would be 96/5.
			name: "vllm continuous usage takes the last", api: APIOpenAI, fixture: sseReply(t, "vllm-chat-stream-continuous-usage.schema-derived.sse"),
			wantText: "Paris", wantModel: "Qwen/Qwen3-8B", wantFinish: "stop",
			wantUsage: "in=24 out=2 cached=nil cwrite=nil reasoning=nil",
		},
		{
			name: "ollama openai-compat", api: APIOpenAI, fixture: sseReply(t, "ollama-openai-compat-stream-include-usage.sse"),
			wantText: "Higress", wantModel: "qwen2.5-coder:32b", wantFinish: "stop",
			wantUsage: "in=31 out=2 cached=nil cwrite=nil reasoning=nil",
		},
		{
			// message_start says output 1; message_delta's cumulative 79 replaces it (not 80).
			name: "anthropic recorded stream", api: APIAnthropic, fixture: sseReply(t, "anthropic-messages-stream.recorded.sse"),
			wantText:  "I'd be happy to check the weather in San Francisco for you. Let me get that information for you right away.",
			wantModel: "claude-3-7-sonnet-20250219", wantFinish: "tool_use",
			wantUsage: "in=394 out=79 cached=0 cwrite=0 reasoning=nil",
		},
		{
			name: "ollama native ndjson", api: APIOllama, fixture: ndjsonReply(t, "ollama-api-chat-stream.ndjson"),
			wantText: "The", wantModel: "llama3.2",
			wantUsage: "in=26 out=282 cached=nil cwrite=nil reasoning=nil",
		},
		{
			// A cached prompt drops prompt_eval_count: input is unknown, not 0.
			name: "ollama native missing prompt_eval_count", api: APIOllama, fixture: ndjsonReply(t, "derived-ollama-api-chat-stream-cached-prompt.ndjson"),
			wantText: "The", wantModel: "llama3.2",
			wantUsage: "in=nil out=282 cached=nil cwrite=nil reasoning=nil",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rp := newReplay(t, tt.fixture)
			b := newTestBackend(t, tt.api, rp)
			resp, attempts, err := Do(context.Background(), b, Request{ID: "p1", Prompt: "hi", MaxTokens: 64, Stream: true}, testPolicy(&sleepRecorder{}))
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if attempts != 1 {
				t.Errorf("attempts = %d, want 1", attempts)
			}
			if resp.Text != tt.wantText {
				t.Errorf("Text = %q, want %q", resp.Text, tt.wantText)
			}
			if resp.Model != tt.wantModel {
				t.Errorf("Model = %q, want %q", resp.Model, tt.wantModel)
			}
			if resp.FinishReason != tt.wantFinish {
				t.Errorf("FinishReason = %q, want %q", resp.FinishReason, tt.wantFinish)
			}
			if got := usageString(resp.Usage); got != tt.wantUsage {
				t.Errorf("Usage = %s, want %s", got, tt.wantUsage)
			}
			// stepClock: start=1ms, first content token=2ms, end=3ms.
			if resp.TTFT != time.Millisecond {
				t.Errorf("TTFT = %v, want 1ms (one clock step after start)", resp.TTFT)
			}
			if resp.Latency != 2*time.Millisecond {
				t.Errorf("Latency = %v, want 2ms", resp.Latency)
			}
			checkRequestShape(t, tt.api, rp.requests()[0], true, false)
		})
	}
}

func TestOllamaNativeTimings(t *testing.T) {
	rp := newReplay(t, ndjsonReply(t, "derived-ollama-api-chat-stream-cached-prompt.ndjson"))
	b := newTestBackend(t, APIOllama, rp)
	resp, err := b.Complete(context.Background(), Request{Prompt: "hi", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	tm := resp.ServerTimings
	if tm == nil || tm.Source != "ollama" {
		t.Fatalf("ServerTimings = %+v, want ollama timings", tm)
	}
	if tm.PromptN != nil || tm.PromptMS != nil || tm.PromptPerSecond != nil {
		t.Errorf("prompt timings = %v/%v/%v, want all nil when Ollama omitted them", tm.PromptN, tm.PromptMS, tm.PromptPerSecond)
	}
	if tm.PredictedMS == nil || *tm.PredictedMS != 4535.599 {
		t.Errorf("PredictedMS = %v, want 4535.599", tm.PredictedMS)
	}
	if tm.LoadMS == nil || *tm.LoadMS != 1.334875 {
		t.Errorf("LoadMS = %v, want 1.334875", tm.LoadMS)
	}
}
