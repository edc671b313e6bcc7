package budget_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/budget"
)

// FuzzDecode: any input either decodes into a config that prices (or is
// rejected with located, bad-input errors), and never panics.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "budgets", "*", "*.yaml"))
	top, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "budgets", "*.yaml"))
	for _, p := range append(files, top...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add(one("flat", ""))
	f.Add(strings.Replace(one("tiered", ""), "prompt_tokens: 1000", "prompt_tokens: [{tokens: 1, share: 0.3}, {tokens: 300k, share: 70%}]", 1))
	f.Add("schema_version: 1\nworkloads: [{name: a, model: flat, requests_per_month: 1, prompt_tokens: {p50: 1, p90: 1, p99: 1}, output_tokens: 0}]\n")
	cat := testCat(f)
	f.Fuzz(func(t *testing.T, src string) {
		cfg, err := budget.Decode("f.yaml", []byte(src))
		if err != nil {
			var be *budget.Error
			if !errors.As(err, &be) || len(be.Issues) == 0 {
				t.Fatalf("decode error is not a located budget error: %T %v", err, err)
			}
			for _, is := range be.Issues {
				if is.File != "f.yaml" {
					t.Fatalf("issue without the file: %+v", is)
				}
			}
			return
		}
		r, err := budget.Check(cat, []*budget.Config{cfg}, budget.Options{Today: today})
		if err != nil {
			var be *budget.Error
			if !errors.As(err, &be) {
				t.Fatalf("check error is not a budget error: %T %v", err, err)
			}
			return
		}
		if r.TotalMonthlyUSD.IsNegative() {
			t.Fatalf("negative total %s", r.TotalMonthlyUSD)
		}
	})
}
