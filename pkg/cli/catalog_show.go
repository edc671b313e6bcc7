package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/spf13/cobra"
)

// CatalogShowOptions are the inputs of `catalog show`.
type CatalogShowOptions struct {
	F  *Factory
	ID string
}

func newCmdCatalogShow(f *Factory, runF func(*CatalogShowOptions) error) *cobra.Command {
	opts := &CatalogShowOptions{F: f}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one model or GPU with its price history and sources",
		Example: `  llmcost catalog show gpt-4o
  llmcost catalog show claude-sonnet-4-5-20250929   # vendor spellings work too
  llmcost catalog show llama-3.1-70b --format json
  llmcost catalog show rtx-4090`,
		Args: wantArgs(1, 1, "want one model or GPU id, e.g. llmcost catalog show gpt-4o (llmcost catalog list shows them)"),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			cat, err := f.Catalog()
			if err != nil || len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			ids := append(cat.CloudIDs(), cat.OpenModelIDs()...)
			return append(ids, cat.GPUIDs()...), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return catalogShowRun(opts)
		},
	}
	return cmd
}

// CatalogShowResult is the JSON of `catalog show`: exactly one of the
// entry fields is set.
type CatalogShowResult struct {
	SchemaVersion int                   `json:"schema_version"`
	Kind          string                `json:"kind"` // cloud | open | gpu | quant
	Model         *catalog.CloudModel   `json:"model,omitempty"`
	OpenModel     *catalog.OpenModel    `json:"open_model,omitempty"`
	GPU           *catalog.GPU          `json:"gpu,omitempty"`
	Quantization  *catalog.Quantization `json:"quantization,omitempty"`
	tables        []output.TableData
}

// Tables renders the entry.
func (r *CatalogShowResult) Tables() []output.TableData { return r.tables }

func catalogShowRun(o *CatalogShowOptions) error {
	format, err := o.F.Format()
	if err != nil {
		return err
	}
	cat, err := o.F.Catalog()
	if err != nil {
		return err
	}
	res := &CatalogShowResult{SchemaVersion: 1}
	if m, err := cat.Cloud(o.ID); err == nil {
		res.Kind, res.Model, res.tables = "cloud", m, showCloud(m)
	} else if om, err2 := cat.Open(o.ID); err2 == nil {
		res.Kind, res.OpenModel, res.tables = "open", om, showOpen(om)
	} else if g, err3 := cat.GPU(o.ID); err3 == nil {
		res.Kind, res.GPU, res.tables = "gpu", g, showGPU(g)
	} else if q, err4 := cat.Quant(o.ID); err4 == nil {
		res.Kind, res.Quantization = "quant", q
		res.tables = []output.TableData{kv("Quantization "+q.ID.V, [][2]string{{"Bytes per parameter", num(q.BytesPerParam)}, {"Source", q.Source}, {"Verified", q.Verified.String()}})}
	} else {
		ue := err.(*catalog.UnknownError)
		var sugg []string
		for _, e := range []error{err, err2, err3} {
			if u, ok := e.(*catalog.UnknownError); ok {
				sugg = append(sugg, u.Suggestions...)
			}
		}
		return &catalog.UnknownError{Kind: "catalog entry", Name: ue.Name, Suggestions: dedupe(sugg, 3)}
	}
	return output.Write(o.F.IOStreams, format, res)
}

