// Package proxyharness starts the processes the proxy end-to-end test and
// the proxy benchmark need (llmcost route --listen, a fake upstream, Portkey's
// gateway) and reads their memory from /proc.
package proxyharness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Policy is a route policy over two fake upstreams: cloud-gpt (openai wire)
// and cloud-claude (anthropic wire) on cloudURL, local (openai wire,
// source: local) on localURL. PII goes to local, everything else defaults to
// cloud-gpt. Upstream keys come from FAKE_OPENAI_KEY and FAKE_ANTHROPIC_KEY.
func Policy(cloudURL, localURL string) string {
	return fmt.Sprintf(`schema_version: 1
backends:
  - name: cloud-gpt
    source: cloud
    api: openai
    base_url: %[1]s/v1
    model: gpt-4o-mini
    price: gpt-4o-mini
    api_key_env: FAKE_OPENAI_KEY
  - name: cloud-claude
    source: cloud
    api: anthropic
    base_url: %[1]s
    model: claude-haiku-4-5
    price: claude-haiku-4.5
    api_key_env: FAKE_ANTHROPIC_KEY
  - name: local
    source: local
    api: openai
    base_url: %[2]s/v1
    model: llama-3.1-8b
    hourly_usd: 0.74
rules:
  - when: {pii: true}
    use: local
  - use: cloud-gpt
`, cloudURL, localURL)
}

// UpstreamKeyEnv is the environment the policy's api_key_env names.
var UpstreamKeyEnv = []string{"FAKE_OPENAI_KEY=sk-upstream-openai", "FAKE_ANTHROPIC_KEY=sk-upstream-anthropic"}

// Proc is a started process whose output is kept for diagnostics.
type Proc struct {
	Cmd  *exec.Cmd
	URL  string // the base URL it announced
	out  *syncBuffer
	done chan struct{}
	err  error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() < 1<<20 { // keep the first MiB
		s.b.Write(p)
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Output is what the process wrote to stdout and stderr so far.
func (p *Proc) Output() string { return p.out.String() }

// Pid is the process id.
func (p *Proc) Pid() int { return p.Cmd.Process.Pid }

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// Start runs cmd and waits until a line of its output matches urlRE (its
// first submatch, or the whole match, is the URL), or ctx ends, or it exits.
func Start(ctx context.Context, cmd *exec.Cmd, urlRE *regexp.Regexp) (*Proc, error) {
	pr, pw := io.Pipe()
	p := &Proc{Cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout = pw
	cmd.Stderr = pw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := ansi.ReplaceAllString(sc.Text(), "")
			p.out.Write([]byte(line + "\n"))
			if !sent {
				if m := urlRE.FindStringSubmatch(line); m != nil {
					u := m[0]
					if len(m) > 1 && m[1] != "" {
						u = m[1]
					}
					found <- u
					sent = true
				}
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case u := <-found:
		p.URL = u
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited before announcing its address (%v); output:\n%s", filepath.Base(cmd.Path), p.err, p.Output())
	case <-ctx.Done():
		p.Kill()
		return nil, fmt.Errorf("%s did not announce its address: %w; output:\n%s", filepath.Base(cmd.Path), ctx.Err(), p.Output())
	}
}

// Stop sends SIGTERM and waits for the exit, up to grace, then kills the
// process group.
func (p *Proc) Stop(grace time.Duration) error {
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
		p.Kill()
		return errors.New("did not exit after SIGTERM; killed")
	}
}

// Kill kills the process group and waits for the exit.
func (p *Proc) Kill() {
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Mem reads VmRSS and VmHWM (peak RSS) of pid from /proc, in KiB.
func Mem(pid int) (rssKiB, hwmKiB int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			rssKiB = n
		case "VmHWM":
			hwmKiB = n
		}
	}
	return rssKiB, hwmKiB, nil
}

// ModuleRoot walks up from dir to the directory holding go.mod.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found")
		}
		dir = parent
	}
}

// BuildLLMCost builds ./cmd/llmcost of the module at root into dir.
func BuildLLMCost(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "llmcost")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/llmcost")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/llmcost: %v\n%s", err, out)
	}
	return bin, nil
}

// ListenURL matches the address llmcost route --listen prints.
var ListenURL = regexp.MustCompile(`(https?://(?:127\.0\.0\.1|localhost|\[::1\]):\d+)`)

// StartProxy starts bin route --listen 127.0.0.1:0 with the policy and log
// given, plus extra args, and waits for its address.
func StartProxy(ctx context.Context, bin, policyFile, logFile string, env []string, extra ...string) (*Proc, error) {
	args := append([]string{"route", "--listen", "127.0.0.1:0", "--policy", policyFile, "--log", logFile}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	return Start(ctx, cmd, ListenURL)
}
