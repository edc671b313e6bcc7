package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/respjson"
	"github.com/openai/openai-go/v3/packages/ssestream"
)

// logprobSentinel is vLLM's stand-in for -inf (it clamps with max(lp, -9999.0));
// OpenAI documents the same value for "very unlikely".
const logprobSentinel = -9999.0

// openaiBackend talks to any OpenAI-compatible /chat/completions endpoint.
// openai-go builds and sends the request; the body is read here from the raw
// response so that status, headers, malformed bodies and stream ends are
// classified by this package rather than guessed from SDK error strings.
type openaiBackend struct {
	common
	chat openai.ChatCompletionService
	// OpenAI proper rejects max_tokens for reasoning models and wants
	// max_completion_tokens; local servers all understand max_tokens.
	maxCompletionTokens bool
}

func newOpenAI(c common) *openaiBackend {
	opts := []option.RequestOption{
		option.WithBaseURL(c.baseURL.String()),
		option.WithHTTPClient(c.client),
		option.WithMaxRetries(0),
		option.WithMiddleware(oneWrite),
	}
	if c.apiKey != "" {
		opts = append(opts, option.WithAPIKey(c.apiKey))
	}
	// NewChatCompletionService (unlike openai.NewClient) reads nothing from
	// the environment, so OPENAI_API_KEY can never leak to a local server.
	return &openaiBackend{
		common:              c,
		chat:                openai.NewChatCompletionService(opts...),
		maxCompletionTokens: strings.EqualFold(c.baseURL.Host, "api.openai.com"),
	}
}

func (b *openaiBackend) params(req Request) openai.ChatCompletionNewParams {
	conv := req.Conversation()
	msgs := make([]openai.ChatCompletionMessageParamUnion, 0, len(conv)+1)
	if req.System != "" {
		msgs = append(msgs, openai.SystemMessage(req.System))
	}
	for _, m := range conv {
		if m.Role == "assistant" {
			msgs = append(msgs, openai.AssistantMessage(m.Content))
		} else {
			msgs = append(msgs, openai.UserMessage(m.Content))
		}
	}
	p := openai.ChatCompletionNewParams{Model: b.model, Messages: msgs}
	if len(req.Stop) > 0 {
		p.Stop = openai.ChatCompletionNewParamsStopUnion{OfStringArray: req.Stop}
	}
	if req.MaxTokens > 0 {
		if b.maxCompletionTokens {
			p.MaxCompletionTokens = openai.Int(int64(req.MaxTokens))
		} else {
			p.MaxTokens = openai.Int(int64(req.MaxTokens))
		}
	}
	if req.Logprobs {
		p.Logprobs = openai.Bool(true)
	}
	if req.Temperature != nil {
		p.Temperature = openai.Float(*req.Temperature)
	}
	if req.TopP != nil {
		p.TopP = openai.Float(*req.TopP)
	}
	if req.Stream {
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	}
	return p
}

func (b *openaiBackend) Complete(ctx context.Context, req Request) (Response, error) {
	actx, cancel := b.attemptContext(ctx)
	defer cancel()
	var body []byte
	if req.Native != nil {
		nb, e := b.nativeRequest(req.Native, req.Stream)
		if e != nil {
			return Response{}, e
		}
		body = nb
	} else {
		// The body is params(req) encoded directly (see body.go).
		body = b.body(req)
	}
	start := b.now()
	var raw *http.Response
	// The SDK sends the body.
	_, err := b.chat.New(actx, openai.ChatCompletionNewParams{Model: b.model},
		option.WithRequestBody("application/json", body), option.WithResponseBodyInto(&raw))
	if e := b.answered(ctx, raw, err); e != nil {
		return Response{}, e
	}
	defer raw.Body.Close()
	if e := b.htmlAnswer(raw); e != nil {
		return Response{}, e
	}
	return readAnswer(&req, raw, "x-request-id",
		func() (Response, error) { return b.readStream(ctx, actx, raw, start, &req) },
		func() (Response, error) { return b.readCompletion(ctx, actx, raw, start, req.Native != nil) })
}

