package backend

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// Native is a request relayed in the client's own wire format: the
// proxy's same-wire passthrough, for what it cannot translate to text
// (tools, tool calls and results, images, documents). The SDK still sends
// it (option.WithRequestBody), and the answer is still read here for
// usage, finish reason and timing; its bytes go back to the caller as the
// upstream sent them.
//
// Confidence fallback does not apply: no logprobs are asked for, as the
// body is the client's.
type Native struct {
	// API is the wire Body is in (APIOpenAI | APIAnthropic); a backend of
	// another wire refuses the request without sending it.
	API string
	// Body is the client's request body. Its "model" is replaced by the
	// backend's model and, for a streamed OpenAI request,
	// stream_options.include_usage is forced on so that tokens are the
	// server's own.
	Body []byte
	// OnEvent, when set on a streamed request, gets each SSE event's bytes
	// as the upstream sent them (its lines and the blank line that ends
	// it), on the goroutine that called Complete, as they arrive (OnWait
	// works as for deltas). Error events are not passed on (they become
	// the returned *Error), nor, unless ShowUsage, OpenAI's usage-only
	// chunk, which the client did not ask for.
	OnEvent   func(raw []byte)
	ShowUsage bool
}

// nativeBody is the client's body with model set to model and, when
// forceUsage, stream_options.include_usage set to true.
func nativeBody(body []byte, model string, forceUsage bool) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, errors.New("request body is not a JSON object")
	}
	m, _ := json.Marshal(model)
	obj["model"] = m
	if forceUsage {
		var so map[string]json.RawMessage
		if raw, ok := obj["stream_options"]; ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			if err := json.Unmarshal(raw, &so); err != nil {
				return nil, errors.New("stream_options is not an object")
			}
		}
		if so == nil {
			so = map[string]json.RawMessage{}
		}
		so["include_usage"] = json.RawMessage("true")
		b, _ := json.Marshal(so)
		obj["stream_options"] = b
	}
	return json.Marshal(obj)
}

// rawEvents reads an SSE stream event by event, keeping each event's
// bytes (for relaying them unchanged) next to its parsed type and data
// (parsed as the SDKs' ssestream decoders do).
type rawEvents struct {
	r    *bufio.Reader
	raw  []byte
	typ  string
	data []byte
	err  error
}

// maxRawLine is the longest SSE line read: openai-go's ssestream scanner
// buffer (bufio.MaxScanTokenSize<<9, 32 MiB).
const maxRawLine = bufio.MaxScanTokenSize << 9

func newRawEvents(body io.Reader) *rawEvents {
	return &rawEvents{r: bufio.NewReaderSize(body, 16<<10)}
}

// Next reads the next event (one ended by a blank line; comment-only
// events included, with no data). An unfinished event at the end of the
// stream is dropped, as the SDKs drop it.
func (e *rawEvents) Next() bool {
	if e.err != nil {
		return false
	}
	e.raw, e.typ, e.data = e.raw[:0], "", e.data[:0]
	for {
		line, err := e.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A very long line: gather it whole, up to the SDKs' own limit
			// (their ssestream scanner stops at maxRawLine too).
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = e.r.ReadSlice('\n')
				long = append(long, line...)
				if len(long) > maxRawLine {
					e.err = bufio.ErrTooLong
					return false
				}
			}
			line = long
		}
		if len(line) > 0 {
			e.raw = append(e.raw, line...)
			// One "\n" and one "\r" before it end a line, as bufio.ScanLines
			// (the SDKs' decoders) has it.
			text := bytes.TrimSuffix(line, []byte("\n"))
			text = bytes.TrimSuffix(text, []byte("\r"))
			if len(text) == 0 { // a blank line (also a lone "\r" at the end, as ScanLines has it)
				if len(e.data) == 0 {
					e.typ = "" // a type without data names nothing (the SDKs skip such events)
				}
				return true
			}
			name, value, _ := bytes.Cut(text, []byte(":"))
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
			switch string(name) {
			case "event":
				e.typ = string(value)
			case "data":
				e.data = append(e.data, value...)
				e.data = append(e.data, '\n')
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				e.err = err
			}
			return false
		}
	}
}

func (e *rawEvents) Err() error { return e.err }
