package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/llmcost/llmcost/internal/fakeupstream"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

// Same-wire passthrough: what the proxy cannot translate (tools, tool
// calls and results, images) is relayed unchanged to a backend of the
// client's own wire, and measured like any other request.

func weatherTool() openai.ChatCompletionToolUnionParam {
	return openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "get_weather",
		Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}}})
}

func anthropicWeatherTool() anthropic.ToolUnionParam {
	return anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{Name: "get_weather",
		InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}}}}
}

// checkUpstreamUsage holds the record's tokens equal to what the fake
// upstream served (its own counters) and to what the client was shown.
func checkUpstreamUsage(t *testing.T, h *harness, fake *fakeupstream.Server, rec ledger.Record, backendName string, clientIn, clientOut int64) {
	t.Helper()
	st := fake.Stats()
	if st.PromptTokens == 0 || clientIn != st.PromptTokens || clientOut != st.CompletionTokens {
		t.Fatalf("client saw usage %d/%d, upstream served %d/%d", clientIn, clientOut, st.PromptTokens, st.CompletionTokens)
	}
	checkPassthroughRecord(t, rec, backendName, int(st.PromptTokens), int(st.CompletionTokens))
	if h.cloud.Stats().Auth["Bearer k"] != 0 || h.cloud.Stats().Auth["k"] != 0 || h.local.Stats().Auth["Bearer k"] != 0 {
		t.Fatal("the client's key reached an upstream")
	}
}

// checkPassthroughRecord is checkRecord for an answer that may be only a
// tool call: such an answer has no text, so no answer digest (report
// --compare would count two empty digests as agreeing).
func checkPassthroughRecord(t *testing.T, rec ledger.Record, backendName string, in, out int) {
	t.Helper()
	if rec.AnswerSHA256 == "" {
		if rec.FinishReason != "tool_calls" && rec.FinishReason != "tool_use" {
			t.Fatalf("text answer (finish %q) without an answer digest", rec.FinishReason)
		}
		rec.AnswerSHA256 = "none: a tool call"
	} else if rec.FinishReason == "tool_calls" || rec.FinishReason == "tool_use" {
		t.Fatalf("a tool call without text has answer digest %s", rec.AnswerSHA256)
	}
	checkRecord(t, rec, backendName, in, out)
}

func TestPassthroughOpenAIToolsNonStreaming(t *testing.T) {
	h := newHarness(t)
	c := openaiClient(h, "k")
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "auto",
		Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("what is the weather in Paris")},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := expected(0, "what is the weather in Paris")
	if len(resp.Choices) != 1 || len(resp.Choices[0].Message.ToolCalls) != 1 || resp.Choices[0].FinishReason != "tool_calls" {
		t.Fatalf("answer %+v, want one tool call", resp.Choices)
	}
	call := resp.Choices[0].Message.ToolCalls[0]
	if call.ID != fakeupstream.ToolCallID || call.Function.Name != "get_weather" || call.Function.Arguments != fakeupstream.ToolArguments(want) {
		t.Fatalf("tool call %+v, want get_weather(%s)", call, fakeupstream.ToolArguments(want))
	}
	// The upstream got the client's tools, and the backend's model.
	if h.cloud.Seen(`"tools"`, `"get_weather"`, `"model":"gpt-4o-mini"`) != 1 || h.cloud.Stats().ByModel["gpt-4o-mini"] != 1 {
		t.Fatalf("upstream did not get the tools with the backend's model: %v", h.cloud.Stats().ByModel)
	}
	rec := h.log.only(t)
	checkUpstreamUsage(t, h, h.cloud, rec, "cloud-gpt", resp.Usage.PromptTokens, resp.Usage.CompletionTokens)
	if rec.FinishReason != "tool_calls" || rec.API != APIOpenAI {
		t.Fatalf("record finish %q api %q", rec.FinishReason, rec.API)
	}
}

