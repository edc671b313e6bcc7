package catalog

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Catalog is the merged, validated catalog.
type Catalog struct {
	cloud    map[string]*CloudModel
	open     map[string]*OpenModel
	quants   map[string]*Quantization
	gpus     map[string]*GPU
	aliases  map[string]string // lower-case alias or id -> cloud id
	oaliases map[string]string // lower-case alias or id -> open model id
	galiases map[string]string // lower-case alias or id -> GPU id

	Benchmarks []Benchmark
	Defaults   Defaults
	Mappings   []Mapping
}

func newCatalog() *Catalog {
	return &Catalog{
		cloud:  map[string]*CloudModel{},
		open:   map[string]*OpenModel{},
		quants: map[string]*Quantization{},
		gpus:   map[string]*GPU{},
	}
}

// merge adds a file's entries; an entry replaces an earlier one with the
// same id (user catalogs override the embedded one).
func (c *Catalog) merge(pf parsedFile, origin string) {
	// The entries are pointers into pf's slices: every Load decodes (or
	// builds) its files afresh, so nothing else holds them.
	for i := range pf.f.Models {
		m := &pf.f.Models[i]
		m.Origin = origin
		c.cloud[m.ID.V] = m
	}
	for i := range pf.f.OpenModels {
		c.open[pf.f.OpenModels[i].ID.V] = &pf.f.OpenModels[i]
	}
	for i := range pf.f.Quantizations {
		c.quants[pf.f.Quantizations[i].ID.V] = &pf.f.Quantizations[i]
	}
	for i := range pf.f.GPUs {
		c.gpus[pf.f.GPUs[i].ID.V] = &pf.f.GPUs[i]
	}
	c.Benchmarks = append(c.Benchmarks, pf.f.Benchmarks...)
	c.Mappings = append(c.Mappings, pf.f.Mappings...)
	if d := pf.f.Defaults; d != nil {
		mergeDefaults(&c.Defaults, d)
	}
}

func mergeDefaults(dst *Defaults, src *Defaults) {
	if src.KWhPriceUSD.Set {
		dst.KWhPriceUSD = src.KWhPriceUSD
		dst.KWhSource = src.KWhSource
	}
	if src.AmortizationMonths.Set {
		dst.AmortizationMonths = src.AmortizationMonths
	}
	if src.HoursPerMonth.Set {
		dst.HoursPerMonth = src.HoursPerMonth
	}
	if src.PUE.Set {
		dst.PUE = src.PUE
	}
	if src.ComparisonSet != nil {
		dst.ComparisonSet, dst.ComparisonSetFile = src.ComparisonSet, src.ComparisonSetFile
	}
	if src.LocalComparisonSet != nil {
		dst.LocalComparisonSet, dst.LocalComparisonSetFile = src.LocalComparisonSet, src.LocalComparisonSetFile
	}
	if src.Source != "" {
		dst.Source = src.Source
	}
}

// index builds the alias tables and reports clashes.
func (c *Catalog) index(is *issues) {
	// Sized for the ids and their aliases: the maps never grow (and
	// rehash) while the catalog loads.
	n := len(c.cloud)
	for _, m := range c.cloud {
		n += len(m.Aliases)
	}
	c.aliases = make(map[string]string, n)
	n = len(c.open)
	for _, m := range c.open {
		n += len(m.Aliases)
	}
	c.oaliases = make(map[string]string, n)
	n = len(c.gpus)
	for _, g := range c.gpus {
		n += len(g.Aliases)
	}
	c.galiases = make(map[string]string, n)
	cloudIDs := c.CloudIDs()
	for _, id := range cloudIDs {
		m := c.cloud[id]
		addAlias(is, c.aliases, id, id, m.File, m.ID.Line)
	}
	for _, id := range cloudIDs {
		m := c.cloud[id]
		for _, a := range m.Aliases {
			addAlias(is, c.aliases, a, id, m.File, m.ID.Line)
		}
	}
	for _, id := range sortedKeys(c.open) {
		m := c.open[id]
		addAlias(is, c.oaliases, id, id, m.File, m.ID.Line)
		for _, a := range m.Aliases {
			addAlias(is, c.oaliases, a, id, m.File, m.ID.Line)
		}
	}
	for _, id := range sortedKeys(c.gpus) {
		g := c.gpus[id]
		addAlias(is, c.galiases, id, id, g.File, g.ID.Line)
		for _, a := range g.Aliases {
			addAlias(is, c.galiases, a, id, g.File, g.ID.Line)
		}
	}
}

