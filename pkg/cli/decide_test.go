package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/decide"
	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

type decideJSON struct {
	SchemaVersion   int      `json:"schema_version"`
	Verdict         string   `json:"verdict"`
	Reasons         []string `json:"reasons"`
	Recommendations []struct {
		Role           string  `json:"role"`
		Kind           string  `json:"kind"`
		Model          string  `json:"model"`
		MonthlyCostUSD float64 `json:"monthly_cost_usd"`
	} `json:"recommendations"`
	WhatWouldChangeIt []struct {
		Kind      string  `json:"kind"`
		Threshold float64 `json:"threshold"`
	} `json:"what_would_change_it"`
	Workload struct {
		TokensPerMonth int64  `json:"tokens_per_month"`
		Task           string `json:"task"`
	} `json:"workload"`
}

func decodeDecide(t *testing.T, s string) decideJSON {
	t.Helper()
	var d decideJSON
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return d
}

func TestDecideGoldenFormats(t *testing.T) {
	scenarios := map[string][]string{
		"cloud":  {"decide", "--tokens", "2M", "--privacy", "none", "--task", "classification"},
		"hybrid": {"decide", "--tokens", "2M", "--privacy", "regulated", "--regulated-share", "0.3", "--task", "code", "--budget", "100"},
	}
	for name, args := range scenarios {
		for _, format := range []string{"table", "json", "csv", "markdown"} {
			t.Run(name+"."+format, func(t *testing.T) {
				r := run(t, nil, append(args, "--format", format)...)
				mustOK(t, r)
				golden(t, "decide-"+name+"."+format, r.stdout)
			})
		}
	}
}

func TestDecideJSONContract(t *testing.T) {
	r := run(t, nil, "decide", "--tokens", "2M", "--privacy", "none", "--task", "classification", "--format", "json")
	mustOK(t, r)
	d := decodeDecide(t, r.stdout)
	if d.SchemaVersion != 1 || d.Verdict != "cloud" || len(d.Reasons) == 0 || len(d.Recommendations) != 1 || d.Workload.TokensPerMonth != 2_000_000 {
		t.Fatalf("%+v", d)
	}
	// Money is a plain number, never a string.
	if !strings.Contains(r.stdout, `"monthly_cost_usd": 0.`) {
		t.Errorf("money not a raw number:\n%s", r.stdout)
	}
	var raw map[string]any
	_ = json.Unmarshal([]byte(r.stdout), &raw)
	for _, k := range []string{"schema_version", "verdict", "reasons", "recommendations", "what_would_change_it", "cloud_options", "local_options", "crossover_tokens_per_month"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
}

func TestDecideMissingAnswersIsOneError(t *testing.T) {
	r := run(t, nil, "decide")
	if r.code != 2 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	containsAll(t, r.stderr, "missing answers: tokens_per_month (--tokens", "privacy (--privacy", "task (--task", "not asked: no terminal")
	if strings.Count(r.stderr, "error:") != 1 || r.stdout != "" {
		t.Errorf("want one error and no data: %q %q", r.stderr, r.stdout)
	}
	r = run(t, nil, "decide", "--tokens", "2M")
	if r.code != 2 || strings.Contains(r.stderr, "tokens_per_month") || !strings.Contains(r.stderr, "privacy") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// --no-input on a terminal: still no prompt, the same error.
	ios, _, _, errOut := iostreams.Test()
	ios.SetTTY(true, true, true)
	f := NewFactory(ios, func(string) string { return "" })
	f.Now = func() time.Time { return fixedNow }
	f.RunForm = nil // a prompt would panic
	if code := Run(t.Context(), f, []string{"decide", "--no-input", "--tokens", "2M"}); code != 2 || !strings.Contains(errOut.String(), "missing answers: privacy") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// The same answers from a file and from flags give the same decision.
func TestDecideAnswersFileMatchesFlags(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		file  string
		flags []string
	}{
		{"tokens_per_month: 50M\ninput_share: 0.8\nprivacy: contractual\ntask: qa\naccuracy: {mmlu: 80}\nlatency_seconds: 6\ncontext_tokens: 16K\nload: spiky\npeak_to_average: 4\nhave_gpus: [rtx-4090x2]\nbudget_usd: 500\nops_hours_per_month: 4\n",
			[]string{"--tokens", "50M", "--input-share", "0.8", "--privacy", "contractual", "--task", "qa", "--accuracy", "mmlu:80", "--latency", "6", "--context", "16K", "--load", "spiky", "--peak-ratio", "4", "--have-gpu", "rtx-4090x2", "--budget", "500", "--ops-hours", "4"}},
		{"requests_per_month: 100K\ntokens_per_request: 2K\nprivacy: regulated\nregulated_share: 0.5\ntask: code\nttft_seconds: 1\n",
			[]string{"--requests", "100K", "--tokens-per-request", "2K", "--privacy", "regulated", "--regulated-share", "0.5", "--task", "code", "--ttft", "1"}},
	}
	for i, c := range cases {
		path := filepath.Join(dir, "answers.yaml")
		if err := os.WriteFile(path, []byte(c.file), 0o644); err != nil {
			t.Fatal(err)
		}
		fromFile := run(t, nil, "decide", "--answers", path, "--format", "json")
		mustOK(t, fromFile)
		fromFlags := run(t, nil, append([]string{"decide", "--format", "json"}, c.flags...)...)
		mustOK(t, fromFlags)
		if fromFile.stdout != fromFlags.stdout {
			t.Errorf("case %d: file and flags differ\n--- file ---\n%s\n--- flags ---\n%s", i, fromFile.stdout, fromFlags.stdout)
		}
	}
}

func TestDecideFlagsOverrideFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.yaml")
	_ = os.WriteFile(path, []byte("tokens_per_month: 300K\nprivacy: none\ntask: classification\n"), 0o644)
	r := run(t, nil, "decide", "--answers", path, "--format", "json")
	mustOK(t, r)
	if v := decodeDecide(t, r.stdout).Verdict; v != "cloud" {
		t.Fatalf("file alone: %s", v)
	}
	r = run(t, nil, "decide", "--answers", path, "--privacy", "regulated", "--format", "json")
	mustOK(t, r)
	if v := decodeDecide(t, r.stdout).Verdict; v != "local" {
		t.Fatalf("--privacy regulated over the file: %s", v)
	}
}

func TestDecideEnvironmentOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.yaml")
	_ = os.WriteFile(path, []byte("tokens_per_month: 300K\nprivacy: none\ntask: classification\n"), 0o644)
	r := run(t, map[string]string{"LLMCOST_PRIVACY": "regulated"}, "decide", "--answers", path, "--format", "json")
	mustOK(t, r)
	if v := decodeDecide(t, r.stdout).Verdict; v != "local" {
		t.Fatalf("LLMCOST_PRIVACY=regulated over the file: %s", v)
	}
	r = run(t, map[string]string{"LLMCOST_PRIVACY": "regulated"}, "decide", "--answers", path, "--privacy", "none", "--format", "json")
	mustOK(t, r)
	if v := decodeDecide(t, r.stdout).Verdict; v != "cloud" {
		t.Fatalf("--privacy none over the environment: %s", v)
	}
}

func TestDecideBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("tokens_per_month: 2M\nprivacy: none\ntask: qa\nlatency: 3\n"), 0o644)
	badTokens := filepath.Join(dir, "tokens.yaml")
	_ = os.WriteFile(badTokens, []byte("privacy: none\ntokens_per_month: 2Q\n"), 0o644)
	base := []string{"decide", "--tokens", "2M", "--task", "qa"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"privacy", append(base, "--privacy", "secret"), `privacy: "secret" is not one of none, contractual, regulated`},
		{"task", []string{"decide", "--tokens", "2M", "--privacy", "none", "--task", "poetry"}, `task: "poetry" is not one of`},
		{"accuracy", append(base, "--privacy", "none", "--accuracy", "perfect"), "invalid value for --accuracy"},
		{"tokens", []string{"decide", "--tokens", "2Q"}, `invalid value "2Q" for --tokens`},
		{"budget", append(base, "--privacy", "none", "--budget", "lots"), "invalid value for --budget"},
		{"unknown gpu", append(base, "--privacy", "none", "--have-gpu", "rtx-9999"), "--have-gpu: unknown GPU"},
		{"gpu count", append(base, "--privacy", "none", "--have-gpu", "rtx-4090x0"), "GPU count must be 1-1024"},
		{"load", append(base, "--privacy", "none", "--load", "bursty"), `load: "bursty"`},
		{"missing file", append(base, "--answers", filepath.Join(dir, "nope.yaml")), "--answers: open"},
		{"unknown key", []string{"decide", "--answers", bad}, "bad.yaml:4: latency: unknown key (allowed: tokens_per_month,"},
		{"bad value in file", []string{"decide", "--answers", badTokens}, `tokens.yaml:2: tokens_per_month: "2Q"`},
		{"tokens and requests", append(base, "--privacy", "none", "--requests", "1K"), "none of the others can be"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Fatalf("exit %d, stderr %q, want %q", r.code, r.stderr, tc.want)
			}
		})
	}
}

