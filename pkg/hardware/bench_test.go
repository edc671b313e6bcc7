package hardware

import (
	"testing"

	"github.com/llmcost/llmcost/internal/localcatalog"
)

// BenchmarkFitAll converts the catalog and estimates every open model on
// every GPU at every quantization, as `llmcost fit` over the whole catalog
// would (YAML decoding excluded). Target: under 20 ms per op.
func BenchmarkFitAll(b *testing.B) {
	file, err := localcatalog.Load(localcatalog.Dir())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	pairs := 0
	for b.Loop() {
		models := make(map[string]Model, len(file.OpenModels))
		for _, om := range file.OpenModels {
			m, err := NewModel(om)
			if err != nil {
				b.Fatal(err)
			}
			models[m.ID] = m
		}
		quants := make([]Quant, 0, len(file.Quantizations))
		for _, cq := range file.Quantizations {
			q, err := NewQuant(cq)
			if err != nil {
				b.Fatal(err)
			}
			quants = append(quants, q)
		}
		bench, err := NewBenchmarks(file.Benchmarks, func(id string) (Model, bool) { m, ok := models[id]; return m, ok })
		if err != nil {
			b.Fatal(err)
		}
		pairs = 0
		for _, cg := range file.GPUs {
			g, err := NewGPU(cg)
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range models {
				for _, q := range quants {
					if _, err := Estimate(m, q, g, bench, Request{}); err != nil {
						b.Fatal(err)
					}
					pairs++
				}
			}
		}
	}
	b.ReportMetric(float64(pairs), "estimates/op")
}
