package budget_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := budget.Schema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(budget.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(budget.SchemaID)
	if err != nil {
		t.Fatalf("the generated schema does not compile: %v", err)
	}
	return s
}

// yamlDoc turns a YAML file into the JSON value a schema validator sees
// (what an editor's YAML language server does).
func yamlDoc(t *testing.T, path string) any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(raw, &node); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var v any
	if err := node.Decode(&v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	js, err := json.Marshal(datesAsText(v))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// datesAsText undoes yaml.v3's decoding of 2026-11-01 into a time.Time:
// a YAML language server hands the schema the date as text.
func datesAsText(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = datesAsText(e)
		}
	case []any:
		for i, e := range x {
			x[i] = datesAsText(e)
		}
	case time.Time:
		return x.Format(time.DateOnly)
	}
	return v
}

func TestSchemaAcceptsExamples(t *testing.T) {
	s := compileSchema(t)
	cat, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "budgets", "*.yaml"))
	if len(files) < 3 {
		t.Fatalf("only %d example budgets", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := s.Validate(yamlDoc(t, f)); err != nil {
				t.Fatalf("schema rejects an example: %v", err)
			}
			raw, _ := os.ReadFile(f)
			cfg, err := budget.Decode(f, raw)
			if err != nil {
				t.Fatalf("loader rejects an example: %v", err)
			}
			if _, err := budget.Check(cat, []*budget.Config{cfg}, budget.Options{Today: today}); err != nil {
				t.Fatalf("example does not price: %v", err)
			}
		})
	}
}

func TestSchemaRejectsBroken(t *testing.T) {
	s := compileSchema(t)
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "budgets", "invalid", "*.yaml"))
	if len(files) < 5 {
		t.Fatalf("only %d broken budgets", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := s.Validate(yamlDoc(t, f)); err == nil {
				t.Errorf("schema accepts a broken budget")
			}
			raw, _ := os.ReadFile(f)
			if _, err := budget.Decode(f, raw); err == nil {
				t.Errorf("loader accepts a broken budget")
			}
		})
	}
}

func realCat(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
