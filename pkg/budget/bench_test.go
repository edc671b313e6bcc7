package budget_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/llmcost/llmcost/pkg/catalog"
)

// generated1000 is a budget of 1,000 workloads over real catalog models,
// mixing fixed prompts, quantiles and histograms.
func generated1000() []byte {
	models := []string{"claude-haiku-4.5", "gpt-4o-mini", "gpt-5", "gemini-2.5-pro", "claude-sonnet-4.5", "deepseek-v4-flash"}
	var b strings.Builder
	b.WriteString("schema_version: 1\nworkloads:\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "  - name: w%04d\n    model: %s\n    requests_per_month: %dk\n", i, models[i%len(models)], 1+i%300)
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "    prompt_tokens: %d\n", 500+i)
		case 1:
			b.WriteString("    prompt_tokens: {p50: 800, p90: 3000, p99: 12000}\n")
		default:
			b.WriteString("    prompt_tokens:\n      - {tokens: 2k, share: 0.8}\n      - {tokens: 100k, share: 0.15}\n      - {tokens: 250k, share: 0.05}\n")
		}
		b.WriteString("    output_tokens: {p50: 200, p90: 600, p99: 1500}\n    cached_share: 0.3\n")
	}
	b.WriteString("limits:\n  monthly_usd: 1M\n  workloads:\n")
	for i := 0; i < 1000; i += 10 {
		fmt.Fprintf(&b, "    w%04d: 5000\n", i)
	}
	return []byte(b.String())
}

// BenchmarkCheck1000 is `llmcost check` on a 1,000-workload config,
// in-process, with the catalog already loaded: decode + price + limits.
// Target: well under 100 ms.
func BenchmarkCheck1000(b *testing.B) {
	src := generated1000()
	cat, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cfg, err := budget.Decode("big.yaml", src)
		if err != nil {
			b.Fatal(err)
		}
		r, err := budget.Check(cat, []*budget.Config{cfg}, budget.Options{Today: today})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Workloads) != 1000 {
			b.Fatalf("%d workloads", len(r.Workloads))
		}
	}
}

// BenchmarkDecode1000 and BenchmarkEvaluate1000 split BenchmarkCheck1000
// into its YAML and pricing halves.
func BenchmarkDecode1000(b *testing.B) {
	src := generated1000()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := budget.Decode("big.yaml", src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluate1000(b *testing.B) {
	cfg, err := budget.Decode("big.yaml", generated1000())
	if err != nil {
		b.Fatal(err)
	}
	cat, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := budget.Check(cat, []*budget.Config{cfg}, budget.Options{Today: today}); err != nil {
			b.Fatal(err)
		}
	}
}
