package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/spf13/cobra"
)

// CatalogImportOptions are the inputs of `catalog import`.
type CatalogImportOptions struct {
	F      *Factory
	Format string // only "litellm" so far
	File   string // "-" = stdin
	OutDir string
	Date   string
}

func newCmdCatalogImport(f *Factory, runF func(*CatalogImportOptions) error) *cobra.Command {
	opts := &CatalogImportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "import litellm FILE",
		Short: "Convert LiteLLM's price file into catalog YAML",
		Long: `Convert LiteLLM's model_prices_and_context_window.json into llmcost catalog
YAML. Chat models only; prices are read as exact decimals (2.5e-06 per token
becomes exactly 2.5 per 1M). Cache reads and writes, batch, long-context tiers
and reasoning rates are carried over. Anything llmcost cannot represent
(per-second or per-image pricing, range or time-of-day pricing, a tier the
context window cannot reach, zero prices) is listed with a reason and never
imported as $0.

LiteLLM names become catalog ids through the catalog's mappings and aliases
(claude-sonnet-4-5-20250929 -> claude-sonnet-4.5); other names are normalised
and keep the original as an alias.

With -o DIR the YAML is written to DIR/litellm.yaml (atomically) and a summary
is printed; use the directory with --catalog DIR to price with LiteLLM's
numbers, or with 'catalog lint --against' to compare. Without -o the YAML goes
to stdout.`,
		Example: `  llmcost catalog import litellm model_prices_and_context_window.json --date 2026-07-24 -o ./litellm
  llmcost catalog import litellm prices-2026-07-24.json -o ./litellm --format json
  llmcost estimate --catalog ./litellm --tokens 10M --models gpt-5.6-luna`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return FlagErrorf("want two arguments: the format (litellm) and the FILE to import")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format, opts.File = args[0], args[1]
			if opts.Format != "litellm" {
				return FlagErrorf("unknown import format %q: want litellm", opts.Format)
			}
			if _, err := importDate(opts.Date, opts.File); err != nil {
				// A file that is not there says so: asking for its date
				// would send the user after the wrong problem. (A bad
				// --date is wrong whatever the file; - is stdin.)
				if _, serr := os.Stat(opts.File); serr != nil && opts.Date == "" && opts.File != "-" {
					return &InputError{Err: fmt.Errorf("cannot read %s: %w", opts.File, errors.Unwrap(serr))}
				}
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return catalogImportRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.OutDir, "output-dir", "o", "", "write `DIR`/litellm.yaml instead of YAML on stdout")
	cmd.Flags().StringVar(&opts.Date, "date", "", "date of the LiteLLM file, YYYY-MM-DD: becomes every price's verified date (default: a date in the file name)")
	_ = cmd.MarkFlagDirname("output-dir")
	cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return []string{"litellm"}, cobra.ShellCompDirectiveNoFileComp
		}
		return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
	}
	return cmd
}

var fileDateRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d{4}-\d{2}-\d{2}`) })

// importDate is --date, else a date in the file name. A LiteLLM file says
// nothing about its own age, and today's date would overstate freshness,
// so with neither it is a flag error.
func importDate(flag, file string) (time.Time, error) {
	if flag != "" {
		t, err := time.Parse(time.DateOnly, flag)
		if err != nil {
			return time.Time{}, FlagErrorf("invalid value %q for --date: want YYYY-MM-DD", flag)
		}
		return t, nil
	}
	if m := fileDateRe().FindString(filepath.Base(file)); m != "" {
		if t, err := time.Parse(time.DateOnly, m); err == nil {
			return t, nil
		}
	}
	return time.Time{}, FlagErrorf("give the date of %s with --date YYYY-MM-DD (the file does not say how old its prices are)", file)
}

// CatalogImportResult is the JSON of `catalog import`.
type CatalogImportResult struct {
	SchemaVersion int               `json:"schema_version"`
	Source        string            `json:"source"`
	Date          string            `json:"date"`
	Output        string            `json:"output,omitempty"`
	Entries       int               `json:"entries"`
	Models        int               `json:"models"`
	Aliases       int               `json:"aliases"`
	SkippedWhole  int               `json:"skipped"`
	ByCode        []ImportCodeCount `json:"by_code"`
	Records       []catalog.Skipped `json:"records"`
}

// ImportCodeCount counts skip records of one kind.
type ImportCodeCount struct {
	Code     string `json:"code"`
	Imported bool   `json:"imported"`
	Entries  int    `json:"entries"`
}

// Tables renders the summary and every record.
func (r *CatalogImportResult) Tables() []output.TableData {
	sum := output.TableData{
		Title:   fmt.Sprintf("Imported %d models (%d aliases) from %d LiteLLM entries; %d skipped", r.Models, r.Aliases, r.Entries, r.SkippedWhole),
		Headers: []string{"Code", "What happened", "Entries"},
		Align:   []output.Align{output.Left, output.Left, output.Right},
	}
	for _, c := range r.ByCode {
		what := "not imported"
		if c.Imported {
			what = "imported; see the records"
		}
		sum.Rows = append(sum.Rows, []string{c.Code, what, fmt.Sprint(c.Entries)})
	}
	if r.Output != "" {
		sum.Notes = append(sum.Notes, "wrote "+r.Output)
	}
	recs := output.TableData{
		Title:   "Records",
		Headers: []string{"Key", "Code", "Imported", "Reason"},
		Align:   []output.Align{output.Left, output.Left, output.Left, output.Left},
	}
	for _, s := range r.Records {
		recs.Rows = append(recs.Rows, []string{s.Key, s.Code, importedWord(s.Imported), s.Reason})
	}
	return []output.TableData{sum, recs}
}

func importedWord(imported bool) string {
	if imported {
		return "partly"
	}
	return "no"
}

func catalogImportRun(o *CatalogImportOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	date, err := importDate(o.Date, o.File)
	if err != nil {
		return err
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	data, err := readInput(f, o.File)
	if err != nil {
		return err
	}
	file, recs, err := catalog.ImportLiteLLM(bytes.NewReader(data), filepath.Base(o.File), date, catalogMappings(cat)...)
	if err != nil {
		return &InputError{Err: err}
	}
	yml, err := catalog.MarshalFileYAML(file,
		fmt.Sprintf("Imported by `llmcost catalog import litellm` from %s (dated %s).", filepath.Base(o.File), date.Format(time.DateOnly)),
		"Re-import rather than edit; put corrections in a catalog directory of your own.")
	if err != nil {
		return err
	}
	res := importSummary(o.File, date, file, recs, data)
	if o.OutDir == "" {
		fmt.Fprintf(f.IOStreams.ErrOut, "%s\n", res.Tables()[0].Title)
		_, err := f.IOStreams.Out.Write(yml)
		return err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return fmt.Errorf("creating -o %s: %w", o.OutDir, err)
	}
	res.Output = filepath.Join(o.OutDir, "litellm.yaml")
	if err := catalog.WriteFileAtomic(res.Output, yml); err != nil {
		return fmt.Errorf("writing %s: %w", res.Output, err)
	}
	return output.Write(f.IOStreams, format, res)
}

func readInput(f *Factory, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(f.IOStreams.In)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, &InputError{Err: fmt.Errorf("cannot read %s: %w", name, unwrapPathErr(err))}
	}
	return data, nil
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// catalogMappings are the catalog's mappings plus every alias, so an
// import lands on our ids.
func catalogMappings(cat *catalog.Catalog) []catalog.Mapping {
	var models []catalog.CloudModel
	for _, m := range cat.CloudModels() {
		models = append(models, *m)
	}
	return append(append([]catalog.Mapping(nil), cat.Mappings...), catalog.MappingsFromModels(models)...)
}

func importSummary(file string, date time.Time, f catalog.File, recs []catalog.Skipped, raw []byte) *CatalogImportResult {
	res := &CatalogImportResult{SchemaVersion: 1, Source: file, Date: date.Format(time.DateOnly), Models: len(f.Models), Records: recs}
	if res.Records == nil {
		res.Records = []catalog.Skipped{}
	}
	for _, m := range f.Models {
		res.Aliases += len(m.Aliases)
	}
	type key struct {
		code     string
		imported bool
	}
	counts := map[key]map[string]bool{}
	for _, s := range recs {
		k := key{s.Code, s.Imported}
		if counts[k] == nil {
			counts[k] = map[string]bool{}
		}
		counts[k][s.Key] = true
		if !s.Imported {
			res.SkippedWhole++
		}
	}
	for k, keys := range counts {
		res.ByCode = append(res.ByCode, ImportCodeCount{Code: k.code, Imported: k.imported, Entries: len(keys)})
	}
	sort.Slice(res.ByCode, func(i, j int) bool {
		a, b := res.ByCode[i], res.ByCode[j]
		if a.Imported != b.Imported {
			return !a.Imported
		}
		if a.Entries != b.Entries {
			return a.Entries > b.Entries
		}
		return a.Code < b.Code
	})
	// Entries = imported models' source keys + whole skips; merged keys are aliases.
	res.Entries = res.SkippedWhole + len(f.Models) + len(counts[key{catalog.SkipMerged, true}])
	return res
}

// loadModelsArg reads a set of cloud models named on the command line:
// "embedded", a catalog directory, one catalog YAML file, or a LiteLLM JSON
// file (imported on the fly with the catalog's mappings).
// loadModelsArg reads a catalog argument. An undated LiteLLM JSON file
// (no date in its name) takes undated as the day its prices start; the
// returned note says so ("" when nothing was assumed).
func loadModelsArg(f *Factory, arg string, undated time.Time) ([]catalog.CloudModel, string, error) {
	if strings.HasSuffix(strings.ToLower(arg), ".json") {
		date, err := importDate("", arg)
		note := ""
		if err != nil {
			date = undated
			note = fmt.Sprintf("%s has no date in its name: its prices are taken as in force from %s (give the file's date with --date)", arg, undated.Format(time.DateOnly))
		}
		models, err := importForComparison(f, arg, date)
		return models, note, err
	}
	models, err := loadCatalogModels(f, arg)
	return models, "", err
}

func loadCatalogModels(f *Factory, arg string) ([]catalog.CloudModel, error) {
	var cat *catalog.Catalog
	var err error
	switch {
	case arg == "embedded":
		cat, err = catalog.Load(f.EmbeddedCatalog)
	default:
		st, statErr := os.Stat(arg)
		if statErr != nil {
			return nil, &InputError{Err: fmt.Errorf("cannot read %s: %w (want \"embedded\", a catalog directory, a catalog YAML file or a LiteLLM JSON file)", arg, unwrapPathErr(statErr))}
		}
		if st.IsDir() {
			src, derr := catalog.Dir(arg)
			if derr != nil {
				return nil, derr
			}
			cat, err = catalog.Load(src)
		} else {
			data, rerr := readInput(f, arg)
			if rerr != nil {
				return nil, rerr
			}
			// One file, loaded with the same strict rules as a directory.
			one := fstest.MapFS{filepath.Base(arg): &fstest.MapFile{Data: data}}
			cat, err = catalog.Load(catalog.Source{FS: one, Origin: filepath.Dir(arg)})
		}
	}
	if err != nil {
		return nil, err
	}
	var out []catalog.CloudModel
	for _, m := range cat.CloudModels() {
		out = append(out, *m)
	}
	return out, nil
}

func importForComparison(f *Factory, file string, date time.Time) ([]catalog.CloudModel, error) {
	cat, err := f.Catalog()
	if err != nil {
		return nil, err
	}
	data, err := readInput(f, file)
	if err != nil {
		return nil, err
	}
	imp, _, err := catalog.ImportLiteLLM(bytes.NewReader(data), filepath.Base(file), date, catalogMappings(cat)...)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	for i := range imp.Models {
		imp.Models[i].File = file
	}
	return imp.Models, nil
}