// Every bad answer names where it came from: FILE:LINE: field for the
// answers file, --flag for a flag (even when the file has the field too).
func TestDecideBadAnswerNamesItsSource(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	privacy := write("privacy.yaml", "tokens_per_month: 2M\nprivacy: secret\ntask: qa\n")
	share := write("share.yaml", "tokens_per_month: 2M\nprivacy: none\ninput_share: 2\ntask: qa\n")
	gpu := write("gpu.yaml", "tokens_per_month: 2M\nprivacy: none\ntask: qa\nhave_gpus:\n  - rtx-4090\n  - rtx-9999x2\n")
	badGPU := write("badgpu.yaml", "tokens_per_month: 2M\nprivacy: none\ntask: qa\nhave_gpus: [rtx-4090x0]\n")
	perRequest := write("perrequest.yaml", "privacy: none\ntokens_per_request: 2K\ntask: qa\n")
	latency := write("latency.yaml", "tokens_per_month: 2M\nprivacy: none\ntask: qa\nlatency_seconds: -1\nttft_seconds: 0.5\n")
	base := []string{"decide", "--tokens", "2M", "--task", "qa", "--privacy", "none"}
	cases := []struct {
		name      string
		args      []string
		want      string
		forbidden string
	}{
		{"privacy in file", []string{"decide", "--answers", privacy}, privacy + `:2: privacy: "secret" is not one of none, contractual, regulated`, ""},
		{"input share in file", []string{"decide", "--answers", share}, share + ":3: input_share: must be between 0 and 1", ""},
		{"unknown GPU in file", []string{"decide", "--answers", gpu}, gpu + `:6: have_gpus: unknown GPU "rtx-9999"`, "--have-gpu"},
		{"bad GPU in file", []string{"decide", "--answers", badGPU}, badGPU + `:4: have_gpus: "rtx-4090x0": GPU count must be 1-1024`, "--have-gpu"},
		{"latency in file", []string{"decide", "--answers", latency}, latency + ":4: latency_seconds: must be >= 0", ""},
		{"latency flag", append(base, "--latency", "-1"), "--latency: must be >= 0", "latency_seconds"},
		{"latency flag over the file", []string{"decide", "--answers", latency, "--latency", "-2"}, "--latency: must be >= 0", "latency.yaml"},
		{"input-share flag over the file", []string{"decide", "--answers", share, "--input-share", "3"}, "--input-share: must be between 0 and 1", "share.yaml"},
		{"unknown GPU flag over the file", []string{"decide", "--answers", gpu, "--have-gpu", "rtx-9998"}, `--have-gpu: unknown GPU "rtx-9998"`, "gpu.yaml"},
		{"tokens-per-request flag alone", []string{"decide", "--privacy", "none", "--task", "qa", "--tokens-per-request", "1K"}, "--tokens-per-request: needs requests_per_month (--requests) too", ""},
		{"requests flag alone", []string{"decide", "--privacy", "none", "--task", "qa", "--requests", "1K"}, "--requests: needs tokens_per_request (--tokens-per-request) too", ""},
		{"tokens_per_request alone in file", []string{"decide", "--answers", perRequest}, perRequest + ":2: tokens_per_request: needs requests_per_month (--requests) too", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Fatalf("exit %d, stderr %q, want %q", r.code, r.stderr, tc.want)
			}
			if tc.forbidden != "" && strings.Contains(r.stderr, tc.forbidden) {
				t.Errorf("stderr %q names %q, where the value did not come from", r.stderr, tc.forbidden)
			}
		})
	}
}