func addAlias(is *issues, m map[string]string, alias, id, file string, line int) {
	k := strings.ToLower(strings.TrimSpace(alias))
	if prev, ok := m[k]; ok && prev != id {
		is.Add(file, line, "aliases", "%q already names %s", alias, prev)
		return
	}
	m[k] = id
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CloudIDs lists cloud model ids, sorted.
func (c *Catalog) CloudIDs() []string { return sortedKeys(c.cloud) }

// OpenModelIDs lists open model ids, sorted.
func (c *Catalog) OpenModelIDs() []string { return sortedKeys(c.open) }

// GPUIDs lists GPU ids, sorted.
func (c *Catalog) GPUIDs() []string { return sortedKeys(c.gpus) }

// QuantIDs lists quantization ids, sorted.
func (c *Catalog) QuantIDs() []string { return sortedKeys(c.quants) }

// CloudModels returns every cloud model, sorted by id.
func (c *Catalog) CloudModels() []*CloudModel {
	out := make([]*CloudModel, 0, len(c.cloud))
	for _, id := range c.CloudIDs() {
		out = append(out, c.cloud[id])
	}
	return out
}

// Cloud finds a cloud model by id or alias (case-insensitive).
func (c *Catalog) Cloud(name string) (*CloudModel, error) {
	if id, ok := c.aliases[strings.ToLower(strings.TrimSpace(name))]; ok {
		return c.cloud[id], nil
	}
	return nil, &UnknownError{Kind: "model", Name: name, Suggestions: suggest(name, c.aliases, c.CloudIDs())}
}

// Open finds an open model by id or alias.
func (c *Catalog) Open(name string) (*OpenModel, error) {
	if id, ok := c.oaliases[strings.ToLower(strings.TrimSpace(name))]; ok {
		return c.open[id], nil
	}
	return nil, &UnknownError{Kind: "open model", Name: name, Suggestions: suggest(name, c.oaliases, c.OpenModelIDs())}
}

// GPU finds a GPU by id or alias.
func (c *Catalog) GPU(name string) (*GPU, error) {
	if id, ok := c.galiases[strings.ToLower(strings.TrimSpace(name))]; ok {
		return c.gpus[id], nil
	}
	return nil, &UnknownError{Kind: "GPU", Name: name, Suggestions: suggest(name, c.galiases, c.GPUIDs())}
}

// Quant finds a quantization by id.
func (c *Catalog) Quant(name string) (*Quantization, error) {
	if q, ok := c.quants[strings.ToLower(strings.TrimSpace(name))]; ok {
		return q, nil
	}
	m := map[string]string{}
	for id := range c.quants {
		m[id] = id
	}
	return nil, &UnknownError{Kind: "quantization", Name: name, Suggestions: suggest(name, m, c.QuantIDs())}
}

// PriceAt returns the price in force on day t.
func (m *CloudModel) PriceAt(t time.Time) (*Price, error) {
	day := t.UTC().Truncate(24 * time.Hour)
	for i := len(m.Prices) - 1; i >= 0; i-- {
		p := &m.Prices[i]
		if p.EffectiveFrom.After(day) {
			continue
		}
		if !p.EffectiveUntil.IsZero() && !day.Before(p.EffectiveUntil.Time) {
			return nil, &PriceError{Msg: fmt.Sprintf("%s has no price on %s: the price from %s ended on %s", m.ID.V, day.Format(time.DateOnly), p.EffectiveFrom, p.EffectiveUntil)}
		}
		return p, nil
	}
	if len(m.Prices) == 0 {
		return nil, &PriceError{Msg: fmt.Sprintf("%s has no prices in the catalog", m.ID.V)}
	}
	return nil, &PriceError{Msg: fmt.Sprintf("%s has no price on %s: its first known price starts %s", m.ID.V, day.Format(time.DateOnly), m.Prices[0].EffectiveFrom)}
}

// NextChange returns the first price that takes effect after day t, if any.
func (m *CloudModel) NextChange(t time.Time) *Price {
	day := t.UTC().Truncate(24 * time.Hour)
	for i := range m.Prices {
		if m.Prices[i].EffectiveFrom.After(day) {
			return &m.Prices[i]
		}
	}
	return nil
}

// Status says whether the model is deprecated or retired on day t.
func (m *CloudModel) Status(t time.Time) string {
	switch {
	case !m.Retired.IsZero() && !t.Before(m.Retired.Time):
		return "retired"
	case !m.Deprecated.IsZero() && !t.Before(m.Deprecated.Time):
		return "deprecated"
	}
	return ""
}
