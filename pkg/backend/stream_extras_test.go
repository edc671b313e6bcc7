package backend

import (
	"context"
	"testing"
	"time"
)

// Composed from the vLLM stream fixture plus the OpenAI chunk logprobs shape
// (choices[].logprobs.content[]); the third token carries vLLM's -9999 clamp.
const vllmStreamLogprobs = `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"Paris"},"logprobs":{"content":[{"token":"Paris","logprob":-0.0021,"bytes":[80,97,114,105,115],"top_logprobs":[]}]},"finish_reason":null}]}

data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"."},"logprobs":{"content":[{"token":".","logprob":-0.0005,"bytes":[46],"top_logprobs":[]}]},"finish_reason":null}]}

data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"\n"},"logprobs":{"content":[{"token":"\n","logprob":-9999.0,"bytes":[10],"top_logprobs":[]}]},"finish_reason":"stop"}]}

data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"Qwen/Qwen3-8B","choices":[],"usage":{"prompt_tokens":24,"total_tokens":27,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":16}}}

data: [DONE]

`

// Composed from llama.cpp server-task.cpp: the final chunk carries "timings".
const llamaStreamTimings = `data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1,"id":"c","model":"gpt-oss","system_fingerprint":"b9910","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":"Think"}}],"created":1,"id":"c","model":"gpt-oss","system_fingerprint":"b9910","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hi"}}],"created":1,"id":"c","model":"gpt-oss","system_fingerprint":"b9910","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1,"id":"c","model":"gpt-oss","system_fingerprint":"b9910","object":"chat.completion.chunk","timings":{"cache_n":5,"prompt_n":41,"prompt_ms":120.5,"prompt_per_token_ms":2.94,"prompt_per_second":340.2,"predicted_n":2,"predicted_ms":30.0,"predicted_per_token_ms":15.0,"predicted_per_second":66.67}}

data: {"choices":[],"created":1,"id":"c","model":"gpt-oss","system_fingerprint":"b9910","object":"chat.completion.chunk","usage":{"completion_tokens":2,"prompt_tokens":46,"total_tokens":48}}

data: [DONE]

`

