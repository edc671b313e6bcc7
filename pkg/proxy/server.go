package proxy

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmcost/llmcost/internal/jsonstr"
	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/route"
)

// DefaultMaxBody is --max-body's default: 8 MiB.
const DefaultMaxBody = 8 << 20

// Ledger status values of proxy records besides ok and error.
const (
	StatusClientClosed = ledger.StatusClientClosed
	StatusInterrupted  = ledger.StatusInterrupted
)

// ErrDraining is the cancellation cause the server wiring gives the
// requests still in flight when the drain timeout ends: their records say
// "interrupted" (a client hanging up says "client_closed").
var ErrDraining = errors.New("shutting down: drain timeout reached")

// Key is one client key (LLMCOST_PROXY_KEYS): the name goes in the
// ledger's client field, the secret never leaves the proxy.
type Key struct{ Name, Secret string }

// Server answers the OpenAI and Anthropic chat endpoints through a router.
type Server struct {
	Router  *route.Router
	Write   func(*ledger.Record) error // the ledger; one call per request
	Keys    []Key                      // empty: no authentication (loopback only; the CLI enforces it)
	MaxBody int64                      // 0: DefaultMaxBody
	Now     func() time.Time
	Metrics *Metrics
	// AfterAnswer, when set, is called once the client's answer is
	// complete, with the record written for it (the shadow queue's entry).
	AfterAnswer func(req *Request, in *route.Input, rec *ledger.Record)
	// OnWriteError is told when the ledger refuses a record.
	OnWriteError func(error)

	prefix  string
	seq     atomic.Uint64
	bufs    sync.Pool
	once    sync.Once
	models  []byte // the /v1/models body
	byModel map[string]string
	apiOf   map[string]string // backend name -> its wire
}

func (s *Server) init() {
	s.once.Do(func() {
		if s.MaxBody <= 0 {
			s.MaxBody = DefaultMaxBody
		}
		if s.Now == nil {
			s.Now = time.Now
		}
		s.prefix = "px" + strconv.FormatInt(s.Now().UnixMilli(), 36) + "-"
		s.bufs.New = func() any { return bytes.NewBuffer(make([]byte, 0, 4096)) }
		s.byModel = map[string]string{}
		pol := s.Router.Policy()
		for _, b := range pol.Backends {
			if _, ok := s.byModel[b.Model]; !ok {
				s.byModel[b.Model] = b.Name
			}
		}
		s.apiOf = map[string]string{}
		for _, b := range pol.Backends {
			s.byModel[b.Name] = b.Name // a backend's name wins over another's model id
			s.apiOf[b.Name] = b.API
		}
		s.models = s.modelsBody()
	})
}

// ModelAuto is the model name that lets the policy's rules decide.
const ModelAuto = "auto"

// Models lists what a client may put in "model".
func (s *Server) Models() []string {
	out := []string{ModelAuto}
	for _, b := range s.Router.Policy().Backends {
		out = append(out, b.Name)
	}
	return out
}

func (s *Server) modelsBody() []byte {
	b := []byte(`{"object":"list","data":[`)
	names := s.Models()
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = jsonstr.Append(b, n)
		b = append(b, `,"object":"model","type":"model","created":0,"created_at":"1970-01-01T00:00:00Z","owned_by":"llmcost","display_name":`...)
		b = jsonstr.Append(b, n)
		b = append(b, '}')
	}
	b = append(b, `],"has_more":false,"first_id":`...)
	b = jsonstr.Append(b, names[0])
	b = append(b, `,"last_id":`...)
	b = jsonstr.Append(b, names[len(names)-1])
	return append(b, "}\n"...)
}

// Handler is the HTTP surface: /v1/chat/completions, /v1/messages,
// /v1/models, /healthz; metrics is mounted at /metrics when set.
func (s *Server) Handler() http.Handler {
	s.init()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) { s.chat(w, r, APIOpenAI) })
	mux.HandleFunc("POST /chat/completions", func(w http.ResponseWriter, r *http.Request) { s.chat(w, r, APIOpenAI) })
	mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) { s.chat(w, r, APIAnthropic) })
	mux.HandleFunc("GET /v1/models", s.listModels)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{\"status\":\"ok\"}\n")
	})
	if s.Metrics != nil {
		mh := s.Metrics.Handler()
		mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := s.authenticate(r); !ok {
				s.fail(w, APIOpenAI, &Error{Status: http.StatusUnauthorized, Message: "missing or unknown proxy key"})
				return
			}
			mh.ServeHTTP(w, r)
		}))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		api := APIOpenAI
		if r.Header.Get("anthropic-version") != "" || r.Header.Get("x-api-key") != "" {
			api = APIAnthropic
		}
		s.fail(w, api, &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("%s %s is not served; llmcost serves POST /v1/chat/completions, POST /v1/messages, GET /v1/models, GET /healthz, GET /metrics", r.Method, r.URL.Path)})
	})
	return mux
}