func TestPassthroughOpenAIToolsStreaming(t *testing.T) {
	for _, include := range []bool{true, false} {
		t.Run(map[bool]string{true: "include_usage", false: "no usage asked"}[include], func(t *testing.T) {
			h := newHarness(t)
			c := openaiClient(h, "k")
			p := openai.ChatCompletionNewParams{Model: "cloud-gpt",
				Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather in Oslo tomorrow please")}}
			if include {
				p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			}
			acc, chunks, usageChunks := streamOpenAI(t, c, p)
			want := expected(0, "weather in Oslo tomorrow please")
			args := fakeupstream.ToolArguments(want)
			if len(acc.Choices) != 1 || len(acc.Choices[0].Message.ToolCalls) != 1 || acc.Choices[0].FinishReason != "tool_calls" {
				t.Fatalf("accumulated %+v, want one tool call", acc.Choices)
			}
			if call := acc.Choices[0].Message.ToolCalls[0]; call.Function.Name != "get_weather" || call.Function.Arguments != args {
				t.Fatalf("tool call %s(%s), want get_weather(%s)", call.Function.Name, call.Function.Arguments, args)
			}
			if chunks < 3 {
				t.Fatalf("%d chunks: the stream was not relayed event by event", chunks)
			}
			// Usage is always asked of the upstream; the client sees it only if it asked.
			if h.cloud.Seen(`"include_usage":true`) != 1 {
				t.Fatal("upstream was not asked for usage")
			}
			rec := h.log.only(t)
			if include {
				if usageChunks != 1 {
					t.Fatalf("%d usage chunks, want 1", usageChunks)
				}
				checkUpstreamUsage(t, h, h.cloud, rec, "cloud-gpt", acc.Usage.PromptTokens, acc.Usage.CompletionTokens)
			} else {
				if usageChunks != 0 {
					t.Fatalf("client did not ask for usage but got %d usage chunks", usageChunks)
				}
				st := h.cloud.Stats()
				checkPassthroughRecord(t, rec, "cloud-gpt", int(st.PromptTokens), int(st.CompletionTokens))
			}
			if rec.TTFTMs == nil || rec.LatencyMs == nil || rec.FinishReason != "tool_calls" {
				t.Fatalf("record TTFT %v latency %v finish %q", rec.TTFTMs, rec.LatencyMs, rec.FinishReason)
			}
		})
	}
}

func TestPassthroughAnthropicToolUse(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{true: "stream", false: "whole"}[stream], func(t *testing.T) {
			h := newHarness(t)
			c := anthropicClient(h, "k")
			p := anthropic.MessageNewParams{Model: "cloud-claude", MaxTokens: 200,
				Tools:    []anthropic.ToolUnionParam{anthropicWeatherTool()},
				Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("weather in Rome"))}}
			var msg anthropic.Message
			if stream {
				st := c.Messages.NewStreaming(context.Background(), p)
				for st.Next() {
					if err := msg.Accumulate(st.Current()); err != nil {
						t.Fatal(err)
					}
				}
				if err := st.Err(); err != nil {
					t.Fatal(err)
				}
			} else {
				m, err := c.Messages.New(context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				msg = *m
			}
			want := expected(200, "weather in Rome")
			if len(msg.Content) != 1 || msg.Content[0].Type != "tool_use" || msg.StopReason != "tool_use" {
				t.Fatalf("answer %+v stop %q, want one tool_use block", msg.Content, msg.StopReason)
			}
			b := msg.Content[0]
			var got, wantArgs map[string]any
			if err := json.Unmarshal(b.Input, &got); err != nil {
				t.Fatalf("tool input %q: %v", b.Input, err)
			}
			_ = json.Unmarshal([]byte(fakeupstream.ToolArguments(want)), &wantArgs)
			if b.ID != fakeupstream.ToolUseID || b.Name != "get_weather" || got["answer"] != wantArgs["answer"] {
				t.Fatalf("tool_use %s %s(%s), want get_weather(%v)", b.ID, b.Name, b.Input, wantArgs)
			}
			if h.cloud.Stats().ByPath["/v1/messages"] != 1 || h.cloud.Seen(`"model":"claude-haiku-4-5"`, `"get_weather"`) != 1 {
				t.Fatalf("upstream paths %v: not relayed to the Anthropic backend with its model", h.cloud.Stats().ByPath)
			}
			rec := h.log.only(t)
			checkUpstreamUsage(t, h, h.cloud, rec, "cloud-claude", msg.Usage.InputTokens, msg.Usage.OutputTokens)
			if rec.FinishReason != "tool_use" || (stream && rec.TTFTMs == nil) {
				t.Fatalf("record finish %q TTFT %v", rec.FinishReason, rec.TTFTMs)
			}
		})
	}
}

