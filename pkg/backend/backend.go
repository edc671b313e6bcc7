// Package backend sends one prompt to one LLM server and reports what came back:
// text, normalised token usage, timing and, where the server offers them, token
// logprobs. It speaks three wire protocols: OpenAI-compatible chat completions
// (OpenAI, vLLM, llama.cpp server, Ollama /v1, LM Studio, LiteLLM proxy) through
// openai-go, Anthropic Messages through anthropic-sdk-go, and Ollama's native
// /api/chat NDJSON through net/http.
//
// A Backend makes exactly one attempt per Complete call: the SDKs' own retries
// are off, and Do owns retries, backoff and Retry-After.
package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
)

// API names accepted in Config.API.
const (
	APIOpenAI    = "openai"
	APIAnthropic = "anthropic"
	APIOllama    = "ollama"
)

// Default endpoints used when Config.BaseURL is empty.
const (
	DefaultOpenAIBaseURL    = "https://api.openai.com/v1"
	DefaultAnthropicBaseURL = "https://api.anthropic.com"
	DefaultOllamaBaseURL    = "http://127.0.0.1:11434"
)

// DefaultTimeout bounds one attempt (request start to last byte) when
// Config.Timeout is zero. Long local generations need minutes, not seconds.
const DefaultTimeout = 10 * time.Minute

// DefaultAnthropicMaxTokens is sent when Request.MaxTokens is 0: the Messages
// API requires max_tokens, unlike the other two protocols.
const DefaultAnthropicMaxTokens = 4096

// Request is one prompt to send.
type Request struct {
	ID        string
	Prompt    string
	MaxTokens int  // 0 = server default (Anthropic: DefaultAnthropicMaxTokens)
	Logprobs  bool // request token logprobs (OpenAI-compatible and Ollama native)
	Stream    bool // stream, to measure TTFT
	// TokenTimes records when each streamed chunk with output arrived
	// (Response.TokenTimes), for inter-token latency (llmcost bench).
	TokenTimes bool

	// Messages, when not empty, is the conversation sent instead of Prompt
	// (the proxy relays a client's whole chat). Roles: "user", "assistant".
	Messages []Message
	System   string   // system prompt; "" = none
	Stop     []string // stop sequences; nil = none
	// Temperature and TopP are the sampling parameters (OpenAI and
	// Ollama); nil = the server's default. The Anthropic wire has none:
	// the proxy refuses to send a request that sets them there.
	Temperature *float64
	TopP        *float64
	// OnDelta, when set on a streamed request, is called with each piece of
	// answer text as it arrives, on the goroutine that called Complete, so
	// a proxy can relay tokens before the answer is whole.
	OnDelta func(text string)
	// OnWait, when set on a streamed request, is called on the same
	// goroutine as OnDelta each time the backend has handed over every
	// delta it has read and is about to read more of the stream, which may
	// block. A proxy holds the deltas it relays until then and writes them
	// in one go: events that arrived together leave together, and none
	// waits for the upstream's next bytes.
	OnWait func()
	// OnStart, when set on a streamed request, is called once an attempt
	// has a 2xx answer and before its first delta or event, with the
	// upstream's request id (Response.RequestID): a proxy puts it in the
	// headers it has not sent yet. A retried attempt calls it again.
	OnStart func(requestID string)
	// Native, when set, is sent instead of Messages/Prompt: the client's
	// own body, relayed to a backend of the same wire (see Native).
	Native *Native
}

// Message is one turn of a conversation.
type Message struct {
	Role    string `json:"role"` // "user" | "assistant"
	Content string `json:"content"`
}

// Conversation is the request's messages: Messages, or Prompt as one user turn.
func (r *Request) Conversation() []Message {
	if len(r.Messages) > 0 {
		return r.Messages
	}
	return []Message{{Role: "user", Content: r.Prompt}}
}

// streamBody is body, telling OnWait before each read.
func (r *Request) streamBody(body io.ReadCloser) io.ReadCloser {
	if r.OnWait == nil {
		return body
	}
	return &waitingBody{ReadCloser: body, wait: r.OnWait}
}

type waitingBody struct {
	io.ReadCloser
	wait func()
}

