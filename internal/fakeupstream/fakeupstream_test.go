package fakeupstream_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/llmcost/llmcost/internal/fakeupstream"
)

func start(t *testing.T) (*fakeupstream.Server, string) {
	t.Helper()
	fake := fakeupstream.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

func oaClient(url string) openai.Client {
	return openai.NewClient(option.WithBaseURL(url+"/v1"), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
}

func anClient(url string) anthropic.Client {
	return anthropic.NewClient(aoption.WithBaseURL(url), aoption.WithAPIKey("sk-ant-test"), aoption.WithMaxRetries(0))
}

const prompt = "Say hello to the people of San Francisco please"

func TestReplyIsDeterministic(t *testing.T) {
	a := fakeupstream.Reply([]string{"be brief", prompt}, 0, nil)
	b := fakeupstream.Reply([]string{"be brief", prompt}, 0, nil)
	if a.Text != b.Text || a.PromptTokens != 11 || a.CompletionTokens != 4+11%7 || a.Finish != "stop" {
		t.Fatalf("reply %+v / %+v", a, b)
	}
	if got := strings.Join(a.Words, ""); got != a.Text {
		t.Fatalf("words %q do not make text %q", got, a.Text)
	}
	l := fakeupstream.Reply([]string{prompt}, 2, nil)
	if l.CompletionTokens != 2 || l.Finish != "length" {
		t.Fatalf("max tokens: %+v", l)
	}
	// The stop sequence is the answer's third word: the answer keeps two.
	third := strings.TrimSpace(a.Words[2])
	s := fakeupstream.Reply([]string{"be brief", prompt}, 0, []string{" " + third})
	if s.Finish != "stop_sequence" || s.StopSequence != " "+third || s.Text != a.Words[0]+a.Words[1] {
		t.Fatalf("stop: %+v (full %q)", s, a.Text)
	}
}

func TestParseFault(t *testing.T) {
	for name, want := range map[string]fakeupstream.Fault{
		"fault-429":                    {Name: "fault-429", Kind: "429", RetryAfter: 1},
		"fault-429-retry-after-0-once": {Name: "fault-429-retry-after-0-once", Kind: "429", RetryAfter: 0, Times: 1},
		"fault-500-times-3":            {Name: "fault-500-times-3", Kind: "500", Times: 3},
		"fault-cut-stream":             {Name: "fault-cut-stream", Kind: "cut-stream"},
		"fault-hang":                   {Name: "fault-hang", Kind: "hang"},
		"fault-529-retry-after-7":      {Name: "fault-529-retry-after-7", Kind: "529", RetryAfter: 7},
		"fault-stall-stream-times-2":   {Name: "fault-stall-stream-times-2", Kind: "stall-stream", Times: 2},
		"fault-stream-error":           {Name: "fault-stream-error", Kind: "stream-error"},
		"fault-malformed":              {Name: "fault-malformed", Kind: "malformed"},
	} {
		got := fakeupstream.ParseFault(name)
		if got == nil || *got != want {
			t.Errorf("ParseFault(%q) = %+v, want %+v", name, got, want)
		}
	}
	for _, bad := range []string{"fault-", "fault-404", "gpt-4o", "fault-429-once-retry-after-1"} {
		if f := fakeupstream.ParseFault(bad); f != nil {
			t.Errorf("ParseFault(%q) = %+v, want nil", bad, f)
		}
	}
}

func TestOpenAINonStream(t *testing.T) {
	fake, url := start(t)
	c := oaClient(url)
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("be brief"), openai.UserMessage(prompt)},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := fakeupstream.Reply([]string{"be brief", prompt}, 0, nil)
	if resp.Choices[0].Message.Content != want.Text || resp.Choices[0].FinishReason != "stop" {
		t.Fatalf("answer %q %q, want %q", resp.Choices[0].Message.Content, resp.Choices[0].FinishReason, want.Text)
	}
	if resp.Usage.PromptTokens != int64(want.PromptTokens) || resp.Usage.CompletionTokens != int64(want.CompletionTokens) ||
		resp.Usage.TotalTokens != int64(want.PromptTokens+want.CompletionTokens) {
		t.Fatalf("usage %+v, want %d/%d", resp.Usage, want.PromptTokens, want.CompletionTokens)
	}
	st := fake.Stats()
	if st.Requests != 1 || st.ByModel["gpt-4o-mini"] != 1 || st.PromptTokens != int64(want.PromptTokens) ||
		st.CompletionTokens != int64(want.CompletionTokens) || st.Auth["Bearer sk-test"] != 1 {
		t.Fatalf("stats %+v", st)
	}
	if fake.Seen("San Francisco") != 1 || fake.Seen("Berlin") != 0 || fake.Seen("San Francisco", "be brief") != 1 || fake.Seen("San Francisco", "Berlin") != 0 {
		t.Fatal("Seen does not count bodies")
	}
}

func TestOpenAIStreamUsageOnlyWhenAsked(t *testing.T) {
	_, url := start(t)
	c := oaClient(url)
	want := fakeupstream.Reply([]string{prompt}, 0, nil)
	for _, include := range []bool{true, false} {
		params := openai.ChatCompletionNewParams{
			Model:    "gpt-4o-mini",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
		}
		if include {
			params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		}
		stream := c.Chat.Completions.NewStreaming(context.Background(), params)
		var text strings.Builder
		var chunks, usageChunks, emptyChoices int
		var usage openai.CompletionUsage
		var finish string
		for stream.Next() {
			ch := stream.Current()
			chunks++
			if len(ch.Choices) == 0 {
				emptyChoices++
			} else {
				text.WriteString(ch.Choices[0].Delta.Content)
				if ch.Choices[0].FinishReason != "" {
					finish = ch.Choices[0].FinishReason
				}
			}
			if ch.JSON.Usage.Valid() && ch.Usage.TotalTokens > 0 {
				usageChunks++
				usage = ch.Usage
				if len(ch.Choices) != 0 {
					t.Error("usage chunk has choices")
				}
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if text.String() != want.Text || finish != "stop" {
			t.Fatalf("include=%v: text %q finish %q", include, text.String(), finish)
		}
		// role chunk + one per word + finish chunk (+ usage chunk)
		wantChunks := 1 + len(want.Words) + 1
		if include {
			wantChunks++
			if usageChunks != 1 || emptyChoices != 1 || usage.PromptTokens != int64(want.PromptTokens) || usage.CompletionTokens != int64(want.CompletionTokens) {
				t.Fatalf("usage chunks %d, empty %d, usage %+v", usageChunks, emptyChoices, usage)
			}
		} else if usageChunks != 0 || emptyChoices != 0 {
			t.Fatalf("usage sent unasked: %d chunks", usageChunks)
		}
		if chunks != wantChunks {
			t.Fatalf("include=%v: %d chunks, want %d", include, chunks, wantChunks)
		}
	}
}

func TestOpenAIStreamOptionsWithoutStreamIs400(t *testing.T) {
	_, url := start(t)
	resp, err := http.Post(url+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "stream_options") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

func TestAnthropicNonStream(t *testing.T) {
	fake, url := start(t)
	c := anClient(url)
	msg, err := c.Messages.New(context.Background(), anthropic.MessageNewParams{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 100,
		System:    []anthropic.TextBlockParam{{Text: "be brief"}},
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(prompt))},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := fakeupstream.Reply([]string{"be brief", prompt}, 100, nil)
	if len(msg.Content) != 1 || msg.Content[0].Text != want.Text || msg.StopReason != anthropic.StopReasonEndTurn {
		t.Fatalf("message %+v", msg)
	}
	if msg.Usage.InputTokens != int64(want.PromptTokens) || msg.Usage.OutputTokens != int64(want.CompletionTokens) {
		t.Fatalf("usage %+v", msg.Usage)
	}
	if st := fake.Stats(); st.ByPath["/v1/messages"] != 1 || st.Auth["sk-ant-test"]+st.Auth["Bearer sk-ant-test"] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestAnthropicStream(t *testing.T) {
	_, url := start(t)
	c := anClient(url)
	third := strings.TrimSpace(fakeupstream.Reply([]string{prompt}, 0, nil).Words[2])
	want := fakeupstream.Reply([]string{prompt}, 100, []string{" " + third})
	stream := c.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{
		Model:         "claude-sonnet-4-5",
		MaxTokens:     100,
		StopSequences: []string{" " + third},
		Messages:      []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(prompt))},
	})
	var msg anthropic.Message
	for stream.Next() {
		if err := msg.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if msg.Content[0].Text != want.Text || msg.StopReason != anthropic.StopReasonStopSequence || msg.StopSequence != " "+third {
		t.Fatalf("message %q %q %q, want %q", msg.Content[0].Text, msg.StopReason, msg.StopSequence, want.Text)
	}
	if msg.Usage.InputTokens != int64(want.PromptTokens) || msg.Usage.OutputTokens != int64(want.CompletionTokens) {
		t.Fatalf("usage %+v, want %d/%d", msg.Usage, want.PromptTokens, want.CompletionTokens)
	}
}

func TestFault429OnceThenOK(t *testing.T) {
	fake, url := start(t)
	c := oaClient(url)
	params := openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello [fault-429-retry-after-0-once]")},
	}
	_, err := c.Chat.Completions.New(context.Background(), params)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Response.Header.Get("Retry-After") != "0" || apiErr.Code != "rate_limit_exceeded" {
		t.Fatalf("first call: %v", err)
	}
	if _, err := c.Chat.Completions.New(context.Background(), params); err != nil {
		t.Fatalf("second call: %v", err)
	}
	if st := fake.Stats(); st.Requests != 2 || st.Faults != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultByModelAnthropic(t *testing.T) {
	_, url := start(t)
	c := anClient(url)
	for model, status := range map[string]int{"fault-529": 529, "fault-500": 500, "fault-429-retry-after-3": 429} {
		_, err := c.Messages.New(context.Background(), anthropic.MessageNewParams{
			Model: anthropic.Model(model), MaxTokens: 10,
			Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
		})
		var apiErr *anthropic.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
			t.Fatalf("%s: %v", model, err)
		}
		if status == 429 && apiErr.Response.Header.Get("Retry-After") != "3" {
			t.Fatalf("retry-after %q", apiErr.Response.Header.Get("Retry-After"))
		}
	}
}

func TestFaultCutStream(t *testing.T) {
	_, url := start(t)
	oc := oaClient(url)
	stream := oc.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:         "fault-cut-stream",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	var text strings.Builder
	sawUsage := false
	for stream.Next() {
		ch := stream.Current()
		if len(ch.Choices) > 0 {
			text.WriteString(ch.Choices[0].Delta.Content)
		}
		sawUsage = sawUsage || ch.Usage.TotalTokens > 0
	}
	full := fakeupstream.Reply([]string{prompt}, 0, nil)
	half := strings.Join(full.Words[:len(full.Words)/2], "")
	if stream.Err() == nil || text.String() != half || sawUsage {
		t.Fatalf("cut stream: err %v, text %q (want %q), usage %v", stream.Err(), text.String(), half, sawUsage)
	}
}

func TestFaultAnthropicStreamError(t *testing.T) {
	_, url := start(t)
	ac := anClient(url)
	stream := ac.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{
		Model: "claude", MaxTokens: 10,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("[fault-stream-error] " + prompt))},
	})
	for stream.Next() {
	}
	if stream.Err() == nil || !strings.Contains(stream.Err().Error(), "Overloaded") {
		t.Fatalf("err %v", stream.Err())
	}
}

