// Package decide turns answers about a workload (volume, privacy, task,
// accuracy, latency, context, load, GPUs already owned, budget) into a
// verdict — cloud, local or hybrid — with reasons that quote the numbers,
// recommendations, the thresholds at which the verdict would flip, and a
// route policy implementing it. Thresholds come from the cost maths of
// pkg/cost and pkg/hardware for this workload, never from fixed tiers.
package decide

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/llmcost/llmcost/pkg/fileissue"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Privacy is how strictly prompts must stay in-house.
type Privacy string

// Privacy levels.
const (
	PrivacyNone        Privacy = "none"        // any provider
	PrivacyContractual Privacy = "contractual" // cloud allowed under a DPA / zero-retention contract
	PrivacyRegulated   Privacy = "regulated"   // GDPR special categories, HIPAA, …: never to a cloud API
)

// Privacies lists the accepted values.
var Privacies = []string{string(PrivacyNone), string(PrivacyContractual), string(PrivacyRegulated)}

// Task is the kind of work the model does.
type Task string

// Tasks.
const (
	TaskClassification Task = "classification"
	TaskExtraction     Task = "extraction"
	TaskSummarization  Task = "summarization"
	TaskQA             Task = "qa"
	TaskCode           Task = "code"
	TaskReasoning      Task = "reasoning"
	TaskCreative       Task = "creative"
	TaskAgents         Task = "agents"
)

// Tasks lists the accepted values.
var Tasks = []string{"classification", "extraction", "summarization", "qa", "code", "reasoning", "creative", "agents"}

// Load is how predictable the traffic is.
type Load string

// Loads.
const (
	LoadSteady Load = "steady"
	LoadSpiky  Load = "spiky"
)

// Loads lists the accepted values.
var Loads = []string{string(LoadSteady), string(LoadSpiky)}

// AccuracyLevel is how good the answers must be.
type AccuracyLevel string

// Accuracy levels.
const (
	AccuracyGoodEnough AccuracyLevel = "good-enough" // the task's usual bar (see taskProfiles)
	AccuracyBest       AccuracyLevel = "best"        // frontier quality
	AccuracyMinScore   AccuracyLevel = "min-score"   // a benchmark score at least MinScore
)

// Accuracy is the quality requirement.
type Accuracy struct {
	Level     AccuracyLevel
	Benchmark string  // with AccuracyMinScore, e.g. "mmlu"
	MinScore  float64 // with AccuracyMinScore
}

// String is the form the flag and the answers file accept.
func (a Accuracy) String() string {
	if a.Level == AccuracyMinScore {
		return a.Benchmark + ":" + strconv.FormatFloat(a.MinScore, 'f', -1, 64)
	}
	return string(a.Level)
}

var minScoreRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([a-z][a-z0-9_.-]*)\s*[:=>]+\s*([0-9]+(?:\.[0-9]+)?)$`)
})

// ParseAccuracy reads good-enough, best, or BENCHMARK:SCORE (mmlu:75).
func ParseAccuracy(s string) (Accuracy, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "good-enough", "good enough", "good":
		return Accuracy{Level: AccuracyGoodEnough}, nil
	case "best":
		return Accuracy{Level: AccuracyBest}, nil
	}
	if m := minScoreRe().FindStringSubmatch(t); m != nil {
		v, _ := strconv.ParseFloat(m[2], 64)
		if v <= 0 || v > 100 {
			return Accuracy{}, fmt.Errorf("score %s for %s must be in (0, 100]", m[2], m[1])
		}
		return Accuracy{Level: AccuracyMinScore, Benchmark: m[1], MinScore: v}, nil
	}
	return Accuracy{}, fmt.Errorf("%q is not good-enough, best or BENCHMARK:SCORE (e.g. mmlu:75)", s)
}

// OwnedGPU is a number of GPUs of one type already owned: their purchase is
// a sunk cost (price 0), their electricity is not.
type OwnedGPU struct {
	GPU   string
	Count int
}

var ownedRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.+?)(?:\s*[x×*]\s*([0-9]+))?$`) })

