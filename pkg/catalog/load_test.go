package catalog_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/catalog"
)

const goodModel = `schema_version: 1
models:
  - id: test-model
    provider: acme
    aliases: [Acme/Test-Model]
    context_window: 200000
    source: https://example.com/pricing
    verified: 2026-01-01
    prices:
      - effective_from: 2025-01-01
        input: 3.00
        cached_input: 0.30
        output: 15.00
        batch_multiplier: 0.5
        source: https://example.com/pricing
        verified: 2026-01-01
        tiers:
          - above_tokens: 100000
            input: 6
            cached_input: 0.6
            output: 22.5
      - effective_from: 2026-01-01
        input: 2.50
        cached_input: 0.25
        output: 10
        source: https://example.com/pricing
        verified: 2026-01-01
`

func load(t *testing.T, files map[string]string) (*catalog.Catalog, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return catalog.Load(catalog.Source{FS: fsys, Origin: "cat"})
}

func TestLoadGood(t *testing.T) {
	c, err := load(t, map[string]string{"a.yaml": goodModel})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Cloud("acme/test-model")
	if err != nil {
		t.Fatalf("alias lookup: %v", err)
	}
	if m.ID.V != "test-model" || m.File != "cat/a.yaml" {
		t.Fatalf("got %q from %q", m.ID.V, m.File)
	}
	p, err := m.PriceAt(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if p.Input.D.String() != "3" || p.CachedInput.D.String() != "0.3" {
		t.Fatalf("2025 price = %s / %s", p.Input.D, p.CachedInput.D)
	}
	p, _ = m.PriceAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if p.Input.D.String() != "2.5" {
		t.Fatalf("price on the day it changes = %s, want 2.5", p.Input.D)
	}
	if _, err := m.PriceAt(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)); err == nil || !strings.Contains(err.Error(), "first known price starts 2025-01-01") {
		t.Fatalf("before first price: %v", err)
	}
	if n := m.NextChange(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)); n == nil || n.EffectiveFrom.String() != "2026-01-01" {
		t.Fatalf("next change = %v", n)
	}
}

// Each broken catalog must fail with file:line and the field named.
func TestLoadRejects(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"unknown key", strings.Replace(goodModel, "    provider: acme\n", "    provider: acme\n    colour: red\n", 1), "cat/a.yaml:5: colour: unknown key"},
		{"negative price", strings.Replace(goodModel, "input: 3.00", "input: -3.00", 1), "cat/a.yaml:11: input: must not be negative"},
		{"price per token, not per 1M", strings.Replace(goodModel, "input: 3.00", "input: 1e300", 1), "cat/a.yaml:11: input: is implausible: over 1,000,000 USD per 1M tokens"},
		{"NaN price", strings.Replace(goodModel, "input: 3.00", "input: .nan", 1), `cat/a.yaml:11: input: ".nan" is not a finite number`},
		{"not a number", strings.Replace(goodModel, "output: 15.00", "output: fifteen", 1), `cat/a.yaml:13: output: "fifteen" is not a number`},
		{"cache above input", strings.Replace(goodModel, "cached_input: 0.30", "cached_input: 3.30", 1), "cat/a.yaml:12: cached_input: 3.3 is above the input price 3"},
		{"tier at context window", strings.Replace(goodModel, "above_tokens: 100000", "above_tokens: 200000", 1), "cat/a.yaml:18: tiers.above_tokens: 200000 is at or above the context window"},
		{"tier missing a rate", strings.Replace(goodModel, "            cached_input: 0.6\n", "", 1), "tiers.cached_input: is missing"},
		{"overlapping dates", strings.Replace(goodModel, "effective_from: 2026-01-01", "effective_from: 2025-01-01", 1), "cat/a.yaml:22: effective_from: 2025-01-01 overlaps the price from 2025-01-01"},
		{"until overlaps next", strings.Replace(goodModel, "        batch_multiplier: 0.5\n", "        batch_multiplier: 0.5\n        effective_until: 2026-03-01\n", 1), "overlaps the price from 2025-01-01, which runs until 2026-03-01"},
		{"missing source", strings.Replace(goodModel, "    source: https://example.com/pricing\n    verified: 2026-01-01\n    prices", "    verified: 2026-01-01\n    prices", 1), "cat/a.yaml:3: source: is required"},
		{"bad date", strings.Replace(goodModel, "verified: 2026-01-01\n    prices", "verified: 01/01/2026\n    prices", 1), `cat/a.yaml:8: verified: "01/01/2026" is not a date`},
		{"wrong type", strings.Replace(goodModel, "provider: acme", "provider: [acme]", 1), "cat/a.yaml:4: provider: want text, got a list"},
		{"bad id", strings.Replace(goodModel, "id: test-model", "id: Test Model", 1), `cat/a.yaml:3: id: "Test Model" must be lower-case`},
		{"no prices", "schema_version: 1\nmodels:\n  - id: x\n    provider: p\n    context_window: 10\n    source: s\n    verified: 2026-01-01\n", "prices: x has no prices"},
		{"fractional tokens", strings.Replace(goodModel, "above_tokens: 100000", "above_tokens: 100000.5", 1), "cat/a.yaml:18: tiers.above_tokens: must be a whole number (got 100000.5)"},
		{"huge context", strings.Replace(goodModel, "context_window: 200000", "context_window: 1e30", 1), "cat/a.yaml:6: context_window: 1000000000000000000000000000000 is too large"},
		{"schema version", strings.Replace(goodModel, "schema_version: 1", "schema_version: 2", 1), "schema_version: must be 1"},
		{"syntax", "schema_version: 1\nmodels: [\n", "cat/a.yaml:"},
		{"empty", "", "cat/a.yaml: empty file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, map[string]string{"a.yaml": tc.body})
			if err == nil {
				t.Fatal("loaded; want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q\ndoes not contain %q", err, tc.want)
			}
			var ce *catalog.Error
			if !errors.As(err, &ce) || !ce.BadInput() {
				t.Fatalf("error %T is not a *catalog.Error", err)
			}
		})
	}
}