func TestFaultHangEndsWhenClientGoes(t *testing.T) {
	fake, url := start(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		oc := oaClient(url)
		_, err := oc.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model:    "fault-hang",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		})
		done <- err
	}()
	// Wait until the request reached the fake (it counts before hanging).
	for fake.Requests() == 0 {
		select {
		case err := <-done:
			t.Fatalf("returned before cancel: %v", err)
		default:
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

func TestStatsEndpoint(t *testing.T) {
	_, url := start(t)
	oc := oaClient(url)
	if _, err := oc.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("my email is a@b.example")},
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(url + "/_fake/seen?q=a@b.example&q=email")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"seen":1`) {
		t.Fatalf("seen: %s", b)
	}
}

func TestOpenAILogprobs(t *testing.T) {
	_, url := start(t)
	c := oaClient(url)
	for _, tc := range []struct {
		text string
		want float64
	}{{"hello", -0.05}, {"hello [low-confidence]", -3.0}} {
		resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model: "m", Logprobs: openai.Bool(true),
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(tc.text)},
		})
		if err != nil {
			t.Fatal(err)
		}
		lps := resp.Choices[0].Logprobs.Content
		if len(lps) != int(resp.Usage.CompletionTokens) || lps[0].Logprob != tc.want {
			t.Fatalf("%q: logprobs %+v", tc.text, lps)
		}
	}
}