// ParseOwnedGPU reads ID or IDxN (rtx-4090x2).
func ParseOwnedGPU(s string) (OwnedGPU, error) {
	t := strings.TrimSpace(s)
	m := ownedRe().FindStringSubmatch(t)
	if t == "" || m == nil {
		return OwnedGPU{}, fmt.Errorf("%q is not GPU or GPUxN (e.g. rtx-4090x2)", s)
	}
	o := OwnedGPU{GPU: m[1], Count: 1}
	if m[2] != "" {
		n, err := strconv.Atoi(m[2])
		switch {
		case err == nil && n > 1024 && endsInLetter(m[1]) && !strings.ContainsAny(t[len(m[1]):], " ×*"):
			// rtx4090 is the alias, not "rt" x 4090: no count is that
			// large (rtx-4090x5000 stays a bad count).
			o.GPU = t
		case err != nil || n < 1 || n > 1024:
			return OwnedGPU{}, fmt.Errorf("%q: GPU count must be 1-1024", s)
		default:
			o.Count = n
		}
	}
	return o, nil
}

// endsInLetter: "rt" of rtx4090 (a name cut before its digits), not
// "rtx-4090" of rtx-4090x2.
func endsInLetter(s string) bool {
	c := s[len(s)-1]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (o OwnedGPU) String() string {
	if o.Count == 1 {
		return o.GPU
	}
	return fmt.Sprintf("%sx%d", o.GPU, o.Count)
}

// ParseContextTokens reads a context length. Context windows are binary by
// convention, so K is 1,024 tokens here (128K = 131,072, Llama 3.1's
// window), as in `llmcost fit --context`; plain numbers are taken as written.
func ParseContextTokens(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1024, strings.TrimSuffix(t, "k")
	case strings.HasSuffix(t, "m"):
		mult, t = 1024*1024, strings.TrimSuffix(t, "m")
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(t), ",", ""), 10, 64)
	if err != nil || n <= 0 || n > 1<<24/mult {
		return 0, fmt.Errorf("%q is not a context length such as 8K, 128K or 131072 (K = 1,024)", s)
	}
	return n * mult, nil
}

// FormatContextTokens writes a context length so ParseContextTokens reads it back.
func FormatContextTokens(n int64) string {
	if n >= 1024 && n%1024 == 0 {
		return strconv.FormatInt(n/1024, 10) + "K"
	}
	return strconv.FormatInt(n, 10)
}

// Defaults for answers that may be left out.
const (
	DefaultInputShare    = 0.75
	DefaultContextTokens = 8192
	// DefaultPeakToAverage applies to spiky load when no ratio is given: a
	// daily business-hours peak is commonly 2-4x the 24-hour mean.
	DefaultPeakToAverage = 3.0
	// DefaultPromptTokens / DefaultOutputTokens shape one request when only a
	// monthly volume is known (the same request `fit` uses).
	DefaultPromptTokens = 500
	DefaultOutputTokens = 400
)

// DefaultOpsHourlyUSD prices an hour of operations work (a loaded engineer
// hour); override with ops_hourly_usd.
var DefaultOpsHourlyUSD = decimal.NewFromInt(75)

// Answers are everything decide needs to know. The zero value of a field
// means "not answered"; Missing lists the required ones.
type Answers struct {
	TokensPerMonth   int64
	RequestsPerMonth int64 // with TokensPerRequest instead of TokensPerMonth
	TokensPerRequest int64
	InputShare       *float64
	Privacy          Privacy
	RegulatedShare   *float64 // with privacy regulated: the share of traffic that is regulated (default 1)
	Task             Task
	Accuracy         Accuracy
	LatencySeconds   float64 // whole reply within this; 0 = no target
	TTFTSeconds      float64 // first token within this; 0 = no target
	ContextTokens    int64
	Load             Load
	PeakToAverage    float64
	HaveGPUs         []OwnedGPU
	BudgetUSD        *decimal.Decimal // monthly; nil = no budget
	OpsHoursPerMonth decimal.Decimal
	OpsHourlyUSD     *decimal.Decimal

	// Where values came from, so errors can point there: the answers file
	// and the line of each key (items of have_gpus as "have_gpus#i"), or
	// the flag that overrode a field.
	file  string
	lines map[string]int
	flags map[string]string
}

