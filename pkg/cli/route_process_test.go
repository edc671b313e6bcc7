package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/llmcost/llmcost/pkg/ledger"
)

// TestRouteHelperProcess is not a test: it is llmcost itself, run as a
// child process by the tests below (the os/exec helper-process pattern),
// so they can kill a real process midway.
func TestRouteHelperProcess(t *testing.T) {
	if os.Getenv("LLMCOST_HELPER_PROCESS") != "1" {
		t.Skip("helper process for subprocess tests")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	code := Main(args, iostreams.System(), os.Getenv)
	if path := os.Getenv("LLMCOST_HELPER_HWM_FILE"); path != "" {
		// VmHWM is this process's own peak RSS. getrusage's ru_maxrss is
		// not: after a vfork+exec Linux folds the parent's peak into it,
		// so a benchmark run after others would report the test binary's.
		if status, err := os.ReadFile("/proc/self/status"); err == nil {
			for _, line := range strings.Split(string(status), "\n") {
				if strings.HasPrefix(line, "VmHWM:") {
					_ = os.WriteFile(path, []byte(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))), 0o644)
				}
			}
		}
	}
	os.Exit(code)
}

func helperCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestRouteHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "LLMCOST_HELPER_PROCESS=1", "NO_COLOR=1")
	return cmd
}

// blockingServer is an OpenAI-compatible server that answers the first
// `answer` requests and then holds every further request open until
// released, announcing the first held one on arrived.
type blockingServer struct {
	*httptest.Server
	answer   int64
	n        atomic.Int64
	arrived  chan struct{}
	release  chan struct{}
	once     sync.Once
	mu       sync.Mutex
	received map[string]int
}

func newBlockingServer(t *testing.T, answer int64) *blockingServer {
	s := &blockingServer{answer: answer, arrived: make(chan struct{}), release: make(chan struct{}), received: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &req)
		if len(req.Messages) > 0 {
			s.mu.Lock()
			s.received[req.Messages[0].Content]++
			s.mu.Unlock()
		}
		if s.answer > 0 && s.n.Add(1) > s.answer {
			s.once.Do(func() { close(s.arrived) })
			select {
			case <-s.release:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"x","object":"chat.completion","created":1,"model":"llama","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}`)
	}))
	t.Cleanup(func() {
		close(s.release)
		s.Close()
	})
	return s
}

func (s *blockingServer) count(prompt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received[prompt]
}

