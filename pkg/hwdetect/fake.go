package hwdetect

import (
	"context"
	"fmt"
	"strings"
)

// Recorded is a command's recorded result: its output and, when it failed,
// its error (nil Err with Missing set means the tool is not installed).
type Recorded struct {
	Out     string
	Err     error
	Missing bool
}

// FakeRunner replays recorded outputs, keyed by the command line
// ("nvidia-smi -L"). A command not in the map is not installed. Tests use
// it so that no test needs the hardware.
func FakeRunner(cmds map[string]Recorded) Runner {
	return func(ctx context.Context, name string, args ...string) ([]byte, error) {
		key := strings.Join(append([]string{name}, args...), " ")
		r, ok := cmds[key]
		if !ok || r.Missing {
			return nil, fmt.Errorf("%s: %w", name, ErrNotFound)
		}
		return []byte(r.Out), r.Err
	}
}

// NvidiaKey and ROCmKey are the FakeRunner keys of the queries Detect runs.
var (
	NvidiaKey   = "nvidia-smi " + strings.Join(NvidiaQuery, " ")
	ROCmKey     = "rocm-smi " + strings.Join(ROCmQuery, " ")
	SysctlKey   = "sysctl -n machdep.cpu.brand_string hw.memsize"
	DisplaysKey = "system_profiler SPDisplaysDataType -json"
	ListKey     = "nvidia-smi -L"
)
