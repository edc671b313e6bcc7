package hardware

import (
	"fmt"
	"math"
	"sync"

	"github.com/llmcost/llmcost/pkg/catalog"
)

// Benchmarks indexes measured rows by (model, gpu, quant, gpus, concurrency).
// A nil *Benchmarks has no rows.
type Benchmarks struct {
	pairs map[[2]string]bool // (model, gpu) with any row: most pairs have none, so one cheap check skips the rest
	exact map[benchKey]benchRow
	// levels holds, per (model, gpu, quant, gpus), the concurrencies above 1
	// with an aggregate row, ascending: a request between two measured
	// levels is scaled from the nearest one below.
	levels map[benchKey][]int
	byGPU  map[string][]benchRow // rows with a prefill figure at concurrency 1
	// byArch holds, per (architecture, quant), the batch-1 decode rows of
	// every model of that architecture on every GPU, for a setup with no
	// row of its own (see sibling).
	byArch map[[2]string][]benchRow
	// gpuOf resolves a row's GPU (set by NewEnv); without it no row is
	// carried over to another GPU.
	gpuOf func(id string) (GPU, bool)
	// labels caches siblingLabels.
	labels sync.Map
}

type benchKey struct {
	model, gpu, quant string
	gpus, concurrency int
}

type benchRow struct {
	model, quant    string
	gpu             string
	on              *GPU // the row's GPU, for sibling (resolveGPUs)
	activeParams    float64
	decode, prefill float64
	context         float64 // mean tokens in context while decode was measured
	source          string
	unverified      bool
	run             *Run // set for rows `llmcost bench` measured
}

// Run is a measurement of the user's own server by `llmcost bench`: a
// catalog benchmark row with a measured date.
type Run struct {
	Date        string // YYYY-MM-DD
	Server      string // base URL measured
	ServerModel string // model name the server was asked for
	Concurrency int    // streams at once
}

// NewBenchmarks indexes rows. models resolves a row's model id (for scaling
// prefill across models); a row naming an unknown model is an error.
// When two rows share a key the later one wins (a user catalog overrides).
func NewBenchmarks(rows []catalog.Benchmark, models func(id string) (Model, bool)) (*Benchmarks, error) {
	b := &Benchmarks{pairs: map[[2]string]bool{}, exact: map[benchKey]benchRow{}, byGPU: map[string][]benchRow{}, levels: map[benchKey][]int{}, byArch: map[[2]string][]benchRow{}}
	for _, r := range rows {
		m, ok := models(r.Model)
		if !ok {
			return nil, fmt.Errorf("benchmark %s@%s: unknown open model %q", r.Model, r.GPU, r.Model)
		}
		gpus, conc := int(f(r.GPUs)), int(f(r.Concurrency))
		row := benchRow{
			model: m.ID, quant: r.Quant, gpu: r.GPU, activeParams: m.ActiveParams,
			decode: f(r.DecodeTPS), prefill: f(r.PrefillTPS),
			context: DefaultBenchContextTokens,
			source:  r.Source, unverified: r.Unverified,
		}
		if r.ContextTokens.Set {
			row.context = f(r.ContextTokens)
		}
		if row.decode < 0 || row.prefill < 0 {
			return nil, fmt.Errorf("benchmark %s@%s: negative throughput", r.Model, r.GPU)
		}
		if !r.Measured.IsZero() {
			row.run = &Run{Date: r.Measured.String(), Server: r.Server, ServerModel: r.ServerModel, Concurrency: max(conc, 1)}
		}
		key := benchKey{m.ID, r.GPU, r.Quant, max(gpus, 1), max(conc, 1)}
		if conc > 1 {
			lk := key
			lk.concurrency = 0
			b.levels[lk] = insertSorted(b.levels[lk], conc)
		}
		b.exact[key] = row
		b.pairs[[2]string{m.ID, r.GPU}] = true
		if row.prefill > 0 && conc <= 1 && gpus <= 1 {
			b.byGPU[r.GPU] = append(b.byGPU[r.GPU], row)
		}
		if row.decode > 0 && conc <= 1 {
			k := [2]string{archKey(m), r.Quant}
			b.byArch[k] = append(b.byArch[k], row)
		}
	}
	return b, nil
}

func (b *Benchmarks) lookup(model, gpu, quant string, gpus, concurrency int) (benchRow, bool) {
	if b == nil || !b.pairs[[2]string{model, gpu}] {
		return benchRow{}, false
	}
	r, ok := b.exact[benchKey{model, gpu, quant, gpus, concurrency}]
	return r, ok
}

// lookupGPUs tries the GPU count in use, then the least the model needs.
func (b *Benchmarks) lookupGPUs(model, gpu, quant string, gpus, minGPUs, concurrency int) (benchRow, bool) {
	if r, ok := b.lookup(model, gpu, quant, gpus, concurrency); ok {
		return r, ok
	}
	return b.lookup(model, gpu, quant, minGPUs, concurrency)
}

