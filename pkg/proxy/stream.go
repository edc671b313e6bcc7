package proxy

import (
	"net/http"

	"github.com/llmcost/llmcost/internal/jsonstr"
	"github.com/llmcost/llmcost/pkg/backend"
)

// Stream writes one answer as SSE in the client's wire format. Head is
// sent lazily with the first text, so that nothing reaches the client
// before the upstream has answered (and retries stay possible until then).
// Each event is flushed at once, unless Hold is set: then deltas collect
// until FlushHeld (the backend's OnWait, called before it reads more of the
// upstream), so the events of one upstream read go out in one write.
type Stream struct {
	API          string
	IncludeUsage bool // OpenAI: show the usage chunk (the client asked for it)
	ID, Model    string
	Created      int64
	Hold         bool // deltas wait for FlushHeld (set with backend.Request.OnWait)
	// Native relays the upstream's own events (Event) rather than
	// building them from deltas: the same-wire passthrough.
	Native bool
	// Backend is the policy backend answering, and SameWire whether it
	// speaks the client's wire; both are set as the router picks it.
	Backend  string
	SameWire bool
	// upstreamID is the upstream's request id (SetUpstreamID).
	upstreamID string

	w       http.ResponseWriter
	flusher http.Flusher
	buf     []byte
	started bool
	failed  bool // a write to the client failed (it went away)
}

// NewStream prepares a stream on w; nothing is written yet.
func NewStream(w http.ResponseWriter, api string) *Stream {
	f, _ := w.(http.Flusher)
	return &Stream{API: api, w: w, flusher: f, buf: make([]byte, 0, 512)}
}

// SetUpstreamID keeps the upstream's request id for the headers, which
// go out with the first event (the backend's OnStart).
func (s *Stream) SetUpstreamID(id string) { s.upstreamID = id }

// FlushHeld writes the deltas Hold kept back.
func (s *Stream) FlushHeld() {
	if len(s.buf) > 0 {
		s.flush()
	}
}

// Started reports whether any byte went to the client (or is about to:
// held deltas count, as they can no longer be taken back).
func (s *Stream) Started() bool { return s.started }

func (s *Stream) flush() {
	s.put()
	if s.flusher != nil && !s.failed {
		s.flusher.Flush()
	}
}

// put hands the buffered events to the ResponseWriter without flushing
// it. Finish ends with put, not flush: the handler returns right after
// (Server.chat flushes first when there is an AfterAnswer hook), and
// net/http then sends the last events and the end of the chunked body (its
// zero-length chunk) in one write, so that a client reads the whole end at
// once instead of waking again for five bytes.
func (s *Stream) put() {
	if s.failed {
		s.buf = s.buf[:0]
		return
	}
	if _, err := s.w.Write(s.buf); err != nil {
		s.failed = true
	}
	s.buf = s.buf[:0]
}

