// Command proxybench measures what `llmcost route --listen` adds to a call,
// next to Portkey's gateway (@portkey-ai/gateway from e2e/node) in front of
// the same fake upstream (internal/fakeupstream), in one run (make bench).
//
// For each mode (non-streaming, streaming) and concurrency (1, 16, 64) it
// sends -n requests to the fake directly, then through the floor
// (internal/benchtools/proxyfloor: httputil.ReverseProxy alone, a reference
// point for any Go proxy), then through llmcost, then through Portkey,
// and prints latency p50/p99, the latency each proxy adds
// (its percentile minus the direct call's), requests/s, CPU time per request
// and resident memory (VmRSS after 1,000 and after all requests of the row,
// and the peak VmHWM), then the targets and whether they are met.
//
//	go run ./internal/benchtools/proxybench -llmcost bin/llmcost
//	go run ./internal/benchtools/proxybench -n 2000 -profile /tmp/prof   # with a CPU profile of llmcost
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmcost/llmcost/internal/proxyharness"
)

type target struct {
	name    string
	url     string // POST target
	model   string
	headers http.Header
	pid     int // -1: not known
	client  *http.Client
}

type result struct {
	lat        []time.Duration
	wall       time.Duration
	errors     int64
	firstErr   string
	rss1k      int64 // KiB, after 1,000 requests
	rssEnd     int64 // KiB, after all
	cpuPerReqU float64
	capped     bool // stopped by -max-row-time before -n requests
}

// count is the number of requests measured, starred when time-capped.
func (r *result) count() string {
	if r.capped {
		return strconv.Itoa(len(r.lat)) + "*"
	}
	return strconv.Itoa(len(r.lat))
}

func (r *result) pct(p int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := len(r.lat) * p / 100
	if i >= len(r.lat) {
		i = len(r.lat) - 1
	}
	return r.lat[i]
}

func (r *result) rps() float64 { return float64(len(r.lat)) / r.wall.Seconds() }

func main() {
	n := flag.Int("n", 10000, "requests per row and target")
	warm := flag.Int("warmup", 500, "warm-up requests per target and mode, not measured")
	concs := flag.String("c", "1,16,64", "concurrencies")
	llmcostBin := flag.String("llmcost", "", "llmcost binary (default: go build ./cmd/llmcost)")
	nodeDir := flag.String("node-dir", "e2e/node", "directory whose node_modules holds @portkey-ai/gateway")
	profile := flag.String("profile", "", "write a CPU and an allocation profile of llmcost into DIR (uses internal/benchtools/llmcostprof)")
	noPortkey := flag.Bool("no-portkey", false, "measure llmcost only")
	rowTime := flag.Duration("max-row-time", 20*time.Second, "stop a target's row after this long, with fewer than -n requests (marked *), so a slow peer cannot stretch the run")
	llmcostURL := flag.String("llmcost-url", "", "use an llmcost proxy already listening at URL (its memory and CPU are not read)")
	flag.Parse()
	var cs []int
	for _, f := range strings.Split(*concs, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c < 1 {
			fmt.Fprintf(os.Stderr, "proxybench: -c: %q is not a concurrency\n", f)
			os.Exit(2)
		}
		cs = append(cs, c)
	}
	if *n < 1000 {
		fmt.Fprintln(os.Stderr, "proxybench: -n must be at least 1000 (memory is sampled after 1,000)")
		os.Exit(2)
	}
	if err := run(*n, *warm, cs, *llmcostBin, *llmcostURL, *nodeDir, *profile, *noPortkey, *rowTime); err != nil {
		fmt.Fprintln(os.Stderr, "proxybench:", err)
		os.Exit(1)
	}
}

