package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The floor is only a floor if it links what llmcost links: every direct
// requirement in go.mod that the llmcost binary imports, and nothing
// else. Modules that only tests or tools use are not in the binary, so
// they must not be in the floor either (testscript would drag `testing`
// and a process supervisor into a binary that is meant to be the cheapest
// possible llmcost).

const root = "../../.."

func TestStackfloorLinksGoModDirectRequirements(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mf, err := parseGoMod(gomod)
	if err != nil {
		t.Fatal(err)
	}
	linked, err := linkedModules(mf, root, mf.module+"/cmd/llmcost")
	if err != nil {
		t.Fatal(err)
	}
	// Guard against a walk that finds nothing and so proves nothing.
	for _, m := range []string{"github.com/spf13/cobra", "github.com/olekukonko/tablewriter"} {
		if _, ok := linked[m]; !ok {
			t.Fatalf("walk from cmd/llmcost did not reach %s; found %v", m, keys(linked))
		}
	}
	floorPkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	floor := map[string][]string{}
	for _, imp := range floorPkg.Imports {
		if isStd(imp) {
			continue
		}
		m := mf.moduleOf(imp)
		if m == "" {
			t.Errorf("stackfloor imports %s, which no go.mod requirement provides", imp)
			continue
		}
		floor[m] = append(floor[m], imp)
	}
	for _, p := range compare(mf.direct, linked, floor) {
		t.Error(p)
	}
	for _, d := range mf.direct {
		if _, ok := linked[d]; !ok {
			t.Logf("%s: required by go.mod, used only by tests or tools, not in the floor", d)
		}
	}
}

// compare lists what is wrong with the floor: a direct requirement that
// llmcost links and the floor does not (or the reverse), and a module in
// either that go.mod does not list as direct.
func compare(direct []string, linked, floor map[string][]string) []string {
	var problems []string
	isDirect := map[string]bool{}
	for _, d := range direct {
		isDirect[d] = true
		_, inBinary := linked[d]
		_, inFloor := floor[d]
		switch {
		case inBinary && !inFloor:
			lines := make([]string, len(linked[d]))
			for i, p := range linked[d] {
				lines[i] = fmt.Sprintf("\t_ %q", p)
			}
			problems = append(problems, fmt.Sprintf("go.mod requires %s and llmcost links it, but stackfloor does not import it; add to main.go:\n%s", d, strings.Join(lines, "\n")))
		case !inBinary && inFloor:
			problems = append(problems, fmt.Sprintf("stackfloor imports %s, which llmcost does not link (only tests or tools use it): remove it", d))
		}
	}
	for _, m := range keys(linked) {
		if !isDirect[m] {
			problems = append(problems, fmt.Sprintf("llmcost imports %s, which go.mod does not list as a direct requirement (go mod tidy)", m))
		}
	}
	for _, m := range keys(floor) {
		if !isDirect[m] {
			problems = append(problems, fmt.Sprintf("stackfloor imports %s, which is not a direct requirement in go.mod", m))
		}
	}
	return problems
}

func TestCompareCatchesDrift(t *testing.T) {
	const prom = "github.com/prometheus/client_golang"
	direct := []string{"github.com/spf13/cobra", prom, "github.com/creack/pty"}
	linked := map[string][]string{"github.com/spf13/cobra": {"github.com/spf13/cobra"}, prom: {prom + "/prometheus", prom + "/prometheus/promhttp"}}
	floor := map[string][]string{"github.com/spf13/cobra": {"github.com/spf13/cobra"}}
	got := compare(direct, linked, floor)
	if len(got) != 1 || !strings.Contains(got[0], prom) || !strings.Contains(got[0], `_ "`+prom+`/prometheus/promhttp"`) {
		t.Errorf("a new linked requirement missing from the floor: %q", got)
	}
	floor[prom] = linked[prom]
	if got := compare(direct, linked, floor); len(got) != 0 {
		t.Errorf("in step, want no problems: %q", got)
	}
	floor["github.com/creack/pty"] = []string{"github.com/creack/pty"}
	if got := compare(direct, linked, floor); len(got) != 1 || !strings.Contains(got[0], "creack/pty") {
		t.Errorf("a test-only module in the floor: %q", got)
	}
	delete(floor, "github.com/creack/pty")
	floor["example.com/stray"] = []string{"example.com/stray"}
	if got := compare(direct, linked, floor); len(got) != 1 || !strings.Contains(got[0], "not a direct requirement") {
		t.Errorf("a floor import go.mod does not require: %q", got)
	}
}

