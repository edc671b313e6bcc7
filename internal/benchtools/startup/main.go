// Command startup times whole-binary runs: the median wall time of each
// command next to a baseline's, as ratios (make bench).
//
//	startup -n 30 -- ./bin/hello -- ./bin/floor-all -- ./bin/llmcost estimate --tokens 10M
//
// The first command is the baseline, the last one is the command the
// target applies to; any in between are shown for reference. Runs are
// interleaved (one of each per round) so that a machine that slows down
// or speeds up part-way through skews every command alike, and the
// ratio is also given as the median of the per-round ratios.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 30, "rounds (runs per command)")
	target := flag.Float64("target", 2, "maximum acceptable ratio of the last command to the first (reported, not enforced)")
	flag.Parse()
	cmds := split(flag.Args())
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "startup: -n must be at least 1")
		os.Exit(2)
	}
	if len(cmds) < 2 {
		fmt.Fprintln(os.Stderr, "usage: startup [-n N] -- BASELINE... [-- REFERENCE...]... -- COMMAND...")
		os.Exit(2)
	}
	times := make([][]time.Duration, len(cmds))
	for round := 0; round < *n+2; round++ {
		for i, argv := range cmds {
			d, err := run(argv)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			if round >= 2 { // two warm-up rounds fill the page cache
				times[i] = append(times[i], d)
			}
		}
	}
	base := median(times[0])
	for i, argv := range cmds {
		m := median(times[i])
		fmt.Printf("startup: %-45s median %8s  %5.2fx\n", strings.Join(argv, " "), m.Round(time.Microsecond), float64(m)/float64(base))
	}
	last := len(cmds) - 1
	ratio := float64(median(times[last])) / float64(base)
	per := make([]float64, len(times[0]))
	for r := range per {
		per[r] = float64(times[last][r]) / float64(times[0][r])
	}
	slices.Sort(per)
	verdict := "within target"
	if ratio > *target {
		verdict = "OVER target"
	}
	fmt.Printf("startup: ratio %.2fx (median of per-round ratios %.2fx; target <= %.1fx, %s; %d runs each)\n", ratio, per[len(per)/2], *target, verdict, *n)
}

func split(args []string) [][]string {
	var out [][]string
	var cur []string
	for _, a := range args {
		if a == "--" {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, a)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
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

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
