// Package route sends prompts through the backends a routing policy names:
// policy loading and validation, PII-aware rule matching, logprob
// confidence and local→cloud fallback, a streamed prompt reader, and the
// runner (concurrency, per-backend rate limits, retries, cost per record).
package route

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/fileissue"
	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Backend sources and APIs.
const (
	SourceCloud = "cloud"
	SourceLocal = "local"

	APIOpenAI    = "openai"
	APIAnthropic = "anthropic"
	APIOllama    = "ollama"
)

// Policy is a parsed and validated route policy file.
type Policy struct {
	SchemaVersion int             `yaml:"schema_version"`
	Backends      []PolicyBackend `yaml:"backends"`
	Rules         []Rule          `yaml:"rules"`
	Fallback      *Fallback       `yaml:"fallback,omitempty"`
	Shadow        *Shadow         `yaml:"shadow,omitempty"`

	File   string                    `yaml:"-"`
	byName map[string]*PolicyBackend `yaml:"-"`
}

// PolicyBackend is one server/model a rule can send prompts to.
type PolicyBackend struct {
	Name      string        `yaml:"name"`
	Source    string        `yaml:"source"` // cloud | local
	API       string        `yaml:"api"`    // openai | anthropic | ollama
	BaseURL   string        `yaml:"base_url,omitempty"`
	Model     string        `yaml:"model"`
	Price     string        `yaml:"price,omitempty"`      // catalog model id priced per token
	HourlyUSD *Money        `yaml:"hourly_usd,omitempty"` // local: cost of the machine per hour
	APIKeyEnv string        `yaml:"api_key_env,omitempty"`
	RPM       int           `yaml:"rpm,omitempty"`
	TPM       int           `yaml:"tpm,omitempty"`
	Timeout   time.Duration `yaml:"timeout,omitempty"`
	// Logprobs says whether the server returns token logprobs. Default:
	// true for api openai, false for anthropic and ollama.
	Logprobs *bool `yaml:"logprobs,omitempty"`

	Line  int            `yaml:"-"`
	lines map[string]int // line of each key, for messages
}

// HasLogprobs is the effective logprobs setting.
func (b *PolicyBackend) HasLogprobs() bool {
	if b.Logprobs != nil {
		return *b.Logprobs
	}
	return b.API == APIOpenAI
}

// RequestLogprobs says whether to ask this backend for logprobs: always
// when the policy says `logprobs: true`; by default only for local
// servers, since some cloud models (reasoning models, Gemini's OpenAI
// layer) reject the parameter and confidence only drives local fallback.
func (b *PolicyBackend) RequestLogprobs() bool {
	if b.Logprobs != nil {
		return *b.Logprobs
	}
	return b.HasLogprobs() && !b.Cloud()
}

// Cloud reports whether prompts sent here leave the premises.
func (b *PolicyBackend) Cloud() bool { return b.Source != SourceLocal }

// Host is the host (with port, if any) of the URL this backend sends to:
// base_url, or the api's default; "" when that is not a URL.
func (b *PolicyBackend) Host() string {
	u, err := url.Parse(backend.EffectiveBaseURL(b.API, b.BaseURL))
	if err != nil {
		return ""
	}
	return u.Host
}

// CloudHost reports whether this backend's URL is a known cloud API,
// whatever its source label says.
func (b *PolicyBackend) CloudHost() bool { return backend.IsCloudHost(b.Host()) }

// Rule sends prompts matching When to Use; a rule without When is the default.
type Rule struct {
	When  *When  `yaml:"when,omitempty"`
	Use   string `yaml:"use"`
	Line  int    `yaml:"-"`
	lines map[string]int
}

// When is a rule's condition; all given fields must match.
type When struct {
	Task StringList `yaml:"task,omitempty"`
	PII  *bool      `yaml:"pii,omitempty"`
}

func (w *When) empty() bool { return w == nil || (len(w.Task) == 0 && w.PII == nil) }

