package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// runInRepo runs llmcost from the repository root, so file names in
// output (annotations, golden files) read as they do in CI.
func runInRepo(t *testing.T, args ...string) runResult {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(filepath.Join("..", "..")); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.Chdir(wd) }()
	return run(t, nil, args...)
}

type checkJSON struct {
	SchemaVersion   int             `json:"schema_version"`
	OK              bool            `json:"ok"`
	TotalMonthlyUSD decimal.Decimal `json:"total_monthly_usd"`
	Workloads       []struct {
		Name       string          `json:"name"`
		MonthlyUSD decimal.Decimal `json:"monthly_usd"`
		Line       int             `json:"line"`
	} `json:"workloads"`
	Violations []struct {
		Kind string `json:"kind"`
		File string `json:"file"`
		Line int    `json:"line"`
	} `json:"violations"`
	Warnings []struct {
		Kind string `json:"kind"`
	} `json:"warnings"`
}

func decodeCheck(t *testing.T, s string) checkJSON {
	t.Helper()
	var c checkJSON
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return c
}

const (
	smallProduct   = "testdata/budgets/small-product.yaml"
	smallProductV2 = "testdata/budgets/small-product-v2.yaml"
	overLimit      = "testdata/budgets/cli/over-limit.yaml"
	deprecatedBudg = "testdata/budgets/cli/deprecated.yaml"
)

func TestCheckExitCodes(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"within limits", []string{"check", smallProduct}, 0, ""},
		{"several files within limits", []string{"check", deprecatedBudg, "testdata/budgets/minimal.yaml"}, 0, ""},
		{"names unique across files", []string{"check", smallProduct, "testdata/budgets/minimal.yaml"}, 2, `workload "support-bot" is also defined in testdata/budgets/small-product.yaml:6`},
		{"over a workload limit", []string{"check", overLimit}, 1, "budget check failed: 1 violation"},
		{"warning only", []string{"check", deprecatedBudg}, 0, ""},
		{"warning with --strict", []string{"check", deprecatedBudg, "--strict"}, 1, "budget check failed: 1 violation"},
		{"missing file", []string{"check", "testdata/budgets/nope.yaml"}, 2, "cannot read testdata/budgets/nope.yaml: no such file or directory"},
		{"broken file", []string{"check", "testdata/budgets/invalid/unknown-key.yaml"}, 2, "error: budget: testdata/budgets/invalid/unknown-key.yaml:7: workloads[0].promt_tokens: unknown key"},
		{"two broken files", []string{"check", "testdata/budgets/invalid/unknown-key.yaml", "testdata/budgets/invalid/bad-ttl.yaml"}, 2, "error: budget: 2 problems:\n  testdata/budgets/invalid/unknown-key.yaml:7:"},
		{"no file", []string{"check"}, 2, "want one or more budget files"},
		{"bad format", []string{"check", smallProduct, "--format", "yaml"}, 2, `invalid value "yaml" for --format: want one of table, json, csv, markdown, github`},
		{"missing baseline", []string{"check", smallProduct, "--compare-to", "nope.json"}, 2, "cannot read nope.json"},
		{"baseline that is not a report", []string{"check", smallProduct, "--compare-to", smallProduct}, 2, "not a `llmcost check --format json` report"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runInRepo(t, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", r.code, tc.code, r.stderr, r.stdout)
			}
			if tc.stderr == "" && r.stderr != "" || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("stderr %q, want %q", r.stderr, tc.stderr)
			}
			if tc.code == 2 && r.stdout != "" {
				t.Fatalf("bad input printed data: %q", r.stdout)
			}
			if tc.code == 1 && !strings.Contains(r.stdout, "Violations (") {
				t.Fatalf("violations not printed:\n%s", r.stdout)
			}
		})
	}
}

