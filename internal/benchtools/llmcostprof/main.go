// Command llmcostprof is llmcost with a CPU profile: it runs cli.Main like
// cmd/llmcost and writes a CPU profile to $LLMCOST_CPUPROFILE and a heap
// profile to $LLMCOST_MEMPROFILE (when set) once Main returns, e.g. after
// route --listen drains on SIGTERM. proxybench -profile uses it.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/llmcost/llmcost/internal/earlyenv"
	"github.com/llmcost/llmcost/pkg/cli"
	"github.com/llmcost/llmcost/pkg/iostreams"
)

func main() { os.Exit(run()) }

func run() int {
	earlyenv.Restore()
	if path := os.Getenv("LLMCOST_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "llmcostprof:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "llmcostprof:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	code := cli.Main(os.Args[1:], iostreams.System(), os.Getenv)
	if path := os.Getenv("LLMCOST_MEMPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			runtime.GC()
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	return code
}