// Tools across wires cannot be translated: 400 naming them, nothing sent,
// in the client's wire format, one record saying why.
func TestPassthroughRefusedAcrossWires(t *testing.T) {
	for _, stream := range []bool{false, true} {
		h := newHarness(t)
		oc, ac := openaiClient(h, "k"), anthropicClient(h, "k")
		op := openai.ChatCompletionNewParams{Model: "cloud-claude", Tools: []openai.ChatCompletionToolUnionParam{weatherTool()},
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather?")}}
		var err error
		if stream {
			st := oc.Chat.Completions.NewStreaming(context.Background(), op)
			for st.Next() {
			}
			err = st.Err()
		} else {
			_, err = oc.Chat.Completions.New(context.Background(), op)
		}
		var oe *openai.Error
		if !errors.As(err, &oe) || oe.StatusCode != http.StatusBadRequest || !strings.Contains(oe.Message, "tools") || !strings.Contains(oe.Message, "cloud-claude") {
			t.Fatalf("openai tools to anthropic backend (stream %v): %v, want a 400 naming tools", stream, err)
		}
		// Anthropic client, tools, the rules' default (cloud-gpt, OpenAI wire).
		ap := anthropic.MessageNewParams{Model: "auto", MaxTokens: 10, Tools: []anthropic.ToolUnionParam{anthropicWeatherTool()},
			Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("weather?"))}}
		if stream {
			st := ac.Messages.NewStreaming(context.Background(), ap)
			for st.Next() {
			}
			err = st.Err()
		} else {
			_, err = ac.Messages.New(context.Background(), ap)
		}
		var ae *anthropic.Error
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || !strings.Contains(err.Error(), "tools") || !strings.Contains(err.Error(), "invalid_request_error") {
			t.Fatalf("anthropic tools to openai backend (stream %v): %v, want a 400 naming tools", stream, err)
		}
		if n := h.cloud.Requests() + h.local.Requests(); n != 0 {
			t.Fatalf("%d requests reached an upstream", n)
		}
		recs := h.log.all()
		if len(recs) != 2 {
			t.Fatalf("%d records, want one per request", len(recs))
		}
		for _, r := range recs {
			if r.Status != ledger.StatusError || r.Attempts != 0 || !strings.Contains(r.Error, "wire") {
				t.Fatalf("record %+v, want an unsent error naming the wire", r)
			}
		}
	}
}

// toolResultConversation is a tool call and its result, which holds an
// e-mail address.
func toolResultConversation() []openai.ChatCompletionMessageParamUnion {
	return []openai.ChatCompletionMessageParamUnion{
		openai.UserMessage("who owns ticket 42"),
		{OfAssistant: &openai.ChatCompletionAssistantMessageParam{ToolCalls: []openai.ChatCompletionMessageToolCallUnionParam{{
			OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{ID: "call_1",
				Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: "lookup", Arguments: `{"ticket":42}`}}}}}},
		openai.ToolMessage("owner: jane.doe@example.com", "call_1"),
	}
}

// Personal data in a tool result keeps the request off the cloud: the
// rules send it to the local backend, which speaks the client's wire.
func TestPassthroughToolResultPIIStaysLocal(t *testing.T) {
	h := newHarness(t)
	c := openaiClient(h, "k")
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "cloud-gpt", // asked for the cloud: the PII rule overrides it
		Tools: []openai.ChatCompletionToolUnionParam{weatherTool()}, Messages: toolResultConversation()})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content == "" {
		t.Fatalf("answer %+v, want the text answer to a tool result", resp.Choices[0])
	}
	if h.cloud.Requests() != 0 {
		t.Fatalf("%d requests with personal data reached the cloud", h.cloud.Requests())
	}
	if h.local.Seen("jane.doe@example.com", `"tool_call_id":"call_1"`) != 1 {
		t.Fatal("the tool result was not relayed to the local backend")
	}
	rec := h.log.only(t)
	if rec.Backend != "local" || rec.Status != ledger.StatusOK || !containsStr(rec.PII, "email") {
		t.Fatalf("record backend %q status %q pii %v", rec.Backend, rec.Status, rec.PII)
	}
}

// With PII in a tool call's arguments, and no local backend of the
// client's wire, nothing is sent anywhere.
func TestPassthroughPIINoSameWireLocal(t *testing.T) {
	h := newHarness(t)
	c := anthropicClient(h, "k")
	_, err := c.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "cloud-claude", MaxTokens: 50,
		Tools: []anthropic.ToolUnionParam{anthropicWeatherTool()},
		Messages: []anthropic.MessageParam{
			anthropic.NewUserMessage(anthropic.NewTextBlock("mail the report")),
			anthropic.NewAssistantMessage(anthropic.NewToolUseBlock("toolu_1", map[string]any{"to": "jane.doe@example.com"}, "send_mail")),
			anthropic.NewUserMessage(anthropic.NewToolResultBlock("toolu_1", "sent", false)),
		}})
	var ae *anthropic.Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || !strings.Contains(err.Error(), "tool calls") {
		t.Fatalf("%v, want a 400 naming tool calls", err)
	}
	if n := h.cloud.Requests() + h.local.Requests(); n != 0 {
		t.Fatalf("%d requests reached an upstream", n)
	}
	rec := h.log.only(t)
	if !containsStr(rec.PII, "email") || rec.Backend != "local" || rec.Attempts != 0 {
		t.Fatalf("record pii %v backend %q attempts %d", rec.PII, rec.Backend, rec.Attempts)
	}
}