func (s *Stream) head() {
	if s.started {
		return
	}
	s.started = true
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set("X-Llmcost-Request-Id", s.ID)
	if s.Backend != "" {
		h.Set("X-Llmcost-Backend", s.Backend)
	}
	setUpstreamID(h, s.API, s.upstreamID, s.SameWire)
	s.w.WriteHeader(http.StatusOK)
	if s.Native {
		return // the upstream's own events follow
	}
	if s.API == APIAnthropic {
		s.buf = append(s.buf, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"...)
		s.buf = jsonstr.Append(s.buf, "msg_"+s.ID)
		s.buf = append(s.buf, `,"type":"message","role":"assistant","model":`...)
		s.buf = jsonstr.Append(s.buf, s.Model)
		s.buf = append(s.buf, `,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}`+"\n\n"...)
		s.buf = append(s.buf, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"...)
	} else {
		s.openAIChunkStart()
		s.buf = append(s.buf, `{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]`...)
		s.openAIChunkEnd()
	}
	if !s.Hold {
		s.flush()
	}
}

// setUpstreamID puts the upstream's request id in a response's headers:
// always as X-Llmcost-Upstream-Request-Id, and under the header the
// client's own SDK reads (OpenAI's x-request-id, Anthropic's request-id:
// its _request_id) when the upstream speaks the client's wire, so that
// the id a client logs is one the provider's support can find.
func setUpstreamID(h http.Header, api, id string, sameWire bool) {
	if id == "" {
		return
	}
	h.Set("X-Llmcost-Upstream-Request-Id", id)
	if !sameWire {
		return
	}
	if api == APIAnthropic {
		h.Set("Request-Id", id)
	} else {
		h.Set("X-Request-Id", id)
	}
}

func (s *Stream) openAIChunkStart() {
	s.buf = append(s.buf, `data: {"id":`...)
	s.buf = jsonstr.Append(s.buf, "chatcmpl-"+s.ID)
	s.buf = append(s.buf, `,"object":"chat.completion.chunk","created":`...)
	s.buf = appendInt(s.buf, s.Created)
	s.buf = append(s.buf, `,"model":`...)
	s.buf = jsonstr.Append(s.buf, s.Model)
	s.buf = append(s.buf, `,"choices":[{"index":0,"delta":`...)
}

func (s *Stream) openAIChunkEnd() {
	if s.IncludeUsage {
		s.buf = append(s.buf, `,"usage":null`...)
	}
	s.buf = append(s.buf, "}\n\n"...)
}

// Delta relays one piece of answer text.
func (s *Stream) Delta(text string) {
	if text == "" {
		return
	}
	s.head()
	if s.API == APIAnthropic {
		s.buf = append(s.buf, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"...)
		s.buf = jsonstr.Append(s.buf, text)
		s.buf = append(s.buf, "}}\n\n"...)
	} else {
		s.openAIChunkStart()
		s.buf = append(s.buf, `{"content":`...)
		s.buf = jsonstr.Append(s.buf, text)
		s.buf = append(s.buf, `},"logprobs":null,"finish_reason":null}]`...)
		s.openAIChunkEnd()
	}
	if !s.Hold {
		s.flush()
	}
}

// Event relays one of the upstream's SSE events as it came (Native).
func (s *Stream) Event(raw []byte) {
	s.head()
	s.buf = append(s.buf, raw...)
	if !s.Hold {
		s.flush()
	}
}

// Finish ends a complete answer: finish reason, usage, end marker. A
// Native stream has relayed the upstream's own end already.
func (s *Stream) Finish(finish string, u backend.Usage) {
	s.head()
	if s.Native {
		s.put()
		return
	}
	if s.API == APIAnthropic {
		s.buf = append(s.buf, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"...)
		s.buf = append(s.buf, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"...)
		s.buf = jsonstr.Append(s.buf, AnthropicStop(finish))
		s.buf = append(s.buf, `,"stop_sequence":null},"usage":`...)
		s.buf = appendAnthropicUsage(s.buf, u)
		s.buf = append(s.buf, "}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"...)
		s.put()
		return
	}
	s.openAIChunkStart()
	s.buf = append(s.buf, `{},"logprobs":null,"finish_reason":`...)
	s.buf = jsonstr.Append(s.buf, OpenAIFinish(finish))
	s.buf = append(s.buf, `}]`...)
	s.openAIChunkEnd()
	if s.IncludeUsage {
		s.buf = append(s.buf, `data: {"id":`...)
		s.buf = jsonstr.Append(s.buf, "chatcmpl-"+s.ID)
		s.buf = append(s.buf, `,"object":"chat.completion.chunk","created":`...)
		s.buf = appendInt(s.buf, s.Created)
		s.buf = append(s.buf, `,"model":`...)
		s.buf = jsonstr.Append(s.buf, s.Model)
		s.buf = append(s.buf, `,"choices":[],"usage":`...)
		s.buf = appendOpenAIUsage(s.buf, u)
		s.buf = append(s.buf, "}\n\n"...)
	}
	s.buf = append(s.buf, "data: [DONE]\n\n"...)
	s.put()
}

// Fail ends a started stream with an error event (the status line has
// gone already).
func (s *Stream) Fail(e *Error) {
	s.head()
	if s.API == APIAnthropic {
		s.buf = append(s.buf, "event: error\ndata: "...)
		s.buf = AppendError(s.buf, APIAnthropic, e)
		s.buf = append(s.buf, '\n')
	} else {
		s.buf = append(s.buf, "data: "...)
		s.buf = AppendError(s.buf, APIOpenAI, e)
		s.buf = append(s.buf, '\n')
	}
	s.flush()
}
