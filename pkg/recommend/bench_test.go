package recommend

import (
	"testing"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/decide"
)

// BenchmarkRecommendWholeCatalog prices every cloud model and every local
// setup of the embedded catalog (every open model on every GPU, owned and
// rented), as `llmcost recommend --tokens 50M --task code --top 0` does.
func BenchmarkRecommendWholeCatalog(b *testing.B) {
	cat, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Recommend(cat, asOf, Constraints{Tokens: 50_000_000, Task: decide.TaskCode})
		if err != nil || r.Eligible == 0 {
			b.Fatal(err, r.Eligible)
		}
	}
}