func TestPassthroughImage(t *testing.T) {
	const png = "data:image/png;base64,iVBORw0KGgo="
	h := newHarness(t)
	c := openaiClient(h, "k")
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "auto",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
			openai.TextContentPart("what is in this picture"),
			openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: png}),
		})}})
	if err != nil {
		t.Fatal(err)
	}
	if want := expected(0, "what is in this picture"); resp.Choices[0].Message.Content != want.Text {
		t.Fatalf("answer %q, want %q", resp.Choices[0].Message.Content, want.Text)
	}
	if h.cloud.Seen(`"image_url"`, png) != 1 {
		t.Fatal("the image did not reach the upstream")
	}
	checkUpstreamUsage(t, h, h.cloud, h.log.only(t), "cloud-gpt", resp.Usage.PromptTokens, resp.Usage.CompletionTokens)

	ac := anthropicClient(h, "k")
	m, err := ac.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "cloud-claude", MaxTokens: 50,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("describe"), anthropic.NewImageBlockBase64("image/png", "iVBORw0KGgo="))}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Content[0].Text != expected(50, "describe").Text || h.cloud.Seen(`"type":"image"`, "iVBORw0KGgo=", `"model":"claude-haiku-4-5"`) != 1 {
		t.Fatalf("anthropic image: answer %+v", m.Content)
	}
}

// A shadow of a relayed request goes only to a backend of its wire.
func TestPassthroughShadowSameWireOnly(t *testing.T) {
	for _, c := range []struct {
		to     string
		shadow bool
	}{{"local", true}, {"cloud-claude", false}} {
		var q syncQueue
		srv := &Server{}
		h := newHarness(t, withServer(srv), withShadow("shadow: {to: "+c.to+", sample: 1}"))
		sh := &Shadower{Router: srv.Router, Write: h.log.Write, Offer: q.offer}
		waitHook := afterHook(t, srv, sh)
		oc := openaiClient(h, "k")
		if _, err := oc.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "auto",
			Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather in Lima")}}); err != nil {
			t.Fatal(err)
		}
		waitHook()
		if got := len(q.jobs) == 1; got != c.shadow {
			t.Fatalf("shadow to %s: %d jobs", c.to, len(q.jobs))
		}
		for _, job := range q.jobs {
			job(context.Background())
		}
		if c.shadow {
			recs := h.log.all()
			if len(recs) != 2 || !recs[1].Shadow || recs[1].Backend != "local" || recs[1].Status != ledger.StatusOK {
				t.Fatalf("records %+v", recs)
			}
			if h.local.Seen(`"get_weather"`, `"model":"llama"`) != 1 {
				t.Fatal("the shadow did not relay the client's tools")
			}
		} else if h.cloud.Stats().ByPath["/v1/messages"] != 0 || len(h.log.all()) != 1 {
			t.Fatalf("cross-wire shadow sent: %v", h.cloud.Stats().ByPath)
		}
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A relayed request is retried on its backend like any other, and an
// upstream error reaches the client with its status, in its wire.
func TestPassthroughRetryAndUpstreamError(t *testing.T) {
	h := newHarness(t)
	c := openaiClient(h, "k")
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "auto",
		Tools:    []openai.ChatCompletionToolUnionParam{weatherTool()},
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather [fault-500-once]")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices[0].Message.ToolCalls) != 1 {
		t.Fatalf("answer %+v", resp.Choices[0])
	}
	if rec := h.log.only(t); rec.Attempts != 2 || rec.Status != ledger.StatusOK || h.cloud.Requests() != 2 {
		t.Fatalf("attempts %d status %q upstream requests %d", rec.Attempts, rec.Status, h.cloud.Requests())
	}
	ac := anthropicClient(h, "k")
	_, err = ac.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "cloud-claude", MaxTokens: 20,
		Tools:    []anthropic.ToolUnionParam{anthropicWeatherTool()},
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("weather [fault-503]"))}})
	var ae *anthropic.Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "api_error") {
		t.Fatalf("%v, want the upstream's 503 in the Anthropic wire", err)
	}
	if n := len(h.log.all()); n != 2 {
		t.Fatalf("%d records, want 2", n)
	}
}

