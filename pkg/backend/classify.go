package backend

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// maxErrorBody bounds how much of an error response is read: error bodies are
// small, and a misconfigured URL can return an endless HTML page.
const maxErrorBody = 64 << 10

// maxMessageRunes keeps Error.Message one readable line in a ledger.
const maxMessageRunes = 500

// wireError is the union of the error objects the supported servers send:
// OpenAI {"message","type","param","code":"..."}, vLLM/llama.cpp with an
// integer code, Anthropic {"type","message","details":{"error_code"}}.
type wireError struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
	Details struct {
		ErrorCode string `json:"error_code"`
	} `json:"details"`
}

// parseWireError reads an error body. Envelopes: {"error":{...}} (OpenAI,
// Anthropic, llama.cpp), {"error":"text"} (Ollama), top-level
// {"message","type","code"} (older vLLM), {"detail":"text"} (FastAPI).
// ok is false when the body is not JSON at all.
func parseWireError(body []byte) (w wireError, ok bool) {
	var env struct {
		Error  json.RawMessage `json:"error"`
		Detail json.RawMessage `json:"detail"`
		wireError
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return wireError{}, false
	}
	w = env.wireError
	if len(env.Error) > 0 {
		var s string
		if json.Unmarshal(env.Error, &s) == nil {
			w.Message = s
		} else {
			var inner wireError
			if json.Unmarshal(env.Error, &inner) == nil {
				w = inner
			}
		}
	}
	if w.Message == "" && len(env.Detail) > 0 {
		var s string
		if json.Unmarshal(env.Detail, &s) == nil {
			w.Message = s
		} else {
			w.Message = string(env.Detail)
		}
	}
	return w, true
}

// hasErrorObject reports a top-level, non-null "error" member.
func hasErrorObject(body []byte) bool {
	var probe struct {
		Error json.RawMessage `json:"error"`
	}
	return json.Unmarshal(body, &probe) == nil && len(probe.Error) > 0 && string(probe.Error) != "null"
}

// code picks the most specific machine-readable reason.
func (w wireError) code() string {
	if w.Details.ErrorCode != "" {
		return w.Details.ErrorCode
	}
	var s string
	if json.Unmarshal(w.Code, &s) == nil && s != "" {
		return s
	}
	return w.Type
}

// isQuotaExhausted reports errors that no amount of waiting fixes this month:
// OpenAI insufficient_quota (2026 variant: credit_balance_exhausted),
// Anthropic *_spend_limit_reached and billing_error.
func isQuotaExhausted(values ...string) bool {
	for _, v := range values {
		switch v {
		case "insufficient_quota", "credit_balance_exhausted", "billing_hard_limit_reached", "billing_error":
			return true
		}
		if strings.HasSuffix(v, "_spend_limit_reached") {
			return true
		}
	}
	return false
}

// retryableStatus is the status-only part of the classification.
// 409 is retried like the SDKs do (lock/conflict on the provider side);
// 501 and 505 will not change on a retry.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return status >= 500
}

// httpError classifies a non-2xx response. It reads (and closes) the body.
func (c common) httpError(resp *http.Response) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	return c.classifyHTTP(resp.StatusCode, resp.Header, body)
}

func (c common) classifyHTTP(status int, h http.Header, body []byte) *Error {
	w, isJSON := parseWireError(body)
	code := w.code()
	if code == "" {
		code = "http_" + strconv.Itoa(status)
	}
	msg := w.Message
	if msg == "" {
		msg = http.StatusText(status)
		if !isJSON && len(bytes.TrimSpace(body)) > 0 {
			msg += ": " + string(body)
		}
	}
	retryable := retryableStatus(status)
	switch strings.ToLower(h.Get("x-should-retry")) {
	case "true":
		retryable = true
	case "false":
		retryable = false
	}
	if isQuotaExhausted(code, w.Type, w.Details.ErrorCode) {
		retryable = false
	}
	e := c.newError(status, code, msg, retryable)
	e.RetryAfter = parseRetryAfter(h, c.now())
	return e
}

// streamError classifies an error object that arrived inside a 200 stream
// (Anthropic `event: error`, OpenAI-compatible `data: {"error":...}`). The
// HTTP status was fine, so the failure is server-side and retryable unless
// its type says the request itself is wrong.
func (c common) streamError(data []byte) *Error {
	w, ok := parseWireError(data)
	if !ok {
		return c.newError(0, CodeStreamError, string(data), true)
	}
	code := w.code()
	if code == "" {
		code = CodeStreamError
	}
	retryable := true
	switch w.Type {
	case "invalid_request_error", "authentication_error", "permission_error", "not_found_error", "request_too_large":
		retryable = false
	}
	if isQuotaExhausted(code, w.Type, w.Details.ErrorCode) {
		retryable = false
	}
	msg := w.Message
	if msg == "" {
		msg = string(data)
	}
	return c.newError(0, code, msg, retryable)
}

// transportError classifies a failure without an HTTP status. parent is the
// caller's context: when it is done the caller gave up (Ctrl-C, run deadline),
// which is never retried; when only the attempt's own deadline passed it is a
// retryable timeout.
func (c common) transportError(parent context.Context, err error) *Error {
	if perr := parent.Err(); perr != nil {
		e := c.newError(0, CodeCanceled, perr.Error(), false)
		e.cause = perr
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		e := c.newError(0, CodeTimeout, fmt.Sprintf("no complete response within %s", c.timeout), true)
		e.cause = context.DeadlineExceeded
		return e
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return c.newError(0, CodeTimeout, err.Error(), true)
	}
	if errors.Is(err, errRedirectElsewhere) {
		return c.newError(0, "redirect_refused", err.Error(), false)
	}
	// Certificate and name-resolution failures do not heal on a retry.
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return c.newError(0, "tls_error", err.Error(), false)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return c.newError(0, "dns_not_found", err.Error(), false)
	}
	return c.newError(0, CodeConnection, err.Error(), true)
}

// parseRetryAfter reads retry-after-ms (milliseconds, fractional allowed; the
// OpenAI/Anthropic SDKs prefer it) and then Retry-After (delta seconds or an
// HTTP-date). 0 means no usable hint.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("retry-after-ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < 1e12 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("retry-after"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s > 0 && s < 1e9 {
			return time.Duration(s * float64(time.Second))
		}
		return 0
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// maskedKey matches the partly-starred key OpenAI echoes in 401 messages
// ("Incorrect API key provided: sk-proj-****abcd").
var maskedKey = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b(sk|sk-ant|sk-proj)-[A-Za-z0-9_\-]*\*{3,}[A-Za-z0-9_\-]*`)
})

// scrub makes a server or transport message safe to print: the key value and
// any masked echo of it are removed, whitespace is folded onto one line, and
// the length is capped.
func scrub(msg, key string) string {
	if key != "" {
		msg = strings.ReplaceAll(msg, key, "[REDACTED]")
	}
	msg = maskedKey().ReplaceAllString(msg, "[REDACTED]")
	msg = strings.Join(strings.Fields(msg), " ")
	if utf8.RuneCountInString(msg) > maxMessageRunes {
		r := []rune(msg)
		msg = string(r[:maxMessageRunes]) + "…"
	}
	return msg
}
