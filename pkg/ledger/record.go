// Package ledger is llmcost's JSONL cost log: the record schema, a
// crash-safe append-only writer, a streaming reader that tolerates a torn
// last line, and aggregation helpers shared by `route` and `report`.
package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Status values of a record.
//
// The proxy (route --listen) adds two: client_closed, a client that hung
// up before the answer was complete (the record keeps the tokens streamed
// so far, priced; it is final), and interrupted, a request cut short by
// the proxy's own shutdown (not final, like batch route's interrupted
// errors).
const (
	StatusOK           = "ok"
	StatusError        = "error"
	StatusClientClosed = "client_closed"
	StatusInterrupted  = "interrupted"
)

// API values of a record: the wire format the proxy's client spoke.
const (
	APIOpenAI    = "openai"
	APIAnthropic = "anthropic"
)

// Source values of a record.
const (
	SourceCloud = "cloud"
	SourceLocal = "local"
)

// ErrInterrupted is the error text of a prompt whose request was cut short
// by cancellation (Ctrl-C). Such records are not final: --resume runs the
// prompt again and the later record supersedes this one.
const ErrInterrupted = "interrupted"

// Record is one prompt's outcome: one JSON object per line. Token counts
// are pointers because a backend that does not report a count must be
// logged as null, never as a made-up 0.
type Record struct {
	TS       time.Time `json:"ts"`
	ID       string    `json:"id"`
	Backend  string    `json:"backend"`
	Model    string    `json:"model"`
	Source   string    `json:"source"` // cloud | local
	Status   string    `json:"status"` // ok | error | client_closed | interrupted
	Error    string    `json:"error"`
	Attempts int       `json:"attempts"`

	InputTokens     *int64 `json:"input_tokens"` // includes cache reads and writes
	OutputTokens    *int64 `json:"output_tokens"`
	CachedTokens    *int64 `json:"cached_tokens"`
	ReasoningTokens *int64 `json:"reasoning_tokens"`

	TTFTMs    *float64 `json:"ttft_ms"` // null when the request was not streamed
	LatencyMs *float64 `json:"latency_ms"`
	CostUSD   *USD     `json:"cost_usd"` // null when it could not be computed

	RouteReason  string   `json:"route_reason"`
	FallbackFrom string   `json:"fallback_from"`
	Confidence   *float64 `json:"confidence"` // exp(mean token logprob)

	// Extras: present only when they carry information.
	MinLogprob       *float64 `json:"min_logprob,omitempty"`
	CacheWriteTokens *int64   `json:"cache_write_tokens,omitempty"`
	BusyMs           *float64 `json:"busy_ms,omitempty"` // local: this request's share of busy time
	EstimatedCostUSD *USD     `json:"estimated_cost_usd,omitempty"`
	CostNote         string   `json:"cost_note,omitempty"` // why cost_usd is null, or what it assumes
	TokensEstimated  bool     `json:"tokens_estimated,omitempty"`
	Task             string   `json:"task,omitempty"`
	PII              []string `json:"pii,omitempty"` // entity kinds found, never values
	Prompt           *string  `json:"prompt,omitempty"`
	FinishReason     string   `json:"finish_reason,omitempty"`
	DryRun           bool     `json:"dry_run,omitempty"`
	Interrupted      bool     `json:"interrupted,omitempty"`
	Retryable        bool     `json:"retryable,omitempty"`
	// Proxy mode (route --listen):
	Client   string `json:"client,omitempty"`    // name of the proxy key the client used
	API      string `json:"api,omitempty"`       // the client's wire: openai | anthropic
	Shadow   bool   `json:"shadow,omitempty"`    // a shadow answer: not sent to the client
	ShadowOf string `json:"shadow_of,omitempty"` // id of the primary record a shadow answer belongs to
	// AnswerSHA256 and AnswerChars let report --compare measure agreement
	// without logging answer text: set them with SetAnswer.
	AnswerSHA256 string `json:"answer_sha256,omitempty"`
	AnswerChars  *int64 `json:"answer_chars,omitempty"`
	// Escalated is the first answer of a prompt that fell back to another
	// backend: its own cost and tokens, kept so nothing spent is lost.
	Escalated *Leg `json:"escalated_from,omitempty"`
}

// Leg is the local answer that was replaced by a fallback.
type Leg struct {
	Backend         string   `json:"backend"`
	Model           string   `json:"model"`
	Source          string   `json:"source"`
	Attempts        int      `json:"attempts"`
	InputTokens     *int64   `json:"input_tokens"`
	OutputTokens    *int64   `json:"output_tokens"`
	CachedTokens    *int64   `json:"cached_tokens"`
	ReasoningTokens *int64   `json:"reasoning_tokens"`
	TTFTMs          *float64 `json:"ttft_ms"`
	LatencyMs       *float64 `json:"latency_ms"`
	BusyMs          *float64 `json:"busy_ms,omitempty"`
	CostUSD         *USD     `json:"cost_usd"`
	CostNote        string   `json:"cost_note,omitempty"`
	Confidence      *float64 `json:"confidence"`
	MinLogprob      *float64 `json:"min_logprob,omitempty"`
}

// Final reports whether the record closes its prompt: ok, or an error that
// is not an interruption. Dry-run records never close a prompt.
//
// The --resume rule: skip ids that have a final record; run the others
// again (interrupted ones and ones never reached). Over a run and its
// resumes each prompt therefore has exactly one final record; interrupted
// records stay in the log (they may have cost money) and are superseded.
func (r *Record) Final() bool {
	if r.DryRun {
		return false
	}
	switch r.Status {
	case StatusOK, StatusClientClosed:
		return true
	case StatusError:
		return !r.Interrupted
	}
	return false
}

