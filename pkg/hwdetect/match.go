package hwdetect

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/shopspring/decimal"
)

// Match is a device and the catalog GPU it maps to, if any.
type Match struct {
	Device Device
	// GPU is the catalog GPU id, "" when the device is not in the catalog.
	// For an Apple machine with less memory than the catalog entry (which
	// is the largest configuration) it is a derived id such as m2-max-64gb,
	// and Derived is that entry: the catalog one with this machine's memory.
	GPU     string
	Derived *catalog.GPU
	Base    string // the catalog id Derived copies
	// BandwidthGBs is the catalog's memory bandwidth; 0 when not in the
	// catalog (it is never guessed).
	BandwidthGBs float64
	// Usable says --gpu auto can price it: in the catalog and not
	// partitioned into MIG instances.
	Usable bool
	Note   string
}

// vramTolerance: drivers report a little less than the label (an RTX 4090
// "24 GB" is 24,564 MiB; an L40S "48 GB" 46,068 MiB; an A10G 22,888 MiB),
// a card with another memory size is another product.
const vramLow, vramHigh = 0.90, 1.03

// rule names the catalog ids a reported name may be (tried in order, the
// first whose VRAM fits wins) by a regexp over the normalized name.
type rule struct {
	re   *regexp.Regexp
	not  *regexp.Regexp // names that look alike but are other products
	ids  []string
	host bool // matches the host processor's name (a unified-memory APU), not a GPU's
}

var rules = sync.OnceValue(func() []rule {
	r := func(re, not string, host bool, ids ...string) rule {
		x := rule{re: regexp.MustCompile(re), ids: ids, host: host}
		if not != "" {
			x.not = regexp.MustCompile(not)
		}
		return x
	}
	return []rule{
		// NVIDIA consumer. Ti, SUPER and D variants have other bandwidths.
		r(`\brtx 3060\b`, `\bti\b`, false, "rtx-3060-12gb"),
		r(`\brtx 3090\b`, `\bti\b`, false, "rtx-3090"),
		r(`\brtx 4060 ti\b`, `\bsuper\b`, false, "rtx-4060-ti-16gb"),
		r(`\brtx 4060\b`, `\bti\b`, false, "rtx-4060"),
		r(`\brtx 4070 ti\b`, `\bsuper\b`, false, "rtx-4070-ti"),
		r(`\brtx 4070\b`, `\bti\b|\bsuper\b`, false, "rtx-4070"),
		r(`\brtx 4080\b`, `\bsuper\b`, false, "rtx-4080"),
		r(`\brtx 4090\b`, `\b4090 d\b|\blaptop\b`, false, "rtx-4090"),
		r(`\brtx 5090\b`, `\blaptop\b`, false, "rtx-5090"),
		// NVIDIA datacenter.
		r(`\ba10g\b`, "", false, "a10g"),
		r(`\ba10\b`, "", false, "a10"),
		r(`\bl40s\b`, "", false, "l40s"),
		r(`\bl4\b`, "", false, "l4"),
		r(`\ba100\b.*\bpcie\b|\bpcie\b.*\ba100\b`, "", false, "a100-80gb-pcie", "a100-40gb"),
		r(`\ba100\b`, "", false, "a100-80gb", "a100-40gb"),
		r(`\bh100\b.*\bpcie\b`, "", false, "h100-pcie"),
		r(`\bh100\b`, `\bnvl\b`, false, "h100-sxm"),
		r(`\bh200\b`, `\bnvl\b`, false, "h200"),
		r(`\bgb10\b`, "", false, "dgx-spark"),
		// AMD.
		r(`\bmi300x\b`, "", false, "mi300x"),
		r(`\bryzen ai max\+? ?395\b`, "", true, "ryzen-ai-max-395"),
	}
})

