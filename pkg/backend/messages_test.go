package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A conversation with a system prompt and stop sequences reaches each
// protocol in its own shape, and a stream's text arrives through OnDelta
// in the same pieces the server sent.
func TestConversationSystemStopAndDeltas(t *testing.T) {
	fixtures := map[string]reply{
		APIOpenAI:    sseReply(t, "openai-chat-stream-include-usage.sse"),
		APIAnthropic: sseReply(t, "anthropic-messages-stream.recorded.sse"),
		APIOllama:    ndjsonReply(t, "ollama-api-chat-stream.ndjson"),
	}
	for _, api := range []string{APIOpenAI, APIAnthropic, APIOllama} {
		t.Run(api, func(t *testing.T) {
			rp := newReplay(t, fixtures[api])
			b := newTestBackend(t, api, rp)
			var deltas []string
			req := Request{Stream: true, System: "be brief",
				Messages: []Message{{Role: "user", Content: "hi"}, {Role: "assistant", Content: "hello"}, {Role: "user", Content: "again"}},
				Stop:     []string{"END"}, OnDelta: func(s string) { deltas = append(deltas, s) }}
			resp, err := b.Complete(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(deltas, ""); got != resp.Text || len(deltas) == 0 {
				t.Fatalf("deltas %q do not add up to the text %q", deltas, resp.Text)
			}
			body := rp.requests()[0].Body
			msgs := fmt.Sprint(body["messages"])
			for _, want := range []string{"hi", "hello", "again", "assistant"} {
				if !strings.Contains(msgs, want) {
					t.Errorf("messages %s lack %q", msgs, want)
				}
			}
			switch api {
			case APIOpenAI:
				if !strings.Contains(msgs, "system") || !strings.Contains(msgs, "be brief") {
					t.Errorf("no system message in %s", msgs)
				}
				if fmt.Sprint(body["stop"]) != "[END]" {
					t.Errorf("stop = %v", body["stop"])
				}
			case APIAnthropic:
				if !strings.Contains(fmt.Sprint(body["system"]), "be brief") || fmt.Sprint(body["stop_sequences"]) != "[END]" {
					t.Errorf("system %v stop_sequences %v", body["system"], body["stop_sequences"])
				}
			case APIOllama:
				if !strings.Contains(msgs, "be brief") || !strings.Contains(fmt.Sprint(body["options"]), "stop:[END]") {
					t.Errorf("messages %s options %v", msgs, body["options"])
				}
			}
		})
	}
}

// A stream cut halfway reports what had arrived, so a proxy can price
// the tokens a client already received.
func TestStreamCutKeepsPartial(t *testing.T) {
	rp := newReplay(t, cut(t, sseReply(t, "anthropic-messages-stream.recorded.sse"), " San Francisco"))
	b := newTestBackend(t, APIAnthropic, rp)
	var got strings.Builder
	_, err := b.Complete(context.Background(), Request{Prompt: "x", Stream: true, OnDelta: func(s string) { got.WriteString(s) }})
	var be *Error
	if !errors.As(err, &be) || be.Partial == nil {
		t.Fatalf("err = %v, want an *Error with Partial", err)
	}
	if be.Partial.Text != got.String() || be.Partial.Text == "" {
		t.Fatalf("partial text %q, deltas %q", be.Partial.Text, got.String())
	}
	if be.Partial.Usage.InputTokens == nil || *be.Partial.Usage.InputTokens != 394 {
		t.Fatalf("partial usage %+v, want message_start's input 394", be.Partial.Usage)
	}
}