func localOnlyPolicy(t testing.TB, dir, url string) string {
	p := filepath.Join(dir, "local.yaml")
	y := fmt.Sprintf(`schema_version: 1
backends:
  - {name: local, source: local, api: openai, base_url: "%s/v1", model: llama, hourly_usd: 1.5, logprobs: false}
rules:
  - use: local
`, url)
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRouteKillThenResume SIGKILLs a real `llmcost route` process while
// requests are in flight, adds a torn half-record as a crash mid-write
// would, then resumes: every prompt must end with exactly one record,
// status ok, and no finished prompt may be sent again.
func TestRouteKillThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	const total, answered = 120, 40
	dir := t.TempDir()
	var prompts strings.Builder
	for i := range total {
		fmt.Fprintf(&prompts, "prompt number %d\n", i)
	}
	promptsPath := filepath.Join(dir, "prompts.txt")
	if err := os.WriteFile(promptsPath, []byte(prompts.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "costs.jsonl")

	srv := newBlockingServer(t, answered)
	policy := localOnlyPolicy(t, dir, srv.URL)
	child := helperCommand("route", "-f", promptsPath, "--policy", policy, "--log", logPath, "--concurrency", "4")
	var childErr bytes.Buffer
	child.Stderr = &childErr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.arrived:
	case <-time.After(2 * time.Minute): // a hang guard, not a timing assertion
		_ = child.Process.Kill()
		t.Fatalf("the child never reached request %d; stderr:\n%s", answered+1, childErr.String())
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed: %v", child.ProcessState)
	}
	before, _, err := ledger.ReadAll(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) == 0 || len(before) > answered {
		t.Fatalf("%d records before the kill; want 1..%d", len(before), answered)
	}
	// A crash in the middle of a write leaves a torn last line.
	fh, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fh.WriteString(`{"ts":"2026-11-27T10:00:00Z","id":"9`)
	fh.Close()

	// Resume against a server that answers everything.
	srv2 := newBlockingServer(t, 0)
	policy2 := localOnlyPolicy(t, t.TempDir(), srv2.URL)
	resume := helperCommand("route", "-f", promptsPath, "--policy", policy2, "--log", logPath, "--resume", "--format", "json")
	var out, errOut bytes.Buffer
	resume.Stdout, resume.Stderr = &out, &errOut
	if err := resume.Run(); err != nil {
		t.Fatalf("resume: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "torn last record") {
		t.Errorf("resume should warn about the torn record; stderr:\n%s", errOut.String())
	}
	for _, r := range before {
		if n := srv2.count(fmt.Sprintf("prompt number %d", atoiMust(t, r.ID)-1)); n != 0 {
			t.Errorf("prompt %s was finished before the kill but sent again on resume", r.ID)
		}
	}
	recs, warns, err := ledger.ReadAll(logPath)
	if err != nil || len(warns) != 0 {
		t.Fatalf("final log: %v %v", err, warns)
	}
	final := map[string]int{}
	for _, r := range recs {
		if r.Status != ledger.StatusOK {
			t.Errorf("record %+v", r)
		}
		final[r.ID]++
	}
	for i := 1; i <= total; i++ {
		if final[fmt.Sprint(i)] != 1 {
			t.Errorf("id %d has %d records, want exactly 1", i, final[fmt.Sprint(i)])
		}
	}
	var sum struct {
		Skipped int64 `json:"skipped"`
		Total   struct {
			Requests int64 `json:"requests"`
		} `json:"total"`
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil || sum.Skipped != int64(len(before)) || sum.Total.Requests != int64(total-len(before)) {
		t.Errorf("resume summary %+v (%v); want %d skipped", sum, err, len(before))
	}
}

func atoiMust(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// BenchmarkRouteDryRunMillion runs `route --dry-run` as a real process over
// a generated 1,000,000-line prompt file, plain text and JSONL with an id
// per line, and reports its peak RSS (target < 100 MB: prompts are
// streamed, never loaded whole, and JSONL ids are checked for repeats
// without keeping them).
func BenchmarkRouteDryRunMillion(b *testing.B) {
	for _, jsonl := range []bool{false, true} {
		name := "plain"
		if jsonl {
			name = "jsonl"
		}
		b.Run(name, func(b *testing.B) { benchRouteDryRunMillion(b, jsonl) })
	}
}

func benchRouteDryRunMillion(b *testing.B, jsonl bool) {
	dir := b.TempDir()
	promptsPath := filepath.Join(dir, "million.txt")
	fh, err := os.Create(promptsPath)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(fh)
	for i := range 1_000_000 {
		var text string
		switch i % 10 {
		case 0:
			text = fmt.Sprintf("Customer %d wrote from user%d@example.com about an invoice", i, i)
		default:
			text = fmt.Sprintf("Summarise ticket %d: the export to CSV fails with a timeout after 30 seconds", i)
		}
		if jsonl {
			fmt.Fprintf(w, `{"id":"ticket-%07d","prompt":%q}`+"\n", i, text)
		} else {
			fmt.Fprintln(w, text)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	fh.Close()
	policy := filepath.Join(dir, "p.yaml")
	_ = os.WriteFile(policy, []byte(`schema_version: 1
backends:
  - {name: local, source: local, api: openai, base_url: "http://127.0.0.1:9/v1", model: llama, hourly_usd: 1.5}
  - {name: cloud, source: cloud, api: openai, model: gpt-4o-mini, price: gpt-4o-mini, api_key_env: OPENAI_API_KEY}
rules:
  - {when: {pii: true}, use: local}
  - use: cloud
`), 0o644)
	for b.Loop() {
		cmd := helperCommand("route", "-f", promptsPath, "--policy", policy, "--dry-run", "--format", "json", "--concurrency", "2")
		hwm := filepath.Join(dir, "hwm")
		cmd.Env = append(cmd.Env, "LLMCOST_HELPER_HWM_FILE="+hwm)
		var errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &errOut
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v\n%s", err, errOut.String())
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/run")
		raw, err := os.ReadFile(hwm)
		if err != nil {
			b.Fatalf("peak RSS not reported: %v", err)
		}
		var kb float64
		if _, err := fmt.Sscanf(string(raw), "%f kB", &kb); err != nil {
			b.Fatalf("VmHWM %q: %v", raw, err)
		}
		b.ReportMetric(kb/1024, "peak-RSS-MB")
	}
}

// TestRouteInterruptExit130 cancels the run (Ctrl-C) while requests hang:
// the summary is still printed, finished prompts are in the log, the cut
// ones are recorded as interrupted (not final), and the exit code is 130.
func TestRouteInterruptExit130(t *testing.T) {
	srv := newBlockingServer(t, 5)
	dir := t.TempDir()
	var prompts strings.Builder
	for i := range 30 {
		fmt.Fprintf(&prompts, "prompt %d\n", i)
	}
	promptsPath := filepath.Join(dir, "p.txt")
	_ = os.WriteFile(promptsPath, []byte(prompts.String()), 0o644)
	logPath := filepath.Join(dir, "costs.jsonl")

	ios, _, out, errOut := iostreams.Test()
	f := NewFactory(ios, func(string) string { return "" })
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-srv.arrived
		cancel()
	}()
	code := Run(ctx, f, []string{"route", "-f", promptsPath, "--policy", localOnlyPolicy(t, dir, srv.URL), "--log", logPath, "--concurrency", "2", "--format", "json"})
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want 130\n%s", code, errOut.String())
	}
	var sum struct {
		Interrupted bool `json:"interrupted"`
		Total       struct {
			OK          int64 `json:"ok"`
			Interrupted int64 `json:"interrupted"`
		} `json:"total"`
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("summary not printed: %v\n%s", err, out.String())
	}
	recs, _, err := ledger.ReadAll(logPath)
	if err != nil {
		t.Fatal(err)
	}
	final := 0
	for _, r := range recs {
		if r.Final() {
			final++
		}
	}
	// The server answered 5; when the 6th arrives, the other worker may
	// still be reading the 5th answer, and Ctrl-C cuts that one too.
	if !sum.Interrupted || sum.Total.OK < 4 || sum.Total.OK > 5 || int64(final) != sum.Total.OK || sum.Total.Interrupted < 1 {
		t.Errorf("summary %+v, %d final records; want 4-5 ok, all final, and the hung requests interrupted", sum, final)
	}
}

func TestRouteProgressOnlyOnTerminal(t *testing.T) {
	srv := newBlockingServer(t, 0)
	dir := t.TempDir()
	promptsPath := filepath.Join(dir, "p.txt")
	_ = os.WriteFile(promptsPath, []byte("a\nb\nc\n"), 0o644)
	for _, tty := range []bool{false, true} {
		ios, _, out, errOut := iostreams.Test()
		ios.SetTTY(false, false, tty)
		f := NewFactory(ios, func(string) string { return "" })
		code := Run(context.Background(), f, []string{"route", "-f", promptsPath, "--policy", localOnlyPolicy(t, dir, srv.URL),
			"--log", filepath.Join(dir, "c.jsonl"), "--format", "csv"})
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		if got := strings.Contains(errOut.String(), "routing"); got != tty {
			t.Errorf("stderr TTY=%v: progress shown=%v\n%q", tty, got, errOut.String())
		}
		if strings.Contains(out.String(), "routing") || !strings.HasPrefix(out.String(), "backend,") {
			t.Errorf("stdout must hold only the summary: %q", out.String())
		}
	}
}