// SetByFlag records that flag gave field's value (overriding the answers
// file), so errors about it name the flag.
func (a *Answers) SetByFlag(field, flag string) {
	if a.flags == nil {
		a.flags = map[string]string{}
	}
	a.flags[field] = flag
}

// InFile reports whether the answers file gave field.
func (a *Answers) InFile(field string) bool {
	_, ok := a.lines[field]
	return ok
}

// ErrorFor is an error about field (item i of a list field, or -1 for the
// whole field) that names where its value came from: the flag, or the
// answers file and line.
func (a *Answers) ErrorFor(field string, item int, msg string) *AnswerError {
	e := &AnswerError{Field: field, Msg: msg}
	if flag, ok := a.flags[field]; ok {
		e.Flag = flag
		return e
	}
	key := field
	if item >= 0 {
		key = fmt.Sprintf("%s#%d", field, item)
	}
	if line, ok := a.lines[key]; ok {
		e.File, e.Line = a.file, line
	}
	return e
}

// Field names of the answers file, used in messages.
const (
	FieldTokens   = "tokens_per_month"
	FieldPrivacy  = "privacy"
	FieldTask     = "task"
	FieldAccuracy = "accuracy"
)

// Missing lists the required answers that are not given (answers-file keys).
func (a *Answers) Missing() []string {
	var m []string
	if a.TokensPerMonth == 0 && (a.RequestsPerMonth == 0 || a.TokensPerRequest == 0) {
		m = append(m, FieldTokens)
	}
	if a.Privacy == "" {
		m = append(m, FieldPrivacy)
	}
	if a.Task == "" {
		m = append(m, FieldTask)
	}
	return m
}

// Monthly is the volume: tokens_per_month, or requests × tokens per request.
func (a *Answers) Monthly() int64 {
	if a.TokensPerMonth > 0 {
		return a.TokensPerMonth
	}
	return a.RequestsPerMonth * a.TokensPerRequest
}

// Share returns the input share with its default.
func (a *Answers) Share() float64 {
	if a.InputShare == nil {
		return DefaultInputShare
	}
	return *a.InputShare
}

// Context returns the context length with its default.
func (a *Answers) Context() int64 {
	if a.ContextTokens == 0 {
		return DefaultContextTokens
	}
	return a.ContextTokens
}

// Peak returns the peak-to-average ratio used for capacity sizing (1 for steady load).
func (a *Answers) Peak() float64 {
	if a.Load != LoadSpiky {
		return 1
	}
	if a.PeakToAverage == 0 {
		return DefaultPeakToAverage
	}
	return a.PeakToAverage
}

// Regulated returns the regulated share of traffic (0 unless privacy is regulated).
func (a *Answers) Regulated() float64 {
	if a.Privacy != PrivacyRegulated {
		return 0
	}
	if a.RegulatedShare == nil {
		return 1
	}
	return *a.RegulatedShare
}

// OpsMonthly is ops hours × hourly rate.
func (a *Answers) OpsMonthly() decimal.Decimal {
	rate := DefaultOpsHourlyUSD
	if a.OpsHourlyUSD != nil {
		rate = *a.OpsHourlyUSD
	}
	return a.OpsHoursPerMonth.Mul(rate)
}

// RequestShape is the prompt and output tokens of one request: from
// tokens_per_request when given; else a request fills the context it was
// said to need (documents and history are the prompt), which sets time to
// first token and the cloud long-context tier; else 500 in, 400 out.
func (a *Answers) RequestShape() (prompt, output int64) {
	if a.TokensPerRequest > 0 {
		prompt = decimal.NewFromInt(a.TokensPerRequest).Mul(decimal.NewFromFloat(a.Share())).Floor().IntPart()
		return max(prompt, 1), max(a.TokensPerRequest-prompt, 1)
	}
	if a.ContextTokens > 0 {
		output = min(DefaultOutputTokens, a.ContextTokens/2)
		return max(a.ContextTokens-output, 1), max(output, 1)
	}
	return DefaultPromptTokens, DefaultOutputTokens
}

// AnswerError is a bad answer: the field (answers-file key), where its
// value came from (a flag, or a file and line) and what is wrong.
type AnswerError struct {
	Field string
	Flag  string // the flag that gave the value, e.g. "--latency"
	File  string // the answers file, when known
	Line  int    // 0 when not from a file
	Msg   string
}

