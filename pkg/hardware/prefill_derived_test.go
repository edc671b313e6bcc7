package hardware

import (
	"strings"
	"testing"
)

// A prefill copied from another quantization's measurement is labelled as
// derived, never passed off as a measurement of the quantization asked for.
func TestPrefillDerivedFromAnotherQuant(t *testing.T) {
	c := load(t)
	m, g := c.model(t, "llama-3.1-8b"), c.gpu(t, "rtx-4090")

	// The catalog measures llama-3.1-8b on the 4090 at q4_k_m (7138.99) and
	// fp16, not q4_0: q4_0 gets q4_k_m's figure unscaled, and says so.
	q40 := mustEstimate(t, m, c.quant(t, "q4_0"), g, c.bench, Request{})
	if q40.Prefill.Value != 7138.99 {
		t.Fatalf("q4_0 prefill %v, want q4_k_m's 7138.99 carried over", q40.Prefill.Value)
	}
	if q40.Prefill.Basis == Measured {
		t.Errorf("q4_0 prefill basis %q: it was not measured at q4_0", q40.Prefill.Basis)
	}
	if q40.Prefill.DerivedFrom != "q4_k_m measurement" || q40.Prefill.DerivedLabel() != "derived from q4_k_m measurement" {
		t.Errorf("derived from %q (label %q), want q4_k_m measurement", q40.Prefill.DerivedFrom, q40.Prefill.DerivedLabel())
	}
	if strings.Contains(q40.Prefill.Source, "scaled by") || !strings.Contains(q40.Prefill.Source, "copied unscaled") {
		t.Errorf("source %q: the same model's figure is copied, not scaled", q40.Prefill.Source)
	}

	// The measured quantization itself is not derived.
	own := mustEstimate(t, m, c.quant(t, "q4_k_m"), g, c.bench, Request{})
	if own.Prefill.Basis != Measured || own.Prefill.DerivedFrom != "" || own.Prefill.DerivedLabel() != "" {
		t.Errorf("q4_k_m prefill %+v: its own measurement must not be labelled derived", own.Prefill)
	}

	// Another model's measurement, scaled by active params, names that model.
	other := mustEstimate(t, c.model(t, "qwen2.5-72b"), c.quant(t, "q4_k_m"), g, c.bench, Request{})
	if !strings.HasPrefix(other.Prefill.DerivedFrom, "llama-3.1-8b q4_k_m measurement") {
		t.Errorf("qwen2.5-72b prefill derived from %q, want the llama-3.1-8b q4_k_m row", other.Prefill.DerivedFrom)
	}

	// FLOPS-based estimates carry no measurement at all.
	l4 := mustEstimate(t, m, c.quant(t, "q4_0"), c.gpu(t, "l4"), c.bench, Request{})
	if l4.Prefill.DerivedFrom != "" {
		t.Errorf("l4 prefill derived from %q; it is computed from FLOPS", l4.Prefill.DerivedFrom)
	}
}
