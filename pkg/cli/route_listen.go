package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llmcost/llmcost/internal/gctune"
	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/budget"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/proxy"
	"github.com/llmcost/llmcost/pkg/route"
	"github.com/spf13/cobra"
)

// ProxyKeysEnv holds the proxy's client keys: name:key,name:key.
const ProxyKeysEnv = "LLMCOST_PROXY_KEYS"

func (o *RouteOptions) validateListen() error {
	if o.PromptsFile != "" {
		return FlagErrorf("--listen serves requests from the network; do not combine it with -f")
	}
	if o.PolicyFile == "" {
		return FlagErrorf("--policy is required with --listen")
	}
	if o.Resume || o.DryRun {
		return FlagErrorf("--resume and --dry-run apply to -f, not to --listen")
	}
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		return FlagErrorf("invalid value %q for --listen: want host:port, e.g. 127.0.0.1:8787", o.Listen)
	}
	if _, err := parseByteSize(o.MaxBody); err != nil {
		return FlagErrorf("invalid value %q for --max-body: %v", o.MaxBody, err)
	}
	if o.DrainTimeout < 0 {
		return FlagErrorf("invalid value %s for --drain-timeout: want 0 or more", o.DrainTimeout)
	}
	if o.MaxAttempts < 1 || o.MaxAttempts > 100 {
		return FlagErrorf("invalid value %d for --max-attempts: want 1 to 100", o.MaxAttempts)
	}
	if o.LogFile == "" {
		return FlagErrorf("--log must name a file")
	}
	if o.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, o.AsOf); err != nil {
			return FlagErrorf("invalid value %q for --as-of: want a date as YYYY-MM-DD", o.AsOf)
		}
	}
	return nil
}

// parseByteSize reads 8MiB, 512KiB, 1GiB, 8MB or a plain byte count.
func parseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"kB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 1 || n > (1<<40)/mult {
		return 0, errors.New("want a positive size such as 8MiB, 512KiB or 1048576")
	}
	return n * mult, nil
}

// parseProxyKeys reads LLMCOST_PROXY_KEYS: comma-separated name:key
// pairs (a bare key is named key1, key2, … by position). Messages never
// show a key.
func parseProxyKeys(v string) ([]proxy.Key, error) {
	var keys []proxy.Key
	names := map[string]bool{}
	for i, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, secret, ok := strings.Cut(item, ":")
		if !ok {
			name, secret = fmt.Sprintf("key%d", i+1), item
		}
		name, secret = strings.TrimSpace(name), strings.TrimSpace(secret)
		if name == "" || secret == "" {
			return nil, fmt.Errorf("%s: entry %d has an empty name or key (want name:key,name:key)", ProxyKeysEnv, i+1)
		}
		if len(secret) < 8 {
			return nil, fmt.Errorf("%s: the key named %q is shorter than 8 characters", ProxyKeysEnv, name)
		}
		if names[name] {
			return nil, fmt.Errorf("%s: the name %q is used twice", ProxyKeysEnv, name)
		}
		names[name] = true
		keys = append(keys, proxy.Key{Name: name, Secret: secret})
	}
	return keys, nil
}

// loopbackHost reports whether host (from host:port) only accepts
// connections from this machine.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// proxyHTTPClient is the backends' client for the proxy: the factory's
// transport with enough idle connections per upstream that concurrent
// requests reuse connections instead of dialing (Go's default keeps 2).
func proxyHTTPClient(f *Factory) *http.Client {
	c := f.HTTPClient()
	if t, ok := c.Transport.(*http.Transport); ok {
		t = t.Clone()
		t.MaxIdleConns = 1024
		t.MaxIdleConnsPerHost = 256
		t.IdleConnTimeout = 90 * time.Second
		cc := *c
		cc.Transport = t
		return &cc
	}
	return c
}

