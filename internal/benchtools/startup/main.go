// Command startup times whole-binary runs of llmcost commands against the
// stack's floor and checks them (make bench-startup).
//
//	startup -hello bin/hello -floor bin/stackfloor -bin bin/llmcost [-prev bin/llmcost-prev]
//
// Every command in the baseline file is timed in rounds of its own,
// interleaved with stackfloor (one run of each per round, no other
// llmcost command), so that a machine that slows down part-way through
// skews them alike; every run follows a run of hello world, so no
// binary starts warmed by a run like its own (see main). A command's
// ratio is the median of its per-round ratios to stackfloor: absolute
// times move with load, ratios much less. Two checks, both failing the
// run (exit 1):
//
//   - the target: the -target command is at most -max times stackfloor;
//   - no regression: no command is more than -regress slower than before
//     the change. With -prev (the binary built from the previous commit)
//     each command also runs on it in the same rounds and the check is
//     the median per-round ratio new/previous: both binaries see the same
//     load, so this holds on a busy machine. Without -prev the check is
//     against the ratio committed in the baseline file, which moves with
//     the machine's load by a few percent.
//
// A command that looks regressed is timed again (twice as many rounds)
// before it fails; the better of the two measurements counts. After an
// intended change, rewrite the file with -update (make bench-baseline)
// and commit it: the diff shows the ratios that moved.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 30, "rounds (runs per command)")
	hello := flag.String("hello", "bin/hello", "hello-world binary (shown for reference)")
	floor := flag.String("floor", "bin/stackfloor", "stack floor binary: every ratio is against it")
	bin := flag.String("bin", "bin/llmcost", "llmcost binary; replaces the word llmcost in the baseline file")
	prev := flag.String("prev", "", "llmcost built from the previous change: regressions are measured against it")
	baselinePath := flag.String("baseline", "internal/benchtools/startup/baseline.txt", "committed ratios and the commands to time")
	target := flag.String("target", "estimate --tokens 10M", "the command the -max target applies to (arguments after llmcost)")
	maxRatio := flag.Float64("max", 1.3, "maximum ratio of the -target command to stackfloor")
	regress := flag.Float64("regress", 0.10, "maximum rise of a command's ratio over its baseline (0.10 = 10%)")
	update := flag.Bool("update", false, "rewrite the baseline file with the measured ratios")
	warnOnly := flag.Bool("warn", false, "report failed checks but exit 0")
	flag.Parse()
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "startup: -n must be at least 1")
		os.Exit(2)
	}
	data, err := os.ReadFile(*baselinePath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(2)
	}
	base, err := parseBaseline(string(data))
	if err != nil {
		fmt.Fprintf(os.Stderr, "startup: %s:%v\n", *baselinePath, err)
		os.Exit(2)
	}
	if !slices.ContainsFunc(base, func(e entry) bool { return e.args == *target }) {
		fmt.Fprintf(os.Stderr, "startup: %s: no line for the target command %q\n", *baselinePath, *target)
		os.Exit(2)
	}
	// Each command is timed in rounds of its own: stackfloor, the command
	// and (with -prev) its previous build, nothing else, each run after
	// one of hello (see measure). Rounds that ran every command together
	// favoured llmcost: with 13 llmcost commands (26 with -prev) to one
	// stackfloor per round, estimate came out at 1.27-1.41x stackfloor,
	// and at 1.43-1.44x in rounds of its own, the same binaries on the
	// same machine. Go binaries load at the same addresses, so a run
	// seems to leave the CPU's predictors and caches trained for the next
	// run of similar code; a user runs llmcost once, after other
	// programs, so the fair comparison gives stackfloor and the command
	// the same neighbours.
	res := make([]result, len(base))
	var targetRounds measurement
	for i, e := range base {
		argv := append([]string{*bin}, strings.Fields(e.args)...)
		var prevArgv []string
		if *prev != "" {
			prevArgv = append([]string{*prev}, strings.Fields(e.args)...)
			// The previous build may not run a command this change added
			// or changed; that one falls back to the baseline file.
			if _, err := run(prevArgv); err != nil {
				fmt.Printf("startup: the previous build cannot run llmcost %s (%v): comparing with baseline.txt\n", e.args, err)
				prevArgv = nil
			}
		}
		argvs := roundsFor(*hello, *floor, argv, prevArgv)
		m, err := measure(argvs, *n, run)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		res[i] = result{entry: e, argv: argv, prevArgv: prevArgv, median: m.median[2], ratio: m.ratio(2, 1), vsHello: m.ratio(2, 0)}
		if prevArgv != nil {
			res[i].vsPrev = m.ratio(2, 3)
		}
		if e.args == *target {
			targetRounds = m
		}
	}
	// A regression must survive a second measurement of its own.
	for i := range res {
		if !res[i].regressed(*regress) {
			continue
		}
		m2, err := measure(roundsFor(*hello, *floor, res[i].argv, res[i].prevArgv), 2**n, run)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		res[i].retried = true
		res[i].ratio = min(res[i].ratio, m2.ratio(2, 1))
		if res[i].prevArgv != nil {
			res[i].vsPrev = min(res[i].vsPrev, m2.ratio(2, 3))
		}
	}
	problems := report(os.Stdout, targetRounds, res, *n, *target, *maxRatio, *regress)
	if *update {
		if err := os.WriteFile(*baselinePath, []byte(formatBaseline(string(data), res)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		fmt.Printf("startup: wrote %s; commit it with the change that moved the ratios\n", *baselinePath)
		return
	}
	if problems > 0 && !*warnOnly {
		os.Exit(1)
	}
}

// entry is one line of the baseline file: a command (the arguments after
// llmcost) and its committed ratio to stackfloor, 0 if it has none yet.
type entry struct {
	ratio float64
	args  string
}

type result struct {
	entry
	argv, prevArgv []string // the command, and its previous build's (nil without one)
	median         time.Duration
	ratio, vsHello float64
	vsPrev         float64 // new/previous build, 0 without -prev
	retried        bool
}

// change is how much slower (+) or faster (-) the command is than before
// the change, and whether that is known at all.
func (r result) change() (float64, bool) {
	if r.vsPrev > 0 {
		return r.vsPrev - 1, true
	}
	if r.entry.ratio > 0 {
		return r.ratio/r.entry.ratio - 1, true
	}
	return 0, false
}

func (r result) regressed(limit float64) bool {
	c, ok := r.change()
	return ok && c > limit
}

// parseBaseline reads lines "RATIO llmcost ARGS..." ("-" for no ratio
// yet); "#" starts a comment line.
func parseBaseline(s string) ([]entry, error) {
	var out []entry
	seen := map[string]int{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 || f[1] != "llmcost" {
			return nil, fmt.Errorf("%d: want \"RATIO llmcost ARGS...\", got %q", i+1, line)
		}
		var r float64
		if f[0] != "-" {
			v, err := strconv.ParseFloat(f[0], 64)
			if err != nil || v <= 0 {
				return nil, fmt.Errorf("%d: ratio %q is not a positive number or -", i+1, f[0])
			}
			r = v
		}
		args := strings.Join(f[2:], " ")
		if prev, ok := seen[args]; ok {
			return nil, fmt.Errorf("%d: llmcost %s is already on line %d", i+1, args, prev)
		}
		seen[args] = i + 1
		out = append(out, entry{ratio: r, args: args})
	}
	if len(out) == 0 {
		return nil, errors.New("1: no commands")
	}
	return out, nil
}

// formatBaseline keeps the file's comments and order and puts in the
// measured ratios.
func formatBaseline(old string, res []result) string {
	byArgs := map[string]float64{}
	for _, r := range res {
		byArgs[r.args] = r.ratio
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(old, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			b.WriteString(line)
			continue
		}
		f := strings.Fields(t)
		args := strings.Join(f[2:], " ")
		fmt.Fprintf(&b, "%.2f  llmcost %s\n", byArgs[args], args)
	}
	return b.String()
}

// roundsFor is what one command's rounds run: hello, stackfloor, the
// command and its previous build if there is one. No other llmcost
// command shares them (see main).
func roundsFor(hello, floor string, argv, prevArgv []string) [][]string {
	argvs := [][]string{{hello}, {floor}, argv}
	if prevArgv != nil {
		argvs = append(argvs, prevArgv)
	}
	return argvs
}

type measurement struct {
	times  [][]time.Duration
	median []time.Duration
}

// ratio is the median over rounds of command i's time over command j's.
// Rounds run in alternating order (see measure), so a ratio is taken
// over each pair of rounds, which cancels what running first or second
// does to a time (a warm file cache, say); a lone last round counts alone.
func (m measurement) ratio(i, j int) float64 {
	ti, tj := m.times[i], m.times[j]
	var per []float64
	for r := 0; r < len(ti); r += 2 {
		a, b := ti[r], tj[r]
		if r+1 < len(ti) {
			a, b = a+ti[r+1], b+tj[r+1]
		}
		per = append(per, float64(a)/float64(b))
	}
	slices.Sort(per)
	return per[len(per)/2]
}

// measure times n rounds (after two warm-up rounds) of argvs[1:], in
// alternating order, each run right after one of argvs[0] (hello world):
// every binary timed follows the same small program, never itself or
// another binary timed, so none starts with the CPU's caches and
// predictors warmed by a run like its own. Hello's own time is taken
// from the run that opens a round.
func measure(argvs [][]string, n int, run func([]string) (time.Duration, error)) (measurement, error) {
	m := measurement{times: make([][]time.Duration, len(argvs))}
	order := make([]int, 0, len(argvs)-1)
	for i := 1; i < len(argvs); i++ {
		order = append(order, i)
	}
	for round := 0; round < n+2; round++ {
		slices.Reverse(order) // odd rounds run back to front
		for k, i := range order {
			d, err := run(argvs[0])
			if err != nil {
				return m, err
			}
			if round >= 2 && k == 0 {
				m.times[0] = append(m.times[0], d)
			}
			if d, err = run(argvs[i]); err != nil {
				return m, err
			}
			if round >= 2 { // two warm-up rounds fill the page cache
				m.times[i] = append(m.times[i], d)
			}
		}
	}
	for _, ts := range m.times {
		s := slices.Clone(ts)
		slices.Sort(s)
		m.median = append(m.median, s[len(s)/2])
	}
	return m, nil
}

func run(argv []string) (time.Duration, error) {
	c := exec.Command(argv[0], argv[1:]...)
	c.Stdout, c.Stderr = nil, nil
	start := time.Now()
	if err := c.Run(); err != nil {
		return 0, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return time.Since(start), nil
}

// report prints the table and the verdicts and returns how many checks
// failed.
func report(w io.Writer, m measurement, res []result, n int, target string, maxRatio, regress float64) int {
	fmt.Fprintf(w, "startup: %d rounds, interleaved; ratios are medians of per-round ratios\n", n)
	wd := len("stackfloor")
	for _, r := range res {
		wd = max(wd, len("llmcost "+r.args))
	}
	fmt.Fprintf(w, "%-*s %9s %9s %9s %9s\n", wd, "command", "median", "vs floor", "vs hello", "baseline")
	fmt.Fprintf(w, "%-*s %9s %8.2fx %8.2fx\n", wd, "hello", m.median[0].Round(10*time.Microsecond), m.ratio(0, 1), 1.0)
	fmt.Fprintf(w, "%-*s %9s %8.2fx %8.2fx\n", wd, "stackfloor", m.median[1].Round(10*time.Microsecond), 1.0, m.ratio(1, 0))
	problems := 0
	var notes []string
	for _, r := range res {
		baseline, verdict := "-", "new"
		if r.entry.ratio > 0 {
			baseline = fmt.Sprintf("%.2fx", r.entry.ratio)
		}
		against := "its baseline"
		if r.vsPrev > 0 {
			against = "the previous build"
		}
		if change, ok := r.change(); ok {
			switch {
			case r.regressed(regress):
				verdict = fmt.Sprintf("REGRESSED %+.0f%%", 100*change)
				problems++
				notes = append(notes, fmt.Sprintf("llmcost %s is %.0f%% slower than %s (limit %.0f%%; timed twice, the better counts)", r.args, 100*change, against, 100*regress))
			case change < -regress:
				verdict = fmt.Sprintf("faster %+.0f%%", 100*change)
				notes = append(notes, fmt.Sprintf("llmcost %s is %.0f%% faster than %s: make bench-baseline and commit, so that later changes count from here", r.args, -100*change, against))
			default:
				verdict = fmt.Sprintf("ok %+.0f%%", 100*change)
			}
			if r.vsPrev > 0 {
				verdict += " vs prev"
			}
		}
		fmt.Fprintf(w, "%-*s %9s %8.2fx %8.2fx %9s  %s\n", wd, "llmcost "+r.args, r.median.Round(10*time.Microsecond), r.ratio, r.vsHello, baseline, verdict)
	}
	for _, r := range res {
		if r.args != target {
			continue
		}
		verdict := "within target"
		if r.ratio > maxRatio {
			verdict = "OVER target"
			problems++
		}
		fmt.Fprintf(w, "startup: llmcost %s is %.2fx stackfloor (target <= %.2fx): %s\n", r.args, r.ratio, maxRatio, verdict)
	}
	for _, s := range notes {
		fmt.Fprintln(w, "startup:", s)
	}
	if problems == 0 {
		fmt.Fprintf(w, "startup: no command more than %.0f%% over its baseline\n", 100*regress)
	}
	return problems
}