// A relayed body goes upstream as written, so the PII detector reads every
// string in it as decoded: personal data after a newline escape or spelled
// with \u escapes, and values under a duplicate or case-variant key that
// the decoder itself drops, all keep the request off the cloud.
func TestPassthroughPIIInEscapedAndDuplicateJSON(t *testing.T) {
	const tools = `"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]`
	const antTools = `"tools":[{"name":"lookup","input_schema":{"type":"object"}}]`
	for _, c := range []struct{ name, body, kind string }{
		{"phone after \\n", `{"model":"cloud-gpt",` + tools + `,"messages":[{"role":"user","content":"who called"},` +
			`{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{}"}}]},` +
			`{"role":"tool","tool_call_id":"call_1","content":"rows:\n555-867-5309\nend"}]}`, "phone"},
		{"card after \\n", `{"model":"cloud-gpt",` + tools + `,"messages":[{"role":"user","content":"card on file"},` +
			`{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{}"}}]},` +
			`{"role":"tool","tool_call_id":"call_1","content":"rows:\n4111111111111111\nend"}]}`, "card"},
		{"e-mail with \\u0040", `{"model":"cloud-gpt",` + tools + `,"messages":[{"role":"user","content":"mail jane\u0040example.com"}]}`, "email"},
		{"case-variant key", `{"model":"cloud-gpt","messages":[{"role":"user","content":"jane.doe@example.com"}],"Messages":[{"role":"user","content":"hi"}]}`, "email"},
		{"duplicate key in a message", `{"model":"cloud-gpt","seed":1,"messages":[{"role":"user","content":"jane.doe@example.com","content":"hi"}]}`, "email"},
		{"anthropic tool_result, phone after \\n", `anthropic{"model":"cloud-claude","max_tokens":20,` + antTools + `,"messages":[{"role":"user","content":"who called"},` +
			`{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"lookup","input":{}}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"rows:\n555-867-5309\nend"}]}]}`, "phone"},
		{"anthropic tool_use input, e-mail with \\u0040", `anthropic{"model":"cloud-claude","max_tokens":20,` + antTools + `,"messages":[{"role":"user","content":"mail it"},` +
			`{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"lookup","input":{"to":"jane\u0040example.com"}}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sent"}]}]}`, "email"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			path, reqBody := "/v1/chat/completions", c.body
			if b, ok := strings.CutPrefix(c.body, "anthropic"); ok {
				path, reqBody = "/v1/messages", b
			}
			resp, body := post(t, h.url+path, reqBody)
			if h.cloud.Requests() != 0 {
				t.Fatalf("personal data reached the cloud (status %d: %s)", resp.StatusCode, body)
			}
			rec := h.log.only(t)
			if strings.HasPrefix(rec.Backend, "cloud") || !containsStr(rec.PII, c.kind) {
				t.Fatalf("record backend %q pii %v, want %s detected and the cloud avoided", rec.Backend, rec.PII, c.kind)
			}
		})
	}
}

// A client that hangs up in the middle of a relayed (same-wire
// passthrough) stream cancels the upstream call as on the translated path:
// one record, client_closed, with the tokens relayed so far, priced.
func TestPassthroughClientHangsUpMidStream(t *testing.T) {
	for _, c := range []struct{ name, path, body, first string }{
		{"openai", "/v1/chat/completions", `{"model":"cloud-gpt","stream":true,"seed":7,"messages":[{"role":"user","content":"go on [fault-stall-stream]"}]}`, `" every"`},
		{"anthropic", "/v1/messages", `{"model":"cloud-claude","max_tokens":64,"stream":true,"top_k":5,"messages":[{"role":"user","content":"go on [fault-stall-stream]"}]}`, `" every"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.url+c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			readUntil(t, bufio.NewReader(resp.Body), c.first) // a text delta has been relayed
			cancel()
			resp.Body.Close()
			rec := h.next(t)
			if rec.Status != StatusClientClosed {
				t.Fatalf("status %q (%s), want client_closed", rec.Status, rec.Error)
			}
			if rec.OutputTokens == nil || *rec.OutputTokens <= 1 || rec.CostUSD == nil || !rec.TokensEstimated {
				t.Fatalf("tokens so far not counted/priced: out %v cost %v estimated %v", ptrVal(rec.OutputTokens), rec.CostUSD, rec.TokensEstimated)
			}
			if h.cloud.Seen(`"seed":7`)+h.cloud.Seen(`"top_k":5`) != 1 {
				t.Fatal("the request was not relayed as the client sent it")
			}
			if n := len(h.log.all()); n != 1 {
				t.Fatalf("%d records, want 1", n)
			}
		})
	}
}
