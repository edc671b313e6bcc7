package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/iostreams"
)

func TestCatalogListGolden(t *testing.T) {
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := run(t, nil, "catalog", "list", "--provider", "anthropic", "--format", format)
			mustOK(t, r)
			golden(t, "catalog-list-anthropic."+format, r.stdout)
		})
	}
}

func TestCatalogShowGolden(t *testing.T) {
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := run(t, nil, "catalog", "show", "gpt-4o", "--format", format)
			mustOK(t, r)
			golden(t, "catalog-show-gpt-4o."+format, r.stdout)
		})
	}
}

func TestCatalogShowHistoryAndAliases(t *testing.T) {
	r := run(t, nil, "catalog", "show", "gpt-4o")
	mustOK(t, r)
	containsAll(t, r.stdout, "2024-05-13", "2024-08-06", "$5.00", "$2.50", "$15.00", "$10.00", "Source")
	// vendor spellings resolve to our ids
	r = run(t, nil, "catalog", "show", "claude-sonnet-4-5-20250929", "--format", "json")
	mustOK(t, r)
	var res struct {
		Kind  string `json:"kind"`
		Model struct {
			ID            string `json:"id"`
			ContextWindow int64  `json:"context_window"`
			Prices        []struct {
				Tiers []struct {
					AboveTokens int64 `json:"above_tokens"`
				} `json:"tiers"`
			} `json:"prices"`
		} `json:"model"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Kind != "cloud" || res.Model.ID != "claude-sonnet-4.5" || len(res.Model.Prices) == 0 || len(res.Model.Prices[0].Tiers) == 0 || res.Model.Prices[0].Tiers[0].AboveTokens != 200000 {
		t.Fatalf("claude-sonnet-4.5 via vendor id: %+v", res)
	}
}

func TestCatalogShowUnknown(t *testing.T) {
	r := run(t, nil, "catalog", "show", "gpt-4oo")
	if r.code != 2 || !strings.Contains(r.stderr, "did you mean gpt-4o") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestCatalogValidateDirs(t *testing.T) {
	r := run(t, nil, "catalog", "validate", "--format", "json")
	mustOK(t, r)
	if !strings.Contains(r.stdout, `"ok": true`) {
		t.Fatal(r.stdout)
	}
	dir := t.TempDir()
	bad := "schema_version: 1\nmodels:\n  - id: mine\n    provider: acme\n    context_window: 1000\n    source: s\n    verified: 2026-01-01\n    prices:\n      - {effective_from: 2026-01-01, input: 1, cached_input: 2, output: 3, source: s, verified: 2026-01-01}\n"
	if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, "catalog", "validate", dir)
	if r.code != 2 || !strings.Contains(r.stderr, filepath.Join(dir, "mine.yaml")+":9: cached_input: 2 is above the input price 1") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// With --format json the problems are data on stdout, "ok": false.
	r = run(t, nil, "catalog", "validate", dir, "--format", "json")
	var res struct {
		OK          bool `json:"ok"`
		CloudModels *int `json:"cloud_models"`
		Issues      []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"issues"`
	}
	if r.code != 2 || json.Unmarshal([]byte(r.stdout), &res) != nil || res.OK || res.CloudModels != nil || len(res.Issues) != 1 || res.Issues[0].Line != 9 || res.Issues[0].Field != "cached_input" {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	good := strings.Replace(bad, "cached_input: 2", "cached_input: 0.5", 1)
	if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, "--catalog", dir, "estimate", "--tokens", "1M", "--models", "mine", "--format", "csv")
	mustOK(t, r)
	// 750K × $1 + 250K × $3
	if !strings.Contains(r.stdout, "mine,cloud,1.5,") {
		t.Fatalf("user catalog not used:\n%s", r.stdout)
	}
}

func TestExitCodesTopic(t *testing.T) {
	r := run(t, nil, "help", "exit-codes")
	mustOK(t, r)
	containsAll(t, r.stdout, "0    success", "2    bad usage", "130  interrupted")
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := run(t, nil, "completion", sh)
		mustOK(t, r)
		if !strings.Contains(r.stdout, "llmcost") || len(r.stdout) < 500 {
			t.Fatalf("%s completion looks empty", sh)
		}
	}
	r := run(t, nil, "__complete", "estimate", "--format", "")
	mustOK(t, r)
	containsAll(t, r.stdout, "table", "json", "csv", "markdown")
	r = run(t, nil, "__complete", "estimate", "--models", "claude-haiku")
	mustOK(t, r)
	containsAll(t, r.stdout, "claude-haiku-4.5")
}