func TestParseGoMod(t *testing.T) {
	mf, err := parseGoMod([]byte(`module example.com/x

go 1.26.0

require example.com/single v1.0.0

require (
	github.com/a/b/v2 v2.1.0
	github.com/c/d v0.1.0 // indirect
	// a comment line
	github.com/e/f v1.0.0 // want this
)

require github.com/g/h v1.0.0 // indirect
`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"example.com/single", "github.com/a/b/v2", "github.com/e/f"}; !slices.Equal(mf.direct, want) {
		t.Errorf("direct = %v, want %v", mf.direct, want)
	}
	if mf.module != "example.com/x" {
		t.Errorf("module = %q", mf.module)
	}
	for imp, want := range map[string]string{
		"github.com/a/b/v2/sub": "github.com/a/b/v2",
		"github.com/a/b":        "",
		"github.com/c/d":        "github.com/c/d",
		"github.com/g/hh":       "",
	} {
		if got := mf.moduleOf(imp); got != want {
			t.Errorf("moduleOf(%s) = %q, want %q", imp, got, want)
		}
	}
}

type goMod struct {
	module string
	direct []string
	all    []string // direct and indirect
}

// parseGoMod reads the module path and requirements; go.mod's grammar
// for these lines is small enough not to need golang.org/x/mod.
func parseGoMod(data []byte) (goMod, error) {
	var mf goMod
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		code, comment, _ := strings.Cut(line, "//")
		fields := strings.Fields(code)
		indirect := strings.TrimSpace(comment) == "indirect"
		switch {
		case len(fields) == 0:
			continue
		case inBlock && fields[0] == ")":
			inBlock = false
			continue
		case inBlock:
		case fields[0] == "module" && len(fields) == 2:
			mf.module = strings.Trim(fields[1], `"`)
			continue
		case fields[0] == "require" && len(fields) == 2 && fields[1] == "(":
			inBlock = true
			continue
		case fields[0] == "require":
			fields = fields[1:]
		default:
			continue
		}
		if len(fields) != 2 {
			return mf, fmt.Errorf("go.mod:%d: cannot read requirement %q", n, line)
		}
		mod := strings.Trim(fields[0], `"`)
		mf.all = append(mf.all, mod)
		if !indirect {
			mf.direct = append(mf.direct, mod)
		}
	}
	if mf.module == "" {
		return mf, fmt.Errorf("go.mod: no module line")
	}
	return mf, sc.Err()
}

// moduleOf is the required module that provides package imp, or "".
func (mf goMod) moduleOf(imp string) string {
	best := ""
	for _, m := range mf.all {
		if (imp == m || strings.HasPrefix(imp, m+"/")) && len(m) > len(best) {
			best = m
		}
	}
	return best
}

// linkedModules walks the packages of this module that main imports,
// directly or through each other, and returns the required modules they
// import, each with the packages imported from it. Test files and files
// excluded by build constraints do not count: they are not linked.
func linkedModules(mf goMod, root, main string) (map[string][]string, error) {
	out := map[string][]string{}
	seen := map[string]bool{}
	queue := []string{main}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		dir := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(p, mf.module)))
		pkg, err := build.Default.ImportDir(dir, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, imp := range pkg.Imports {
			switch {
			case imp == mf.module || strings.HasPrefix(imp, mf.module+"/"):
				queue = append(queue, imp)
			case isStd(imp):
			default:
				m := mf.moduleOf(imp)
				if m == "" {
					return nil, fmt.Errorf("%s imports %s, which no go.mod requirement provides", p, imp)
				}
				if !slices.Contains(out[m], imp) {
					out[m] = append(out[m], imp)
				}
			}
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out, nil
}

func isStd(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

func keys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
