package gctune

import (
	"math"
	"runtime/debug"
	"testing"
)

// percent reads the current GOGC (SetGCPercent returns the previous one).
func percent() int {
	p := debug.SetGCPercent(defaultPercent)
	debug.SetGCPercent(p)
	return p
}

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestShortLivedThenLongRunning(t *testing.T) {
	t.Cleanup(func() { debug.SetGCPercent(defaultPercent); raised = false })
	debug.SetGCPercent(defaultPercent)

	if !ShortLived(env(nil)) {
		t.Fatal("ShortLived with no GOGC/GOMEMLIMIT changed nothing")
	}
	if got := percent(); got != ShortLivedPercent {
		t.Fatalf("GOGC after ShortLived = %d, want %d", got, ShortLivedPercent)
	}
	LongRunning()
	if got := percent(); got != defaultPercent {
		t.Fatalf("GOGC after LongRunning = %d, want %d", got, defaultPercent)
	}
}

// What the user set is left alone, by both functions.
func TestUserSettingWins(t *testing.T) {
	t.Cleanup(func() { debug.SetGCPercent(defaultPercent); raised = false })
	for _, kv := range []map[string]string{{"GOGC": "50"}, {"GOMEMLIMIT": "1GiB"}, {"GOGC": "off"}} {
		debug.SetGCPercent(50) // as the runtime would have set it from GOGC=50
		if ShortLived(env(kv)) {
			t.Errorf("%v: ShortLived changed GOGC", kv)
		}
		LongRunning()
		if got := percent(); got != 50 {
			t.Errorf("%v: GOGC = %d, want the user's 50 untouched", kv, got)
		}
	}
}

// Listen mode raises GOGC and sets a soft memory limit, unless the user's
// GOGC / GOMEMLIMIT say otherwise.
func TestServer(t *testing.T) {
	oldPct := debug.SetGCPercent(defaultPercent)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(oldPct); debug.SetMemoryLimit(oldLimit); raised = false })

	ShortLived(env(nil))
	Server(env(nil))
	if got := percent(); got != ServerPercent {
		t.Errorf("GC percent %d, want %d", got, ServerPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != ServerMemoryLimit {
		t.Errorf("memory limit %d, want %d", got, ServerMemoryLimit)
	}
	LongRunning() // after Server: leaves the server's setting alone
	if got := percent(); got != ServerPercent {
		t.Errorf("LongRunning after Server: GC percent %d, want %d", got, ServerPercent)
	}

	debug.SetGCPercent(defaultPercent)
	debug.SetMemoryLimit(math.MaxInt64)
	Server(env(map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}))
	if got := percent(); got != defaultPercent {
		t.Errorf("GOGC set by the user: GC percent changed to %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set by the user: memory limit changed to %d", got)
	}
}
