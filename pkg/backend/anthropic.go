package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/anthropics/anthropic-sdk-go/v2/packages/ssestream"
)

// anthropicBackend talks to the Anthropic Messages API (or a server that
// implements it, e.g. llama.cpp's /v1/messages). As with openaiBackend, the
// SDK sends the request and this package reads the raw body.
type anthropicBackend struct {
	common
	msgs anthropic.MessageService
}

func newAnthropic(c common) *anthropicBackend {
	opts := []aoption.RequestOption{
		// No ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL / profile autoload: the
		// key comes only from Config.APIKeyEnv.
		aoption.WithoutEnvironmentDefaults(),
		aoption.WithBaseURL(c.baseURL.String()),
		aoption.WithHTTPClient(c.client),
		aoption.WithMaxRetries(0),
		aoption.WithoutOpenTelemetry(),
		aoption.WithMiddleware(oneWrite),
	}
	if c.apiKey != "" {
		opts = append(opts, aoption.WithAPIKey(c.apiKey))
	}
	client := anthropic.NewClient(opts...)
	return &anthropicBackend{common: c, msgs: client.Messages}
}

func (b *anthropicBackend) Complete(ctx context.Context, req Request) (Response, error) {
	actx, cancel := b.attemptContext(ctx)
	defer cancel()
	maxTokens := req.MaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultAnthropicMaxTokens
	}
	var raw *http.Response
	opts := []aoption.RequestOption{
		aoption.WithResponseBodyInto(&raw),
		// Without an explicit timeout the SDK refuses non-streaming requests
		// whose max_tokens implies more than 10 minutes; ours bounds the attempt.
		aoption.WithRequestTimeout(b.timeout),
	}
	start := b.now()
	// The body is params(req) encoded directly (see body.go); the SDK sends
	// it, and still sees the model and max_tokens (for its timeout check).
	var body []byte
	if req.Native != nil {
		nb, e := b.nativeRequest(req.Native, false)
		if e != nil {
			return Response{}, e
		}
		body = nb
	} else {
		body = b.body(req, maxTokens)
	}
	opts = append(opts, aoption.WithRequestBody("application/json", body))
	_, err := b.msgs.New(actx, anthropic.MessageNewParams{Model: b.model, MaxTokens: int64(maxTokens)}, opts...)
	if e := b.answered(ctx, raw, err); e != nil {
		return Response{}, e
	}
	defer raw.Body.Close()
	if e := b.htmlAnswer(raw); e != nil {
		return Response{}, e
	}
	return readAnswer(&req, raw, "request-id",
		func() (Response, error) { return b.readStream(ctx, actx, raw, start, &req) },
		func() (Response, error) { return b.readMessage(ctx, actx, raw, start, req.Native != nil) })
}

// params is the SDK's request for req; body(req) is its encoding.
func (b *anthropicBackend) params(req Request, maxTokens int) anthropic.MessageNewParams {
	conv := req.Conversation()
	msgs := make([]anthropic.MessageParam, 0, len(conv))
	for _, m := range conv {
		if m.Role == "assistant" {
			msgs = append(msgs, anthropic.NewAssistantMessage(anthropic.NewTextBlock(m.Content)))
		} else {
			msgs = append(msgs, anthropic.NewUserMessage(anthropic.NewTextBlock(m.Content)))
		}
	}
	params := anthropic.MessageNewParams{
		Model:         b.model,
		MaxTokens:     int64(maxTokens),
		Messages:      msgs,
		StopSequences: req.Stop,
	}
	if req.System != "" {
		params.System = []anthropic.TextBlockParam{{Text: req.System}}
	}
	return params
}

