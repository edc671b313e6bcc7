package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmcost/llmcost/internal/fakeupstream"
	"github.com/llmcost/llmcost/pkg/ledger"
)

type proxyProc struct {
	cmd  *exec.Cmd
	addr string
	err  bytes.Buffer
}

var listenLine = regexp.MustCompile(`listening on http://(\S+)`)

// startProxy runs `llmcost route --listen 127.0.0.1:0` as a child process
// and reads the address it prints.
func startProxy(t *testing.T, args ...string) *proxyProc {
	t.Helper()
	return startProxyEnv(t, nil, args...)
}

func startProxyEnv(t *testing.T, env []string, args ...string) *proxyProc {
	t.Helper()
	p := &proxyProc{cmd: helperCommand(append([]string{"route", "--listen", "127.0.0.1:0"}, args...)...)}
	p.cmd.Env = append(append(p.cmd.Env, "LLMCOST_PROXY_KEYS="), env...)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = &p.err
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	br := bufio.NewReader(out)
	line, err := br.ReadString('\n')
	m := listenLine.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no address in %q (%v); stderr: %s", line, err, p.err.String())
	}
	p.addr = m[1]
	go func() { _, _ = io.Copy(io.Discard, br) }()
	return p
}

func (p *proxyProc) chat(t *testing.T, content string) (int, string) {
	t.Helper()
	resp, err := http.Post("http://"+p.addr+"/v1/chat/completions", "application/json",
		strings.NewReader(fmt.Sprintf(`{"model":"auto","messages":[{"role":"user","content":%q}]}`, content)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func readLedger(t *testing.T, path string) []ledger.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []ledger.Record
	ids := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		r, err := ledger.ParseLine([]byte(line))
		if err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		if ids[r.ID] {
			t.Fatalf("%s:%d: record %s twice", path, i+1, r.ID)
		}
		ids[r.ID] = true
		recs = append(recs, r)
	}
	return recs
}

func fakePolicy(t *testing.T, dir string) (*fakeupstream.Server, string) {
	fake := fakeupstream.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, localOnlyPolicy(t, dir, srv.URL)
}

// SIGTERM with a request in flight: the server stops, the request is cut
// at the end of the (zero) drain time and recorded as interrupted, the
// process exits 0 and the ledger has one record per request.
func TestListenSIGTERMWithRequestInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	_, pol := fakePolicy(t, dir)
	log := filepath.Join(dir, "costs.jsonl")
	p := startProxy(t, "--policy", pol, "--log", log, "--drain-timeout", "0s")
	if code, body := p.chat(t, "first"); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	resp, err := http.Post("http://"+p.addr+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"auto","stream":true,"messages":[{"role":"user","content":"slow [fault-stall-stream]"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(line, `"content":"`) && !strings.Contains(line, `"content":""`) {
			break // text is flowing: the request is in flight
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The client still connected is told why its stream ends, in its wire.
	rest, _ := io.ReadAll(br)
	if !strings.Contains(string(rest), "shutting_down") {
		t.Errorf("the cut stream ends without an error event: %q", rest)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; stderr: %s", err, p.err.String())
	}
	recs := readLedger(t, log)
	if len(recs) != 2 || recs[0].Status != ledger.StatusOK || recs[1].Status != ledger.StatusInterrupted {
		t.Fatalf("records %+v, want ok then interrupted", recs)
	}
	if recs[1].OutputTokens == nil || *recs[1].OutputTokens == 0 {
		t.Fatal("the interrupted record lost the tokens streamed so far")
	}
}

// SIGKILL, then a restart on the same ledger: the file stays valid JSONL
// with each request once, and the new process appends after it.
func TestListenSIGKILLThenRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	_, pol := fakePolicy(t, dir)
	log := filepath.Join(dir, "costs.jsonl")
	p := startProxy(t, "--policy", pol, "--log", log)
	for i := range 3 {
		if code, body := p.chat(t, fmt.Sprintf("before kill %d", i)); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	}
	_ = p.cmd.Process.Kill()
	var ee *exec.ExitError
	if err := p.cmd.Wait(); !errors.As(err, &ee) {
		t.Fatalf("want a killed process, got %v", err)
	}
	// A crash mid-write leaves a torn tail; the restart must repair it.
	f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString(`{"ts":"2026-12-03T10:00:00Z","id":"torn`)
	f.Close()
	q := startProxy(t, "--policy", pol, "--log", log)
	for i := range 2 {
		if code, body := q.chat(t, fmt.Sprintf("after restart %d", i)); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	}
	_ = q.cmd.Process.Signal(syscall.SIGTERM)
	if err := q.cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; stderr: %s", err, q.err.String())
	}
	if recs := readLedger(t, log); len(recs) != 5 {
		t.Fatalf("%d records, want 5", len(recs))
	}
	if !strings.Contains(q.err.String(), "torn last record") {
		t.Fatalf("restart did not say it repaired the torn tail: %s", q.err.String())
	}
}

// Listening beyond loopback without client keys is refused (exit 2).
func TestListenNonLoopbackNeedsKeys(t *testing.T) {
	dir := t.TempDir()
	_, pol := fakePolicy(t, dir)
	cmd := helperCommand("route", "--listen", "0.0.0.0:0", "--policy", pol, "--log", filepath.Join(dir, "c.jsonl"))
	cmd.Env = append(cmd.Env, "LLMCOST_PROXY_KEYS=")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "LLMCOST_PROXY_KEYS") {
		t.Fatalf("exit %v: %s", err, out)
	}
}

// --budget: with the month's measured spend (read from the ledger at
// start-up) over monthly_usd, cloud requests go to the local backend; with
// no local backend they get a 429 naming the limit.
func TestListenLiveBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := t.TempDir()
	fake := fakeupstream.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cloud := fmt.Sprintf(`  - {name: cloud, source: cloud, api: openai, base_url: "%s/v1", model: gpt-4o-mini, price: gpt-4o-mini, api_key_env: FAKE_KEY}
`, srv.URL)
	local := fmt.Sprintf(`  - {name: local, source: local, api: openai, base_url: "%s/v1", model: llama, hourly_usd: 1, logprobs: false}
`, srv.URL)
	hybrid := write("hybrid.yaml", "schema_version: 1\nbackends:\n"+cloud+local+"rules:\n  - when: {pii: true}\n    use: local\n  - use: cloud\n")
	cloudOnly := write("cloud.yaml", "schema_version: 1\nbackends:\n"+cloud+"rules:\n  - use: cloud\n")
	bud := write("budget.yaml", "schema_version: 1\nworkloads:\n  - name: chat\n    model: gpt-4o-mini\n    requests_per_month: 10\n    prompt_tokens: 10\n    output_tokens: 10\nlimits:\n  monthly_usd: 1\n")
	log := filepath.Join(dir, "costs.jsonl")
	seed := fmt.Sprintf(`{"ts":%q,"id":"earlier","backend":"cloud","model":"gpt-4o-mini","source":"cloud","status":"ok","error":"","attempts":1,"input_tokens":1,"output_tokens":1,"cached_tokens":null,"reasoning_tokens":null,"ttft_ms":null,"latency_ms":1,"cost_usd":5,"route_reason":"","fallback_from":"","confidence":null}`+"\n",
		time.Now().UTC().Format(time.RFC3339))
	write("costs.jsonl", seed)

	for _, c := range []struct {
		policy  string
		status  int
		backend string
	}{{hybrid, 200, "local"}, {cloudOnly, 429, "cloud"}} {
		p := startProxyEnv(t, []string{"FAKE_KEY=sk-fake-0001"}, "--policy", c.policy, "--log", log, "--budget", bud)
		code, body := p.chat(t, "hello there")
		if code != c.status || (code == 429 && !strings.Contains(body, "limits.monthly_usd")) {
			t.Fatalf("%s: %d %s", c.policy, code, body)
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		_ = p.cmd.Wait()
		recs := readLedger(t, log)
		if last := recs[len(recs)-1]; last.Backend != c.backend || !strings.Contains(last.RouteReason, "budget") {
			t.Fatalf("%s: last record %+v", c.policy, last)
		}
	}
	if fake.Stats().ByModel["gpt-4o-mini"] != 0 {
		t.Fatal("a request reached the cloud over budget")
	}

	// A request relayed unchanged (tools) is downgraded only to a local
	// backend of its own wire: OpenAI tools go to the OpenAI local; an
	// Anthropic client's tools, with only an OpenAI local, get the 429.
	claude := fmt.Sprintf(`  - {name: cloud, source: cloud, api: anthropic, base_url: %q, model: claude-haiku-4-5, price: claude-haiku-4.5, api_key_env: FAKE_KEY}
`, srv.URL)
	claudeHybrid := write("claude.yaml", "schema_version: 1\nbackends:\n"+claude+local+"rules:\n  - when: {pii: true}\n    use: local\n  - use: cloud\n")
	// An OpenAI request with temperature cannot go to an Anthropic-wire
	// local backend (that wire has no temperature): over budget it gets the
	// 429, not a downgrade that would then be refused.
	antLocal := fmt.Sprintf(`  - {name: local, source: local, api: anthropic, base_url: %q, model: llama, hourly_usd: 1}
`, srv.URL)
	antLocalHybrid := write("antlocal.yaml", "schema_version: 1\nbackends:\n"+cloud+antLocal+"rules:\n  - when: {pii: true}\n    use: local\n  - use: cloud\n")
	for _, c := range []struct {
		policy, path, body string
		status             int
		backend, want      string
	}{
		{hybrid, "/v1/chat/completions", `{"model":"auto","tools":[{"type":"function","function":{"name":"get_weather"}}],"messages":[{"role":"user","content":"weather?"}]}`, 200, "local", `"tool_calls"`},
		{claudeHybrid, "/v1/messages", `{"model":"auto","max_tokens":50,"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"weather?"}]}`, 429, "cloud", "limits.monthly_usd"},
		{antLocalHybrid, "/v1/chat/completions", `{"model":"auto","temperature":0.5,"messages":[{"role":"user","content":"hi"}]}`, 429, "cloud", "limits.monthly_usd"},
	} {
		p := startProxyEnv(t, []string{"FAKE_KEY=sk-fake-0001"}, "--policy", c.policy, "--log", log, "--budget", bud)
		resp, err := http.Post("http://"+p.addr+c.path, "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.want) {
			t.Fatalf("%s: %d %s", c.policy, resp.StatusCode, b)
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		_ = p.cmd.Wait()
		recs := readLedger(t, log)
		if last := recs[len(recs)-1]; last.Backend != c.backend || !strings.Contains(last.RouteReason, "budget") {
			t.Fatalf("%s: last record %+v", c.policy, last)
		}
	}
	if st := fake.Stats(); st.ByModel["gpt-4o-mini"] != 0 || st.ByModel["claude-haiku-4-5"] != 0 {
		t.Fatal("a request reached the cloud over budget")
	}
}
