package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// ollamaBackend speaks Ollama's native POST /api/chat: one JSON object, or
// NDJSON (one object per line, no "data:" prefix) when streaming. Ollama also
// serves /v1 (use api: openai for that); the native API is kept because it
// reports server-side durations.
type ollamaBackend struct {
	common
	endpoint string
}

func newOllama(c common) *ollamaBackend {
	u := *c.baseURL
	u.Path = strings.TrimRight(u.Path, "/") + "/api/chat"
	return &ollamaBackend{common: c, endpoint: u.String()}
}

type ollamaChatRequest struct {
	Model    string          `json:"model"`
	Messages []ollamaMessage `json:"messages"`
	Stream   bool            `json:"stream"` // sent even when false: Ollama streams by default
	Logprobs bool            `json:"logprobs,omitempty"`
	Options  map[string]any  `json:"options,omitempty"`
}

type ollamaMessage struct {
	Role     string `json:"role"`
	Content  string `json:"content"`
	Thinking string `json:"thinking,omitempty"`
}

// ollamaChatChunk is one response object. Counts and durations are pointers:
// prompt_eval_count is omitempty upstream and disappears when the prompt was
// served from cache, which must read as "unknown", not 0.
type ollamaChatChunk struct {
	Model              string          `json:"model"`
	Message            ollamaMessage   `json:"message"`
	Done               bool            `json:"done"`
	DoneReason         string          `json:"done_reason"`
	TotalDuration      *int64          `json:"total_duration"`
	LoadDuration       *int64          `json:"load_duration"`
	PromptEvalCount    *int64          `json:"prompt_eval_count"`
	PromptEvalDuration *int64          `json:"prompt_eval_duration"`
	EvalCount          *int64          `json:"eval_count"`
	EvalDuration       *int64          `json:"eval_duration"`
	Logprobs           []ollamaLogprob `json:"logprobs"`
	Error              json.RawMessage `json:"error"`
}

type ollamaLogprob struct {
	Logprob float64 `json:"logprob"`
}

func (b *ollamaBackend) Complete(ctx context.Context, req Request) (Response, error) {
	if req.Native != nil {
		_, e := b.nativeRequest(req.Native, false) // always a wire mismatch: nothing speaks Ollama's wire to the proxy
		return Response{}, e
	}
	actx, cancel := b.attemptContext(ctx)
	defer cancel()
	conv := req.Conversation()
	msgs := make([]ollamaMessage, 0, len(conv)+1)
	if req.System != "" {
		msgs = append(msgs, ollamaMessage{Role: "system", Content: req.System})
	}
	for _, m := range conv {
		msgs = append(msgs, ollamaMessage{Role: m.Role, Content: m.Content})
	}
	body := ollamaChatRequest{
		Model:    b.model,
		Messages: msgs,
		Stream:   req.Stream,
		Logprobs: req.Logprobs,
	}
	if req.MaxTokens > 0 || len(req.Stop) > 0 || req.Temperature != nil || req.TopP != nil {
		body.Options = map[string]any{}
		if req.Temperature != nil {
			body.Options["temperature"] = *req.Temperature
		}
		if req.TopP != nil {
			body.Options["top_p"] = *req.TopP
		}
		if req.MaxTokens > 0 {
			body.Options["num_predict"] = req.MaxTokens
		}
		if len(req.Stop) > 0 {
			body.Options["stop"] = req.Stop
		}
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return Response{}, b.newError(0, "bad_request", err.Error(), false)
	}
	hreq, err := http.NewRequestWithContext(actx, http.MethodPost, b.endpoint, bytes.NewReader(payload))
	if err != nil {
		return Response{}, b.newError(0, "bad_request", err.Error(), false)
	}
	hreq.Header.Set("Content-Type", "application/json")
	if b.apiKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+b.apiKey)
	}
	start := b.now()
	resp, err := b.client.Do(hreq)
	if err != nil {
		return Response{}, b.transportError(ctx, err)
	}
	if resp.StatusCode >= 400 {
		return Response{}, b.httpError(resp)
	}
	defer resp.Body.Close()
	if e := b.htmlAnswer(resp); e != nil {
		return Response{}, e
	}
	if req.Stream {
		return b.readStream(ctx, actx, resp, start, &req)
	}
	return b.readOne(ctx, actx, resp, start)
}

