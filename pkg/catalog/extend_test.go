package catalog_test

import (
	"testing"
	"testing/fstest"

	"github.com/llmcost/llmcost/pkg/catalog"
)

const withGPUsYAML = `schema_version: 1
gpus:
  - id: m2-max
    vendor: apple
    class: apple
    memory: unified
    aliases: [apple-m2-max]
    vram_gb: 96
    bandwidth_gbs: 400
    source: spec sheet
    verified: 2026-01-01
`

func TestWithGPUs(t *testing.T) {
	cat, err := catalog.Load(catalog.Source{FS: fstest.MapFS{"gpus.yaml": {Data: []byte(withGPUsYAML)}}, Origin: "t"})
	if err != nil {
		t.Fatal(err)
	}
	orig, err := cat.GPU("m2-max")
	if err != nil {
		t.Fatal(err)
	}
	d := *orig
	d.ID, d.Aliases = catalog.Ident{V: "m2-max-64gb"}, nil
	ext, err := cat.WithGPUs(d)
	if err != nil {
		t.Fatal(err)
	}
	if g, err := ext.GPU("M2-Max-64GB"); err != nil || g.ID.V != "m2-max-64gb" {
		t.Errorf("derived: %v %v", g, err)
	}
	if g, err := ext.GPU("apple-m2-max"); err != nil || g.ID.V != "m2-max" {
		t.Errorf("original alias: %v %v", g, err)
	}
	if _, err := cat.GPU("m2-max-64gb"); err == nil {
		t.Error("the original catalog changed")
	}
	if len(ext.GPUIDs()) != len(cat.GPUIDs())+1 {
		t.Errorf("ids %v", ext.GPUIDs())
	}
	d.ID = catalog.Ident{V: "other"}
	d.Aliases = []string{"apple-m2-max"}
	if _, err := cat.WithGPUs(d); err == nil {
		t.Error("an alias of another GPU was accepted")
	}
}
