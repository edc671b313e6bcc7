package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// MappingsFromModels turns every alias of the given models into a mapping
// to the model's id, so imported entries named like one of our aliases land
// on our id instead of clashing with it.
func MappingsFromModels(models []CloudModel) []Mapping {
	var out []Mapping
	for _, m := range models {
		for _, a := range m.Aliases {
			out = append(out, Mapping{From: a, To: m.ID.V, Source: "catalog alias"})
		}
	}
	return out
}

// NormaliseID makes a catalog id from a foreign model name: provider
// prefixes ("openai/", "vertex_ai/") stripped, lowercase, and any character
// other than a-z, 0-9, '.' and '-' turned into '-'.
func NormaliseID(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	lastDash := false
	for _, r := range strings.ToLower(name) {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '.'
		switch {
		case ok:
			b.WriteRune(r)
			lastDash = false
		case !lastDash:
			b.WriteByte('-')
			lastDash = true
		}
	}
	id := strings.Trim(b.String(), "-.")
	if id == "" {
		return "model"
	}
	return id
}

// mappingIndex looks up mappings case-insensitively, then by the name with
// its provider prefix stripped, then by its normalised form (so
// "vertex_ai/claude-sonnet-4-5@20250929" finds claude-sonnet-4-5-20250929).
type mappingIndex map[string]mappingTarget

type mappingTarget struct {
	to   string
	rank int // position in the table: the earlier mapping names the canonical key
}

func newMappingIndex(ms []Mapping) mappingIndex {
	idx := mappingIndex{}
	for i, m := range ms {
		for _, k := range []string{strings.ToLower(m.From), "\x00" + NormaliseID(m.From)} {
			if _, dup := idx[k]; !dup { // the first mapping for a name wins
				idx[k] = mappingTarget{m.To, i}
			}
		}
	}
	return idx
}

func (idx mappingIndex) lookup(name string) (mappingTarget, bool) {
	if t, ok := idx[strings.ToLower(name)]; ok {
		return t, true
	}
	if i := strings.LastIndex(name, "/"); i >= 0 {
		if t, ok := idx[strings.ToLower(name[i+1:])]; ok {
			return t, true
		}
	}
	if t, ok := idx["\x00"+NormaliseID(name)]; ok {
		return t, true
	}
	return mappingTarget{}, false
}

type idCandidate struct {
	key    string
	model  CloudModel
	mapped bool // id came from a mapping, not normalisation
	rank   int  // the mapping's position in the table
}

// assignIDs gives every candidate a unique id. Candidates that land on the
// same id are resolved deterministically: the one whose own name is the id
// (then a mapped one, the one mapped first in the table, one without a
// provider prefix, a first-party provider's, the shortest name, then
// alphabetical) keeps it;
// another with the same prices, context and dates becomes its alias; any
// other is renamed to its normalised name (plus provider, then a number).
func assignIDs(cands []idCandidate, mappings []Mapping) ([]CloudModel, []Skipped) {
	idx := newMappingIndex(mappings)
	groups := map[string][]idCandidate{}
	for _, c := range cands {
		t, ok := idx.lookup(c.key)
		id := t.to
		if !ok {
			id = NormaliseID(c.key)
		}
		c.mapped, c.rank = ok, t.rank
		groups[id] = append(groups[id], c)
	}
	ids := make([]string, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	var recs []Skipped
	taken := map[string]bool{}
	for _, id := range ids {
		taken[id] = true
	}
	var out []CloudModel
	type rename struct {
		c   idCandidate
		rec int // index of its collision record
	}
	var renamed []rename
	for _, id := range ids {
		g := groups[id]
		sort.Slice(g, func(i, j int) bool { return candidateLess(id, g[i], g[j]) })
		win := g[0].model
		win.ID = Ident{V: id}
		if g[0].key != id {
			win.Aliases = append(win.Aliases, g[0].key)
		}
		for _, c := range g[1:] {
			if sameImportedTerms(win, c.model) {
				win.Aliases = append(win.Aliases, c.key)
				recs = append(recs, Skipped{Key: c.key, Code: SkipMerged, Imported: true,
					Reason: fmt.Sprintf("same prices, context and dates as %s; kept as an alias of %s", g[0].key, id)})
				continue
			}
			renamed = append(renamed, rename{c, len(recs)})
			recs = append(recs, Skipped{Key: c.key, Code: SkipCollision, Imported: true,
				Reason: fmt.Sprintf("maps to %s like %s but its %s differs; imported under its own id", id, g[0].key, termsDifference(win, c.model))})
		}
		out = append(out, win)
	}
	for _, rn := range renamed {
		c := rn.c
		id := NormaliseID(c.key)
		if taken[id] {
			id = id + "-" + NormaliseID(c.model.Provider)
		}
		for n := 2; taken[id]; n++ {
			id = fmt.Sprintf("%s-%d", NormaliseID(c.key), n)
		}
		taken[id] = true
		m := c.model
		m.ID = Ident{V: id}
		if c.key != id {
			m.Aliases = append(m.Aliases, c.key)
		}
		recs[rn.rec].Reason += " (" + id + ")"
		out = append(out, m)
	}

	// An alias must not name another model.
	owner := map[string]string{}
	for _, m := range out {
		owner[strings.ToLower(m.ID.V)] = m.ID.V
	}
	for i := range out {
		kept := out[i].Aliases[:0]
		for _, a := range out[i].Aliases {
			la := strings.ToLower(a)
			if o, clash := owner[la]; clash && o != out[i].ID.V {
				recs = append(recs, Skipped{Key: a, Code: SkipCollision, Imported: true,
					Reason: fmt.Sprintf("alias of %s dropped: it names %s", out[i].ID.V, o)})
				continue
			}
			owner[la] = out[i].ID.V
			kept = append(kept, a)
		}
		out[i].Aliases = kept
		if len(kept) == 0 {
			out[i].Aliases = nil
		}
		sort.Strings(out[i].Aliases)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID.V < out[j].ID.V })
	return out, recs
}

