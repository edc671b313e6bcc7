package cli

import (
	"fmt"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/spf13/cobra"
)

// CatalogValidateOptions are the inputs of `catalog validate`.
type CatalogValidateOptions struct {
	F    *Factory
	Dirs []string
}

func newCmdCatalogValidate(f *Factory, runF func(*CatalogValidateOptions) error) *cobra.Command {
	opts := &CatalogValidateOptions{F: f}
	return &cobra.Command{
		Use:   "validate [DIR...]",
		Short: "Check catalog YAML strictly (the embedded one, plus DIRs merged over it)",
		Long: `Load the embedded catalog and every DIR over it, strictly: unknown keys,
duplicate ids, negative or NaN prices, a cache price above the input price, a
long-context tier at or above the context window and overlapping effective dates
are errors naming file:line and field (exit 2).`,
		Example: `  llmcost catalog validate
  llmcost catalog validate ./my-prices`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dirs = args
			if runF != nil {
				return runF(opts)
			}
			return catalogValidateRun(opts)
		},
	}
}

// CatalogValidateResult is the JSON of `catalog validate`.
type CatalogValidateResult struct {
	SchemaVersion int      `json:"schema_version"`
	OK            bool     `json:"ok"`
	Sources       []string `json:"sources"`
	CloudModels   int      `json:"cloud_models"`
	OpenModels    int      `json:"open_models"`
	GPUs          int      `json:"gpus"`
	Quantizations int      `json:"quantizations"`
}

// Tables renders the counts.
func (r *CatalogValidateResult) Tables() []output.TableData {
	return []output.TableData{{
		Headers: []string{"Catalog", "Cloud models", "Open models", "GPUs", "Quantizations"},
		Align:   []output.Align{output.Left, output.Right, output.Right, output.Right, output.Right},
		Rows:    [][]string{{"ok", fmt.Sprint(r.CloudModels), fmt.Sprint(r.OpenModels), fmt.Sprint(r.GPUs), fmt.Sprint(r.Quantizations)}},
		Notes:   []string{"sources: " + fmt.Sprint(r.Sources)},
	}}
}

func catalogValidateRun(o *CatalogValidateOptions) error {
	format, err := o.F.Format()
	if err != nil {
		return err
	}
	sources := []catalog.Source{o.F.EmbeddedCatalog}
	names := []string{"embedded"}
	for _, d := range append(append([]string(nil), o.F.CatalogDirs...), o.Dirs...) {
		src, err := catalog.Dir(d)
		if err != nil {
			return err
		}
		sources = append(sources, src)
		names = append(names, d)
	}
	cat, err := catalog.Load(sources...)
	if err != nil {
		return err
	}
	res := &CatalogValidateResult{SchemaVersion: 1, OK: true, Sources: names,
		CloudModels: len(cat.CloudIDs()), OpenModels: len(cat.OpenModelIDs()), GPUs: len(cat.GPUIDs()), Quantizations: len(cat.QuantIDs())}
	return output.Write(o.F.IOStreams, format, res)
}
