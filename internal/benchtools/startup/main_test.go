package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

const sampleBaseline = `# comment
1.10  llmcost --version
1.25  llmcost estimate --tokens 10M

-  llmcost catalog list
`

func TestParseBaseline(t *testing.T) {
	got, err := parseBaseline(sampleBaseline)
	if err != nil {
		t.Fatal(err)
	}
	want := []entry{{1.10, "--version"}, {1.25, "estimate --tokens 10M"}, {0, "catalog list"}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"", "# only comments\n", "1.1 --version\n", "x llmcost --version\n", "-1 llmcost a\n", "1 llmcost a\n1 llmcost a\n"} {
		if _, err := parseBaseline(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestFormatBaselineKeepsCommentsAndOrder(t *testing.T) {
	res := []result{{entry: entry{1.10, "--version"}, ratio: 1.234}, {entry: entry{1.25, "estimate --tokens 10M"}, ratio: 1.3}, {entry: entry{0, "catalog list"}, ratio: 2}}
	got := formatBaseline(sampleBaseline, res)
	want := "# comment\n1.23  llmcost --version\n1.30  llmcost estimate --tokens 10M\n\n2.00  llmcost catalog list\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := parseBaseline(got); err != nil {
		t.Errorf("rewritten file does not parse: %v", err)
	}
}

// fake builds a measurement of hello, stackfloor and the commands, each
// taking the same time in every round.
func fake(rounds int, ms ...float64) measurement {
	var m measurement
	for _, v := range ms {
		d := time.Duration(v * float64(time.Millisecond))
		ts := make([]time.Duration, rounds)
		for i := range ts {
			ts[i] = d
		}
		m.times = append(m.times, ts)
		m.median = append(m.median, d)
	}
	return m
}

func TestReportVerdicts(t *testing.T) {
	m := fake(5, 1, 10, 11, 12.5, 30)
	res := []result{
		{entry: entry{1.05, "--version"}, ratio: m.ratio(2, 1)},             // 1.10: +5%, ok
		{entry: entry{1.10, "estimate --tokens 10M"}, ratio: m.ratio(3, 1)}, // 1.25: +14%, regressed
		{entry: entry{0, "catalog list"}, ratio: m.ratio(4, 1)},             // new
	}
	var out bytes.Buffer
	problems := report(&out, m, res, 5, "estimate --tokens 10M", 1.3, 0.10)
	s := out.String()
	if problems != 1 {
		t.Errorf("want 1 problem (the regression; 1.25x is within 1.3x), got %d:\n%s", problems, s)
	}
	for _, want := range []string{"REGRESSED +14%", "ok +5%", " new", "1.25x stackfloor (target <= 1.30x): within target", "0.10x"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	res[1].entry.ratio = 1.35
	res[1].ratio = 1.4
	out.Reset()
	if problems := report(&out, m, res, 5, "estimate --tokens 10M", 1.3, 0.10); problems != 1 || !strings.Contains(out.String(), "OVER target") {
		t.Errorf("1.4x against a 1.3x target: %d problems\n%s", problems, out.String())
	}
	res[0].ratio = 0.9
	out.Reset()
	report(&out, m, res, 5, "estimate --tokens 10M", 1.3, 0.10)
	if !strings.Contains(out.String(), "faster") || !strings.Contains(out.String(), "make bench-baseline") {
		t.Errorf("a big improvement should suggest a new baseline:\n%s", out.String())
	}
}

func TestRatioIsMedianOverPairsOfRounds(t *testing.T) {
	// A slow stretch (rounds 2-3) skews both commands alike.
	m := measurement{times: [][]time.Duration{{10, 10, 20, 20, 10, 10}, {12, 12, 24, 24, 12, 13}}}
	if got := m.ratio(1, 0); got != 1.2 {
		t.Errorf("got %v, want 1.2", got)
	}
	// Whichever runs second is 2 faster; the order alternates, so the
	// pairs cancel it.
	m = measurement{times: [][]time.Duration{{10, 12, 10, 12, 10}, {12, 10, 12, 10, 12}}}
	if got := m.ratio(1, 0); got != 1 {
		t.Errorf("position bias not cancelled: got %v, want 1", got)
	}
}

func TestPreviousBuildTakesPrecedenceOverBaseline(t *testing.T) {
	// Load moved every ratio up 20% since the baseline was written, but
	// against the previous build, timed in the same rounds, only one
	// command is slower.
	r := result{entry: entry{1.0, "--version"}, ratio: 1.2, vsPrev: 1.02}
	if r.regressed(0.10) {
		t.Error("+2% against the previous build is not a regression")
	}
	r.vsPrev = 1.15
	if !r.regressed(0.10) {
		t.Error("+15% against the previous build is a regression")
	}
	if c, ok := (result{entry: entry{0, "x"}}).change(); ok || c != 0 {
		t.Error("a new command without -prev has nothing to compare with")
	}
	m := fake(3, 1, 10, 11, 11)
	var out bytes.Buffer
	res := []result{{entry: entry{1.0, "estimate --tokens 10M"}, ratio: 1.1, vsPrev: 1.15}}
	if problems := report(&out, m, res, 3, "estimate --tokens 10M", 1.3, 0.10); problems != 1 || !strings.Contains(out.String(), "slower than the previous build") || !strings.Contains(out.String(), "REGRESSED +15% vs prev") {
		t.Errorf("%d problems:\n%s", problems, out.String())
	}
}

func TestEachCommandHasRoundsOfItsOwn(t *testing.T) {
	cmd := []string{"bin/llmcost", "estimate", "--tokens", "10M"}
	prev := []string{"bin/llmcost-prev", "estimate", "--tokens", "10M"}
	for _, tc := range []struct {
		prev []string
		want int
	}{{nil, 3}, {prev, 4}} {
		got := roundsFor("bin/hello", "bin/stackfloor", cmd, tc.prev)
		if len(got) != tc.want {
			t.Fatalf("with prev=%v: %d argvs, want %d: %q", tc.prev, len(got), tc.want, got)
		}
		// report and main read hello, stackfloor, the command and its
		// previous build at these indices.
		if got[0][0] != "bin/hello" || got[1][0] != "bin/stackfloor" || got[2][0] != "bin/llmcost" {
			t.Errorf("order: %q", got)
		}
		if tc.prev != nil && got[3][0] != "bin/llmcost-prev" {
			t.Errorf("previous build not last: %q", got)
		}
		llmcost := 0
		for _, a := range got {
			if strings.Contains(a[0], "llmcost") {
				llmcost++
			}
		}
		if want := tc.want - 2; llmcost != want {
			t.Errorf("%d llmcost runs per round, want %d (the command and its previous build only)", llmcost, want)
		}
	}
}

func TestEveryTimedRunFollowsHello(t *testing.T) {
	argvs := roundsFor("hello", "floor", []string{"llmcost", "estimate"}, []string{"prev", "estimate"})
	var seq []string
	m, err := measure(argvs, 4, func(argv []string) (time.Duration, error) {
		seq = append(seq, argv[0])
		return time.Duration(len(seq)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 6 rounds (2 warm-up) of 3 timed binaries, each after hello.
	if len(seq) != 6*3*2 {
		t.Fatalf("%d runs, want 36: %q", len(seq), seq)
	}
	for i := 0; i < len(seq); i += 2 {
		if seq[i] != "hello" || seq[i+1] == "hello" {
			t.Fatalf("run %d: %q does not follow hello: %q", i+1, seq[i+1], seq)
		}
	}
	// The order alternates, so no binary always follows the same one.
	if strings.Join(seq[1:6:6], " ") != "prev hello llmcost hello floor" || seq[7] != "floor" {
		t.Errorf("first rounds: %q", seq[:12])
	}
	for i, ts := range m.times {
		if len(ts) != 4 {
			t.Errorf("%s: %d times kept, want 4 (warm-up rounds dropped)", argvs[i][0], len(ts))
		}
	}
}