func (w *When) String() string {
	var parts []string
	if len(w.Task) > 0 {
		parts = append(parts, "task="+strings.Join(w.Task, "|"))
	}
	if w.PII != nil {
		parts = append(parts, "pii="+strconv.FormatBool(*w.PII))
	}
	return strings.Join(parts, ",")
}

// Fallback re-asks To when From answered with low confidence.
type Fallback struct {
	From          string  `yaml:"from" json:"from"`
	To            string  `yaml:"to" json:"to"`
	MinConfidence float64 `yaml:"min_confidence" json:"min_confidence"`
	Line          int     `yaml:"-" json:"-"`
	lines         map[string]int
}

// Shadow also sends a sampled share of the proxy's requests to To, after
// the client has its answer, to measure what the other side would have
// cost and how fast it would have been (route --listen; see ShadowTarget).
type Shadow struct {
	To     string   `yaml:"to" json:"to"`
	Sample *float64 `yaml:"sample" json:"sample"` // share of eligible requests, in [0, 1]
	Line   int      `yaml:"-" json:"-"`
	lines  map[string]int
}

// StringList accepts a YAML sequence or a single scalar.
type StringList []string

// UnmarshalYAML implements yaml.Unmarshaler.
func (l *StringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = StringList{n.Value}
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = s
		return nil
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: want a task name or a list of names", n.Line, n.Column)}}
}

// Money is an exact decimal read from its YAML literal (never via float64).
type Money struct{ decimal.Decimal }

// UnmarshalYAML implements yaml.Unmarshaler.
func (m *Money) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: want a number of US dollars", n.Line, n.Column)}}
	}
	d, err := decimal.NewFromString(strings.ReplaceAll(n.Value, "_", ""))
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: %q is not a number", n.Line, n.Column, n.Value)}}
	}
	m.Decimal = d
	return nil
}

// MarshalYAML writes the exact decimal.
func (m Money) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: m.String()}, nil
}

// Backend returns the backend called name, or nil.
func (p *Policy) Backend(name string) *PolicyBackend { return p.byName[name] }

// Issue is a policy problem at file:line.
type Issue struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (i Issue) String() string {
	var b strings.Builder
	b.WriteString(i.File)
	if i.Line > 0 {
		fmt.Fprintf(&b, ":%d", i.Line)
	}
	b.WriteString(": ")
	if i.Field != "" {
		b.WriteString(i.Field + ": ")
	}
	b.WriteString(i.Msg)
	return b.String()
}

// PolicyError lists every error found in a policy file.
type PolicyError struct{ Issues []Issue }

func (e *PolicyError) Error() string {
	lines := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		lines[i] = is.String()
	}
	return strings.Join(lines, "\n")
}

// Options are the outside checks a policy needs.
type Options struct {
	// CheckPrice reports whether a `price:` catalog id exists (nil skips the check).
	CheckPrice func(id string) error
}

// LoadPolicy reads and validates a policy file.
func LoadPolicy(path string, opts Options) (*Policy, []Issue, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return ParsePolicy(path, data, opts)
}

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) })

// ParsePolicy decodes data strictly (unknown keys are errors) and
// validates it. Warnings are returned even when the policy is valid.
func ParsePolicy(file string, data []byte, opts Options) (*Policy, []Issue, error) {
	var p Policy
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, &PolicyError{[]Issue{{File: file, Msg: "empty policy file"}}}
		}
		return nil, nil, yamlError(file, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, nil, &PolicyError{[]Issue{{File: file, Line: extra.Line, Msg: "a policy file holds one YAML document"}}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, yamlError(file, data, err)
	}
	attachLines(&p, &root)
	p.File = file
	errs, warns := p.validate(opts)
	if len(errs) > 0 {
		return nil, warns, &PolicyError{errs}
	}
	return &p, warns, nil
}

