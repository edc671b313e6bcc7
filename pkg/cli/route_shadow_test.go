package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPolicyShadowSection(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("..", "..", "testdata", "policies", "route.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, shadow string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, append(append([]byte{}, base...), shadow...), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", "shadow: {to: claude, sample: 0.1}\n")
	r := run(t, nil, "route", "--check-policy", good)
	mustOK(t, r)
	containsAll(t, r.stdout, "shadow: 10% of route --listen requests also go to claude")

	bad := write("bad.yaml", "shadow:\n  to: gpu-box\n  sample: 1.5\n")
	r = run(t, nil, "route", "--check-policy", bad)
	if r.code != ExitBadInput || !strings.Contains(r.stderr, bad+":29: shadow.to: unknown backend \"gpu-box\"") ||
		!strings.Contains(r.stderr, bad+":30: shadow.sample: 1.5 is outside [0, 1]") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
}