func TestDecideWritePolicy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "route.yaml")
	_ = os.WriteFile(path, []byte("old"), 0o600)
	r := run(t, nil, "decide", "--tokens", "2M", "--privacy", "regulated", "--regulated-share", "0.3", "--task", "code", "--write-policy", path, "--format", "json")
	mustOK(t, r)
	if !strings.Contains(r.stderr, "wrote route policy to "+path) {
		t.Errorf("stderr %q", r.stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p decide.Policy
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if p.SchemaVersion != 1 || len(p.Backends) != 2 || p.Rules[0].When == nil || *p.Rules[0].When.PII != true || p.Backends[0].Source != "local" {
		t.Fatalf("policy:\n%s", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode())
	}
	// An unwritable place is an error, and nothing is half-written.
	// The message names the file asked for, not the temp file beside it.
	missing := filepath.Join(dir, "missing", "route.yaml")
	r = run(t, nil, "decide", "--tokens", "2M", "--privacy", "none", "--task", "qa", "--write-policy", missing)
	if r.code != 2 || !strings.Contains(r.stderr, "--write-policy: cannot write "+missing+": no such file or directory") || strings.Contains(r.stderr, ".llmcost-policy-") {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
}

func TestDecideFlagParsing(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := NewFactory(ios, func(k string) string {
		if k == "ACCESSIBLE" {
			return "1"
		}
		return ""
	})
	var got *DecideOptions
	cmd := newCmdDecide(f, func(o *DecideOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--tokens", "300K/day", "--have-gpu", "rtx-4090x2", "--have-gpu", "a100-80gb", "--privacy", "none", "--peak-ratio", "5"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Tokens.N != 9_125_000 || len(got.HaveGPUs) != 2 || !got.Accessible || !got.changed["peak-ratio"] || got.changed["task"] {
		t.Fatalf("%+v", got)
	}
	a, err := got.answers()
	if err != nil {
		t.Fatal(err)
	}
	if a.TokensPerMonth != 9_125_000 || a.PeakToAverage != 5 || len(a.HaveGPUs) != 2 || a.HaveGPUs[0].Count != 2 || a.Task != "" || a.InputShare != nil {
		t.Fatalf("%+v", a)
	}
}

// The volume threshold decide quotes is the crossover `llmcost breakeven`
// computes for the same local setup and cloud model.
func TestDecideCrossoverMatchesBreakeven(t *testing.T) {
	for _, args := range [][]string{
		{"--tokens", "10M", "--privacy", "none", "--task", "classification"},
		{"--tokens", "2B", "--privacy", "none", "--task", "classification"},
		{"--tokens", "500M", "--privacy", "none", "--task", "qa", "--context", "16K"},
	} {
		r := run(t, nil, append([]string{"decide", "--format", "json"}, args...)...)
		mustOK(t, r)
		var d struct {
			Crossover    *int64 `json:"crossover_tokens_per_month"`
			LocalOptions []struct {
				Model, GPU, Quant, Mode string
				GPUsPerReplica          int `json:"gpus_per_replica"`
				Concurrency             int
			} `json:"local_options"`
			CloudOptions []struct{ Model, Excluded string } `json:"cloud_options"`
			Workload     struct {
				Context int64 `json:"context_tokens"`
				Prompt  int64 `json:"prompt_tokens_per_request"`
			} `json:"workload"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || d.Crossover == nil || len(d.LocalOptions) == 0 {
			t.Fatalf("%v: %s", err, r.stdout)
		}
		l, c := d.LocalOptions[0], d.CloudOptions[0]
		if l.Mode != "owned" || c.Excluded != "" {
			t.Fatalf("want an owned local option and an eligible cloud one: %+v %+v", l, c)
		}
		be := run(t, nil, "breakeven", "--local", fmt.Sprintf("%s@%s:%sx%d", l.Model, l.GPU, l.Quant, l.GPUsPerReplica), "--vs", c.Model,
			"--concurrency", fmt.Sprint(l.Concurrency), "--context", fmt.Sprint(d.Workload.Context), "--prompt-tokens", fmt.Sprint(d.Workload.Prompt), "--format", "json")
		mustOK(t, be)
		var b struct {
			Crossover *int64 `json:"crossover_tokens_per_month"`
		}
		if err := json.Unmarshal([]byte(be.stdout), &b); err != nil || b.Crossover == nil {
			t.Fatalf("%v: %s", err, be.stdout)
		}
		if *b.Crossover != *d.Crossover {
			t.Errorf("%v: decide says %d, breakeven %d", args, *d.Crossover, *b.Crossover)
		}
	}
}

// Every kind of verdict writes a policy that `llmcost route --check-policy`
// accepts, with its catalog prices resolved.
func TestDecidePolicyPassesRouteCheck(t *testing.T) {
	dir := t.TempDir()
	for name, args := range map[string][]string{
		"cloud":            {"--tokens", "2M", "--privacy", "none", "--task", "classification"},
		"cloud anthropic":  {"--tokens", "2M", "--privacy", "none", "--task", "agents"},
		"cloud google":     {"--tokens", "2M", "--privacy", "none", "--task", "qa", "--accuracy", "best"},
		"local":            {"--tokens", "2B", "--privacy", "none", "--task", "classification"},
		"local regulated":  {"--tokens", "2M", "--privacy", "regulated", "--task", "qa", "--have-gpu", "rtx-4090"},
		"hybrid regulated": {"--tokens", "2M", "--privacy", "regulated", "--regulated-share", "0.3", "--task", "code"},
		"hybrid spiky":     {"--tokens", "1B", "--privacy", "none", "--task", "code", "--load", "spiky", "--peak-ratio", "2"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
			r := run(t, nil, append([]string{"decide", "--format", "json", "--write-policy", path}, args...)...)
			mustOK(t, r)
			chk := run(t, nil, "route", "--check-policy", path)
			if chk.code != 0 || !strings.Contains(chk.stdout, "valid") {
				b, _ := os.ReadFile(path)
				t.Fatalf("route --check-policy: exit %d\n%s%s\npolicy:\n%s", chk.code, chk.stdout, chk.stderr, b)
			}
			if strings.Contains(chk.stderr, "warning") && !strings.Contains(chk.stderr, "no local backend") {
				t.Errorf("unexpected warning: %s", chk.stderr)
			}
			// Regulated data the detectors cannot see must be flagged by
			// hand: a policy that sends the rest to the cloud says how.
			b, _ := os.ReadFile(path)
			wantHint := name == "hybrid regulated"
			if got := strings.Contains(string(b), `# {"id": "...", "prompt": "...", "pii": true}.`); got != wantHint {
				t.Errorf("pii-flag hint in the header: %v, want %v\n%s", got, wantHint, b)
			}
		})
	}
	// The check is not a rubber stamp: a policy routing PII to the cloud fails it.
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("schema_version: 1\nbackends:\n  - {name: c, source: cloud, api: openai, model: gpt-5-nano, price: gpt-5-nano, api_key_env: OPENAI_API_KEY}\nrules:\n  - when: {pii: true}\n    use: c\n  - use: c\n"), 0o644)
	if chk := run(t, nil, "route", "--check-policy", bad); chk.code == 0 {
		t.Fatalf("route --check-policy accepted PII to the cloud:\n%s", chk.stdout)
	}
}

