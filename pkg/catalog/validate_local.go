package catalog

import (
	"reflect"
	"slices"

	"github.com/llmcost/llmcost/pkg/fileissue"
)

// Checks of the fields only the local-inference maths (pkg/hardware) reads.

var memoryTypes = []string{"gddr", "hbm", "unified"}

func validateOpenLocal(is *issues, file string, m *OpenModel) {
	l := m.ID.Line
	positive(is, file, l, "sliding_window", m.SlidingWindow, false)
	positive(is, file, l, "sliding_layers", m.SlidingLayers, false)
	positive(is, file, l, "kv_latent_dim", m.KVLatentDim, false)
	if m.SlidingLayers.Set && !m.SlidingWindow.Set {
		is.Add(file, m.SlidingLayers.Line, "sliding_layers", "needs sliding_window (how many tokens those layers keep)")
	}
	checkFieldNames(is, file, l, "unverified_fields", m.UnverifiedFields, reflect.TypeFor[OpenModel]())
}

func validateGPULocal(is *issues, file string, g *GPU) {
	l := g.ID.Line
	if g.Memory != "" && !slices.Contains(memoryTypes, g.Memory) {
		is.Add(file, l, "memory", "%q is not one of gddr, hbm, unified", g.Memory)
	}
	checkFieldNames(is, file, l, "unverified_fields", g.UnverifiedFields, reflect.TypeFor[GPU]())
}

// checkFieldNames makes sure a list names real keys of the entry, so a typo
// cannot silently drop an "unverified" mark.
func checkFieldNames(is *issues, file string, l int, field string, names []string, t reflect.Type) {
	keys := fileissue.YAMLKeys(t)
	for _, n := range names {
		if !slices.Contains(keys, n) {
			is.Add(file, l, field, "%q is not a field of this entry", n)
		}
	}
}
