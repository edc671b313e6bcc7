package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/route"
)

const sentinelKey = "sk-ant-SENTINEL-must-never-be-printed-0123456789"

// fakeServers are an OpenAI-compatible local server and an Anthropic
// cloud server on 127.0.0.1 that record every prompt they receive.
type fakeServers struct {
	local, cloud *httptest.Server
	mu           sync.Mutex
	cloudGot     []string
	localGot     []string
	cloudStatus  int // when set, the cloud answers this status with the key echoed
}

func newFakeServers(t *testing.T) *fakeServers {
	fs := &fakeServers{}
	fs.local = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Content any } `json:"messages"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &req)
		prompt := fmt.Sprint(req.Messages[0].Content)
		fs.mu.Lock()
		fs.localGot = append(fs.localGot, prompt)
		fs.mu.Unlock()
		lp := -0.01
		if strings.Contains(prompt, "hard") {
			lp = -3 // low confidence: the policy escalates
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":"llama","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop","logprobs":{"content":[{"token":"ok","logprob":%g,"bytes":[111,107],"top_logprobs":[]}]}}],"usage":{"prompt_tokens":12,"completion_tokens":1,"total_tokens":13}}`, lp)
	}))
	fs.cloud = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct {
				Content []struct{ Text string } `json:"content"`
			} `json:"messages"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &req)
		prompt := string(body)
		if len(req.Messages) > 0 && len(req.Messages[0].Content) > 0 {
			prompt = req.Messages[0].Content[0].Text
		}
		fs.mu.Lock()
		fs.cloudGot = append(fs.cloudGot, prompt)
		status := fs.cloudStatus
		fs.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if status != 0 {
			w.WriteHeader(status)
			// A hostile or buggy server echoing the key back.
			fmt.Fprintf(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key %s"}}`, r.Header.Get("X-Api-Key"))
			return
		}
		fmt.Fprint(w, `{"model":"claude-haiku-4-5","id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"fine"}],"stop_reason":"end_turn","usage":{"input_tokens":500,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":20}}`)
	}))
	t.Cleanup(func() { fs.local.Close(); fs.cloud.Close() })
	return fs
}

