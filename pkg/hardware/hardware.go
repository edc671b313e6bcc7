// Package hardware estimates whether an open model fits on a GPU and how
// fast it runs there: VRAM for weights + KV cache + runtime overhead, batch-1
// decode speed from memory bandwidth, aggregate throughput under concurrency,
// prefill speed, time to first token and reply time.
//
// The methods and constants follow /work/shared/reference/local-economics.md
// (§6.1-6.4, §10); each constant below cites the part it comes from. Speeds
// are float64 tokens per second: they are estimates, never money.
package hardware

import (
	"fmt"

	"github.com/llmcost/llmcost/pkg/catalog"
)

// Basis says where a figure comes from.
type Basis string

const (
	// Measured figures come from a catalog benchmark row for the same model,
	// GPU, quantization, GPU count and concurrency.
	Measured Basis = "measured"
	// Estimated figures come from the bandwidth/compute model.
	Estimated Basis = "estimated"
)

// Figure is a speed with its provenance.
type Figure struct {
	Value      float64 // tokens per second
	Basis      Basis
	Source     string // the benchmark's source, or the method used
	Unverified bool   // rests on a value marked unverified in the catalog
	Run        *Run   // the `llmcost bench` measurement it comes from, if any
	// DerivedFrom is set when the figure is another setup's measurement
	// carried over (e.g. "q4_k_m measurement" for a q4_0 prefill), so that
	// output never shows it as this setup's own. Empty for a figure measured
	// for this setup or computed from the model alone.
	DerivedFrom string
	// Measured is the measurement itself when Value is it scaled to
	// another context (at MeasuredContext tokens); 0 otherwise.
	Measured, MeasuredContext float64
	// Capped: the measurement (Measured) is above the bandwidth ceiling,
	// which Value is instead.
	Capped bool
}

// DerivedLabel is how output names a carried-over figure:
// "derived from q4_k_m measurement". Empty when the figure is not derived.
func (f Figure) DerivedLabel() string {
	if f.DerivedFrom == "" {
		return ""
	}
	return "derived from " + f.DerivedFrom
}

// GiB is the unit of GPU memory labels ("24 GB" on a 4090 is 24 GiB).
const GiB = 1 << 30

// Model is an open model's architecture, in plain units, ready for the maths.
type Model struct {
	ID            string
	Params        float64 // total parameters (all MoE experts are resident)
	ActiveParams  float64 // parameters read per generated token (MoE); = Params for dense
	Layers        float64
	KVHeads       float64
	HeadDim       float64
	KVLatentDim   float64 // MLA: cached width per layer instead of 2*KVHeads*HeadDim
	SlidingWindow float64 // tokens kept by sliding-window layers
	SlidingLayers float64 // how many layers use the window
	MaxContext    int
	DefaultQuant  string
	Unverified    []string // "model <id> <field>"
	arch          string   // archKey, set by NewModel
}

// GPU is one GPU (or unified-memory machine) in plain units.
type GPU struct {
	ID          string
	Class       string
	Memory      string  // gddr | hbm | unified
	VRAMBytes   float64 // vram_gb x 2^30: memory labels are binary
	UsableShare float64
	Bandwidth   float64 // bytes per second
	FLOPS       float64 // dense FP16, 0 when unknown
	TDPW        float64 // 0 when unknown
	IdleW       float64 // loaded idle, 0 when unknown
	unverified  map[string]bool
	// The fields Estimate reads, looked up once (it runs per model x GPU).
	unvMemory, unvBandwidth, unvFLOPS bool
}

// Quant is a weight format.
type Quant struct {
	ID            string
	BytesPerParam float64
}

