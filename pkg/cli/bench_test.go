package cli

import (
	"context"
	"testing"

	"github.com/llmcost/llmcost/pkg/iostreams"
)

// BenchmarkEstimateInProcess is `llmcost estimate --tokens 10M` without
// process start-up: catalog load, pricing and rendering.
func BenchmarkEstimateInProcess(b *testing.B) {
	for b.Loop() {
		ios, _, _, _ := iostreams.Test()
		f := NewFactory(ios, func(string) string { return "" })
		if code := Run(context.Background(), f, []string{"estimate", "--tokens", "10M"}); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