// authenticate finds the client's key: Authorization: Bearer or x-api-key.
// Without configured keys everyone is let in (unnamed).
func (s *Server) authenticate(r *http.Request) (string, bool) {
	if len(s.Keys) == 0 {
		return "", true
	}
	got := r.Header.Get("x-api-key")
	if a := r.Header.Get("Authorization"); got == "" && len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		got = strings.TrimSpace(a[7:])
	}
	if got == "" {
		return "", false
	}
	name, found := "", 0
	for _, k := range s.Keys {
		// Compare with every key, in constant time each, so timing says nothing.
		if subtle.ConstantTimeCompare([]byte(got), []byte(k.Secret)) == 1 {
			name, found = k.Name, found+1
		}
	}
	return name, found > 0
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request) {
	api := APIOpenAI
	if r.Header.Get("anthropic-version") != "" {
		api = APIAnthropic
	}
	if _, ok := s.authenticate(r); !ok {
		s.fail(w, api, &Error{Status: http.StatusUnauthorized, Message: "missing or unknown proxy key (send it as Authorization: Bearer KEY or x-api-key: KEY)"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.models)
}

func (s *Server) fail(w http.ResponseWriter, api string, e *Error) {
	b := AppendError(make([]byte, 0, 256), api, e)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

func (s *Server) nextID() string {
	return s.prefix + strconv.FormatUint(s.seq.Add(1), 10)
}

// chat serves one chat request; every request that passes authentication
// gets exactly one ledger record, also one refused before routing (a body
// too large or not valid, an unknown model, a bad header): an error,
// unsent (attempts 0), with no backend. An unauthenticated request gets
// none: it has no client to count it for, and must not fill the log.
func (s *Server) chat(w http.ResponseWriter, r *http.Request, api string) {
	s.Metrics.begin()
	defer s.Metrics.end()
	client, ok := s.authenticate(r)
	if !ok {
		s.fail(w, api, &Error{Status: http.StatusUnauthorized, Message: "missing or unknown proxy key (send it as Authorization: Bearer KEY or x-api-key: KEY)"})
		return
	}
	buf := s.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			s.bufs.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.MaxBody)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.reject(w, r, api, client, "", &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("request body is larger than --max-body (%d bytes)", s.MaxBody)})
			return
		}
		s.reject(w, r, api, client, "", badRequest("reading the request body: %v", err))
		return
	}
	var req *Request
	var derr *Error
	if api == APIAnthropic {
		req, derr = DecodeAnthropic(buf.Bytes())
	} else {
		req, derr = DecodeOpenAI(buf.Bytes())
	}
	if derr != nil {
		s.reject(w, r, api, client, "", derr)
		return
	}
	// What cannot be translated is relayed unchanged to a backend of the
	// client's own wire; the router refuses any other (WireError, 400).
	native := len(req.Untranslatable) > 0
	if native {
		req.Body = bytes.Clone(buf.Bytes()) // buf goes back to the pool; a shadow may send it later
	}
	backendName := ""
	if req.Model != "" && req.Model != ModelAuto {
		name, ok := s.byModel[req.Model]
		if !ok {
			s.reject(w, r, api, client, req.Model, &Error{Status: http.StatusNotFound, Code: "model_not_found",
				Message: fmt.Sprintf("model %q is not in the policy; use one of: %s", req.Model, strings.Join(s.Models(), ", "))})
			return
		}
		backendName = name
	}
	flagged := false
	switch v := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Llmcost-Pii"))); v {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		flagged = true
	default:
		s.reject(w, r, api, client, req.Model, badRequest("header X-Llmcost-Pii: %q is not true or false", v))
		return
	}

	id := s.nextID()
	in := &route.Input{
		ID: id, Task: r.Header.Get("X-Llmcost-Task"), Flagged: flagged, Texts: req.Texts, Backend: backendName,
		Req: backend.Request{ID: id, Messages: req.Messages, System: req.System, Stop: req.Stop, MaxTokens: req.MaxTokens, Stream: req.Stream,
			Temperature: req.Temperature, TopP: req.TopP},
		NoFallback: req.Stream || native, // confidence fallback needs logprobs, which a relayed body does not ask for
	}
	if sampling := samplingFields(req); sampling != "" && !native {
		in.Refuse = func(api string) string {
			if api == backend.APIAnthropic {
				return sampling
			}
			return ""
		}
	}
	if native {
		in.Wire = api
		in.Req.Native = &backend.Native{API: api, Body: req.Body, ShowUsage: req.IncludeUsage}
	}
	created := s.Now().Unix()
	var stream *Stream
	chosen := ""
	in.Chosen = func(pb *route.PolicyBackend) {
		chosen = pb.Name
		if stream != nil {
			stream.Model, stream.Backend, stream.SameWire = pb.Model, pb.Name, pb.API == api
		}
	}
	if req.Stream {
		stream = NewStream(w, api)
		stream.ID, stream.Created, stream.IncludeUsage = id, created, req.IncludeUsage
		stream.Hold = true
		in.Req.OnDelta, in.Req.OnWait, in.Req.OnStart = stream.Delta, stream.FlushHeld, stream.SetUpstreamID
		in.Committed = stream.Started
		if native {
			stream.Native = true
			in.Req.OnDelta, in.Req.Native.OnEvent = nil, stream.Event
		}
	}
	ctx := r.Context()
	out := s.Router.Serve(ctx, in)
	rec := out.Record
	setClient(rec, client, api)
	_ = chosen

	gone := ctx.Err() != nil || (stream != nil && stream.failed)
	draining := false
	if gone {
		status := StatusClientClosed
		if errors.Is(context.Cause(ctx), ErrDraining) {
			status, draining = StatusInterrupted, stream == nil || !stream.failed
		}
		rec.Status = status
		if rec.Error == "" {
			rec.Error = status
		}
	}
	if rec.Status == ledger.StatusOK && !gone && (!native || out.Resp.Text != "") {
		// For report --compare; the text itself is not logged. A relayed
		// answer with no text (only tool calls) has nothing to compare:
		// an empty digest would make every such pair "agree".
		rec.SetAnswer(out.Resp.Text)
	}
	s.write(api, rec)
	if draining {
		// The client is still there: it gets an error in its own wire
		// rather than a dropped connection (the wiring closes connections
		// only after the handlers have had a moment to say so).
		e := &Error{Status: http.StatusServiceUnavailable, Code: "shutting_down",
			Message: "llmcost is shutting down and --drain-timeout cut this request off before the answer was complete; send it again"}
		if stream != nil && stream.Started() {
			stream.Fail(e)
			return
		}
		w.Header().Set("X-Llmcost-Request-Id", id)
		s.fail(w, api, e)
		return
	}
	if gone {
		return
	}
	if rec.Status != ledger.StatusOK {
		e := errorFor(out, rec)
		var we *route.WireError
		switch {
		case errors.As(out.Err, &we) && we.Reason != "":
			e = badRequest("this request sets %s, which the %s wire of backend %q, where the policy sends it, does not have; llmcost refuses rather than drop it. Nothing was sent",
				we.Reason, we.API, we.Backend)
		case we != nil:
			e = badRequest("this request carries %s, which llmcost cannot translate from the %s wire to the %s wire of backend %q, where the policy sends it; it is relayed unchanged only to a backend of the client's own wire. Nothing was sent",
				strings.Join(req.Untranslatable, ", "), api, we.API, we.Backend)
		}
		if stream != nil && stream.Started() {
			stream.Fail(e)
			return
		}
		if be := asBackendError(out.Err); be != nil && be.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((be.RetryAfter+time.Second-1)/time.Second)))
		}
		w.Header().Set("X-Llmcost-Request-Id", id)
		s.fail(w, api, e)
		return
	}
	model := out.Resp.Model
	if model == "" {
		model = rec.Model
	}
	switch {
	case native && out.Resp.Raw != nil && (stream == nil || !stream.Started()):
		// The upstream's own answer, unchanged (also a stream that the
		// upstream answered with one JSON object).
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(out.Resp.Raw)))
		h.Set("X-Llmcost-Request-Id", id)
		h.Set("X-Llmcost-Backend", rec.Backend)
		setUpstreamID(h, api, out.Resp.RequestID, s.apiOf[rec.Backend] == api)
		_, _ = w.Write(out.Resp.Raw)
	case stream != nil:
		stream.Model = model
		stream.Finish(out.Resp.FinishReason, out.Resp.Usage)
	default:
		a := Answer{ID: id, Model: model, Created: created, Text: out.Resp.Text, Finish: out.Resp.FinishReason, Usage: out.Resp.Usage}
		b := s.bufs.Get().(*bytes.Buffer)
		b.Reset()
		var body []byte
		if api == APIAnthropic {
			body = AppendAnthropicMessage(b.Bytes(), &a)
		} else {
			body = AppendOpenAICompletion(b.Bytes(), &a)
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("X-Llmcost-Request-Id", id)
		h.Set("X-Llmcost-Backend", rec.Backend)
		setUpstreamID(h, api, out.Resp.RequestID, s.apiOf[rec.Backend] == api)
		_, _ = w.Write(body)
		*b = *bytes.NewBuffer(body[:0])
		s.bufs.Put(b)
	}
	if s.AfterAnswer != nil {
		// The client's whole answer first, whatever the hook does: a
		// small answer would otherwise wait in net/http's buffer until
		// the handler returns.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		s.AfterAnswer(req, in, rec)
	}
}

