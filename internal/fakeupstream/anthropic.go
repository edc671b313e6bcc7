package fakeupstream

import (
	"encoding/json"
	"net/http"
	"strconv"
)

type anthropicRequest struct {
	Model     string          `json:"model"`
	MaxTokens *int            `json:"max_tokens"`
	System    json.RawMessage `json:"system"`
	Messages  []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream        bool     `json:"stream"`
	StopSequences []string `json:"stop_sequences"`
}

func anthropicError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fakeupstream")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{
		"type":       "error",
		"error":      map[string]any{"type": typ, "message": msg},
		"request_id": "req_fakeupstream",
	})
	_, _ = w.Write(b)
}

func anthropicStop(a Answer) (reason, seq string) {
	switch a.Finish {
	case "length":
		return `"max_tokens"`, "null"
	case "stop_sequence":
		return `"stop_sequence"`, jsonString(a.StopSequence)
	}
	return `"end_turn"`, "null"
}

func (s *Server) anthropicMessages(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		return
	}
	var req anthropicRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.requests.Add(1)
		anthropicError(w, 400, "invalid_request_error", "There was an issue with the format or content of your request.")
		return
	}
	texts := contentTexts(req.System, nil)
	for _, m := range req.Messages {
		texts = contentTexts(m.Content, texts)
	}
	f := s.record(r, body, req.Model, texts)
	switch {
	case req.Model == "":
		anthropicError(w, 400, "invalid_request_error", "model: Field required")
		return
	case req.MaxTokens == nil:
		anthropicError(w, 400, "invalid_request_error", "max_tokens: Field required")
		return
	case len(req.Messages) == 0:
		anthropicError(w, 400, "invalid_request_error", "messages: at least one message is required")
		return
	}
	if f != nil && s.anthropicFault(w, r, f, req.Stream) {
		return
	}
	a := Reply(texts, *req.MaxTokens, req.StopSequences)
	s.promptTokens.Add(int64(a.PromptTokens))
	id := s.nextID("msg_")
	reason, seq := anthropicStop(a)
	model := jsonString(req.Model)
	in := strconv.Itoa(a.PromptTokens)
	if tool := anthropicTool(body); tool != "" {
		s.anthropicToolUse(w, id, req.Model, tool, a, req.Stream)
		return
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_"+id)
		b := make([]byte, 0, 640)
		b = append(b, `{"model":`+model+`,"id":"`+id+`","type":"message","role":"assistant","content":[{"type":"text","text":`...)
		b = append(b, jsonString(a.Text)...)
		b = append(b, `}],"stop_reason":`+reason+`,"stop_sequence":`+seq+`,"usage":{"input_tokens":`+in+
			`,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":`+
			strconv.Itoa(a.CompletionTokens)+`,"service_tier":"standard"}}`...)
		_, _ = w.Write(b)
		s.completionTokens.Add(int64(a.CompletionTokens))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Request-Id", "req_"+id)
	buf := make([]byte, 0, 1024)
	buf = append(buf, "event: message_start\ndata: "+`{"type":"message_start","message":{"model":`+model+`,"id":"`+id+
		`","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":`+in+
		`,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard"}}}`+"\n\n"...)
	buf = append(buf, "event: content_block_start\ndata: "+`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`+"\n\n"...)
	buf = append(buf, "event: ping\ndata: "+`{"type": "ping"}`+"\n\n"...)
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
				_, _ = w.Write([]byte("event: error\ndata: " + `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}` + "\n\n"))
				return
			}
		}
		buf = buf[:0]
		buf = append(buf, "event: content_block_delta\ndata: "+`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`...)
		buf = append(buf, jsonString(word)...)
		buf = append(buf, "}}\n\n"...)
		_, _ = w.Write(buf)
		flush(w)
	}
	buf = buf[:0]
	buf = append(buf, "event: content_block_stop\ndata: "+`{"type":"content_block_stop","index":0}`+"\n\n"...)
	buf = append(buf, "event: message_delta\ndata: "+`{"type":"message_delta","delta":{"stop_reason":`+reason+`,"stop_sequence":`+seq+
		`},"usage":{"input_tokens":`+in+`,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":`+strconv.Itoa(a.CompletionTokens)+"}}\n\n"...)
	buf = append(buf, "event: message_stop\ndata: "+`{"type":"message_stop"}`+"\n\n"...)
	_, _ = w.Write(buf)
	s.completionTokens.Add(int64(a.CompletionTokens))
}

func (s *Server) anthropicFault(w http.ResponseWriter, r *http.Request, f *Fault, stream bool) bool {
	switch f.Kind {
	case "429":
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		w.Header().Set("X-Should-Retry", "true")
		anthropicError(w, 429, "rate_limit_error", "This request would exceed the rate limit for your organization (fake upstream).")
	case "500":
		anthropicError(w, 500, "api_error", "Internal server error")
	case "503":
		anthropicError(w, 503, "api_error", "Service unavailable")
	case "529":
		w.Header().Set("X-Should-Retry", "true")
		anthropicError(w, 529, "overloaded_error", "Overloaded")
	case "malformed":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"model":"broken","id":"msg_broken","type":"message","content":[{"type":"te`))
	case "hang":
		s.waitGone(r)
	case "cut-stream", "stall-stream", "stream-error":
		if stream {
			return false
		}
		switch f.Kind {
		case "cut-stream":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"model":"cut","id":"msg_cut","type":"message","role":"assistant","content":[{"ty`))
			abort(w)
		case "stall-stream":
			s.waitGone(r)
		default:
			anthropicError(w, 529, "overloaded_error", "Overloaded")
		}
	default:
		return false
	}
	return true
}