func TestDuplicateIDsAndAliases(t *testing.T) {
	_, err := load(t, map[string]string{"a.yaml": goodModel, "b.yaml": goodModel})
	if err == nil || !strings.Contains(err.Error(), `cat/b.yaml:3: id: duplicate model id "test-model" (first defined at cat/a.yaml:3)`) {
		t.Fatalf("duplicate id: %v", err)
	}
	other := strings.NewReplacer("id: test-model", "id: other", "Acme/Test-Model", "ACME/test-model").Replace(goodModel)
	_, err = load(t, map[string]string{"a.yaml": goodModel, "b.yaml": other})
	if err == nil || !strings.Contains(err.Error(), "already names") || !strings.Contains(err.Error(), "aliases:") {
		t.Fatalf("alias clash: %v", err)
	}
}

func TestUserDirOverridesEmbedded(t *testing.T) {
	base := fstest.MapFS{"a.yaml": {Data: []byte(goodModel)}}
	cheaper := strings.Replace(goodModel, "input: 2.50", "input: 1.00", 1)
	user := fstest.MapFS{"mine.yaml": {Data: []byte(cheaper)}}
	c, err := catalog.Load(catalog.Source{FS: base, Origin: "embedded"}, catalog.Source{FS: user, Origin: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := c.Cloud("test-model")
	p, _ := m.PriceAt(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	if p.Input.D.String() != "1" || m.Origin != "mine" {
		t.Fatalf("override: input %s from %s", p.Input.D, m.Origin)
	}
}

func TestUnknownSuggests(t *testing.T) {
	c, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Cloud("claude-sonet-4.5")
	var ue *catalog.UnknownError
	if !errors.As(err, &ue) || len(ue.Suggestions) == 0 || ue.Suggestions[0] != "claude-sonnet-4.5" {
		t.Fatalf("suggestions for a typo: %v", err)
	}
	if !strings.Contains(err.Error(), "did you mean claude-sonnet-4.5") {
		t.Fatalf("message: %v", err)
	}
}

// The embedded YAML is the source of truth; data/catalog_gen.go must be
// exactly what the generator makes of it today.
func TestSnapshotFresh(t *testing.T) {
	files, err := catalog.ParseYAML(catalog.Source{FS: data.FS, Origin: "data"})
	if err != nil {
		t.Fatalf("embedded YAML: %v", err)
	}
	want, err := catalog.GenerateGo("data", files)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../data/catalog_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("data/catalog_gen.go is stale: run `make generate` (go generate ./data) and commit it")
	}
	if len(data.Parsed()) != len(files) {
		t.Fatalf("compiled catalog has %d files, YAML %d", len(data.Parsed()), len(files))
	}
	// The compiled values are the YAML's: printed again by the generator
	// they give the same source (every decimal's coefficient and exponent,
	// every date's instant, every string and line number).
	again, err := catalog.GenerateGo("data", data.Parsed())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, want) {
		t.Fatal("data.Parsed() does not rebuild the values parsed from data/**/*.yaml")
	}
	for _, nf := range data.Parsed() {
		for _, m := range nf.File.Models {
			if m.Verified.Location() != time.UTC || len(m.Prices) > 0 && m.Prices[0].EffectiveFrom.Location() != time.UTC {
				t.Fatalf("%s: compiled dates are not in UTC", m.ID.V)
			}
		}
	}
}

func TestEmbeddedCatalogValid(t *testing.T) {
	if _, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data"}); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(goodModel))
	f.Add([]byte("schema_version: 1\nmodels: []\n"))
	f.Add([]byte("schema_version: 1\ngpus:\n  - id: x\n    vram_gb: 1e400\n"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys := fstest.MapFS{"f.yaml": {Data: b}}
		c, err := catalog.Load(catalog.Source{FS: fsys, Origin: "fz"})
		if err == nil && c == nil {
			t.Fatal("nil catalog without error")
		}
		if err != nil && !strings.Contains(err.Error(), "fz/f.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

// A reference to an unknown entry names the file it is in, like every
// other catalog error.
func TestCrossReferencesNameTheFile(t *testing.T) {
	_, err := load(t, map[string]string{
		"a.yaml": goodModel,
		"b.yaml": "schema_version: 1\nbenchmarks:\n  - model: m\n    gpu: g\n    quant: q\n    decode_tps: 10\n    source: s\n",
		"c.yaml": "schema_version: 1\ndefaults:\n  comparison_set: [test-model, nope]\n",
	})
	if err == nil {
		t.Fatal("loaded")
	}
	for _, want := range []string{`cat/b.yaml:6: benchmarks.gpu: unknown GPU "g"`, `cat/c.yaml: comparison_set: unknown model "nope"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}