func run(n, warm int, cs []int, llmcostBin, llmcostURL, nodeDir, profileDir string, noPortkey bool, rowTime time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root, err := proxyharness.ModuleRoot(".")
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "proxybench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fakeBin := filepath.Join(tmp, "fakeupstream")
	if err := gobuild(ctx, root, fakeBin, "./internal/fakeupstream/cmd/fakeupstream"); err != nil {
		return err
	}
	var env []string
	if profileDir != "" {
		if err := os.MkdirAll(profileDir, 0o755); err != nil {
			return err
		}
		profileDir, _ = filepath.Abs(profileDir)
		llmcostBin = filepath.Join(profileDir, "llmcostprof")
		if err := gobuild(ctx, root, llmcostBin, "./internal/benchtools/llmcostprof"); err != nil {
			return err
		}
		env = append(env, "LLMCOST_CPUPROFILE="+filepath.Join(profileDir, "cpu.pprof"),
			"LLMCOST_MEMPROFILE="+filepath.Join(profileDir, "allocs.pprof"))
	} else if llmcostBin == "" {
		llmcostBin = filepath.Join(tmp, "llmcost")
		if err := gobuild(ctx, root, llmcostBin, "./cmd/llmcost"); err != nil {
			return err
		}
	}

	fake, err := proxyharness.Start(ctx, exec.Command(fakeBin, "-addr", "127.0.0.1:0", "-keep-bodies", "0"), regexp.MustCompile(`^(http://\S+)$`))
	if err != nil {
		return err
	}
	defer fake.Kill()

	// The floor: httputil.ReverseProxy alone in front of the same fake.
	floorBin := filepath.Join(tmp, "proxyfloor")
	if err := gobuild(ctx, root, floorBin, "./internal/benchtools/proxyfloor"); err != nil {
		return err
	}
	floor, err := proxyharness.Start(ctx, exec.Command(floorBin, "-upstream", fake.URL, "-key", "sk-upstream-openai"), regexp.MustCompile(`^(http://\S+)$`))
	if err != nil {
		return fmt.Errorf("proxyfloor: %w", err)
	}
	defer floor.Kill()

	policy := filepath.Join(tmp, "route.yaml")
	if err := os.WriteFile(policy, []byte(proxyharness.Policy(fake.URL, fake.URL)), 0o644); err != nil {
		return err
	}
	ledger := filepath.Join(tmp, "costs.jsonl")
	var proxy *proxyharness.Proc
	proxyPid := -1
	if llmcostURL == "" {
		proxy, err = proxyharness.StartProxy(ctx, llmcostBin, policy, ledger, append(env, proxyharness.UpstreamKeyEnv...))
		if err != nil {
			return fmt.Errorf("llmcost route --listen: %w", err)
		}
		defer func() {
			select {
			case <-proxy.Done():
			default:
				proxy.Kill()
			}
		}()
		llmcostURL, proxyPid = proxy.URL, proxy.Pid()
	}

	targets := []*target{
		{name: "direct", url: fake.URL + "/v1/chat/completions", model: "gpt-4o-mini",
			headers: http.Header{"Authorization": {"Bearer sk-upstream-openai"}}, pid: fake.Pid()},
		{name: "floor", url: floor.URL + "/v1/chat/completions", model: "gpt-4o-mini",
			headers: http.Header{"Authorization": {"Bearer sk-client"}}, pid: floor.Pid()},
		{name: "llmcost", url: llmcostURL + "/v1/chat/completions", model: "cloud-gpt",
			headers: http.Header{"Authorization": {"Bearer sk-client"}}, pid: proxyPid},
	}
	var pk *proxyharness.Proc
	if !noPortkey {
		pk, err = startPortkey(ctx, root, nodeDir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "proxybench: Portkey's gateway NOT measured: %v (run npm ci in e2e/node)\n", err)
			noPortkey = true
		}
	}
	if !noPortkey {
		defer pk.Kill()
		targets = append(targets, &target{name: "Portkey", url: pk.URL + "/v1/chat/completions", model: "gpt-4o-mini",
			headers: http.Header{
				"Authorization":         {"Bearer sk-upstream-openai"},
				"X-Portkey-Provider":    {"openai"},
				"X-Portkey-Custom-Host": {fake.URL + "/v1"},
			}, pid: pk.Pid()})
	}
	maxC := slices.Max(cs)
	for _, t := range targets {
		t.client = &http.Client{Transport: &http.Transport{
			MaxIdleConns: maxC * 2, MaxIdleConnsPerHost: maxC * 2, IdleConnTimeout: time.Minute,
			DisableCompression: true, DialContext: (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		}}
	}

	type row struct {
		stream bool
		c      int
		res    map[string]*result
	}
	var rows []row
	prompt := "Summarise in one sentence why a proxy in front of an LLM should add as little latency as it can."
	start := time.Now()
	for _, stream := range []bool{false, true} {
		for _, t := range targets {
			if _, err := load(t, prompt, stream, warm, 8, rowTime); err != nil {
				return fmt.Errorf("%s warm-up: %w", t.name, err)
			}
		}
		for _, c := range cs {
			r := row{stream: stream, c: c, res: map[string]*result{}}
			for _, t := range targets {
				res, err := load(t, prompt, stream, n, c, rowTime)
				if err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
				r.res[t.name] = res
				if res.errors > 0 {
					fmt.Fprintf(os.Stderr, "proxybench: %s %s c=%d: %d errors, first: %s\n", t.name, modeName(stream), c, res.errors, res.firstErr)
				}
			}
			rows = append(rows, r)
			fmt.Fprintf(os.Stderr, "proxybench: %s c=%d done (%s so far)\n", modeName(stream), c, time.Since(start).Round(time.Second))
		}
	}
	if out := strings.TrimSpace(floor.Output()); strings.Count(out, "\n") > 0 {
		fmt.Fprintf(os.Stderr, "proxybench: the floor proxy said:\n%s\n", lastLines(out, 5))
	}
	peak := map[string]int64{}
	for _, t := range targets {
		_, hwm, _ := proxyharness.Mem(t.pid)
		peak[t.name] = hwm
	}

	// Table 1: latency and throughput.
	peer := "Portkey"
	hasPeer := !noPortkey
	fmt.Printf("Proxy benchmark: %d requests per row, fake upstream on loopback, %d CPUs (shared)\n\n", n, cpus())
	hdr := "| mode | c | direct p50 / p99 ms | floor added p50 / p99 ms | floor req/s | floor CPU µs/req | llmcost added p50 / p99 ms | llmcost req/s | llmcost CPU µs/req |"
	sep := "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	if hasPeer {
		hdr += " Portkey added p50 / p99 ms | Portkey req/s | Portkey CPU µs/req | requests llmcost / Portkey |"
		sep += "---:|---:|---:|---:|"
	}
	hdr += " failed requests floor / llmcost"
	sep += "---:|"
	if hasPeer {
		hdr += " / Portkey"
	}
	hdr += " |"
	fmt.Println(hdr)
	fmt.Println(sep)
	for _, r := range rows {
		d, fl, l := r.res["direct"], r.res["floor"], r.res["llmcost"]
		line := fmt.Sprintf("| %s | %d | %s / %s | %s / %s | %.0f | %.0f | %s / %s | %.0f | %.0f |", modeName(r.stream), r.c,
			ms(d.pct(50)), ms(d.pct(99)), ms(fl.pct(50)-d.pct(50)), ms(fl.pct(99)-d.pct(99)), fl.rps(), fl.cpuPerReqU,
			ms(l.pct(50)-d.pct(50)), ms(l.pct(99)-d.pct(99)), l.rps(), l.cpuPerReqU)
		errs := fmt.Sprintf(" %d / %d", fl.errors, l.errors)
		if hasPeer {
			p := r.res[peer]
			line += fmt.Sprintf(" %s / %s | %.0f | %.0f | %s / %s |", ms(p.pct(50)-d.pct(50)), ms(p.pct(99)-d.pct(99)), p.rps(), p.cpuPerReqU, l.count(), p.count())
			errs += fmt.Sprintf(" / %d", p.errors)
		}
		fmt.Println(line + errs + " |")
	}
	// Table 2: memory.
	fmt.Println()
	hdr = "| mode | c | llmcost RSS MiB after 1k / all |"
	sep = "|---|---:|---:|"
	if hasPeer {
		hdr += " Portkey RSS MiB after 1k / all |"
		sep += "---:|"
	}
	fmt.Println(hdr)
	fmt.Println(sep)
	for _, r := range rows {
		l := r.res["llmcost"]
		line := fmt.Sprintf("| %s | %d | %s / %s |", modeName(r.stream), r.c, mib(l.rss1k), mib(l.rssEnd))
		if hasPeer {
			p := r.res[peer]
			line += fmt.Sprintf(" %s / %s |", mib(p.rss1k), mib(p.rssEnd))
		}
		fmt.Println(line)
	}
	fmt.Printf("\nPeak RSS (VmHWM) over the whole run: llmcost %s MiB", mib(peak["llmcost"]))
	if hasPeer {
		fmt.Printf(", Portkey %s MiB", mib(peak[peer]))
	}
	fmt.Printf(" (fake upstream %s MiB)\n", mib(peak["direct"]))
	fmt.Printf("* stopped by -max-row-time %s before %d requests\n", rowTime, n)

	// Targets (issue 11), reported, not enforced.
	fmt.Println("\nTargets:")
	check := func(ok bool, what string) {
		mark := "met   "
		if !ok {
			mark = "MISSED"
		}
		fmt.Printf("  %s %s\n", mark, what)
	}
	var bestRPS float64
	first, last := rows[0].res["llmcost"], rows[len(rows)-1].res["llmcost"]
	for _, r := range rows {
		d, l := r.res["direct"], r.res["llmcost"]
		if r.c == 16 {
			added := l.pct(99) - d.pct(99)
			fl := r.res["floor"].pct(99) - d.pct(99)
			check(added <= time.Millisecond, fmt.Sprintf("p99 added ≤ 1 ms at c=16, %s: %s ms (the floor, httputil.ReverseProxy alone: %s ms)", modeName(r.stream), ms(added), ms(fl)))
		}
		if !r.stream {
			bestRPS = max(bestRPS, l.rps())
		}
	}
	check(bestRPS >= 5000, fmt.Sprintf("≥ 5,000 req/s non-streaming (best row): %.0f", bestRPS))
	// Flat: within each row (same concurrency and mode), RSS after all the
	// row's requests is within 10% (and 2 MiB) of RSS after its first 1,000.
	worst, worstRow := 0.0, ""
	for _, r := range rows {
		l := r.res["llmcost"]
		if l.rss1k == 0 {
			continue
		}
		if g := float64(l.rssEnd-l.rss1k) / float64(l.rss1k); g > worst {
			worst, worstRow = g, fmt.Sprintf(" (%s c=%d: %s → %s MiB)", modeName(r.stream), r.c, mib(l.rss1k), mib(l.rssEnd))
		}
	}
	check(worst <= 0.10 || float64(last.rssEnd-first.rss1k) < 2048, fmt.Sprintf("RSS flat: within every row RSS after all requests ≤ RSS after 1k + 10%%; worst %+.1f%%%s; whole run %s → %s MiB over %d requests",
		worst*100, worstRow, mib(first.rss1k), mib(last.rssEnd), len(rows)*n))
	if hasPeer {
		var behind []string
		for _, r := range rows {
			d, l, p := r.res["direct"], r.res["llmcost"], r.res[peer]
			if l.pct(50)-d.pct(50) > p.pct(50)-d.pct(50) || l.pct(99)-d.pct(99) > p.pct(99)-d.pct(99) || l.rps() < p.rps() {
				behind = append(behind, fmt.Sprintf("%s c=%d", modeName(r.stream), r.c))
			}
		}
		what := "ahead of Portkey on every row (added p50, added p99, req/s)"
		if len(behind) > 0 {
			what += ": behind on " + strings.Join(behind, ", ")
		}
		check(len(behind) == 0, what)
	}

	if proxy != nil {
		if err := proxy.Stop(30 * time.Second); err != nil {
			return fmt.Errorf("llmcost did not drain: %w", err)
		}
	}
	if profileDir != "" {
		fmt.Printf("\nllmcost CPU profile: go tool pprof -top %s %s\n", llmcostBin, filepath.Join(profileDir, "cpu.pprof"))
		out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=30", llmcostBin, filepath.Join(profileDir, "cpu.pprof")).CombinedOutput()
		if err != nil {
			return fmt.Errorf("go tool pprof: %v\n%s", err, out)
		}
		os.Stdout.Write(out)
	}
	return nil
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func modeName(stream bool) string {
	if stream {
		return "stream"
	}
	return "non-stream"
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64)
}

