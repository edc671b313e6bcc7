package catalog

import (
	"sort"
	"strings"
)

// suggest returns up to three ids whose id or alias is close to name.
func suggest(name string, aliases map[string]string, ids []string) []string {
	q := strings.ToLower(strings.TrimSpace(name))
	type cand struct {
		id   string
		dist int
	}
	best := map[string]int{}
	for alias, id := range aliases {
		d := levenshtein(q, alias)
		if strings.Contains(alias, q) && len(q) >= 3 {
			d = min(d, 1+(len(alias)-len(q))/4)
		}
		if cur, ok := best[id]; !ok || d < cur {
			best[id] = d
		}
	}
	limit := max(2, len(q)/3)
	var cs []cand
	for id, d := range best {
		if d <= limit {
			cs = append(cs, cand{id, d})
		}
	}
	sort.Slice(cs, func(a, b int) bool {
		if cs[a].dist != cs[b].dist {
			return cs[a].dist < cs[b].dist
		}
		return cs[a].id < cs[b].id
	})
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].id)
	}
	return out
}

// EditDistance is the Levenshtein distance between a and b, in runes; the
// CLI and budget files use it for "did you mean …?".
func EditDistance(a, b string) int { return levenshtein(a, b) }

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
