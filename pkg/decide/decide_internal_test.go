package decide

import (
	"strings"
	"testing"
)

// Each unmet requirement of the owned GPUs' closest model is named with
// its number; "cannot hold" is only for GPUs that hold none.
func TestOwnedGPUsReason(t *testing.T) {
	score := 58.5
	opt := func(model, fail string) *LocalOption {
		return &LocalOption{Model: model, Quant: "q4_k_m", Mode: ModeSunk, fail: fail, ReplySeconds: 2.5, TTFTSeconds: 0.9, Benchmark: "mmlu", Score: &score}
	}
	a := &Answers{LatencySeconds: 2, TTFTSeconds: 0.5}
	owned := &LocalOption{Model: "bought", Mode: ModeOwned, fail: "latency", ReplySeconds: 1}
	for _, c := range []struct {
		opts []*LocalOption
		want string
	}{
		{[]*LocalOption{owned, opt("slow", "latency"), opt("weak", "accuracy")}, "hold slow (q4_k_m), but its reply takes about 2.50 s, over the 2 s"},
		{[]*LocalOption{opt("late", "ttft"), opt("weak", "accuracy")}, "hold late (q4_k_m), but its first token takes about 0.90 s, over the 0.5 s"},
		{[]*LocalOption{opt("weak", "accuracy")}, "hold weak (q4_k_m), but the best score among the models they hold, mmlu 58.5, is below"},
		{[]*LocalOption{opt("small", "capacity")}, "hold small (q4_k_m), but not enough copies of it to serve the volume"},
		{[]*LocalOption{owned}, "cannot hold a model that meets the answers"},
	} {
		if got := ownedGPUsReason(c.opts, a); !strings.Contains(got, c.want) {
			t.Errorf("got %q, want it to contain %q", got, c.want)
		}
	}
}