func TestCheckGitHubAnnotations(t *testing.T) {
	r := runInRepo(t, "check", overLimit, "--format", "github")
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// Line 5 is "  - name: support-bot" in over-limit.yaml.
	want := "::error file=testdata/budgets/cli/over-limit.yaml,line=5::support-bot costs $1,620.00/month, over its $1,500.00 limit\n"
	if !strings.HasPrefix(r.stdout, want) {
		t.Fatalf("got\n%s\nwant first line\n%s", r.stdout, want)
	}
	r = runInRepo(t, "check", deprecatedBudg, "--format", "github")
	mustOK(t, r)
	if !strings.HasPrefix(r.stdout, "::warning file=testdata/budgets/cli/deprecated.yaml,line=4::classifier uses gemini-2.0-flash, deprecated since 2026-06-01\n") {
		t.Fatalf("warning annotation:\n%s", r.stdout)
	}
	r = runInRepo(t, "check", deprecatedBudg, "--format", "github", "--strict")
	if r.code != 1 || !strings.HasPrefix(r.stdout, "::error file=testdata/budgets/cli/deprecated.yaml,line=4::") {
		t.Fatalf("strict: exit %d\n%s", r.code, r.stdout)
	}
	// A broken budget: exit 2, and the bad line annotated.
	r = runInRepo(t, "check", "testdata/budgets/invalid/share-above-one.yaml", "--format", "github")
	if r.code != 2 || !strings.HasPrefix(r.stdout, "::error file=testdata/budgets/invalid/share-above-one.yaml,line=9::workloads[0].cached_share: ") {
		t.Fatalf("bad input annotation: exit %d\n%s", r.code, r.stdout)
	}
	golden(t, "check-over-limit.github", runInRepo(t, "check", overLimit, "--format", "github").stdout)
}

func TestGitHubEscaping(t *testing.T) {
	if got := escapeGHData("50% off\nnext"); got != "50%25 off%0Anext" {
		t.Fatalf("data: %q", got)
	}
	if got := escapeGHProperty("a:b,c.yaml"); got != "a%3Ab%2Cc.yaml" {
		t.Fatalf("property: %q", got)
	}
}

// baseline writes `check BASE --format json` to a temp file.
func baseline(t *testing.T, file string) string {
	t.Helper()
	r := runInRepo(t, "check", file, "--format", "json")
	if r.code > 1 {
		t.Fatalf("baseline: exit %d %s", r.code, r.stderr)
	}
	p := filepath.Join(t.TempDir(), "base.json")
	if err := os.WriteFile(p, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckCompareTo(t *testing.T) {
	base := baseline(t, smallProduct)
	// v2 adds $406.69/month (27.5%: > $200 and > 15%): both limits fail, on the
	// lines of max_increase_usd (48) and max_increase_pct (49).
	r := runInRepo(t, "check", smallProductV2, "--compare-to", base, "--format", "json")
	if r.code != 1 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	c := decodeCheck(t, r.stdout)
	var kinds []string
	for _, v := range c.Violations {
		kinds = append(kinds, v.Kind+"@"+strings.TrimPrefix(v.File, "testdata/budgets/")+":"+strconv.Itoa(v.Line))
	}
	if strings.Join(kinds, " ") != "max_increase_usd@small-product-v2.yaml:48 max_increase_pct@small-product-v2.yaml:49" {
		t.Fatalf("violations %v", kinds)
	}
	// The same file against its own baseline: no change, passes.
	r = runInRepo(t, "check", smallProduct, "--compare-to", base)
	mustOK(t, r)
	containsAll(t, r.stdout, "+$0.00/month (0.0%)")
	// Only the percent limit: a config whose limits allow the dollars.
	dir := t.TempDir()
	src, _ := os.ReadFile(filepath.Join("..", "..", smallProductV2))
	pctOnly := filepath.Join(dir, "pct.yaml")
	if err := os.WriteFile(pctOnly, []byte(strings.Replace(string(src), "max_increase_usd: 200", "max_increase_usd: 5000", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, "check", pctOnly, "--compare-to", base, "--format", "github")
	if r.code != 1 || !strings.Contains(r.stdout, "::error file="+pctOnly+",line=49::the total rises by ") || strings.Contains(r.stdout, "line=48") {
		t.Fatalf("percent only: exit %d\n%s", r.code, r.stdout)
	}
}

func TestCheckGoldenFormats(t *testing.T) {
	base := baseline(t, smallProduct)
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := runInRepo(t, "check", smallProduct, "--format", format)
			mustOK(t, r)
			golden(t, "check-small-product."+format, r.stdout)
		})
	}
	// The PR comment: violations first, totals, per-workload table with
	// deltas against the baseline.
	r := runInRepo(t, "check", smallProductV2, "--compare-to", base, "--format", "markdown")
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	out := strings.ReplaceAll(r.stdout, base, "BASELINE.json")
	golden(t, "check-pr-comment.markdown", out)
	if strings.Index(out, "### Violations") > strings.Index(out, "### Workloads") {
		t.Fatalf("violations must come first:\n%s", out)
	}
}

func TestCheckJSONContract(t *testing.T) {
	r := runInRepo(t, "check", overLimit, "--format", "json")
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema_version", "ok", "total_monthly_usd", "workloads", "violations", "warnings"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if !strings.Contains(r.stdout, `"total_monthly_usd": 1647,`) {
		t.Errorf("money must be a plain number:\n%s", r.stdout)
	}
	c := decodeCheck(t, r.stdout)
	if c.OK || c.Workloads[0].Name != "support-bot" || !c.Workloads[0].MonthlyUSD.Equal(decimal.NewFromInt(1620)) || c.Violations[0].Line != 5 {
		t.Fatalf("%+v", c)
	}
}

