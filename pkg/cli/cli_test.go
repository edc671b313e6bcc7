package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/spf13/cobra"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedNow is the clock every CLI test runs on.
var fixedNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

type runResult struct {
	code   int
	stdout string
	stderr string
}

// run executes llmcost in-process with a fixed clock, no terminal and a
// controlled environment.
func run(t *testing.T, env map[string]string, args ...string) runResult {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	getenv := func(k string) string { return env[k] }
	f := NewFactory(ios, getenv)
	f.Now = func() time.Time { return fixedNow }
	code := Run(context.Background(), f, args)
	return runResult{code, out.String(), errOut.String()}
}

// golden compares got with testdata/golden/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./pkg/cli -update` to create it)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs from golden file (run `go test ./pkg/cli -update` if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func mustOK(t *testing.T, r runResult) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}

func containsAll(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("output lacks %q:\n%s", sub, s)
		}
	}
}

type cobraCommand = cobra.Command

func allCommands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		out = append(out, allCommands(sub)...)
	}
	return out
}

// --no-color may come from the flag, LLMCOST_NO_COLOR or the config file,
// like every other flag; each of them turns colour off on a terminal.
func TestNoColorFromFlagEnvAndConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("no-color: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"estimate", "--tokens", "1M", "--models", "gpt-4o"}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		extra []string
		color bool
	}{
		{"terminal", nil, nil, true},
		{"flag", nil, []string{"--no-color"}, false},
		{"env", map[string]string{"LLMCOST_NO_COLOR": "1"}, nil, false},
		{"config", nil, []string{"--config", cfg}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetTTY(false, true, false)
			f := NewFactory(ios, func(k string) string { return tc.env[k] })
			f.Now = func() time.Time { return fixedNow }
			if code := Run(context.Background(), f, append(args, tc.extra...)); code != 0 {
				t.Fatalf("exit %d", code)
			}
			if got := strings.Contains(out.String(), "\x1b["); got != tc.color {
				t.Fatalf("escape codes: %v, want %v\n%q", got, tc.color, out.String())
			}
		})
	}
}

// A mistyped subcommand or help topic is bad usage (exit 2, with a
// suggestion), not a help page and exit 0; the bare parent still shows
// its help.
func TestUnknownSubcommandIsBadUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"catalog", "lsit"}, `unknown command "lsit" for "llmcost catalog"`},
		{[]string{"catalog", "lsit"}, "Did you mean this?\n\tlint\n\tlist\n"},
		{[]string{"completion", "tcsh"}, `unknown command "tcsh" for "llmcost completion"`},
		{[]string{"help", "nonsense"}, `unknown help topic "nonsense"`},
		{[]string{"help", "estimat"}, "Did you mean this?\n\testimate"},
	} {
		r := run(t, nil, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %d bytes, stderr %q; want exit 2 with %q", tc.args, r.code, len(r.stdout), r.stderr, tc.want)
		}
	}
	for _, args := range [][]string{{"catalog"}, {"completion"}, {"help"}, {"help", "estimate"}, {"help", "catalog", "list"}, {"help", "exit-codes"}} {
		r := run(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
}

// TestJSONTokensAreIntegers holds DESIGN.md's "tokens as integers" for
// every command's JSON: a key that names a token count has a whole JSON
// number (or null, or a list/object of such values), never a formatted
// string such as "4,000". Rates (tokens per second, dollars per million
// tokens) and shares are not counts.
func TestJSONTokensAreIntegers(t *testing.T) {
	cmds := [][]string{
		{"estimate", "--tokens", "10M"},
		{"fit", "--model", "llama-3.1-8b", "--gpu", "rtx-4090"},
		{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--tokens", "50M"},
		{"check", "testdata/budgets/small-product.yaml"},
		{"report", costsLedger},
		{"decide", "--tokens", "2M", "--privacy", "none", "--task", "classification", "--no-input"},
	}
	for _, c := range cmds {
		r := runInRepo(t, append(c, "--format", "json")...)
		if r.code != 0 && r.code != 1 { // check exits 1 over a limit, with its report
			t.Fatalf("%v: exit %d: %s", c, r.code, r.stderr)
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		seen := 0
		var walk func(path string, v any, counts bool)
		walk = func(path string, v any, counts bool) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					walk(path+"."+k, e, isTokenCountKey(k))
				}
			case []any:
				for i, e := range x {
					walk(fmt.Sprintf("%s[%d]", path, i), e, counts)
				}
			case json.Number:
				if counts {
					seen++
					if _, err := x.Int64(); err != nil {
						t.Errorf("%v: %s = %s, want a whole number of tokens", c, path, x)
					}
				}
			case string:
				if counts {
					t.Errorf("%v: %s = %q, want a JSON number", c, path, x)
				}
			}
		}
		walk(c[0], v, false)
		if seen == 0 {
			t.Errorf("%v: no token count found in its JSON; the test reads nothing", c)
		}
	}
}