func routeListen(cmd *cobra.Command, o *RouteOptions) error {
	f := o.F
	ios := f.IOStreams
	maxBody, _ := parseByteSize(o.MaxBody)
	host, _, _ := net.SplitHostPort(o.Listen)
	keys, err := parseProxyKeys(f.Getenv(ProxyKeysEnv))
	if err != nil {
		return &InputError{Err: err}
	}
	if !loopbackHost(host) && len(keys) == 0 {
		return &InputError{Err: fmt.Errorf("--listen %s accepts connections from other machines: set %s (name:key,...) so clients must send a key, or listen on 127.0.0.1", o.Listen, ProxyKeysEnv)}
	}
	pol, pricer, _, policyPath, err := loadRoutePolicy(o)
	if err != nil {
		return err
	}
	backends, err := newRouteBackends(f, pol, policyPath, proxyHTTPClient(f))
	if err != nil {
		return err
	}
	runner := &route.Runner{Policy: pol, Backends: backends, Pricer: pricer, Now: f.Now, LogPrompts: o.LogPrompts,
		Retry: backend.RetryPolicy{MaxAttempts: o.MaxAttempts}, DefaultMaxTokens: o.MaxTokens}

	w, err := ledger.Open(o.LogFile)
	if err != nil {
		return fmt.Errorf("--log: %w", err)
	}
	defer w.Close()
	if n := w.Dropped(); n > 0 {
		fmt.Fprintf(ios.ErrOut, "warning: %s: removed a torn last record (%d bytes) left by a crash\n", o.LogFile, n)
	}
	live, err := o.liveExtras(runner, w)
	if err != nil {
		return err
	}
	defer live.close()

	rt, err := runner.NewRouter()
	if err != nil {
		return err
	}
	live.bind(rt)
	metrics := proxy.NewMetrics(live.shadowSkipped)
	srv := &proxy.Server{Router: rt, Write: live.write, Keys: keys, MaxBody: maxBody, Now: f.Now, Metrics: metrics,
		OnWriteError: func(err error) {
			fmt.Fprintln(ios.ErrOut, "error: writing the ledger:", err)
		}}
	if live.shadower != nil {
		srv.AfterAnswer = live.afterAnswer
	}

	gctune.Server(f.Getenv)
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return &InputError{Err: fmt.Errorf("--listen %s: %w", o.Listen, err)}
	}
	base, cancelBase := context.WithCancelCause(context.WithoutCancel(cmd.Context()))
	defer cancelBase(nil)
	var inflight sync.WaitGroup
	handler := srv.Handler()
	hs := &http.Server{
		Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			inflight.Add(1)
			defer inflight.Done()
			handler.ServeHTTP(rw, r)
		}),
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	addr := ln.Addr().String()
	printStartup(o, addr, pol, len(keys) > 0, ios.Out)

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("--listen %s: %w", addr, err)
	case <-cmd.Context().Done():
	}
	fmt.Fprintf(ios.ErrOut, "llmcost: stopping: no new requests; letting those in flight finish (up to %s)\n", o.DrainTimeout)
	dctx, cancel := context.WithTimeout(context.Background(), o.DrainTimeout)
	defer cancel()
	if err := hs.Shutdown(dctx); err != nil {
		// Drain time is up: cancel what is left; each request writes an
		// interrupted record and tells its client so (a 503, or an error
		// event in a stream) on its way out. The connections close once
		// they have, or after drainAnswerGrace for a client too slow to
		// read it.
		cancelBase(proxy.ErrDraining)
		answered := make(chan struct{})
		go func() { inflight.Wait(); close(answered) }()
		select {
		case <-answered:
		case <-time.After(drainAnswerGrace):
		}
		_ = hs.Close()
	}
	inflight.Wait()
	live.drainShadow(o.DrainTimeout)
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "llmcost: stopped; records are in %s\n", o.LogFile)
	return nil
}

// drainAnswerGrace bounds how long requests cut off by --drain-timeout
// may take to send their clients the error before connections close.
const drainAnswerGrace = 2 * time.Second

func printStartup(o *RouteOptions, addr string, pol *route.Policy, auth bool, out interface{ Write([]byte) (int, error) }) {
	fmt.Fprintf(out, "llmcost proxy listening on http://%s\n", addr)
	fmt.Fprintf(out, "  OpenAI:    OPENAI_BASE_URL=http://%s/v1\n", addr)
	fmt.Fprintf(out, "  Anthropic: ANTHROPIC_BASE_URL=http://%s\n", addr)
	fmt.Fprintf(out, "  policy %s, log %s", o.PolicyFile, o.LogFile)
	if auth {
		fmt.Fprintf(out, ", clients need a key from %s", ProxyKeysEnv)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "  models: %s", proxy.ModelAuto)
	for _, b := range pol.Backends {
		fmt.Fprintf(out, ", %s", b.Name)
	}
	fmt.Fprintln(out)
	for _, b := range pol.Backends {
		fmt.Fprintf(out, "  backend %-14s %-5s %-9s %s at %s\n", b.Name, b.Source, b.API, b.Model, backend.EffectiveBaseURL(b.API, b.BaseURL))
	}
}

