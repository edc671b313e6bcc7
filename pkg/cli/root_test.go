package cli

import (
	"testing"

	"github.com/llmcost/llmcost/pkg/iostreams"
)

// The commands that serve or measure for minutes get Go's default GC back
// (internal/gctune); the quick ones keep the short-command setting.
func TestLongRunningCommands(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewRootCmd(NewFactory(ios, func(string) string { return "" }))
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"route"}, true},
		{[]string{"bench"}, true},
		{[]string{"estimate"}, false},
		{[]string{"report"}, false},
		{[]string{"catalog", "list"}, false},
	} {
		cmd, _, err := root.Find(tc.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := longRunning(cmd); got != tc.want {
			t.Errorf("%v: longRunning = %v, want %v", tc.args, got, tc.want)
		}
	}
}
