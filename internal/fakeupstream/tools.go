package fakeupstream

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// Tool calls. A request that offers tools and carries no tool result yet
// is answered with a call of its first tool, in the wire's own format
// (OpenAI: message.tool_calls, finish_reason "tool_calls", streamed as
// tool_calls deltas; Anthropic: a tool_use block, stop_reason "tool_use",
// streamed as input_json_delta events, as in the recorded
// anthropic-messages-*-tooluse fixtures). The call's arguments are
// ToolArguments(answer): {"answer": the text Reply would have given}, so
// a test knows them; usage is Reply's. A request with a tool result gets
// the ordinary text answer.

// ToolCallID and ToolUseID are the ids of the fake's tool calls.
const (
	ToolCallID = "call_fakeupstream0001"
	ToolUseID  = "toolu_fakeupstream0001"
)

// ToolArguments is the JSON arguments of the fake's tool call for a.
func ToolArguments(a Answer) string {
	b, _ := json.Marshal(map[string]string{"answer": a.Text})
	return string(b)
}

// argumentPieces splits the arguments into the pieces a stream sends.
func argumentPieces(args string) []string {
	var out []string
	for len(args) > 0 {
		n := min(8, len(args))
		out = append(out, args[:n])
		args = args[n:]
	}
	return out
}

// openaiTool is the first tool's name when the request should get a tool
// call, "" otherwise.
func openaiTool(body []byte) string {
	if !bytes.Contains(body, []byte(`"tools"`)) {
		return "" // the common case, without a second decode (benchmarks run the fake in-process)
	}
	var req struct {
		Tools []struct {
			Function struct {
				Name string `json:"name"`
			} `json:"function"`
		} `json:"tools"`
		Messages []struct {
			Role string `json:"role"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &req) != nil || len(req.Tools) == 0 {
		return ""
	}
	for _, m := range req.Messages {
		if m.Role == "tool" {
			return ""
		}
	}
	return req.Tools[0].Function.Name
}

func anthropicTool(body []byte) string {
	if !bytes.Contains(body, []byte(`"tools"`)) {
		return ""
	}
	var req struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
		Messages []struct {
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &req) != nil || len(req.Tools) == 0 {
		return ""
	}
	for _, m := range req.Messages {
		var blocks []struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(m.Content, &blocks)
		for _, b := range blocks {
			if b.Type == "tool_result" {
				return ""
			}
		}
	}
	return req.Tools[0].Name
}

func (s *Server) openaiToolCall(w http.ResponseWriter, id, model, tool string, a Answer, stream, includeUsage bool) {
	args := ToolArguments(a)
	call := `{"id":"` + ToolCallID + `","type":"function","function":{"name":` + jsonString(tool) + `,"arguments":` + jsonString(args) + `}}`
	if !stream {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req_"+id)
		b := `{"id":"` + id + `","object":"chat.completion","created":1741569952,"model":` + jsonString(model) +
			`,"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[` + call +
			`],"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":` +
			openaiUsage(a.PromptTokens, a.CompletionTokens) + `,"service_tier":"default"}`
		_, _ = w.Write([]byte(b))
		s.completionTokens.Add(int64(a.CompletionTokens))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Request-Id", "req_"+id)
	head := `data: {"id":"` + id + `","object":"chat.completion.chunk","created":1694268190,"model":` + jsonString(model) + `,"system_fingerprint":"fp_fakeupstream","choices":[`
	tail := "]}\n\n"
	if includeUsage {
		tail = `],"usage":null}` + "\n\n"
	}
	out := head + `{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"` + ToolCallID +
		`","type":"function","function":{"name":` + jsonString(tool) + `,"arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}` + tail
	_, _ = w.Write([]byte(out))
	flush(w)
	for _, p := range argumentPieces(args) {
		_, _ = w.Write([]byte(head + `{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":` + jsonString(p) + `}}]},"logprobs":null,"finish_reason":null}` + tail))
		flush(w)
	}
	out = head + `{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}` + tail
	if includeUsage {
		out += head + `],"usage":` + openaiUsage(a.PromptTokens, a.CompletionTokens) + "}\n\n"
	}
	out += "data: [DONE]\n\n"
	_, _ = w.Write([]byte(out))
	s.completionTokens.Add(int64(a.CompletionTokens))
}

func (s *Server) anthropicToolUse(w http.ResponseWriter, id, model, tool string, a Answer, stream bool) {
	args := ToolArguments(a)
	in := strconv.Itoa(a.PromptTokens)
	outTok := strconv.Itoa(a.CompletionTokens)
	if !stream {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_"+id)
		b := `{"model":` + jsonString(model) + `,"id":"` + id + `","type":"message","role":"assistant","content":[{"type":"tool_use","id":"` + ToolUseID +
			`","name":` + jsonString(tool) + `,"input":` + args + `}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":` + in +
			`,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":` +
			outTok + `,"service_tier":"standard"}}`
		_, _ = w.Write([]byte(b))
		s.completionTokens.Add(int64(a.CompletionTokens))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Request-Id", "req_"+id)
	out := "event: message_start\ndata: " + `{"type":"message_start","message":{"model":` + jsonString(model) + `,"id":"` + id +
		`","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":` + in +
		`,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard"}}}` + "\n\n" +
		"event: content_block_start\ndata: " + `{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"` + ToolUseID + `","name":` + jsonString(tool) + `,"input":{}}}` + "\n\n" +
		"event: ping\ndata: " + `{"type": "ping"}` + "\n\n" +
		"event: content_block_delta\ndata: " + `{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}` + "\n\n"
	_, _ = w.Write([]byte(out))
	flush(w)
	for _, p := range argumentPieces(args) {
		_, _ = w.Write([]byte("event: content_block_delta\ndata: " + `{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":` + jsonString(p) + "}}\n\n"))
		flush(w)
	}
	out = "event: content_block_stop\ndata: " + `{"type":"content_block_stop","index":0}` + "\n\n" +
		"event: message_delta\ndata: " + `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":` + in +
		`,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":` + outTok + "}}\n\n" +
		"event: message_stop\ndata: " + `{"type":"message_stop"}` + "\n\n"
	_, _ = w.Write([]byte(out))
	s.completionTokens.Add(int64(a.CompletionTokens))
}
