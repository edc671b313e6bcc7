// Package data holds llmcost's catalog, embedded into the binary so that
// `llmcost estimate` works with no files, keys or network.
package data

import "embed"

// FS is the embedded catalog: every YAML file under data/.
//
//go:embed *.yaml cloud/*.yaml local/*.yaml
var FS embed.FS