// CSV drops table titles, so the verdict needs a table of its own; and no
// number, in any format, is written in exponent notation.
func TestDecideCSVCarriesVerdictAndPlainNumbers(t *testing.T) {
	exponent := regexp.MustCompile(`\d[eE][+-]?\d`)
	scenarios := []struct {
		name       string
		args       []string
		verdict    string
		thresholds map[string]*regexp.Regexp // change kind -> raw threshold
	}{
		{"volume crossover", []string{"--tokens", "2M", "--privacy", "none", "--task", "classification"}, "cloud",
			map[string]*regexp.Regexp{"volume": regexp.MustCompile(`^[1-9][0-9]{7,}$`), "privacy": regexp.MustCompile(`^$`)}},
		{"latency", []string{"--tokens", "500M", "--privacy", "none", "--task", "classification", "--latency", "3"}, "local",
			map[string]*regexp.Regexp{"volume": regexp.MustCompile(`^[1-9][0-9]{7,}$`), "latency": regexp.MustCompile(`^[0-9]+\.[0-9]+$`)}},
		{"over budget", []string{"--tokens", "2M", "--privacy", "regulated", "--task", "code", "--budget", "10"}, "local",
			map[string]*regexp.Regexp{"budget": regexp.MustCompile(`^[0-9]+\.[0-9]+$`)}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			args := append([]string{"decide"}, sc.args...)
			r := run(t, nil, append(args, "--format", "csv")...)
			mustOK(t, r)
			cr := csv.NewReader(strings.NewReader(r.stdout))
			cr.FieldsPerRecord = -1
			recs, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) < 3 || strings.Join(recs[0], ",") != "field,value" || strings.Join(recs[1], ",") != "verdict,"+sc.verdict {
				t.Fatalf("CSV does not open with the verdict:\n%s", r.stdout)
			}
			fields := map[string]string{}
			inChanges := false
			seen := map[string]bool{}
			for _, rec := range recs {
				if len(rec) == 2 && !inChanges {
					fields[rec[0]] = rec[1]
				}
				if strings.Join(rec, ",") == "kind,threshold,verdict,explanation" {
					inChanges = true
					continue
				}
				if inChanges && len(rec) == 4 {
					if re, ok := sc.thresholds[rec[0]]; ok {
						seen[rec[0]] = true
						if !re.MatchString(rec[1]) {
							t.Errorf("%s threshold %q does not match %s", rec[0], rec[1], re)
						}
					}
				}
			}
			for kind := range sc.thresholds {
				if !seen[kind] {
					t.Errorf("no %s change in:\n%s", kind, r.stdout)
				}
			}
			if _, err := decimal.NewFromString(fields["monthly_cost_usd"]); err != nil {
				t.Errorf("monthly_cost_usd %q: %v", fields["monthly_cost_usd"], err)
			}
			if fields["as_of"] != "2026-11-27" {
				t.Errorf("as_of %q", fields["as_of"])
			}
			for _, format := range []string{"csv", "markdown", "table"} {
				out := run(t, nil, append(args, "--format", format)...).stdout
				if m := exponent.FindString(out); m != "" {
					t.Errorf("%s output has exponent notation %q:\n%s", format, m, out)
				}
			}
		})
	}
}