// IsInterrupted reports whether the request was cut short by llmcost's own
// cancellation: batch route's interrupted errors or the proxy's status.
func (r *Record) IsInterrupted() bool { return r.Interrupted || r.Status == StatusInterrupted }

// SetAnswer records the digest and length (in characters) of the answer
// text, trimmed of surrounding white space, so two answers can be compared
// for exact match and length without the text being in the ledger.
func (r *Record) SetAnswer(text string) {
	text = strings.TrimSpace(text)
	sum := sha256.Sum256([]byte(text))
	r.AnswerSHA256 = hex.EncodeToString(sum[:])
	r.AnswerChars = Int64(int64(utf8.RuneCountInString(text)))
}

// USD is an exact amount of US dollars that marshals as a plain JSON
// number (shopspring's default is a quoted string, which DESIGN forbids).
type USD struct{ decimal.Decimal }

// NewUSD wraps d.
func NewUSD(d decimal.Decimal) *USD { return &USD{d} }

// MarshalJSON writes the exact decimal as a JSON number.
func (u USD) MarshalJSON() ([]byte, error) { return []byte(u.Decimal.String()), nil }

// UnmarshalJSON reads a JSON number (or, leniently, a quoted decimal)
// without passing through float64.
func (u *USD) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("cost %q is not a decimal number", b)
	}
	u.Decimal = d
	return nil
}

// Marshal renders a record as one line, newline included, so the writer
// can emit it with a single write.
func Marshal(r *Record) ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeLine(&buf, r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeLine appends r's line, newline included, to buf.
func encodeLine(buf *bytes.Buffer, r *Record) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return enc.Encode(r) // Encode appends '\n'
}

// ParseLine decodes and checks one ledger line (without its newline).
func ParseLine(line []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("not a ledger record: %w", err)
	}
	if dec.More() {
		return Record{}, errors.New("not a ledger record: trailing data after the JSON object")
	}
	if err := r.check(); err != nil {
		return Record{}, err
	}
	return r, nil
}

func (r *Record) check() error {
	switch {
	case r.ID == "":
		return errors.New("record has no id")
	case r.Status != StatusOK && r.Status != StatusError && r.Status != StatusClientClosed && r.Status != StatusInterrupted:
		return fmt.Errorf("record %q: status %q is not ok, error, client_closed or interrupted", r.ID, r.Status)
	case r.Shadow && r.ShadowOf == "":
		return fmt.Errorf("record %q: shadow record has no shadow_of", r.ID)
	case r.API != "" && r.API != APIOpenAI && r.API != APIAnthropic:
		return fmt.Errorf("record %q: api %q is not openai or anthropic", r.ID, r.API)
	case r.TS.IsZero():
		return fmt.Errorf("record %q: missing ts", r.ID)
	}
	if r.Source != "" && r.Source != SourceCloud && r.Source != SourceLocal {
		return fmt.Errorf("record %q: source %q is not cloud or local", r.ID, r.Source)
	}
	if err := checkFigures(r.ID, "", r.InputTokens, r.OutputTokens, r.CachedTokens, r.ReasoningTokens, r.CostUSD, r.EstimatedCostUSD, r.TTFTMs, r.LatencyMs); err != nil {
		return err
	}
	if l := r.Escalated; l != nil {
		return checkFigures(r.ID, "escalated_from.", l.InputTokens, l.OutputTokens, l.CachedTokens, l.ReasoningTokens, l.CostUSD, nil, l.TTFTMs, l.LatencyMs)
	}
	return nil
}

// Bounds of a record's figures: far above any real request, and safely
// inside what the readers sum (int64 tokens, exact decimal dollars).
const (
	maxRecordTokens = 1e15
	maxRecordUSD    = 1e9
)

var maxUSD = decimal.NewFromInt(maxRecordUSD)

// checkFigures refuses counts, costs and times no request can have: a
// negative or absurd one says the line was not written by a sane writer,
// and summing it would turn the whole report into nonsense.
func checkFigures(id, prefix string, in, out, cached, reasoning *int64, cost, estimate *USD, ttft, latency *float64) error {
	for _, c := range []struct {
		name string
		p    *int64
	}{{"input_tokens", in}, {"output_tokens", out}, {"cached_tokens", cached}, {"reasoning_tokens", reasoning}} {
		switch {
		case c.p == nil:
		case *c.p < 0:
			return fmt.Errorf("record %q: %s%s is negative", id, prefix, c.name)
		case *c.p > maxRecordTokens:
			return fmt.Errorf("record %q: %s%s %d is too large (at most 1e15)", id, prefix, c.name, *c.p)
		}
	}
	for _, c := range []struct {
		name string
		p    *USD
	}{{"cost_usd", cost}, {"estimated_cost_usd", estimate}} {
		switch {
		case c.p == nil:
		case c.p.Decimal.IsNegative():
			return fmt.Errorf("record %q: %s%s %s is negative", id, prefix, c.name, c.p.Decimal)
		case c.p.Decimal.GreaterThan(maxUSD):
			return fmt.Errorf("record %q: %s%s is too large for one request (at most $1,000,000,000)", id, prefix, c.name)
		}
	}
	for _, c := range []struct {
		name string
		p    *float64
	}{{"ttft_ms", ttft}, {"latency_ms", latency}} {
		if c.p != nil && *c.p < 0 {
			return fmt.Errorf("record %q: %s%s is negative", id, prefix, c.name)
		}
	}
	return nil
}

// Int64 returns a pointer to v (for building records).
func Int64(v int64) *int64 { return &v }

// Float returns a pointer to v (for building records).
func Float(v float64) *float64 { return &v }

// Ms converts a duration to fractional milliseconds.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