func (b *waitingBody) Read(p []byte) (int, error) {
	b.wait()
	return b.ReadCloser.Read(p)
}

func (r *Request) delta(text string) {
	if r.OnDelta != nil && text != "" {
		r.OnDelta(text)
	}
}

// Usage is normalised across backends. A nil pointer means the backend did not
// report the count (never a made-up 0).
//
// InputTokens counts ALL prompt tokens including cache reads and cache writes
// (OpenAI semantics); for Anthropic it is input_tokens +
// cache_read_input_tokens + cache_creation_input_tokens. OutputTokens includes
// ReasoningTokens.
type Usage struct {
	InputTokens      *int64 `json:"input_tokens"`
	OutputTokens     *int64 `json:"output_tokens"`
	CachedTokens     *int64 `json:"cached_tokens"`
	CacheWriteTokens *int64 `json:"cache_write_tokens"`
	ReasoningTokens  *int64 `json:"reasoning_tokens"`
}

// DropNegative clears counts below zero, which no server can mean (a bug
// or a proxy's arithmetic): they are unknown, not figures to price or log.
// It returns the names of the fields it cleared.
func (u *Usage) DropNegative() []string {
	var dropped []string
	for _, f := range []struct {
		name string
		p    **int64
	}{{"input_tokens", &u.InputTokens}, {"output_tokens", &u.OutputTokens}, {"cached_tokens", &u.CachedTokens},
		{"cache_write_tokens", &u.CacheWriteTokens}, {"reasoning_tokens", &u.ReasoningTokens}} {
		if *f.p != nil && **f.p < 0 {
			dropped = append(dropped, f.name)
			*f.p = nil
		}
	}
	return dropped
}

// Timings are the server's own measurements: llama.cpp's "timings" object, or
// Ollama's native duration fields converted to milliseconds. Nil fields were
// not reported.
type Timings struct {
	Source              string   `json:"source"` // "llama.cpp" or "ollama"
	CacheN              *int64   `json:"cache_n"`
	PromptN             *int64   `json:"prompt_n"`
	PromptMS            *float64 `json:"prompt_ms"`
	PromptPerTokenMS    *float64 `json:"prompt_per_token_ms"`
	PromptPerSecond     *float64 `json:"prompt_per_second"`
	PredictedN          *int64   `json:"predicted_n"`
	PredictedMS         *float64 `json:"predicted_ms"`
	PredictedPerTokenMS *float64 `json:"predicted_per_token_ms"`
	PredictedPerSecond  *float64 `json:"predicted_per_second"`
	DraftN              *int64   `json:"draft_n,omitempty"`
	DraftNAccepted      *int64   `json:"draft_n_accepted,omitempty"`
	LoadMS              *float64 `json:"load_ms,omitempty"`  // Ollama load_duration
	TotalMS             *float64 `json:"total_ms,omitempty"` // Ollama total_duration
}

// Response is what one successful attempt returned.
type Response struct {
	Text          string
	Model         string        // model the server says answered
	Usage         Usage         //
	TTFT          time.Duration // time to first non-empty content token; 0 when not streamed
	Latency       time.Duration // request start to last byte
	Logprobs      []float64     // per output token, -9999 sentinel removed; nil when not returned
	ClampedTokens int           // logprobs dropped because they were the -9999 sentinel
	FinishReason  string
	ServerTimings *Timings // llama.cpp "timings" or Ollama durations when present
	// TokenTimes are the arrival times, since the request started, of the
	// streamed chunks that carried output (text or reasoning), when
	// Request.TokenTimes and Stream were set; one chunk may hold several
	// tokens (Usage.OutputTokens counts them).
	TokenTimes []time.Duration
	// Raw is the upstream's body as it came, for a non-streamed Native
	// request (the proxy relays it unchanged); nil otherwise.
	Raw []byte
	// RequestID is the upstream's id of the request (OpenAI's x-request-id,
	// Anthropic's request-id header), what its support asks for; "" when
	// the server sends none.
	RequestID string
}

// Backend sends prompts to one configured server/model.
type Backend interface {
	Name() string
	// Complete makes exactly ONE attempt, no retries. A failure is an *Error.
	Complete(ctx context.Context, req Request) (Response, error)
}