// Shadow queue size: enough to ride out a burst; past it, shadows are
// skipped (counted) rather than slow anything down.
const (
	shadowQueueCap     = 1024
	shadowQueueWorkers = 4
)

// liveState is what the proxy adds to batch route: the ledger writer,
// the shadow queue and (with P3's budget) the live budget.
type liveState struct {
	w        *ledger.Writer
	queue    *route.ShadowQueue
	shadower *proxy.Shadower
	budget   *budget.Live
	policy   *route.Policy
	now      func() time.Time
}

func (o *RouteOptions) liveExtras(r *route.Runner, w *ledger.Writer) (*liveState, error) {
	l := &liveState{w: w, policy: r.Policy, now: r.Now}
	if l.now == nil {
		l.now = time.Now
	}
	if o.BudgetFile != "" {
		cfgs, err := loadBudgets(o.F, []string{o.BudgetFile})
		if err != nil {
			return nil, err
		}
		l.budget = budget.NewLive(cfgs[0])
		// This month's measured spend so far, from the ledger itself.
		if f, err := os.Open(o.LogFile); err == nil {
			_, err = l.budget.AddLedger(f, o.LogFile)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("--log: %w", err)
			}
		}
		r.Admit = l.admit
	}
	if sh := r.Policy.Shadow; sh != nil && sh.Sample != nil && *sh.Sample > 0 {
		l.queue = route.NewShadowQueue(shadowQueueCap, shadowQueueWorkers)
		sampler := route.NewSampler(*sh.Sample, nil)
		l.shadower = &proxy.Shadower{Write: l.write, Sample: sampler.Sample,
			Offer: func(job func(context.Context)) bool { return l.queue.Offer(job) }}
	}
	return l, nil
}

// bind gives the shadower the router (made after liveExtras).
func (l *liveState) bind(rt *route.Router) {
	if l.shadower != nil {
		l.shadower.Router = rt
	}
}

func (l *liveState) write(rec *ledger.Record) error {
	err := l.w.Write(rec)
	if err == nil && l.budget != nil {
		l.budget.Add(rec)
	}
	return err
}

// admit is the live budget (route.Runner.Admit): at a limit, a cloud
// request goes to the local backend the rules would pick for it, or is
// refused (the proxy answers 429 naming the limit).
func (l *liveState) admit(pb *route.PolicyBackend, in *route.Input, pii bool) (*route.PolicyBackend, string, error) {
	if !pb.Cloud() {
		return nil, "", nil
	}
	local := l.policy.Route(in.Task, true) // the rules' choice when the prompt must stay local
	// A request relayed unchanged (in.Wire) may only move to a backend of
	// its wire, and one with fields that wire cannot take (in.Refuse) not
	// at all: it gets the 429 instead.
	canDown := local.Backend != nil && !local.Backend.Cloud() && (in.Wire == "" || local.Backend.API == in.Wire) &&
		(in.Refuse == nil || in.Refuse(local.Backend.API) == "")
	v := l.budget.Decide(l.now(), budget.LiveRequest{Task: in.Task, Cloud: true, CanDowngrade: canDown})
	switch v.Action {
	case budget.Downgrade:
		return local.Backend, fmt.Sprintf("budget: %s; sent to local %q instead", v.Hit.Message(), local.Backend.Name), nil
	case budget.Refuse:
		return nil, "budget: refused", errors.New(v.Hit.Message())
	}
	return nil, "", nil
}

func (l *liveState) afterAnswer(req *proxy.Request, in *route.Input, rec *ledger.Record) {
	if l.shadower == nil {
		return
	}
	if l.budget != nil && l.policy.Shadow != nil {
		// A cloud shadow spends money too: only while the budget allows it.
		if to := l.policy.Backend(l.policy.Shadow.To); to != nil && to.Cloud() {
			if v := l.budget.Decide(l.now(), budget.LiveRequest{Task: in.Task, Cloud: true}); v.Action != budget.Allow {
				return
			}
		}
	}
	l.shadower.After(req, in, rec)
}

func (l *liveState) shadowSkipped() float64 {
	if l.queue == nil {
		return 0
	}
	return float64(l.queue.Stats().Skipped)
}

// drainShadow lets queued shadow requests finish within d, then gives up
// (their records, if any, say interrupted).
func (l *liveState) drainShadow(d time.Duration) {
	if l.queue == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	_ = l.queue.Close(ctx)
	l.queue.Wait()
}

func (l *liveState) close() {}
