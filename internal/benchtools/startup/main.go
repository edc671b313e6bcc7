// Command startup times whole-binary runs: the median wall time of a
// command next to a baseline's, as a ratio (make bench).
//
//	startup -n 30 -- ./bin/hello -- ./bin/llmcost estimate --tokens 10M
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
	n := flag.Int("n", 30, "runs per command")
	target := flag.Float64("target", 2, "maximum acceptable ratio (reported, not enforced)")
	flag.Parse()
	cmds := split(flag.Args())
	if len(cmds) != 2 {
		fmt.Fprintln(os.Stderr, "usage: startup [-n N] -- BASELINE... -- COMMAND...")
		os.Exit(2)
	}
	base, err := median(cmds[0], *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cmd, err := median(cmds[1], *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ratio := float64(cmd) / float64(base)
	verdict := "within target"
	if ratio > *target {
		verdict = "OVER target"
	}
	fmt.Printf("startup: %-45s median %8s\n", strings.Join(cmds[0], " "), base.Round(time.Microsecond))
	fmt.Printf("startup: %-45s median %8s\n", strings.Join(cmds[1], " "), cmd.Round(time.Microsecond))
	fmt.Printf("startup: ratio %.2fx (target <= %.1fx, %s; %d runs each)\n", ratio, *target, verdict, *n)
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

func median(argv []string, n int) (time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < n+2; i++ {
		c := exec.Command(argv[0], argv[1:]...)
		c.Stdout, c.Stderr = nil, nil
		start := time.Now()
		if err := c.Run(); err != nil {
			return 0, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
		}
		if i >= 2 { // two warm-up runs fill the page cache
			ds = append(ds, time.Since(start))
		}
	}
	slices.Sort(ds)
	return ds[len(ds)/2], nil
}
