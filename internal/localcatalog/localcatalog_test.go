package localcatalog

import "testing"

func TestLoadLocalData(t *testing.T) {
	f, err := Load(Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.OpenModels) < 30 || len(f.GPUs) < 25 || len(f.Quantizations) < 5 || len(f.Benchmarks) < 30 || f.Defaults == nil {
		t.Fatalf("sections too small: %d models, %d gpus, %d quants, %d benchmarks", len(f.OpenModels), len(f.GPUs), len(f.Quantizations), len(f.Benchmarks))
	}
	models := map[string]bool{}
	for _, m := range f.OpenModels {
		if models[m.ID.V] {
			t.Errorf("duplicate model %s", m.ID.V)
		}
		models[m.ID.V] = true
		if m.Source == "" || m.Verified.IsZero() {
			t.Errorf("model %s: missing source or verified", m.ID.V)
		}
	}
	gpus := map[string]bool{}
	for _, g := range f.GPUs {
		if gpus[g.ID.V] {
			t.Errorf("duplicate gpu %s", g.ID.V)
		}
		gpus[g.ID.V] = true
		if g.Source == "" || g.Verified.IsZero() || !g.VRAMGB.Set || !g.BandwidthGBs.Set {
			t.Errorf("gpu %s: missing source, verified, vram or bandwidth", g.ID.V)
		}
		for _, r := range g.Rentals {
			if r.Source == "" || r.Date.IsZero() || !r.USDPerHour.Set {
				t.Errorf("gpu %s rental %s: missing source, date or price", g.ID.V, r.Provider)
			}
		}
	}
	quants := map[string]bool{}
	for _, q := range f.Quantizations {
		quants[q.ID.V] = true
	}
	for _, b := range f.Benchmarks {
		if !models[b.Model] || !gpus[b.GPU] || !quants[b.Quant] {
			t.Errorf("benchmark %s@%s:%s names an unknown model, gpu or quant", b.Model, b.GPU, b.Quant)
		}
	}
	for _, id := range f.Defaults.LocalComparisonSet {
		if !models[id] {
			t.Errorf("local_comparison_set: unknown model %s", id)
		}
	}
	for _, m := range f.OpenModels {
		if m.DefaultQuant != "" && !quants[m.DefaultQuant] {
			t.Errorf("model %s default_quant %s unknown", m.ID.V, m.DefaultQuant)
		}
	}
}
