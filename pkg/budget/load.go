package budget

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/fileissue"

	"go.yaml.in/yaml/v3"
)

// Issue is one problem in a budget file, at file:line, naming the field.
type Issue = fileissue.Issue

// Error collects every issue found, so one run shows them all.
type Error = fileissue.Error

type issues = fileissue.List

// errKind starts every budget error message.
const errKind = "budget"

// allowed keys per Go type, for "unknown key (allowed: …)".
var allowedKeys = map[string]func() string{
	"budget.Config":          func() string { return keysOf(Config{}) },
	"budget.Workload":        func() string { return keysOf(Workload{}) },
	"budget.Limits":          func() string { return keysOf(Limits{}) },
	"budget.Assumptions":     func() string { return keysOf(Assumptions{}) },
	"budget.RateOverride":    func() string { return keysOf(RateOverride{}) },
	"budget.Quantiles":       func() string { return "p50, p90, p99" },
	"budget.HistogramBucket": func() string { return "tokens, share" },
}

// Decode strictly parses one budget file: unknown keys, wrong types and
// YAML syntax errors are issues with the file, line and field; then the
// config is validated on its own (the catalog is checked by Evaluate).
func Decode(name string, data []byte) (*Config, error) {
	cfg := &Config{File: name}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(cfg)
	if errors.Is(err, io.EOF) {
		return nil, &Error{Kind: errKind, Issues: []Issue{{File: name, Msg: "empty file; a budget needs schema_version: 1 and workloads"}}}
	}
	if err != nil {
		return nil, issues(yamlIssues(name, data, err)).Err(errKind)
	}
	var extra any
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{Kind: errKind, Issues: []Issue{{File: name, Msg: "more than one YAML document; a budget file holds one"}}}
	}
	cfg.File = name
	var is issues
	validate(&is, cfg)
	if err := is.Err(errKind); err != nil {
		return nil, err
	}
	return cfg, nil
}

func yamlIssues(name string, data []byte, err error) []Issue {
	out := fileissue.FromYAML(name, err, func(typeName string) string {
		if allowed, ok := allowedKeys[typeName]; ok {
			return allowed()
		}
		return ""
	})
	var paths map[int]string // built only when an error needs it
	var values map[[2]int]string
	for i := range out {
		iss := &out[i]
		if iss.Line == 0 {
			continue
		}
		if paths == nil {
			paths, values = fieldPaths(data)
		}
		if col, msg, ok := fileissue.CutColumn(iss.Msg); ok {
			iss.Msg = msg
			if p, ok := values[[2]int{iss.Line, col}]; ok {
				iss.Field = p
				continue
			}
		}
		unknown := iss.Field // FromYAML names an unknown key here
		iss.Field = paths[iss.Line]
		// On a flow-style line ({p50: 1, p95: 2}) the unknown key is
		// not the outermost one: name it.
		if unknown != "" && iss.Field != unknown && !strings.HasSuffix(iss.Field, "."+unknown) {
			iss.Field = strings.TrimPrefix(iss.Field+"."+unknown, ".")
		}
	}
	return out
}

// fieldPaths maps each line to the outermost key path on it, e.g.
// "workloads[1].prompt_tokens", so a decoding error names its field. A
// sequence item yields its line to the item's first key ("- name: x"
// is workloads[0].name). values maps the line and column where each
// key's value starts to the key's path, for errors that carry a column.
func fieldPaths(data []byte) (map[int]string, map[[2]int]string) {
	paths := map[int]string{}
	values := map[[2]int]string{}
	items := map[int]bool{} // lines claimed by a sequence item only
	for _, v := range fileissue.Values(data) {
		if _, ok := paths[v.KeyLine]; !ok || (items[v.KeyLine] && !v.Item) {
			paths[v.KeyLine], items[v.KeyLine] = v.Path, v.Item
		}
		if !v.Item {
			values[[2]int{v.Line, v.Column}] = v.Path
		}
	}
	return paths, values
}

func keysOf(v any) string {
	return strings.Join(fileissue.YAMLKeys(reflect.TypeOf(v)), ", ")
}

var validTTL = map[string]bool{"": true, "5m": true, "1h": true}
var validPrivacy = map[string]bool{"": true, "none": true, "contractual": true, "regulated": true}
var validHosting = map[string]bool{"": true, "owned": true, "rented": true}