func dedupe(s []string, limit int) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] && len(out) < limit {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func kv(title string, pairs [][2]string) output.TableData {
	t := output.TableData{Title: title, Headers: []string{"Field", "Value"}}
	for _, p := range pairs {
		if p[1] == "" {
			continue
		}
		t.Rows = append(t.Rows, []string{p[0], p[1]})
	}
	return t
}

func tokens(n catalog.Num) string {
	if !n.Set {
		return ""
	}
	return fmt.Sprintf("%s (%s)", contextTokens(n.D.IntPart()), groupThousands(n.D.IntPart()))
}

// contextTokens is a context size as its model is labelled: a whole
// number of binary K when it is one and no round decimal (131,072 = 128K,
// as --context takes it), else decimal (128,000 = 128.0K, 200,000 =
// 200.0K).
func contextTokens(n int64) string {
	if n >= 1024 && n%1024 == 0 && n%1000 != 0 {
		return strconv.FormatInt(n/1024, 10) + "K"
	}
	return units.FormatTokens(n)
}

func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func showCloud(m *catalog.CloudModel) []output.TableData {
	info := kv(fmt.Sprintf("%s (%s)", m.ID.V, m.Provider), [][2]string{
		{"Name", m.Name},
		{"Aliases", strings.Join(m.Aliases, ", ")},
		{"Context window", tokens(m.ContextWindow)},
		{"Max output", tokens(m.MaxOutput)},
		{"Deprecated", m.Deprecated.String()},
		{"Retired", m.Retired.String()},
		{"Source", m.Source},
		{"Verified", m.Verified.String()},
		{"Unverified", yesNo(m.Unverified)},
		{"Notes", m.Notes},
		{"Defined in", m.File},
	})
	for _, q := range m.Quality {
		info.Rows = append(info.Rows, []string{"Quality " + q.Benchmark, fmt.Sprintf("%s (%s)", q.Score.D, q.Source)})
	}
	hist := output.TableData{
		Title:   "Price history (USD per 1M tokens)",
		Headers: []string{"From", "Until", "Applies", "Input", "Cached", "Write 5m", "Write 1h", "Output", "Reasoning", "Batch ×"},
		Align:   []output.Align{output.Left, output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right},
	}
	var sources []string
	for i, p := range m.Prices {
		until := p.EffectiveUntil.String()
		if until == "" && i+1 < len(m.Prices) {
			until = m.Prices[i+1].EffectiveFrom.String()
		}
		row := func(applies string, r catalog.Rates) []string {
			reasoning := rateCell(r.Reasoning)
			if !r.Reasoning.Set {
				reasoning = "= output"
			}
			return []string{p.EffectiveFrom.String(), until, applies, rateCell(r.Input), rateCell(r.CachedInput), rateCell(r.CacheWrite5m), rateCell(r.CacheWrite1h), rateCell(r.Output), reasoning, num(p.BatchMultiplier)}
		}
		// CSV gets plain numbers; an empty cell is a rate the catalog does not have.
		raw := func(applies string, r catalog.Rates) []string {
			return []string{p.EffectiveFrom.String(), until, applies, num(r.Input), num(r.CachedInput), num(r.CacheWrite5m), num(r.CacheWrite1h), num(r.Output), num(r.Reasoning), num(p.BatchMultiplier)}
		}
		hist.Rows = append(hist.Rows, row("all prompts", p.Rates))
		hist.Raw = append(hist.Raw, raw("all", p.Rates))
		for _, t := range p.Tiers {
			hist.Rows = append(hist.Rows, row("prompt > "+units.FormatTokens(t.AboveTokens.D.IntPart()), t.Rates))
			hist.Raw = append(hist.Raw, raw("above "+t.AboveTokens.D.String(), t.Rates))
		}
		src := fmt.Sprintf("%s: %s (verified %s)", p.EffectiveFrom, p.Source, p.Verified)
		if p.Unverified {
			src += " [unverified]"
		}
		if p.Notes != "" {
			src += " — " + p.Notes
		}
		sources = append(sources, src)
		if o := p.OffPeak; o != nil {
			sources = append(sources, fmt.Sprintf("%s: time-of-day price: the rates above apply in %s (%s of the week's hours); outside them every rate × %s",
				p.EffectiveFrom, o.Describe(), pct(ptr(o.PeakShareOfWeek())), o.Multiplier.D))
		}
	}
	hist.Notes = append([]string{"A long-context tier bills the whole request at its rates once the prompt exceeds the threshold. \"-\" = not offered (never $0)."}, sources...)
	return []output.TableData{info, hist}
}

func rateCell(n catalog.Num) string {
	if !n.Set {
		return "-"
	}
	return units.FormatPerMillion(n.D)
}

func showOpen(m *catalog.OpenModel) []output.TableData {
	info := kv(m.ID.V+" (open model)", [][2]string{
		{"Name", m.Name},
		{"Parameters", num(m.ParamsB) + "B"},
		{"Active parameters", suffix(num(m.ActiveParamsB), "B")},
		{"Layers", num(m.Layers)},
		{"Attention heads", num(m.Heads)},
		{"KV heads", num(m.KVHeads)},
		{"Head dim", num(m.HeadDim)},
		{"Max context", tokens(m.MaxContext)},
		{"Sliding window", tokens(m.SlidingWindow)},
		{"Sliding layers", num(m.SlidingLayers)},
		{"KV latent (MLA)", num(m.KVLatentDim)},
		{"Default quant", m.DefaultQuant},
		{"License", m.License},
		{"Hugging Face", m.HFRepo},
		{"Source", m.Source},
		{"Verified", m.Verified.String()},
		{"Unverified", unverifiedText(m.Unverified, m.UnverifiedFields)},
		{"Notes", m.Notes},
	})
	for _, q := range m.Quality {
		info.Rows = append(info.Rows, []string{"Quality " + q.Benchmark, fmt.Sprintf("%s (%s)", q.Score.D, q.Source)})
	}
	return []output.TableData{info}
}

// unverifiedText is "yes" for a wholly unverified entry, or the fields
// nobody could confirm.
func unverifiedText(all bool, fields []string) string {
	if all {
		return "yes"
	}
	return strings.Join(fields, ", ")
}

func suffix(s, suf string) string {
	if s == "" {
		return ""
	}
	return s + suf
}

func showGPU(g *catalog.GPU) []output.TableData {
	info := kv(g.ID.V+" (GPU)", [][2]string{
		{"Name", g.Name},
		{"Vendor / class", g.Vendor + " / " + g.Class},
		{"Memory type", g.Memory},
		{"VRAM", suffix(num(g.VRAMGB), " GB")},
		{"Usable share", num(g.UsableShare)},
		{"Memory bandwidth", suffix(num(g.BandwidthGBs), " GB/s")},
		{"FP16 dense", suffix(num(g.FP16TFLOPS), " TFLOPS")},
		{"TDP", suffix(num(g.TDPW), " W")},
		{"Loaded idle", suffix(num(g.IdleW), " W")},
		{"Price", suffix(num(g.PriceUSD), " USD")},
		{"Price source", g.PriceSource},
		{"Source", g.Source},
		{"Verified", g.Verified.String()},
		{"Unverified", unverifiedText(g.Unverified, g.UnverifiedFields)},
		{"Notes", g.Notes},
	})
	rent := output.TableData{Title: "Rental offers", Headers: []string{"Provider", "$/GPU-hour", "Billing", "Date", "Source"}, Align: []output.Align{output.Left, output.Right, output.Left, output.Left, output.Left}}
	for _, r := range g.Rentals {
		billing := "always on"
		if r.OnDemand {
			billing = "busy hours"
		}
		p := r.Provider
		if r.Unverified {
			p += " (unverified)"
		}
		rent.Rows = append(rent.Rows, []string{p, units.FormatPerMillion(r.USDPerHour.D), billing, r.Date.String(), r.Source})
		rent.Raw = append(rent.Raw, []string{p, r.USDPerHour.D.String(), billing, r.Date.String(), r.Source})
	}
	if len(rent.Rows) == 0 {
		return []output.TableData{info}
	}
	return []output.TableData{info, rent}
}