// Error codes set by this package (servers supply others, e.g.
// "insufficient_quota", "rate_limit_exceeded", "overloaded_error").
const (
	CodeTimeout           = "timeout"
	CodeCanceled          = "canceled"
	CodeConnection        = "connection_error"
	CodeMalformedResponse = "malformed_response"
	CodeTruncatedStream   = "truncated_stream"
	CodeStreamError       = "stream_error"
	CodeRetryAfterTooLong = "retry_after_too_long"
	CodeNativeWire        = "native_wire_mismatch" // a Native request for a backend of another wire; never sent
	CodeNativeBody        = "native_body_invalid"  // a Native body that is not a JSON object; never sent
)

// Error classifies a failed attempt.
type Error struct {
	Backend    string
	StatusCode int           // 0 for transport errors/timeouts
	Code       string        // e.g. "insufficient_quota", "rate_limit_exceeded", "overloaded_error", "timeout", "malformed_response", "truncated_stream"
	Message    string        // server message, scrubbed of the API key
	Retryable  bool          //
	RetryAfter time.Duration // from Retry-After / retry-after-ms headers, 0 if none
	// Partial is what a stream delivered before it broke or was cancelled
	// (text, TTFT and any usage the server had reported); nil otherwise.
	Partial *Response

	cause error // context errors, so errors.Is(err, context.Canceled) works
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "backend %s: ", e.Backend)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "HTTP %d ", e.StatusCode)
	}
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap exposes context.Canceled / context.DeadlineExceeded causes only;
// transport and SDK errors are summarised into Message, never wrapped, so no
// SDK error string (which may carry request details) reaches a log.
func (e *Error) Unwrap() error { return e.cause }

// Config describes one backend.
type Config struct {
	Name, API, BaseURL, Model, APIKeyEnv string        // API: "openai" | "anthropic" | "ollama"
	Timeout                              time.Duration // per attempt; 0 => DefaultTimeout
	HTTPClient                           *http.Client  // injected; nil => a default with sane transport (never http.DefaultClient)
	Getenv                               func(string) string
	// RequireAPIKey makes New fail when APIKeyEnv is empty; set it for
	// `source: cloud` backends. The default cloud endpoints always require one.
	RequireAPIKey bool
	// Now is the clock for latency, TTFT and HTTP-date Retry-After; nil => time.Now.
	Now func() time.Time
}

// New validates cfg and builds the backend. A missing API key names the
// environment variable, never a value.
func New(cfg Config) (Backend, error) {
	c, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	switch c.api {
	case APIOpenAI:
		return newOpenAI(c), nil
	case APIAnthropic:
		return newAnthropic(c), nil
	default:
		return newOllama(c), nil
	}
}

// common is the validated configuration every backend kind shares.
type common struct {
	name, api, model string
	baseURL          *url.URL
	apiKey           string
	timeout          time.Duration
	client           *http.Client
	now              func() time.Time
}