// NewModel converts a catalog entry. It fails when a field the maths needs is missing.
func NewModel(m catalog.OpenModel) (Model, error) {
	id := m.ID.V
	out := Model{
		ID:            id,
		Params:        f(m.ParamsB) * 1e9,
		ActiveParams:  f(m.ActiveParamsB) * 1e9,
		Layers:        f(m.Layers),
		KVHeads:       f(m.KVHeads),
		HeadDim:       f(m.HeadDim),
		KVLatentDim:   f(m.KVLatentDim),
		SlidingWindow: f(m.SlidingWindow),
		SlidingLayers: f(m.SlidingLayers),
		MaxContext:    int(f(m.MaxContext)),
		DefaultQuant:  m.DefaultQuant,
	}
	if out.ActiveParams == 0 {
		out.ActiveParams = out.Params
	}
	switch {
	case out.Params <= 0:
		return Model{}, fmt.Errorf("open model %s: params_b must be > 0", id)
	case out.ActiveParams > out.Params:
		return Model{}, fmt.Errorf("open model %s: active_params_b %g exceeds params_b %g", id, out.ActiveParams/1e9, out.Params/1e9)
	case out.Layers <= 0:
		return Model{}, fmt.Errorf("open model %s: layers must be > 0", id)
	case out.KVLatentDim == 0 && (out.KVHeads <= 0 || out.HeadDim <= 0):
		return Model{}, fmt.Errorf("open model %s: kv_heads and head_dim must be > 0", id)
	case out.SlidingLayers > out.Layers:
		return Model{}, fmt.Errorf("open model %s: sliding_layers %g exceeds layers %g", id, out.SlidingLayers, out.Layers)
	case out.SlidingLayers > 0 && out.SlidingWindow <= 0:
		return Model{}, fmt.Errorf("open model %s: sliding_layers set without sliding_window", id)
	case out.MaxContext <= 0:
		return Model{}, fmt.Errorf("open model %s: max_context must be > 0", id)
	}
	if m.Unverified {
		out.Unverified = append(out.Unverified, "model "+id)
	}
	for _, field := range m.UnverifiedFields {
		out.Unverified = append(out.Unverified, "model "+id+" "+field)
	}
	out.arch = out.shape() // once: Estimate runs for every model x GPU
	return out, nil
}

// NewGPU converts a catalog entry.
func NewGPU(g catalog.GPU) (GPU, error) {
	id := g.ID.V
	out := GPU{
		ID:          id,
		Class:       g.Class,
		Memory:      g.Memory,
		VRAMBytes:   f(g.VRAMGB) * GiB,
		UsableShare: 1,
		Bandwidth:   f(g.BandwidthGBs) * 1e9,
		FLOPS:       f(g.FP16TFLOPS) * 1e12,
		TDPW:        f(g.TDPW),
		IdleW:       f(g.IdleW),
	}
	if g.UsableShare.Set {
		out.UsableShare = f(g.UsableShare)
	}
	if out.Memory == "" {
		switch g.Class {
		case "apple":
			out.Memory = "unified"
		case "datacenter":
			out.Memory = "hbm"
		default:
			out.Memory = "gddr"
		}
	}
	switch {
	case out.VRAMBytes <= 0:
		return GPU{}, fmt.Errorf("gpu %s: vram_gb must be > 0", id)
	case out.Bandwidth <= 0:
		return GPU{}, fmt.Errorf("gpu %s: bandwidth_gbs must be > 0", id)
	case out.UsableShare <= 0 || out.UsableShare > 1:
		return GPU{}, fmt.Errorf("gpu %s: usable_share must be in (0, 1]", id)
	}
	if _, ok := decodeEfficiency[out.Memory]; !ok {
		return GPU{}, fmt.Errorf("gpu %s: memory %q is not gddr, hbm or unified", id, out.Memory)
	}
	out.unverified = map[string]bool{}
	if g.Unverified {
		for _, field := range []string{"vram_gb", "bandwidth_gbs", "fp16_tflops", "tdp_w", "idle_w", "usable_share", "price_usd"} {
			out.unverified[field] = true
		}
	}
	for _, field := range g.UnverifiedFields {
		out.unverified[field] = true
	}
	out.unvMemory = out.unverified["vram_gb"] || out.unverified["usable_share"]
	out.unvBandwidth = out.unverified["bandwidth_gbs"]
	out.unvFLOPS = out.unverified["fp16_tflops"]
	return out, nil
}

// Unverified reports whether the catalog marks a field of this GPU unverified.
func (g GPU) Unverified(field string) bool { return g.unverified[field] }

// NewQuant converts a catalog entry.
func NewQuant(q catalog.Quantization) (Quant, error) {
	b := f(q.BytesPerParam)
	if b <= 0 {
		return Quant{}, fmt.Errorf("quantization %s: bytes_per_param must be > 0", q.ID.V)
	}
	return Quant{ID: q.ID.V, BytesPerParam: b}, nil
}

func f(n catalog.Num) float64 {
	if !n.Set {
		return 0
	}
	return n.D.InexactFloat64()
}
