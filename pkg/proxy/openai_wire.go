package proxy

import (
	"encoding/json"
	"strings"

	"github.com/llmcost/llmcost/pkg/backend"
)

type oaiRequest struct {
	Model               string          `json:"model"`
	Messages            []oaiMessage    `json:"messages"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Stop                json.RawMessage `json:"stop"`
	Stream              bool            `json:"stream"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Tools       json.RawMessage `json:"tools"`
	Functions   json.RawMessage `json:"functions"`
	N           *int            `json:"n"`
	Audio       json.RawMessage `json:"audio"`
	Temperature *float64        `json:"temperature"`
	TopP        *float64        `json:"top_p"`
}

// oaiHandled are the fields DecodeOpenAI translates or checks; any other
// is untranslatable (reportUnhandled).
var oaiHandled = map[string]bool{
	"model": true, "messages": true, "max_tokens": true, "max_completion_tokens": true, "stop": true,
	"stream": true, "stream_options": true, "tools": true, "functions": true, "n": true, "audio": true,
	"temperature": true, "top_p": true,
}

// oaiDefaults are fields that SDKs and apps often send at the API's own
// default value (OpenAI's API reference: penalties 0, logprobs and store
// false, parallel_tool_calls true): at that value the field changes
// nothing, so it does not make a request untranslatable. Any other value
// does.
var oaiDefaults = map[string]func([]byte) bool{
	"frequency_penalty":   isZeroNumber,
	"presence_penalty":    isZeroNumber,
	"logprobs":            isLiteral("false"),
	"store":               isLiteral("false"),
	"parallel_tool_calls": isLiteral("true"),
}

type oaiMessage struct {
	Role         string          `json:"role"`
	Content      json.RawMessage `json:"content"`
	ToolCalls    json.RawMessage `json:"tool_calls"`
	FunctionCall json.RawMessage `json:"function_call"`
}

type oaiPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// DecodeOpenAI reads a POST /v1/chat/completions body.
func DecodeOpenAI(body []byte) (*Request, *Error) {
	var w oaiRequest
	if e := decodeStrict(body, &w); e != nil {
		return nil, e
	}
	r := &Request{API: APIOpenAI, Model: w.Model, Stream: w.Stream}
	if w.StreamOptions != nil {
		r.IncludeUsage = w.StreamOptions.IncludeUsage
	}
	if len(w.Messages) == 0 {
		return nil, badRequest("messages: want at least one message")
	}
	switch {
	case w.MaxCompletionTokens != nil:
		r.MaxTokens = *w.MaxCompletionTokens
	case w.MaxTokens != nil:
		r.MaxTokens = *w.MaxTokens
	}
	if r.MaxTokens < 0 {
		return nil, badRequest("max_tokens: %d is negative", r.MaxTokens)
	}
	if !isNull(w.Stop) {
		var one string
		if json.Unmarshal(w.Stop, &one) == nil {
			r.Stop = []string{one}
		} else if err := json.Unmarshal(w.Stop, &r.Stop); err != nil {
			return nil, badRequest("stop: want a string or an array of strings")
		}
	}
	if t := w.Temperature; t != nil && (*t < 0 || *t > 2) {
		return nil, badRequest("temperature: %g is not between 0 and 2", *t)
	}
	if p := w.TopP; p != nil && (*p < 0 || *p > 1) {
		return nil, badRequest("top_p: %g is not between 0 and 1", *p)
	}
	r.Temperature, r.TopP = w.Temperature, w.TopP
	if w.N != nil && *w.N != 1 {
		return nil, badRequest("n: only 1 choice per request is supported, got %d", *w.N)
	}
	if nonEmptyList(w.Tools) || nonEmptyList(w.Functions) {
		r.Untranslatable = addOnce(r.Untranslatable, "tools")
		// Relayed as they are to a same-wire backend: scanned for PII too.
		r.Texts = append(r.Texts, string(w.Tools), string(w.Functions))
	}
	if nonEmptyList(w.Audio) {
		r.Untranslatable = addOnce(r.Untranslatable, "audio")
	}
	var system []string
	for i, m := range w.Messages {
		texts, kinds, err := oaiContent(m.Content)
		if err != nil {
			return nil, badRequest("messages[%d].content: %s", i, err.Message)
		}
		for _, k := range kinds {
			r.Untranslatable = addOnce(r.Untranslatable, k)
		}
		text := strings.Join(texts, "")
		r.Texts = append(r.Texts, texts...)
		if !isNull(m.ToolCalls) || !isNull(m.FunctionCall) {
			r.Texts = append(r.Texts, string(m.ToolCalls), string(m.FunctionCall))
			if nonEmptyList(m.ToolCalls) || nonEmptyList(m.FunctionCall) {
				r.Untranslatable = addOnce(r.Untranslatable, "tool calls")
			}
		}
		switch m.Role {
		case "system", "developer":
			system = append(system, text)
		case "user", "assistant":
			r.Messages = append(r.Messages, backend.Message{Role: m.Role, Content: text})
		case "tool", "function":
			r.Untranslatable = addOnce(r.Untranslatable, "tool results")
		case "":
			return nil, badRequest("messages[%d].role is missing", i)
		default:
			return nil, badRequest("messages[%d].role %q is not system, developer, user, assistant or tool", i, m.Role)
		}
	}
	r.System = strings.Join(system, "\n\n")
	reportUnhandled(r, body, oaiHandled, oaiDefaults)
	if len(r.Messages) == 0 && len(r.Untranslatable) == 0 {
		return nil, badRequest("messages: want at least one user message besides the system prompt")
	}
	relayedTexts(r, body)
	return r, nil
}

// oaiContent reads a message's content: a string, null, or an array of
// parts. Non-text parts are reported by kind.
func oaiContent(raw json.RawMessage) (texts, kinds []string, e *Error) {
	if isNull(raw) {
		return nil, nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, nil, nil
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, nil, badRequest("want a string or an array of content parts")
	}
	for _, p := range parts {
		var part oaiPart
		if err := json.Unmarshal(p, &part); err != nil {
			return nil, nil, badRequest("a content part is not an object")
		}
		switch part.Type {
		case "text":
			texts = append(texts, part.Text)
		case "image_url", "image":
			kinds = append(kinds, "images")
		case "input_audio":
			kinds = append(kinds, "audio")
		case "file":
			kinds = append(kinds, "files")
		default:
			kinds = append(kinds, "content parts of type "+quote(part.Type))
		}
		if part.Type != "text" {
			texts = append(texts, string(p)) // still scanned for PII
		}
	}
	return texts, kinds, nil
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
