// Package data holds llmcost's catalog, embedded into the binary so that
// `llmcost estimate` works with no files, keys or network.
package data

import "embed"

//go:generate go run ../internal/catgen .

// FS is the embedded catalog: every YAML file under data/ (the source of
// truth, shown in error messages and by `catalog validate`).
//
//go:embed *.yaml cloud/*.yaml local/*.yaml
var FS embed.FS