// readMessage reads a whole message; keep puts its bytes in Raw.
func (b *anthropicBackend) readMessage(ctx, actx context.Context, raw *http.Response, start time.Time, keep bool) (Response, error) {
	body, err := io.ReadAll(raw.Body)
	if err != nil {
		return Response{}, b.readFailure(ctx, actx, err, false)
	}
	latency := b.now().Sub(start)
	var m anthropic.Message
	if err := json.Unmarshal(body, &m); err != nil {
		return Response{}, b.newError(raw.StatusCode, CodeMalformedResponse, "response is not JSON: "+err.Error(), true)
	}
	if hasErrorObject(body) {
		// Some gateways report failures with a 200 status.
		return Response{}, b.streamError(body)
	}
	if !m.JSON.Content.Valid() || !m.JSON.Usage.Valid() {
		return Response{}, b.newError(raw.StatusCode, CodeMalformedResponse, "response has no content or usage", true)
	}
	var text strings.Builder
	for _, block := range m.Content {
		if block.Type == "text" {
			text.WriteString(block.Text)
		}
	}
	var u anthropicUsageAcc
	u.fromUsage(m.Usage)
	resp := Response{
		Text:         text.String(),
		Model:        m.Model,
		Usage:        u.usage(),
		Latency:      latency,
		FinishReason: string(m.StopReason),
	}
	if keep {
		resp.Raw = body
	}
	return resp, nil
}

func (b *anthropicBackend) readStream(ctx, actx context.Context, raw *http.Response, start time.Time, req *Request) (Response, error) {
	raw.Body = req.streamBody(raw.Body)
	next, event, decErr, rawEvent := anthropicEvents(raw, req.Native != nil)
	var (
		resp    Response
		text    strings.Builder
		u       anthropicUsageAcc
		sawStop bool
	)
	for next() {
		typ, evData := event()
		data := bytes.TrimSpace(evData)
		if typ == "error" {
			return Response{}, b.streamError(data)
		}
		if typ == "ping" || len(data) == 0 {
			req.relay(rawEvent())
			continue
		}
		var e anthropic.MessageStreamEventUnion
		if err := json.Unmarshal(data, &e); err != nil {
			return Response{}, b.newError(0, CodeMalformedResponse, "stream event is not JSON: "+err.Error(), true)
		}
		if e.Type != "error" {
			req.relay(rawEvent())
		}
		switch e.Type {
		case "message_start":
			resp.Model = e.Message.Model
			if e.Message.JSON.Usage.Valid() {
				u.fromStart(e.Message.Usage)
			}
		case "content_block_delta":
			switch e.Delta.Type {
			case "text_delta":
				if e.Delta.Text != "" {
					b.arrived(&resp, start, req.TokenTimes)
				}
				text.WriteString(e.Delta.Text)
				req.delta(e.Delta.Text)
			case "thinking_delta":
				if e.Delta.Thinking != "" {
					b.arrived(&resp, start, req.TokenTimes)
				}
			case "input_json_delta": // a tool call's arguments (Native requests)
				if e.Delta.PartialJSON != "" {
					b.arrived(&resp, start, req.TokenTimes)
				}
			}
		case "message_delta":
			if e.Delta.StopReason != "" {
				resp.FinishReason = string(e.Delta.StopReason)
			}
			if e.JSON.Usage.Valid() {
				u.fromDelta(e.Usage)
			}
		case "message_stop":
			sawStop = true
		case "error":
			return Response{}, b.streamError(data)
		}
		if sawStop {
			break
		}
	}
	partial := func(e *Error) *Error {
		p := resp
		p.Text, p.Latency, p.Usage = text.String(), b.now().Sub(start), u.usage()
		e.Partial = &p
		return e
	}
	if err := decErr(); err != nil {
		return Response{}, partial(b.readFailure(ctx, actx, err, true))
	}
	if actx.Err() != nil {
		return Response{}, partial(b.transportError(ctx, context.DeadlineExceeded))
	}
	if !sawStop {
		return Response{}, partial(b.newError(0, CodeTruncatedStream, "stream ended without message_stop", true))
	}
	resp.Latency = b.now().Sub(start)
	resp.Text = text.String()
	resp.Usage = u.usage()
	return resp, nil
}