func mib(kib int64) string {
	if kib == 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(kib)/1024, 'f', 1, 64)
}

func cpus() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\nprocessor") + boolInt(strings.HasPrefix(string(b), "processor"))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func gobuild(ctx context.Context, root, out, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

func startPortkey(ctx context.Context, root, nodeDir string) (*proxyharness.Proc, error) {
	if !filepath.IsAbs(nodeDir) {
		nodeDir = filepath.Join(root, nodeDir)
	}
	script := filepath.Join(nodeDir, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js")
	if _, err := os.Stat(script); err != nil {
		return nil, err
	}
	// The gateway takes --port=N only (no :0): take a free port and hand it over.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("node", script, "--port="+strconv.Itoa(port), "--headless")
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), "NODE_ENV=production")
	p, err := proxyharness.Start(ctx, cmd, regexp.MustCompile(`http://localhost:`+strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	p.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	return p, nil
}

// cpuTicks is the process's user+system CPU time in clock ticks (1/100 s).
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	sys, _ := strconv.ParseInt(f[12], 10, 64)
	return u + sys
}

func requestBody(model, prompt string, stream bool) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"model":%q,"messages":[{"role":"user","content":%q}],"max_tokens":64`, model, prompt)
	if stream {
		b.WriteString(`,"stream":true,"stream_options":{"include_usage":true}`)
	}
	b.WriteString("}")
	return b.Bytes()
}

// load sends n requests from c workers and measures each one's latency,
// from sending to the last byte of the response.
func load(t *target, prompt string, stream bool, n, c int, maxTime time.Duration) (*result, error) {
	body := requestBody(t.model, prompt, stream)
	res := &result{lat: make([]time.Duration, n)}
	var next, doneN atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	cpu0 := cpuTicks(t.pid)
	start := time.Now()
	deadline := start.Add(maxTime)
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 32<<10)
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || time.Now().After(deadline) {
					return
				}
				t0 := time.Now()
				err := do(t, body, stream, buf)
				res.lat[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					if res.errors == 0 {
						res.firstErr = err.Error()
					}
					res.errors++
					mu.Unlock()
				}
				if doneN.Add(1) == 1000 {
					res.rss1k, _, _ = proxyharness.Mem(t.pid)
				}
			}
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	res.rssEnd, _, _ = proxyharness.Mem(t.pid)
	done := int(doneN.Load())
	// Indices are taken in order and none is taken after the deadline
	// without being skipped, so the measured ones are a prefix.
	res.lat = res.lat[:min(done, n)]
	res.capped = len(res.lat) < n
	res.cpuPerReqU = float64(cpuTicks(t.pid)-cpu0) * 10000 / float64(max(len(res.lat), 1))
	slices.Sort(res.lat)
	if res.errors == int64(len(res.lat)) {
		return res, errors.New("every request failed: " + res.firstErr)
	}
	return res, nil
}

func do(t *target, body []byte, stream bool, buf []byte) error {
	req, err := http.NewRequest("POST", t.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range t.headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b := bytes.NewBuffer(buf[:0])
	if _, err := b.ReadFrom(resp.Body); err != nil {
		return err
	}
	tail := b.Bytes()[max(0, b.Len()-512):]
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d: %s", resp.StatusCode, tail)
	}
	if stream && !bytes.Contains(tail, []byte("[DONE]")) {
		return fmt.Errorf("stream without [DONE]: %q", tail)
	}
	if !stream && !bytes.Contains(b.Bytes(), []byte(`"completion_tokens"`)) {
		return fmt.Errorf("answer without usage: %q", tail)
	}
	return nil
}
