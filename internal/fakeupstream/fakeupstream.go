// Package fakeupstream is a fast fake LLM provider for tests and benchmarks.
//
// It speaks OpenAI's POST /v1/chat/completions and Anthropic's POST
// /v1/messages, streaming (SSE) and not, shaped like the recorded bodies in
// shared/reference/wire-fixtures. The answer text and the usage are pure
// functions of the request (see Reply), so a test can assert that what a
// client saw through the proxy equals what the upstream served.
//
// Faults are chosen per request, by the model name or by a bracketed marker
// in any message text (the proxy rewrites model names and drops custom
// headers, but it forwards prompts):
//
//	model "fault-500"                  or prompt "... [fault-500] ..."
//	fault-429                          429 with Retry-After: 1, body in the wire's format
//	fault-429-retry-after-N            429 with Retry-After: N (N may be 0)
//	fault-500, fault-503, fault-529    that status, body in the wire's format
//	fault-malformed                    200 with a body that is not JSON
//	fault-cut-stream                   half the answer, then the connection is dropped
//	fault-stream-error                 streaming: half the answer, then an error event
//	fault-stall-stream                 streaming: half the answer, then blocks until the client goes
//	fault-hang                         blocks, before any byte, until the client goes
//
// A request offering tools and carrying no tool result yet is answered
// with a call of its first tool, in the wire's format (see tools.go).
//
// A prompt containing [low-confidence] gets low logprobs when it asks for
// logprobs (non-streaming OpenAI wire), for confidence-fallback tests.
//
// A suffix -once or -times-K makes the fault apply only to the first K
// requests carrying that exact fault name; later ones are answered normally
// (for retry tests). Nothing sleeps: hang and stall wait on the request's
// context only.
//
// The server counts what it received (Stats, Seen; over HTTP GET
// /_fake/stats and /_fake/seen?q=A&q=B, bodies containing A and B) so a test can assert, for
// example, that a prompt with personal data never reached the cloud fake.
package fakeupstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultKeepBodies is how many request bodies New keeps for Seen.
const DefaultKeepBodies = 4096

// Server is an http.Handler. The zero value is not usable; call New.
type Server struct {
	// KeepBodies bounds the request bodies kept for Seen (0 keeps none), so
	// a benchmark's memory does not grow with the request count.
	KeepBodies int

	waiting atomic.Pointer[func()] // see OnWaiting

	mux *http.ServeMux

	requests         atomic.Int64
	promptTokens     atomic.Int64
	completionTokens atomic.Int64
	faults           atomic.Int64
	canceled         atomic.Int64
	seq              atomic.Int64

	mu          sync.Mutex
	byPath      map[string]int64
	byModel     map[string]int64
	authSeen    map[string]int64
	faultCounts map[string]int
	bodies      [][]byte
	dropped     int64
}

// New returns a fake upstream keeping up to DefaultKeepBodies bodies.
func New() *Server {
	s := &Server{
		KeepBodies:  DefaultKeepBodies,
		byPath:      map[string]int64{},
		byModel:     map[string]int64{},
		authSeen:    map[string]int64{},
		faultCounts: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.openaiChat)
	mux.HandleFunc("POST /v1/messages", s.anthropicMessages)
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("GET /_fake/stats", s.statsHandler)
	mux.HandleFunc("GET /_fake/seen", s.seenHandler)
	s.mux = mux
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Stats is a snapshot of what the server received and served.
type Stats struct {
	Requests         int64            `json:"requests"`
	ByPath           map[string]int64 `json:"by_path"`
	ByModel          map[string]int64 `json:"by_model"`
	PromptTokens     int64            `json:"prompt_tokens"`
	CompletionTokens int64            `json:"completion_tokens"`
	Faults           int64            `json:"faults"`
	// Canceled counts hang/stall requests that ended because the client went.
	Canceled int64 `json:"canceled"`
	// Auth counts the credentials seen, by value of Authorization or x-api-key
	// (a test asserts that a client's key never reached the upstream).
	Auth          map[string]int64 `json:"auth"`
	BodiesDropped int64            `json:"bodies_dropped"`
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Requests:         s.requests.Load(),
		ByPath:           copyMap(s.byPath),
		ByModel:          copyMap(s.byModel),
		PromptTokens:     s.promptTokens.Load(),
		CompletionTokens: s.completionTokens.Load(),
		Faults:           s.faults.Load(),
		Canceled:         s.canceled.Load(),
		Auth:             copyMap(s.authSeen),
		BodiesDropped:    s.dropped,
	}
}