// reject answers an authenticated chat request refused before routing
// with e, and logs it: an unsent error with the model asked for (if the
// body said) and no backend. The message is llmcost's own, never the
// client's text.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, api, client, model string, e *Error) {
	id := s.nextID()
	rec := &ledger.Record{TS: s.Now().UTC(), ID: id, Model: model, Status: ledger.StatusError, Error: e.Message,
		Task: r.Header.Get("X-Llmcost-Task"), RouteReason: "refused before routing", CostNote: "not sent"}
	setClient(rec, client, api)
	s.write(api, rec)
	w.Header().Set("X-Llmcost-Request-Id", id)
	s.fail(w, api, e)
}

func (s *Server) write(api string, rec *ledger.Record) {
	if err := s.Write(rec); err != nil && s.OnWriteError != nil {
		s.OnWriteError(err)
	}
	s.Metrics.Observe(api, rec)
}

func asBackendError(err error) *backend.Error {
	var be *backend.Error
	if errors.As(err, &be) {
		return be
	}
	return nil
}

// errorFor is the client's error for a failed outcome: upstream HTTP
// errors pass through with their status; an unreachable upstream is 502,
// a timeout 504; a budget refusal 429; a routing refusal 400.
func errorFor(out route.Outcome, rec *ledger.Record) *Error {
	var ae *route.AdmitError
	if errors.As(out.Err, &ae) {
		return &Error{Status: http.StatusTooManyRequests, Code: "budget_exceeded", Message: "llmcost budget: " + ae.Error()}
	}
	be := asBackendError(out.Err)
	if be == nil {
		if out.Err == nil {
			return &Error{Status: http.StatusBadRequest, Message: "llmcost: " + rec.Error}
		}
		return &Error{Status: http.StatusBadGateway, Message: "llmcost: " + rec.Error}
	}
	msg := fmt.Sprintf("upstream %s: %s", be.Backend, be.Message)
	if be.Message == "" {
		msg = fmt.Sprintf("upstream %s: %s", be.Backend, be.Code)
	}
	switch {
	case be.StatusCode >= 400:
		e := &Error{Status: be.StatusCode, Message: msg}
		if be.Code != "" && be.StatusCode != http.StatusTooManyRequests {
			e.Code = be.Code
		}
		if be.StatusCode == http.StatusTooManyRequests {
			e.Code = be.Code
		}
		return e
	case be.Code == backend.CodeTimeout:
		return &Error{Status: http.StatusGatewayTimeout, Message: msg}
	default:
		// An error event inside a 200 stream keeps the upstream's
		// Anthropic type for an Anthropic client (overloaded_error stays
		// overloaded_error: its SDK tells overload from a server error).
		e := &Error{Status: http.StatusBadGateway, Message: msg}
		if anthropicErrorTypes[be.Code] {
			e.anthropicType = be.Code
		}
		return e
	}
}

// anthropicErrorTypes are the error types of the Anthropic wire.
var anthropicErrorTypes = map[string]bool{
	"invalid_request_error": true, "authentication_error": true, "permission_error": true, "not_found_error": true,
	"request_too_large": true, "rate_limit_error": true, "api_error": true, "overloaded_error": true,
}

// samplingFields names the sampling parameters req sets, for a backend
// whose wire has none ("" = none set).
func samplingFields(req *Request) string {
	var set []string
	if req.Temperature != nil {
		set = append(set, "temperature "+strconv.FormatFloat(*req.Temperature, 'g', -1, 64))
	}
	if req.TopP != nil {
		set = append(set, "top_p "+strconv.FormatFloat(*req.TopP, 'g', -1, 64))
	}
	return strings.Join(set, " and ")
}