func TestEveryCommandHasExamples(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewRootCmd(NewFactory(ios, func(string) string { return "" }))
	for _, c := range allCommands(root) {
		if c.Hidden {
			continue
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no Example", c.CommandPath())
		}
	}
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("format: csv\nestimate:\n  models: [gpt-4o]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// file: csv and the model list from the estimate section
	r := run(t, nil, "--config", cfg, "estimate", "--tokens", "1M")
	mustOK(t, r)
	if !strings.HasPrefix(r.stdout, "option,kind") || strings.Count(r.stdout, "\n") != 2 {
		t.Fatalf("config file not applied:\n%s", r.stdout)
	}
	// env over file
	r = run(t, map[string]string{"LLMCOST_FORMAT": "json"}, "--config", cfg, "estimate", "--tokens", "1M")
	mustOK(t, r)
	if !strings.HasPrefix(r.stdout, "{") {
		t.Fatalf("env did not win over the file:\n%s", r.stdout)
	}
	// flag over env
	r = run(t, map[string]string{"LLMCOST_FORMAT": "json"}, "--config", cfg, "estimate", "--tokens", "1M", "--format", "markdown")
	mustOK(t, r)
	if !strings.HasPrefix(r.stdout, "###") {
		t.Fatalf("flag did not win over env:\n%s", r.stdout)
	}
	// the default location is optional; an explicit --config must exist
	r = run(t, map[string]string{"XDG_CONFIG_HOME": dir}, "estimate", "--tokens", "1M", "--models", "gpt-4o")
	mustOK(t, r)
	r = run(t, nil, "--config", filepath.Join(dir, "nope.yaml"), "estimate", "--tokens", "1M")
	if r.code != 2 || !strings.Contains(r.stderr, "nope.yaml") {
		t.Fatalf("missing --config: exit %d %s", r.code, r.stderr)
	}
	// a bad env value names its source
	r = run(t, map[string]string{"LLMCOST_TOKENS": "lots"}, "estimate")
	if r.code != 2 || !strings.Contains(r.stderr, "LLMCOST_TOKENS") {
		t.Fatalf("bad env value: exit %d %s", r.code, r.stderr)
	}
}

// A price that takes effect after the as-of date is shown as a note with
// the change in percent, and --as-of past it uses it.
func TestScheduledPriceChange(t *testing.T) {
	dir := t.TempDir()
	y := `schema_version: 1
models:
  - id: gpt-x
    provider: openai
    context_window: 128000
    source: s
    verified: 2026-11-01
    prices:
      - {effective_from: 2026-01-01, input: 1, output: 4, source: s, verified: 2026-11-01}
      - {effective_from: 2026-12-01, input: 1.2, output: 4.8, source: s, verified: 2026-11-01}
`
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "--catalog", dir, "estimate", "--tokens", "10M", "--models", "gpt-x")
	mustOK(t, r)
	containsAll(t, r.stdout, "gpt-x price changes on 2026-12-01: +20.0%")
	r = run(t, nil, "--catalog", dir, "estimate", "--tokens", "10M", "--models", "gpt-x", "--as-of", "2026-12-01", "--format", "csv")
	mustOK(t, r)
	// 7.5M × 1.2 + 2.5M × 4.8
	containsAll(t, r.stdout, "gpt-x,cloud,21,")
}

func TestConfigUnknownKeysAndValuesNameTheFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	for _, tc := range []struct{ body, want string }{
		{"kwh_price: 0.5\n", "unknown key(s) kwh_price (did you mean kwh-price?)"},
		{"estimate:\n  modles: [gpt-4o]\n", "estimate.modles (did you mean models?)"},
		{"colour: blue\n", "unknown key(s) colour"},
		{"estimate:\n  tokenz: 1M\n", "estimate.tokenz (did you mean tokens?)"},
		{"formt: json\n", "unknown key(s) formt (did you mean format?)"},
		{"estimate: 5\n", "estimate (a command's section: put flag: value lines under it)"},
		{"estimate:\n  kwh-price: abc\n", cfg + ": estimate.kwh-price"},
	} {
		if err := os.WriteFile(cfg, []byte(tc.body), 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, nil, "--config", cfg, "estimate", "--tokens", "1M")
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 with %q", tc.body, r.code, r.stderr, tc.want)
		}
	}
	// a known key in another command's section is fine
	if err := os.WriteFile(cfg, []byte("fit:\n  quant: q8_0\nbreakeven:\n  months: 24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustOK(t, run(t, nil, "--config", cfg, "estimate", "--tokens", "1M", "--models", "gpt-4o"))
}

// A provider no model has is a typo, not an empty list.
func TestCatalogListUnknownProvider(t *testing.T) {
	r := run(t, nil, "catalog", "list", "--provider", "opnai")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, `invalid value "opnai" for --provider`) || !strings.Contains(r.stderr, "openai") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, nil, "catalog", "list", "--provider", "openai", "--kind", "gpu")
	if r.code != 2 || !strings.Contains(r.stderr, "--provider") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, nil, "catalog", "list", "--provider", "OpenAI", "--format", "csv")
	mustOK(t, r)
	if !strings.Contains(r.stdout, "gpt-4o,openai,") || strings.Contains(r.stdout, "anthropic") {
		t.Fatalf("provider filter:\n%s", r.stdout)
	}
}

