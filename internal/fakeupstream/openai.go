package fakeupstream

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

type openaiRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Stop                json.RawMessage `json:"stop"`
	Logprobs            bool            `json:"logprobs"`
}

// contentTexts reads a content that is a string or an array of parts with
// a "text" (OpenAI parts, Anthropic blocks; tool_result blocks nest content).
func contentTexts(raw json.RawMessage, out []string) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return out
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return append(out, s)
	}
	var parts []struct {
		Text    string          `json:"text"`
		Content json.RawMessage `json:"content"`
	}
	if json.Unmarshal(raw, &parts) == nil {
		for _, p := range parts {
			if p.Text != "" {
				out = append(out, p.Text)
			}
			out = contentTexts(p.Content, out)
		}
	}
	return out
}

func stopList(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var l []string
	_ = json.Unmarshal(raw, &l)
	return l
}

func openaiError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req_fakeupstream")
	w.WriteHeader(status)
	var c any
	if code != "" {
		c = code
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": c,
	}})
	_, _ = w.Write(b)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (s *Server) openaiChat(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		return
	}
	var req openaiRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.requests.Add(1)
		openaiError(w, 400, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	var texts []string
	for _, m := range req.Messages {
		texts = contentTexts(m.Content, texts)
	}
	f := s.record(r, body, req.Model, texts)
	switch {
	case req.Model == "":
		openaiError(w, 400, "invalid_request_error", "", "you must provide a model parameter")
		return
	case len(req.Messages) == 0:
		openaiError(w, 400, "invalid_request_error", "", "[] is too short - 'messages'")
		return
	case req.StreamOptions != nil && !req.Stream:
		// What OpenAI answers when stream_options comes without stream.
		openaiError(w, 400, "invalid_request_error", "invalid_value", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
		return
	}
	if f != nil && s.openaiFault(w, r, f, req.Stream) {
		return
	}
	maxTokens := 0
	if req.MaxCompletionTokens != nil {
		maxTokens = *req.MaxCompletionTokens
	} else if req.MaxTokens != nil {
		maxTokens = *req.MaxTokens
	}
	a := Reply(texts, maxTokens, stopList(req.Stop))
	s.promptTokens.Add(int64(a.PromptTokens))
	id := s.nextID("chatcmpl-")
	finish := a.Finish
	if finish == "stop_sequence" {
		finish = "stop"
	}
	if tool := openaiTool(body); tool != "" {
		s.openaiToolCall(w, id, req.Model, tool, a, req.Stream, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
		return
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req_"+id)
		logprobs := "null"
		if req.Logprobs {
			logprobs = openaiLogprobs(a.Words, lowConfidence(texts))
		}
		_, _ = w.Write(openaiNonStream(id, req.Model, a.Text, finish, logprobs, a.PromptTokens, a.CompletionTokens))
		s.completionTokens.Add(int64(a.CompletionTokens))
		return
	}
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Request-Id", "req_"+id)
	head := `data: {"id":"` + id + `","object":"chat.completion.chunk","created":1694268190,"model":` + jsonString(req.Model) + `,"system_fingerprint":"fp_fakeupstream","choices":[`
	tail := "]}\n\n"
	if includeUsage {
		// OpenAI sends "usage":null on every chunk but the last when asked.
		tail = `],"usage":null}` + "\n\n"
	}
	buf := make([]byte, 0, 512)
	buf = append(buf, head...)
	buf = append(buf, `{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}`...)
	buf = append(buf, tail...)
	_, _ = w.Write(buf)
	flush(w)
	half := len(a.Words) / 2
	for i, word := range a.Words {
		if f != nil && i == half {
			switch f.Kind {
			case "cut-stream":
				s.completionTokens.Add(int64(i))
				abort(w)
			case "stall-stream":
				s.completionTokens.Add(int64(i))
				s.waitGone(r)
				return
			case "stream-error":
				s.completionTokens.Add(int64(i))
				_, _ = w.Write([]byte(`data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}` + "\n\n"))
				return
			}
		}
		buf = buf[:0]
		buf = append(buf, head...)
		buf = append(buf, `{"index":0,"delta":{"content":`...)
		buf = append(buf, jsonString(word)...)
		if req.Logprobs {
			// As OpenAI streams them: each chunk carries its own tokens'.
			buf = append(buf, `},"logprobs":`...)
			buf = append(buf, openaiLogprobs([]string{word}, lowConfidence(texts))...)
			buf = append(buf, `,"finish_reason":null}`...)
		} else {
			buf = append(buf, `},"logprobs":null,"finish_reason":null}`...)
		}
		buf = append(buf, tail...)
		_, _ = w.Write(buf)
		flush(w)
	}
	buf = buf[:0]
	buf = append(buf, head...)
	buf = append(buf, `{"index":0,"delta":{},"logprobs":null,"finish_reason":"`+finish+`"}`...)
	buf = append(buf, tail...)
	if includeUsage {
		buf = append(buf, head...)
		buf = append(buf, `],"usage":`...)
		buf = append(buf, openaiUsage(a.PromptTokens, a.CompletionTokens)...)
		buf = append(buf, "}\n\n"...)
	}
	buf = append(buf, "data: [DONE]\n\n"...)
	_, _ = w.Write(buf)
	s.completionTokens.Add(int64(a.CompletionTokens))
}

func openaiUsage(prompt, completion int) string {
	return `{"prompt_tokens":` + strconv.Itoa(prompt) + `,"completion_tokens":` + strconv.Itoa(completion) +
		`,"total_tokens":` + strconv.Itoa(prompt+completion) +
		`,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`
}

// LowConfidenceMarker in a prompt makes the non-streaming answer's
// logprobs (when asked for) low: every token -3.0, confidence exp(-3) ≈ 0.05,
// instead of -0.05 (≈ 0.95). For confidence-fallback tests.
const LowConfidenceMarker = "[low-confidence]"

func lowConfidence(texts []string) bool {
	for _, t := range texts {
		if strings.Contains(t, LowConfidenceMarker) {
			return true
		}
	}
	return false
}

func openaiLogprobs(words []string, low bool) string {
	lp := "-0.05"
	if low {
		lp = "-3.0"
	}
	var b strings.Builder
	b.WriteString(`{"content":[`)
	for i, w := range words {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"token":` + jsonString(w) + `,"logprob":` + lp + `,"bytes":null,"top_logprobs":[]}`)
	}
	b.WriteString(`],"refusal":null}`)
	return b.String()
}

func openaiNonStream(id, model, text, finish, logprobs string, prompt, completion int) []byte {
	b := make([]byte, 0, 640)
	b = append(b, `{"id":"`+id+`","object":"chat.completion","created":1741569952,"model":`...)
	b = append(b, jsonString(model)...)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	b = append(b, jsonString(text)...)
	b = append(b, `,"refusal":null,"annotations":[]},"logprobs":`+logprobs+`,"finish_reason":"`+finish+`"}],"usage":`...)
	b = append(b, openaiUsage(prompt, completion)...)
	b = append(b, `,"service_tier":"default"}`...)
	return b
}

// openaiFault answers f and reports whether the response is done; the
// streaming faults that act mid-answer return false.
func (s *Server) openaiFault(w http.ResponseWriter, r *http.Request, f *Fault, stream bool) bool {
	switch f.Kind {
	case "429":
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		w.Header().Set("X-Ratelimit-Remaining-Requests", "0")
		openaiError(w, 429, "requests", "rate_limit_exceeded", "Rate limit reached for requests (fake upstream). Please try again in "+strconv.Itoa(f.RetryAfter)+"s.")
	case "500":
		openaiError(w, 500, "server_error", "", "The server had an error while processing your request. Sorry about that!")
	case "503":
		openaiError(w, 503, "server_error", "", "The engine is currently overloaded, please try again later.")
	case "529":
		openaiError(w, 529, "server_error", "", "Overloaded")
	case "malformed":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis`))
	case "hang":
		s.waitGone(r)
	case "cut-stream", "stall-stream", "stream-error":
		if stream {
			return false
		}
		switch f.Kind {
		case "cut-stream":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":"chatcmpl-cut","object":"chat.completion","created":1741569952,"choices":[{"index":0,"mess`))
			abort(w)
		case "stall-stream":
			s.waitGone(r)
		default:
			openaiError(w, 500, "server_error", "", "The server had an error while processing your request. Sorry about that!")
		}
	default:
		return false
	}
	return true
}
