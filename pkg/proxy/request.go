// Package proxy is the wire side of `llmcost route --listen`: it decodes
// OpenAI chat.completions and Anthropic messages request bodies into one
// neutral Request, encodes answers (whole or streamed as SSE) and errors
// back in the client's own wire format, and serves them over net/http
// through a route.Router, so the proxy uses the same policy, backends and
// pricing as batch `route`.
package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/llmcost/llmcost/pkg/backend"
)

// Wire formats a client can speak.
const (
	APIOpenAI    = "openai"
	APIAnthropic = "anthropic"
)

// Request is a client's chat request, whatever wire it came in on.
type Request struct {
	API      string // APIOpenAI | APIAnthropic: the client's wire
	Model    string
	System   string
	Messages []backend.Message
	// Texts is every piece of text in the request (system, messages, tool
	// calls and results), for the PII detector.
	Texts     []string
	MaxTokens int
	Stop      []string
	Stream    bool
	// Temperature and TopP are the OpenAI client's sampling parameters
	// (nil = not sent); the Anthropic wire has none.
	Temperature *float64
	TopP        *float64
	// IncludeUsage is the OpenAI client's stream_options.include_usage:
	// the proxy always asks the upstream for usage, and shows the client
	// the usage chunk only when it asked.
	IncludeUsage bool
	// Untranslatable names what the request carries that the proxy cannot
	// relay as text (tools, images, audio, documents), and by JSON name
	// every top-level field the decoder does not handle. Such a request is
	// relayed unchanged (Body) to a backend of the client's own wire, and
	// refused with 400 when the policy picks a backend of another wire.
	Untranslatable []string
	// Body is the client's request body, kept for the same-wire
	// passthrough of an untranslatable request (nil otherwise).
	Body []byte
}

// Error is an error answer, rendered in the client's wire format.
type Error struct {
	Status  int
	Type    string // OpenAI error type / Anthropic error type; "" = derived from Status
	Code    string // OpenAI "code" (e.g. "model_not_found"); optional
	Message string
	// anthropicType, for an Anthropic client, replaces the type Status
	// gives: the upstream's own, from an error event in a stream.
	anthropicType string
}

func (e *Error) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message) }

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// isNull reports an absent or JSON null raw value.
func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// nonEmptyList reports a raw value that is present and not null, [] or {}.
func nonEmptyList(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return !isNull(t) && !bytes.Equal(t, []byte("[]")) && !bytes.Equal(t, []byte("{}"))
}

func addOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func decodeStrict(body []byte, v any) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("request body is empty; want a JSON object")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("request body is not valid JSON for this endpoint: %s", jsonErrText(err))
	}
	return nil
}

// jsonErrText keeps encoding/json's message but not the Go type names.
func jsonErrText(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asTypeErr(err, &te); ok {
		if te.Field != "" {
			return fmt.Sprintf("field %q has the wrong type (%s)", te.Field, te.Value)
		}
		return fmt.Sprintf("a value has the wrong type (%s)", te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func asTypeErr(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

// reportUnhandled adds to r.Untranslatable, by JSON name, every top-level
// field of body that is present, not null, and not in handled: a field
// the proxy does not translate (response_format, seed, one OpenAI adds
// tomorrow) is relayed unchanged to a backend of the client's wire or
// refused, never dropped. Its value is scanned for PII too: a relayed
// body carries it. body is valid JSON (the decoder has read it).
//
// A field set to the API's own default (defaults) is not reported: sent or
// not, the answer is the same, so leaving it out drops nothing.
func reportUnhandled(r *Request, body []byte, handled map[string]bool, defaults map[string]func([]byte) bool) {
	eachField(body, func(key, value []byte) {
		if isNull(value) {
			return
		}
		raw := key[1 : len(key)-1]
		if handled[string(raw)] { // no allocation for the lookup
			return
		}
		if isDefault := defaults[string(raw)]; isDefault != nil && isDefault(value) {
			return
		}
		name := string(raw)
		if bytes.IndexByte(raw, '\\') >= 0 {
			_ = json.Unmarshal(key, &name)
			if handled[name] {
				return
			}
		}
		r.Untranslatable = addOnce(r.Untranslatable, name)
		r.Texts = append(r.Texts, string(value))
	})
}

// eachField calls fn with each top-level key (quoted, as written) and raw
// value of a JSON object. body must be valid JSON; anything else than an
// object calls fn never.
func eachField(body []byte, fn func(key, value []byte)) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(body, i)
		if i >= len(body) || body[i] != '"' {
			return // '}'
		}
		start := i
		i = skipString(body, i)
		key := body[start:i]
		i = skipSpace(body, i)
		if i >= len(body) || body[i] != ':' {
			return
		}
		i = skipSpace(body, i+1)
		start = i
		i = skipValue(body, i)
		fn(key, body[start:i])
		i = skipSpace(body, i)
		if i >= len(body) || body[i] != ',' {
			return
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that opens at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value that starts at b[i].
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i = skipString(b, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

// isZeroNumber reports a JSON number equal to 0 (0, 0.0, -0, 0e3).
func isZeroNumber(v []byte) bool {
	var f float64
	return json.Unmarshal(v, &f) == nil && f == 0
}

// isLiteral returns a check that a raw JSON value is exactly lit.
func isLiteral(lit string) func([]byte) bool {
	return func(v []byte) bool { return string(bytes.TrimSpace(v)) == lit }
}

// relayedTexts adds to r.Texts every string in body, keys included, as
// encoding/json decodes it, when r is to be relayed as it is (its
// Untranslatable is not empty). A relayed body reaches the upstream as
// written, so the PII detector must see all of it: the escaped text of
// raw JSON hides personal data ("\\n555-867-5309", "jane\\u0040x.com"),
// and a duplicate or case-variant key ("Messages" beside "messages") holds
// values the decoder never kept. body is valid JSON (the decoder has read
// it).
func relayedTexts(r *Request, body []byte) {
	if len(r.Untranslatable) == 0 {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		if s, ok := tok.(string); ok && s != "" {
			r.Texts = append(r.Texts, s)
		}
	}
}
