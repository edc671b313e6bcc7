package hardware

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/llmcost/llmcost/pkg/catalog"
)

// Spec names a placement: MODEL@GPU[:QUANT][xN] (e.g. llama-3.1-70b@rtx-4090:q4_k_mx2).
type Spec struct {
	Model, GPU, Quant string
	GPUs              int // 0 = as many as the model needs
	Text              string
}

var specRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([^@\s]+)@([^:@\s]+?)(?::([A-Za-z0-9_.-]+?))?(?:x([0-9]+))?$`)
})

// ErrSpecSyntax is wrapped by ParseSpec's errors.
var ErrSpecSyntax = fmt.Errorf("want MODEL@GPU[:QUANT][xN], e.g. llama-3.1-8b@rtx-4090 or llama-3.1-70b@rtx-4090:q4_k_mx2")

// SpecError is a malformed placement; it is the user's input.
type SpecError struct {
	Value string
	Err   error
}

func (e *SpecError) Error() string  { return fmt.Sprintf("%q: %v", e.Value, e.Err) }
func (e *SpecError) Unwrap() error  { return e.Err }
func (e *SpecError) BadInput() bool { return true }

// ParseSpec reads MODEL@GPU[:QUANT][xN]. It checks syntax only; Env
// resolves the names.
func ParseSpec(s string) (Spec, error) {
	t := strings.TrimSpace(s)
	m := specRe().FindStringSubmatch(t)
	if m == nil {
		return Spec{}, &SpecError{Value: s, Err: ErrSpecSyntax}
	}
	spec := Spec{Model: m[1], GPU: m[2], Quant: m[3], Text: t}
	if m[4] != "" {
		n, err := strconv.Atoi(m[4])
		switch {
		case err == nil && n > 1024 && m[3] == "" && unicode.IsLetter(rune(m[2][len(m[2])-1])):
			// llama-3.1-8b@rtx4090 names the alias rtx4090, not "rt"
			// x 4090: no count is that large (rtx-4090x5000 stays a
			// bad count).
			spec.GPU += "x" + m[4]
		case err != nil || n < 1 || n > 1024:
			return Spec{}, &SpecError{Value: s, Err: fmt.Errorf("GPU count must be 1-1024")}
		default:
			spec.GPUs = n
		}
	}
	return spec, nil
}

// Env turns catalog entries into the maths' inputs, once each, and holds
// the catalog's benchmarks with their names resolved to ids.
type Env struct {
	Catalog *catalog.Catalog
	Bench   *Benchmarks
	models  map[string]Model
	gpus    map[string]GPU
	quants  map[string]Quant
}

// NewEnv indexes a loaded catalog. Benchmark rows may name models, GPUs
// and quantizations by alias.
func NewEnv(cat *catalog.Catalog) (*Env, error) {
	e := &Env{Catalog: cat, models: map[string]Model{}, gpus: map[string]GPU{}, quants: map[string]Quant{}}
	rows := make([]catalog.Benchmark, 0, len(cat.Benchmarks))
	for _, b := range cat.Benchmarks {
		om, err := cat.Open(b.Model)
		if err != nil {
			return nil, err
		}
		g, err := cat.GPU(b.GPU)
		if err != nil {
			return nil, err
		}
		q, err := cat.Quant(b.Quant)
		if err != nil {
			return nil, err
		}
		b.Model, b.GPU, b.Quant = om.ID.V, g.ID.V, q.ID.V
		rows = append(rows, b)
	}
	bench, err := NewBenchmarks(rows, func(id string) (Model, bool) {
		m, err := e.Model(id)
		return m, err == nil
	})
	if err != nil {
		return nil, err
	}
	bench.resolveGPUs(func(id string) (GPU, bool) {
		g, _, err := e.GPU(id)
		return g, err == nil
	})
	e.Bench = bench
	return e, nil
}

// Model resolves an open model by id or alias.
func (e *Env) Model(name string) (Model, error) {
	om, err := e.Catalog.Open(name)
	if err != nil {
		return Model{}, err
	}
	if m, ok := e.models[om.ID.V]; ok {
		return m, nil
	}
	m, err := NewModel(*om)
	if err != nil {
		return Model{}, err
	}
	e.models[m.ID] = m
	return m, nil
}

// GPU resolves a GPU by id or alias, with its catalog entry (prices, rentals).
func (e *Env) GPU(name string) (GPU, *catalog.GPU, error) {
	cg, err := e.Catalog.GPU(name)
	if err != nil {
		return GPU{}, nil, err
	}
	if g, ok := e.gpus[cg.ID.V]; ok {
		return g, cg, nil
	}
	g, err := NewGPU(*cg)
	if err != nil {
		return GPU{}, nil, err
	}
	e.gpus[g.ID] = g
	return g, cg, nil
}

// Quant resolves a quantization.
func (e *Env) Quant(name string) (Quant, error) {
	cq, err := e.Catalog.Quant(name)
	if err != nil {
		return Quant{}, err
	}
	if q, ok := e.quants[cq.ID.V]; ok {
		return q, nil
	}
	q, err := NewQuant(*cq)
	if err != nil {
		return Quant{}, err
	}
	e.quants[q.ID] = q
	return q, nil
}

// Quants lists every quantization of the catalog.
func (e *Env) Quants() ([]Quant, error) {
	var out []Quant
	for _, id := range e.Catalog.QuantIDs() {
		q, err := e.Quant(id)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// DefaultQuantID is the model's own format (e.g. mxfp4 for gpt-oss) or Q4_K_M.
func DefaultQuantID(m Model) string {
	if m.DefaultQuant != "" {
		return m.DefaultQuant
	}
	return "q4_k_m"
}

// Place estimates a spec: its quant or the model's default one. With no
// GPU count in the spec the model gets as many GPUs as it needs, so the
// result fits unless the spec fixed too few.
func (e *Env) Place(spec Spec, req Request) (Result, error) {
	m, err := e.Model(spec.Model)
	if err != nil {
		return Result{}, err
	}
	g, _, err := e.GPU(spec.GPU)
	if err != nil {
		return Result{}, err
	}
	qname := spec.Quant
	if qname == "" {
		qname = DefaultQuantID(m)
	}
	q, err := e.Quant(qname)
	if err != nil {
		return Result{}, err
	}
	req.GPUs = spec.GPUs
	r, err := Estimate(m, q, g, e.Bench, req)
	if err != nil {
		return Result{}, err
	}
	if spec.GPUs == 0 && r.GPUsNeeded > 1 {
		req.GPUs = r.GPUsNeeded
		return Estimate(m, q, g, e.Bench, req)
	}
	return r, nil
}
