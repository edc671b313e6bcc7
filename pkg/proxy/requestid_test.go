package proxy

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/llmcost/llmcost/internal/fakeupstream"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// The upstream's request id reaches the client: as
// X-Llmcost-Upstream-Request-Id always, and under the header the client's
// own SDK reads (x-request-id, request-id) when the upstream speaks the
// client's wire; streams carry it and llmcost's own ids as non-streamed
// answers do. The fake upstream sends "req_" + its answer's id.
func TestUpstreamRequestIDReachesTheClient(t *testing.T) {
	check := func(t *testing.T, h *harness, resp *http.Response, native, wantNative string) {
		t.Helper()
		if resp == nil {
			t.Fatal("no response captured")
		}
		up := resp.Header.Get("X-Llmcost-Upstream-Request-Id")
		if !strings.HasPrefix(up, "req_") {
			t.Fatalf("X-Llmcost-Upstream-Request-Id %q, want the upstream's req_ id; headers %v", up, resp.Header)
		}
		if got := resp.Header.Get(native); (wantNative == "same") != (got == up) || wantNative == "none" && got != "" {
			t.Fatalf("%s %q with upstream id %q (want %s)", native, got, up, wantNative)
		}
		rec := h.log.only(t)
		if resp.Header.Get("X-Llmcost-Request-Id") != rec.ID || resp.Header.Get("X-Llmcost-Backend") != rec.Backend {
			t.Fatalf("llmcost headers %q/%q, record %s on %s", resp.Header.Get("X-Llmcost-Request-Id"), resp.Header.Get("X-Llmcost-Backend"), rec.ID, rec.Backend)
		}
	}
	for _, stream := range []bool{false, true} {
		name := map[bool]string{false: "non-streamed", true: "streamed"}[stream]
		for _, c := range []struct {
			model, wantNative string
		}{{"cloud-gpt", "same"}, {"cloud-claude", "none"}} {
			t.Run("openai client to "+c.model+", "+name, func(t *testing.T) {
				h := newHarness(t)
				var resp *http.Response
				p := openai.ChatCompletionNewParams{Model: c.model, MaxTokens: openai.Int(50),
					Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("which request was this")}}
				oc := openaiClient(h, "k")
				if stream {
					st := oc.Chat.Completions.NewStreaming(context.Background(), p, option.WithResponseInto(&resp))
					for st.Next() {
					}
					if err := st.Err(); err != nil {
						t.Fatal(err)
					}
				} else if _, err := oc.Chat.Completions.New(context.Background(), p, option.WithResponseInto(&resp)); err != nil {
					t.Fatal(err)
				}
				check(t, h, resp, "X-Request-Id", c.wantNative)
			})
		}
		t.Run("anthropic client to cloud-claude, "+name, func(t *testing.T) {
			h := newHarness(t)
			var resp *http.Response
			p := anthropic.MessageNewParams{Model: "cloud-claude", MaxTokens: 50,
				Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("which request was this"))}}
			ac := anthropicClient(h, "k")
			if stream {
				st := ac.Messages.NewStreaming(context.Background(), p, aoption.WithResponseInto(&resp))
				for st.Next() {
				}
				if err := st.Err(); err != nil {
					t.Fatal(err)
				}
			} else if _, err := ac.Messages.New(context.Background(), p, aoption.WithResponseInto(&resp)); err != nil {
				t.Fatal(err)
			}
			check(t, h, resp, "Request-Id", "same")
		})
	}
}

// A relayed answer (tools: the same-wire passthrough) is the upstream's
// own body, so its id and the request id header name the same upstream
// request.
func TestPassthroughKeepsUpstreamRequestID(t *testing.T) {
	h := newHarness(t)
	oc := openaiClient(h, "k")
	var resp *http.Response
	got, err := oc.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "cloud-gpt",
		Tools: []openai.ChatCompletionToolUnionParam{weatherTool()}, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather?")}},
		option.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if want := "req_" + got.ID; resp.Header.Get("X-Request-Id") != want || resp.Header.Get("X-Llmcost-Upstream-Request-Id") != want {
		t.Fatalf("request id headers %q / %q, want %q (the relayed answer's own id)", resp.Header.Get("X-Request-Id"), resp.Header.Get("X-Llmcost-Upstream-Request-Id"), want)
	}
}

// When a confidence fallback fails, the first answer stands, and the
// request-id headers follow the backend that answered, not the one that
// failed: an Anthropic client answered by an OpenAI-wire local backend
// gets no Request-Id (its SDK would file an OpenAI-wire id as Anthropic's).
func TestUpstreamRequestIDFollowsTheAnsweringBackend(t *testing.T) {
	pol := `schema_version: 1
backends:
  - {name: local, source: local, api: openai, base_url: "%[2]s/v1", model: llama, hourly_usd: 0.74, logprobs: true}
  - {name: claude-dead, source: cloud, api: anthropic, base_url: "%[3]s", model: claude-haiku-4-5, price: claude-haiku-4.5, api_key_env: CLOUD_KEY}
rules:
  - use: local
fallback: {from: local, to: claude-dead, min_confidence: 0.7}
`
	h := newHarness(t, withPolicy(pol))
	resp, body := post(t, h.url+"/v1/messages", `{"model":"auto","max_tokens":50,"messages":[{"role":"user","content":"sum this up `+fakeupstream.LowConfidenceMarker+`"}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	rec := h.next(t)
	if rec.Backend != "local" || !strings.Contains(rec.RouteReason, "failed") {
		t.Fatalf("record on %s (%s), want the local answer standing after a failed fallback", rec.Backend, rec.RouteReason)
	}
	if up := resp.Header.Get("X-Llmcost-Upstream-Request-Id"); !strings.HasPrefix(up, "req_") || resp.Header.Get("Request-Id") != "" {
		t.Fatalf("upstream id %q, Request-Id %q: want the local id, and no Anthropic-wire header", up, resp.Header.Get("Request-Id"))
	}
}
