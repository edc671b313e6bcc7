package hardware

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/shopspring/decimal"
)

const gib = 1 << 30

func mustEstimate(t *testing.T, m Model, q Quant, g GPU, b *Benchmarks, req Request) Result {
	t.Helper()
	r, err := Estimate(m, q, g, b, req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The seed article claims a 400-token reply in 1.8 s for Mistral 7B on an
// RTX 4070; bandwidth alone forbids it.
func TestMistral7BOnRTX4070IsBandwidthBound(t *testing.T) {
	c := load(t)
	m := c.model(t, "mistral-7b")
	// Weights plus the KV cache at the reply's mean context (500 + 400/2).
	limit := 504e9 / (7.25e9*0.61 + KVCacheBytes(m, 700, 1, FP16KVBytes)) // 111.6 tok/s
	for _, b := range []*Benchmarks{nil, c.bench} {
		r := mustEstimate(t, m, c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4070"), b, Request{OutputTokens: 400})
		if !r.Fits || r.GPUsNeeded != 1 {
			t.Errorf("mistral-7b q4_k_m should fit one rtx-4070, got needed=%d", r.GPUsNeeded)
		}
		if math.Abs(r.DecodeCeiling-limit) > 1e-9 {
			t.Errorf("ceiling %.4f, want %.4f", r.DecodeCeiling, limit)
		}
		if r.Decode.Value > limit {
			t.Errorf("decode %.2f tok/s exceeds the bandwidth limit %.2f", r.Decode.Value, limit)
		}
		if r.ReplySeconds < 400/limit {
			t.Errorf("400-token reply %.2fs is faster than the bandwidth allows (%.2fs)", r.ReplySeconds, 400/limit)
		}
		if r.ReplySeconds < 1.8*2 {
			t.Errorf("reply %.2fs: the seed article's 1.8 s is ~3x too fast, expected several seconds", r.ReplySeconds)
		}
	}
}

// Llama 3.1 70B Q4_K_M (43 GB of weights) cannot fit one 24 GB card; XD ran
// it on two 4090s at 19.22 tok/s.
func TestLlama70BNeedsTwoRTX4090(t *testing.T) {
	c := load(t)
	m, q, g := c.model(t, "llama-3.1-70b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090")
	one := mustEstimate(t, m, q, g, c.bench, Request{})
	if one.Fits {
		t.Fatalf("llama-3.1-70b q4_k_m fits one rtx-4090: %+v", one.Memory)
	}
	if one.GPUsNeeded != 2 {
		t.Errorf("needs %d rtx-4090, want 2", one.GPUsNeeded)
	}
	if one.Memory.WeightsBytes/1e9 < 43 || one.Memory.WeightsBytes/1e9 > 43.1 {
		t.Errorf("weights %.2f GB, want 70.55e9 x 0.61 = 43.04 GB", one.Memory.WeightsBytes/1e9)
	}
	two := mustEstimate(t, m, q, g, c.bench, Request{GPUs: 2})
	if !two.Fits || two.GPUs != 2 {
		t.Errorf("should fit two rtx-4090: fits=%v gpus=%d", two.Fits, two.GPUs)
	}
	if two.Decode.Basis != Measured || two.Decode.Value != 19.22 {
		t.Errorf("decode on 2x4090 = %v, want the measured 19.22", two.Decode)
	}
	if two.Decode.Value > two.DecodeCeiling {
		t.Errorf("measured decode above ceiling")
	}
	// Spare GPUs do not hide a measurement: 8B on "2" 4090s still uses the
	// 1-GPU row.
	spare := mustEstimate(t, c.model(t, "llama-3.1-8b"), q, g, c.bench, Request{GPUs: 2})
	if spare.Decode.Basis != Measured || spare.Decode.Value != 130.58 {
		t.Errorf("8B with a spare 4090: %+v, want the measured 130.58", spare.Decode)
	}
	// A 2-bit quant is the only way onto one card.
	iq2 := mustEstimate(t, m, c.quant(t, "iq2_xs"), g, nil, Request{ContextTokens: 4096})
	if !iq2.Fits {
		t.Errorf("llama-3.1-70b iq2_xs at 4K should fit one rtx-4090: total %.1f GB", iq2.Memory.TotalBytes/1e9)
	}
}

func TestKVCacheBytes(t *testing.T) {
	c := load(t)
	cases := []struct {
		model         string
		perTokenBytes float64 // full attention, fp16 (local-economics §4)
	}{
		{"llama-3.1-8b", 128 * 1024},
		{"llama-3.1-70b", 320 * 1024},
		{"llama-3.1-405b", 504 * 1024},
		{"llama-3.2-1b", 32 * 1024},
		{"llama-3.2-3b", 112 * 1024},
		{"mistral-7b", 128 * 1024},
		{"qwen2.5-7b", 56 * 1024},
		{"qwen2.5-14b", 192 * 1024},
		{"qwen3-8b", 144 * 1024},
		{"qwen3-30b-a3b", 96 * 1024},
		{"qwen3-235b-a22b", 188 * 1024},
		{"phi-3.5-mini", 384 * 1024},
		{"phi-4", 200 * 1024},
		{"gpt-oss-20b", 48 * 1024},
		{"gpt-oss-120b", 72 * 1024},
		{"deepseek-r1", 70272}, // MLA latent: (512+64) x 61 layers x 2 bytes
	}
	for _, tc := range cases {
		t.Run(tc.model, func(t *testing.T) {
			if got := KVBytesPerToken(c.model(t, tc.model), FP16KVBytes); got != tc.perTokenBytes {
				t.Errorf("KV/token = %g bytes, want %g", got, tc.perTokenBytes)
			}
		})
	}
}

// Phi-3.5-mini has no GQA: 32 KV heads = 32 query heads.
func TestPhi35MiniKVAt128KIs48GiB(t *testing.T) {
	c := load(t)
	m := c.model(t, "phi-3.5-mini")
	want := 2.0 * 32 * 32 * 96 * 2 * 131072
	if want != 48*gib {
		t.Fatalf("test arithmetic: %g", want)
	}
	if got := KVCacheBytes(m, 131072, 1, FP16KVBytes); got != want {
		t.Errorf("KV at 128K = %g bytes (%.2f GiB), want 48 GiB", got, got/gib)
	}
	r := mustEstimate(t, m, c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090"), nil, Request{ContextTokens: 131072})
	if r.Memory.KVCacheBytes != want || r.Fits || r.GPUsNeeded < 3 {
		t.Errorf("phi-3.5-mini at 128K on a 4090: KV %.1f GiB fits=%v needed=%d; the cache alone is twice the card", r.Memory.KVCacheBytes/gib, r.Fits, r.GPUsNeeded)
	}
}

func TestGQAShrinksKVCache(t *testing.T) {
	c := load(t)
	gqa := c.model(t, "llama-3.1-8b") // 32 query heads share 8 KV heads
	noGQA := gqa
	noGQA.KVHeads = 32
	if got, want := KVCacheBytes(noGQA, 32768, 1, 2)/KVCacheBytes(gqa, 32768, 1, 2), 4.0; got != want {
		t.Errorf("no-GQA / GQA KV ratio = %g, want %g", got, want)
	}
	if got := KVCacheBytes(gqa, 32768, 1, 2); got != 4*gib {
		t.Errorf("llama-3.1-8b KV at 32K = %.2f GiB, want 4.0", got/gib)
	}
	if got := KVCacheBytes(c.model(t, "llama-3.1-70b"), 32768, 1, 2); got != 10*gib {
		t.Errorf("llama-3.1-70b KV at 32K = %.2f GiB, want 10.0", got/gib)
	}
	// KV scales with concurrency: each sequence holds its own cache.
	if KVCacheBytes(gqa, 8192, 8, 2) != 8*KVCacheBytes(gqa, 8192, 1, 2) {
		t.Error("KV cache must scale linearly with concurrency")
	}
	// A q8 KV cache halves it.
	if KVCacheBytes(gqa, 8192, 1, 1) != KVCacheBytes(gqa, 8192, 1, 2)/2 {
		t.Error("KV cache must scale with bytes per element")
	}
}

func TestSlidingWindowCapsKV(t *testing.T) {
	c := load(t)
	g27 := c.model(t, "gemma-3-27b")
	// 10 global layers keep all 131072 tokens, 52 keep 1024: ~10.4 GiB, not 62.
	got := KVCacheBytes(g27, 131072, 1, 2)
	perLayerToken := 2.0 * 16 * 128 * 2
	want := (10*131072 + 52*1024) * perLayerToken
	if got != want {
		t.Errorf("gemma-3-27b KV at 128K = %.2f GiB, want %.2f", got/gib, want/gib)
	}
	if full := KVBytesPerToken(g27, 2) * 131072; got > full/5 {
		t.Errorf("sliding window should cut KV ~6x: %.1f vs %.1f GiB", got/gib, full/gib)
	}
	// Below the window, sliding layers cost the same as global ones.
	if KVCacheBytes(g27, 512, 1, 2) != KVBytesPerToken(g27, 2)*512 {
		t.Error("below the window every layer holds the full context")
	}
	oss := c.model(t, "gpt-oss-20b") // alternate layers keep 128 tokens
	half := KVBytesPerToken(oss, 2) * 131072 / 2
	if got := KVCacheBytes(oss, 131072, 1, 2); got < half || got > half*1.01 {
		t.Errorf("gpt-oss-20b KV at 128K = %.3f GiB, want about half of full (%.3f)", got/gib, half/gib)
	}
}

// MoE: every expert sits in memory, but a token reads only the active ones.
func TestMoEResidentTotalReadsActive(t *testing.T) {
	c := load(t)
	q, g := c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090")
	moe := mustEstimate(t, c.model(t, "qwen3-30b-a3b"), q, g, nil, Request{})
	dense := mustEstimate(t, c.model(t, "qwen3-32b"), q, g, nil, Request{})
	if want := 30.53e9 * 0.61; math.Abs(moe.Memory.WeightsBytes-want) > 1 {
		t.Errorf("MoE weights %.3g, want all params resident %.3g", moe.Memory.WeightsBytes, want)
	}
	if want := 1008e9 / (3.3e9*0.61 + KVCacheBytes(c.model(t, "qwen3-30b-a3b"), 700, 1, FP16KVBytes)); math.Abs(moe.DecodeCeiling-want) > 1e-6 {
		t.Errorf("MoE ceiling %.1f, want bandwidth / active bytes %.1f", moe.DecodeCeiling, want)
	}
	if len(moe.Notes) == 0 || !strings.Contains(moe.Notes[0], "MoE") || len(dense.Notes) != 0 {
		t.Errorf("an estimated MoE decode must carry the routing-overhead caveat: %v / %v", moe.Notes, dense.Notes)
	}
	if moe.Decode.Value < 5*dense.Decode.Value {
		t.Errorf("30B-A3B decode %.0f should be far above dense 32B %.0f", moe.Decode.Value, dense.Decode.Value)
	}
	mix := mustEstimate(t, c.model(t, "mixtral-8x7b"), q, g, nil, Request{})
	if mix.Fits {
		t.Errorf("mixtral-8x7b q4_k_m (28.5 GB resident) must not fit a 24 GB card even though only 12.9B are active")
	}
	// Measured MoE decode (DGX Spark, llama.cpp) stays under its ceiling and the
	// estimate without the row lands near it.
	spark := c.gpu(t, "dgx-spark")
	for _, id := range []string{"gpt-oss-20b", "gpt-oss-120b"} {
		m, mx := c.model(t, id), c.quant(t, "mxfp4")
		measured := mustEstimate(t, m, mx, spark, c.bench, Request{})
		est := mustEstimate(t, m, mx, spark, nil, Request{})
		if measured.Decode.Basis != Measured || measured.Decode.Value > measured.DecodeCeiling {
			t.Errorf("%s: %v must be measured and under %.1f", id, measured.Decode, measured.DecodeCeiling)
		}
		if ratio := est.Decode.Value / measured.Decode.Value; ratio < decodeBandLow || ratio > decodeBandHigh {
			t.Errorf("%s: estimate %.1f vs measured %.1f (ratio %.2f) outside band", id, est.Decode.Value, measured.Decode.Value, ratio)
		}
	}
}

func TestQuantizationSetsWeightsAndSpeed(t *testing.T) {
	c := load(t)
	m, g := c.model(t, "mistral-7b"), c.gpu(t, "rtx-4070")
	var prev Result
	for i, id := range []string{"q4_k_m", "q5_k_m", "q6_k", "q8_0", "fp16"} {
		q := c.quant(t, id)
		r := mustEstimate(t, m, q, g, nil, Request{})
		if want := 7.25e9 * q.BytesPerParam; r.Memory.WeightsBytes != want {
			t.Errorf("%s weights %g, want %g", id, r.Memory.WeightsBytes, want)
		}
		if i > 0 && (r.Memory.WeightsBytes <= prev.Memory.WeightsBytes || r.Decode.Value >= prev.Decode.Value) {
			t.Errorf("%s should weigh more and decode slower than %s", id, prev.Quant)
		}
		prev = r
	}
	fp16 := mustEstimate(t, m, c.quant(t, "fp16"), g, nil, Request{})
	if fp16.Fits {
		t.Error("mistral-7b fp16 (14.5 GB) must not fit a 12 GB rtx-4070")
	}
	var quants []Quant
	for _, q := range c.quants {
		quants = append(quants, q)
	}
	best, ok, err := BestQuant(m, quants, g, nil, Request{})
	if err != nil || !ok || best.Quant != "q8_0" {
		t.Errorf("best quant for mistral-7b on rtx-4070 = %s (ok=%v, err=%v), want q8_0", best.Quant, ok, err)
	}
	// gpt-oss ships in MXFP4: never re-expanded to Q5/Q6 even where they fit.
	oss, ok, err := BestQuant(c.model(t, "gpt-oss-120b"), quants, c.gpu(t, "h100-sxm"), nil, Request{})
	if err != nil || !ok || oss.Quant != "mxfp4" {
		t.Errorf("gpt-oss-120b on h100-sxm: %s (ok=%v err=%v), want its native mxfp4", oss.Quant, ok, err)
	}
	_, ok, _ = BestQuant(c.model(t, "llama-3.1-405b"), quants, g, nil, Request{})
	if ok {
		t.Error("no quant of a 405B model fits 12 GB")
	}
}

// Bands for an unclamped estimate against measurements (local-economics §6.3:
// η varies 0.3-0.9 across cards, so one η per memory type lands within these).
const (
	decodeBandLow  = 0.65
	decodeBandHigh = 1.45
)

// Every batch-1 measured row in the reference (XD, llama.cpp 2024-05): the
// estimate without the row is within the band, the estimate with the row is
// the measurement, and neither exceeds bandwidth / bytes.
func TestDecodeAgainstMeasuredRows(t *testing.T) {
	c := load(t)
	cases := []struct {
		model, gpu, quant string
		gpus              int
		measured          float64
	}{
		{"llama-3.1-8b", "rtx-4070-ti", "q4_k_m", 1, 83.50},
		{"llama-3.1-8b", "rtx-4080", "q4_k_m", 1, 108.15},
		{"llama-3.1-8b", "rtx-4080", "fp16", 1, 40.58},
		{"llama-3.1-8b", "rtx-3090", "q4_k_m", 1, 115.42},
		{"llama-3.1-8b", "rtx-3090", "fp16", 1, 47.40},
		{"llama-3.1-8b", "rtx-4090", "q4_k_m", 1, 130.58},
		{"llama-3.1-8b", "rtx-4090", "fp16", 1, 54.84},
		{"llama-3.1-70b", "rtx-4090", "q4_k_m", 2, 19.22},
		{"llama-3.1-70b", "rtx-3090", "q4_k_m", 2, 16.57},
		{"llama-3.1-8b", "l40s", "q4_k_m", 1, 115.55},
		{"llama-3.1-70b", "l40s", "q4_k_m", 1, 15.46},
		{"llama-3.1-8b", "a100-80gb-pcie", "q4_k_m", 1, 140.62},
		{"llama-3.1-8b", "a100-80gb-pcie", "fp16", 1, 54.84},
		{"llama-3.1-70b", "a100-80gb-pcie", "q4_k_m", 1, 22.31},
		{"llama-3.1-70b", "a100-80gb", "q4_k_m", 1, 24.61},
		{"llama-3.1-8b", "h100-pcie", "q4_k_m", 1, 145.55},
		{"llama-3.1-8b", "h100-pcie", "fp16", 1, 68.03},
		{"llama-3.1-70b", "h100-pcie", "q4_k_m", 1, 25.03},
		{"llama-3.1-8b", "m2-ultra-192gb", "q4_k_m", 1, 78.81},
		{"llama-3.1-70b", "m2-ultra-192gb", "q4_k_m", 1, 12.48},
		{"llama-3.1-8b", "m3-max", "q4_k_m", 1, 48.97},
		{"llama-3.1-70b", "m3-max", "q4_k_m", 1, 7.65},
		{"llama-3.1-8b", "h100-sxm", "fp16", 1, 122.2}, // vLLM
	}
	for _, tc := range cases {
		t.Run(tc.model+"@"+tc.gpu+":"+tc.quant, func(t *testing.T) {
			m, g, q := c.model(t, tc.model), c.gpu(t, tc.gpu), c.quant(t, tc.quant)
			req := Request{GPUs: tc.gpus, PromptTokens: 512, OutputTokens: 128, ContextTokens: 1024}
			est := mustEstimate(t, m, q, g, nil, req)
			ceiling := g.Bandwidth / (m.ActiveParams * q.BytesPerParam)
			if est.Decode.Value > ceiling || tc.measured > ceiling {
				t.Errorf("estimate %.1f or measured %.1f above the bandwidth limit %.1f", est.Decode.Value, tc.measured, ceiling)
			}
			if ratio := est.Decode.Value / tc.measured; ratio < decodeBandLow || ratio > decodeBandHigh {
				t.Errorf("estimate %.1f vs measured %.1f: ratio %.2f outside [%.2f, %.2f]", est.Decode.Value, tc.measured, ratio, decodeBandLow, decodeBandHigh)
			}
			clamped := mustEstimate(t, m, q, g, c.bench, req)
			if clamped.Decode.Basis != Measured || clamped.Decode.Value != tc.measured {
				t.Errorf("with the catalog row: %+v, want measured %.2f", clamped.Decode, tc.measured)
			}
		})
	}
}

// A benchmark row above the bandwidth limit (mislabelled quant, typo) is
// clamped: no figure ever beats physics.
func TestMeasuredRowClampedToCeiling(t *testing.T) {
	c := load(t)
	m, q, g := c.model(t, "mistral-7b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4070")
	rows := []catalog.Benchmark{{Model: "mistral-7b", GPU: "rtx-4070", Quant: "q4_k_m", DecodeTPS: catalog.N(decimal.NewFromInt(222)), Source: "seed article"}}
	b, err := NewBenchmarks(rows, func(id string) (Model, bool) { return c.models[id], id == "mistral-7b" })
	if err != nil {
		t.Fatal(err)
	}
	r := mustEstimate(t, m, q, g, b, Request{})
	if r.Decode.Value != r.DecodeCeiling || r.Decode.Basis != Measured {
		t.Errorf("decode %v, want clamped to the ceiling %.2f", r.Decode, r.DecodeCeiling)
	}
	if _, err := NewBenchmarks([]catalog.Benchmark{{Model: "nope", GPU: "rtx-4070"}}, func(string) (Model, bool) { return Model{}, false }); err == nil {
		t.Error("a row naming an unknown model must be an error")
	}
}

func TestAggregateThroughputGrowsWithConcurrency(t *testing.T) {
	c := load(t)
	m, q, g := c.model(t, "mistral-7b"), c.quant(t, "fp16"), c.gpu(t, "rtx-4090")
	prev := 0.0
	for _, conc := range []int{1, 2, 4, 8, 16, 32, 64} {
		r := mustEstimate(t, m, q, g, nil, Request{Concurrency: conc, ContextTokens: 1024})
		if r.Aggregate.Value <= prev {
			t.Errorf("c=%d: aggregate %.0f did not grow (prev %.0f)", conc, r.Aggregate.Value, prev)
		}
		if r.Aggregate.Value > float64(conc)*r.DecodeCeiling {
			t.Errorf("c=%d: aggregate %.0f above c x ceiling", conc, r.Aggregate.Value)
		}
		prev = r.Aggregate.Value
	}
	// Against the vLLM RTX 4090 sweep (not clamped): within the band.
	for conc, measured := range map[int]float64{4: 210, 8: 377, 16: 644, 32: 975, 48: 1190} {
		est := mustEstimate(t, m, q, g, nil, Request{Concurrency: conc, ContextTokens: 384})
		if ratio := est.Aggregate.Value / measured; ratio < decodeBandLow || ratio > decodeBandHigh {
			t.Errorf("c=%d: aggregate %.0f vs measured %.0f (ratio %.2f)", conc, est.Aggregate.Value, measured, ratio)
		}
		clamped := mustEstimate(t, m, q, g, c.bench, Request{Concurrency: conc, ContextTokens: 384})
		if clamped.Aggregate.Basis != Measured || clamped.Aggregate.Value != measured {
			t.Errorf("c=%d: %+v, want measured %.0f", conc, clamped.Aggregate, measured)
		}
	}
	// Compute-bound: a big model at high concurrency hits FLOPS x MFU.
	// Compute-bound: the RTX 3090's bandwidth outruns its FP16 compute at high
	// concurrency.
	big := mustEstimate(t, c.model(t, "llama-3.1-8b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-3090"), nil, Request{Concurrency: 256, ContextTokens: 512})
	capTPS := 71e12 * ComputeMFU / (2 * 8.03e9)
	if math.Abs(big.Aggregate.Value-capTPS) > 1e-6 || !strings.HasPrefix(big.Aggregate.Source, "compute-bound") {
		t.Errorf("8B at c=256 on 3090: %+v, want compute cap %.0f", big.Aggregate, capTPS)
	}
}

func TestPrefillTTFTAndReply(t *testing.T) {
	c := load(t)
	// Exact measured prefill.
	r := mustEstimate(t, c.model(t, "llama-3.1-8b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090"), c.bench, Request{PromptTokens: 7139, OutputTokens: 130})
	if r.Prefill.Basis != Measured || r.Prefill.Value != 7138.99 {
		t.Fatalf("prefill %+v, want measured 7138.99", r.Prefill)
	}
	if want := 7139/7138.99 + 130/r.Decode.Value; math.Abs(r.ReplySeconds-want) > 1e-9 || math.Abs(r.TTFTSeconds-7139/7138.99) > 1e-12 {
		t.Errorf("ttft %.4f reply %.4f, want reply %.4f", r.TTFTSeconds, r.ReplySeconds, want)
	}
	// Scaled from another model measured on the same GPU: 70B prefill on a 4090
	// is the 8B rate x 8.03/70.55.
	s := mustEstimate(t, c.model(t, "qwen2.5-72b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090"), c.bench, Request{})
	if s.Prefill.Basis != Estimated || !strings.Contains(s.Prefill.Source, "scaled") {
		t.Errorf("qwen2.5-72b prefill on 4090: %+v", s.Prefill)
	}
	// FLOPS-based where no benchmark exists on the GPU.
	l4 := mustEstimate(t, c.model(t, "llama-3.1-8b"), c.quant(t, "q4_k_m"), c.gpu(t, "l4"), c.bench, Request{})
	if want := 121e12 * ComputeMFU / (2 * 8.03e9); math.Abs(l4.Prefill.Value-want) > 1e-6 {
		t.Errorf("l4 prefill %.1f, want %.1f", l4.Prefill.Value, want)
	}
	// Last resort: a multiple of decode, never zero.
	m := mustEstimate(t, c.model(t, "mistral-7b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4070"), c.bench, Request{})
	if m.Prefill.Value != PrefillOverDecodeFallback*m.Decode.Value {
		t.Errorf("rtx-4070 prefill %+v", m.Prefill)
	}
}

func TestAppleUsableShare(t *testing.T) {
	c := load(t)
	g := c.gpu(t, "m2-ultra-192gb")
	if g.UsableBytes() != 0.75*192*gib {
		t.Fatalf("usable %g", g.UsableBytes())
	}
	// 405B q2_k at 32K = 152 GB weights + 17 GB KV: under 192 GiB of RAM, over
	// the 144 GiB the GPU may use.
	r := mustEstimate(t, c.model(t, "llama-3.1-405b"), c.quant(t, "q2_k"), g, nil, Request{ContextTokens: 32768})
	if r.Fits || r.Memory.TotalBytes > 192*gib {
		t.Errorf("405B q2_k at 32K (%.0f GiB) must fit the RAM but not 75%% of it", r.Memory.TotalBytes/gib)
	}
}

func TestUnverifiedInputsAreReported(t *testing.T) {
	c := load(t)
	r := mustEstimate(t, c.model(t, "llama-3.2-3b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-3060-12gb"), c.bench, Request{})
	if r.Decode.Basis != Measured || !r.Decode.Unverified {
		t.Errorf("community row must be measured but unverified: %+v", r.Decode)
	}
	if len(r.Unverified) == 0 {
		t.Error("result must list its unverified inputs")
	}
	// A prefill scaled from an unverified row of another model on the GPU
	// (qwen3-8b on the RTX 5090, a community row) rests on it too.
	scaled := mustEstimate(t, c.model(t, "llama-3.1-70b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-5090"), c.bench, Request{GPUs: 2})
	if !scaled.Prefill.Unverified || !strings.Contains(strings.Join(scaled.Unverified, "; "), "prefill scaled by active params from qwen3-8b") {
		t.Errorf("prefill %+v; unverified inputs %q", scaled.Prefill, scaled.Unverified)
	}
	clean := mustEstimate(t, c.model(t, "llama-3.1-8b"), c.quant(t, "q4_k_m"), c.gpu(t, "h100-sxm"), nil, Request{})
	if len(clean.Unverified) != 0 || clean.Decode.Unverified {
		t.Errorf("verified inputs reported unverified: %v", clean.Unverified)
	}
}

func TestEstimateRejectsBadRequests(t *testing.T) {
	c := load(t)
	m, q, g := c.model(t, "mistral-7b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090")
	if _, err := Estimate(m, q, g, nil, Request{ContextTokens: 65536}); err == nil || !strings.Contains(err.Error(), "32768") {
		t.Errorf("context above max_context: err = %v", err)
	}
	if _, err := Estimate(m, q, g, nil, Request{PromptTokens: -1}); err == nil {
		t.Error("negative prompt tokens accepted")
	}
	r := mustEstimate(t, c.model(t, "gemma-2-9b"), q, g, nil, Request{})
	if r.ContextTokens != 8192 {
		t.Errorf("default context %d, want min(8192, max)", r.ContextTokens)
	}
}

func TestNewModelValidates(t *testing.T) {
	n := func(v int64) catalog.Num { return catalog.N(decimal.NewFromInt(v)) }
	base := catalog.OpenModel{ID: catalog.Ident{V: "m"}, ParamsB: n(8), Layers: n(32), KVHeads: n(8), HeadDim: n(128), MaxContext: n(8192)}
	cases := []struct {
		name string
		edit func(*catalog.OpenModel)
		ok   bool
	}{
		{"valid", func(*catalog.OpenModel) {}, true},
		{"no params", func(m *catalog.OpenModel) { m.ParamsB = catalog.Num{} }, false},
		{"active above total", func(m *catalog.OpenModel) { m.ActiveParamsB = n(9) }, false},
		{"no kv heads", func(m *catalog.OpenModel) { m.KVHeads = catalog.Num{} }, false},
		{"latent instead of heads", func(m *catalog.OpenModel) { m.KVHeads = catalog.Num{}; m.KVLatentDim = n(576) }, true},
		{"sliding without window", func(m *catalog.OpenModel) { m.SlidingLayers = n(4) }, false},
		{"more sliding layers than layers", func(m *catalog.OpenModel) { m.SlidingLayers = n(40); m.SlidingWindow = n(1024) }, false},
		{"no context", func(m *catalog.OpenModel) { m.MaxContext = catalog.Num{} }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := base
			tc.edit(&m)
			_, err := NewModel(m)
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	if _, err := NewGPU(catalog.GPU{ID: catalog.Ident{V: "g"}, VRAMGB: n(24), BandwidthGBs: n(1000), Memory: "sram"}); err == nil {
		t.Error("unknown memory type accepted")
	}
}

// Every model on every GPU gives finite, positive, physically bounded figures.
func TestEveryPairIsBounded(t *testing.T) {
	c := load(t)
	for _, m := range c.models {
		q := c.quants["q4_k_m"]
		if m.DefaultQuant != "" {
			q = c.quants[m.DefaultQuant]
		}
		for _, g := range c.gpus {
			r, err := Estimate(m, q, g, c.bench, Request{})
			if err != nil {
				t.Fatalf("%s@%s: %v", m.ID, g.ID, err)
			}
			for name, v := range map[string]float64{"decode": r.Decode.Value, "prefill": r.Prefill.Value, "reply": r.ReplySeconds, "aggregate": r.Aggregate.Value} {
				if !(v > 0) || math.IsInf(v, 0) {
					t.Errorf("%s@%s: %s = %g", m.ID, g.ID, name, v)
				}
			}
			if r.Decode.Value > r.DecodeCeiling {
				t.Errorf("%s@%s: decode %.1f above ceiling %.1f", m.ID, g.ID, r.Decode.Value, r.DecodeCeiling)
			}
			if r.GPUsNeeded < 1 || r.Fits != (r.GPUsNeeded == 1) {
				t.Errorf("%s@%s: needed %d fits %v", m.ID, g.ID, r.GPUsNeeded, r.Fits)
			}
		}
	}
}

// Rows `llmcost bench` measured (a measured date) say so: MeasuredNote is
// the setup's id and MeasuredText; between measured levels the aggregate
// is scaled from the level below, and the text says that too. Rows with
// no measured date (the catalog's own) say nothing.
func TestMeasuredNoteOfBenchRows(t *testing.T) {
	c := load(t)
	m, q, g := c.model(t, "llama-3.1-8b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090")
	day := catalog.Date{Time: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}
	row := func(conc int64, tps float64, measured bool) catalog.Benchmark {
		b := catalog.Benchmark{Model: "llama-3.1-8b", GPU: "rtx-4090", Quant: "q4_k_m", DecodeTPS: catalog.N(decimal.NewFromFloat(tps)), Source: "s", Server: "http://gpu:8000/v1"}
		if conc > 1 {
			b.Concurrency = catalog.N(decimal.NewFromInt(conc))
		}
		if measured {
			b.Measured = day
		}
		return b
	}
	index := func(rows ...catalog.Benchmark) *Benchmarks {
		b, err := NewBenchmarks(rows, func(id string) (Model, bool) { return c.models[id], id == "llama-3.1-8b" })
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	mine := index(row(1, 60, true), row(4, 160, true))
	r := mustEstimate(t, m, q, g, mine, Request{Concurrency: 4})
	want := "measured 2026-12-02, 1 stream: 60.0 tok/s per stream; measured 2026-12-02, 4 streams: 160.0 tok/s aggregate (llmcost bench, http://gpu:8000/v1)"
	if r.MeasuredText() != want || r.MeasuredNote() != "llama-3.1-8b@rtx-4090:q4_k_m: "+want {
		t.Errorf("text %q\nnote %q", r.MeasuredText(), r.MeasuredNote())
	}
	if !slices.Contains(r.Notes, r.MeasuredNote()) {
		t.Errorf("notes %q", r.Notes)
	}
	r = mustEstimate(t, m, q, g, mine, Request{Concurrency: 6})
	if !strings.Contains(r.MeasuredText(), "4 streams: ") || !strings.Contains(r.MeasuredText(), " tok/s aggregate at 6 streams, scaled from it") || r.Aggregate.Value <= 160 {
		t.Errorf("at 6 streams: %q (aggregate %.1f)", r.MeasuredText(), r.Aggregate.Value)
	}
	theirs := mustEstimate(t, m, q, g, index(row(1, 60, false)), Request{})
	if theirs.Decode.Basis != Measured || theirs.MeasuredText() != "" || theirs.MeasuredNote() != "" {
		t.Errorf("a catalog row: basis %s, text %q", theirs.Decode.Basis, theirs.MeasuredText())
	}
}

// A measured decode speed holds for the context it was measured at: XD's
// RTX 4090 runs of Llama 3 8B Q4_K_M fall from 130.58 tok/s (tg512, a
// 256-token mean context) to 119.44 at 4,096 and 110.66 at 8,192
// (local-facts.yaml), and the KV-cache scaling must reproduce both.
func TestMeasuredDecodeScalesWithContext(t *testing.T) {
	c := load(t)
	m, q, g := c.model(t, "llama-3.1-8b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090")
	for _, tc := range []struct {
		prompt   int
		measured float64
	}{{4096, 119.44}, {8192, 110.66}} {
		// Output 2 keeps the mean context at the prompt.
		r := mustEstimate(t, m, q, g, c.bench, Request{PromptTokens: tc.prompt, OutputTokens: 2, ContextTokens: 16384})
		if r.Decode.Basis != Measured || r.Decode.DerivedFrom == "" || !strings.Contains(r.Decode.Source, "scaled") {
			t.Errorf("prompt %d: %+v, want the measurement scaled and saying so", tc.prompt, r.Decode)
		}
		if e := math.Abs(r.Decode.Value/tc.measured - 1); e > 0.03 {
			t.Errorf("prompt %d: decode %.1f tok/s, measured %.2f (off by %.1f%%)", tc.prompt, r.Decode.Value, tc.measured, 100*e)
		}
	}
	// Near the measured context the measurement stands as it is.
	short := mustEstimate(t, m, q, g, c.bench, Request{})
	if short.Decode.Value != 130.58 || short.Decode.DerivedFrom != "" {
		t.Errorf("default request: %+v, want the measured 130.58 unchanged", short.Decode)
	}
	// At a 100K prompt every token reads ~13 GB of KV cache besides 4.9 GB
	// of weights: no measurement or estimate may beat bandwidth over both.
	long := mustEstimate(t, m, q, g, c.bench, Request{PromptTokens: 100000, OutputTokens: 400, ContextTokens: 100400})
	ceiling := 1008e9 / (8.03e9*0.61 + KVCacheBytes(m, 100200, 1, FP16KVBytes))
	if math.Abs(long.DecodeCeiling-ceiling) > 1e-6 || long.Decode.Value > ceiling || long.Decode.Value > 60 {
		t.Errorf("100K prompt: decode %.1f, ceiling %.1f, want at most %.1f", long.Decode.Value, long.DecodeCeiling, ceiling)
	}
	// The estimate of another quant at that context reads the same KV
	// cache, so the measured q4_k_m is no longer 2.8x slower than it.
	q40 := mustEstimate(t, m, c.quant(t, "q4_0"), g, c.bench, Request{PromptTokens: 100000, OutputTokens: 400, ContextTokens: 100400})
	if ratio := q40.Decode.Value / long.Decode.Value; ratio < 0.8 || ratio > 1.5 {
		t.Errorf("100K prompt: q4_0 %.1f vs q4_k_m %.1f tok/s", q40.Decode.Value, long.Decode.Value)
	}
}

// A row written by llmcost bench says the context it measured at.
func TestBenchRowContextTokens(t *testing.T) {
	c := load(t)
	m, q, g := c.model(t, "llama-3.1-8b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090")
	rows := []catalog.Benchmark{{Model: m.ID, GPU: g.ID, Quant: q.ID, DecodeTPS: catalog.N(decimal.NewFromInt(100)), ContextTokens: catalog.N(decimal.NewFromInt(8192)), Source: "test"}}
	b, err := NewBenchmarks(rows, func(string) (Model, bool) { return m, true })
	if err != nil {
		t.Fatal(err)
	}
	at := mustEstimate(t, m, q, g, b, Request{PromptTokens: 8192, OutputTokens: 2, ContextTokens: 16384})
	if at.Decode.Value != 100 || at.Decode.DerivedFrom != "" {
		t.Errorf("at the row's own context: %+v, want 100 as measured", at.Decode)
	}
	if short := mustEstimate(t, m, q, g, b, Request{}); short.Decode.Value <= 110 {
		t.Errorf("a short request on an 8K-context row: %.1f tok/s, want faster than measured", short.Decode.Value)
	}
}

// A model measured on one GPU and not on another of the same memory type
// is estimated there from that measurement, scaled by the bandwidth
// model's ratio: gpt-oss-20b's 175.89 tok/s on an RTX 3090 says more about
// its speed on a 4090 than the bandwidth model alone, which runs 40% above
// that measurement on the 3090 itself.
func TestDecodeScaledFromSiblingGPU(t *testing.T) {
	c := load(t)
	m, q := c.model(t, "gpt-oss-20b"), c.quant(t, "mxfp4")
	g3090, g4090 := c.gpu(t, "rtx-3090"), c.gpu(t, "rtx-4090")
	b, err := NewBenchmarks(c.file.Benchmarks, func(id string) (Model, bool) { mm, ok := c.models[id]; return mm, ok })
	if err != nil {
		t.Fatal(err)
	}
	b.resolveGPUs(func(id string) (GPU, bool) { g, ok := c.gpus[id]; return g, ok })
	req := Request{PromptTokens: 200, OutputTokens: 112} // mean context 256, the row's
	measured := mustEstimate(t, m, q, g3090, b, req)
	if measured.Decode.Basis != Measured {
		t.Fatalf("3090: %+v, want the catalog's measurement", measured.Decode)
	}
	alone := mustEstimate(t, m, q, g4090, nil, req)
	got := mustEstimate(t, m, q, g4090, b, req)
	model3090 := mustEstimate(t, m, q, g3090, nil, req).Decode.Value
	want := measured.Decode.Value * alone.Decode.Value / model3090
	if got.Decode.Basis != Estimated || got.Decode.DerivedFrom == "" || !strings.Contains(got.Decode.Source, "measured on rtx-3090") ||
		math.Abs(got.Decode.Value-want) > 1e-9 {
		t.Errorf("4090: %+v, want %.1f scaled from the 3090's row", got.Decode, want)
	}
	if got.Decode.Value > alone.Decode.Value*0.8 || !slices.Contains(got.Unverified, "benchmark gpt-oss-20b@rtx-3090:mxfp4") {
		t.Errorf("4090: %.1f (bandwidth model alone %.1f), unverified %v", got.Decode.Value, alone.Decode.Value, got.Unverified)
	}
	// Another memory type is not a sibling: an HBM GPU keeps its own estimate.
	h := c.gpu(t, "h100-sxm")
	if hb := mustEstimate(t, m, q, h, b, req); hb.Decode.DerivedFrom != "" && strings.Contains(hb.Decode.Source, "rtx-3090") {
		t.Errorf("h100 scaled from a GDDR card: %+v", hb.Decode)
	}
}

// llama-3.3-70b has llama-3.1-70b's shape: with no row of its own it runs
// at its twin's measured speed, on the twin's GPU as elsewhere.
func TestDecodeFromArchitectureTwin(t *testing.T) {
	c := load(t)
	b, err := NewBenchmarks(c.file.Benchmarks, func(id string) (Model, bool) { mm, ok := c.models[id]; return mm, ok })
	if err != nil {
		t.Fatal(err)
	}
	b.resolveGPUs(func(id string) (GPU, bool) { g, ok := c.gpus[id]; return g, ok })
	q, g := c.quant(t, "q4_k_m"), c.gpu(t, "rtx-3090")
	one := mustEstimate(t, c.model(t, "llama-3.1-70b"), q, g, b, Request{})
	twin := mustEstimate(t, c.model(t, "llama-3.3-70b"), q, g, b, Request{})
	if one.Decode.Basis != Measured || twin.Decode.Value != one.Decode.Value || !strings.Contains(twin.Decode.DerivedFrom, "llama-3.1-70b measurement on rtx-3090 (the same architecture)") {
		t.Errorf("decode: 3.1 %+v, 3.3 %+v", one.Decode, twin.Decode)
	}
	if twin.Prefill.Value != one.Prefill.Value || !strings.Contains(twin.Prefill.DerivedFrom, "same architecture") {
		t.Errorf("prefill: 3.1 %+v, 3.3 %+v", one.Prefill, twin.Prefill)
	}
	if archKey(c.model(t, "llama-3.1-70b")) == archKey(c.model(t, "qwen2.5-72b")) {
		t.Error("different shapes share an architecture key")
	}
}

// A bench row above the bandwidth ceiling is capped, and the note says
// what was measured rather than passing the ceiling off as the measurement.
func TestMeasuredAboveCeilingIsCapped(t *testing.T) {
	c := load(t)
	m, q, g := c.model(t, "llama-3.1-8b"), c.quant(t, "q4_k_m"), c.gpu(t, "rtx-4090")
	rows := []catalog.Benchmark{{Model: m.ID, GPU: g.ID, Quant: q.ID, DecodeTPS: catalog.N(decimal.NewFromInt(160913)), Source: "llmcost bench", Measured: catalog.Date{Time: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}, Server: "http://gpu:8000/v1"}}
	b, err := NewBenchmarks(rows, func(string) (Model, bool) { return m, true })
	if err != nil {
		t.Fatal(err)
	}
	r := mustEstimate(t, m, q, g, b, Request{})
	if !r.Decode.Capped || r.Decode.Value != r.DecodeCeiling || r.Decode.Measured != 160913 {
		t.Fatalf("%+v (ceiling %.1f)", r.Decode, r.DecodeCeiling)
	}
	if text := r.MeasuredText(); !strings.Contains(text, "160913.0 tok/s per stream, above this setup's") {
		t.Errorf("measured note: %q", text)
	}
}
