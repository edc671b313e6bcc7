// Command startup times whole-binary runs of llmcost commands against the
// stack's floor and checks them (make bench).
//
//	startup -hello bin/hello -floor bin/stackfloor -bin bin/llmcost -baseline internal/benchtools/startup/baseline.txt
//
// Every command in the baseline file is timed, interleaved with hello
// world and stackfloor (one run of each per round), so that a machine
// that slows down part-way through skews them all alike. A command's
// ratio is the median of its per-round ratios to stackfloor: absolute
// times move with load, ratios much less. Two checks, both failing the
// run (exit 1):
//
//   - the target: the -target command is at most -max times stackfloor;
//   - no regression: no command's ratio is more than -regress above the
//     ratio committed in the baseline file. A command that looks
//     regressed is timed again before it fails, to rule out a noisy
//     round. After an intended change, rewrite the file with -update
//     (make bench-baseline) and commit it: the diff shows the ratios.
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
	argvs := [][]string{{*hello}, {*floor}}
	for _, e := range base {
		argvs = append(argvs, append([]string{*bin}, strings.Fields(e.args)...))
	}
	m, err := measure(argvs, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
	res := make([]result, len(base))
	for i, e := range base {
		res[i] = result{entry: e, median: m.median[i+2], ratio: m.ratio(i+2, 1), vsHello: m.ratio(i+2, 0)}
	}
	// A regression must survive a second measurement of its own.
	for i := range res {
		if res[i].regressed(*regress) {
			again, err := measure([][]string{{*floor}, argvs[i+2]}, *n)
			if err != nil {
				fmt.Fprintln(os.Stderr, "startup:", err)
				os.Exit(1)
			}
			res[i].retried = true
			res[i].ratio = min(res[i].ratio, again.ratio(1, 0))
		}
	}
	problems := report(os.Stdout, m, res, *n, *target, *maxRatio, *regress)
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
	median         time.Duration
	ratio, vsHello float64
	retried        bool
}

func (r result) regressed(limit float64) bool {
	return r.entry.ratio > 0 && r.ratio > r.entry.ratio*(1+limit)
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

type measurement struct {
	times  [][]time.Duration
	median []time.Duration
}

// ratio is the median over rounds of command i's time over command j's.
func (m measurement) ratio(i, j int) float64 {
	per := make([]float64, len(m.times[i]))
	for r := range per {
		per[r] = float64(m.times[i][r]) / float64(m.times[j][r])
	}
	slices.Sort(per)
	return per[len(per)/2]
}

func measure(argvs [][]string, n int) (measurement, error) {
	m := measurement{times: make([][]time.Duration, len(argvs))}
	for round := 0; round < n+2; round++ {
		for i, argv := range argvs {
			d, err := run(argv)
			if err != nil {
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
			change := r.ratio/r.entry.ratio - 1
			switch {
			case r.regressed(regress):
				verdict = fmt.Sprintf("REGRESSED %+.0f%%", 100*change)
				problems++
				notes = append(notes, fmt.Sprintf("llmcost %s: %.2fx stackfloor, %.0f%% over its baseline %.2fx (limit %.0f%%; timed twice)", r.args, r.ratio, 100*change, r.entry.ratio, 100*regress))
			case change < -regress:
				verdict = fmt.Sprintf("faster %+.0f%%", 100*change)
				notes = append(notes, fmt.Sprintf("llmcost %s is %.0f%% faster than its baseline: make bench-baseline and commit, so that later regressions count from here", r.args, -100*change))
			default:
				verdict = fmt.Sprintf("ok %+.0f%%", 100*change)
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
