package proxy

import (
	"encoding/json"
	"strings"

	"github.com/llmcost/llmcost/pkg/backend"
)

type antRequest struct {
	Model         string          `json:"model"`
	MaxTokens     *int            `json:"max_tokens"`
	System        json.RawMessage `json:"system"`
	Messages      []antMessage    `json:"messages"`
	StopSequences []string        `json:"stop_sequences"`
	Stream        bool            `json:"stream"`
	Tools         json.RawMessage `json:"tools"`
}

// antHandled are the fields DecodeAnthropic translates or checks; any
// other is untranslatable (reportUnhandled). temperature, top_p and top_k
// are not among them: the wire (API version 2026-10-21) has none.
var antHandled = map[string]bool{
	"model": true, "max_tokens": true, "system": true, "messages": true, "stop_sequences": true,
	"stream": true, "tools": true,
}

type antMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type antBlock struct {
	Type    string          `json:"type"`
	Text    string          `json:"text"`
	Content json.RawMessage `json:"content"` // tool_result
	Input   json.RawMessage `json:"input"`   // tool_use
}

// DecodeAnthropic reads a POST /v1/messages body.
func DecodeAnthropic(body []byte) (*Request, *Error) {
	var w antRequest
	if e := decodeStrict(body, &w); e != nil {
		return nil, e
	}
	r := &Request{API: APIAnthropic, Model: w.Model, Stream: w.Stream, Stop: w.StopSequences}
	if w.MaxTokens == nil {
		return nil, badRequest("max_tokens: Field required")
	}
	if *w.MaxTokens < 1 {
		return nil, badRequest("max_tokens: want at least 1, got %d", *w.MaxTokens)
	}
	r.MaxTokens = *w.MaxTokens
	if len(w.Messages) == 0 {
		return nil, badRequest("messages: want at least one message")
	}
	if nonEmptyList(w.Tools) {
		r.Untranslatable = addOnce(r.Untranslatable, "tools")
		// Relayed as they are to a same-wire backend: scanned for PII too.
		r.Texts = append(r.Texts, string(w.Tools))
	}
	if !isNull(w.System) {
		texts, kinds, e := antContent(w.System)
		if e != nil {
			return nil, badRequest("system: %s", e.Message)
		}
		for _, k := range kinds {
			r.Untranslatable = addOnce(r.Untranslatable, k)
		}
		r.Texts = append(r.Texts, texts...)
		r.System = strings.Join(texts, "\n\n")
	}
	for i, m := range w.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			return nil, badRequest("messages[%d].role %q is not user or assistant", i, m.Role)
		}
		texts, kinds, e := antContent(m.Content)
		if e != nil {
			return nil, badRequest("messages[%d].content: %s", i, e.Message)
		}
		for _, k := range kinds {
			r.Untranslatable = addOnce(r.Untranslatable, k)
		}
		r.Texts = append(r.Texts, texts...)
		r.Messages = append(r.Messages, backend.Message{Role: m.Role, Content: strings.Join(textOnly(m.Content, texts), "")})
	}
	reportUnhandled(r, body, antHandled, nil)
	relayedTexts(r, body)
	return r, nil
}

// textOnly drops the PII-scan copies of non-text blocks from texts.
func textOnly(raw json.RawMessage, texts []string) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return texts
	}
	var blocks []antBlock
	_ = json.Unmarshal(raw, &blocks)
	var out []string
	for _, b := range blocks {
		if b.Type == "text" {
			out = append(out, b.Text)
		}
	}
	return out
}

// antContent reads content: a string or an array of blocks. Texts holds
// the text blocks and, for the PII scan, the raw text of every other block.
func antContent(raw json.RawMessage) (texts, kinds []string, e *Error) {
	if isNull(raw) {
		return nil, nil, badRequest("content is missing")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, nil, nil
	}
	var blocks []json.RawMessage
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, nil, badRequest("want a string or an array of content blocks")
	}
	for _, rb := range blocks {
		var b antBlock
		if err := json.Unmarshal(rb, &b); err != nil {
			return nil, nil, badRequest("a content block is not an object")
		}
		switch b.Type {
		case "text":
			texts = append(texts, b.Text)
			continue
		case "image":
			kinds = append(kinds, "images")
		case "document":
			kinds = append(kinds, "documents")
		case "tool_use", "server_tool_use":
			kinds = append(kinds, "tool calls")
		case "tool_result":
			kinds = append(kinds, "tool results")
		case "thinking", "redacted_thinking":
			kinds = append(kinds, "thinking blocks")
		default:
			kinds = append(kinds, "content blocks of type "+quote(b.Type))
		}
		texts = append(texts, string(rb))
	}
	return texts, kinds, nil
}
