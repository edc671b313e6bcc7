package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/iostreams"
)

const (
	lintFixture   = "../../testdata/catalog/lint-fixture"
	smallLiteLLM  = "../../testdata/litellm/small-2026-07-24.json"
	subsetLiteLLM = "../../testdata/litellm/litellm-subset-2026-07-24.json"
)

// runLLMCost runs the command tree with the given embedded catalog
// directory ("" = the real embedded catalog), a fixed clock and buffer
// streams.
func runLLMCost(t testing.TB, embedded string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := NewFactory(ios, func(string) string { return "" })
	f.Now = func() time.Time { return fixedNow }
	if embedded != "" {
		f.EmbeddedCatalog = catalog.Source{FS: os.DirFS(embedded), Origin: "embedded"}
	}
	code = Run(context.Background(), f, args)
	return out.String(), errOut.String(), code
}

var formats = []string{"table", "json", "csv", "markdown"}

func TestCatalogImportGolden(t *testing.T) {
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			out, errOut, code := runLLMCost(t, lintFixture, "catalog", "import", "litellm", smallLiteLLM, "-o", dir, "--format", format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, "catalog-import-litellm."+format, strings.ReplaceAll(out, dir, "$DIR"))
			yml, err := os.ReadFile(filepath.Join(dir, "litellm.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "catalog-import-litellm.yaml", string(yml))
		})
	}
}

func TestCatalogImportToStdout(t *testing.T) {
	out, errOut, code := runLLMCost(t, lintFixture, "catalog", "import", "litellm", smallLiteLLM)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	f, err := catalog.DecodeFileStrict([]byte(out))
	if err != nil {
		t.Fatalf("stdout is not strict catalog YAML: %v", err)
	}
	if len(f.Models) == 0 || !strings.Contains(errOut, "Imported") {
		t.Errorf("models %d, stderr %q", len(f.Models), errOut)
	}
}

func TestCatalogImportFlags(t *testing.T) {
	undated := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(undated, []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown format", []string{"openrouter", smallLiteLLM}, 2, `unknown import format "openrouter"`},
		{"one argument", []string{"litellm"}, 2, "want two arguments"},
		{"undated file needs --date", []string{"litellm", undated}, 2, "--date"},
		{"bad --date", []string{"litellm", undated, "--date", "24/07/2026"}, 2, "invalid value"},
		{"missing file", []string{"litellm", "nope-2026-07-24.json"}, 2, "cannot read nope-2026-07-24.json"},
		{"missing undated file", []string{"litellm", "nope.json"}, 2, "cannot read nope.json: no such file or directory"},
		{"stdin needs --date", []string{"litellm", "-"}, 2, "give the date of - with --date"},
		{"bad --date, missing file", []string{"litellm", "nope.json", "--date", "2026-13-01"}, 2, "invalid value"},
		{"undated file with --date", []string{"litellm", undated, "--date", "2026-07-24"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runLLMCost(t, lintFixture, append([]string{"catalog", "import"}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d stderr %q, want exit %d containing %q", code, errOut, tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestCatalogImportOptionsThroughRunF(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := NewFactory(ios, func(string) string { return "" })
	var got *CatalogImportOptions
	cmd := newCmdCatalogImport(f, func(o *CatalogImportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"litellm", "x-2026-07-24.json", "-o", "out"})
	cmd.SetOut(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Format != "litellm" || got.File != "x-2026-07-24.json" || got.OutDir != "out" || got.Date != "" {
		t.Errorf("options %+v", got)
	}
}

func TestCatalogLintGolden(t *testing.T) {
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			out, errOut, code := runLLMCost(t, lintFixture, "catalog", "lint", "--against", smallLiteLLM, "--min-level", "info", "--format", format)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (batch-typo has a batch multiplier above 1): %s", code, errOut)
			}
			if !strings.Contains(errOut, "error-level findings: 1") {
				t.Errorf("stderr %q", errOut)
			}
			golden(t, "catalog-lint."+format, out)
		})
	}
}

func TestCatalogLintExitCodes(t *testing.T) {
	clean := t.TempDir()
	data, err := os.ReadFile(filepath.Join(lintFixture, "models.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), "  - id: batch-typo")
	if err := os.WriteFile(filepath.Join(clean, "models.yaml"), data[:i], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runLLMCost(t, clean, "catalog", "lint", "--against", smallLiteLLM); code != 0 {
		t.Errorf("warnings only: exit %d, want 0: %s", code, errOut)
	}
	if _, _, code := runLLMCost(t, lintFixture, "catalog", "lint"); code != 1 {
		t.Errorf("an error-level finding: exit %d, want 1", code)
	}
	if _, errOut, code := runLLMCost(t, lintFixture, "catalog", "lint", "--min-level", "loud"); code != 2 || !strings.Contains(errOut, "--min-level") {
		t.Errorf("bad --min-level: exit %d %q", code, errOut)
	}
	if _, errOut, code := runLLMCost(t, clean, "catalog", "lint", "--against", "no-such-dir"); code != 2 || !strings.Contains(errOut, "--against: cannot read no-such-dir") {
		t.Errorf("missing --against: exit %d %q", code, errOut)
	}
	// --min-level error hides warnings but still counts them.
	out, _, _ := runLLMCost(t, lintFixture, "catalog", "lint", "--against", smallLiteLLM, "--min-level", "error", "--format", "json")
	var res CatalogLintResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Counts["warning"] == 0 || res.OK {
		t.Errorf("findings %d counts %v ok %v", len(res.Findings), res.Counts, res.OK)
	}
}

func TestCatalogDiffGolden(t *testing.T) {
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			out, errOut, code := runLLMCost(t, lintFixture, "catalog", "diff", "embedded", smallLiteLLM, "--format", format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, "catalog-diff."+format, out)
		})
	}
}

func TestCatalogDiffArgs(t *testing.T) {
	if _, errOut, code := runLLMCost(t, lintFixture, "catalog", "diff", "embedded"); code != 2 || !strings.Contains(errOut, "want two catalogs") {
		t.Errorf("one argument: exit %d %q", code, errOut)
	}
	out, errOut, code := runLLMCost(t, lintFixture, "catalog", "diff", "embedded", lintFixture, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errOut)
	}
	var res CatalogDiffResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.PriceChanges)+len(res.Added)+len(res.Removed) != 0 {
		t.Errorf("a catalog differs from itself: %+v", res)
	}
	// One YAML file works like a directory.
	out, errOut, code = runLLMCost(t, lintFixture, "catalog", "diff", filepath.Join(lintFixture, "models.yaml"), "embedded", "--format", "json")
	if code != 0 || !strings.Contains(out, `"price_changes": []`) {
		t.Errorf("single file: exit %d %s %s", code, errOut, out)
	}
}