func TestOpenAIStreamLogprobs(t *testing.T) {
	rp := newReplay(t, reply{status: 200, header: map[string]string{"Content-Type": "text/event-stream"}, body: []byte(vllmStreamLogprobs)})
	b := newTestBackend(t, APIOpenAI, rp)
	resp, err := b.Complete(context.Background(), Request{Prompt: "capital of France?", Stream: true, Logprobs: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Paris.\n" {
		t.Errorf("Text = %q", resp.Text)
	}
	if len(resp.Logprobs) != 2 || resp.Logprobs[0] != -0.0021 || resp.Logprobs[1] != -0.0005 {
		t.Errorf("Logprobs = %v, want [-0.0021 -0.0005] (sentinel dropped)", resp.Logprobs)
	}
	if resp.ClampedTokens != 1 {
		t.Errorf("ClampedTokens = %d, want 1", resp.ClampedTokens)
	}
	if got := usageString(resp.Usage); got != "in=24 out=3 cached=16 cwrite=nil reasoning=nil" {
		t.Errorf("Usage = %s", got)
	}
	if rp.requests()[0].Body["logprobs"] != true {
		t.Error("logprobs not requested")
	}
}

func TestOpenAIStreamWithoutLogprobsIsNil(t *testing.T) {
	rp := newReplay(t, sseReply(t, "openai-chat-stream-include-usage.sse"))
	b := newTestBackend(t, APIOpenAI, rp)
	resp, err := b.Complete(context.Background(), Request{Prompt: "hi", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Logprobs != nil {
		t.Errorf("Logprobs = %v, want nil when the server sent logprobs: null", resp.Logprobs)
	}
}

func TestLlamaCppStreamTimingsAndReasoningTTFT(t *testing.T) {
	rp := newReplay(t, reply{status: 200, header: map[string]string{"Content-Type": "text/event-stream"}, body: []byte(llamaStreamTimings)})
	b := newTestBackend(t, APIOpenAI, rp)
	resp, err := b.Complete(context.Background(), Request{Prompt: "hi", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Hi" {
		t.Errorf("Text = %q, want only content, not reasoning", resp.Text)
	}
	// The reasoning delta is the first token: clock step 2, TTFT 1ms; the
	// content delta does not move it.
	if resp.TTFT != time.Millisecond || resp.Latency != 2*time.Millisecond {
		t.Errorf("TTFT = %v, Latency = %v; want 1ms (first reasoning token), 2ms", resp.TTFT, resp.Latency)
	}
	if got := timingsString(resp.ServerTimings); got != "llama.cpp prompt_n=41 predicted_n=2 tps=66.67" {
		t.Errorf("ServerTimings = %q", got)
	}
	// No prompt_tokens_details: cached comes from timings.cache_n.
	if got := usageString(resp.Usage); got != "in=46 out=2 cached=5 cwrite=nil reasoning=nil" {
		t.Errorf("Usage = %s", got)
	}
}

// A server that ignores stream:true and answers with one JSON object is
// still read correctly (TTFT stays 0: there was no stream to time).
func TestStreamRequestAnsweredWithJSON(t *testing.T) {
	rp := newReplay(t, jsonReply(t, "openai-chat-nonstream.json"))
	b := newTestBackend(t, APIOpenAI, rp)
	resp, err := b.Complete(context.Background(), Request{Prompt: "hi", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Hello! How can I assist you today?" || resp.TTFT != 0 {
		t.Errorf("Text = %q, TTFT = %v", resp.Text, resp.TTFT)
	}
}

func TestOpenAIMaxCompletionTokensForOpenAIProper(t *testing.T) {
	b, err := New(Config{Name: "oai", API: APIOpenAI, Model: "gpt-5.4", APIKeyEnv: "TEST_KEY", Getenv: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	p := b.(*openaiBackend).params(Request{Prompt: "hi", MaxTokens: 100})
	if !p.MaxCompletionTokens.Valid() || p.MaxCompletionTokens.Value != 100 || p.MaxTokens.Valid() {
		t.Errorf("api.openai.com: want max_completion_tokens=100 and no max_tokens, got %+v / %+v", p.MaxCompletionTokens, p.MaxTokens)
	}
}

// Gateways (OpenRouter) send input_tokens: 0 in message_start and the real
// count in message_delta; cumulative values overwrite, they are not summed.
const anthropicGatewayStream = `event: message_start
data: {"type":"message_start","message":{"model":"claude-haiku-4-5","id":"m","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":1200,"cache_read_input_tokens":800,"output_tokens":5}}

event: message_stop
data: {"type":"message_stop"}

`

func TestAnthropicStreamUsageFromMessageDelta(t *testing.T) {
	rp := newReplay(t, reply{status: 200, header: map[string]string{"Content-Type": "text/event-stream"}, body: []byte(anthropicGatewayStream)})
	b := newTestBackend(t, APIAnthropic, rp)
	resp, err := b.Complete(context.Background(), Request{Prompt: "hi", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	// 1200 + 800 cache reads; no cache-creation count was ever sent, so nil.
	if got := usageString(resp.Usage); got != "in=2000 out=5 cached=800 cwrite=nil reasoning=nil" {
		t.Errorf("Usage = %s", got)
	}
	if resp.FinishReason != "end_turn" || resp.Text != "Hi" {
		t.Errorf("FinishReason = %q, Text = %q", resp.FinishReason, resp.Text)
	}
}

// A server that ignores include_usage ends with [DONE] and no usage: the
// counts are unknown (nil), not zero, and the answer is still good.
func TestOpenAIStreamWithoutUsageIsNil(t *testing.T) {
	body := `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}

data: [DONE]

`
	rp := newReplay(t, reply{status: 200, header: map[string]string{"Content-Type": "text/event-stream"}, body: []byte(body)})
	b := newTestBackend(t, APIOpenAI, rp)
	resp, err := b.Complete(context.Background(), Request{Prompt: "hi", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := usageString(resp.Usage); got != "in=nil out=nil cached=nil cwrite=nil reasoning=nil" {
		t.Errorf("Usage = %s, want all nil", got)
	}
}