// readAnswer reads a 2xx answer of either wire: the upstream's request id
// from idHeader (told to OnStart before a stream's first delta), then the
// stream, or the one JSON object of a server that ignored stream:true
// (relayed as a single delta).
func readAnswer(req *Request, raw *http.Response, idHeader string, stream, whole func() (Response, error)) (Response, error) {
	rid := raw.Header.Get(idHeader)
	if req.Stream && req.OnStart != nil {
		req.OnStart(rid)
	}
	var resp Response
	var err error
	if req.Stream && !isJSONResponse(raw) {
		resp, err = stream()
	} else {
		resp, err = whole()
		if err == nil && req.Stream {
			req.delta(resp.Text)
		}
	}
	resp.RequestID = rid
	return resp, err
}

// answered checks what an SDK call left behind (the raw response, kept
// with WithResponseBodyInto even for error statuses, and the SDK's error)
// and returns the error to report, or nil when raw is a 2xx to read.
func (c common) answered(ctx context.Context, raw *http.Response, err error) *Error {
	switch {
	case errors.Is(err, errRedirectElsewhere):
		// The client stopped at the redirect and hands back the 3xx itself.
		return c.transportError(ctx, err)
	case raw == nil:
		if err == nil {
			err = errors.New("no response")
		}
		return c.transportError(ctx, err)
	case raw.StatusCode >= 400:
		return c.httpError(raw)
	}
	return nil
}

// streamEvents reads raw's SSE events: with the SDK's decoder, or, for a
// Native request, keeping each event's bytes (rawEvent) to relay them.
func streamEvents(raw *http.Response, keep bool) (next func() bool, event func() (string, []byte), err func() error, rawEvent func() []byte) {
	if keep {
		re := newRawEvents(raw.Body)
		return re.Next, func() (string, []byte) { return re.typ, re.data }, re.Err, func() []byte { return re.raw }
	}
	dec := ssestream.NewDecoder(raw)
	return dec.Next, func() (string, []byte) { ev := dec.Event(); return ev.Type, ev.Data }, dec.Err, func() []byte { return nil }
}

// nonEmptyJSON reports a raw value that is present and not null, [] or {}.
func nonEmptyJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null")) && !bytes.Equal(t, []byte("[]")) && !bytes.Equal(t, []byte("{}"))
}

func isJSONResponse(r *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// readFailure classifies an error while reading a 200 body.
func (c common) readFailure(parent, attempt context.Context, err error, streaming bool) *Error {
	if parent.Err() != nil || attempt.Err() != nil {
		return c.transportError(parent, context.DeadlineExceeded)
	}
	if streaming {
		return c.newError(0, CodeTruncatedStream, "stream broke: "+err.Error(), true)
	}
	return c.newError(0, CodeConnection, "reading response: "+err.Error(), true)
}

// wireCompletion is the part of a chat.completion this package reads.
// Decoding it with encoding/json costs a fraction of the SDK's
// ChatCompletion (which keeps per-field metadata), and pointers keep
// "absent or null" apart from 0 just as the SDK's Valid() does.
type wireCompletion struct {
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
		Logprobs     *struct {
			Content *[]struct {
				Logprob float64 `json:"logprob"`
			} `json:"content"`
		} `json:"logprobs"`
	} `json:"choices"`
	Usage   *wireUsage        `json:"usage"`
	Timings *llamaWireTimings `json:"timings"`
	Error   json.RawMessage   `json:"error"`
}

