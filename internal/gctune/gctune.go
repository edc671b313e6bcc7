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
// A GOGC or GOMEMLIMIT the user set wins: then neither function changes
// anything.
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