func resolve(cfg Config) (common, error) {
	name := cfg.Name
	if strings.TrimSpace(name) == "" {
		return common{}, errors.New("backend: name is required")
	}
	fail := func(format string, args ...any) (common, error) {
		return common{}, fmt.Errorf("backend %q: %s", name, fmt.Sprintf(format, args...))
	}
	api := strings.ToLower(strings.TrimSpace(cfg.API))
	var defaultURL string
	switch api {
	case APIOpenAI:
		defaultURL = DefaultOpenAIBaseURL
	case APIAnthropic:
		defaultURL = DefaultAnthropicBaseURL
	case APIOllama:
		defaultURL = DefaultOllamaBaseURL
	default:
		return fail("api %q is not one of openai, anthropic, ollama", cfg.API)
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return fail("model is required")
	}
	raw := strings.TrimSpace(cfg.BaseURL)
	if raw == "" {
		raw = defaultURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail("base_url %q is not an http(s) URL", cfg.BaseURL)
	}
	if u.User != nil {
		// Credentials in a URL end up in error messages; keys come from the environment.
		return fail("base_url must not contain credentials; use api_key_env")
	}
	if cfg.Timeout < 0 {
		return fail("timeout %s is negative", cfg.Timeout)
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	needKey := cfg.RequireAPIKey || IsCloudHost(u.Host)
	var key string
	if cfg.APIKeyEnv != "" {
		key = getenv(cfg.APIKeyEnv)
		if key == "" && LooksLikeAPIKey(cfg.APIKeyEnv) {
			return fail("api_key_env looks like an API key itself (value not shown); give the name of the environment variable that holds the key")
		}
		if key == "" {
			return fail("environment variable %s (api_key_env) is not set", cfg.APIKeyEnv)
		}
	} else if needKey {
		return fail("api_key_env is required for %s (API keys are read only from the environment)", u.Host)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	client := cfg.HTTPClient
	if client == nil {
		client = defaultHTTPClient()
	}
	client = sameHostRedirects(client)
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return common{name: name, api: api, model: cfg.Model, baseURL: u, apiKey: key,
		timeout: timeout, client: client, now: now}, nil
}

// apiKeyPrefixes start the keys of common LLM providers and code hosts.
var apiKeyPrefixes = []string{"sk-", "sk_", "AIza", "gsk_", "xai-", "hf_", "r8_", "pplx-", "ghp_", "github_pat_", "AKIA", "csk-", "nvapi-"}

// LooksLikeAPIKey reports whether s, given where the name of an environment
// variable belongs, is more likely a pasted key: a known key prefix, or a
// long token mixing lower case, upper case and digits (variable names are
// written in one case). Such a value must never be echoed in a message.
func LooksLikeAPIKey(s string) bool {
	for _, p := range apiKeyPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	var lower, upper, digit bool
	for _, c := range s {
		lower = lower || (c >= 'a' && c <= 'z')
		upper = upper || (c >= 'A' && c <= 'Z')
		digit = digit || (c >= '0' && c <= '9')
	}
	return len(s) >= 20 && lower && upper && digit
}

// cloudAPIDomains are hosted LLM APIs: a prompt sent to one of these
// hosts or their subdomains leaves the premises, whatever a policy calls
// the backend. Matched as the host itself or any subdomain of it.
var cloudAPIDomains = []string{
	"api.openai.com",
	"api.anthropic.com",
	"googleapis.com", // generativelanguage (Gemini) and *-aiplatform (Vertex AI)
	"openrouter.ai",
	"api.deepseek.com",
	"api.x.ai",
	"api.mistral.ai",
	"api.groq.com",
	"api.together.xyz",
	"api.together.ai",
	"api.fireworks.ai",
	"api.cohere.com",
	"api.cohere.ai",
	"api.perplexity.ai",
	"api.cerebras.ai",
	"api.sambanova.ai",
	"api.deepinfra.com",
	"api.hyperbolic.xyz",
	"api.novita.ai",
	"api.moonshot.ai",
	"api.ai21.com",
	"api.replicate.com",
	"dashscope.aliyuncs.com",
	"dashscope-intl.aliyuncs.com",
	"router.huggingface.co",
	"api-inference.huggingface.co",
	"models.github.ai",
	"openai.azure.com", // <resource>.openai.azure.com
	"services.ai.azure.com",
	"cognitiveservices.azure.com",
	"models.inference.ai.azure.com",
}

// IsCloudHost reports whether host (a URL host, with or without a port)
// is a known hosted LLM API (see cloudAPIDomains; also Amazon Bedrock).
func IsCloudHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(hostname(host)), ".")
	if h == "" {
		return false
	}
	for _, d := range cloudAPIDomains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	// bedrock-runtime.<region>.amazonaws.com; other amazonaws.com hosts
	// may be the user's own rented machines.
	return strings.HasPrefix(h, "bedrock") && strings.HasSuffix(h, ".amazonaws.com")
}

// EffectiveBaseURL is the URL a backend of api sends to: baseURL, or the
// api's default when it is empty ("" for an unknown api).
func EffectiveBaseURL(api, baseURL string) string {
	if raw := strings.TrimSpace(baseURL); raw != "" {
		return raw
	}
	switch strings.ToLower(strings.TrimSpace(api)) {
	case APIOpenAI:
		return DefaultOpenAIBaseURL
	case APIAnthropic:
		return DefaultAnthropicBaseURL
	case APIOllama:
		return DefaultOllamaBaseURL
	}
	return ""
}

