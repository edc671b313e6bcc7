package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The questionnaire end to end: the real binary under a pseudo-terminal,
// answers typed only after their prompt is on the screen (no sleeps), a
// bad answer corrected, and the verdict read back.

// ptyDeadline bounds each wait for text on the screen; it is a hang guard,
// not a speed assertion.
const ptyDeadline = 30 * time.Second

var ansiRe = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]`)

type screen struct {
	t    *testing.T
	pty  *os.File
	mu   sync.Mutex
	buf  bytes.Buffer
	seen int // stripped text before this offset has been matched
	more chan struct{}
	done chan struct{}
}

func startPTY(t *testing.T, bin string, env []string, args ...string) (*screen, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	s := &screen{t: t, pty: f, more: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		b := make([]byte, 4096)
		for {
			n, err := f.Read(b)
			if n > 0 {
				answerQueries(f, b[:n])
				s.mu.Lock()
				s.buf.Write(b[:n])
				s.mu.Unlock()
				select {
				case s.more <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = f.Close()
	})
	return s, cmd
}

// answerQueries replies like a dark terminal to the queries termenv sends
// (background colour, cursor position); unanswered, each waits out a
// 5-second timeout.
func answerQueries(f *os.File, out []byte) {
	if bytes.Contains(out, []byte("\x1b]11;?")) {
		_, _ = f.WriteString("\x1b]11;rgb:0000/0000/0000\x1b\\")
	}
	if bytes.Contains(out, []byte("\x1b[6n")) {
		_, _ = f.WriteString("\x1b[1;1R")
	}
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.ReplaceAll(ansiRe.ReplaceAllString(s.buf.String(), ""), "\r", "")
}

// expect waits until want appears after the last match, and moves past it.
func (s *screen) expect(want string) {
	s.t.Helper()
	timer := time.NewTimer(ptyDeadline)
	defer timer.Stop()
	for {
		txt := s.text()
		if i := strings.Index(txt[s.seen:], want); i >= 0 {
			s.seen += i + len(want)
			return
		}
		select {
		case <-s.more:
		case <-s.done:
			if txt := s.text(); strings.Contains(txt[s.seen:], want) {
				continue
			}
			s.t.Fatalf("program ended before %q appeared; screen:\n%s", want, s.text())
		case <-timer.C:
			s.t.Fatalf("%q did not appear within %s; screen:\n%s", want, ptyDeadline, s.text())
		}
	}
}

func (s *screen) send(keys string) {
	s.t.Helper()
	if _, err := io.WriteString(s.pty, keys); err != nil {
		s.t.Fatal(err)
	}
}

func buildLLMCost(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "llmcost")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/llmcost").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func waitExit(t *testing.T, s *screen, cmd *exec.Cmd) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(ptyDeadline):
		t.Fatalf("program did not exit; screen:\n%s", s.text())
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// Accessible mode: line-by-line prompts, numbered choices. Each answer is
// typed only after its prompt shows, because huh reads every prompt with a
// fresh scanner (piped answers after the first would be lost).
func TestDecideInteractiveAccessiblePTY(t *testing.T) {
	bin := buildLLMCost(t)
	s, cmd := startPTY(t, bin, []string{"ACCESSIBLE=1", "NO_COLOR=1", "TERM=dumb"}, "decide")

	s.expect("Tokens per month")
	s.send("lots\n") // a bad answer: the prompt says why and asks again
	s.expect("not a number")
	s.expect("Tokens per month")
	s.send("2M\n")
	s.expect("Share of tokens that is input")
	s.send("1.5\n") // out of range, corrected
	s.expect("a share between 0 and 1")
	s.expect("Share of tokens that is input")
	s.send("\n") // the default, 0.75
	s.expect("Can prompts leave your infrastructure?")
	s.expect("Enter a number between 1 and 3")
	s.send("3\n") // regulated: asks the regulated share
	s.expect("Share of traffic that is regulated")
	s.send("0.3\n")
	s.expect("What does the model do?")
	s.expect("Enter a number between 1 and 8")
	s.send("5\n") // code
	s.expect("How good must the answers be?")
	s.expect("Enter a number between 1 and 3")
	s.send("1\n")
	s.expect("Reply-time target in seconds")
	s.send("\n")
	s.expect("Time-to-first-token target in seconds")
	s.send("\n")
	s.expect("Context tokens per request")
	s.send("\n")
	s.expect("How predictable is the traffic?")
	s.expect("Enter a number between 1 and 2")
	s.send("1\n")
	s.expect("Do you already own GPUs you could use?")
	s.send("\n") // no: the GPU question is not asked
	s.expect("Monthly budget in USD")
	s.send("100\n")
	s.expect("Hours a month you would spend operating local hardware")
	s.send("\n")
	s.expect("Your answers")
	s.expect("regulated_share: 0.3")
	s.expect("Compute the verdict?")
	s.send("y\n")
	s.expect("Verdict: HYBRID")
	s.expect("the regulated 30%")
	if code := waitExit(t, s, cmd); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, s.text())
	}
	if strings.Contains(s.text(), "Which GPUs?") {
		t.Errorf("asked for GPUs of someone who owns none")
	}
}

// The full-screen form: arrow keys, Enter, Backspace, like a person would.
func TestDecideInteractiveTUIPTY(t *testing.T) {
	bin := buildLLMCost(t)
	s, cmd := startPTY(t, bin, []string{"TERM=xterm-256color", "NO_COLOR=1"}, "decide", "--format", "json")

	s.expect("Tokens per month")
	s.send("\x7f\x7f") // clear the default "2M"
	s.send("2Q\r")     // bad: an unknown suffix
	s.expect(`unknown suffix "Q"`)
	s.send("\x7fM\r")           // corrected to 2M
	s.expect("Share of tokens") // next field of the same group
	s.send("\r")
	s.expect("Can prompts leave your infrastructure?")
	s.send("\r") // none
	s.expect("What does the model do?")
	s.send("\r") // classification
	s.expect("How good must the answers be?")
	s.send("\r")
	s.expect("Reply-time target in seconds")
	s.send("\r")
	s.expect("Time-to-first-token")
	s.send("\r")
	s.expect("Context tokens per request")
	s.send("\r")
	s.expect("How predictable is the traffic?")
	s.send("\r")
	s.expect("Do you already own GPUs")
	s.send("\x1b[D\r") // left selects Yes
	s.expect("Which GPUs?")
	s.send("rtx-9999\r")
	s.expect("unknown GPU")
	s.send(strings.Repeat("\x7f", 8) + "rtx-3060-12gb\r")
	s.expect("Monthly budget in USD")
	s.send("\r")
	s.expect("Hours a month")
	s.send("\r")
	s.expect("Compute the verdict?")
	s.send("\r")
	s.expect(`"schema_version": 1`)
	s.expect(`"verdict": "cloud"`)
	if code := waitExit(t, s, cmd); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, s.text())
	}
	if !strings.Contains(s.text(), "have_gpus: [rtx-3060-12gb]") {
		t.Errorf("owned GPU not in the replayable answers; screen:\n%s", s.text())
	}
}

// Only unanswered questions are asked; declining the summary cancels.
func TestDecideInteractiveAsksOnlyMissingPTY(t *testing.T) {
	bin := buildLLMCost(t)
	s, cmd := startPTY(t, bin, []string{"NO_COLOR=1", "TERM=dumb"}, "decide", "--accessible",
		"--tokens", "2M", "--privacy", "none", "--latency", "3", "--load", "steady", "--budget", "10")
	s.expect("What does the model do?")
	s.send("4\n") // qa
	s.expect("How good must the answers be?")
	s.send("3\n") // a minimum score: asks which
	s.expect("Minimum score")
	s.send("mmlu\n")
	s.expect("not good-enough, best or BENCHMARK:SCORE")
	s.expect("Minimum score")
	s.send("mmlu:80\n")
	s.expect("Do you already own GPUs you could use?")
	s.send("y\n")
	s.expect("Which GPUs?")
	s.send("rtx-9999\n")
	s.expect("unknown GPU")
	s.expect("Which GPUs?")
	s.send("rtx-4090x2\n")
	s.expect("accuracy: {mmlu: 80}")
	s.expect("have_gpus: [rtx-4090x2]")
	s.expect("Compute the verdict?")
	s.send("n\n")
	s.expect("interrupted") // exit 130, as for Ctrl-C
	if code := waitExit(t, s, cmd); code != 130 {
		t.Fatalf("exit %d; screen:\n%s", code, s.text())
	}
	for _, q := range []string{"Tokens per month", "Can prompts leave", "Reply-time target", "How predictable", "Monthly budget"} {
		if strings.Contains(s.text(), q) {
			t.Errorf("asked %q although a flag answered it", q)
		}
	}
}
