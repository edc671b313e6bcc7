package cli

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/iostreams"
)

// readmeExample is one "$ llmcost ..." block of README.md and the output
// it shows.
type readmeExample struct {
	line int
	args []string
	want []string
}

// readmeExamples reads the self-contained examples of README.md: those
// that run llmcost alone and print the same anywhere, any day (no pipe,
// no GPU detection, no catalog directory of the reader's, no files
// written, no "N days ago" unless --as-of fixes the day).
func readmeExamples(t *testing.T) []readmeExample {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out []readmeExample
	inBlock := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "```") {
			inBlock = !inBlock
			continue
		}
		if !inBlock || !strings.HasPrefix(l, "$ llmcost ") {
			continue
		}
		ex := readmeExample{line: i + 1}
		cmd := strings.TrimPrefix(l, "$ llmcost ")
		for strings.HasSuffix(cmd, `\`) && i+1 < len(lines) {
			i++
			cmd = strings.TrimSuffix(cmd, `\`) + " " + strings.TrimSpace(lines[i])
		}
		for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "```") && !strings.HasPrefix(lines[i+1], "$ ") {
			i++
			ex.want = append(ex.want, lines[i])
		}
		if strings.ContainsAny(cmd, "|>$") || strings.Contains(cmd, "auto") || strings.Contains(cmd, "--catalog") ||
			strings.HasPrefix(cmd, "hardware") || strings.HasPrefix(cmd, "catalog lint") && !strings.Contains(cmd, "--as-of") {
			continue
		}
		// Plots are files: the example runs without them, and without
		// the lines that say they were written.
		for _, a := range strings.Fields(cmd) {
			if n := len(ex.args); n > 0 && strings.HasPrefix(ex.args[n-1], "--plot") {
				ex.args = ex.args[:n-1]
				continue
			}
			ex.args = append(ex.args, a)
		}
		ex.want = slices.DeleteFunc(ex.want, func(l string) bool { return strings.HasPrefix(l, "wrote ") && strings.HasSuffix(l, ".svg") })
		out = append(out, ex)
	}
	return out
}

var asOfRE = regexp.MustCompile(`(?:prices as of|--as-of) (\d{4}-\d{2}-\d{2})`)

// TestREADMEExamplesMatchTheBinary runs every self-contained example of
// the README and compares its output line by line ("…" stands for any
// lines), on the date the example shows: the README must say what
// llmcost prints.
func TestREADMEExamplesMatchTheBinary(t *testing.T) {
	exs := readmeExamples(t)
	if len(exs) < 5 {
		t.Fatalf("%d README examples found; the parser lost them", len(exs))
	}
	for _, ex := range exs {
		now := fixedNow
		if m := asOfRE.FindStringSubmatch(strings.Join(ex.want, "\n")); m != nil {
			d, err := time.Parse(time.DateOnly, m[1])
			if err != nil {
				t.Fatal(err)
			}
			now = d.Add(12 * time.Hour)
		}
		ios, _, stdout, stderr := iostreams.Test()
		f := NewFactory(ios, func(string) string { return "" })
		f.Now = func() time.Time { return now }
		if code := Run(context.Background(), f, ex.args); code != 0 && code != 1 {
			t.Errorf("README.md:%d: llmcost %s: exit %d: %s", ex.line, strings.Join(ex.args, " "), code, stderr)
			continue
		}
		got := strings.Split(strings.TrimRight(stdout.String()+stderr.String(), "\n"), "\n")
		if diff := matchElided(ex.want, got); diff != "" {
			t.Errorf("README.md:%d: llmcost %s: %s\n--- README ---\n%s\n--- llmcost prints ---\n%s", ex.line, strings.Join(ex.args, " "), diff,
				strings.Join(ex.want, "\n"), strings.Join(got, "\n"))
		}
	}
}

// matchElided compares want with got line by line, where a want line
// "…" matches any run of got lines (up to the next want line).
func matchElided(want, got []string) string {
	g := 0
	for w := 0; w < len(want); w++ {
		if strings.TrimSpace(want[w]) == "…" {
			if w+1 == len(want) {
				return ""
			}
			for g < len(got) && strings.TrimRight(got[g], " ") != strings.TrimRight(want[w+1], " ") {
				g++
			}
			continue
		}
		if g >= len(got) {
			return "the README shows more lines than llmcost prints, from: " + want[w]
		}
		if strings.TrimRight(got[g], " ") != strings.TrimRight(want[w], " ") {
			return "first difference:\n  README: " + want[w] + "\n  llmcost: " + got[g]
		}
		g++
	}
	if g < len(got) {
		return "llmcost prints more than the README shows, from: " + got[g]
	}
	return ""
}