// anthropicEvents is streamEvents with the Anthropic SDK's decoder.
func anthropicEvents(raw *http.Response, keep bool) (next func() bool, event func() (string, []byte), err func() error, rawEvent func() []byte) {
	if keep {
		re := newRawEvents(raw.Body)
		return re.Next, func() (string, []byte) { return re.typ, re.data }, re.Err, func() []byte { return re.raw }
	}
	dec := ssestream.NewDecoder(raw)
	return dec.Next, func() (string, []byte) { ev := dec.Event(); return ev.Type, ev.Data }, dec.Err, func() []byte { return nil }
}

// anthropicUsageAcc holds the latest reported value of each count.
// message_start carries input and cache counts; message_delta carries
// cumulative totals (not increments), so each present field overwrites.
// Gateways that send input_tokens: 0 in message_start and the real count in
// message_delta are handled by the same rule.
type anthropicUsageAcc struct {
	input, cacheRead, cacheWrite, output, thinking *int64
}

func (a *anthropicUsageAcc) fromUsage(u anthropic.Usage) {
	if u.JSON.InputTokens.Valid() {
		a.input = int64p(u.InputTokens)
	}
	if u.JSON.CacheReadInputTokens.Valid() {
		a.cacheRead = int64p(u.CacheReadInputTokens)
	}
	if u.JSON.CacheCreationInputTokens.Valid() {
		a.cacheWrite = int64p(u.CacheCreationInputTokens)
	}
	if u.JSON.OutputTokens.Valid() {
		a.output = int64p(u.OutputTokens)
	}
	if u.JSON.OutputTokensDetails.Valid() && u.OutputTokensDetails.JSON.ThinkingTokens.Valid() {
		a.thinking = int64p(u.OutputTokensDetails.ThinkingTokens)
	}
}

// fromStart reads message_start's usage: its input and cache counts,
// not its output_tokens, which is a placeholder (1, or 0 at gateways)
// before any text; the real count comes with message_delta. A stream cut
// before message_delta thus has no output count, and the router counts
// the text it relayed (tokens_estimated) instead of pricing 1 token.
func (a *anthropicUsageAcc) fromStart(u anthropic.Usage) {
	out, thinking := a.output, a.thinking
	a.fromUsage(u)
	a.output, a.thinking = out, thinking
}

func (a *anthropicUsageAcc) fromDelta(u anthropic.MessageDeltaUsage) {
	if u.JSON.InputTokens.Valid() {
		a.input = int64p(u.InputTokens)
	}
	if u.JSON.CacheReadInputTokens.Valid() {
		a.cacheRead = int64p(u.CacheReadInputTokens)
	}
	if u.JSON.CacheCreationInputTokens.Valid() {
		a.cacheWrite = int64p(u.CacheCreationInputTokens)
	}
	if u.JSON.OutputTokens.Valid() {
		a.output = int64p(u.OutputTokens)
	}
	if u.JSON.OutputTokensDetails.Valid() && u.OutputTokensDetails.JSON.ThinkingTokens.Valid() {
		a.thinking = int64p(u.OutputTokensDetails.ThinkingTokens)
	}
}

// usage converts to OpenAI semantics: Anthropic's input_tokens excludes cache
// reads and writes, so they are added back. An absent cache count adds
// nothing (it was not billed); an absent input_tokens leaves InputTokens nil.
func (a *anthropicUsageAcc) usage() Usage {
	out := Usage{OutputTokens: a.output, CachedTokens: a.cacheRead, CacheWriteTokens: a.cacheWrite, ReasoningTokens: a.thinking}
	if a.input != nil {
		total := *a.input
		if a.cacheRead != nil {
			total += *a.cacheRead
		}
		if a.cacheWrite != nil {
			total += *a.cacheWrite
		}
		out.InputTokens = &total
	}
	return out
}