// A minimum score on a benchmark the catalog does not score models on is
// a typo, not a bar no local model can meet: it is rejected, naming the
// benchmarks there are and where the answer came from.
func TestDecideUnknownBenchmark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.yaml")
	if err := os.WriteFile(path, []byte("tokens_per_month: 2M\nprivacy: none\ntask: qa\naccuracy: {mmlu-pro: 70}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"decide", "--tokens", "2M", "--privacy", "none", "--task", "qa", "--accuracy", "mmmlu:75"}, `--accuracy: unknown benchmark "mmmlu" (the catalog scores models on mmlu, mmlu_pro)`},
		{[]string{"decide", "--answers", path}, path + `:4: accuracy: unknown benchmark "mmlu-pro" (the catalog scores models on mmlu, mmlu_pro)`},
	} {
		r := run(t, nil, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	r := run(t, nil, "decide", "--tokens", "2M", "--privacy", "none", "--task", "qa", "--accuracy", "mmlu_pro:60", "--format", "json")
	mustOK(t, r)
}

// The config file holds defaults; an answers file named on the command
// line is this run's answers, so it wins over the config file (a stale
// `privacy: none` there must not turn regulated answers into a cloud
// verdict). The config file still fills answers the file does not give.
func TestDecideAnswersFileOverridesConfigFile(t *testing.T) {
	dir := t.TempDir()
	answers := filepath.Join(dir, "a.yaml")
	cfg := filepath.Join(dir, "config.yaml")
	_ = os.WriteFile(answers, []byte("tokens_per_month: 300K\nprivacy: regulated\n"), 0o644)
	_ = os.WriteFile(cfg, []byte("decide:\n  privacy: none\n  task: classification\n"), 0o644)
	r := run(t, nil, "--config", cfg, "decide", "--answers", answers, "--format", "json")
	mustOK(t, r)
	d := decodeDecide(t, r.stdout)
	if d.Verdict != "local" || d.Workload.Task != "classification" {
		t.Fatalf("verdict %s, task %s; want local (privacy regulated from the answers file), task classification from the config file", d.Verdict, d.Workload.Task)
	}
	// A flag still wins over both.
	r = run(t, nil, "--config", cfg, "decide", "--answers", answers, "--privacy", "none", "--format", "json")
	mustOK(t, r)
	if v := decodeDecide(t, r.stdout).Verdict; v != "cloud" {
		t.Fatalf("--privacy none over the answers file: %s", v)
	}
}

// An answer no setup can meet (a context no model takes) is blamed on
// where it came from, like any other bad answer.
func TestDecideImpossibleContextNamesItsSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.yaml")
	_ = os.WriteFile(path, []byte("tokens_per_month: 2M\nprivacy: none\ntask: qa\ncontext_tokens: 10M\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"decide", "--answers", path}, path + ":4: context_tokens: no qa cloud candidate and no local option takes"},
		{[]string{"decide", "--tokens", "2M", "--privacy", "none", "--task", "qa", "--context", "10M"}, "error: --context: no qa cloud candidate"},
	} {
		r := run(t, nil, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// On a terminal the verdict is a card; piped, it is plain lines (no
// border characters around every reason), like every table when piped.
func TestDecideCardOnlyOnATerminal(t *testing.T) {
	args := []string{"decide", "--tokens", "2M", "--privacy", "none", "--task", "classification"}
	r := run(t, nil, args...)
	mustOK(t, r)
	if strings.ContainsAny(r.stdout, "╭│╰") || !strings.HasPrefix(r.stdout, "Verdict: CLOUD") {
		t.Errorf("piped output has a border:\n%s", r.stdout)
	}
	// A note that wraps is not padded with spaces to the longest line.
	r = run(t, nil, "decide", "--tokens", "300M", "--privacy", "contractual", "--task", "summarization", "--latency", "4")
	mustOK(t, r)
	if !strings.Contains(r.stdout, "note: the catalog has no measured latency") {
		t.Fatalf("no wrapped note to check:\n%s", r.stdout)
	}
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.TrimRight(l, " ") != l {
			t.Errorf("trailing spaces: %q", l)
		}
	}
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, true, false)
	f := NewFactory(ios, func(string) string { return "" })
	f.Now = func() time.Time { return fixedNow }
	if code := Run(context.Background(), f, append(args, "--no-color")); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out.String(), "╭") || !strings.Contains(out.String(), "│ Verdict: CLOUD") {
		t.Errorf("terminal output is not a card:\n%s", out.String())
	}
}

// The help shows the answers file's format itself: DESIGN.md, which it
// used to point to, does not ship with the binary. Every key it shows is
// one the answers file accepts.
func TestDecideHelpShowsAnswersFormat(t *testing.T) {
	r := run(t, nil, "decide", "--help")
	mustOK(t, r)
	if strings.Contains(r.stdout, "DESIGN.md") {
		t.Errorf("help points to DESIGN.md, which users do not have")
	}
	i := strings.Index(r.stdout, "The answers file")
	if i < 0 {
		t.Fatalf("help does not show the answers file format:\n%s", r.stdout)
	}
	var body []string
	for _, l := range strings.Split(r.stdout[i:], "\n")[1:] {
		if !strings.HasPrefix(l, "  ") {
			if len(body) > 0 {
				break
			}
			continue
		}
		key, _, _ := strings.Cut(strings.TrimSpace(l), "#")
		if strings.HasPrefix(strings.TrimSpace(key), "requests_per_month") {
			continue // the alternative to tokens_per_month, shown commented
		}
		body = append(body, key)
	}
	if len(body) < 10 {
		t.Fatalf("answers example too short: %q", body)
	}
	path := filepath.Join(t.TempDir(), "a.yaml")
	if err := os.WriteFile(path, []byte(strings.Join(body, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, "decide", "--answers", path, "--format", "json")
	if r.code != 0 {
		t.Fatalf("the help's answers file does not load: exit %d %s\n%s", r.code, r.stderr, strings.Join(body, "\n"))
	}
}

// When the GPUs the answers own hold a model that misses only the reply
// target, the reason says so with the numbers, rather than that they
// "cannot hold" one; with a looser target that model is chosen.
func TestDecideOwnedGPUsReasonNamesTheUnmetTarget(t *testing.T) {
	dir := t.TempDir()
	answers := func(latency string) string {
		p := filepath.Join(dir, "answers-"+latency+".yaml")
		body := "tokens_per_month: 2M\ninput_share: 0.75\nprivacy: none\ntask: classification\naccuracy: good-enough\n" +
			"latency_seconds: " + latency + "\ncontext_tokens: 8000\nload: steady\nhave_gpus: [rtx-4090x2]\nbudget_usd: 500\nops_hours_per_month: 4\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := run(t, nil, "decide", "--no-input", "--answers", answers("2"), "--format", "json")
	mustOK(t, r)
	var d struct {
		Reasons []string `json:"reasons"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	reasons := strings.Join(d.Reasons, "\n")
	if strings.Contains(reasons, "cannot hold") || !regexp.MustCompile(`the GPUs you own hold \S+ \(\S+\), but its reply takes about 2\.\d\d s, over the 2 s the answers allow`).MatchString(reasons) {
		t.Errorf("reasons do not name the missed reply target:\n%s", reasons)
	}
	r = run(t, nil, "decide", "--no-input", "--answers", answers("3"))
	mustOK(t, r)
	containsAll(t, r.stdout, "already owned")
}

// A local verdict that needs more than one copy of the machine says how
// many, in the reasons, the table and the JSON, and they agree.
func TestDecideSaysHowManyMachines(t *testing.T) {
	r := run(t, nil, "decide", "--tokens", "20B", "--privacy", "regulated", "--task", "qa", "--no-input", "--format", "json")
	mustOK(t, r)
	var d struct {
		Reasons         []string `json:"reasons"`
		Recommendations []struct {
			Kind     string `json:"kind"`
			GPU      string `json:"gpu"`
			GPUs     int    `json:"gpus"`
			Machines int    `json:"machines"`
		} `json:"recommendations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Recommendations) != 1 || d.Recommendations[0].Kind != "local" {
		t.Fatalf("recommendations %+v, want one local (regulated)", d.Recommendations)
	}
	rec := d.Recommendations[0]
	if rec.Machines < 2 || rec.GPUs%rec.Machines != 0 {
		t.Fatalf("20B tokens/month: %d GPUs in %d machines; want more than one machine", rec.GPUs, rec.Machines)
	}
	want := fmt.Sprintf("on %d machines of %dx %s", rec.Machines, rec.GPUs/rec.Machines, rec.GPU)
	if !strings.Contains(strings.Join(d.Reasons, "\n"), want) {
		t.Errorf("reasons do not say %q:\n%s", want, strings.Join(d.Reasons, "\n"))
	}
	r = run(t, nil, "decide", "--tokens", "20B", "--privacy", "regulated", "--task", "qa", "--no-input", "--format", "csv")
	mustOK(t, r)
	containsAll(t, r.stdout, fmt.Sprintf("%d machines of %dx %s owned", rec.Machines, rec.GPUs/rec.Machines, rec.GPU))
}

// Regulated traffic that does not use the GPUs the user owns says why, as
// a cost-driven verdict does.
func TestDecideRegulatedSaysWhyOwnedGPUsAreUnused(t *testing.T) {
	r := run(t, nil, "decide", "--tokens", "20M", "--privacy", "regulated", "--task", "qa", "--have-gpu", "rtx4090", "--as-of", "2026-12-04")
	mustOK(t, r)
	if !strings.Contains(r.stdout, "rtx-4060 (owned)") || !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), "the GPUs you own are sunk cost, but running them is not: gpt-oss-20b (mxfp4) on 1x rtx-4090 (already owned)") {
		t.Errorf("no reason for leaving the owned rtx-4090 unused:\n%s", r.stdout)
	}
}