// catalog list shows the rental estimate and breakeven --rent price with:
// the cheapest verified offer, not a cheaper unverified one.
func TestCatalogListRentalIsTheOneUsed(t *testing.T) {
	dir := t.TempDir()
	gpu := "schema_version: 1\ngpus:\n  - id: my-gpu\n    name: Mine\n    vendor: acme\n    class: datacenter\n    vram_gb: 80\n    bandwidth_gbs: 2000\n    rentals:\n      - {provider: a, usd_per_hour: 2.00, date: 2026-01-01, source: s}\n      - {provider: b, usd_per_hour: 1.00, date: 2026-01-01, source: s, unverified: true}\n    source: s\n    verified: 2026-01-01\n"
	if err := os.WriteFile(filepath.Join(dir, "g.yaml"), []byte(gpu), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "--catalog", dir, "catalog", "list", "--kind", "gpu", "--format", "csv")
	mustOK(t, r)
	if !strings.Contains(r.stdout, "my-gpu,datacenter,80,2000,,,,2,") {
		t.Fatalf("list:\n%s", r.stdout)
	}
	r = run(t, nil, "--catalog", dir, "estimate", "--tokens", "10M", "--models", "gpt-4o", "--rent", "llama-3.1-8b@my-gpu", "--format", "json")
	mustOK(t, r)
	if !strings.Contains(r.stdout, "rented (a $2/h)") {
		t.Fatalf("estimate:\n%s", r.stdout)
	}
}

// Id flags that take comma-separated lists complete the item after the
// last comma, keep what came before it, and offer only ids that start with
// what was typed.
func TestCompletionOfIDLists(t *testing.T) {
	lines := func(args ...string) []string {
		t.Helper()
		r := run(t, nil, append([]string{"__complete"}, args...)...)
		mustOK(t, r)
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if !strings.HasPrefix(l, ":") {
				out = append(out, l)
			}
		}
		return out
	}
	for _, tc := range []struct {
		args       []string
		want, deny string
	}{
		{[]string{"estimate", "--models", "gpt-4"}, "gpt-4o", "claude-haiku-4.5"},
		{[]string{"estimate", "--models", "gpt-4o,claude-h"}, "gpt-4o,claude-haiku-4.5", "claude-haiku-4.5"},
		{[]string{"fit", "--gpu", "rtx-4090,a100"}, "rtx-4090,a100-80gb", "rtx-4090,rtx-4090"},
		{[]string{"fit", "--model", "llama-3.1-8b,mistral"}, "llama-3.1-8b,mistral-7b", "mistral-7b"},
		{[]string{"fit", "--quant", "q4_k_m,q8"}, "q4_k_m,q8_0", "q8_0"},
		{[]string{"decide", "--have-gpu", "rtx-40"}, "rtx-4090", "a100-80gb"},
	} {
		got := lines(tc.args...)
		if !slices.Contains(got, tc.want) || slices.Contains(got, tc.deny) {
			t.Errorf("%v: completions %v; want %q, not %q", tc.args, got, tc.want, tc.deny)
		}
		for _, g := range got {
			if last := tc.args[len(tc.args)-1]; !strings.HasPrefix(g, last) {
				t.Errorf("%v: %q does not extend %q", tc.args, g, last)
			}
		}
	}
}

// --local and --rent complete MODEL@GPU[:QUANT] a part at a time.
func TestCompletionOfLocalSpecs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"estimate", "--local", "llama-3.1-8"}, "llama-3.1-8b@\n"},
		{[]string{"estimate", "--rent", "llama-3.1-8b@rtx-409"}, "llama-3.1-8b@rtx-4090\n"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090:q4_k"}, "llama-3.1-8b@rtx-4090:q4_k_m\n"},
	} {
		r := run(t, nil, append([]string{"__complete"}, tc.args...)...)
		if r.code != 0 || !strings.Contains(r.stdout, tc.want) {
			t.Errorf("%v: %q", tc.args, r.stdout)
		}
	}
}

// Context sizes read as models are labelled: 131,072 is 128K, 128,000 is
// 128.0K, never "131.1K" or "125K".
func TestContextTokensAsLabelled(t *testing.T) {
	for n, want := range map[int64]string{131072: "128K", 128000: "128.0K", 16384: "16K", 200000: "200.0K", 163840: "160K", 1000: "1.0K"} {
		if got := contextTokens(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}