func yamlError(file string, data []byte, err error) error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	pe := &PolicyError{}
	vals := sync.OnceValue(func() []fileissue.Value { return fileissue.Values(data) }) // when a message has a line
	for _, m := range msgs {
		is := Issue{File: file, Msg: m}
		if sm := yamlLineRE().FindStringSubmatch(m); sm != nil {
			is.Line, _ = strconv.Atoi(sm[1])
			is.Msg = sm[2]
			is.Field, is.Msg = fieldOf(vals(), is.Line, is.Msg)
		}
		if f, typ, ok := unknownKey(is.Msg); ok {
			if is.Field == "" {
				is.Field = f
			}
			is.Msg = "unknown key (allowed: " + strings.Join(fileissue.YAMLKeys(typ), ", ") + ")"
		}
		is.Msg = fileissue.PlainTypeError(is.Msg)
		pe.Issues = append(pe.Issues, is)
	}
	return pe
}

// fieldOf names the field a decoding error at line is about: by the
// column our own decoders add ("column N: ..."), else by the value yaml
// quotes in backticks ("cannot unmarshal !!str `soon` into ..."), else by
// the only value on the line. It returns the message without the column.
func fieldOf(vals []fileissue.Value, line int, msg string) (string, string) {
	if col, rest, ok := fileissue.CutColumn(msg); ok {
		msg = rest
		for _, v := range vals {
			if v.Line == line && v.Column == col {
				return v.Path, msg
			}
		}
	}
	var quoted string
	if _, after, ok := strings.Cut(msg, "`"); ok {
		quoted, _, _ = strings.Cut(after, "`")
		quoted = strings.TrimSuffix(quoted, "...")
	}
	var onLine []string
	for _, v := range vals {
		if v.Line != line {
			continue
		}
		if quoted != "" && strings.HasPrefix(v.Scalar, quoted) {
			return v.Path, msg
		}
		onLine = append(onLine, v.Path)
	}
	if len(onLine) == 1 {
		return onLine[0], msg
	}
	return "", msg
}

// attachLines records where each backend, rule and the fallback start, so
// validation messages can point at file:line.
func attachLines(p *Policy, root *yaml.Node) {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i], doc.Content[i+1]
		switch key.Value {
		case "backends":
			for j, item := range val.Content {
				if j < len(p.Backends) {
					p.Backends[j].Line, p.Backends[j].lines = item.Line, keyLines(item)
				}
			}
		case "rules":
			for j, item := range val.Content {
				if j < len(p.Rules) {
					p.Rules[j].Line, p.Rules[j].lines = item.Line, keyLines(item)
				}
			}
		case "fallback":
			if p.Fallback != nil {
				p.Fallback.Line, p.Fallback.lines = key.Line, keyLines(val)
			}
		case "shadow":
			if p.Shadow != nil {
				p.Shadow.Line, p.Shadow.lines = key.Line, keyLines(val)
			}
		}
	}
}

func keyLines(m *yaml.Node) map[string]int {
	lines := map[string]int{}
	if m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			lines[m.Content[i].Value] = m.Content[i].Line
		}
	}
	return lines
}

// at is the line of key in an item, else the item's own line.
func at(lines map[string]int, key string, fallback int) int {
	if l, ok := lines[key]; ok {
		return l
	}
	return fallback
}