func (b *ollamaBackend) readOne(ctx, actx context.Context, raw *http.Response, start time.Time) (Response, error) {
	data, err := io.ReadAll(raw.Body)
	if err != nil {
		return Response{}, b.readFailure(ctx, actx, err, false)
	}
	latency := b.now().Sub(start)
	var c ollamaChatChunk
	if err := json.Unmarshal(data, &c); err != nil {
		return Response{}, b.newError(raw.StatusCode, CodeMalformedResponse, "response is not JSON: "+err.Error(), true)
	}
	if len(c.Error) > 0 && string(c.Error) != "null" {
		return Response{}, b.streamError(data)
	}
	if !c.Done {
		return Response{}, b.newError(raw.StatusCode, CodeMalformedResponse, `response lacks "done": true`, true)
	}
	resp := Response{Text: c.Message.Content, Latency: latency}
	var lps []float64
	var clamped int
	if c.Logprobs != nil {
		lps, clamped = appendOllamaLogprobs([]float64{}, 0, c.Logprobs)
	}
	b.finish(&resp, c, lps, clamped)
	return resp, nil
}

func (b *ollamaBackend) readStream(ctx, actx context.Context, raw *http.Response, start time.Time, req *Request) (Response, error) {
	dec := json.NewDecoder(req.streamBody(raw.Body))
	var (
		resp    Response
		text    strings.Builder
		lps     []float64
		clamped int
	)
	partial := func(e *Error) *Error {
		p := resp
		p.Text, p.Latency = text.String(), b.now().Sub(start)
		e.Partial = &p
		return e
	}
	for {
		var c ollamaChatChunk
		err := dec.Decode(&c)
		if err == io.EOF {
			return Response{}, partial(b.newError(0, CodeTruncatedStream, `stream ended without "done": true`, true))
		}
		if err != nil {
			if actx.Err() != nil || ctx.Err() != nil {
				return Response{}, partial(b.transportError(ctx, context.DeadlineExceeded))
			}
			var syn *json.SyntaxError
			if errors.As(err, &syn) {
				return Response{}, b.newError(0, CodeMalformedResponse, "stream line is not JSON: "+err.Error(), true)
			}
			// io.ErrUnexpectedEOF (cut mid-object) or a broken connection.
			return Response{}, partial(b.readFailure(ctx, actx, err, true))
		}
		if len(c.Error) > 0 && string(c.Error) != "null" {
			raw, _ := json.Marshal(map[string]json.RawMessage{"error": c.Error})
			return Response{}, b.streamError(raw)
		}
		if c.Message.Content != "" || c.Message.Thinking != "" {
			b.arrived(&resp, start, req.TokenTimes)
		}
		text.WriteString(c.Message.Content)
		req.delta(c.Message.Content)
		if c.Logprobs != nil {
			if lps == nil {
				lps = []float64{}
			}
			lps, clamped = appendOllamaLogprobs(lps, clamped, c.Logprobs)
		}
		if c.Done {
			resp.Latency = b.now().Sub(start)
			resp.Text = text.String()
			b.finish(&resp, c, lps, clamped)
			return resp, nil
		}
	}
}

// finish fills usage and timings from the final ("done") object.
func (b *ollamaBackend) finish(resp *Response, c ollamaChatChunk, lps []float64, clamped int) {
	resp.Model = c.Model
	resp.FinishReason = c.DoneReason
	resp.Logprobs, resp.ClampedTokens = lps, clamped
	resp.Usage = Usage{InputTokens: c.PromptEvalCount, OutputTokens: c.EvalCount}
	t := &Timings{Source: "ollama", PromptN: c.PromptEvalCount, PredictedN: c.EvalCount,
		PromptMS: nsToMS(c.PromptEvalDuration), PredictedMS: nsToMS(c.EvalDuration),
		LoadMS: nsToMS(c.LoadDuration), TotalMS: nsToMS(c.TotalDuration),
		PromptPerSecond:    perSecond(c.PromptEvalCount, c.PromptEvalDuration),
		PredictedPerSecond: perSecond(c.EvalCount, c.EvalDuration)}
	if t.PromptN != nil || t.PredictedN != nil || t.TotalMS != nil {
		resp.ServerTimings = t
	}
}

func appendOllamaLogprobs(dst []float64, clamped int, in []ollamaLogprob) ([]float64, int) {
	for _, l := range in {
		if l.Logprob <= logprobSentinel {
			clamped++
			continue
		}
		dst = append(dst, l.Logprob)
	}
	return dst, clamped
}

func nsToMS(ns *int64) *float64 {
	if ns == nil {
		return nil
	}
	return float64p(float64(*ns) / 1e6)
}

func perSecond(n, ns *int64) *float64 {
	if n == nil || ns == nil || *ns <= 0 {
		return nil
	}
	return float64p(float64(*n) / (float64(*ns) / 1e9))
}
