package proxy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/internal/fakeupstream"
)

// fallbackPolicy: summarize goes to local, which returns logprobs; a local
// answer below 0.7 confidence is asked again of cloud-gpt.
const fallbackPolicy = `schema_version: 1
backends:
  - {name: cloud-gpt, source: cloud, api: openai, base_url: "%[1]s/v1", model: gpt-4o-mini, price: gpt-4o-mini, api_key_env: CLOUD_KEY}
  - {name: local, source: local, api: openai, base_url: "%[2]s/v1", model: llama, hourly_usd: 0.74, logprobs: true}
  - {name: dead, source: local, api: openai, base_url: "%[3]s/v1", model: gone, hourly_usd: 0.5}
rules:
  - when: {task: summarize}
    use: local
  - use: cloud-gpt
fallback: {from: local, to: cloud-gpt, min_confidence: 0.7}
`

// Confidence fallback applies to requests through the proxy as to batch
// route: a non-streamed low-confidence local answer is replaced by the
// cloud's, and the client gets the cloud's. A streamed one is not (its
// text reached the client as it came): the local answer stands.
func TestProxyConfidenceFallback(t *testing.T) {
	low := "sum this up " + fakeupstream.LowConfidenceMarker
	for _, c := range []struct {
		name         string
		prompt       string
		stream       bool
		wantBackend  string
		wantFrom     string
		cloudAsked   int64
		wantAnswerOf string // the fake whose answer the client gets
	}{
		{"confident local answer stays", "sum this up please", false, "local", "", 0, "local"},
		{"low confidence falls back", low, false, "cloud-gpt", "local", 1, "cloud"},
		{"streamed: no fallback", low, true, "local", "", 0, "local"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withPolicy(fallbackPolicy))
			resp, body := post(t, h.url+"/v1/chat/completions", chatBody("auto", c.prompt, c.stream), "X-Llmcost-Task", "summarize")
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			rec := h.log.only(t)
			if rec.Backend != c.wantBackend || rec.FallbackFrom != c.wantFrom {
				t.Fatalf("record backend %q fallback_from %q (%s), want %q from %q", rec.Backend, rec.FallbackFrom, rec.RouteReason, c.wantBackend, c.wantFrom)
			}
			if h.local.Requests() != 1 || h.cloud.Requests() != c.cloudAsked {
				t.Fatalf("local asked %d, cloud asked %d; want 1 and %d", h.local.Requests(), h.cloud.Requests(), c.cloudAsked)
			}
			if c.wantFrom != "" {
				if rec.Escalated == nil || rec.Escalated.Backend != "local" || rec.Confidence == nil || *rec.Confidence >= 0.7 {
					t.Fatalf("escalated leg %+v confidence %v: want the local leg and its low confidence", rec.Escalated, rec.Confidence)
				}
			}
			text := answerText(t, body, c.stream)
			// Both fakes answer the same prompt alike; the model says whose it is.
			if want := expected(0, c.prompt).Text; text != want {
				t.Fatalf("client got %q, want %q", text, want)
			}
			model := map[string]string{"local": "llama", "cloud": "gpt-4o-mini"}[c.wantAnswerOf]
			if !strings.Contains(body, `"model":"`+model+`"`) {
				t.Fatalf("the answer is not %s's (model %q): %s", c.wantAnswerOf, model, body)
			}
			if got := resp.Header.Get("X-Llmcost-Backend"); !c.stream && got != c.wantBackend {
				t.Fatalf("X-Llmcost-Backend %q, want %q", got, c.wantBackend)
			}
		})
	}
}

// answerText is the assistant text of a chat.completion or of its stream.
func answerText(t *testing.T, body string, stream bool) string {
	t.Helper()
	if !stream {
		var cc struct {
			Choices []struct {
				Message struct{ Content string } `json:"message"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(body), &cc); err != nil || len(cc.Choices) != 1 {
			t.Fatalf("not a chat.completion (%v): %s", err, body)
		}
		return cc.Choices[0].Message.Content
	}
	var text strings.Builder
	for _, line := range strings.Split(body, "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		var ch struct {
			Choices []struct {
				Delta struct{ Content string } `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &ch); err != nil {
			t.Fatalf("bad chunk %q: %v", data, err)
		}
		for _, c := range ch.Choices {
			text.WriteString(c.Delta.Content)
		}
	}
	return text.String()
}
