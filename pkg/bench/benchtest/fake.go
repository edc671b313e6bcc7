// Package benchtest is a fake LLM server for testing `llmcost bench`: it
// speaks the OpenAI chat-completions SSE stream, the Anthropic Messages SSE
// stream and Ollama's /api/chat NDJSON (the shapes of the recorded
// fixtures under testdata/wire), and it paces tokens at a rate the test
// sets: a first token after TTFT, then one every 1/TokensPerSecond,
// slowed by the number of streams in flight when Slowdown is set.
//
// The fake waits through its Sleep function. Tests run it inside a
// testing/synctest bubble, where the wait is on the bubble's fake clock and
// the bench reads the same clock, so a measured time is exactly the time
// the fake was told to take, whatever the machine's load.
package benchtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fake is an http.Handler. The zero value is not usable: set API.
type Fake struct {
	API             string        // openai | anthropic | ollama
	Model           string        // reported model name; "" = the requested one
	TTFT            time.Duration // request arrival to the first token
	TokensPerSecond float64       // decode rate of one stream alone
	// Slowdown k makes a token's gap (1 + (active-1)/k) times longer with
	// active streams in flight, as batching servers slow each stream down;
	// 0 = every stream at TokensPerSecond.
	Slowdown float64
	// OutputTokens per reply; 0 = the request's max tokens (128 when unset).
	OutputTokens   int
	TokensPerChunk int // tokens per streamed chunk; 0 = 1
	NoUsage        bool
	HTML           bool // answer 200 with an HTML page
	Status         int  // answer this HTTP error status with the API's error body
	// Sleep waits d or until ctx ends; nil = a timer.
	Sleep func(ctx context.Context, d time.Duration) error

	active   atomic.Int64
	Requests atomic.Int64
	mu       sync.Mutex
	maxSeen  int64
}

// MaxActive is the most streams that were in flight at once.
func (f *Fake) MaxActive() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxSeen
}

