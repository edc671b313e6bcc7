package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
)

func newCmdCatalog(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog <command>",
		Short: "Browse and check the price and hardware catalog",
		Long: `The catalog is embedded in the binary (data/*.yaml): cloud prices with their
history, open models, quantizations and GPUs, every value with its source and
the date it was verified. --catalog DIR merges your own YAML over it.`,
		Example: `  llmcost catalog list
  llmcost catalog show claude-sonnet-4.5
  llmcost catalog validate ./my-prices
  llmcost catalog lint --against model_prices_and_context_window-2026-07-24.json
  llmcost catalog import litellm model_prices_and_context_window-2026-07-24.json -o ./litellm
  llmcost catalog diff embedded ./litellm`,
	}
	cmd.AddCommand(newCmdCatalogList(f, nil), newCmdCatalogShow(f, nil), newCmdCatalogValidate(f, nil),
		newCmdCatalogLint(f, nil), newCmdCatalogImport(f, nil), newCmdCatalogDiff(f, nil))
	return cmd
}

// CatalogListOptions are the inputs of `catalog list`.
type CatalogListOptions struct {
	F        *Factory
	Kind     string
	Provider string
	AsOf     string
}

func newCmdCatalogList(f *Factory, runF func(*CatalogListOptions) error) *cobra.Command {
	opts := &CatalogListOptions{F: f, Kind: "cloud"}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List catalog entries with their current prices",
		Example: `  llmcost catalog list
  llmcost catalog list --provider anthropic --format markdown
  llmcost catalog list --kind gpu
  llmcost catalog list --as-of 2024-06-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Kind {
			case "cloud", "open", "gpu", "quant":
			default:
				return FlagErrorf("invalid value %q for --kind: want cloud, open, gpu or quant", opts.Kind)
			}
			if opts.Provider != "" && opts.Kind != "cloud" {
				return FlagErrorf("--provider filters cloud models; it does not apply to --kind %s", opts.Kind)
			}
			if _, err := parseAsOf(opts.AsOf, f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return catalogListRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Kind, "kind", "cloud", "what to list: cloud, open, gpu or quant")
	cmd.Flags().StringVar(&opts.Provider, "provider", "", "only this provider (cloud)")
	cmd.Flags().StringVar(&opts.AsOf, "as-of", "", "price date YYYY-MM-DD (default today)")
	_ = cmd.RegisterFlagCompletionFunc("kind", fixedCompletion("cloud", "open", "gpu", "quant"))
	return cmd
}

// CatalogListResult is the JSON of `catalog list`.
type CatalogListResult struct {
	SchemaVersion int                `json:"schema_version"`
	AsOf          string             `json:"as_of"`
	Kind          string             `json:"kind"`
	Models        []CatalogListModel `json:"models,omitempty"`
	Entries       []map[string]any   `json:"entries,omitempty"`
	table         output.TableData
}

// CatalogListModel is one cloud model at the as-of date.
type CatalogListModel struct {
	ID             string           `json:"id"`
	Provider       string           `json:"provider"`
	Name           string           `json:"name,omitempty"`
	ContextWindow  int64            `json:"context_window"`
	MaxOutput      int64            `json:"max_output,omitempty"`
	InputUSD       *decimal.Decimal `json:"input_per_million_usd"`
	CachedInputUSD *decimal.Decimal `json:"cached_input_per_million_usd"`
	OutputUSD      *decimal.Decimal `json:"output_per_million_usd"`
	Tiers          int              `json:"long_context_tiers"`
	Status         string           `json:"status,omitempty"`
	Verified       string           `json:"verified"`
	Unverified     bool             `json:"unverified"`
}

// Tables renders the list.
func (r *CatalogListResult) Tables() []output.TableData { return []output.TableData{r.table} }

func catalogListRun(o *CatalogListOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	asOf, _ := parseAsOf(o.AsOf, f)
	res := &CatalogListResult{SchemaVersion: 1, AsOf: asOf.Format(time.DateOnly), Kind: o.Kind}
	switch o.Kind {
	case "cloud":
		if err := checkProvider(cat, o.Provider); err != nil {
			return err
		}
		listCloud(res, cat, asOf, o.Provider)
	case "open":
		listOpen(res, cat)
	case "gpu":
		listGPUs(res, cat)
	case "quant":
		listQuants(res, cat)
	}
	return output.Write(f.IOStreams, format, res)
}

// checkProvider rejects a --provider no cloud model has: an empty list
// with exit 0 would read as "this provider has no models".
func checkProvider(cat *catalog.Catalog, provider string) error {
	if provider == "" {
		return nil
	}
	var known []string
	for _, m := range cat.CloudModels() {
		if strings.EqualFold(provider, m.Provider) {
			return nil
		}
		if !slices.Contains(known, m.Provider) {
			known = append(known, m.Provider)
		}
	}
	slices.Sort(known)
	return FlagErrorf("invalid value %q for --provider: no cloud model in the catalog has it (providers: %s)", provider, strings.Join(known, ", "))
}

func optUSD(n catalog.Num) *decimal.Decimal {
	if !n.Set {
		return nil
	}
	d := n.D
	return &d
}

func fmtRate(d *decimal.Decimal) string {
	if d == nil {
		return "-"
	}
	return units.FormatPerMillion(*d)
}

func rawRate(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func listCloud(res *CatalogListResult, cat *catalog.Catalog, asOf time.Time, provider string) {
	t := output.TableData{
		Headers: []string{"Model", "Provider", "Input $/1M", "Cached $/1M", "Output $/1M", "Context", "Status", "Verified"},
		Align:   []output.Align{output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Left, output.Left},
	}
	for _, m := range cat.CloudModels() {
		if provider != "" && !strings.EqualFold(provider, m.Provider) {
			continue
		}
		lm := CatalogListModel{ID: m.ID.V, Provider: m.Provider, Name: m.Name, ContextWindow: m.ContextWindow.D.IntPart(), MaxOutput: m.MaxOutput.D.IntPart(), Status: m.Status(asOf), Unverified: m.Unverified}
		status := lm.Status
		if p, err := m.PriceAt(asOf); err == nil {
			lm.InputUSD, lm.CachedInputUSD, lm.OutputUSD = optUSD(p.Input), optUSD(p.CachedInput), optUSD(p.Output)
			lm.Tiers = len(p.Tiers)
			lm.Verified = p.Verified.String()
			lm.Unverified = lm.Unverified || p.Unverified
		} else if status == "" {
			status = "no price on this date"
		}
		if lm.Unverified {
			status = strings.TrimSpace(status + " unverified")
		}
		res.Models = append(res.Models, lm)
		t.Rows = append(t.Rows, []string{lm.ID, lm.Provider, fmtRate(lm.InputUSD), fmtRate(lm.CachedInputUSD), fmtRate(lm.OutputUSD), contextTokens(lm.ContextWindow), status, lm.Verified})
		t.Raw = append(t.Raw, []string{lm.ID, lm.Provider, rawRate(lm.InputUSD), rawRate(lm.CachedInputUSD), rawRate(lm.OutputUSD), fmt.Sprint(lm.ContextWindow), status, lm.Verified})
	}
	t.Notes = []string{"\"-\" = not offered or not in the catalog (never $0). Details and sources: llmcost catalog show ID"}
	res.table = t
}

func num(n catalog.Num) string {
	if !n.Set {
		return ""
	}
	return n.D.String()
}

func listOpen(res *CatalogListResult, cat *catalog.Catalog) {
	t := output.TableData{
		Headers: []string{"Model", "Params (B)", "Active (B)", "Layers", "KV heads", "Context", "License", "Verified"},
		Align:   []output.Align{output.Left, output.Right, output.Right, output.Right, output.Right, output.Right, output.Left, output.Left},
	}
	for _, id := range cat.OpenModelIDs() {
		m, _ := cat.Open(id)
		res.Entries = append(res.Entries, map[string]any{"id": id, "params_b": m.ParamsB.D, "active_params_b": optUSD(m.ActiveParamsB), "layers": m.Layers.D, "kv_heads": m.KVHeads.D, "max_context": m.MaxContext.D, "license": m.License, "verified": m.Verified.String(), "unverified": m.Unverified})
		row := []string{id, num(m.ParamsB), num(m.ActiveParamsB), num(m.Layers), num(m.KVHeads), num(m.MaxContext), m.License, m.Verified.String()}
		t.Raw = append(t.Raw, row)
		row = append([]string(nil), row...)
		row[5] = contextTokens(m.MaxContext.D.IntPart())
		t.Rows = append(t.Rows, row)
	}
	res.table = t
}

func listGPUs(res *CatalogListResult, cat *catalog.Catalog) {
	t := output.TableData{
		Headers: []string{"GPU", "Class", "VRAM GB", "GB/s", "FP16 TFLOPS", "TDP W", "Price", "Rent $/h", "Verified"},
		Align:   []output.Align{output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Left},
	}
	for _, id := range cat.GPUIDs() {
		g, _ := cat.GPU(id)
		price, rent := "-", "-"
		if g.PriceUSD.Set {
			price = units.FormatUSD(g.PriceUSD.D)
		}
		// The offer estimate and breakeven --rent use: the cheapest verified
		// one, or the cheapest of all when none is verified.
		var cheapest *decimal.Decimal
		if r := cost.CheapestRental(g); r != nil {
			d := r.USDPerHour.D
			cheapest = &d
		}
		if cheapest != nil {
			rent = units.FormatPerMillion(*cheapest)
		}
		res.Entries = append(res.Entries, map[string]any{"id": id, "class": g.Class, "vram_gb": g.VRAMGB.D, "bandwidth_gbs": g.BandwidthGBs.D, "fp16_tflops": optUSD(g.FP16TFLOPS), "tdp_w": optUSD(g.TDPW), "price_usd": optUSD(g.PriceUSD), "cheapest_rental_usd_per_hour": cheapest, "verified": g.Verified.String(), "unverified": g.Unverified})
		t.Rows = append(t.Rows, []string{id, g.Class, num(g.VRAMGB), num(g.BandwidthGBs), num(g.FP16TFLOPS), num(g.TDPW), price, rent, g.Verified.String()})
		t.Raw = append(t.Raw, []string{id, g.Class, num(g.VRAMGB), num(g.BandwidthGBs), num(g.FP16TFLOPS), num(g.TDPW), num(g.PriceUSD), rawRate(cheapest), g.Verified.String()})
	}
	res.table = t
}

func listQuants(res *CatalogListResult, cat *catalog.Catalog) {
	t := output.TableData{Headers: []string{"Quantization", "Bytes/param", "Source"}, Align: []output.Align{output.Left, output.Right, output.Left}}
	for _, id := range cat.QuantIDs() {
		q, _ := cat.Quant(id)
		res.Entries = append(res.Entries, map[string]any{"id": id, "bytes_per_param": q.BytesPerParam.D, "source": q.Source})
		t.Rows = append(t.Rows, []string{id, num(q.BytesPerParam), q.Source})
	}
	res.table = t
}