type wireUsage struct {
	PromptTokens        *int64 `json:"prompt_tokens"`
	CompletionTokens    *int64 `json:"completion_tokens"`
	PromptTokensDetails *struct {
		CachedTokens     *int64 `json:"cached_tokens"`
		CacheWriteTokens *int64 `json:"cache_write_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails *struct {
		ReasoningTokens *int64 `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

// usage keeps absent counts nil: vLLM sends prompt_tokens_details: null
// unless --enable-prompt-tokens-details, and that is "unknown", not 0.
func (u *wireUsage) usage() Usage {
	out := Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens}
	if d := u.PromptTokensDetails; d != nil {
		out.CachedTokens, out.CacheWriteTokens = d.CachedTokens, d.CacheWriteTokens
	}
	if d := u.CompletionTokensDetails; d != nil {
		out.ReasoningTokens = d.ReasoningTokens
	}
	return out
}

// wireChunk is the part of a chat.completion.chunk this package reads.
type wireChunk struct {
	Model   string            `json:"model"`
	Choices []wireChunkChoice `json:"choices"`
	Usage   *wireUsage        `json:"usage"`
	Timings *llamaWireTimings `json:"timings"`
	Error   json.RawMessage   `json:"error"`
}

type wireChunkChoice struct {
	Index int64 `json:"index"`
	Delta struct {
		Content          string          `json:"content"`
		ReasoningContent *string         `json:"reasoning_content"` // vLLM
		Reasoning        *string         `json:"reasoning"`         // Ollama, OpenRouter
		ToolCalls        json.RawMessage `json:"tool_calls"`        // output too (TTFT), relayed by Native requests
	} `json:"delta"`
	Logprobs *struct {
		Content *[]struct {
			Logprob float64 `json:"logprob"`
		} `json:"content"`
	} `json:"logprobs"`
	FinishReason string `json:"finish_reason"`
}

// readCompletion reads a whole chat.completion; keep puts its bytes in Raw.
func (b *openaiBackend) readCompletion(ctx, actx context.Context, raw *http.Response, start time.Time, keep bool) (Response, error) {
	body, err := io.ReadAll(raw.Body)
	if err != nil {
		return Response{}, b.readFailure(ctx, actx, err, false)
	}
	latency := b.now().Sub(start)
	var cc wireCompletion
	if err := json.Unmarshal(body, &cc); err != nil {
		return Response{}, b.newError(raw.StatusCode, CodeMalformedResponse, "response is not JSON: "+err.Error(), true)
	}
	if len(cc.Choices) == 0 {
		if len(cc.Error) > 0 && string(cc.Error) != "null" {
			// Some proxies report failures with a 200 status.
			return Response{}, b.streamError(body)
		}
		return Response{}, b.newError(raw.StatusCode, CodeMalformedResponse, "response has no choices", true)
	}
	ch := cc.Choices[0]
	resp := Response{
		Text:         ch.Message.Content,
		Model:        cc.Model,
		Latency:      latency,
		FinishReason: ch.FinishReason,
	}
	if keep {
		resp.Raw = body
	}
	if cc.Usage != nil {
		resp.Usage = cc.Usage.usage()
	}
	if ch.Logprobs != nil && ch.Logprobs.Content != nil {
		lps := make([]float64, 0, len(*ch.Logprobs.Content))
		for _, t := range *ch.Logprobs.Content {
			if t.Logprob <= logprobSentinel {
				resp.ClampedTokens++
				continue
			}
			lps = append(lps, t.Logprob)
		}
		resp.Logprobs = lps
	}
	if w := cc.Timings; w != nil {
		resp.ServerTimings = timingsOf(*w)
	}
	fillCachedFromTimings(&resp)
	return resp, nil
}

func (b *openaiBackend) readStream(ctx, actx context.Context, raw *http.Response, start time.Time, req *Request) (Response, error) {
	raw.Body = req.streamBody(raw.Body)
	next, event, decErr, rawEvent := streamEvents(raw, req.Native != nil)
	var (
		resp                     Response
		text                     strings.Builder
		usage                    *wireUsage
		sawDone, sawFinish, anyL bool
		timings                  *llamaWireTimings
	)
	for next() {
		_, ev := event()
		data := bytes.TrimSpace(ev)
		if len(data) == 0 {
			req.relay(rawEvent())
			continue
		}
		if bytes.Equal(data, []byte("[DONE]")) {
			req.relay(rawEvent())
			sawDone = true
			break
		}
		var chunk wireChunk
		if !decodeChunkFast(data, &chunk) {
			chunk = wireChunk{}
			if err := json.Unmarshal(data, &chunk); err != nil {
				return Response{}, b.newError(0, CodeMalformedResponse, "stream chunk is not JSON: "+err.Error(), true)
			}
		}
		if len(chunk.Error) > 0 && string(chunk.Error) != "null" {
			return Response{}, b.streamError(data)
		}
		if req.Native != nil && (req.Native.ShowUsage || len(chunk.Choices) > 0 || chunk.Usage == nil) {
			req.relay(rawEvent()) // all but the usage-only chunk the client did not ask for
		}
		if chunk.Model != "" {
			resp.Model = chunk.Model
		}
		// Usage: the last chunk that carries it wins. vLLM's
		// continuous_usage_stats repeats cumulative usage on every chunk, so a
		// sum (what openai-go's accumulator does) over-counts.
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
		if chunk.Timings != nil {
			timings = chunk.Timings
		}
		for _, c := range chunk.Choices {
			if c.Index != 0 {
				continue
			}
			reasoning := (c.Delta.ReasoningContent != nil && *c.Delta.ReasoningContent != "") || (c.Delta.Reasoning != nil && *c.Delta.Reasoning != "")
			if c.Delta.Content != "" || reasoning || nonEmptyJSON(c.Delta.ToolCalls) {
				b.arrived(&resp, start, req.TokenTimes)
				text.WriteString(c.Delta.Content)
				req.delta(c.Delta.Content)
			}
			if c.Logprobs != nil && c.Logprobs.Content != nil {
				if !anyL {
					resp.Logprobs, anyL = []float64{}, true
				}
				for _, t := range *c.Logprobs.Content {
					if t.Logprob <= logprobSentinel {
						resp.ClampedTokens++
						continue
					}
					resp.Logprobs = append(resp.Logprobs, t.Logprob)
				}
			}
			if c.FinishReason != "" {
				resp.FinishReason, sawFinish = c.FinishReason, true
			}
		}
	}
	partial := func(e *Error) *Error {
		p := resp
		p.Text, p.Latency = text.String(), b.now().Sub(start)
		if usage != nil {
			p.Usage = usage.usage()
		}
		e.Partial = &p
		return e
	}
	if err := decErr(); err != nil {
		return Response{}, partial(b.readFailure(ctx, actx, err, true))
	}
	if actx.Err() != nil {
		return Response{}, partial(b.transportError(ctx, context.DeadlineExceeded))
	}
	// Complete = [DONE], or a finish_reason plus the usage chunk that follows
	// it (a few servers end without [DONE]). Anything else lost data: at the
	// least the usage chunk, which is what gets billed.
	if !sawDone && !(sawFinish && usage != nil) {
		return Response{}, partial(b.newError(0, CodeTruncatedStream, "stream ended without [DONE]", true))
	}
	resp.Latency = b.now().Sub(start)
	resp.Text = text.String()
	if usage != nil {
		resp.Usage = usage.usage()
	}
	if timings != nil {
		resp.ServerTimings = timingsOf(*timings)
	}
	fillCachedFromTimings(&resp)
	return resp, nil
}

// llamaWireTimings mirrors llama.cpp's result_timings::to_json.
type llamaWireTimings struct {
	CacheN              *int64   `json:"cache_n"`
	PromptN             *int64   `json:"prompt_n"`
	PromptMS            *float64 `json:"prompt_ms"`
	PromptPerTokenMS    *float64 `json:"prompt_per_token_ms"`
	PromptPerSecond     *float64 `json:"prompt_per_second"`
	PredictedN          *int64   `json:"predicted_n"`
	PredictedMS         *float64 `json:"predicted_ms"`
	PredictedPerTokenMS *float64 `json:"predicted_per_token_ms"`
	PredictedPerSecond  *float64 `json:"predicted_per_second"`
	DraftN              *int64   `json:"draft_n"`
	DraftNAccepted      *int64   `json:"draft_n_accepted"`
}

func timingsOf(w llamaWireTimings) *Timings {
	return &Timings{Source: "llama.cpp", CacheN: w.CacheN, PromptN: w.PromptN, PromptMS: w.PromptMS,
		PromptPerTokenMS: w.PromptPerTokenMS, PromptPerSecond: w.PromptPerSecond,
		PredictedN: w.PredictedN, PredictedMS: w.PredictedMS, PredictedPerTokenMS: w.PredictedPerTokenMS,
		PredictedPerSecond: w.PredictedPerSecond, DraftN: w.DraftN, DraftNAccepted: w.DraftNAccepted}
}

// fillCachedFromTimings uses llama.cpp's cache_n when usage has no cached
// count: older builds report prompt_tokens = cache_n + prompt_n without
// prompt_tokens_details, so cache_n is the server's own cached-token count.
func fillCachedFromTimings(r *Response) {
	if r.Usage.CachedTokens == nil && r.ServerTimings != nil && r.ServerTimings.CacheN != nil {
		r.Usage.CachedTokens = int64p(*r.ServerTimings.CacheN)
	}
}

// extraRaw returns a non-null field the SDK type does not declare. Such
// fields are never Valid() in the SDKs' metadata (no decoder claims them),
// so presence is judged from the raw JSON.
func extraRaw(extra map[string]respjson.Field, key string) (string, bool) {
	f, ok := extra[key]
	if !ok {
		return "", false
	}
	raw := f.Raw()
	if raw == "" || raw == "null" {
		return "", false
	}
	return raw, true
}