func (e *AnswerError) Error() string {
	switch {
	case e.Flag != "":
		return fmt.Sprintf("%s: %s", e.Flag, e.Msg)
	case e.Line > 0 && e.File != "":
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}

// BadInput marks the error as the user's input (exit 2).
func (e *AnswerError) BadInput() bool { return true }

// Validate checks every answer that is given. It does not report missing
// ones (see Missing).
func (a *Answers) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, a.ErrorFor(field, -1, fmt.Sprintf(format, args...)))
	}
	if a.TokensPerMonth < 0 || a.RequestsPerMonth < 0 || a.TokensPerRequest < 0 {
		bad(FieldTokens, "must not be negative")
	}
	if a.TokensPerMonth > 0 && a.RequestsPerMonth > 0 {
		bad("requests_per_month", "give tokens_per_month or requests_per_month × tokens_per_request, not both")
	}
	if a.TokensPerMonth == 0 {
		// Blame the one that was given, so the message names its flag or line.
		switch {
		case a.RequestsPerMonth > 0 && a.TokensPerRequest == 0:
			bad("requests_per_month", "needs tokens_per_request (--tokens-per-request) too")
		case a.TokensPerRequest > 0 && a.RequestsPerMonth == 0:
			bad("tokens_per_request", "needs requests_per_month (--requests) too")
		}
	}
	if s := a.InputShare; s != nil && (*s != *s || *s <= 0 || *s >= 1) {
		bad("input_share", "must be between 0 and 1, exclusive (got %v)", *s)
	}
	switch a.Privacy {
	case "", PrivacyNone, PrivacyContractual, PrivacyRegulated:
	default:
		bad(FieldPrivacy, "%q is not one of %s", a.Privacy, strings.Join(Privacies, ", "))
	}
	if s := a.RegulatedShare; s != nil {
		if *s != *s || *s <= 0 || *s > 1 {
			bad("regulated_share", "must be in (0, 1] (got %v)", *s)
		}
		if a.Privacy != "" && a.Privacy != PrivacyRegulated {
			bad("regulated_share", "applies only with privacy: regulated")
		}
	}
	if a.Task != "" && !contains(Tasks, string(a.Task)) {
		bad(FieldTask, "%q is not one of %s", a.Task, strings.Join(Tasks, ", "))
	}
	switch a.Accuracy.Level {
	case "", AccuracyGoodEnough, AccuracyBest:
	case AccuracyMinScore:
		if a.Accuracy.Benchmark == "" || a.Accuracy.MinScore <= 0 || a.Accuracy.MinScore > 100 {
			bad(FieldAccuracy, "a minimum score needs a benchmark and a score in (0, 100]")
		}
	default:
		bad(FieldAccuracy, "%q is not good-enough, best or {benchmark: score}", a.Accuracy.Level)
	}
	if a.LatencySeconds < 0 || a.LatencySeconds != a.LatencySeconds {
		bad("latency_seconds", "must be >= 0")
	}
	if a.TTFTSeconds < 0 || a.TTFTSeconds != a.TTFTSeconds {
		bad("ttft_seconds", "must be >= 0")
	}
	if a.LatencySeconds > 0 && a.TTFTSeconds > a.LatencySeconds {
		bad("ttft_seconds", "%v s is longer than the whole reply target latency_seconds %v s", a.TTFTSeconds, a.LatencySeconds)
	}
	if a.ContextTokens < 0 {
		bad("context_tokens", "must not be negative")
	}
	if a.ContextTokens > 0 && a.TokensPerRequest > a.ContextTokens {
		bad("context_tokens", "%d is shorter than one request (tokens_per_request %d)", a.ContextTokens, a.TokensPerRequest)
	}
	switch a.Load {
	case "", LoadSteady, LoadSpiky:
	default:
		bad("load", "%q is not steady or spiky", a.Load)
	}
	if a.PeakToAverage != 0 && (a.PeakToAverage < 1 || a.PeakToAverage > 100 || a.PeakToAverage != a.PeakToAverage) {
		bad("peak_to_average", "must be between 1 and 100 (got %v)", a.PeakToAverage)
	}
	for i, g := range a.HaveGPUs {
		if g.GPU == "" || g.Count < 1 {
			errs = append(errs, a.ErrorFor("have_gpus", i, fmt.Sprintf("%q: want GPU or GPUxN", g.String())))
		}
	}
	if b := a.BudgetUSD; b != nil && b.IsNegative() {
		bad("budget_usd", "must not be negative")
	}
	if a.OpsHoursPerMonth.IsNegative() || a.OpsHoursPerMonth.GreaterThan(decimal.NewFromInt(744)) {
		bad("ops_hours_per_month", "must be between 0 and 744 (hours in a month)")
	}
	if r := a.OpsHourlyUSD; r != nil && r.IsNegative() {
		bad("ops_hourly_usd", "must not be negative")
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// answersFile is the YAML form (DESIGN.md "Decide answers"). Token counts
// and money accept the same text as the flags ("2M", "300K/day", "$500").
type answersFile struct {
	TokensPerMonth   *rawNode `yaml:"tokens_per_month"`
	RequestsPerMonth *rawNode `yaml:"requests_per_month"`
	TokensPerRequest *rawNode `yaml:"tokens_per_request"`
	InputShare       *float64 `yaml:"input_share"`
	Privacy          string   `yaml:"privacy"`
	RegulatedShare   *float64 `yaml:"regulated_share"`
	Task             string   `yaml:"task"`
	Accuracy         *rawNode `yaml:"accuracy"`
	LatencySeconds   float64  `yaml:"latency_seconds"`
	TTFTSeconds      float64  `yaml:"ttft_seconds"`
	ContextTokens    *rawNode `yaml:"context_tokens"`
	Load             string   `yaml:"load"`
	PeakToAverage    float64  `yaml:"peak_to_average"`
	HaveGPUs         []string `yaml:"have_gpus"`
	BudgetUSD        *rawNode `yaml:"budget_usd"`
	OpsHoursPerMonth *float64 `yaml:"ops_hours_per_month"`
	OpsHourlyUSD     *rawNode `yaml:"ops_hourly_usd"`
}

// rawNode keeps a value's YAML node so it can be parsed with the flags'
// parsers and its line reported.
type rawNode struct{ yaml.Node }

// UnmarshalYAML keeps the node.
func (r *rawNode) UnmarshalYAML(n *yaml.Node) error {
	r.Node = *n
	return nil
}

// ParseAnswers reads an answers file strictly: unknown keys and values of
// the wrong kind are errors that name the line and the field.
func ParseAnswers(data []byte) (*Answers, error) { return ParseAnswersFile("", data) }

// ParseAnswersFile is ParseAnswers for the file named name: its errors,
// and later Validate errors about values from it, read name:line: field.
func ParseAnswersFile(name string, data []byte) (*Answers, error) {
	var f answersFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if err.Error() == "EOF" {
			return &Answers{file: name}, nil // an empty file answers nothing
		}
		err = nameTypeErrors(err, data)
		msg := strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  ")
		// "field x not found in type decide.answersFile" in the file's terms.
		msg = unknownAnswerRe().ReplaceAllString(msg, "$1: unknown key (allowed: "+strings.Join(fileissue.YAMLKeys(reflect.TypeOf(answersFile{})), ", ")+")")
		if name != "" {
			// "line 4: field x not found" -> "FILE:4: field x not found"
			if yamlLineRe().MatchString(msg) {
				msg = yamlLineRe().ReplaceAllString(msg, name+":$1:")
			} else {
				msg = name + ": " + msg
			}
		}
		return nil, fmt.Errorf("%s", msg)
	}
	a := &Answers{InputShare: f.InputShare, Privacy: Privacy(f.Privacy), RegulatedShare: f.RegulatedShare, Task: Task(f.Task),
		LatencySeconds: f.LatencySeconds, TTFTSeconds: f.TTFTSeconds, Load: Load(f.Load), PeakToAverage: f.PeakToAverage,
		file: name, lines: keyLines(data)}
	var errs []error
	tokens := func(n *rawNode, field string, monthly bool) int64 {
		if n == nil {
			return 0
		}
		var v int64
		var err error
		if monthly {
			v, err = units.ParseMonthlyTokens(n.Value)
		} else {
			v, err = units.ParseTokens(n.Value)
		}
		if n.Kind != yaml.ScalarNode {
			err = errors.New("want a token count such as 2M")
		}
		if err != nil {
			errs = append(errs, &AnswerError{Field: field, File: name, Line: n.Line, Msg: trimParse(err)})
		}
		return v
	}
	money := func(n *rawNode, field string) *decimal.Decimal {
		if n == nil {
			return nil
		}
		d, err := units.ParseUSD(n.Value)
		if n.Kind != yaml.ScalarNode {
			err = errors.New("want an amount such as 500")
		}
		if err != nil {
			errs = append(errs, &AnswerError{Field: field, File: name, Line: n.Line, Msg: trimParse(err)})
			return nil
		}
		return &d
	}
	a.TokensPerMonth = tokens(f.TokensPerMonth, FieldTokens, true)
	a.RequestsPerMonth = tokens(f.RequestsPerMonth, "requests_per_month", true)
	a.TokensPerRequest = tokens(f.TokensPerRequest, "tokens_per_request", false)
	if n := f.ContextTokens; n != nil {
		v, err := ParseContextTokens(n.Value)
		if n.Kind != yaml.ScalarNode {
			err = errors.New("want a context length such as 8K")
		}
		if err != nil {
			errs = append(errs, &AnswerError{Field: "context_tokens", File: name, Line: n.Line, Msg: err.Error()})
		}
		a.ContextTokens = v
	}
	a.BudgetUSD = money(f.BudgetUSD, "budget_usd")
	a.OpsHourlyUSD = money(f.OpsHourlyUSD, "ops_hourly_usd")
	if f.OpsHoursPerMonth != nil {
		a.OpsHoursPerMonth = decimal.NewFromFloat(*f.OpsHoursPerMonth)
	}
	if n := f.Accuracy; n != nil {
		acc, err := accuracyNode(&n.Node)
		if err != nil {
			errs = append(errs, &AnswerError{Field: FieldAccuracy, File: name, Line: n.Line, Msg: err.Error()})
		}
		a.Accuracy = acc
	}
	for i, s := range f.HaveGPUs {
		g, err := ParseOwnedGPU(s)
		if err != nil {
			errs = append(errs, a.ErrorFor("have_gpus", i, err.Error()))
			continue
		}
		a.HaveGPUs = append(a.HaveGPUs, g)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return a, nil
}

var typeErrRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("^line ([0-9]+): cannot unmarshal !!([a-z]+)(?: `(.*)`)? into (\\S+)$")
})

