package hwdetect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// probeTimeout bounds each tool: a hung driver must not hang llmcost.
const probeTimeout = 10 * time.Second

// ExecRunner runs commands on this machine.
func ExecRunner(ctx context.Context, name string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return out, fmt.Errorf("no answer within %s", probeTimeout)
	}
	return out, err
}

// Local is the detector of the machine llmcost runs on.
func Local() Detector {
	return Detector{Run: ExecRunner, FS: os.DirFS("/"), GOOS: runtime.GOOS}
}
