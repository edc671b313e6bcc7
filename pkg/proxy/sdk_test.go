package proxy

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

func openaiClient(h *harness, key string) openai.Client {
	return openai.NewClient(option.WithBaseURL(h.url+"/v1"), option.WithAPIKey(key), option.WithMaxRetries(0))
}

func anthropicClient(h *harness, key string) anthropic.Client {
	return anthropic.NewClient(aoption.WithoutEnvironmentDefaults(), aoption.WithBaseURL(h.url), aoption.WithAPIKey(key), aoption.WithMaxRetries(0))
}

func checkRecord(t *testing.T, rec ledger.Record, backendName string, in, out int) {
	t.Helper()
	if rec.Status != ledger.StatusOK || rec.Backend != backendName {
		t.Fatalf("record status %q backend %q (error %q), want ok on %s", rec.Status, rec.Backend, rec.Error, backendName)
	}
	if rec.InputTokens == nil || *rec.InputTokens != int64(in) || rec.OutputTokens == nil || *rec.OutputTokens != int64(out) {
		t.Fatalf("record tokens %v/%v, want %d/%d", rec.InputTokens, rec.OutputTokens, in, out)
	}
	if rec.CostUSD == nil {
		t.Fatalf("record has no cost: %s", rec.CostNote)
	}
	if rec.Prompt != nil {
		t.Fatal("prompt text logged without --log-prompts")
	}
	if rec.AnswerSHA256 == "" || rec.API == "" {
		t.Fatalf("record lacks answer digest or api: %+v", rec)
	}
}

func TestOpenAIClientNonStreaming(t *testing.T) {
	h := newHarness(t)
	c := openaiClient(h, "client-key")
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "auto",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("be brief"), openai.UserMessage("what is a proxy")},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := expected(0, "be brief", "what is a proxy")
	if resp.Choices[0].Message.Content != want.Text || resp.Choices[0].FinishReason != "stop" {
		t.Fatalf("answer %q (%s), want %q", resp.Choices[0].Message.Content, resp.Choices[0].FinishReason, want.Text)
	}
	if resp.Usage.PromptTokens != int64(want.PromptTokens) || resp.Usage.CompletionTokens != int64(want.CompletionTokens) {
		t.Fatalf("usage %+v, want %d/%d", resp.Usage, want.PromptTokens, want.CompletionTokens)
	}
	rec := h.log.only(t)
	checkRecord(t, rec, "cloud-gpt", want.PromptTokens, want.CompletionTokens)
	if !strings.HasSuffix(resp.ID, rec.ID) {
		t.Fatalf("response id %q does not name record %q", resp.ID, rec.ID)
	}
	// The client's key never reaches the upstream; the policy's key does.
	auth := h.cloud.Stats().Auth
	if auth["Bearer client-key"] != 0 || auth["Bearer "+upstreamKey] != 1 {
		t.Fatalf("upstream saw credentials %v", keysOf(auth))
	}
}

func keysOf(m map[string]int64) []string {
	var out []string
	for k := range m {
		if strings.Contains(k, "client-key") {
			out = append(out, "client key!")
		} else {
			out = append(out, "other")
		}
	}
	return out
}

func TestOpenAIClientStreaming(t *testing.T) {
	for _, include := range []bool{true, false} {
		t.Run(map[bool]string{true: "include_usage", false: "no usage asked"}[include], func(t *testing.T) {
			h := newHarness(t)
			c := openaiClient(h, "k")
			p := openai.ChatCompletionNewParams{Model: "cloud-gpt",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("stream me a few words please")}}
			if include {
				p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			}
			acc, chunks, usageChunks := streamOpenAI(t, c, p)
			want := expected(0, "stream me a few words please")
			if acc.Choices[0].Message.Content != want.Text {
				t.Fatalf("streamed %q, want %q", acc.Choices[0].Message.Content, want.Text)
			}
			if chunks < len(want.Words)+2 {
				t.Fatalf("%d chunks for %d words: not relayed piece by piece", chunks, len(want.Words))
			}
			if include {
				if usageChunks != 1 || acc.Usage.PromptTokens != int64(want.PromptTokens) || acc.Usage.CompletionTokens != int64(want.CompletionTokens) {
					t.Fatalf("usage chunks %d, usage %+v", usageChunks, acc.Usage)
				}
			} else if usageChunks != 0 {
				t.Fatalf("client did not ask for usage but got %d usage chunks", usageChunks)
			}
			rec := h.log.only(t)
			checkRecord(t, rec, "cloud-gpt", want.PromptTokens, want.CompletionTokens)
			if rec.TTFTMs == nil {
				t.Fatal("streamed record has no TTFT")
			}
		})
	}
}