// TestEstimateUsesImportedPrices: `estimate --catalog DIR` over the shipped
// catalog prices with the imported LiteLLM numbers.
func TestEstimateUsesImportedPrices(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := runLLMCost(t, "", "catalog", "import", "litellm", subsetLiteLLM, "-o", dir); code != 0 {
		t.Fatalf("import: exit %d %s", code, errOut)
	}
	cost := func(extra ...string) string {
		args := append([]string{"estimate", "--input", "1M", "--output", "1M", "--models", "gpt-5.6-luna", "--format", "json"}, extra...)
		out, errOut, code := runLLMCost(t, "", args...)
		if code != 0 {
			t.Fatalf("estimate %v: exit %d %s", extra, code, errOut)
		}
		var res struct {
			Options []struct {
				ID             string      `json:"id"`
				MonthlyCostUSD json.Number `json:"monthly_cost_usd"`
				Source         string      `json:"source"`
			} `json:"options"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Options) != 1 {
			t.Fatalf("estimate output: %v\n%s", err, out)
		}
		return string(res.Options[0].MonthlyCostUSD) + " " + res.Options[0].Source
	}
	// Ours: $0.20 + $1.20 after the 2026-07-30 cut; LiteLLM's subset: $1 + $6.
	if got := cost(); !strings.HasPrefix(got, "1.4 ") {
		t.Errorf("shipped catalog: %s, want 1.4", got)
	}
	if got := cost("--catalog", dir); !strings.HasPrefix(got, "7 "+catalog.LiteLLMSourcePrefix) {
		t.Errorf("with the import: %s, want 7 from LiteLLM", got)
	}
}

// BenchmarkEstimateImportedCatalog loads the embedded catalog plus the full
// import of the LiteLLM subset and estimates every cloud model (target
// under 50 ms per run).
func BenchmarkEstimateImportedCatalog(b *testing.B) {
	dir := b.TempDir()
	if _, errOut, code := runLLMCost(b, "", "catalog", "import", "litellm", subsetLiteLLM, "-o", dir); code != 0 {
		b.Fatalf("import: exit %d %s", code, errOut)
	}
	b.ResetTimer()
	for b.Loop() {
		out, errOut, code := runLLMCost(b, "", "estimate", "--catalog", dir, "--tokens", "10M", "--all", "--format", "json")
		if code != 0 || len(out) == 0 {
			b.Fatalf("estimate: exit %d %s", code, errOut)
		}
	}
}

// BenchmarkImportLiteLLMSubset measures the importer alone.
func BenchmarkImportLiteLLMSubset(b *testing.B) {
	data, err := os.ReadFile(subsetLiteLLM)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := catalog.ImportLiteLLM(strings.NewReader(string(data)), "subset.json", fixedNow); err != nil {
			b.Fatal(err)
		}
	}
}

// An undated LiteLLM file is compared as if its prices were in force on
// --as-of (or from --date), with a note, not as if they started today.
func TestCatalogDiffUndatedLiteLLM(t *testing.T) {
	data, err := os.ReadFile(smallLiteLLM)
	if err != nil {
		t.Fatal(err)
	}
	undated := filepath.Join(t.TempDir(), "model_prices_and_context_window.json")
	if err := os.WriteFile(undated, data, 0o644); err != nil {
		t.Fatal(err)
	}
	diff := func(args ...string) CatalogDiffResult {
		t.Helper()
		out, errOut, code := runLLMCost(t, lintFixture, append([]string{"catalog", "diff", "embedded"}, append(args, "--as-of", "2026-08-01", "--format", "json")...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var res CatalogDiffResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	dated := diff(smallLiteLLM)
	for _, args := range [][]string{{undated}, {undated, "--date", "2026-07-24"}} {
		got := diff(args...)
		if len(got.PriceChanges) != len(dated.PriceChanges) || len(got.Removed) != len(dated.Removed) {
			t.Errorf("%v: %d changes %d removed, the dated file %d and %d", args, len(got.PriceChanges), len(got.Removed), len(dated.PriceChanges), len(dated.Removed))
		}
		if hasNote := strings.Contains(strings.Join(got.Notes, "\n"), "has no date in its name"); hasNote != (len(args) == 1) {
			t.Errorf("%v: notes %q", args, got.Notes)
		}
	}
}