// nameTypeErrors rewrites yaml.v3's "line 2: cannot unmarshal !!str `fast`
// into float64" as "line 2: latency_seconds: want a number, got \"fast\"":
// the field, and what it takes, rather than a Go type.
func nameTypeErrors(err error, data []byte) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	keyAt := map[int]string{}
	for k, line := range keyLines(data) {
		if !strings.Contains(k, "#") {
			keyAt[line] = k
		}
	}
	out := &yaml.TypeError{Errors: make([]string, len(te.Errors))}
	for i, m := range te.Errors {
		out.Errors[i] = m
		sm := typeErrRe().FindStringSubmatch(m)
		if sm == nil {
			continue
		}
		line, _ := strconv.Atoi(sm[1])
		key, ok := keyAt[line]
		if sm[4] == "decide.answersFile" {
			out.Errors[i] = fmt.Sprintf("line %d: want answers as key: value lines (tokens_per_month: 2M, privacy: none, …), got %s", line, yamlKind(sm[2], sm[3]))
			continue
		}
		if !ok {
			continue
		}
		want := "want one value"
		switch into := sm[4]; {
		case strings.HasPrefix(into, "[]"):
			want = "want a list such as [rtx-4090x2]"
		case strings.HasPrefix(into, "float") || strings.HasPrefix(into, "int"):
			want = "want a number"
		}
		out.Errors[i] = fmt.Sprintf("line %d: %s: %s, got %s", line, key, want, yamlKind(sm[2], sm[3]))
	}
	return out
}

