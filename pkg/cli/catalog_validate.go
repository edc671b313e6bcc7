package cli

import (
	"errors"
	"fmt"
	"strings"

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
	SchemaVersion int            `json:"schema_version"`
	OK            bool           `json:"ok"`
	Sources       []string       `json:"sources"`
	CloudModels   *int           `json:"cloud_models,omitempty"`  // nil when the catalog did not load
	OpenModels    *int           `json:"open_models,omitempty"`   // nil when the catalog did not load
	GPUs          *int           `json:"gpus,omitempty"`          // nil when the catalog did not load
	Quantizations *int           `json:"quantizations,omitempty"` // nil when the catalog did not load
	Issues        []CatalogIssue `json:"issues,omitempty"`
}

// CatalogIssue is one problem found by validate.
type CatalogIssue struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Tables renders the counts.
func (r *CatalogValidateResult) Tables() []output.TableData {
	if !r.OK {
		t := output.TableData{Headers: []string{"File", "Line", "Field", "Problem"}, Align: []output.Align{output.Left, output.Right, output.Left, output.Left}}
		for _, is := range r.Issues {
			t.Rows = append(t.Rows, []string{is.File, fmt.Sprint(is.Line), is.Field, is.Message})
		}
		return []output.TableData{t}
	}
	return []output.TableData{{
		Headers: []string{"Catalog", "Cloud models", "Open models", "GPUs", "Quantizations"},
		Align:   []output.Align{output.Left, output.Right, output.Right, output.Right, output.Right},
		Rows:    [][]string{{"ok", fmt.Sprint(*r.CloudModels), fmt.Sprint(*r.OpenModels), fmt.Sprint(*r.GPUs), fmt.Sprint(*r.Quantizations)}},
		Notes:   []string{"sources, later ones over earlier: " + strings.Join(r.Sources, ", ")},
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
	var ce *catalog.Error
	if errors.As(err, &ce) && format != output.Table {
		// Machines get the problems on stdout ("ok": false), still exit 2.
		res := &CatalogValidateResult{SchemaVersion: 1, OK: false, Sources: names, Issues: []CatalogIssue{}}
		for _, is := range ce.Issues {
			res.Issues = append(res.Issues, CatalogIssue{File: is.File, Line: is.Line, Field: is.Field, Message: is.Msg})
		}
		if werr := output.Write(o.F.IOStreams, format, res); werr != nil {
			return werr
		}
		return &InputError{Err: err}
	}
	if err != nil {
		return err
	}
	res := &CatalogValidateResult{SchemaVersion: 1, OK: true, Sources: names,
		CloudModels: ptr(len(cat.CloudIDs())), OpenModels: ptr(len(cat.OpenModelIDs())), GPUs: ptr(len(cat.GPUIDs())), Quantizations: ptr(len(cat.QuantIDs()))}
	return output.Write(o.F.IOStreams, format, res)
}

func ptr[T any](v T) *T { return &v }
