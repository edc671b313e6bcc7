// Command catgen writes data/catalog.snapshot.gob from data/**/*.yaml
// (run by `go generate ./data`; see pkg/catalog/snapshot.go for why).
package main

import (
	"bytes"
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
	var buf bytes.Buffer
	if err := catalog.WriteSnapshot(&buf, catalog.Source{FS: os.DirFS(dir), Origin: "data"}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := filepath.Join(dir, "catalog.snapshot.gob")
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	if err := os.Rename(tmp, out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}