func (f *Fake) sleep(ctx context.Context, d time.Duration) error {
	if f.Sleep != nil {
		return f.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type request struct {
	Model     string `json:"model"`
	MaxTokens int    `json:"max_tokens"`
	Stream    bool   `json:"stream"`
	Messages  []struct {
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Options struct {
		NumPredict int `json:"num_predict"`
	} `json:"options"`
}

func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.Requests.Add(1)
	if f.HTML {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><html><body><h1>Welcome</h1><p>Open WebUI</p></body></html>")
		return
	}
	if f.Status != 0 {
		f.fail(w, f.Status)
		return
	}
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.fail(w, http.StatusBadRequest)
		return
	}
	n := f.OutputTokens
	if n == 0 {
		n = req.MaxTokens
		if f.API == "ollama" {
			n = req.Options.NumPredict
		}
	}
	if n <= 0 {
		n = 128
	}
	model := f.Model
	if model == "" {
		model = req.Model
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(m.Content) / 4
	}
	active := f.active.Add(1)
	defer f.active.Add(-1)
	f.mu.Lock()
	f.maxSeen = max(f.maxSeen, active)
	f.mu.Unlock()

	var s streamer
	switch f.API {
	case "anthropic":
		s = &anthropicStream{model: model, prompt: prompt, noUsage: f.NoUsage}
	case "ollama":
		s = &ollamaStream{model: model, prompt: prompt, noUsage: f.NoUsage}
	default:
		s = &openaiStream{model: model, prompt: prompt, noUsage: f.NoUsage}
	}
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", s.contentType())
	w.WriteHeader(http.StatusOK)
	write := func(b string) {
		_, _ = w.Write([]byte(b))
		if flusher != nil {
			flusher.Flush()
		}
	}
	write(s.start())
	ctx := r.Context()
	if f.sleep(ctx, f.TTFT) != nil {
		return
	}
	per := max(f.TokensPerChunk, 1)
	for sent := 0; sent < n; {
		if sent > 0 {
			k := min(per, n-sent)
			if f.sleep(ctx, time.Duration(float64(k)*float64(f.gap()))) != nil {
				return
			}
		}
		k := min(per, n-sent)
		write(s.chunk(sent, k))
		sent += k
	}
	write(s.end(n))
}

// gap is one token's time at the current number of streams in flight.
func (f *Fake) gap() time.Duration {
	g := float64(time.Second) / f.TokensPerSecond
	if f.Slowdown > 0 {
		g *= 1 + float64(f.active.Load()-1)/f.Slowdown
	}
	return time.Duration(g)
}

func (f *Fake) fail(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	switch f.API {
	case "anthropic":
		fmt.Fprintf(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)
	case "ollama":
		fmt.Fprintf(w, `{"error":"unauthorized"}`)
	default:
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`)
	}
}

type streamer interface {
	contentType() string
	start() string
	chunk(i, k int) string
	end(n int) string
}

// word is the text of tokens i..i+k-1: one short word per token.
func word(i, k int) string {
	var b strings.Builder
	for j := i; j < i+k; j++ {
		fmt.Fprintf(&b, " w%d", j)
	}
	return b.String()
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// openaiStream follows openai-chat-stream-include-usage.sse: a role chunk,
// content chunks, a finish chunk, a usage chunk with no choices, [DONE].
type openaiStream struct {
	model   string
	prompt  int
	noUsage bool
}

func (s *openaiStream) contentType() string { return "text/event-stream; charset=utf-8" }

func (s *openaiStream) head() string {
	return `{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1764700000,"model":` + jsonString(s.model) + `,"system_fingerprint":"fp_bench",`
}

func (s *openaiStream) start() string {
	return "data: " + s.head() + `"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n"
}

func (s *openaiStream) chunk(i, k int) string {
	return "data: " + s.head() + `"choices":[{"index":0,"delta":{"content":` + jsonString(word(i, k)) + `},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n"
}

func (s *openaiStream) end(n int) string {
	out := "data: " + s.head() + `"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null}` + "\n\n"
	if !s.noUsage {
		out += "data: " + s.head() + fmt.Sprintf(`"choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}`, s.prompt, n, s.prompt+n) + "\n\n"
	}
	return out + "data: [DONE]\n\n"
}

// anthropicStream follows anthropic-messages-stream.recorded.sse.
type anthropicStream struct {
	model   string
	prompt  int
	noUsage bool
}

func (s *anthropicStream) contentType() string { return "text/event-stream; charset=utf-8" }

func (s *anthropicStream) start() string {
	usage := ""
	if !s.noUsage {
		usage = fmt.Sprintf(`,"usage":{"input_tokens":%d,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}`, s.prompt)
	}
	return "event: message_start\n" +
		`data: {"type":"message_start","message":{"model":` + jsonString(s.model) + `,"id":"msg_bench","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null` + usage + "}}\n\n" +
		"event: content_block_start\n" +
		`data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}` + "\n\n" +
		"event: ping\n" + `data: {"type": "ping"}` + "\n\n"
}

func (s *anthropicStream) chunk(i, k int) string {
	return "event: content_block_delta\n" +
		`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":` + jsonString(word(i, k)) + "}}\n\n"
}

func (s *anthropicStream) end(n int) string {
	usage := ""
	if !s.noUsage {
		usage = fmt.Sprintf(`,"usage":{"input_tokens":%d,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":%d}`, s.prompt, n)
	}
	return "event: content_block_stop\n" + `data: {"type":"content_block_stop","index":0}` + "\n\n" +
		"event: message_delta\n" + `data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null}` + usage + "}\n\n" +
		"event: message_stop\n" + `data: {"type":"message_stop"}` + "\n\n"
}

// ollamaStream follows ollama-api-chat-stream.ndjson.
type ollamaStream struct {
	model   string
	prompt  int
	noUsage bool
}

func (s *ollamaStream) contentType() string { return "application/x-ndjson" }
func (s *ollamaStream) start() string       { return "" }

func (s *ollamaStream) chunk(i, k int) string {
	return `{"model":` + jsonString(s.model) + `,"created_at":"2026-12-02T10:00:00.000000Z","message":{"role":"assistant","content":` + jsonString(word(i, k)) + "},\"done\":false}\n"
}

func (s *ollamaStream) end(n int) string {
	counts := ""
	if !s.noUsage {
		counts = fmt.Sprintf(`,"total_duration":1000000000,"load_duration":1000000,"prompt_eval_count":%d,"prompt_eval_duration":100000000,"eval_count":%d,"eval_duration":900000000`, s.prompt, n)
	}
	return `{"model":` + jsonString(s.model) + `,"created_at":"2026-12-02T10:00:01.000000Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"length"` + counts + "}\n"
}

// PipeListener is an in-memory net.Listener: connections are net.Pipe
// pairs, which a testing/synctest bubble counts as durably blocking (a
// loopback socket is not), so fake time advances while a stream waits.
type PipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

// NewPipeListener makes a listener; dial it with Dial.
func NewPipeListener() *PipeListener {
	return &PipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *PipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *PipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Addr implements net.Listener.
func (l *PipeListener) Addr() net.Addr { return pipeAddr{} }

// Dial connects to the listener (an http.Transport DialContext).
func (l *PipeListener) Dial(ctx context.Context, _, _ string) (net.Conn, error) {
	server, client := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Client is an HTTP client whose every connection dials the listener.
func (l *PipeListener) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: l.Dial, DisableKeepAlives: false}}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "127.0.0.1:8000" }
