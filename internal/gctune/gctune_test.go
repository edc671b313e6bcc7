package gctune

import (
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