func isTokenCountKey(k string) bool {
	if strings.Contains(k, "per_second") || strings.Contains(k, "share") || strings.HasSuffix(k, "_usd") {
		return false
	}
	return k == "tokens" || strings.HasSuffix(k, "_tokens") || strings.Contains(k, "_tokens_") || strings.HasPrefix(k, "tokens_")
}

// A missing argument says what the command wants, not cobra's count, and
// schema refuses a --format it cannot honour.
func TestArgumentErrorsSayWhatIsWanted(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "a.yaml"}, "want two budget files to compare"},
		{[]string{"schema"}, "want the kind of file whose schema to print"},
		{[]string{"catalog", "show"}, "want one model or GPU id"},
		{[]string{"schema", "budget", "--format", "csv"}, "schema prints JSON Schema only"},
	} {
		r := run(t, nil, tc.args...)
		if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "arg(s), received") {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
}

// A mistyped flag gets the command's closest flags, as a mistyped command
// gets "Did you mean".
func TestUnknownFlagSuggestions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"estimate", "--model", "gpt-4o"}, "(did you mean --models?)"},
		{[]string{"fit", "--models", "x"}, "(did you mean --model?)"},
		{[]string{"breakeven", "--token", "5M"}, "(did you mean --tokens?)"},
	} {
		r := run(t, nil, tc.args...)
		if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
	if r := run(t, nil, "estimate", "--zzz"); strings.Contains(r.stderr, "did you mean") {
		t.Errorf("a suggestion for --zzz: %q", r.stderr)
	}
}

// A directory where a file is read or written is bad input (exit 2), named
// as given, never a temporary file beside it.
func TestDirectoryWhereAFileIsWanted(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "d.svg")
	if err := os.Mkdir(svg, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"route", "--check-policy", dir}, "is a directory"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--plot", svg}, "cannot write " + svg + ": is a directory"},
		{[]string{"decide", "--tokens", "20M", "--privacy", "none", "--task", "qa", "--write-policy", dir}, "--write-policy: " + dir + " is a directory"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--plot", "a.svg", "--plot-volume", "./a.svg"}, "both name a.svg"},
	} {
		r := run(t, nil, tc.args...)
		if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, ".llmcost-policy-") {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
}

// catalog validate lists its sources in words, not as a Go slice.
func TestCatalogValidateNamesSources(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../../data/cloud/openai.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "openai.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "catalog", "validate", dir)
	mustOK(t, r)
	if !strings.Contains(r.stdout, "sources, later ones over earlier: embedded, "+dir) || strings.Contains(r.stdout, "[embedded") {
		t.Errorf("sources note:\n%s", r.stdout)
	}
}

// breakeven --rent MODEL@GPU (estimate's form) says how breakeven takes it.
func TestBreakevenRentFormOfEstimate(t *testing.T) {
	r := run(t, nil, "breakeven", "--rent", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o")
	if r.code != ExitBadInput || !strings.Contains(r.stderr, "breakeven --local llama-3.1-8b@rtx-4090 --rent --vs MODEL") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