func validate(is *issues, c *Config) {
	f := c.File
	switch {
	case c.SchemaVersion.Line == 0:
		is.Add(f, 1, "schema_version", "is required (schema_version: 1)")
		return
	case c.SchemaVersion.N != 1:
		is.Add(f, c.SchemaVersion.Line, "schema_version", "must be 1 (got %d)", c.SchemaVersion.N)
		return
	}
	if len(c.Workloads) == 0 {
		is.Add(f, 1, "workloads", "a budget needs at least one workload")
	}
	names := map[string]int{}
	for i := range c.Workloads {
		w := &c.Workloads[i]
		p := fmt.Sprintf("workloads[%d].", i)
		l := w.Line
		switch {
		case w.Name.V == "":
			is.Add(f, l, p+"name", "is required")
		case names[w.Name.V] > 0:
			is.Add(f, l, p+"name", "%q is used twice (first on line %d)", w.Name.V, names[w.Name.V])
		default:
			names[w.Name.V] = l
		}
		if w.Model.V == "" {
			is.Add(f, l, p+"model", "is required (a catalog id such as gpt-4o-mini; see llmcost catalog list)")
		}
		if !w.RequestsPerMonth.Set {
			is.Add(f, l, p+"requests_per_month", "is required")
		}
		if !w.PromptTokens.Set {
			is.Add(f, l, p+"prompt_tokens", "is required (tokens per request, or {p50, p90, p99})")
		} else {
			for _, b := range w.PromptTokens.Buckets {
				if b.Tokens == 0 {
					is.Add(f, w.PromptTokens.Line, p+"prompt_tokens", "a request has at least one prompt token")
					break
				}
			}
		}
		if !w.OutputTokens.Set {
			is.Add(f, l, p+"output_tokens", "is required (tokens per request, or {p50, p90, p99})")
		}
		if w.CachedShare.D.Add(w.CacheWriteShare.D).GreaterThan(one) {
			is.Add(f, w.CacheWriteShare.Line, p+"cache_write_share", "cached_share %s plus cache_write_share %s exceed 1", w.CachedShare.D, w.CacheWriteShare.D)
		}
		if !validTTL[w.CacheWriteTTL.V] {
			is.Add(f, w.CacheWriteTTL.Line, p+"cache_write_ttl", "%q is not 5m or 1h", w.CacheWriteTTL.V)
		}
		if !validHosting[w.Hosting.V] {
			is.Add(f, w.Hosting.Line, p+"hosting", "%q is not owned or rented", w.Hosting.V)
		}
		if (w.Hosting.V != "" || w.Concurrency.Set) && !strings.Contains(w.Model.V, "@") {
			is.Add(f, max(w.Hosting.Line, w.Concurrency.Line), p+"hosting", "hosting and concurrency apply to local options (MODEL@GPU) only")
		}
		if w.Concurrency.Set && w.Concurrency.N > 4096 {
			is.Add(f, w.Concurrency.Line, p+"concurrency", "%d requests at once per machine is not plausible", w.Concurrency.N)
		}
		if !validPrivacy[w.Privacy.V] {
			is.Add(f, w.Privacy.Line, p+"privacy", "%q is not none, contractual or regulated", w.Privacy.V)
		}
	}
	for _, e := range c.Limits.Workloads.Entries {
		if names[e.Key.V] == 0 {
			msg := "names no workload of this file"
			if s := closest(e.Key.V, c.Workloads); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			is.Add(f, e.Key.Line, "limits.workloads."+e.Key.V, "%s", msg)
		}
	}
	for _, e := range c.Assumptions.Discounts.Entries {
		if e.Value.D.Equal(one) {
			is.Add(f, e.Key.Line, "assumptions.discounts."+e.Key.V, "a 100%% discount makes the model free; remove the workload instead")
		}
	}
}

func closest(name string, ws []Workload) string {
	best, bestD := "", 1<<30
	for _, w := range ws {
		if d := catalog.EditDistance(strings.ToLower(name), strings.ToLower(w.Name.V)); d < bestD {
			best, bestD = w.Name.V, d
		}
	}
	if bestD <= max(2, len(name)/3) {
		return best
	}
	return ""
}