func TestAnthropicClient(t *testing.T) {
	for _, stream := range []bool{false, true} {
		for _, model := range []string{"cloud-claude", "cloud-gpt"} { // native, and translated to OpenAI
			t.Run(model+map[bool]string{true: " stream", false: ""}[stream], func(t *testing.T) {
				h := newHarness(t)
				c := anthropicClient(h, "k")
				p := anthropic.MessageNewParams{Model: anthropic.Model(model), MaxTokens: 100,
					System:   []anthropic.TextBlockParam{{Text: "you are terse"}},
					Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hello there")), anthropic.NewAssistantMessage(anthropic.NewTextBlock("hi")), anthropic.NewUserMessage(anthropic.NewTextBlock("tell me more"))}}
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
				want := expected(100, "you are terse", "hello there", "hi", "tell me more")
				if len(msg.Content) != 1 || msg.Content[0].Text != want.Text || msg.StopReason != "end_turn" {
					t.Fatalf("answer %+v stop %q, want %q", msg.Content, msg.StopReason, want.Text)
				}
				if msg.Usage.InputTokens != int64(want.PromptTokens) || msg.Usage.OutputTokens != int64(want.CompletionTokens) {
					t.Fatalf("usage %d/%d, want %d/%d", msg.Usage.InputTokens, msg.Usage.OutputTokens, want.PromptTokens, want.CompletionTokens)
				}
				checkRecord(t, h.log.only(t), model, want.PromptTokens, want.CompletionTokens)
			})
		}
	}
}

// An OpenAI client routed to an Anthropic backend: messages, system, max
// tokens and stop sequences are translated; so are usage and finish reason.
func TestOpenAIClientToAnthropicBackend(t *testing.T) {
	h := newHarness(t)
	c := openaiClient(h, "k")
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:     "claude-haiku-4-5", // a backend's model id works as well as its name
		MaxTokens: openai.Int(3),
		Messages:  []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("sys"), openai.UserMessage("one two three four five")},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := expected(3, "sys", "one two three four five")
	if resp.Choices[0].Message.Content != want.Text || resp.Choices[0].FinishReason != "length" {
		t.Fatalf("answer %q finish %q, want %q length", resp.Choices[0].Message.Content, resp.Choices[0].FinishReason, want.Text)
	}
	if h.cloud.Stats().ByPath["/v1/messages"] != 1 {
		t.Fatalf("upstream paths %v, want one /v1/messages", h.cloud.Stats().ByPath)
	}
	checkRecord(t, h.log.only(t), "cloud-claude", want.PromptTokens, want.CompletionTokens)
}

func TestStopSequencesTranslated(t *testing.T) {
	h := newHarness(t)
	full := expected(0, "a b c")
	stop := strings.Fields(full.Text)[2]
	c := anthropicClient(h, "k")
	m, err := c.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "cloud-gpt", MaxTokens: 50,
		StopSequences: []string{stop}, Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("a b c"))}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Content[0].Text != fakeReply([]string{"a b c"}, 50, stop).Text {
		t.Fatalf("stop sequence %q not applied upstream: %q", stop, m.Content[0].Text)
	}
}

func TestSDKErrorsInWireFormat(t *testing.T) {
	h := newHarness(t)
	oc, ac := openaiClient(h, "k"), anthropicClient(h, "k")
	_, err := oc.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "no-such-model", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("x")}})
	var oe *openai.Error
	if !errors.As(err, &oe) || oe.StatusCode != http.StatusNotFound || !strings.Contains(oe.Message, "cloud-claude") {
		t.Fatalf("unknown model: %v, want a 404 listing the policy's models", err)
	}
	// Tools from an Anthropic client to an OpenAI backend cannot be translated.
	_, err = ac.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "cloud-gpt", MaxTokens: 10,
		Tools:    []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{Name: "get_weather", InputSchema: anthropic.ToolInputSchemaParam{}}}},
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("weather?"))}})
	var ae *anthropic.Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || !strings.Contains(err.Error(), "tools") {
		t.Fatalf("tools: %v, want a 400 naming tools", err)
	}
	if n := h.cloud.Requests() + h.local.Requests(); n != 0 {
		t.Fatalf("%d requests reached an upstream", n)
	}
}

// streamOpenAI streams p through the proxy with the official client and
// returns the accumulated answer, the number of chunks, and how many of
// them were usage-only.
func streamOpenAI(t *testing.T, c openai.Client, p openai.ChatCompletionNewParams) (acc openai.ChatCompletionAccumulator, chunks, usageChunks int) {
	t.Helper()
	st := c.Chat.Completions.NewStreaming(context.Background(), p)
	for st.Next() {
		ch := st.Current()
		acc.AddChunk(ch)
		chunks++
		if len(ch.Choices) == 0 && ch.JSON.Usage.Valid() {
			usageChunks++
		}
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	return acc, chunks, usageChunks
}
