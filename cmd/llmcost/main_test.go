package main

import (
	"os"
	"testing"

	"github.com/llmcost/llmcost/internal/earlyenv"
	"github.com/rogpeppe/go-internal/testscript"
)

// End-to-end tests of the real binary: exit codes, piping, files and the
// environment, in testdata/script/*.txtar.
func TestMain(m *testing.M) {
	earlyenv.Restore() // the test process too imports main's packages
	testscript.Main(m, map[string]func(){"llmcost": func() { os.Exit(run()) }})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/config")
			return nil
		},
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
	})
}