// Requests is the number of requests received on the two chat endpoints.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Seen is how many kept request bodies contain every one of substrs.
func (s *Server) Seen(substrs ...string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
next:
	for _, b := range s.bodies {
		for _, sub := range substrs {
			if !bytes.Contains(b, []byte(sub)) {
				continue next
			}
		}
		n++
	}
	return n
}

// Reset zeroes the counters and forgets kept bodies and fault counts.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests.Store(0)
	s.promptTokens.Store(0)
	s.completionTokens.Store(0)
	s.faults.Store(0)
	s.canceled.Store(0)
	s.byPath = map[string]int64{}
	s.byModel = map[string]int64{}
	s.authSeen = map[string]int64{}
	s.faultCounts = map[string]int{}
	s.bodies = nil
	s.dropped = 0
}

func copyMap(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Server) statsHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.Stats())
}

func (s *Server) seenHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	q := r.URL.Query()["q"]
	_ = json.NewEncoder(w).Encode(map[string]any{"q": q, "seen": s.Seen(q...)})
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"object":"list","data":[{"id":"fake-model","object":"model","created":1700000000,"owned_by":"fakeupstream"}]}`)
}

// record counts one request and decides its fault. It returns the fault
// (nil when the request is answered normally).
func (s *Server) record(r *http.Request, body []byte, model string, texts []string) *Fault {
	s.requests.Add(1)
	f := findFault(model, texts)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byPath[r.URL.Path]++
	s.byModel[model]++
	if a := r.Header.Get("Authorization"); a != "" {
		s.authSeen[a]++
	}
	if a := r.Header.Get("X-Api-Key"); a != "" {
		s.authSeen[a]++
	}
	if s.KeepBodies > 0 {
		if len(s.bodies) >= s.KeepBodies {
			s.dropped++
		} else {
			s.bodies = append(s.bodies, body)
		}
	}
	if f != nil && f.Times > 0 {
		s.faultCounts[f.Name]++
		if s.faultCounts[f.Name] > f.Times {
			return nil
		}
	}
	if f != nil {
		s.faults.Add(1)
	}
	return f
}

// Fault is a parsed fault name.
type Fault struct {
	Name       string // the whole marker, e.g. "fault-429-retry-after-0-once"
	Kind       string // "429", "500", "503", "529", "malformed", "cut-stream", "stream-error", "stall-stream", "hang"
	RetryAfter int    // seconds, for 429
	Times      int    // 0: always; K: only the first K requests with this Name
}

var (
	faultInText = regexp.MustCompile(`\[(fault-[a-z0-9-]+)\]`)
	faultName   = regexp.MustCompile(`^fault-(429|500|503|529|malformed|cut-stream|stream-error|stall-stream|hang)(?:-retry-after-(\d+))?(?:-(once)|-times-(\d+))?$`)
)

// ParseFault parses a fault name such as "fault-429-retry-after-0-once". It
// returns nil for anything that is not a known fault.
func ParseFault(name string) *Fault {
	m := faultName.FindStringSubmatch(name)
	if m == nil {
		return nil
	}
	f := &Fault{Name: name, Kind: m[1]}
	if f.Kind == "429" {
		f.RetryAfter = 1
	}
	if m[2] != "" {
		f.RetryAfter, _ = strconv.Atoi(m[2])
	}
	if m[3] == "once" {
		f.Times = 1
	}
	if m[4] != "" {
		f.Times, _ = strconv.Atoi(m[4])
	}
	return f
}

func findFault(model string, texts []string) *Fault {
	if strings.HasPrefix(model, "fault-") {
		return ParseFault(model)
	}
	for _, t := range texts {
		if !strings.Contains(t, "[fault-") {
			continue
		}
		for _, m := range faultInText.FindAllStringSubmatch(t, -1) {
			if f := ParseFault(m[1]); f != nil {
				return f
			}
		}
	}
	return nil
}

// Answer is the deterministic reply to a request.
type Answer struct {
	Words            []string // the answer as streamed: one chunk per word, each but the first with a leading space
	Text             string   // the words joined
	PromptTokens     int
	CompletionTokens int
	// Finish is "stop", "length" (max tokens reached) or "stop_sequence".
	Finish string
	// StopSequence is the stop sequence that ended the answer, if any.
	StopSequence string
}

var vocabulary = strings.Fields("the fake upstream answers every prompt with a short deterministic sentence so tests can compare usage across wires and clients")

// Reply computes the answer to a request whose message texts are texts:
// prompt tokens are the whitespace-separated words of all texts (system and
// every message, at least 1); the answer has 4 + prompt%7 words from a fixed
// vocabulary, cut at maxTokens words (when > 0) and before the first of
// stops that occurs in it.
func Reply(texts []string, maxTokens int, stops []string) Answer {
	prompt := 0
	for _, t := range texts {
		prompt += len(strings.Fields(t))
	}
	if prompt < 1 {
		prompt = 1
	}
	n := 4 + prompt%7
	finish := "stop"
	if maxTokens > 0 && n > maxTokens {
		n = maxTokens
		finish = "length"
	}
	words := make([]string, 0, n)
	for i := 0; i < n; i++ {
		w := vocabulary[(prompt+i)%len(vocabulary)]
		if i > 0 {
			w = " " + w
		}
		words = append(words, w)
	}
	a := Answer{PromptTokens: prompt, Finish: finish}
	// Cut before the first stop sequence: keep whole chunks before it and
	// the part of the chunk that precedes it.
	text := strings.Join(words, "")
	cut, which := -1, ""
	for _, st := range stops {
		if st == "" {
			continue
		}
		if i := strings.Index(text, st); i >= 0 && (cut < 0 || i < cut) {
			cut, which = i, st
		}
	}
	if cut >= 0 {
		var kept []string
		pos := 0
		for _, w := range words {
			if pos+len(w) <= cut {
				kept = append(kept, w)
			} else if pos < cut {
				kept = append(kept, w[:cut-pos])
			}
			pos += len(w)
		}
		words = kept
		a.Finish = "stop_sequence"
		a.StopSequence = which
	}
	a.Words = words
	a.Text = strings.Join(words, "")
	a.CompletionTokens = len(words)
	return a
}

// readBody reads at most 32 MiB (the proxy enforces its own smaller limit).
func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, 32<<20))
}

func (s *Server) nextID(prefix string) string {
	return fmt.Sprintf("%s%024d", prefix, s.seq.Add(1))
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// OnWaiting sets f to be called each time a hang or stall starts to wait
// for the client to go, so that a test knows a request is in flight
// without sleeping; nil removes it.
func (s *Server) OnWaiting(f func()) {
	if f == nil {
		s.waiting.Store(nil)
		return
	}
	s.waiting.Store(&f)
}

// waitGone blocks until the client has gone and counts it.
func (s *Server) waitGone(r *http.Request) {
	if f := s.waiting.Load(); f != nil {
		(*f)()
	}
	<-r.Context().Done()
	s.canceled.Add(1)
}

// abort drops the connection without finishing the response.
func abort(w http.ResponseWriter) {
	flush(w)
	panic(http.ErrAbortHandler)
}
