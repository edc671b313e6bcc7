// Package gctune sets the garbage collector for the life of one llmcost
// process.
//
// Most commands run for a few milliseconds and allocate a few megabytes
// (the catalog, one result, one table). With Go's default GOGC=100 the
// first collection starts once the heap reaches 4 MB, which `estimate`
// crosses near its end: a whole mark phase (about a third of the
// command's instructions, counted with callgrind) to free memory the
// process is about to hand back to the kernel anyway. ShortLived raises
// the target so that such a command finishes before its first
// collection; a long-running command (a proxy, a benchmark, a prompt
// file) calls LongRunning first and gets Go's defaults back, so its heap
// stays at the usual size for as long as it runs.
//
// `route --listen` is the third case: a server whose small live heap is
// churned by every request, for which Server sets its own target and a
// soft memory limit.
//
// A GOGC or GOMEMLIMIT the user set wins: then these functions leave that
// setting alone.
package gctune

import (
	"runtime/debug"
	"sync"
)

// ShortLivedPercent is the GOGC of a short command: the first collection
// waits for a 16 MB heap (4 MB x 400/100) instead of 4 MB.
const ShortLivedPercent = 400

// defaultPercent is Go's own GOGC.
const defaultPercent = 100

var (
	mu     sync.Mutex
	raised bool // ShortLived changed GOGC and LongRunning has not undone it
)

// ShortLived raises GOGC to ShortLivedPercent unless the environment sets
// GOGC or GOMEMLIMIT. It reports whether it changed anything.
func ShortLived(getenv func(string) string) bool {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return false
	}
	mu.Lock()
	defer mu.Unlock()
	debug.SetGCPercent(ShortLivedPercent)
	raised = true
	return true
}

// LongRunning puts back Go's default GOGC if ShortLived raised it.
func LongRunning() {
	mu.Lock()
	defer mu.Unlock()
	if raised {
		debug.SetGCPercent(defaultPercent)
		raised = false
	}
}

// The proxy's settings (Server). Its live heap is small and every request
// allocates, so at Go's default (collect when the heap doubles) collection
// runs hundreds of times a second. Letting the heap grow to 3x the live
// data cut that CPU to about a third in proxybench (GOGC=400 saved no more
// and let RSS climb within a row); the soft limit makes the collector work
// harder instead of letting the heap pass it.
const (
	ServerPercent     = 200
	ServerMemoryLimit = 512 << 20
)

// Server sets ServerPercent unless GOGC is set, and ServerMemoryLimit
// unless GOMEMLIMIT is set.
func Server(getenv func(string) string) {
	mu.Lock()
	defer mu.Unlock()
	if getenv("GOGC") == "" {
		debug.SetGCPercent(ServerPercent)
		raised = false
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(ServerMemoryLimit)
	}
}
