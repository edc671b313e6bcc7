package hardware

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Constants of the model, with where they come from.
const (
	// OverheadBytesPerGPU is the runtime's fixed share of each GPU: CUDA/Metal
	// context plus base compute buffers. local-economics §10 recommends 0.75 GB
	// (llmfit uses 0.5 GB, gpu_poor 650 MB; §6.2). Every GPU in a split pays it,
	// so the overhead grows linearly with the GPU count.
	OverheadBytesPerGPU = 0.75e9
	// KVBufferShare is the extra memory for compute buffers that grow with
	// context, as a share of the KV cache ("plus a small fraction of KV",
	// local-economics §10; gpu_poor adds 0.1 MB per context token for GGML).
	KVBufferShare = 0.05
	// DefaultContextTokens is the KV length per sequence when none is given
	// (capped at the model's maximum).
	DefaultContextTokens = 8192
	// DefaultPromptTokens and DefaultOutputTokens are the request used for
	// time to first token and reply time (DESIGN.md: fit defaults 500 / 400).
	DefaultPromptTokens = 500
	DefaultOutputTokens = 400
	// FP16KVBytes is bytes per cached K or V element at fp16.
	FP16KVBytes = 2.0
	// ComputeMFU is the share of dense FP16 peak that prefill (and batched
	// decode at its compute limit) achieves. Measured llama.cpp pp512 gives
	// 0.17 (H100 PCIe) to 0.35 (RTX 4090) for 8B Q4_K_M (local-economics §7.1:
	// pp x 2 x params / peak); 0.25 sits in the middle.
	ComputeMFU = 0.25
	// ConcurrencyHalfSaturation (k) shapes aggregate decode throughput:
	// speedup(c) = c / (1 + (c-1)/k), which tends to k. k = 32 fits the vLLM
	// curves in local-economics §7.3: RTX 4090 Mistral 7B 3.5x at 4 and 19.8x
	// at 48 (model 3.7x, 19.6x), A100 6.6x at 8 (model 6.4x), H100 Llama 8B
	// 11.3x at 16 (model 10.9x). The H100 run plateaus at 64 (10.7x measured,
	// 21x modelled): a catalog row at that concurrency wins when present.
	ConcurrencyHalfSaturation = 32.0
	// DefaultBenchContextTokens is the mean context of a benchmark row's
	// decode when the row does not say (context_tokens): llama-bench's
	// tg512, which most published rows are (local-economics §7.1), generates
	// 512 tokens from an empty context, so its tokens see 256 on average.
	DefaultBenchContextTokens = 256
	// ContextScaleTolerance: a measured decode speed is used as it is when
	// the request's context changes its modelled time per token by less than
	// this share, well inside run-to-run noise; beyond it, the measurement is
	// scaled by the KV-cache bytes the longer (or shorter) context adds.
	ContextScaleTolerance = 0.02
	// PrefillOverDecodeFallback: with no FLOPS and no benchmark on a GPU,
	// prefill is assumed this many times the batch-1 decode rate, the lowest
	// ratio measured in local-economics §7.1 (Apple Metal, 12-14x).
	PrefillOverDecodeFallback = 10.0
)

// Sources of estimated figures (constants: Estimate runs for every model x
// GPU pair and must not format strings).
const (
	srcBandwidth       = "1 / (bytes per token / (η x bandwidth) + layers x τ), η and τ by memory type"
	srcConcurrency     = "batch-1 decode x c/(1+(c-1)/32)"
	srcComputeBound    = "compute-bound: GPUs x FP16 FLOPS x MFU 0.25 / (2 x active params)"
	srcFLOPS           = "FP16 FLOPS x MFU 0.25 / (2 x active params)"
	srcPrefillFallback = "no FLOPS or benchmark for this GPU: 10x batch-1 decode"
	noteMoE            = "MoE decode estimate reads only the active experts' weights: it matches gpt-oss on DGX Spark within 3%, but other MoE runtimes and routers can be slower"
)

