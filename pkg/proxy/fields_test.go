package proxy

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// Fields beyond messages: temperature and top_p are translated; any other
// field is relayed unchanged to a backend of the client's wire or refused
// across wires, never dropped.

func TestSamplingReachesOpenAIBackends(t *testing.T) {
	for _, stream := range []bool{false, true} {
		for _, model := range []string{"auto", "local"} {
			h := newHarness(t)
			c := openaiClient(h, "k")
			p := openai.ChatCompletionNewParams{Model: model, Temperature: openai.Float(0.25), TopP: openai.Float(0.9),
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("say hi")}}
			if stream {
				st := c.Chat.Completions.NewStreaming(context.Background(), p)
				for st.Next() {
				}
				if err := st.Err(); err != nil {
					t.Fatal(err)
				}
			} else if _, err := c.Chat.Completions.New(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			fake, backendModel := h.cloud, "gpt-4o-mini"
			if model == "local" {
				fake, backendModel = h.local, "llama"
			}
			if fake.Seen(`"temperature":0.25`, `"top_p":0.9`, `"model":"`+backendModel+`"`) != 1 {
				t.Fatalf("model %s stream %v: the upstream did not get temperature and top_p", model, stream)
			}
			if rec := h.log.only(t); rec.Status != ledger.StatusOK {
				t.Fatalf("record %+v", rec)
			}
		}
	}
}

// The Anthropic wire has no temperature or top_p: an OpenAI client's,
// whatever the value, is refused there rather than dropped; without them
// the same request is translated (the other tests).
func TestSamplingRefusedOnAnthropicBackend(t *testing.T) {
	for _, c := range []struct {
		temp, topP *float64
		want       string
	}{
		{fptr(1.5), nil, "temperature 1.5"},
		{fptr(0.2), nil, "temperature 0.2"},
		{nil, fptr(0.5), "top_p 0.5"},
	} {
		for _, stream := range []bool{false, true} {
			h := newHarness(t)
			oc := openaiClient(h, "k")
			p := openai.ChatCompletionNewParams{Model: "cloud-claude",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("say hi")}}
			if c.temp != nil {
				p.Temperature = openai.Float(*c.temp)
			}
			if c.topP != nil {
				p.TopP = openai.Float(*c.topP)
			}
			var err error
			if stream {
				st := oc.Chat.Completions.NewStreaming(context.Background(), p)
				for st.Next() {
				}
				err = st.Err()
			} else {
				_, err = oc.Chat.Completions.New(context.Background(), p)
			}
			var oe *openai.Error
			if !errors.As(err, &oe) || oe.StatusCode != http.StatusBadRequest || !strings.Contains(oe.Message, c.want) || !strings.Contains(oe.Message, "cloud-claude") {
				t.Fatalf("%s (stream %v): %v, want a 400 naming it", c.want, stream, err)
			}
			if n := h.cloud.Requests() + h.local.Requests(); n != 0 {
				t.Fatalf("%d requests reached an upstream", n)
			}
			if rec := h.log.only(t); rec.Status != ledger.StatusError || rec.Attempts != 0 || !strings.Contains(rec.Error, c.want) {
				t.Fatalf("record %+v, want an unsent error naming %s", rec, c.want)
			}
		}
	}
}

func fptr(f float64) *float64 { return &f }

func jsonObjectFormat() openai.ChatCompletionNewParamsResponseFormatUnion {
	return openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}
}

// JSON mode and a field nobody knows yet reach a same-wire backend as the
// client sent them.
func TestUnhandledFieldsRelayedSameWire(t *testing.T) {
	h := newHarness(t)
	c := openaiClient(h, "k")
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "auto",
		ResponseFormat: jsonObjectFormat(), Temperature: openai.Float(0),
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("a JSON object please")}},
		option.WithJSONSet("foo_bar", 1))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content != expected(0, "a JSON object please").Text {
		t.Fatalf("answer %q", resp.Choices[0].Message.Content)
	}
	if h.cloud.Seen(`"response_format":{"type":"json_object"}`, `"foo_bar":1`, `"temperature":0`, `"model":"gpt-4o-mini"`) != 1 {
		t.Fatal("the upstream did not get response_format and foo_bar as the client sent them")
	}
	checkUpstreamUsage(t, h, h.cloud, h.log.only(t), "cloud-gpt", resp.Usage.PromptTokens, resp.Usage.CompletionTokens)

	// Anthropic: metadata, and top_k, which its wire no longer has.
	ac := anthropicClient(h, "k")
	m, err := ac.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "cloud-claude", MaxTokens: 40,
		Metadata: anthropic.MetadataParam{UserID: anthropic.String("u-42")},
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hello there"))}},
		aoption.WithJSONSet("top_k", 5))
	if err != nil {
		t.Fatal(err)
	}
	if m.Content[0].Text != expected(40, "hello there").Text || h.cloud.Seen(`"metadata":{"user_id":"u-42"}`, `"top_k":5`, `"model":"claude-haiku-4-5"`) != 1 {
		t.Fatalf("anthropic: answer %+v; metadata and top_k not relayed", m.Content)
	}
}