var (
	nameRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`) })
	envVarRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
)

func (p *Policy) validate(opts Options) (errs, warns []Issue) {
	bad := func(line int, field, format string, a ...any) {
		errs = append(errs, Issue{p.File, line, field, fmt.Sprintf(format, a...)})
	}
	warn := func(line int, field, format string, a ...any) {
		warns = append(warns, Issue{p.File, line, field, fmt.Sprintf(format, a...)})
	}
	if p.SchemaVersion != 1 {
		bad(1, "schema_version", "must be 1 (got %d)", p.SchemaVersion)
	}
	if len(p.Backends) == 0 {
		bad(1, "backends", "at least one backend is required")
	}
	p.byName = map[string]*PolicyBackend{}
	hasLocal := false
	for i := range p.Backends {
		b := &p.Backends[i]
		f := func(k string) string { return fmt.Sprintf("backends[%d].%s", i, k) }
		switch {
		case b.Name == "":
			bad(at(b.lines, "name", b.Line), f("name"), "required")
		case !nameRE().MatchString(b.Name):
			bad(at(b.lines, "name", b.Line), f("name"), "%q: use letters, digits, '.', '_' or '-'", b.Name)
		case p.byName[b.Name] != nil:
			bad(at(b.lines, "name", b.Line), f("name"), "duplicate backend %q (first at line %d)", b.Name, p.byName[b.Name].Line)
		default:
			p.byName[b.Name] = b
		}
		switch b.Source {
		case SourceLocal:
			hasLocal = true
		case SourceCloud:
		default:
			bad(at(b.lines, "source", b.Line), f("source"), "%q: want cloud or local", b.Source)
		}
		switch b.API {
		case APIOpenAI, APIAnthropic, APIOllama:
		default:
			bad(at(b.lines, "api", b.Line), f("api"), "%q: want openai, anthropic or ollama", b.API)
		}
		if b.Model == "" {
			bad(at(b.lines, "model", b.Line), f("model"), "required")
		}
		badURL := b.BaseURL != "" && !strings.HasPrefix(b.BaseURL, "http://") && !strings.HasPrefix(b.BaseURL, "https://")
		if u, err := url.Parse(strings.TrimSpace(b.BaseURL)); err == nil && u.User != nil {
			// Not echoed: the URL holds a password or token.
			badURL = true
			bad(at(b.lines, "base_url", b.Line), f("base_url"), "must not contain credentials (value not shown); put the key in an environment variable and name it in api_key_env")
		} else if badURL {
			bad(at(b.lines, "base_url", b.Line), f("base_url"), "%s: want an http:// or https:// URL", quoteURL(b.BaseURL))
		} else if u, err := url.Parse(strings.TrimSpace(b.BaseURL)); b.BaseURL != "" && (err != nil || u.Host == "") {
			// The client refuses it too, but only when a run starts.
			badURL = true
			bad(at(b.lines, "base_url", b.Line), f("base_url"), "%s: not a URL with a host (e.g. http://localhost:8000/v1)", quoteURL(b.BaseURL))
		}
		if b.Source == SourceLocal && !badURL {
			// The PII guard trusts this label, so it must not point at a cloud API.
			host := b.Host()
			shown := (&url.URL{Host: host}).Hostname()
			switch {
			case strings.TrimSpace(b.BaseURL) == "":
				bad(at(b.lines, "source", b.Line), f("source"), "\"local\" needs an explicit base_url, the server's URL (e.g. http://localhost:8000/v1); without one api %s sends to %s", b.API, backend.EffectiveBaseURL(b.API, ""))
			case backend.IsCloudHost(host):
				bad(at(b.lines, "source", b.Line), f("source"), "\"local\" but base_url host %s is a cloud API; prompts sent there leave the premises: use source: cloud", shown)
			case !backend.IsPrivateHost(host):
				warn(at(b.lines, "base_url", b.Line), f("base_url"), "host %s is not on a private network (loopback, RFC 1918/ULA/link-local address, single-label or .local/.internal/.lan name); \"local\" is only a label here, and PII prompts will be sent to it", shown)
			}
		}
		switch {
		case b.Price != "" && b.HourlyUSD != nil:
			bad(at(b.lines, "price", b.Line), f("price"), "give price or hourly_usd, not both")
		case b.Price == "" && b.HourlyUSD == nil:
			bad(at(b.lines, "price", b.Line), f("price"), "unpriced backend: give price (a catalog model id) or hourly_usd (local); unknown is never $0")
		case b.HourlyUSD != nil && b.Source == SourceCloud:
			bad(at(b.lines, "hourly_usd", b.Line), f("hourly_usd"), "a cloud backend is priced per token: use price: <catalog id>")
		case b.HourlyUSD != nil && b.HourlyUSD.IsNegative():
			bad(at(b.lines, "hourly_usd", b.Line), f("hourly_usd"), "must not be negative")
		case b.HourlyUSD != nil && b.HourlyUSD.GreaterThan(decimal.NewFromInt(100_000)):
			// The dearest rented machines (8x H200) cost tens of dollars an hour.
			bad(at(b.lines, "hourly_usd", b.Line), f("hourly_usd"), "is implausible: over 100,000 USD per hour")
		case b.Price != "" && opts.CheckPrice != nil:
			if err := opts.CheckPrice(b.Price); err != nil {
				bad(at(b.lines, "price", b.Line), f("price"), "%v", err)
			}
		}
		// Never echo the value: a key pasted here would end up on the terminal or in CI logs.
		switch {
		case b.APIKeyEnv == "":
		case backend.LooksLikeAPIKey(b.APIKeyEnv):
			bad(at(b.lines, "api_key_env", b.Line), f("api_key_env"), "looks like an API key itself (value not shown); give the name of the environment variable that holds the key, and keep the key out of this file")
		case !envVarRE().MatchString(b.APIKeyEnv):
			bad(at(b.lines, "api_key_env", b.Line), f("api_key_env"), "not an environment variable name (value not shown): give the variable's name, never the key")
		}
		if b.RPM < 0 || b.TPM < 0 {
			bad(at(b.lines, "rpm", b.Line), f("rpm"), "rpm and tpm must not be negative")
		}
		if b.Timeout < 0 {
			bad(at(b.lines, "timeout", b.Line), f("timeout"), "must not be negative")
		}
	}

	if len(p.Rules) == 0 {
		bad(1, "rules", "at least one rule is required (the last one without `when` is the default)")
	}
	defaultAt := -1
	for i := range p.Rules {
		r := &p.Rules[i]
		f := func(k string) string { return fmt.Sprintf("rules[%d].%s", i, k) }
		b := p.byName[r.Use]
		switch {
		case r.Use == "":
			bad(at(r.lines, "use", r.Line), f("use"), "required")
		case b == nil:
			bad(at(r.lines, "use", r.Line), f("use"), "unknown backend %q (backends: %s)", r.Use, strings.Join(p.names(), ", "))
		}
		if defaultAt >= 0 {
			warn(r.Line, f("when"), "unreachable: the default rule at line %d matches every prompt first", p.Rules[defaultAt].Line)
		}
		if r.When.empty() {
			if defaultAt < 0 {
				defaultAt = i
			}
			continue
		}
		for _, t := range r.When.Task {
			if strings.TrimSpace(t) == "" {
				bad(at(r.lines, "when", r.Line), f("when.task"), "empty task name")
			}
		}
		if r.When.PII != nil && *r.When.PII && b != nil && b.Cloud() {
			bad(at(r.lines, "use", r.Line), f("use"), "a pii rule cannot send prompts to cloud backend %q; PII prompts stay local", r.Use)
		}
	}
	if len(p.Rules) > 0 && defaultAt < 0 {
		bad(p.Rules[len(p.Rules)-1].Line, "rules", "no default rule: add a last rule with only `use:` so every prompt has a backend")
	}
	if !hasLocal && len(p.Backends) > 0 {
		warn(1, "backends", "no local backend: prompts with personal data will be logged as errors and not sent")
	}

	if fb := p.Fallback; fb != nil {
		from, to := p.byName[fb.From], p.byName[fb.To]
		switch {
		case fb.From == "":
			bad(at(fb.lines, "from", fb.Line), "fallback.from", "required")
		case from == nil:
			bad(at(fb.lines, "from", fb.Line), "fallback.from", "unknown backend %q", fb.From)
		case from.Cloud():
			bad(at(fb.lines, "from", fb.Line), "fallback.from", "%q is a cloud backend; fallback goes from a local backend to a cloud one", fb.From)
		case !from.HasLogprobs():
			bad(at(fb.lines, "from", fb.Line), "fallback.from", "backend %q returns no logprobs (api %s), so confidence is never known and this fallback can never trigger; set `logprobs: true` on it if the server does return them, or remove fallback", fb.From, from.API)
		}
		switch {
		case fb.To == "":
			bad(at(fb.lines, "to", fb.Line), "fallback.to", "required")
		case to == nil:
			bad(at(fb.lines, "to", fb.Line), "fallback.to", "unknown backend %q", fb.To)
		case !to.Cloud():
			bad(at(fb.lines, "to", fb.Line), "fallback.to", "%q is a local backend; fallback goes to a cloud backend", fb.To)
		}
		if !(fb.MinConfidence > 0 && fb.MinConfidence <= 1) {
			bad(at(fb.lines, "min_confidence", fb.Line), "fallback.min_confidence", "want a number in (0, 1], e.g. 0.7 (exp of the mean token logprob)")
		}
	}
	if sh := p.Shadow; sh != nil {
		to := p.byName[sh.To]
		switch {
		case sh.To == "":
			bad(at(sh.lines, "to", sh.Line), "shadow.to", "required: the backend that also answers a sample of requests")
		case to == nil:
			bad(at(sh.lines, "to", sh.Line), "shadow.to", "unknown backend %q (backends: %s)", sh.To, strings.Join(p.names(), ", "))
		}
		switch {
		case sh.Sample == nil:
			bad(at(sh.lines, "sample", sh.Line), "shadow.sample", "required: the share of requests to shadow, in [0, 1] (e.g. 0.1)")
		case !(*sh.Sample >= 0 && *sh.Sample <= 1): // also rejects NaN
			bad(at(sh.lines, "sample", sh.Line), "shadow.sample", "%v is outside [0, 1]: want a share such as 0.1", *sh.Sample)
		case *sh.Sample == 0:
			warn(at(sh.lines, "sample", sh.Line), "shadow.sample", "0: no request is ever shadowed")
		}
	}
	return errs, warns
}

// ShadowTarget is where a request answered by the backend named primary is
// shadowed, and false when it is not: no shadow section, the primary is
// the shadow backend itself, or the request has personal data and the
// shadow backend is cloud (by label or by host). Sampling is separate: see
// Sampler. It is safe for concurrent use.
func (p *Policy) ShadowTarget(primary string, pii bool) (*PolicyBackend, bool) {
	if p.Shadow == nil {
		return nil, false
	}
	to := p.byName[p.Shadow.To]
	if to == nil || to.Name == primary {
		return nil, false
	}
	if pii && (to.Cloud() || to.CloudHost()) {
		return nil, false
	}
	return to, true
}

// Sampler decides which eligible requests are shadowed: each with
// probability rate, independently.
//
//	s := policy.ShadowSampler(nil) // or route.NewSampler(rate, rnd); nil rnd: math/rand/v2
//	if to, ok := policy.ShadowTarget(primary.Name, pii); ok && s.Sample() { ... }
type Sampler struct {
	rate float64
	rnd  func() float64
}

// NewSampler samples with probability rate (clamped to [0, 1]). rnd
// returns numbers in [0, 1) and must be safe for concurrent use; nil
// means math/rand/v2's Float64. Tests inject a fixed sequence.
func NewSampler(rate float64, rnd func() float64) *Sampler {
	if rnd == nil {
		rnd = rand.Float64
	}
	if !(rate > 0) {
		rate = 0
	}
	return &Sampler{rate: min(rate, 1), rnd: rnd}
}

// ShadowSampler samples at the policy's shadow.sample; without a shadow
// section it never samples. rnd is as for NewSampler.
func (p *Policy) ShadowSampler(rnd func() float64) *Sampler {
	if p.Shadow == nil || p.Shadow.Sample == nil {
		return NewSampler(0, rnd)
	}
	return NewSampler(*p.Shadow.Sample, rnd)
}

// Sample reports whether this request is shadowed. Rate 0 never calls rnd.
func (s *Sampler) Sample() bool {
	if s == nil || s.rate == 0 {
		return false
	}
	return s.rnd() < s.rate
}

// quoteURL quotes a base_url for a message, unless it may hold
// credentials (user:password@) that a terminal or CI log must not show.
func quoteURL(s string) string {
	if strings.Contains(s, "@") {
		return "(value not shown: it contains '@', perhaps credentials)"
	}
	return strconv.Quote(s)
}

func (p *Policy) names() []string {
	var n []string
	for _, b := range p.Backends {
		n = append(n, b.Name)
	}
	slices.Sort(n)
	return n
}

// Decision is where one prompt goes and why.
type Decision struct {
	Backend *PolicyBackend // nil when the prompt must not be sent
	Reason  string
	Err     string // why nothing was sent
}

// Route picks the backend for a prompt: the first matching rule, except
// that a PII prompt never goes to a cloud backend. If the first matching
// rule is cloud, the first later matching rule with a local backend wins,
// then any local backend; with none, the prompt is not sent at all.
func (p *Policy) Route(task string, pii bool) Decision {
	for i := range p.Rules {
		r := &p.Rules[i]
		if !r.matches(task, pii) {
			continue
		}
		b := p.byName[r.Use]
		reason := p.ruleReason(i)
		if !pii || !b.Cloud() {
			return Decision{Backend: b, Reason: reason}
		}
		for j := i + 1; j < len(p.Rules); j++ {
			if lb := p.byName[p.Rules[j].Use]; p.Rules[j].matches(task, pii) && !lb.Cloud() {
				return Decision{Backend: lb, Reason: fmt.Sprintf("pii: %s chose cloud %q; kept local by %s", reason, b.Name, p.ruleReason(j))}
			}
		}
		for k := range p.Backends {
			if lb := &p.Backends[k]; !lb.Cloud() {
				return Decision{Backend: lb, Reason: fmt.Sprintf("pii: %s chose cloud %q; kept on local %q", reason, b.Name, lb.Name)}
			}
		}
		return Decision{Reason: reason, Err: "prompt contains personal data and the policy has no local backend; not sent"}
	}
	// validate guarantees a default rule, so this is unreachable for a loaded policy.
	return Decision{Err: "no rule matches"}
}

func (r *Rule) matches(task string, pii bool) bool {
	if r.When.empty() {
		return true
	}
	if r.When.PII != nil && *r.When.PII != pii {
		return false
	}
	if len(r.When.Task) > 0 && !slices.Contains(r.When.Task, task) {
		return false
	}
	return true
}

func (p *Policy) ruleReason(i int) string {
	r := &p.Rules[i]
	if r.When.empty() {
		return fmt.Sprintf("rule %d (default)", i+1)
	}
	return fmt.Sprintf("rule %d (%s)", i+1, r.When)
}

var unknownFieldRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^field (\S+) not found in type route\.(\w+)$`) })

// unknownKey reads yaml.v3's "field x not found in type route.Backend":
// the key, and the type whose keys are allowed there.
func unknownKey(msg string) (string, reflect.Type, bool) {
	sm := unknownFieldRE().FindStringSubmatch(msg)
	if sm == nil {
		return "", nil, false
	}
	t, ok := map[string]reflect.Type{"Policy": reflect.TypeOf(Policy{}), "PolicyBackend": reflect.TypeOf(PolicyBackend{}), "Rule": reflect.TypeOf(Rule{}), "Shadow": reflect.TypeOf(Shadow{})}[sm[2]]
	if !ok {
		return sm[1], nil, false
	}
	return sm[1], t, true
}
