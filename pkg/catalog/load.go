package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/llmcost/llmcost/pkg/fileissue"

	"go.yaml.in/yaml/v3"
)

// Source is one place catalog files come from: the embedded data or a
// user directory given with --catalog.
type Source struct {
	FS     fs.FS
	Origin string // "embedded" or the directory path; shown in file names of errors
	// Parsed, when set, replaces parsing FS's YAML: the embedded catalog
	// is compiled in as Go code (see snapshot.go) that builds its values
	// when called, so commands that never load the catalog never pay for
	// it, not even in package initialisation.
	Parsed func() []NamedFile
}

// Dir makes a Source from a directory on disk. A missing directory is an
// error: the user asked for it.
func Dir(dir string) (Source, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return Source{}, &Error{Kind: errKind, Issues: []Issue{{File: dir, Msg: "cannot read catalog directory: " + errors.Unwrap(err).Error()}}}
	}
	if !st.IsDir() {
		return Source{}, &Error{Kind: errKind, Issues: []Issue{{File: dir, Msg: "not a directory"}}}
	}
	return Source{FS: os.DirFS(dir), Origin: dir}, nil
}

// Load reads every source in order; later sources override earlier
// entries with the same id. Each source is validated on its own
// (duplicates inside one source are errors) and the merged result is
// validated again (cross references, alias clashes).
func Load(sources ...Source) (*Catalog, error) {
	c := newCatalog()
	var all issues
	for _, src := range sources {
		files, decodeIssues, err := decodeSource(src)
		if err != nil {
			return nil, err
		}
		// Files that decoded are validated even when others did not, so
		// one run reports every problem.
		is := issues(decodeIssues)
		// A compiled catalog was validated file by file when it was
		// generated (catgen refuses invalid YAML, and TestSnapshotFresh
		// keeps it equal to the YAML); the merged checks below still run.
		if src.Parsed == nil {
			for _, pf := range files {
				validateFile(&is, pf)
			}
			checkDuplicatesWithin(&is, files)
		}
		all = append(all, is...)
		if len(is) == 0 {
			for _, pf := range files {
				c.merge(pf, src.Origin)
			}
		}
	}
	if len(all) == 0 {
		c.index(&all)
		validateCrossRefs(&all, c)
	}
	if err := all.Err(errKind); err != nil {
		return nil, err
	}
	return c, nil
}

type parsedFile struct {
	name string
	f    File
}

func readSource(src Source) ([]parsedFile, error) {
	files, is, err := decodeSource(src)
	if err != nil {
		return nil, err
	}
	if err := issues(is).Err(errKind); err != nil {
		return nil, err
	}
	return files, nil
}

// decodeSource decodes every file; issues are per file, err is for a
// source that cannot be read at all.
func decodeSource(src Source) ([]parsedFile, []Issue, error) {
	if src.Parsed != nil {
		parsed := src.Parsed()
		out := make([]parsedFile, len(parsed))
		for i, nf := range parsed {
			out[i] = parsedFile{name: nf.Name, f: nf.File}
		}
		return out, nil, nil
	}
	var names []string
	err := fs.WalkDir(src.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if ext := path.Ext(p); ext == ".yaml" || ext == ".yml" {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, &Error{Kind: errKind, Issues: []Issue{{File: src.Origin, Msg: err.Error()}}}
	}
	sort.Strings(names)
	var is issues
	var out []parsedFile
	for _, n := range names {
		display := n
		if src.Origin != "" {
			display = path.Join(src.Origin, n)
		}
		data, err := fs.ReadFile(src.FS, n)
		if err != nil {
			is.Add(display, 0, "", "cannot read: %v", err)
			continue
		}
		f, fileIssues := Decode(display, data)
		is = append(is, fileIssues...)
		if len(fileIssues) == 0 {
			out = append(out, parsedFile{name: display, f: f})
		}
	}
	return out, is, nil
}

// Decode strictly parses one catalog file. Unknown keys, wrong types and
// YAML syntax errors come back as issues with the file and line.
func Decode(name string, data []byte) (File, []Issue) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(&f)
	if errors.Is(err, io.EOF) {
		return f, []Issue{{File: name, Msg: "empty file"}}
	}
	if err != nil {
		is := fileissue.FromYAML(name, err, allowedKeys)
		fileissue.NameFields(is, data)
		return f, is
	}
	var extra any
	if err := dec.Decode(&extra); err == nil {
		return f, []Issue{{File: name, Msg: "more than one YAML document; a catalog file holds one"}}
	}
	if f.SchemaVersion != 1 {
		return f, []Issue{{File: name, Line: 1, Field: "schema_version", Msg: fmt.Sprintf("must be 1 (got %d)", f.SchemaVersion)}}
	}
	for i := range f.Models {
		f.Models[i].File = name
	}
	for i := range f.OpenModels {
		f.OpenModels[i].File = name
	}
	for i := range f.GPUs {
		f.GPUs[i].File = name
	}
	for i := range f.Benchmarks {
		f.Benchmarks[i].File = name
	}
	if f.Defaults != nil {
		if f.Defaults.ComparisonSet != nil {
			f.Defaults.ComparisonSetFile = name
		}
		if f.Defaults.LocalComparisonSet != nil {
			f.Defaults.LocalComparisonSetFile = name
		}
	}
	return f, nil
}

var schemaTypes = map[string]reflect.Type{
	"catalog.File":         reflect.TypeFor[File](),
	"catalog.CloudModel":   reflect.TypeFor[CloudModel](),
	"catalog.Price":        reflect.TypeFor[Price](),
	"catalog.Tier":         reflect.TypeFor[Tier](),
	"catalog.Score":        reflect.TypeFor[Score](),
	"catalog.Latency":      reflect.TypeFor[Latency](),
	"catalog.OpenModel":    reflect.TypeFor[OpenModel](),
	"catalog.Quantization": reflect.TypeFor[Quantization](),
	"catalog.GPU":          reflect.TypeFor[GPU](),
	"catalog.Rental":       reflect.TypeFor[Rental](),
	"catalog.Benchmark":    reflect.TypeFor[Benchmark](),
	"catalog.Defaults":     reflect.TypeFor[Defaults](),
	"catalog.Mapping":      reflect.TypeFor[Mapping](),
}

func allowedKeys(typeName string) string {
	t, ok := schemaTypes[typeName]
	if !ok {
		return ""
	}
	return strings.Join(fileissue.YAMLKeys(t), ", ")
}