func TestCheckFlagParsing(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := NewFactory(ios, func(string) string { return "" })
	var got *CheckOptions
	cmd := newCmdCheck(f, func(o *CheckOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"a.yaml", "b.yaml", "--strict", "--compare-to", "base.json", "--format", "github"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if len(got.Files) != 2 || !got.Strict || got.CompareTo != "base.json" || got.Format != "github" {
		t.Fatalf("parsed %+v", got)
	}
}

func TestCheckFormatFromEnvironment(t *testing.T) {
	wd, _ := os.Getwd()
	_ = os.Chdir(filepath.Join("..", ".."))
	defer func() { _ = os.Chdir(wd) }()
	r := run(t, map[string]string{"LLMCOST_FORMAT": "github"}, "check", overLimit)
	if r.code != 1 || !strings.HasPrefix(r.stdout, "::error ") {
		t.Fatalf("LLMCOST_FORMAT=github: exit %d\n%s", r.code, r.stdout)
	}
	// Other commands still reject it.
	r = run(t, nil, "estimate", "--tokens", "1M", "--format", "github")
	if r.code != 2 {
		t.Fatalf("estimate --format github: exit %d", r.code)
	}
}

// The acceptance check of `diff`: its delta is the difference of two
// `check --format json` totals.
func TestDiffEqualsCheckSubtraction(t *testing.T) {
	b := decodeCheck(t, runInRepo(t, "check", smallProduct, "--format", "json").stdout)
	h := decodeCheck(t, runInRepo(t, "check", smallProductV2, "--format", "json").stdout)
	r := runInRepo(t, "diff", smallProduct, smallProductV2, "--format", "json")
	mustOK(t, r)
	var d struct {
		DeltaUSD  decimal.Decimal `json:"delta_usd"`
		Workloads []struct {
			Name     string          `json:"name"`
			Status   string          `json:"status"`
			DeltaUSD decimal.Decimal `json:"delta_usd"`
			Reasons  []struct {
				Kind string `json:"kind"`
			} `json:"reasons"`
		} `json:"workloads"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if want := h.TotalMonthlyUSD.Sub(b.TotalMonthlyUSD); !d.DeltaUSD.Equal(want) || !want.IsPositive() {
		t.Fatalf("diff %s, checks %s - %s", d.DeltaUSD, h.TotalMonthlyUSD, b.TotalMonthlyUSD)
	}
	got := map[string]string{}
	for _, w := range d.Workloads {
		var ks []string
		for _, r := range w.Reasons {
			ks = append(ks, r.Kind)
		}
		got[w.Name] = w.Status + ":" + strings.Join(ks, ",")
	}
	want := map[string]string{
		"support-bot": "changed:output_tokens_changed", "ticket-triage": "unchanged:", "nightly-digest": "changed:model_changed",
		"contract-review": "changed:requests_changed", "onboarding-emails": "added:added",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	for _, format := range []string{"table", "markdown"} {
		r := runInRepo(t, "diff", smallProduct, smallProductV2, "--format", format)
		mustOK(t, r)
		golden(t, "diff-small-product."+format, r.stdout)
	}
}

func TestDiffGitRefs(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	copyFile := func(from string) {
		b, err := os.ReadFile(filepath.Join("..", "..", from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "budget.yaml"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitRun("init", "-q")
	copyFile(smallProduct)
	gitRun("add", "budget.yaml")
	gitRun("commit", "-qm", "base")
	copyFile(smallProductV2)
	gitRun("commit", "-qam", "head")

	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.Chdir(wd) }()
	fromGit := run(t, nil, "diff", "git:HEAD~1:budget.yaml", "budget.yaml", "--format", "json")
	mustOK(t, fromGit)
	if !strings.Contains(fromGit.stdout, `"file": "git:HEAD~1:budget.yaml"`) {
		t.Fatalf("base not read from git:\n%s", fromGit.stdout)
	}
	var a, b struct {
		DeltaUSD decimal.Decimal `json:"delta_usd"`
	}
	_ = json.Unmarshal([]byte(fromGit.stdout), &a)
	both := run(t, nil, "diff", "git:HEAD~1:budget.yaml", "git:HEAD:budget.yaml", "--format", "json")
	mustOK(t, both)
	_ = json.Unmarshal([]byte(both.stdout), &b)
	if !a.DeltaUSD.Equal(b.DeltaUSD) || !a.DeltaUSD.IsPositive() {
		t.Fatalf("git:HEAD vs working tree: %s vs %s", a.DeltaUSD, b.DeltaUSD)
	}
	r := run(t, nil, "diff", "git:HEAD~1:nope.yaml", "budget.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, "git:HEAD~1:nope.yaml") {
		t.Fatalf("missing path in git: exit %d %s", r.code, r.stderr)
	}
	r = run(t, nil, "diff", "git:HEAD", "budget.yaml")
	if r.code != 2 || !strings.Contains(r.stderr, "want a file or git:REF:path") {
		t.Fatalf("malformed git spec: exit %d %s", r.code, r.stderr)
	}
}

func TestSchemaCommand(t *testing.T) {
	r := run(t, nil, "schema", "budget")
	mustOK(t, r)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("budget.json", doc); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compile("budget.json"); err != nil {
		t.Fatalf("printed schema does not compile: %v", err)
	}
	if r := run(t, nil, "schema", "policy"); r.code != 2 || !strings.Contains(r.stderr, `unknown schema "policy"`) {
		t.Fatalf("unknown schema: exit %d %s", r.code, r.stderr)
	}
}

// The example workflow stays valid YAML and uses check's CI formats with
// flags check really has.
func TestExampleWorkflow(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "ci", "github-actions.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	var runs strings.Builder
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			runs.WriteString(s.Run)
		}
	}
	containsAll(t, runs.String(), "llmcost check", "--format github", "--format markdown", "--format json", "llmcost diff \"git:")
	ios, _, _, _ := iostreams.Test()
	cmd := newCmdCheck(NewFactory(ios, func(string) string { return "" }), func(*CheckOptions) error { return nil })
	for _, fl := range []string{"compare-to", "format", "strict"} {
		if cmd.Flags().Lookup(fl) == nil {
			t.Errorf("check has no --%s", fl)
		}
	}
}

// A local option in a budget costs what `estimate --local/--rent` says
// for the same month of tokens.
func TestCheckLocalMatchesEstimate(t *testing.T) {
	r := runInRepo(t, "check", "testdata/budgets/hybrid.yaml", "--format", "json")
	mustOK(t, r)
	var c struct {
		Workloads []struct {
			Name       string          `json:"name"`
			Kind       string          `json:"kind"`
			MonthlyUSD decimal.Decimal `json:"monthly_usd"`
		} `json:"workloads"`
		Warnings []struct {
			Kind string `json:"kind"`
		} `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatal(err)
	}
	// 300,000 requests × (1,200 in + 300 out) = 360M in, 90M out; the
	// context holds the longest request (1,500 tokens).
	e := decodeEstimate(t, run(t, nil, "estimate", "--input", "360M", "--output", "90M", "--prompt-tokens", "1200", "--output-tokens", "300", "--context", "1500",
		"--local", "llama-3.1-8b@rtx-4090", "--models", "gpt-4o", "--format", "json").stdout)
	rent := decodeEstimate(t, run(t, nil, "estimate", "--input", "360M", "--output", "90M", "--prompt-tokens", "1200", "--output-tokens", "300", "--context", "1500", "--concurrency", "8",
		"--rent", "llama-3.1-70b@h100-80gb", "--models", "gpt-4o", "--format", "json").stdout)
	want := map[string]decimal.Decimal{}
	for _, o := range append(e.Options, rent.Options...) {
		if o.Kind == "local" {
			want[o.ID] = o.MonthlyCostUSD
		}
	}
	if len(want) != 2 {
		t.Fatalf("estimate options: %+v %+v", e.Options, rent.Options)
	}
	for _, w := range c.Workloads[:2] {
		found := false
		for id, v := range want {
			if w.MonthlyUSD.Equal(v) {
				found = true
				delete(want, id)
			}
		}
		if w.Kind != "local" || !found || !w.MonthlyUSD.IsPositive() {
			t.Errorf("%s (%s) costs %s; estimate says %v", w.Name, w.Kind, w.MonthlyUSD, want)
		}
	}
	// The owned 4090's price is not verified: a warning, not $0.
	if len(c.Warnings) == 0 || c.Warnings[0].Kind != "price_unverified" {
		t.Fatalf("warnings: %+v", c.Warnings)
	}
}