// Batch-1 decode time per token is
//
//	bytes read per token / (η x bandwidth) + layers x τ
//
// η is the share of the memory bandwidth the runtime's kernels reach and τ
// its fixed cost per layer per token (kernel launches and synchronisation),
// both by memory type. τ is why small quantized models fall furthest below
// the bandwidth ceiling on fast GPUs (Llama 3 8B Q4_K_M on an H100 PCIe: 0.36
// of it, 70B: 0.53). Fitted to llama.cpp's published batch-1 figures in
// testdata/calibration/decode.csv (least mean |log(estimate/measured)| on a
// 0.05 / 10 µs grid; TestCalibrationAgainstPublished holds the median error
// under 25%). The figures are llama.cpp's: vLLM, with CUDA graphs, runs
// 20-45% faster on HBM than this estimate.
var decodeEfficiency = map[string]float64{
	"gddr":    0.9,
	"unified": 0.9,
	"hbm":     0.6,
}

var layerOverheadSeconds = map[string]float64{
	"gddr":    60e-6,
	"unified": 160e-6,
	"hbm":     80e-6,
}

// DecodeEfficiency is η for this GPU's memory type.
func (g GPU) DecodeEfficiency() float64 { return decodeEfficiency[g.Memory] }

// LayerOverheadSeconds is τ for this GPU's memory type: the fixed time each
// layer adds to every generated token.
func (g GPU) LayerOverheadSeconds() float64 { return layerOverheadSeconds[g.Memory] }

// BatchOneDecode is the modelled tokens/s of one stream that reads
// bytesPerToken per token through a model of the given layer count.
func BatchOneDecode(g GPU, bytesPerToken, layers float64) float64 {
	return 1 / (bytesPerToken/(g.DecodeEfficiency()*g.Bandwidth) + layers*g.LayerOverheadSeconds())
}

// UsableBytes is the memory the model may use on one GPU.
func (g GPU) UsableBytes() float64 { return g.VRAMBytes * g.UsableShare }

// Request is what the model must serve.
type Request struct {
	ContextTokens  int     // KV cache length per sequence; 0 = min(DefaultContextTokens, model max)
	Concurrency    int     // sequences served at once (each holds its own KV cache); 0 = 1
	GPUs           int     // GPUs available; 0 = 1. Fits says whether the model fits on them
	PromptTokens   int     // for TTFT; 0 = DefaultPromptTokens
	OutputTokens   int     // for reply time; 0 = DefaultOutputTokens
	KVBytesPerElem float64 // 0 = fp16 (2 bytes)
}

// Memory is the VRAM breakdown of one placement.
type Memory struct {
	WeightsBytes  float64 // params x bytes/param: every MoE expert is resident
	KVCacheBytes  float64 // for ContextTokens x Concurrency
	BufferBytes   float64 // KVBufferShare x KV
	OverheadBytes float64 // OverheadBytesPerGPU x GPUs needed
	TotalBytes    float64 // all of the above
	UsablePerGPU  float64 // VRAM x usable_share of one GPU
}

// Result is the fit and speed of one model on one GPU type.
type Result struct {
	Model, GPU, Quant string
	ContextTokens     int
	Concurrency       int
	Memory            Memory
	GPUsNeeded        int  // least GPUs whose usable memory holds the model (0 = never: the overhead alone exceeds one GPU)
	GPUsAvailable     int  // from the request
	GPUs              int  // GPUs the speeds assume: max(needed, available)
	Fits              bool // GPUsNeeded <= GPUsAvailable
	BytesPerToken     float64
	DecodeCeiling     float64 // bandwidth / bytes read per token (weights + KV at the reply's mean context): no batch-1 decode exceeds it
	Decode            Figure  // batch-1 tokens/s of one stream
	Aggregate         Figure  // total output tokens/s at Concurrency
	Prefill           Figure  // prompt tokens/s
	PromptTokens      int
	OutputTokens      int
	TTFTSeconds       float64 // PromptTokens / prefill
	ReplySeconds      float64 // TTFT + OutputTokens / decode
	Unverified        []string
	Notes             []string
}

