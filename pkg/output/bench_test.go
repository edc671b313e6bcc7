package output_test

import (
	"fmt"
	"testing"

	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/llmcost/llmcost/pkg/output"
)

// estimateLike is the shape of `llmcost estimate`'s table: 8 columns,
// 15 rows, mostly numbers.
var estimateLike = func() res {
	t := output.TableData{
		Title:   "10.0M tokens/month (7.5M in, 2.5M out), prices as of 2026-11-27",
		Headers: []string{"Option", "Kind", "Monthly", "Per 1M (effective)", "Input $/1M", "Output $/1M", "Upfront", "Price from"},
		Align:   []output.Align{output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Right, output.Left},
	}
	for i := range 15 {
		t.Rows = append(t.Rows, []string{fmt.Sprintf("model-%d-flash", i), "cloud", fmt.Sprintf("$%d.38", i), "$0.1375", "$0.05", "$0.40", "$0.00", "2025-08-07"})
	}
	return res{t}
}()

// BenchmarkTable renders estimate's table the three ways people see it.
func BenchmarkTable(b *testing.B) {
	for _, c := range []struct {
		name string
		tty  bool
		f    output.Format
	}{{"piped", false, output.Table}, {"terminal", true, output.Table}, {"markdown", false, output.Markdown}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				ios, _, _, _ := iostreams.Test()
				ios.SetTTY(false, c.tty, false)
				if err := output.Write(ios, c.f, estimateLike); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