// around returns the aggregate row at the highest measured concurrency
// under c, and the lowest measured one above c.
func (b *Benchmarks) around(model, gpu, quant string, gpus, c int) (lo benchRow, cLo int, okLo bool, hi benchRow, okHi bool) {
	if b == nil || !b.pairs[[2]string{model, gpu}] {
		return
	}
	for _, l := range b.levels[benchKey{model, gpu, quant, gpus, 0}] {
		r := b.exact[benchKey{model, gpu, quant, gpus, l}]
		if r.decode <= 0 {
			continue
		}
		switch {
		case l < c:
			lo, cLo, okLo = r, l, true
		case l > c && !okHi:
			hi, okHi = r, true
		}
	}
	return
}

// archKey identifies an architecture: models with the same shape
// (llama-3.1-70b and llama-3.3-70b) read the same bytes per token and run
// at the same speed, whatever their weights' values.
func archKey(m Model) string {
	if m.arch != "" {
		return m.arch
	}
	return m.shape()
}

func (m Model) shape() string {
	return fmt.Sprint(m.Params, m.ActiveParams, m.Layers, m.KVHeads, m.HeadDim, m.KVLatentDim, m.SlidingWindow, m.SlidingLayers)
}

// resolveGPUs looks up, once, the GPU of every row sibling may carry over
// (gpuOf resolves an id; Estimate runs for every model x GPU).
func (b *Benchmarks) resolveGPUs(gpuOf func(id string) (GPU, bool)) {
	for k, rows := range b.byArch {
		for i := range rows {
			if g, ok := gpuOf(rows[i].gpu); ok {
				rows[i].on = &g
			}
		}
		b.byArch[k] = rows
	}
	b.gpuOf = gpuOf
}

// sibling is the batch-1 decode row nearest to m on g among the rows of
// m's architecture and quant that are not m's own on g: the same model on
// the most similar GPU (same memory type, nearest bandwidth), or a model
// of the same architecture, on g itself first. A measurement carries what
// the bandwidth model cannot know (an MoE router, a runtime's kernels),
// and scales across GPUs of one memory type by the model's ratio. ok is
// false when there is none.
func (b *Benchmarks) sibling(m Model, quant string, g GPU) (row benchRow, on GPU, ok bool) {
	if b == nil || b.gpuOf == nil {
		return
	}
	best := math.Inf(1)
	for _, r := range b.byArch[[2]string{archKey(m), quant}] {
		if r.model == m.ID && r.gpu == g.ID {
			continue // its own row: Estimate used it already
		}
		if r.on == nil {
			continue
		}
		rg := *r.on
		if rg.Memory != g.Memory || rg.Bandwidth <= 0 {
			continue
		}
		if d := math.Abs(math.Log(rg.Bandwidth / g.Bandwidth)); d < best {
			best, row, on, ok = d, r, rg, true
		}
	}
	return
}

// labels are the strings of a decode carried over by sibling, made once
// per (row, model, GPU): Estimate runs for every model x GPU and must not
// format strings each time.
type labels struct{ source, derived, unverified string }

func (b *Benchmarks) siblingLabels(row benchRow, model, gpu string) labels {
	key := [4]string{row.model, row.gpu, row.quant, model + "\x00" + gpu}
	if l, ok := b.labels.Load(key); ok {
		return l.(labels)
	}
	var l labels
	if row.model == model {
		l.source = fmt.Sprintf("%s measured on %s (%s), scaled by the bandwidth model's %s/%s ratio", groupFloat(row.decode), row.gpu, row.source, gpu, row.gpu)
		l.derived = "measurement on " + row.gpu + ", scaled by memory bandwidth"
	} else {
		// Same shape, other weights: the speed is the twin's.
		l.source = fmt.Sprintf("%s of %s (the same architecture) measured on %s (%s), scaled by the bandwidth model's %s/%s ratio", groupFloat(row.decode), row.model, row.gpu, row.source, gpu, row.gpu)
		l.derived = row.model + " measurement on " + row.gpu + " (the same architecture)"
		if row.gpu != gpu {
			l.derived += ", scaled by memory bandwidth"
		}
	}
	l.unverified = "benchmark " + row.model + "@" + row.gpu + ":" + row.quant
	b.labels.Store(key, l)
	return l
}

// twinOn is a prefill row on gpu of another model with m's architecture.
func (b *Benchmarks) twinOn(m Model, quant, gpu string) (benchRow, bool) {
	if b == nil {
		return benchRow{}, false
	}
	for _, r := range b.byArch[[2]string{archKey(m), quant}] {
		if r.model != m.ID && r.gpu == gpu && r.prefill > 0 {
			return r, true
		}
	}
	return benchRow{}, false
}

func insertSorted(s []int, v int) []int {
	i := 0
	for i < len(s) && s[i] < v {
		i++
	}
	if i < len(s) && s[i] == v {
		return s
	}
	return append(s[:i], append([]int{v}, s[i:]...)...)
}

func (b *Benchmarks) prefillOn(gpu string) []benchRow {
	if b == nil {
		return nil
	}
	return b.byGPU[gpu]
}
