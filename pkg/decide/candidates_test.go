package decide

import (
	"strings"
	"testing"
)

// BuildCandidates narrows the local setups to the GPUs and quantizations
// asked for, never "upgrades" a model released quantized, and reports the
// setups that never became an option.
func TestBuildCandidatesNarrows(t *testing.T) {
	a := &Answers{TokensPerMonth: 10_000_000, Privacy: PrivacyNone}
	c, err := BuildCandidates(testCatalog(t), asOf, a, Query{
		CloudIDs: []string{"gpt-5-nano"}, GPUs: []string{"rtx-4090"}, Quants: []string{"q4_k_m", "fp16"}, Benchmark: "mmlu",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Cloud) != 1 || c.Cloud[0].Model != "gpt-5-nano" || !c.Cloud[0].MonthlyCostUSD.IsPositive() {
		t.Errorf("cloud: %+v", c.Cloud)
	}
	quants := map[string]bool{}
	for _, o := range c.Local {
		if o.GPU != "rtx-4090" {
			t.Errorf("%s on %s: only rtx-4090 was asked for", o.Model, o.GPU)
		}
		// Both formats asked for are larger than gpt-oss's released MXFP4.
		if strings.HasPrefix(o.Model, "gpt-oss") {
			t.Errorf("%s offered at %s, above its released mxfp4", o.Model, o.Quant)
		}
		if o.Fail() == "accuracy" && o.Score == nil {
			t.Errorf("%s failed on accuracy with no score required", o.Model)
		}
		quants[o.Quant] = true
	}
	if !quants["q4_k_m"] || !quants["fp16"] {
		t.Errorf("quantizations offered: %v", quants)
	}
	var upgraded, tooBig bool
	for _, s := range c.Skipped {
		upgraded = upgraded || strings.HasPrefix(s.Model, "gpt-oss") && strings.Contains(s.Why, "not offered at the larger fp16")
		tooBig = tooBig || s.Model == "llama-3.1-405b" && strings.Contains(s.Why, "does not fit on 8")
	}
	if !upgraded || !tooBig {
		t.Errorf("skips lack gpt-oss at fp16 (%v) or 405B at fp16 on 8 GPUs (%v): %+v", upgraded, tooBig, c.Skipped)
	}
}
