package backend

import (
	"strconv"

	"github.com/llmcost/llmcost/internal/jsonstr"
)

// The request bodies below are what the SDKs' params types marshal to
// (openai.ChatCompletionNewParams, anthropic.MessageNewParams), written
// directly: the SDKs still send them (option.WithRequestBody), but the
// proxy does not pay for building params and marshalling them by
// reflection on every request. Tests hold each body equal, as JSON, to the
// SDK's own encoding of params for the same request.

// openaiBody is the chat.completions body of req (params(req), plus
// "stream": true when streaming).
func (b *openaiBackend) body(req Request) []byte {
	conv := req.Conversation()
	n := 128 + len(b.model) + len(req.System)
	for _, m := range conv {
		n += 40 + len(m.Content)
	}
	for _, s := range req.Stop {
		n += 4 + len(s)
	}
	out := make([]byte, 0, n+n/8)
	out = append(out, `{"messages":[`...)
	first := true
	if req.System != "" {
		out = append(out, `{"content":`...)
		out = jsonstr.Append(out, req.System)
		out = append(out, `,"role":"system"}`...)
		first = false
	}
	for _, m := range conv {
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, `{"content":`...)
		out = jsonstr.Append(out, m.Content)
		if m.Role == "assistant" {
			out = append(out, `,"role":"assistant"}`...)
		} else {
			out = append(out, `,"role":"user"}`...)
		}
	}
	out = append(out, `],"model":`...)
	out = jsonstr.Append(out, b.model)
	if req.Logprobs {
		out = append(out, `,"logprobs":true`...)
	}
	if req.MaxTokens > 0 {
		if b.maxCompletionTokens {
			out = append(out, `,"max_completion_tokens":`...)
		} else {
			out = append(out, `,"max_tokens":`...)
		}
		out = strconv.AppendInt(out, int64(req.MaxTokens), 10)
	}
	if len(req.Stop) > 0 {
		out = append(out, `,"stop":`...)
		out = appendJSONStrings(out, req.Stop)
	}
	if req.Stream {
		out = append(out, `,"stream_options":{"include_usage":true},"stream":true`...)
	}
	out = appendSampling(out, req)
	return append(out, '}')
}

// anthropicBody is the messages body of req (params, plus "stream": true
// when streaming); maxTokens is already defaulted.
func (b *anthropicBackend) body(req Request, maxTokens int) []byte {
	conv := req.Conversation()
	n := 128 + len(b.model) + len(req.System)
	for _, m := range conv {
		n += 64 + len(m.Content)
	}
	for _, s := range req.Stop {
		n += 4 + len(s)
	}
	out := make([]byte, 0, n+n/8)
	out = append(out, `{"max_tokens":`...)
	out = strconv.AppendInt(out, int64(maxTokens), 10)
	out = append(out, `,"messages":[`...)
	for i, m := range conv {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"content":[{"text":`...)
		out = jsonstr.Append(out, m.Content)
		if m.Role == "assistant" {
			out = append(out, `,"type":"text"}],"role":"assistant"}`...)
		} else {
			out = append(out, `,"type":"text"}],"role":"user"}`...)
		}
	}
	out = append(out, `],"model":`...)
	out = jsonstr.Append(out, b.model)
	if len(req.Stop) > 0 {
		out = append(out, `,"stop_sequences":`...)
		out = appendJSONStrings(out, req.Stop)
	}
	if req.System != "" {
		out = append(out, `,"system":[{"text":`...)
		out = jsonstr.Append(out, req.System)
		out = append(out, `,"type":"text"}]`...)
	}
	if req.Stream {
		out = append(out, `,"stream":true`...)
	}
	// No temperature or top_p: the Anthropic wire (API version 2026-10-21,
	// the SDK's) has none; the router refuses a request that sets them.
	return append(out, '}')
}

// appendSampling adds "temperature" and "top_p" when set.
func appendSampling(out []byte, req Request) []byte {
	if req.Temperature != nil {
		out = append(out, `,"temperature":`...)
		out = strconv.AppendFloat(out, *req.Temperature, 'g', -1, 64)
	}
	if req.TopP != nil {
		out = append(out, `,"top_p":`...)
		out = strconv.AppendFloat(out, *req.TopP, 'g', -1, 64)
	}
	return out
}

func appendJSONStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, s)
	}
	return append(b, ']')
}