func (fs *fakeServers) policy(t *testing.T, dir string) string {
	p := filepath.Join(dir, "route.yaml")
	y := fmt.Sprintf(`schema_version: 1
backends:
  - name: local-llama
    source: local
    api: openai
    base_url: %s/v1
    model: llama
    hourly_usd: 0.74
  - name: claude
    source: cloud
    api: anthropic
    base_url: %s
    model: claude-haiku-4-5
    price: claude-haiku-4.5
    api_key_env: ANTHROPIC_API_KEY
rules:
  - when: {pii: true}
    use: local-llama
  - when: {task: [code]}
    use: claude
  - use: local-llama
fallback:
  from: local-llama
  to: claude
  min_confidence: 0.5
`, fs.local.URL, fs.cloud.URL)
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func writePrompts(t *testing.T, dir, body string) string {
	p := filepath.Join(dir, "prompts.jsonl")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const routePrompts = `{"id":"pii","prompt":"my card is 4111 1111 1111 1111, is it valid?","task":"code"}
{"id":"code","prompt":"reverse a list in Go","task":"code"}
{"id":"easy","prompt":"say hi"}
{"id":"hard","prompt":"a hard question"}
{"id":"hardpii","prompt":"a hard question from jane@example.com"}
`

func TestRouteEndToEnd(t *testing.T) {
	fs := newFakeServers(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "costs.jsonl")
	env := map[string]string{"ANTHROPIC_API_KEY": sentinelKey}
	res := run(t, env, "route", "-f", writePrompts(t, dir, routePrompts), "--policy", fs.policy(t, dir), "--log", logPath, "--format", "json")
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", res.code, res.stdout, res.stderr)
	}
	for _, got := range fs.cloudGot {
		if strings.Contains(got, "4111") || strings.Contains(got, "jane@") {
			t.Fatalf("cloud received a PII prompt: %q", got)
		}
	}
	if len(fs.cloudGot) != 2 { // "code" by rule, "hard" by fallback
		t.Errorf("cloud got %q, want the code prompt and the escalated hard one", fs.cloudGot)
	}
	recs, _, err := ledger.ReadAll(logPath)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]ledger.Record{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	if len(recs) != 5 || len(byID) != 5 {
		t.Fatalf("%d records for %d ids, want 5 and 5", len(recs), len(byID))
	}
	if r := byID["hard"]; r.Backend != "claude" || r.FallbackFrom != "local-llama" || r.Escalated == nil || r.CostUSD == nil {
		t.Errorf("hard: %+v", r)
	}
	if r := byID["hardpii"]; r.Backend != "local-llama" || r.FallbackFrom != "" || len(r.PII) == 0 {
		t.Errorf("hardpii must stay local despite low confidence: %+v", r)
	}
	// 500 in × $1/1M + 20 out × $5/1M = $0.0006
	if r := byID["code"]; r.CostUSD == nil || r.CostUSD.String() != "0.0006" || *r.InputTokens != 500 {
		t.Errorf("code cost %+v", r.CostUSD)
	}
	var out struct {
		SchemaVersion int `json:"schema_version"`
		Total         struct {
			Requests int64   `json:"requests"`
			OK       int64   `json:"ok"`
			CostUSD  float64 `json:"cost_usd"`
		} `json:"total"`
		Backends []struct {
			Backend string `json:"backend"`
		} `json:"backends"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, res.stdout)
	}
	if out.SchemaVersion != 1 || out.Total.Requests != 5 || out.Total.OK != 5 || out.Total.CostUSD <= 0 || len(out.Backends) != 2 {
		t.Errorf("summary %+v", out)
	}
	raw, _ := os.ReadFile(logPath)
	for _, s := range []string{res.stdout, res.stderr, string(raw)} {
		if strings.Contains(s, sentinelKey) {
			t.Fatal("the API key leaked")
		}
		if strings.Contains(s, "reverse a list") {
			t.Fatal("prompt text logged without --log-prompts")
		}
	}
}

func TestRouteAuthErrorNeverPrintsKey(t *testing.T) {
	fs := newFakeServers(t)
	fs.cloudStatus = http.StatusUnauthorized
	dir := t.TempDir()
	logPath := filepath.Join(dir, "costs.jsonl")
	env := map[string]string{"ANTHROPIC_API_KEY": sentinelKey}
	res := run(t, env, "route", "-f", writePrompts(t, dir, `{"id":"c","prompt":"x","task":"code"}`+"\n"), "--policy", fs.policy(t, dir), "--log", logPath)
	if res.code != ExitNegative {
		t.Fatalf("exit %d, want 1 (a prompt failed)\n%s", res.code, res.stderr)
	}
	raw, _ := os.ReadFile(logPath)
	if !strings.Contains(string(raw), `"status":"error"`) {
		t.Fatalf("log: %s", raw)
	}
	for _, s := range []string{res.stdout, res.stderr, string(raw)} {
		if strings.Contains(s, sentinelKey) || strings.Contains(s, "SENTINEL") {
			t.Fatalf("the API key leaked:\n%s", s)
		}
	}
}

func TestRouteMissingKeyIsBadInput(t *testing.T) {
	fs := newFakeServers(t)
	dir := t.TempDir()
	res := run(t, nil, "route", "-f", writePrompts(t, dir, routePrompts), "--policy", fs.policy(t, dir), "--log", filepath.Join(dir, "c.jsonl"))
	if res.code != ExitBadInput || !strings.Contains(res.stderr, "ANTHROPIC_API_KEY") {
		t.Fatalf("exit %d stderr %s", res.code, res.stderr)
	}
}

func TestRouteDryRunSendsNothing(t *testing.T) {
	fs := newFakeServers(t)
	dir := t.TempDir()
	res := run(t, nil, "route", "-f", writePrompts(t, dir, routePrompts), "--policy", fs.policy(t, dir), "--dry-run", "--format", "csv")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if len(fs.cloudGot)+len(fs.localGot) != 0 {
		t.Fatal("dry run sent requests")
	}
	if _, err := os.Stat(filepath.Join(dir, "costs.jsonl")); err == nil {
		t.Error("dry run wrote a log without --log")
	}
	if !strings.HasPrefix(res.stdout, "backend,source,requests") || !strings.Contains(res.stdout, "claude,cloud,1,1,0,") ||
		!strings.Contains(res.stdout, "local-llama,local,4,4,0,32,1024,,,,,,,4,,") {
		t.Errorf("csv:\n%s", res.stdout)
	}
}

func TestRouteCheckPolicy(t *testing.T) {
	fs := newFakeServers(t)
	dir := t.TempDir()
	good := fs.policy(t, dir)
	res := run(t, nil, "route", "--check-policy", good)
	if res.code != 0 || !strings.Contains(res.stdout, "valid") || !strings.Contains(res.stdout, "local-llama") {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	data, _ := os.ReadFile(good)
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte(strings.Replace(string(data), "price: claude-haiku-4.5", "price: claude-nonexistent", 1)), 0o644)
	res = run(t, nil, "route", "--check-policy", bad)
	if res.code != ExitBadInput || !strings.Contains(res.stderr, bad+":14: backends[1].price") {
		t.Fatalf("exit %d stderr %s", res.code, res.stderr)
	}
}

func TestRouteFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"route", "--policy", "p.yaml"},
		{"route", "-f", "p.txt"},
		{"route", "-f", "p.txt", "--policy", "p.yaml", "--concurrency", "0"},
		{"route", "-f", "p.txt", "--policy", "p.yaml", "--resume", "--dry-run"},
		{"route", "-f", "p.txt", "--policy", "p.yaml", "--as-of", "yesterday"},
	} {
		if res := run(t, nil, args...); res.code != ExitBadInput {
			t.Errorf("%v: exit %d, want 2", args, res.code)
		}
	}
}

func TestRouteMissingPolicyNamesFlag(t *testing.T) {
	dir := t.TempDir()
	prompts := writePrompts(t, dir, "hello\n")
	for _, args := range [][]string{
		{"route", "-f", prompts, "--policy", filepath.Join(dir, "nope.yaml")},
		{"route", "--check-policy", filepath.Join(dir, "nope.yaml")},
	} {
		res := run(t, nil, args...)
		if res.code != ExitBadInput || !strings.Contains(res.stderr, args[len(args)-2]+": open ") {
			t.Errorf("%v: exit %d, stderr %q: want 2 and the flag named", args, res.code, res.stderr)
		}
	}
}

func TestRouteBadPromptLine(t *testing.T) {
	fs := newFakeServers(t)
	dir := t.TempDir()
	prompts := writePrompts(t, dir, `{"id":"a","prompt":"x"}`+"\n"+`{"id":"b","prompt":}`+"\n")
	res := run(t, map[string]string{"ANTHROPIC_API_KEY": "k"}, "route", "-f", prompts, "--policy", fs.policy(t, dir), "--log", filepath.Join(dir, "c.jsonl"))
	if res.code != ExitBadInput || !strings.Contains(res.stderr, prompts+":2:") {
		t.Fatalf("exit %d stderr %s", res.code, res.stderr)
	}
}

func TestRouteGolden(t *testing.T) {
	const policy, prompts = "../../testdata/policies/route.yaml", "../../testdata/prompts/sample.jsonl"
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		res := run(t, nil, "route", "-f", prompts, "--policy", policy, "--dry-run", "--format", format)
		mustOK(t, res)
		golden(t, "route_dry_run."+format, res.stdout)
	}
	for _, format := range []string{"table", "json"} {
		res := run(t, nil, "route", "--check-policy", policy, "--format", format)
		mustOK(t, res)
		golden(t, "route_check_policy."+format, res.stdout)
	}
}

// A dry run whose prompts fail (personal data and no local backend) does
// not point at a log it never wrote.
func TestRouteDryRunFailureNamesNoUnwrittenLog(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "cloud-only.yaml")
	if err := os.WriteFile(pol, []byte("schema_version: 1\nbackends:\n  - {name: cloud, source: cloud, api: openai, model: gpt-4o-mini, price: gpt-4o-mini, api_key_env: OPENAI_API_KEY}\nrules:\n  - use: cloud\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prompts := writePrompts(t, dir, `{"id":"a","prompt":"mail jane.doe@example.org the report"}`+"\n")
	res := run(t, map[string]string{"OPENAI_API_KEY": "x"}, "route", "-f", prompts, "--policy", pol, "--dry-run")
	if res.code != 1 || !strings.Contains(res.stderr, "1 of 1 prompts failed; a dry run writes no log; add --log FILE") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "costs.jsonl")); err == nil {
		t.Error("dry run wrote a log without --log")
	}
	log := filepath.Join(dir, "dry.jsonl")
	res = run(t, map[string]string{"OPENAI_API_KEY": "x"}, "route", "-f", prompts, "--policy", pol, "--dry-run", "--log", log)
	if res.code != 1 || !strings.Contains(res.stderr, "see the error field in "+log) {
		t.Fatalf("with --log: exit %d, stderr %q", res.code, res.stderr)
	}
}

// After Ctrl-C, a request cut short is not in Requests (it runs again
// with --resume) but its cost is unknown: the note says both, so a row of
// 0 requests with 1 unknown cost is explained, not contradictory.
func TestRouteSummaryExplainsInterruptedUnknownCost(t *testing.T) {
	r := &RouteResult{Summary: &route.Summary{Interrupted: true, Total: route.BackendSummary{Backend: "total", Interrupted: 1, CostMissing: 1}}}
	notes := strings.Join(r.Tables()[0].Notes, "\n")
	containsAll(t, notes, "interrupted: 1 requests were cut short", "1 requests have an unknown cost", "interrupted ones are not in Requests")
}

// --log naming the prompts file (or any file that is not a ledger) is
// refused with exit 2 before anything is sent, and the file is unchanged.
func TestRouteLogThatIsNotALedgerIsRefused(t *testing.T) {
	fs := newFakeServers(t)
	dir := t.TempDir()
	prompts := filepath.Join(dir, "p.txt")
	body := "prompt one\nprompt two\nprompt three (no newline)"
	if err := os.WriteFile(prompts, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ANTHROPIC_API_KEY": "k"}
	res := run(t, env, "route", "-f", prompts, "--policy", fs.policy(t, dir), "--log", prompts)
	if res.code != ExitBadInput || !strings.Contains(res.stderr, "--log") || !strings.Contains(res.stderr, "not a cost ledger") {
		t.Fatalf("exit %d stderr %s", res.code, res.stderr)
	}
	if got, _ := os.ReadFile(prompts); string(got) != body {
		t.Errorf("the prompts file changed: %q", got)
	}
	if len(fs.cloudGot)+len(fs.localGot) != 0 {
		t.Error("requests were sent")
	}
}

// The summary shows token counts no server reported as unknown, not 0.
func TestRouteSummaryUnreportedTokens(t *testing.T) {
	r := &RouteResult{Summary: &route.Summary{
		Backends: []route.BackendSummary{
			{Backend: "silent", Requests: 2, OK: 2, MissingTokens: 2},
			{Backend: "partial", Requests: 2, OK: 2, InputTokens: 100, OutputTokens: 10, MissingTokens: 1},
		},
		Total: route.BackendSummary{Backend: "total", Requests: 4, OK: 4, InputTokens: 100, OutputTokens: 10, MissingTokens: 3},
	}}
	rows := r.Tables()[0].Rows
	if rows[0][5] != "unknown" || rows[0][6] != "unknown" || rows[1][5] != "100+?" || rows[1][6] != "10+?" || rows[2][5] != "100+?" {
		t.Errorf("rows: %q", rows)
	}
}