// IsPrivateHost reports whether host (with or without a port) can only
// be a machine on the user's own network: loopback, a private address
// (RFC 1918, IPv6 ULA), link-local, localhost, a single-label name, or a
// name under .local, .internal, .lan, .home.arpa. Anything else may be a
// server anywhere, so calling it "local" is only a label.
func IsPrivateHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(hostname(host)), ".")
	if h == "" {
		return false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		a = a.Unmap()
		return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsUnspecified()
	}
	if h == "localhost" || !strings.Contains(h, ".") {
		return true
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".lan", ".home.arpa"} {
		if strings.HasSuffix(h, suffix) {
			return true
		}
	}
	return false
}

// hostname strips the port and IPv6 brackets from a URL host.
func hostname(host string) string {
	return (&url.URL{Host: host}).Hostname()
}

// errRedirectElsewhere refuses a redirect off the backend's host.
var errRedirectElsewhere = errors.New("redirect to another host refused")

// sameHostRedirects returns a copy of c that follows redirects only within
// the host it was asked: a 307/308 resends the prompt, and a "local"
// server redirecting to a cloud API would take a PII prompt off the
// premises past every check on the backend's own URL.
func sameHostRedirects(c *http.Client) *http.Client {
	cc := *c
	inner := c.CheckRedirect
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
			return fmt.Errorf("%w: %s sent it to %s", errRedirectElsewhere, via[0].URL.Host, req.URL.Host)
		}
		if inner != nil {
			return inner(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &cc
}

// defaultHTTPClient has no overall Timeout (it would cut long streams); the
// per-attempt context bounds each request instead.
func defaultHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}}
}

func (c common) Name() string { return c.name }

// attemptContext bounds one attempt by the configured timeout.
func (c common) attemptContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

func (c common) newError(status int, code, msg string, retryable bool) *Error {
	return &Error{Backend: c.name, StatusCode: status, Code: code,
		Message: scrub(msg, c.apiKey), Retryable: retryable}
}

// arrived notes one output chunk of a stream: the first sets TTFT, and each
// is kept in TokenTimes when the request asked for them.
func (c common) arrived(resp *Response, start time.Time, keep bool) {
	if resp.TTFT != 0 && !keep {
		return // the clock is read only when needed (tests step it per read)
	}
	at := c.now().Sub(start)
	if resp.TTFT == 0 {
		resp.TTFT = at
	}
	if keep {
		resp.TokenTimes = append(resp.TokenTimes, at)
	}
}

// htmlAnswer catches a 2xx HTML page where a stream or JSON belongs: a base
// URL that points at a web UI or a proxy's page rather than the API.
func (c common) htmlAnswer(raw *http.Response) *Error {
	mt, _, _ := mime.ParseMediaType(raw.Header.Get("Content-Type"))
	if mt != "text/html" {
		return nil
	}
	return c.newError(raw.StatusCode, CodeMalformedResponse, "the server answered with an HTML page (Content-Type text/html), not the "+c.api+" API: check the base URL", false)
}

// nativeRequest is the body to send for a Native request, or the error
// that stops it before anything is sent.
func (c common) nativeRequest(n *Native, forceUsage bool) ([]byte, *Error) {
	if n.API != c.api {
		return nil, c.newError(0, CodeNativeWire, "a request in the "+n.API+" wire cannot be relayed unchanged to a backend of the "+c.api+" wire", false)
	}
	body, err := nativeBody(n.Body, c.model, forceUsage)
	if err != nil {
		return nil, c.newError(0, CodeNativeBody, err.Error(), false)
	}
	return body, nil
}

// relay hands one raw SSE event to a Native request's OnEvent.
func (r *Request) relay(raw []byte) {
	if r.Native != nil && r.Native.OnEvent != nil && len(raw) > 0 {
		r.Native.OnEvent(raw)
	}
}

func int64p(v int64) *int64       { return &v }
func float64p(v float64) *float64 { return &v }