// firstParty are providers that sell their own models; on a tie their
// entry beats a reseller's (azure, bedrock, openrouter...).
var firstParty = map[string]bool{
	"openai": true, "anthropic": true, "google": true, "xai": true, "deepseek": true,
	"mistral": true, "cohere": true, "moonshot": true, "zhipu": true, "minimax": true,
}

func candidateLess(id string, a, b idCandidate) bool {
	an, bn := NormaliseID(a.key) == id, NormaliseID(b.key) == id
	if an != bn {
		return an
	}
	if a.mapped != b.mapped {
		return a.mapped
	}
	if a.mapped && a.rank != b.rank {
		return a.rank < b.rank
	}
	ab, bb := !strings.Contains(a.key, "/"), !strings.Contains(b.key, "/")
	if ab != bb {
		return ab
	}
	af, bf := firstParty[a.model.Provider], firstParty[b.model.Provider]
	if af != bf {
		return af
	}
	if len(a.key) != len(b.key) {
		return len(a.key) < len(b.key)
	}
	return a.key < b.key
}

// sameImportedTerms reports whether two imported models would price and
// limit requests identically.
func sameImportedTerms(a, b CloudModel) bool {
	if !numEqual(a.ContextWindow, b.ContextWindow) || !numEqual(a.MaxOutput, b.MaxOutput) ||
		!a.Deprecated.Equal(b.Deprecated.Time) || a.Provider != b.Provider || len(a.Prices) != len(b.Prices) {
		return false
	}
	for i := range a.Prices {
		pa, pb := a.Prices[i], b.Prices[i]
		if !ratesEqual(pa.Rates, pb.Rates) || !numEqual(pa.BatchMultiplier, pb.BatchMultiplier) || len(pa.Tiers) != len(pb.Tiers) {
			return false
		}
		for j := range pa.Tiers {
			if !numEqual(pa.Tiers[j].AboveTokens, pb.Tiers[j].AboveTokens) || !ratesEqual(pa.Tiers[j].Rates, pb.Tiers[j].Rates) {
				return false
			}
		}
	}
	return true
}

// termsDifference names what sameImportedTerms found different.
func termsDifference(a, b CloudModel) string {
	switch {
	case a.Provider != b.Provider:
		return "provider"
	case !numEqual(a.ContextWindow, b.ContextWindow):
		return "context window"
	case !numEqual(a.MaxOutput, b.MaxOutput):
		return "max output"
	case !a.Deprecated.Equal(b.Deprecated.Time):
		return "deprecation date"
	}
	return "pricing"
}

func numEqual(a, b Num) bool {
	return a.Set == b.Set && (!a.Set || a.D.Equal(b.D))
}

func ratesEqual(a, b Rates) bool {
	return numEqual(a.Input, b.Input) && numEqual(a.Output, b.Output) && numEqual(a.CachedInput, b.CachedInput) &&
		numEqual(a.CacheWrite5m, b.CacheWrite5m) && numEqual(a.CacheWrite1h, b.CacheWrite1h) && numEqual(a.Reasoning, b.Reasoning)
}
