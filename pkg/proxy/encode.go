package proxy

import (
	"net/http"
	"strconv"

	"github.com/llmcost/llmcost/internal/jsonstr"
	"github.com/llmcost/llmcost/pkg/backend"
)

func appendInt(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) }

func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// OpenAIFinish maps any backend's finish reason to OpenAI's vocabulary.
func OpenAIFinish(r string) string {
	switch r {
	case "stop", "length", "content_filter", "tool_calls", "function_call":
		return r
	case "end_turn", "stop_sequence", "pause_turn", "":
		return "stop"
	case "max_tokens":
		return "length"
	case "tool_use":
		return "tool_calls"
	case "refusal":
		return "content_filter"
	}
	return "stop"
}

// AnthropicStop maps any backend's finish reason to Anthropic's stop_reason.
func AnthropicStop(r string) string {
	switch r {
	case "end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal":
		return r
	case "length":
		return "max_tokens"
	case "tool_calls", "function_call":
		return "tool_use"
	case "content_filter":
		return "refusal"
	}
	return "end_turn"
}

// appendOpenAIUsage appends a usage object (OpenAI semantics: prompt
// tokens include cached ones).
func appendOpenAIUsage(b []byte, u backend.Usage) []byte {
	in, out := val(u.InputTokens), val(u.OutputTokens)
	b = append(b, `{"prompt_tokens":`...)
	b = appendInt(b, in)
	b = append(b, `,"completion_tokens":`...)
	b = appendInt(b, out)
	b = append(b, `,"total_tokens":`...)
	b = appendInt(b, in+out)
	b = append(b, `,"prompt_tokens_details":{"cached_tokens":`...)
	b = appendInt(b, val(u.CachedTokens))
	b = append(b, `},"completion_tokens_details":{"reasoning_tokens":`...)
	b = appendInt(b, val(u.ReasoningTokens))
	return append(b, `}}`...)
}

// appendAnthropicUsage appends a usage object (Anthropic semantics:
// input_tokens excludes cache reads and writes).
func appendAnthropicUsage(b []byte, u backend.Usage) []byte {
	cached, writes := val(u.CachedTokens), val(u.CacheWriteTokens)
	in := max(val(u.InputTokens)-cached-writes, 0)
	b = append(b, `{"input_tokens":`...)
	b = appendInt(b, in)
	b = append(b, `,"cache_creation_input_tokens":`...)
	b = appendInt(b, writes)
	b = append(b, `,"cache_read_input_tokens":`...)
	b = appendInt(b, cached)
	b = append(b, `,"output_tokens":`...)
	b = appendInt(b, val(u.OutputTokens))
	return append(b, '}')
}

// Answer is what the proxy tells the client about one answer.
type Answer struct {
	ID      string // response id (the ledger record's id)
	Model   string // the model that answered
	Created int64  // unix seconds
	Text    string
	Finish  string // backend vocabulary; mapped per wire
	Usage   backend.Usage
}

// AppendOpenAICompletion appends a chat.completion object.
func AppendOpenAICompletion(b []byte, a *Answer) []byte {
	b = append(b, `{"id":`...)
	b = jsonstr.Append(b, "chatcmpl-"+a.ID)
	b = append(b, `,"object":"chat.completion","created":`...)
	b = appendInt(b, a.Created)
	b = append(b, `,"model":`...)
	b = jsonstr.Append(b, a.Model)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	b = jsonstr.Append(b, a.Text)
	b = append(b, `,"refusal":null},"logprobs":null,"finish_reason":`...)
	b = jsonstr.Append(b, OpenAIFinish(a.Finish))
	b = append(b, `}]`...)
	if a.Usage.InputTokens != nil || a.Usage.OutputTokens != nil {
		b = append(b, `,"usage":`...)
		b = appendOpenAIUsage(b, a.Usage)
	}
	return append(b, "}\n"...)
}

// AppendAnthropicMessage appends a message object.
func AppendAnthropicMessage(b []byte, a *Answer) []byte {
	b = append(b, `{"id":`...)
	b = jsonstr.Append(b, "msg_"+a.ID)
	b = append(b, `,"type":"message","role":"assistant","model":`...)
	b = jsonstr.Append(b, a.Model)
	b = append(b, `,"content":[{"type":"text","text":`...)
	b = jsonstr.Append(b, a.Text)
	b = append(b, `}],"stop_reason":`...)
	b = jsonstr.Append(b, AnthropicStop(a.Finish))
	b = append(b, `,"stop_sequence":null,"usage":`...)
	b = appendAnthropicUsage(b, a.Usage)
	return append(b, "}\n"...)
}

// errorType is the wire error type for a status.
func (e *Error) errorType(api string) string {
	if e.Type != "" {
		return e.Type
	}
	if api == APIAnthropic && e.anthropicType != "" {
		return e.anthropicType
	}
	switch e.Status {
	case http.StatusUnauthorized:
		return "authentication_error"
	case http.StatusForbidden:
		return "permission_error"
	case http.StatusNotFound:
		if api == APIAnthropic {
			return "not_found_error"
		}
		return "invalid_request_error"
	case http.StatusRequestEntityTooLarge:
		if api == APIAnthropic {
			return "request_too_large"
		}
		return "invalid_request_error"
	case http.StatusTooManyRequests:
		if api == APIAnthropic {
			return "rate_limit_error"
		}
		return "rate_limit_exceeded"
	case 529:
		return "overloaded_error"
	}
	if e.Status >= 500 {
		if api == APIAnthropic {
			return "api_error"
		}
		return "server_error"
	}
	return "invalid_request_error"
}

// AppendError appends the error body of the client's wire.
func AppendError(b []byte, api string, e *Error) []byte {
	if api == APIAnthropic {
		b = append(b, `{"type":"error","error":{"type":`...)
		b = jsonstr.Append(b, e.errorType(api))
		b = append(b, `,"message":`...)
		b = jsonstr.Append(b, e.Message)
		return append(b, "}}\n"...)
	}
	b = append(b, `{"error":{"message":`...)
	b = jsonstr.Append(b, e.Message)
	b = append(b, `,"type":`...)
	b = jsonstr.Append(b, e.errorType(api))
	b = append(b, `,"param":null,"code":`...)
	if e.Code != "" {
		b = jsonstr.Append(b, e.Code)
	} else {
		b = append(b, "null"...)
	}
	return append(b, "}}\n"...)
}