var (
	appleRe      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^apple (m[1-9])(?: (pro|max|ultra))?$`) })
	sizeSuffixRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`-\d+gb$`) })
	coresRe      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b(\d+)-core GPU\b`) })
	nonWordRe    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9+]+`) })
	vendorWords  = strings.NewReplacer("nvidia ", "", "geforce ", "", "tesla ", "", "amd ", "", "radeon ", "", "instinct ", "")
)

// normalize lower-cases a name and turns punctuation into spaces:
// "NVIDIA A100-SXM4-80GB" → "nvidia a100 sxm4 80gb".
func normalize(s string) string {
	return strings.TrimSpace(nonWordRe().ReplaceAllString(strings.ToLower(s), " "))
}

// MatchAll maps every device to the catalog.
func MatchAll(r *Report, cat *catalog.Catalog) []Match {
	out := make([]Match, 0, len(r.Devices))
	for _, d := range r.Devices {
		out = append(out, MatchDevice(d, cat))
	}
	migOf := map[int]int{} // nvidia-smi index -> MIG instances listed
	for _, d := range r.Devices {
		if d.Kind == KindMIG {
			migOf[d.ParentIndex]++
		}
	}
	for i := range out {
		m := &out[i]
		if m.Device.MIGEnabled {
			m.Usable = false
			n := migOf[m.Device.Index]
			m.Note = joinNote(fmt.Sprintf("MIG enabled (%d instance(s) listed): the whole GPU is not available", n), m.Note)
		}
	}
	return out
}

// MatchDevice maps one device: first by its reported name being a catalog
// GPU's id or alias (a user catalog can add the name nvidia-smi prints),
// then by the known product names, checked against the catalog's VRAM.
func MatchDevice(d Device, cat *catalog.Catalog) Match {
	m := Match{Device: d}
	if d.Kind == KindMIG {
		m.Note = fmt.Sprintf("not in the catalog: VRAM %s GiB (a %s slice of %s), bandwidth unknown", gibText(d.MemoryBytes), d.MIGProfile, d.Parent)
		return m
	}
	if g, err := cat.GPU(d.Name); err == nil {
		return accept(m, g, "")
	}
	norm := normalize(d.Name)
	if am := appleRe().FindStringSubmatch(norm); am != nil && (d.Kind == KindUnified || d.Vendor == "apple") {
		return matchApple(m, am[1], am[2], cat)
	}
	short := vendorWords.Replace(norm + " ")
	for _, r := range rules() {
		if r.host != (d.Kind == KindCPU) || !r.re.MatchString(short) && !r.re.MatchString(norm) {
			continue
		}
		if r.not != nil && (r.not.MatchString(short) || r.not.MatchString(norm)) {
			continue
		}
		var tried []string
		for _, id := range r.ids {
			g, err := cat.GPU(id)
			if err != nil {
				continue
			}
			if d.Kind == KindCPU || d.Kind == KindUnified {
				// The catalog's figure is the memory the GPU may use, not the
				// machine's total that the host reports.
				return accept(m, g, fmt.Sprintf("unified memory: sized as the catalog's %s GB for the GPU", g.VRAMGB.D))
			}
			if d.MemoryBytes == 0 {
				return accept(m, g, fmt.Sprintf("memory not reported; the catalog's %s has %s GiB", g.ID.V, g.VRAMGB.D))
			}
			ratio := float64(d.MemoryBytes) / (num(g.VRAMGB) * GiB)
			if ratio >= vramLow && ratio <= vramHigh {
				return accept(m, g, "")
			}
			tried = append(tried, fmt.Sprintf("%s has %s GiB", g.ID.V, g.VRAMGB.D))
		}
		if len(tried) > 0 {
			m.Note = fmt.Sprintf("not in the catalog: VRAM %s GiB, bandwidth unknown (the catalog's %s)", gibText(d.MemoryBytes), strings.Join(tried, ", "))
			return m
		}
	}
	m.Note = notInCatalog(d)
	return m
}

func notInCatalog(d Device) string {
	what := "VRAM"
	if d.Kind == KindCPU || d.Kind == KindUnified {
		what = "memory"
	}
	if d.MemoryBytes == 0 {
		return fmt.Sprintf("not in the catalog: %s not reported, bandwidth unknown", what)
	}
	return fmt.Sprintf("not in the catalog: %s %s GiB, bandwidth unknown", what, gibText(d.MemoryBytes))
}

func accept(m Match, g *catalog.GPU, note string) Match {
	m.GPU, m.BandwidthGBs, m.Usable = g.ID.V, num(g.BandwidthGBs), true
	m.Note = note
	return m
}

// matchApple maps Apple silicon by chip and tier. The catalog holds one
// configuration per chip (its largest memory, one GPU core count); a chip
// with another core count can have another bandwidth (an M3 Max with 30
// GPU cores has less than the 40-core one), so it is not mapped. Less
// memory than the catalog entry gets a derived entry with this machine's
// memory, as the fit depends on it.
func matchApple(m Match, chip, tier string, cat *catalog.Catalog) Match {
	d := m.Device
	id := chip
	if tier != "" {
		id += "-" + tier
	}
	g, err := cat.GPU(id)
	if err != nil {
		m.Note = notInCatalog(d)
		return m
	}
	if cm := coresRe().FindStringSubmatch(g.Name); cm != nil && d.GPUCores > 0 {
		if want, _ := strconv.Atoi(cm[1]); want != d.GPUCores {
			m.Note = fmt.Sprintf("not in the catalog: memory %s GiB, bandwidth unknown (a %d-core GPU; the catalog's %s is the %d-core)", gibText(d.MemoryBytes), d.GPUCores, g.ID.V, want)
			return m
		}
	}
	m = accept(m, g, "")
	if d.MemoryBytes == 0 {
		m.Note = fmt.Sprintf("memory not reported; the catalog's %s is the %s GB configuration", g.ID.V, g.VRAMGB.D)
		return m
	}
	catBytes := num(g.VRAMGB) * GiB
	if r := float64(d.MemoryBytes) / catBytes; r > 0.98 && r < 1.02 {
		return m
	}
	gb := int64(float64(d.MemoryBytes)/GiB + 0.5)
	derived := *g
	// m2-ultra-192gb with 128 GB is m2-ultra-128gb.
	derived.ID = catalog.Ident{V: fmt.Sprintf("%s-%dgb", sizeSuffixRe().ReplaceAllString(g.ID.V, ""), gb)}
	if other, err := cat.GPU(derived.ID.V); err == nil && other.ID.V != g.ID.V {
		derived.ID.V += "-detected"
	}
	derived.Aliases = nil
	// The memory is this machine's, measured, not the catalog's recalled figure.
	derived.UnverifiedFields = nil
	for _, f := range g.UnverifiedFields {
		if f != "vram_gb" {
			derived.UnverifiedFields = append(derived.UnverifiedFields, f)
		}
	}
	label := g.VRAMGB.D.String() + " GB"
	if strings.Contains(g.Name, label) {
		derived.Name = strings.Replace(g.Name, label, fmt.Sprintf("%d GB, detected", gb), 1)
	} else {
		derived.Name = fmt.Sprintf("%s, %d GB (detected)", g.Name, gb)
	}
	derived.VRAMGB = catalog.Num{D: decimal.NewFromInt(gb), Set: true}
	// The price is of the catalog's configuration, not this one.
	derived.PriceUSD, derived.PriceSource, derived.Rentals = catalog.Num{}, "", nil
	derived.Source = fmt.Sprintf("detected on this machine; bandwidth and power from the catalog's %s", g.ID.V)
	derived.Notes = fmt.Sprintf("The catalog's %s is the %s GB configuration; this machine has %d GB.", g.ID.V, g.VRAMGB.D, gb)
	m.GPU, m.Derived, m.Base = derived.ID.V, &derived, g.ID.V
	m.Note = fmt.Sprintf("the catalog's %s with this machine's %d GB (the catalog entry is the %s GB configuration; no purchase price)", g.ID.V, gb, g.VRAMGB.D)
	return m
}

func num(n catalog.Num) float64 {
	if !n.Set {
		return 0
	}
	return n.D.InexactFloat64()
}

func gibText(b int64) string {
	v := float64(b) / GiB
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func joinNote(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// Group is a number of identical usable devices.
type Group struct {
	GPU     string
	Count   int
	Derived *catalog.GPU
	Base    string // the catalog id Derived copies
	Names   []string
}

func (g Group) String() string {
	if g.Count == 1 {
		return g.GPU
	}
	return fmt.Sprintf("%sx%d", g.GPU, g.Count)
}

// Groups collects the usable matches by catalog GPU, in the order found.
func Groups(ms []Match) []Group {
	var out []Group
	at := map[string]int{}
	for _, m := range ms {
		if !m.Usable {
			continue
		}
		i, ok := at[m.GPU]
		if !ok {
			i = len(out)
			at[m.GPU] = i
			out = append(out, Group{GPU: m.GPU, Derived: m.Derived, Base: m.Base})
		}
		out[i].Count++
		out[i].Names = append(out[i].Names, m.Device.Name)
	}
	return out
}

// Primary is the group with the most memory in all (count x catalog VRAM),
// the one a single MODEL@auto placement runs on; of equal ones the first.
func Primary(gs []Group, cat *catalog.Catalog) (Group, bool) {
	best, bestMem := -1, -1.0
	for i, g := range gs {
		mem := 0.0
		if g.Derived != nil {
			mem = num(g.Derived.VRAMGB)
		} else if cg, err := cat.GPU(g.GPU); err == nil {
			mem = num(cg.VRAMGB)
		}
		if total := mem * float64(g.Count); total > bestMem {
			best, bestMem = i, total
		}
	}
	if best < 0 {
		return Group{}, false
	}
	return gs[best], true
}

// NothingUsableError says --gpu auto found nothing the catalog can price,
// naming what was found and each tool that was missing or failed.
type NothingUsableError struct {
	Matches  []Match
	Problems []Probe
}

// Unanswered lists the probes that found nothing: missing tools, failures
// and unreadable output.
func (r *Report) Unanswered() []Probe {
	var out []Probe
	for _, p := range r.Probes {
		if p.Status != StatusOK {
			out = append(out, p)
		}
	}
	return out
}

func (e *NothingUsableError) Error() string {
	var b strings.Builder
	b.WriteString("no GPU in the catalog was detected")
	if len(e.Matches) == 0 {
		b.WriteString("; nothing was found")
	} else {
		b.WriteString("; found:")
		for _, m := range e.Matches {
			fmt.Fprintf(&b, "\n  %s [%s]: %s", m.Device.Label(), m.Device.Source, m.Note)
		}
	}
	for _, p := range e.Problems {
		if p.Detail == "" {
			fmt.Fprintf(&b, "\n  %s: %s", p.Tool, p.Status)
		} else {
			fmt.Fprintf(&b, "\n  %s: %s: %s", p.Tool, p.Status, p.Detail)
		}
	}
	return b.String()
}

// BadInput marks it the user's to fix (exit 2): name a GPU instead.
func (e *NothingUsableError) BadInput() bool { return true }
