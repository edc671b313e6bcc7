package decide

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// The example of DESIGN.md "Decide answers".
const designExample = `tokens_per_month: 2M
input_share: 0.75
privacy: none                     # none | contractual | regulated
task: classification
accuracy: good-enough
latency_seconds: 2
context_tokens: 8000
load: steady                      # steady | spiky
have_gpus: [rtx-4090x2]
budget_usd: 500
ops_hours_per_month: 4
`

func TestParseAnswersDesignExample(t *testing.T) {
	a, err := ParseAnswers([]byte(designExample))
	if err != nil {
		t.Fatal(err)
	}
	if a.TokensPerMonth != 2_000_000 || a.Share() != 0.75 || a.Privacy != PrivacyNone || a.Task != TaskClassification ||
		a.Accuracy.Level != AccuracyGoodEnough || a.LatencySeconds != 2 || a.ContextTokens != 8000 || a.Load != LoadSteady ||
		len(a.HaveGPUs) != 1 || a.HaveGPUs[0] != (OwnedGPU{GPU: "rtx-4090", Count: 2}) ||
		!a.BudgetUSD.Equal(decimal.NewFromInt(500)) || !a.OpsHoursPerMonth.Equal(decimal.NewFromInt(4)) {
		t.Fatalf("%+v", a)
	}
	if err := a.Validate(); err != nil || len(a.Missing()) != 0 {
		t.Fatalf("%v %v", err, a.Missing())
	}
	// Round trip through MarshalYAML (what the questionnaire echoes).
	out, err := yaml.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseAnswers(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out2, _ := yaml.Marshal(b)
	if string(out) != string(out2) {
		t.Fatalf("round trip:\n%s\n%s", out, out2)
	}
}

func TestParseAnswersForms(t *testing.T) {
	a, err := ParseAnswers([]byte("tokens_per_month: 300K/day\naccuracy: {mmlu_pro: 60.5}\nbudget_usd: $1,200\nrequests_per_month: 0\n"))
	if err == nil {
		t.Fatalf("zero requests accepted: %+v", a)
	}
	a, err = ParseAnswers([]byte("tokens_per_month: 300K/day\naccuracy: {mmlu_pro: 60.5}\nbudget_usd: $1,200\nhave_gpus: [a100-80gb, rtx-3090x4]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a.TokensPerMonth != 9_125_000 || a.Accuracy != (Accuracy{Level: AccuracyMinScore, Benchmark: "mmlu_pro", MinScore: 60.5}) ||
		!a.BudgetUSD.Equal(decimal.NewFromInt(1200)) || len(a.HaveGPUs) != 2 || a.HaveGPUs[1].Count != 4 {
		t.Fatalf("%+v", a)
	}
	if a, err := ParseAnswers(nil); err != nil || len(a.Missing()) != 3 {
		t.Fatalf("empty file: %v %v", a, err)
	}
}

func TestParseAnswersRejects(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"unknown key", "tokens_per_month: 2M\ntokens_per_year: 3M\n", "line 2: tokens_per_year: unknown key (allowed: tokens_per_month, requests_per_month"},
		{"bad tokens", "privacy: none\ntokens_per_month: 2Q\n", `line 2: tokens_per_month: "2Q"`},
		{"bad accuracy", "accuracy: perfect\n", `line 1: accuracy: "perfect" is not good-enough`},
		{"two benchmarks", "accuracy: {mmlu: 70, mmlu_pro: 50}\n", "one benchmark"},
		{"score out of range", "accuracy: {mmlu: 170}\n", "must be in (0, 100]"},
		{"bad gpu count", "have_gpus: [rtx-4090x0]\n", "GPU count must be 1-1024"},
		{"bad budget", "budget_usd: lots\n", `line 1: budget_usd: "lots"`},
		{"wrong type", "latency_seconds: fast\n", "line 1"},
		{"not a map", "- 1\n", "want answers as key: value lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAnswers([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		a    Answers
		want string
	}{
		{"privacy", Answers{Privacy: "secret"}, `privacy: "secret" is not one of none, contractual, regulated`},
		{"task", Answers{Task: "poetry"}, `task: "poetry" is not one of`},
		{"share", Answers{InputShare: f(1.5)}, "input_share: must be between 0 and 1"},
		{"regulated share without regulated", Answers{Privacy: PrivacyNone, RegulatedShare: f(0.5)}, "applies only with privacy: regulated"},
		{"ttft above latency", Answers{LatencySeconds: 1, TTFTSeconds: 2}, "longer than the whole reply"},
		{"load", Answers{Load: "bursty"}, `load: "bursty" is not steady or spiky`},
		{"peak", Answers{PeakToAverage: 0.5}, "peak_to_average: must be between 1 and 100"},
		{"ops hours", Answers{OpsHoursPerMonth: decimal.NewFromInt(1000)}, "ops_hours_per_month"},
		{"both volumes", Answers{TokensPerMonth: 5, RequestsPerMonth: 5, TokensPerRequest: 5}, "not both"},
		{"request longer than the context", Answers{RequestsPerMonth: 5, TokensPerRequest: 9000, ContextTokens: 8192}, "shorter than one request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v, want %q", err, tt.want)
			}
		})
	}
	ok := Answers{TokensPerMonth: 1, Privacy: PrivacyRegulated, RegulatedShare: f(0.3), Task: TaskQA, Load: LoadSpiky, PeakToAverage: 4}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseAccuracyAndOwnedGPU(t *testing.T) {
	for in, want := range map[string]Accuracy{
		"good-enough": {Level: AccuracyGoodEnough}, "BEST": {Level: AccuracyBest},
		"mmlu:75": {Level: AccuracyMinScore, Benchmark: "mmlu", MinScore: 75}, "mmlu_pro>=60.5": {Level: AccuracyMinScore, Benchmark: "mmlu_pro", MinScore: 60.5},
	} {
		got, err := ParseAccuracy(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "great", "mmlu:", "mmlu:0", ":70"} {
		if _, err := ParseAccuracy(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for in, want := range map[string]OwnedGPU{"rtx-4090x2": {"rtx-4090", 2}, "a100-80gb": {"a100-80gb", 1}, " h100-sxm x 8 ": {"h100-sxm", 8}, "rtx4090": {"rtx4090", 1}} {
		got, err := ParseOwnedGPU(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "rtx-4090x0", "rtx-4090x5000"} {
		if _, err := ParseOwnedGPU(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseAnswers(f *testing.F) {
	f.Add([]byte(designExample))
	f.Add([]byte("accuracy: {mmlu: 70}\nhave_gpus: [x]\n"))
	f.Add([]byte("tokens_per_month: 1e99\n"))
	f.Add([]byte("budget_usd: [1]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAnswers(b)
		if err != nil {
			return
		}
		// Whatever parses must round-trip through the echo format.
		out, err := yaml.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseAnswers(out); err != nil && a.Validate() == nil {
			t.Fatalf("echo does not parse: %v\n%s", err, out)
		}
	})
}

func TestContextTokens(t *testing.T) {
	for in, want := range map[string]int64{"8K": 8192, "128k": 131072, "131072": 131072, "1M": 1 << 20, "8,000": 8000} {
		got, err := ParseContextTokens(in)
		if err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
		if back, err := ParseContextTokens(FormatContextTokens(got)); err != nil || back != got {
			t.Errorf("%q does not round-trip: %q", in, FormatContextTokens(got))
		}
	}
	for _, bad := range []string{"", "0", "-8K", "8Q", "17M", "1.5K"} {
		if _, err := ParseContextTokens(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Errors about answers point where the value came from: FILE:LINE for the
// answers file (each have_gpus item on its own line), the flag once a flag
// overrides the field.
func TestAnswerErrorsNameTheirSource(t *testing.T) {
	_, err := ParseAnswersFile("w.yaml", []byte("privacy: secret\ninput_share: 2\nhave_gpus:\n  - rtx-4090\n  - rtx-4090x0\n"))
	if err == nil || err.Error() != `w.yaml:5: have_gpus: "rtx-4090x0": GPU count must be 1-1024` {
		t.Fatalf("bad have_gpus item: %v", err)
	}
	a, err := ParseAnswersFile("w.yaml", []byte("privacy: secret\ninput_share: 2\nhave_gpus:\n  - rtx-4090\n  - rtx-3090x2\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := a.Validate()
	for _, want := range []string{`w.yaml:1: privacy: "secret" is not one of`, "w.yaml:2: input_share: must be between 0 and 1"} {
		if got == nil || !strings.Contains(got.Error(), want) {
			t.Errorf("Validate() = %v, want %q", got, want)
		}
	}
	if e := a.ErrorFor("have_gpus", 1, "unknown GPU"); e.Error() != "w.yaml:5: have_gpus: unknown GPU" {
		t.Errorf("have_gpus item 1: %q", e.Error())
	}
	a.SetByFlag("privacy", "--privacy")
	if got := a.Validate(); got == nil || !strings.Contains(got.Error(), `--privacy: "secret"`) || strings.Contains(got.Error(), "w.yaml:1") {
		t.Errorf("after --privacy: %v", got)
	}
	if _, err := ParseAnswersFile("w.yaml", []byte("privacy: none\nlatncy: 2\n")); err == nil || !strings.HasPrefix(err.Error(), "w.yaml:2: latncy: unknown key (allowed: ") {
		t.Errorf("unknown key: %v", err)
	}
}

// A value of the wrong YAML type names its field and what it should be,
// not the Go type it could not be decoded into.
func TestAnswerTypeErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"privacy: none\nlatency_seconds: fast\n", `w.yaml:2: latency_seconds: want a number, got "fast"`},
		{"have_gpus: rtx-4090x2\n", `w.yaml:1: have_gpus: want a list such as [rtx-4090x2], got "rtx-4090x2"`},
		{"privacy: [none]\n", "w.yaml:1: privacy: want one value, got a list"},
		{"- 1\n", "w.yaml:1: want answers as key: value lines (tokens_per_month: 2M, privacy: none, …), got a list"},
		{"task: qa\ninput_share: {a: 1}\nload: [x]\n", "w.yaml:2: input_share: want a number, got a mapping\nw.yaml:3: load: want one value, got a list"},
	} {
		_, err := ParseAnswersFile("w.yaml", []byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
}