// yamlKind describes a YAML value for "got …": a list, a mapping, or the scalar.
func yamlKind(tag, value string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	}
	return fmt.Sprintf("%q", value)
}

var yamlLineRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*line ([0-9]+):`) })

// keyLines maps each top-level key of an answers file to the line of its
// value, and each have_gpus item to "have_gpus#i".
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return lines
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		lines[k.Value] = v.Line
		if k.Value == "have_gpus" && v.Kind == yaml.SequenceNode {
			for j, item := range v.Content {
				lines[fmt.Sprintf("have_gpus#%d", j)] = item.Line
			}
		}
	}
	return lines
}

func trimParse(err error) string {
	var pe *units.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%q: %s", pe.Value, pe.Reason)
	}
	return err.Error()
}

// accuracyNode reads `good-enough`, `best`, or a one-key map {mmlu: 75}.
func accuracyNode(n *yaml.Node) (Accuracy, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return ParseAccuracy(n.Value)
	case yaml.MappingNode:
		if len(n.Content) != 2 {
			return Accuracy{}, errors.New("a minimum score is one benchmark: {mmlu: 75}")
		}
		return ParseAccuracy(n.Content[0].Value + ":" + n.Content[1].Value)
	}
	return Accuracy{}, errors.New("want good-enough, best or {benchmark: score}")
}

// MarshalYAML writes answers in the answers-file format (used to echo
// interactive answers so they can be replayed with --answers).
func (a *Answers) MarshalYAML() (any, error) {
	m := yaml.Node{Kind: yaml.MappingNode}
	add := func(k, v string) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &yaml.Node{Kind: yaml.ScalarNode, Value: v})
	}
	if a.TokensPerMonth > 0 {
		add(FieldTokens, units.FormatTokensExact(a.TokensPerMonth))
	}
	if a.RequestsPerMonth > 0 {
		add("requests_per_month", units.FormatTokensExact(a.RequestsPerMonth))
		add("tokens_per_request", units.FormatTokensExact(a.TokensPerRequest))
	}
	if a.InputShare != nil {
		add("input_share", strconv.FormatFloat(*a.InputShare, 'f', -1, 64))
	}
	if a.Privacy != "" {
		add(FieldPrivacy, string(a.Privacy))
	}
	if a.RegulatedShare != nil {
		add("regulated_share", strconv.FormatFloat(*a.RegulatedShare, 'f', -1, 64))
	}
	if a.Task != "" {
		add(FieldTask, string(a.Task))
	}
	if a.Accuracy.Level == AccuracyMinScore {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: FieldAccuracy}, &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: a.Accuracy.Benchmark}, {Kind: yaml.ScalarNode, Value: strconv.FormatFloat(a.Accuracy.MinScore, 'f', -1, 64)}}})
	} else if a.Accuracy.Level != "" {
		add(FieldAccuracy, string(a.Accuracy.Level))
	}
	if a.LatencySeconds > 0 {
		add("latency_seconds", strconv.FormatFloat(a.LatencySeconds, 'f', -1, 64))
	}
	if a.TTFTSeconds > 0 {
		add("ttft_seconds", strconv.FormatFloat(a.TTFTSeconds, 'f', -1, 64))
	}
	if a.ContextTokens > 0 {
		add("context_tokens", FormatContextTokens(a.ContextTokens))
	}
	if a.Load != "" {
		add("load", string(a.Load))
	}
	if a.PeakToAverage > 0 {
		add("peak_to_average", strconv.FormatFloat(a.PeakToAverage, 'f', -1, 64))
	}
	if len(a.HaveGPUs) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		gs := append([]OwnedGPU(nil), a.HaveGPUs...)
		sort.Slice(gs, func(i, j int) bool { return gs[i].GPU < gs[j].GPU })
		for _, g := range gs {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: g.String()})
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "have_gpus"}, seq)
	}
	if a.BudgetUSD != nil {
		add("budget_usd", a.BudgetUSD.String())
	}
	if a.OpsHoursPerMonth.IsPositive() {
		add("ops_hours_per_month", a.OpsHoursPerMonth.String())
	}
	if a.OpsHourlyUSD != nil {
		add("ops_hourly_usd", a.OpsHourlyUSD.String())
	}
	return &m, nil
}

var unknownAnswerRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`field (\S+) not found in type decide\.answersFile`)
})