func TestUnhandledFieldsRefusedAcrossWires(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  option.RequestOption
		p    func(*openai.ChatCompletionNewParams)
	}{
		{"response_format", nil, func(p *openai.ChatCompletionNewParams) { p.ResponseFormat = jsonObjectFormat() }},
		{"foo_bar", option.WithJSONSet("foo_bar", 1), nil},
		{"tool_choice", nil, func(p *openai.ChatCompletionNewParams) {
			p.ToolChoice = openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("none")}
		}},
		{"seed", nil, func(p *openai.ChatCompletionNewParams) { p.Seed = openai.Int(7) }},
	} {
		h := newHarness(t)
		oc := openaiClient(h, "k")
		p := openai.ChatCompletionNewParams{Model: "cloud-claude",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("say hi")}}
		var opts []option.RequestOption
		if c.opt != nil {
			opts = append(opts, c.opt)
		}
		if c.p != nil {
			c.p(&p)
		}
		_, err := oc.Chat.Completions.New(context.Background(), p, opts...)
		var oe *openai.Error
		if !errors.As(err, &oe) || oe.StatusCode != http.StatusBadRequest || !strings.Contains(oe.Message, c.name) {
			t.Fatalf("%s to an anthropic backend: %v, want a 400 naming it", c.name, err)
		}
		// Anthropic client, rules' default: cloud-gpt, the OpenAI wire.
		ac := anthropicClient(h, "k")
		_, err = ac.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "auto", MaxTokens: 10,
			Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("say hi"))}},
			aoption.WithJSONSet(strings.ReplaceAll(c.name, "response_format", "top_k"), 1))
		var ae *anthropic.Error
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || !strings.Contains(err.Error(), "invalid_request_error") {
			t.Fatalf("anthropic %s to an openai backend: %v, want a 400", c.name, err)
		}
		if n := h.cloud.Requests() + h.local.Requests(); n != 0 {
			t.Fatalf("%s: %d requests reached an upstream", c.name, n)
		}
	}
}

// A field llmcost relays is scanned for personal data like the messages.
func TestUnhandledFieldPIIStaysLocal(t *testing.T) {
	h := newHarness(t)
	c := openaiClient(h, "k")
	if _, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "cloud-gpt",
		User:     openai.String("jane.doe@example.com"),
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("say hi")}}); err != nil {
		t.Fatal(err)
	}
	if h.cloud.Requests() != 0 || h.local.Seen(`"user":"jane.doe@example.com"`) != 1 {
		t.Fatalf("cloud got %d requests; local did not get the user field", h.cloud.Requests())
	}
	if rec := h.log.only(t); rec.Backend != "local" || !containsStr(rec.PII, "email") {
		t.Fatalf("record backend %q pii %v", rec.Backend, rec.PII)
	}
}

func TestDecodeUntranslatableFields(t *testing.T) {
	const msgs = `"messages":[{"role":"user","content":"hi"}]`
	for _, c := range []struct {
		body string
		want []string
	}{
		// Harmless defaults and nulls are handled.
		{`{"model":"m",` + msgs + `,"stream":false,"n":1,"max_tokens":5,"stop":null,"tools":[],"response_format":null,"stream_options":{"include_usage":false}}`, nil},
		{`{"model":"m",` + msgs + `,"temperature":1.2,"top_p":0.5}`, nil},
		{`{"model":"m",` + msgs + `,"\u0074emperature":1}`, nil},
		{`{"model":"m",` + msgs + `,"tool_choice":"none"}`, []string{"tool_choice"}},
		// Fields at the API's own default change nothing; at any other value
		// they are relayed or refused.
		{`{"model":"m",` + msgs + `,"frequency_penalty":0,"presence_penalty":0.0,"logprobs":false,"store":false,"parallel_tool_calls":true}`, nil},
		{`{"model":"m",` + msgs + `,"frequency_penalty":0.5,"presence_penalty":-1,"logprobs":true,"store":true,"parallel_tool_calls":false}`,
			[]string{"frequency_penalty", "presence_penalty", "logprobs", "store", "parallel_tool_calls"}},
		{`{ "response_format" : {"type":"json_schema","json_schema":{"name":"x,}]\"y"}} , "model":"m",` + msgs + `,"seed":3,"logit_bias":{"1":-100},"prediction":{"type":"content","content":"x"},"modalities":["text"],"foo_bar":1}`,
			[]string{"response_format", "seed", "logit_bias", "prediction", "modalities", "foo_bar"}},
	} {
		r, e := DecodeOpenAI([]byte(c.body))
		if e != nil {
			t.Fatalf("%s: %v", c.body, e)
		}
		if !reflect.DeepEqual(r.Untranslatable, c.want) {
			t.Errorf("%s: untranslatable %q, want %q", c.body, r.Untranslatable, c.want)
		}
	}
	for _, c := range []struct {
		body string
		want []string
	}{
		{`{"model":"m","max_tokens":5,` + msgs + `,"stream":false,"system":"s","stop_sequences":["x"],"tools":[]}`, nil},
		{`{"model":"m","max_tokens":5,` + msgs + `,"temperature":0.5,"top_p":0.9,"top_k":5,"thinking":{"type":"enabled","budget_tokens":1024},"metadata":{"user_id":"u"},"tool_choice":{"type":"auto"}}`,
			[]string{"temperature", "top_p", "top_k", "thinking", "metadata", "tool_choice"}},
	} {
		r, e := DecodeAnthropic([]byte(c.body))
		if e != nil {
			t.Fatalf("%s: %v", c.body, e)
		}
		if !reflect.DeepEqual(r.Untranslatable, c.want) {
			t.Errorf("%s: untranslatable %q, want %q", c.body, r.Untranslatable, c.want)
		}
	}
	for _, body := range []string{
		`{"model":"m",` + msgs + `,"temperature":2.5}`,
		`{"model":"m",` + msgs + `,"temperature":-0.1}`,
		`{"model":"m",` + msgs + `,"top_p":1.5}`,
		`{"model":"m",` + msgs + `,"temperature":"hot"}`,
	} {
		if _, e := DecodeOpenAI([]byte(body)); e == nil || e.Status != http.StatusBadRequest {
			t.Errorf("%s: %v, want a 400", body, e)
		}
	}
}
