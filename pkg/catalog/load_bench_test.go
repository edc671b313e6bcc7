package catalog_test

import (
	"testing"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/catalog"
)

// BenchmarkLoadEmbedded measures what every command pays to read the
// embedded catalog.
func BenchmarkLoadEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCompiled is the start-up path of the binary.
func BenchmarkLoadCompiled(b *testing.B) {
	for b.Loop() {
		if _, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed}); err != nil {
			b.Fatal(err)
		}
	}
}
