package cli

import (
	"fmt"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
)

// CatalogDiffOptions are the inputs of `catalog diff`.
type CatalogDiffOptions struct {
	F    *Factory
	A, B string
	AsOf string
	Date string // --date: the day an undated LiteLLM file's prices start
}

func newCmdCatalogDiff(f *Factory, runF func(*CatalogDiffOptions) error) *cobra.Command {
	opts := &CatalogDiffOptions{F: f}
	cmd := &cobra.Command{
		Use:   "diff A B",
		Short: "Cloud models added, removed and repriced between two catalogs",
		Long: `Compare the cloud prices in force on --as-of (default today) in catalog A (old)
and catalog B (new): models added and removed, every rate that changed with its
old and new value and the change in percent, and context windows that changed.
Models match by id, or by an alias naming the other's id (a renamed model).

A and B are each "embedded" (the catalog built into llmcost), a catalog
directory or YAML file (read on its own, not merged over the embedded one), or
a LiteLLM JSON file (imported on the fly).`,
		Example: `  llmcost catalog diff embedded ./litellm
  llmcost catalog diff ./prices-july ./prices-august --format markdown
  llmcost catalog diff embedded model_prices_and_context_window-2026-07-24.json --as-of 2026-08-01`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return FlagErrorf("want two catalogs to compare: A B (each \"embedded\", a directory, a YAML file or a LiteLLM JSON file)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.A, opts.B = args[0], args[1]
			if _, err := parseAsOf(opts.AsOf, f); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return catalogDiffRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.AsOf, "as-of", "", "compare the prices in force on this date YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&opts.Date, "date", "", "the date YYYY-MM-DD of a LiteLLM JSON file whose name has none (default: its prices are taken as in force on --as-of, with a note)")
	return cmd
}

// CatalogDiffResult is the JSON of `catalog diff`.
type CatalogDiffResult struct {
	SchemaVersion  int                  `json:"schema_version"`
	AsOf           string               `json:"as_of"`
	A              string               `json:"a"`
	B              string               `json:"b"`
	Added          []string             `json:"added"`
	Removed        []string             `json:"removed"`
	PriceChanges   []CatalogDiffPrice   `json:"price_changes"`
	ContextChanges []CatalogDiffContext `json:"context_changes"`
	Notes          []string             `json:"notes,omitempty"`
}

// CatalogDiffPrice is one rate that changed (USD per 1M tokens; the batch
// multiplier is a factor). Old or new is null when that side has no such rate.
type CatalogDiffPrice struct {
	Model     string           `json:"model"`
	Field     string           `json:"field"`
	Old       *decimal.Decimal `json:"old"`
	New       *decimal.Decimal `json:"new"`
	ChangePct *decimal.Decimal `json:"change_pct"`
}

// CatalogDiffContext is a context window that changed.
type CatalogDiffContext struct {
	Model string `json:"model"`
	Old   int64  `json:"old"`
	New   int64  `json:"new"`
}

// Tables renders price changes, then context changes, then added/removed.
func (r *CatalogDiffResult) Tables() []output.TableData {
	prices := output.TableData{
		Title:   fmt.Sprintf("Price changes %s -> %s on %s", r.A, r.B, r.AsOf),
		Headers: []string{"Model", "Field", "Old", "New", "Change"},
		Align:   []output.Align{output.Left, output.Left, output.Right, output.Right, output.Right},
	}
	for _, c := range r.PriceChanges {
		change, rawChange := "-", ""
		if c.ChangePct != nil {
			change = signedPct(*c.ChangePct)
			rawChange = c.ChangePct.String()
		}
		prices.Rows = append(prices.Rows, []string{c.Model, c.Field, diffRate(c.Field, c.Old), diffRate(c.Field, c.New), change})
		prices.Raw = append(prices.Raw, []string{c.Model, c.Field, rawRate(c.Old), rawRate(c.New), rawChange})
	}
	if len(r.PriceChanges) == 0 {
		prices.Notes = append(prices.Notes, "no price changes")
	} else {
		prices.Notes = append(prices.Notes, "\"-\" = that side has no such rate")
	}
	prices.Notes = append(prices.Notes, r.Notes...)
	tables := []output.TableData{prices}
	if len(r.ContextChanges) > 0 {
		ctx := output.TableData{
			Title:   "Context window changes",
			Headers: []string{"Model", "Old", "New"},
			Align:   []output.Align{output.Left, output.Right, output.Right},
		}
		for _, c := range r.ContextChanges {
			ctx.Rows = append(ctx.Rows, []string{c.Model, units.FormatTokens(c.Old), units.FormatTokens(c.New)})
			ctx.Raw = append(ctx.Raw, []string{c.Model, fmt.Sprint(c.Old), fmt.Sprint(c.New)})
		}
		tables = append(tables, ctx)
	}
	if len(r.Added)+len(r.Removed) > 0 {
		ar := output.TableData{
			Title:   "Models added and removed",
			Headers: []string{"Change", "Model"},
			Align:   []output.Align{output.Left, output.Left},
		}
		for _, id := range r.Added {
			ar.Rows = append(ar.Rows, []string{"added", id})
		}
		for _, id := range r.Removed {
			ar.Rows = append(ar.Rows, []string{"removed", id})
		}
		tables = append(tables, ar)
	}
	return tables
}

func diffRate(field string, d *decimal.Decimal) string {
	if d == nil {
		return "-"
	}
	if field == "batch_multiplier" {
		return "×" + d.String()
	}
	return units.FormatPerMillion(*d)
}

func signedPct(d decimal.Decimal) string {
	s := d.StringFixed(1) + "%"
	if d.IsPositive() {
		return "+" + s
	}
	return s
}

func catalogDiffRun(o *CatalogDiffOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	asOf, _ := parseAsOf(o.AsOf, f)
	undated := asOf
	if o.Date != "" {
		if undated, err = importDate(o.Date, ""); err != nil {
			return err
		}
	}
	a, noteA, err := loadModelsArg(f, o.A, undated)
	if err != nil {
		return err
	}
	b, noteB, err := loadModelsArg(f, o.B, undated)
	if err != nil {
		return err
	}
	d := catalog.Diff(a, b, asOf)
	res := &CatalogDiffResult{SchemaVersion: 1, AsOf: asOf.Format(time.DateOnly), A: o.A, B: o.B,
		Added: nonNil(d.Added), Removed: nonNil(d.Removed), PriceChanges: []CatalogDiffPrice{}, ContextChanges: []CatalogDiffContext{}}
	for _, n := range []string{noteA, noteB} {
		if n != "" && o.Date == "" { // --date gave the day: nothing assumed
			res.Notes = append(res.Notes, n)
		}
	}
	for _, c := range d.PriceChanges {
		res.PriceChanges = append(res.PriceChanges, CatalogDiffPrice{Model: c.Model, Field: c.Field, Old: optUSD(c.Old), New: optUSD(c.New), ChangePct: c.Pct})
	}
	for _, c := range d.ContextChanges {
		res.ContextChanges = append(res.ContextChanges, CatalogDiffContext{Model: c.Model, Old: c.Old.IntPart(), New: c.New.IntPart()})
	}
	return output.Write(f.IOStreams, format, res)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
