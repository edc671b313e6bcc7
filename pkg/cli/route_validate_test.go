package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/llmcost/llmcost/pkg/ledger"
)

// TestRouteBadPromptsFileSendsNothing: a prompts file is checked whole
// before the first prompt is sent, so a bad line anywhere means exit 2
// with file:line, nothing on stdout, nothing sent and no log written.
func TestRouteBadPromptsFileSendsNothing(t *testing.T) {
	const good = `{"id":"a","prompt":"say hi"}` + "\n" + `{"id":"b","prompt":"reverse a list in Go","task":"code"}` + "\n"
	for _, tc := range []struct {
		name, body string
		dryRun     bool
		wantAt     string
	}{
		{"bad json after good lines", good + "{bad json\n", false, ":3: not a prompt object"},
		{"duplicate id", good + `{"id":"a","prompt":"again"}` + "\n", false, `:3: id: "a" repeats line 1`},
		{"duplicate id in a dry run", good + `{"id":"b","prompt":"again"}` + "\n", true, `:3: id: "b" repeats line 2`},
		{"missing prompt on the last line", good + `{"id":"c"}`, false, ":3: prompt: required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFakeServers(t)
			dir := t.TempDir()
			prompts := writePrompts(t, dir, tc.body)
			logPath := filepath.Join(dir, "costs.jsonl")
			args := []string{"route", "-f", prompts, "--policy", fs.policy(t, dir), "--log", logPath, "--format", "json"}
			if tc.dryRun {
				args = append(args, "--dry-run")
			}
			res := run(t, map[string]string{"ANTHROPIC_API_KEY": "k"}, args...)
			if res.code != ExitBadInput || !strings.Contains(res.stderr, prompts+tc.wantAt) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", res.code, res.stderr, prompts+tc.wantAt)
			}
			if res.stdout != "" {
				t.Errorf("stdout %q, want nothing", res.stdout)
			}
			if n := len(fs.localGot) + len(fs.cloudGot); n != 0 {
				t.Errorf("%d prompts sent before the bad line was found", n)
			}
			if _, err := os.Stat(logPath); !os.IsNotExist(err) {
				t.Errorf("log written: %v", err)
			}
		})
	}
}

// TestRouteStdinStreams: stdin cannot be read twice, so it is streamed
// and a bad line stops the run there; what came before was sent and
// logged (documented in the help).
func TestRouteStdinStreams(t *testing.T) {
	fs := newFakeServers(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "costs.jsonl")
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(`{"id":"a","prompt":"say hi"}` + "\n" + `{"id":"b","prompt":"say ho"}` + "\n{bad json\n")
	f := NewFactory(ios, func(k string) string { return map[string]string{"ANTHROPIC_API_KEY": "k"}[k] })
	f.Now = func() time.Time { return fixedNow }
	code := Run(context.Background(), f, []string{"route", "-f", "-", "--policy", fs.policy(t, dir), "--log", logPath, "--format", "json", "--concurrency", "1"})
	if code != ExitBadInput || !strings.Contains(errOut.String(), "-:3: not a prompt object") {
		t.Fatalf("exit %d stderr %s", code, errOut.String())
	}
	recs, _, err := ledger.ReadAll(logPath)
	if err != nil || len(recs) != 2 || len(fs.localGot) != 2 {
		t.Fatalf("records %d (%v), local got %q; want the 2 prompts before the bad line", len(recs), err, fs.localGot)
	}
	if !strings.Contains(out.String(), `"requests": 2`) {
		t.Errorf("summary of what was done: %s", out.String())
	}
}

// TestRouteCheckPolicyLocalLabel: `source: local` must point at a server
// that is not a cloud API (exit 2, file:line), and a public host that is
// not known to be a cloud API only gets a warning on stderr.
func TestRouteCheckPolicyLocalLabel(t *testing.T) {
	dir := t.TempDir()
	write := func(name, local string) string {
		p := filepath.Join(dir, name)
		y := "schema_version: 1\nbackends:\n  - name: mine\n    source: local\n" + local +
			"    model: m\n    hourly_usd: 1\nrules:\n  - use: mine\n"
		if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, local, want string }{
		{"anthropic default", "    api: anthropic\n", ":4: backends[0].source: \"local\" needs an explicit base_url"},
		{"openrouter", "    api: openai\n    base_url: https://openrouter.ai/api/v1\n", ":4: backends[0].source: \"local\" but base_url host openrouter.ai is a cloud API"},
	} {
		p := write(tc.name+".yaml", tc.local)
		res := run(t, nil, "route", "--check-policy", p)
		if res.code != ExitBadInput || !strings.Contains(res.stderr, p+tc.want) || res.stdout != "" {
			t.Errorf("%s: exit %d stderr %q stdout %q; want 2 and %q", tc.name, res.code, res.stderr, res.stdout, p+tc.want)
		}
	}

	public := write("public.yaml", "    api: openai\n    base_url: https://gpu.example.com/v1\n")
	res := run(t, nil, "route", "--check-policy", public)
	if res.code != 0 || !strings.Contains(res.stderr, "warning: "+public+":6: backends[0].base_url: host gpu.example.com is not on a private network") {
		t.Errorf("public host: exit %d stderr %q; want 0 and a warning", res.code, res.stderr)
	}
	private := write("private.yaml", "    api: openai\n    base_url: http://127.0.0.1:8000/v1\n")
	if res := run(t, nil, "route", "--check-policy", private); res.code != 0 || res.stderr != "" {
		t.Errorf("127.0.0.1: exit %d stderr %q; want 0 and no warning", res.code, res.stderr)
	}
}
