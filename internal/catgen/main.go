// Command catgen compiles data/**/*.yaml into data/catalog_gen.go (run by
// `go generate ./data`; see pkg/catalog/snapshot.go for why).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/llmcost/llmcost/pkg/catalog"
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, err := catalog.ParseYAML(catalog.Source{FS: os.DirFS(dir), Origin: "data"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	src, err := catalog.GenerateGo("data", files)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	out := filepath.Join(dir, "catalog_gen.go")
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if err := os.Rename(tmp, out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}
