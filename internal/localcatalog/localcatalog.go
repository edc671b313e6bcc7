// Package localcatalog decodes data/local/*.yaml for tests and benchmarks
// of the local-inference packages. It is a stand-in for pkg/catalog's loader:
// strict (unknown keys fail) but without merging rules or validation.
package localcatalog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"

	"github.com/llmcost/llmcost/pkg/catalog"
	"go.yaml.in/yaml/v3"
)

// Dir is data/local in this repository, found from this file's location so
// tests in any package can use it.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "data", "local")
}

// Load decodes every *.yaml in dir into one File, concatenating sections.
func Load(dir string) (catalog.File, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return catalog.File{}, err
	}
	sort.Strings(paths)
	var all catalog.File
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return catalog.File{}, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		var f catalog.File
		if err := dec.Decode(&f); err != nil {
			return catalog.File{}, fmt.Errorf("%s: %w", p, err)
		}
		if f.SchemaVersion != 1 {
			return catalog.File{}, fmt.Errorf("%s: schema_version %d, want 1", p, f.SchemaVersion)
		}
		all.OpenModels = append(all.OpenModels, f.OpenModels...)
		all.Quantizations = append(all.Quantizations, f.Quantizations...)
		all.GPUs = append(all.GPUs, f.GPUs...)
		all.Benchmarks = append(all.Benchmarks, f.Benchmarks...)
		if f.Defaults != nil {
			all.Defaults = f.Defaults
		}
	}
	return all, nil
}
