package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

// Listen mode raises GOGC and sets a soft memory limit, unless the user's
// GOGC / GOMEMLIMIT say otherwise.
func TestTuneListenGC(t *testing.T) {
	oldPct := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(oldPct); debug.SetMemoryLimit(oldLimit) })

	tuneListenGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != listenGCPercent {
		t.Errorf("GC percent %d, want %d", got, listenGCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != listenMemoryLimit {
		t.Errorf("memory limit %d, want %d", got, listenMemoryLimit)
	}

	userSet := map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}
	tuneListenGC(func(k string) string { return userSet[k] })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set by the user: GC percent changed to %d", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set by the user: memory limit changed to %d", got)
	}
}
