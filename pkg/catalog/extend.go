package catalog

import (
	"fmt"
	"maps"
	"strings"
)

// WithGPUs returns a copy of the catalog with extra GPU entries (e.g. one
// derived for a detected machine whose memory differs from the catalog's
// configuration). The receiver is not changed. An id or alias that already
// names another GPU is an error.
func (c *Catalog) WithGPUs(gs ...GPU) (*Catalog, error) {
	out := *c
	out.gpus = maps.Clone(c.gpus)
	out.galiases = maps.Clone(c.galiases)
	for i := range gs {
		g := gs[i]
		for _, name := range append([]string{g.ID.V}, g.Aliases...) {
			k := strings.ToLower(strings.TrimSpace(name))
			if prev, ok := out.galiases[k]; ok && prev != g.ID.V {
				return nil, fmt.Errorf("GPU %s: %q already names %s", g.ID.V, name, prev)
			}
			out.galiases[k] = g.ID.V
		}
		out.gpus[g.ID.V] = &g
	}
	return &out, nil
}
