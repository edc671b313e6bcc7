package cli

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/bench/benchtest"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/iostreams"
)

// runBenchFixedDay runs bench on a clock that starts at fixedNow and runs at
// real speed, so elapsed times are real and the day matches run()'s.
func runBenchFixedDay(t *testing.T, env map[string]string, args ...string) runResult {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := NewFactory(ios, func(k string) string { return env[k] })
	start := time.Now()
	f.Now = func() time.Time { return fixedNow.Add(time.Since(start)) }
	code := Run(context.Background(), f, append([]string{"bench"}, args...))
	return runResult{code, out.String(), errOut.String()}
}

func readBenchRows(t *testing.T, dir string) []catalog.Benchmark {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, BenchCatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	f, err := catalog.DecodeFileStrict(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	return f.Benchmarks
}

func TestBenchWriteCatalog(t *testing.T) {
	dir := t.TempDir()
	url := fakeServer(t, &benchtest.Fake{API: "openai", OutputTokens: 8}) + "/v1"
	env := map[string]string{"BENCH_KEY": "secret-value-123"}
	args := []string{"--base-url", url, "--model", "served-name", "--catalog-model", "llama-3.1-8b",
		"--gpu", "rtx-4090", "--quant", "q4_k_m", "--concurrency", "1,3", "--requests", "3",
		"--prompt-tokens", "100", "--output-tokens", "8", "--api-key-env", "BENCH_KEY",
		"--format", "json", "--write-catalog", dir}

	// A row of another setup already in the file stays.
	other := "schema_version: 1\nbenchmarks:\n  - {model: llama-3.1-8b, gpu: rtx-3090, quant: q4_k_m, decode_tps: 99, source: mine, verified: 2026-11-01}\n"
	if err := os.WriteFile(filepath.Join(dir, BenchCatalogFile), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runBenchFixedDay(t, env, args...)
	mustOK(t, r)
	containsAll(t, r.stderr, "wrote 2 benchmark row(s)", BenchCatalogFile)
	data, _ := os.ReadFile(filepath.Join(dir, BenchCatalogFile))
	if strings.Contains(string(data)+r.stderr+r.stdout, "secret-value-123") {
		t.Fatal("the API key reached the file or the output")
	}
	rows := readBenchRows(t, dir)
	if len(rows) != 3 || rows[0].GPU != "rtx-3090" {
		t.Fatalf("rows: %+v\n%s", rows, data)
	}
	var res struct {
		Levels []struct {
			Concurrency  int     `json:"concurrency"`
			Aggregate    float64 `json:"output_tokens_per_second"`
			Requests     int64   `json:"requests"`
			InputTokens  int64   `json:"input_tokens"`
			OutputTokens int64   `json:"output_tokens"`
			Stream       struct {
				P50 float64 `json:"p50"`
			} `json:"stream_tokens_per_second"`
		} `json:"levels"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res.Levels) != 2 {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	one, three := rows[1], rows[2]
	near := func(n catalog.Num, want float64) bool { v, _ := n.D.Float64(); return math.Abs(v-want) <= 0.006 }
	if one.Model != "llama-3.1-8b" || one.Quant != "q4_k_m" || one.Concurrency.Set || one.GPUs.Set ||
		!near(one.DecodeTPS, res.Levels[0].Stream.P50) || !one.PrefillTPS.Set ||
		one.Measured.String() != "2026-11-27" || one.Verified.String() != "2026-11-27" ||
		one.Source != "llmcost bench "+url+" on 2026-11-27" || one.Server != url || one.ServerModel != "served-name" {
		t.Errorf("concurrency 1 row: %+v", one)
	}
	// The mean context of the measured decode: prompt + half the reply.
	l0 := res.Levels[0]
	if want := (2*l0.InputTokens + l0.OutputTokens) / (2 * l0.Requests); want <= 0 || one.ContextTokens.D.IntPart() != want {
		t.Errorf("concurrency 1 row context_tokens %v, want %d", one.ContextTokens.D, want)
	}
	if c, _ := three.Concurrency.D.Float64(); c != 3 || !near(three.DecodeTPS, res.Levels[1].Aggregate) || three.PrefillTPS.Set {
		t.Errorf("concurrency 3 row: %+v", three)
	}

	// The written file loads: validate passes, fit uses it as measured.
	mustOK(t, run(t, nil, "catalog", "validate", "--catalog", dir))
	fr := run(t, nil, "fit", "--catalog", dir, "--model", "llama-3.1-8b", "--gpu", "rtx-4090", "--quant", "q4_k_m", "--format", "json")
	mustOK(t, fr)
	var fit []struct {
		DecodeTPS     float64 `json:"decode_tokens_per_second"`
		DecodeBasis   string  `json:"decode_basis"`
		DecodeSource  string  `json:"decode_source"`
		DecodeCeiling float64 `json:"decode_ceiling_tokens_per_second"`
	}
	if err := json.Unmarshal([]byte(fr.stdout), &fit); err != nil {
		// fit may wrap its rows in an object
		var wrapped struct {
			Results json.RawMessage `json:"results"`
		}
		if json.Unmarshal([]byte(fr.stdout), &wrapped) != nil || json.Unmarshal(wrapped.Results, &fit) != nil {
			t.Fatalf("%v\n%s", err, fr.stdout)
		}
	}
	written, _ := one.DecodeTPS.D.Float64()
	if len(fit) != 1 || fit[0].DecodeBasis != "measured" || fit[0].DecodeSource != one.Source ||
		math.Abs(fit[0].DecodeTPS-math.Min(written, fit[0].DecodeCeiling)) > 1e-6 {
		t.Errorf("fit: %+v (written %g)\n%s", fit, written, fr.stdout)
	}

	// A second run replaces its rows rather than adding to them.
	mustOK(t, runBenchFixedDay(t, env, args...))
	if rows := readBenchRows(t, dir); len(rows) != 3 || rows[0].GPU != "rtx-3090" {
		t.Errorf("after a second run: %d rows %+v", len(rows), rows)
	}
	// Another --gpus count is another key: added.
	mustOK(t, runBenchFixedDay(t, env, append(args, "--gpus", "2", "--concurrency", "1")...))
	if rows := readBenchRows(t, dir); len(rows) != 4 || rows[3].GPUs.D.IntPart() != 2 {
		t.Errorf("after --gpus 2: %+v", rows)
	}
}

func TestBenchWriteCatalogFlagErrors(t *testing.T) {
	dir := t.TempDir()
	base := []string{"--base-url", "http://127.0.0.1:1/v1", "--write-catalog", dir}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "llama-3.1-8b", "--quant", "q4_k_m"}, "--gpu"},
		{[]string{"--model", "llama-3.1-8b", "--gpu", "rtx-4090"}, "--quant"},
		{[]string{"--model", "llama-3.1-8b", "--gpu", "rtx-4090", "--quant", "q9_nope"}, "--quant"},
		{[]string{"--model", "llama-3.1-8b", "--gpu", "no-such-gpu", "--quant", "q4_k_m"}, "--gpu"},
		{[]string{"--model", "served-name", "--gpu", "rtx-4090", "--quant", "q4_k_m"}, "--catalog-model"},
		{[]string{"--model", "x", "--catalog-model", "nope-model", "--gpu", "rtx-4090", "--quant", "q4_k_m"}, "--catalog-model"},
		{[]string{"--model", "llama-3.1-8b", "--gpu", "rtx-4090", "--quant", "q4_k_m", "--gpus", "0"}, "--gpus 0"},
	} {
		r := runBench(t, nil, append(base, tc.args...)...)
		if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	r := runBench(t, nil, "--base-url", "http://127.0.0.1:1/v1", "--model", "m", "--gpu", "rtx-4090")
	if r.code != ExitBadInput || !strings.Contains(r.stderr, "--write-catalog") {
		t.Errorf("--gpu without --write-catalog: exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, BenchCatalogFile)); err == nil {
		t.Error("a flag error wrote the file")
	}
}
