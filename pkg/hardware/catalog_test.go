package hardware

import (
	"sync"
	"testing"

	"github.com/llmcost/llmcost/internal/localcatalog"
	"github.com/llmcost/llmcost/pkg/catalog"
)

// testCatalog is data/local decoded once and converted for the maths.
type testCatalog struct {
	file   catalog.File
	models map[string]Model
	gpus   map[string]GPU
	quants map[string]Quant
	bench  *Benchmarks
}

var (
	loadOnce   sync.Once
	loaded     testCatalog
	loadFailed error
)

func load(tb testing.TB) testCatalog {
	tb.Helper()
	loadOnce.Do(func() {
		file, err := localcatalog.Load(localcatalog.Dir())
		if err != nil {
			loadFailed = err
			return
		}
		c := testCatalog{file: file, models: map[string]Model{}, gpus: map[string]GPU{}, quants: map[string]Quant{}}
		for _, m := range file.OpenModels {
			mm, err := NewModel(m)
			if err != nil {
				loadFailed = err
				return
			}
			c.models[mm.ID] = mm
		}
		for _, g := range file.GPUs {
			gg, err := NewGPU(g)
			if err != nil {
				loadFailed = err
				return
			}
			c.gpus[gg.ID] = gg
		}
		for _, q := range file.Quantizations {
			qq, err := NewQuant(q)
			if err != nil {
				loadFailed = err
				return
			}
			c.quants[qq.ID] = qq
		}
		c.bench, loadFailed = NewBenchmarks(file.Benchmarks, func(id string) (Model, bool) { m, ok := c.models[id]; return m, ok })
		loaded = c
	})
	if loadFailed != nil {
		tb.Fatal(loadFailed)
	}
	return loaded
}

func (c testCatalog) model(tb testing.TB, id string) Model {
	tb.Helper()
	m, ok := c.models[id]
	if !ok {
		tb.Fatalf("no open model %s in data/local", id)
	}
	return m
}

func (c testCatalog) gpu(tb testing.TB, id string) GPU {
	tb.Helper()
	g, ok := c.gpus[id]
	if !ok {
		tb.Fatalf("no gpu %s in data/local", id)
	}
	return g
}

func (c testCatalog) quant(tb testing.TB, id string) Quant {
	tb.Helper()
	q, ok := c.quants[id]
	if !ok {
		tb.Fatalf("no quantization %s in data/local", id)
	}
	return q
}
