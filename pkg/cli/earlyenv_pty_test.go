package cli

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// runOnSilentPTY runs the binary on a terminal that never answers a
// query, as script(1) or Emacs shell mode, and returns all it wrote.
func runOnSilentPTY(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color"}, env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A program that hangs is a failure, not a stuck test run.
	stop := time.AfterFunc(ptyDeadline, func() { _ = cmd.Process.Kill() })
	defer stop.Stop()
	var out bytes.Buffer
	b := make([]byte, 4096)
	for {
		n, err := f.Read(b)
		out.Write(b[:n])
		if err != nil { // EIO once the program has exited
			break
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %v\n%q", args, err, out.String())
	}
	return out.String()
}

// bubbletea v1's init asks the terminal for its background colour. With
// internal/earlyenv no command does: nothing is written to the terminal
// before the output, and nothing waits for an answer that never comes.
// CI, set only while packages initialise, must not leak into the run:
// colour stays on for a terminal.
func TestNoTerminalQueryAtStartup(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs a Unix pty")
	}
	bin := buildLLMCost(t)
	for _, tc := range []struct {
		env  []string
		args []string
	}{
		{nil, []string{"--version"}},
		{[]string{"CI="}, []string{"--version"}}, // set but empty: termenv would still ask
		{nil, []string{"estimate", "--tokens", "1M", "--models", "gpt-4o", "--no-local"}},
		// A local verdict draws the card in the theme's green.
		{nil, []string{"decide", "--tokens", "2M", "--privacy", "regulated", "--task", "classification", "--have-gpu", "rtx-4090x2"}},
	} {
		out := runOnSilentPTY(t, bin, tc.env, tc.args...)
		if strings.Contains(out, "\x1b]11;?") || strings.Contains(out, "\x1b[6n") {
			t.Errorf("%v %v queried the terminal:\n%q", tc.env, tc.args, out)
		}
		if tc.args[0] != "--version" && !strings.Contains(out, "\x1b[") {
			t.Errorf("%v on a terminal without CI lost its colour (CI leaked?):\n%q", tc.args, out)
		}
		if tc.args[0] == "decide" && !strings.Contains(out, "LOCAL") {
			t.Errorf("decide did not reach a local verdict:\n%q", out)
		}
	}

	// The order the workaround rests on: earlyenv initialises before
	// termenv, which bubbletea reaches through lipgloss.
	cmd := exec.Command(bin, "--version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	trace, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	s := string(trace)
	early := strings.Index(s, "init github.com/llmcost/llmcost/internal/earlyenv ")
	termenv := strings.Index(s, "init github.com/muesli/termenv ")
	bubbletea := strings.Index(s, "init github.com/charmbracelet/bubbletea ")
	if early < 0 || termenv < 0 || bubbletea < 0 || !(early < termenv && termenv < bubbletea) {
		t.Fatalf("init order: earlyenv at %d, termenv at %d, bubbletea at %d (want earlyenv < termenv < bubbletea)", early, termenv, bubbletea)
	}
}
