package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/spf13/cobra"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedNow is the clock every CLI test runs on.
var fixedNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

type runResult struct {
	code   int
	stdout string
	stderr string
}

// run executes llmcost in-process with a fixed clock, no terminal and a
// controlled environment.
func run(t *testing.T, env map[string]string, args ...string) runResult {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	getenv := func(k string) string { return env[k] }
	f := NewFactory(ios, getenv)
	f.Now = func() time.Time { return fixedNow }
	code := Run(context.Background(), f, args)
	return runResult{code, out.String(), errOut.String()}
}

// golden compares got with testdata/golden/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./pkg/cli -update` to create it)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs from golden file (run `go test ./pkg/cli -update` if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func mustOK(t *testing.T, r runResult) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}

func containsAll(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("output lacks %q:\n%s", sub, s)
		}
	}
}

type cobraCommand = cobra.Command

func allCommands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		out = append(out, allCommands(sub)...)
	}
	return out
}