// KVBytesPerToken is the KV cache one token adds across all full-attention
// layers, ignoring sliding windows: 2 (K and V) x layers x kv_heads x head_dim
// x bytes per element; MLA models cache kv_latent_dim per layer instead.
func KVBytesPerToken(m Model, kvBytesPerElem float64) float64 {
	return m.Layers * kvPerLayerToken(m, kvBytesPerElem)
}

func kvPerLayerToken(m Model, kvBytesPerElem float64) float64 {
	if m.KVLatentDim > 0 {
		return m.KVLatentDim * kvBytesPerElem
	}
	return 2 * m.KVHeads * m.HeadDim * kvBytesPerElem
}

// KVCacheBytes is the KV cache for contextTokens per sequence and
// concurrency sequences. Sliding-window layers hold at most the window.
func KVCacheBytes(m Model, contextTokens, concurrency int, kvBytesPerElem float64) float64 {
	ctx := float64(contextTokens)
	global := m.Layers - m.SlidingLayers
	windowed := math.Min(ctx, m.SlidingWindow)
	perSeq := (global*ctx + m.SlidingLayers*windowed) * kvPerLayerToken(m, kvBytesPerElem)
	return perSeq * float64(concurrency)
}

// WeightBytes is params x bytes/param: all experts of an MoE stay resident.
func WeightBytes(m Model, q Quant) float64 { return m.Params * q.BytesPerParam }

// DecodeCeiling is bandwidth / bytes read per token at a context of
// contextTokens (active params x bytes/param, plus the sequence's KV cache):
// the physical upper bound on batch-1 decode there.
func DecodeCeiling(m Model, q Quant, g GPU, contextTokens int, kvBytesPerElem float64) float64 {
	return g.Bandwidth / (m.ActiveParams*q.BytesPerParam + KVCacheBytes(m, contextTokens, 1, kvBytesPerElem))
}

// decodeContextScale is the factor a decode speed measured at a mean
// context of from tokens changes by at to tokens: the ratio of the modelled
// times per token (see BatchOneDecode) at the two contexts.
func decodeContextScale(m Model, g GPU, q Quant, kvElem, from, to float64) float64 {
	weights := m.ActiveParams * q.BytesPerParam
	at := func(ctx float64) float64 {
		return 1 / BatchOneDecode(g, weights+KVCacheBytes(m, int(ctx), 1, kvElem), m.Layers)
	}
	return at(from) / at(to)
}

// groupFloat formats a speed to one decimal: 175.9.
func groupFloat(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " tok/s" }

// groupInt formats a token count with thousands separators: 100,200.
func groupInt(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Estimate computes fit and speed for model m at quant q on GPUs of type g.
// bench may be nil. It fails only for a request the model cannot take.
func Estimate(m Model, q Quant, g GPU, bench *Benchmarks, req Request) (Result, error) {
	ctx := req.ContextTokens
	if ctx == 0 {
		ctx = min(DefaultContextTokens, m.MaxContext)
	}
	if ctx < 0 || ctx > m.MaxContext {
		return Result{}, fmt.Errorf("context %d tokens is outside %s's range (max %d)", ctx, m.ID, m.MaxContext)
	}
	conc := max(req.Concurrency, 1)
	avail := max(req.GPUs, 1)
	kvElem := req.KVBytesPerElem
	if kvElem == 0 {
		kvElem = FP16KVBytes
	}
	prompt, output := req.PromptTokens, req.OutputTokens
	if prompt == 0 {
		prompt = DefaultPromptTokens
	}
	if output == 0 {
		output = DefaultOutputTokens
	}
	if prompt < 0 || output < 0 {
		return Result{}, fmt.Errorf("prompt and output tokens must be >= 0")
	}

	r := Result{
		Model: m.ID, GPU: g.ID, Quant: q.ID,
		ContextTokens: ctx, Concurrency: conc, GPUsAvailable: avail,
		PromptTokens: prompt, OutputTokens: output,
	}
	r.Unverified = append(r.Unverified, m.Unverified...)

	// Memory. Weights, KV and buffers split across GPUs (layer or tensor
	// split); each GPU also pays the fixed overhead.
	mem := Memory{
		WeightsBytes: WeightBytes(m, q),
		KVCacheBytes: KVCacheBytes(m, ctx, conc, kvElem),
		UsablePerGPU: g.UsableBytes(),
	}
	mem.BufferBytes = KVBufferShare * mem.KVCacheBytes
	shardable := mem.WeightsBytes + mem.KVCacheBytes + mem.BufferBytes
	perGPU := mem.UsablePerGPU - OverheadBytesPerGPU
	if perGPU > 0 {
		r.GPUsNeeded = int(math.Ceil(shardable / perGPU))
	} else {
		r.Notes = append(r.Notes, fmt.Sprintf("%s's usable memory is below the %.2f GB runtime overhead", g.ID, OverheadBytesPerGPU/1e9))
	}
	r.Fits = r.GPUsNeeded > 0 && r.GPUsNeeded <= avail
	r.GPUs = max(r.GPUsNeeded, avail)
	mem.OverheadBytes = OverheadBytesPerGPU * float64(max(r.GPUsNeeded, 1))
	mem.TotalBytes = shardable + mem.OverheadBytes
	r.Memory = mem
	if g.unvMemory {
		r.Unverified = append(r.Unverified, "gpu "+g.ID+" vram")
	}

	// Batch-1 decode: bytes read per token at η x bandwidth, plus τ per
	// layer (see decodeEfficiency). A token reads the
	// active weights and its sequence's KV cache (at the mean position of the
	// reply). A layer split across GPUs gives no decode speedup: each token
	// still passes every layer in turn (local-economics §6.3, XD 1x vs 4x 4090).
	decodeCtx := min(prompt+output/2, m.MaxContext)
	kvRead := KVCacheBytes(m, decodeCtx, 1, kvElem)
	r.BytesPerToken = m.ActiveParams*q.BytesPerParam + kvRead
	r.DecodeCeiling = g.Bandwidth / r.BytesPerToken
	bwUnverified := g.unvBandwidth
	r.Decode = Figure{
		Value:      BatchOneDecode(g, r.BytesPerToken, m.Layers),
		Basis:      Estimated,
		Source:     srcBandwidth,
		Unverified: bwUnverified,
	}
	// Spare GPUs beyond the ones the model needs do not change one stream's
	// speed, so a row measured on the needed count applies too.
	minGPUs := max(r.GPUsNeeded, 1)
	if row, ok := bench.lookupGPUs(m.ID, g.ID, q.ID, r.GPUs, minGPUs, 1); ok && row.decode > 0 {
		r.Decode = Figure{Value: row.decode, Basis: Measured, Source: row.source, Unverified: row.unverified, Run: row.run}
		// A measurement holds for the context it was made at: every token
		// also reads its sequence's KV cache, so a longer context is slower
		// (XD, 4090 8B Q4_K_M: 130.6 tok/s at 512, 110.7 at 8K; DGX Spark
		// gpt-oss-120b 59.0 -> 41.4 at 32K). Scaled by the modelled time per
		// token at the two contexts, which reproduces both within 3%.
		if scale := decodeContextScale(m, g, q, kvElem, row.context, float64(decodeCtx)); math.Abs(scale-1) >= ContextScaleTolerance {
			r.Decode.Measured, r.Decode.MeasuredContext = r.Decode.Value, row.context
			r.Decode.Value *= scale
			r.Decode.DerivedFrom = fmt.Sprintf("measurement at a %s-token context, scaled to %s tokens by KV-cache reads", groupInt(row.context), groupInt(float64(decodeCtx)))
			r.Decode.Source += "; " + r.Decode.DerivedFrom
		}
		if r.Decode.Value > r.DecodeCeiling {
			if r.Decode.Measured == 0 {
				r.Decode.Measured = r.Decode.Value
			}
			r.Decode.Value, r.Decode.Capped = r.DecodeCeiling, true
		}
	} else if row, rg, ok := bench.sibling(m, q.ID, g); ok {
		// No row here: the model measured on the most similar GPU,
		// scaled by the bandwidth model's ratio between the two (each at
		// its own context).
		weights := m.ActiveParams * q.BytesPerParam
		there := BatchOneDecode(rg, weights+KVCacheBytes(m, int(row.context), 1, kvElem), m.Layers)
		scale := r.Decode.Value / there
		if rg.ID == g.ID && math.Abs(scale-1) < ContextScaleTolerance {
			scale = 1 // a twin's row on this GPU stands as the model's own would
		}
		v := row.decode * scale
		lb := bench.siblingLabels(row, m.ID, g.ID)
		r.Decode = Figure{
			Value:       math.Min(v, r.DecodeCeiling),
			Basis:       Estimated,
			Source:      lb.source,
			Unverified:  row.unverified || bwUnverified || rg.unvBandwidth,
			DerivedFrom: lb.derived,
		}
		if row.unverified {
			r.Unverified = append(r.Unverified, lb.unverified)
		}
	}
	if bwUnverified {
		r.Unverified = append(r.Unverified, "gpu "+g.ID+" bandwidth_gbs")
	}
	if m.ActiveParams < m.Params && r.Decode.Basis == Estimated && r.Decode.DerivedFrom == "" {
		r.Notes = append(r.Notes, noteMoE)
	}

	// Aggregate decode at concurrency c: batching reads the weights once per
	// step for all c streams, so throughput grows with c until the GPUs run
	// out of compute (2 x active params FLOPs per token at ComputeMFU).
	r.Aggregate = r.Decode
	if conc > 1 {
		c := float64(conc)
		agg := r.Decode.Value * c / (1 + (c-1)/ConcurrencyHalfSaturation)
		src := srcConcurrency
		if g.FLOPS > 0 {
			computeCap := float64(r.GPUs) * g.FLOPS * ComputeMFU / (2 * m.ActiveParams)
			if computeCap < agg {
				agg, src = math.Max(computeCap, r.Decode.Value), srcComputeBound
			}
		}
		r.Aggregate = Figure{Value: agg, Basis: Estimated, Source: src, Unverified: r.Decode.Unverified || g.unvFLOPS}
		if row, ok := bench.lookup(m.ID, g.ID, q.ID, r.GPUs, conc); ok && row.decode > 0 {
			r.Aggregate = Figure{Value: math.Min(row.decode, c*r.DecodeCeiling), Basis: Measured, Source: row.source, Unverified: row.unverified, Run: row.run}
		} else if lo, cLo, okLo, hi, okHi := bench.around(m.ID, g.ID, q.ID, r.GPUs, conc); okLo {
			// Between measured levels (or past the last): scale the nearest
			// measurement below by the curve's growth from there, never
			// beyond the next level measured above.
			v := lo.decode * speedup(c) / speedup(float64(cLo))
			if okHi {
				v = math.Min(v, hi.decode)
			}
			v = math.Max(math.Min(v, c*r.DecodeCeiling), math.Min(lo.decode, c*r.DecodeCeiling))
			r.Aggregate = Figure{Value: v, Basis: Estimated, Source: fmt.Sprintf("scaled from %d streams measured (%s) by c/(1+(c-1)/32)", cLo, lo.source), Unverified: lo.unverified, Run: lo.run}
		}
	}

	// Prefill is compute-bound. Prefer a measurement of this exact setup, then
	// one of another model on this GPU scaled by active params, then peak
	// FLOPS x MFU, and only then a multiple of decode.
	r.Prefill = prefill(m, q, g, bench, r.GPUs, minGPUs, r.Decode.Value)
	if r.Prefill.Unverified && r.Prefill.Basis == Estimated {
		if r.Prefill.Source == srcFLOPS {
			r.Unverified = append(r.Unverified, "gpu "+g.ID+" fp16_tflops")
		} else {
			// Scaled from an unverified benchmark of another model on this GPU.
			r.Unverified = append(r.Unverified, "prefill "+r.Prefill.Source)
		}
	}
	if r.Decode.Basis == Measured && r.Decode.Unverified || r.Prefill.Basis == Measured && r.Prefill.Unverified {
		r.Unverified = append(r.Unverified, "benchmark "+m.ID+"@"+g.ID+":"+q.ID)
	}

	if note := r.MeasuredNote(); note != "" {
		r.Notes = append(r.Notes, note)
	}
	r.TTFTSeconds = float64(prompt) / r.Prefill.Value
	r.ReplySeconds = r.TTFTSeconds + float64(output)/r.Decode.Value
	return r, nil
}

func prefill(m Model, q Quant, g GPU, bench *Benchmarks, gpus, minGPUs int, decode float64) Figure {
	if row, ok := bench.lookupGPUs(m.ID, g.ID, q.ID, gpus, minGPUs, 1); ok && row.prefill > 0 {
		return Figure{Value: row.prefill, Basis: Measured, Source: row.source, Unverified: row.unverified, Run: row.run}
	}
	if row, ok := bench.twinOn(m, q.ID, g.ID); ok {
		return Figure{Value: row.prefill, Basis: Estimated, Source: row.model + " (the same architecture) measured (" + row.source + ")",
			Unverified: row.unverified, DerivedFrom: row.model + " measurement (the same architecture)"}
	}
	if rows := bench.prefillOn(g.ID); len(rows) > 0 {
		// The row with the closest model size scales best.
		best := rows[0]
		for _, row := range rows[1:] {
			if math.Abs(math.Log(row.activeParams/m.ActiveParams)) < math.Abs(math.Log(best.activeParams/m.ActiveParams)) {
				best = row
			}
		}
		fig := Figure{
			Value:      best.prefill * best.activeParams / m.ActiveParams,
			Basis:      Estimated,
			Source:     "scaled by active params from " + best.model + " " + best.quant + " (" + best.source + ")",
			Unverified: best.unverified,
		}
		// The same model at another quantization is copied as it is (the
		// scale factor is 1): say whose measurement it is, so that q4_0 does
		// not show q4_k_m's prefill as its own.
		switch {
		case best.model == m.ID && best.quant != q.ID:
			fig.DerivedFrom = best.quant + " measurement"
			fig.Source = best.model + " " + best.quant + " measurement, copied unscaled (" + best.source + ")"
		case best.model != m.ID:
			fig.DerivedFrom = best.model + " " + best.quant + " measurement, scaled by active params"
		default: // this model and quant, measured on one GPU while the setup uses more
			fig.DerivedFrom = "single-GPU measurement"
		}
		return fig
	}
	if g.FLOPS > 0 {
		return Figure{
			Value:      g.FLOPS * ComputeMFU / (2 * m.ActiveParams),
			Basis:      Estimated,
			Source:     srcFLOPS,
			Unverified: g.unvFLOPS,
		}
	}
	return Figure{
		Value:  decode * PrefillOverDecodeFallback,
		Basis:  Estimated,
		Source: srcPrefillFallback,
	}
}

// speedup is aggregate over batch-1 decode at c streams (see
// ConcurrencyHalfSaturation).
func speedup(c float64) float64 { return c / (1 + (c-1)/ConcurrencyHalfSaturation) }

// MeasuredNote says which speeds of r come from the user's own server,
// measured by `llmcost bench` ("" when none do), e.g. "llama-3.1-8b@rtx-4090:q4_k_m:
// measured 2026-12-02, 4 streams: 160.0 tok/s aggregate (llmcost bench, http://gpu:8000/v1)".
func (r Result) MeasuredNote() string {
	text := r.MeasuredText()
	if text == "" {
		return ""
	}
	id := r.Model + "@" + r.GPU + ":" + r.Quant
	if r.GPUs > 1 {
		id += fmt.Sprintf("x%d", r.GPUs)
	}
	return id + ": " + text
}

// MeasuredText is MeasuredNote without the setup's id in front, for an
// output that already names the setup (a JSON option's "measured" field).
func (r Result) MeasuredText() string {
	if r.Decode.Run == nil && r.Aggregate.Run == nil && r.Prefill.Run == nil {
		return ""
	}
	var parts []string
	var server string
	add := func(fig Figure, what string) {
		if fig.Run == nil {
			return
		}
		streams := "1 stream"
		if fig.Run.Concurrency > 1 {
			streams = fmt.Sprintf("%d streams", fig.Run.Concurrency)
		}
		parts = append(parts, fmt.Sprintf("measured %s, %s: %s", fig.Run.Date, streams, what))
		if server == "" {
			server = fig.Run.Server
			if fig.Run.ServerModel != "" {
				server += " " + fig.Run.ServerModel
			}
		}
	}
	perStream := fmt.Sprintf("%.1f tok/s per stream", r.Decode.Value)
	switch {
	case r.Decode.Capped:
		perStream = fmt.Sprintf("%.1f tok/s per stream, above this setup's %.1f tok/s bandwidth ceiling, which is used instead", r.Decode.Measured, r.Decode.Value)
	case r.Decode.Measured > 0:
		perStream = fmt.Sprintf("%.1f tok/s per stream at a %s-token context, %.1f at this one's %s", r.Decode.Measured, groupInt(r.Decode.MeasuredContext), r.Decode.Value, groupInt(float64(r.PromptTokens+r.OutputTokens/2)))
	}
	add(r.Decode, perStream)
	if r.Concurrency > 1 && r.Aggregate.Run != nil {
		what := fmt.Sprintf("%.1f tok/s aggregate", r.Aggregate.Value)
		if r.Aggregate.Basis != Measured {
			what = fmt.Sprintf("%.1f tok/s aggregate at %d streams, scaled from it", r.Aggregate.Value, r.Concurrency)
		}
		add(r.Aggregate, what)
	}
	if r.Prefill.Run != nil && r.Prefill.Run != r.Decode.Run {
		add(r.Prefill, fmt.Sprintf("prefill %.0f tok/s", r.Prefill.Value))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%s (llmcost bench, %s)", strings.Join(parts, "; "), server)
}

// BestQuant returns the result for the largest (highest-fidelity) quant that
// fits on req.GPUs, or the smallest quant's result with ok=false when none does.
// A model released in a quantized format (DefaultQuant, e.g. MXFP4 for
// gpt-oss) is never "upgraded" to a bigger format: that adds bytes, not
// fidelity.
func BestQuant(m Model, quants []Quant, g GPU, bench *Benchmarks, req Request) (Result, bool, error) {
	limit := math.Inf(1)
	for _, q := range quants {
		if q.ID == m.DefaultQuant {
			limit = q.BytesPerParam
		}
	}
	var qs []Quant
	for _, q := range quants {
		if q.BytesPerParam <= limit {
			qs = append(qs, q)
		}
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].BytesPerParam > qs[j].BytesPerParam })
	var last Result
	for _, q := range qs {
		r, err := Estimate(m, q, g, bench, req)
		if err != nil {
			return Result{}, false, err
		}
		if r.Fits {
			return r, true, nil
		}
		last = r
	}
	return last, false, nil
}
