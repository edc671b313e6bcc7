package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/route"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/schollz/progressbar/v3"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
)

// RouteOptions are the inputs of `llmcost route`.
type RouteOptions struct {
	F *Factory

	PromptsFile string
	PolicyFile  string
	LogFile     string
	Concurrency int
	MaxAttempts int
	MaxTokens   int
	Stream      bool
	Resume      bool
	DryRun      bool
	LogPrompts  bool
	CheckPolicy string
	AsOf        string

	// Proxy mode (--listen).
	Listen       string
	MaxBody      string
	DrainTimeout time.Duration
	BudgetFile   string

	logSet bool
}

func newCmdRoute(f *Factory, runF func(*RouteOptions) error) *cobra.Command {
	opts := &RouteOptions{F: f}
	cmd := &cobra.Command{
		Use:         "route (-f PROMPTS | --listen ADDR) --policy POLICY",
		Annotations: map[string]string{annotationLongRunning: "true"},
		Short:       "Send real prompts through the backends a routing policy names, and log what they cost",
		Long: `Route prompts (one per line, or JSONL {"id","prompt","task","pii","max_tokens"})
through the cloud and local backends of a policy file, measure every answer
(tokens as the server reports them, latency, time to first token) and append one
record per prompt to a JSONL cost log.

Prompts with personal data (e-mail, phone, card, IBAN, SSN, IP address, or
"pii": true in the file) never go to a source: cloud backend: not by a rule, not
by fallback, not by a retry. API keys are read from the environment variables the
policy names and are never logged. Prompt text is logged only with --log-prompts.

A prompts file is checked whole before anything is sent: a bad line or a
repeated id anywhere exits 2 (file:line) with nothing sent and nothing logged.
Prompts on stdin (-f -) or from a pipe are streamed instead: a bad line stops
the run there, and the prompts before it have already been sent and logged.

Ctrl-C stops sending, records what finished, prints the summary and exits 130;
--resume then runs only the prompts that have no final record in the log (ok, or
an error other than "interrupted"), so every prompt ends in the log exactly once.
Resume with the same prompts file: plain-text ids are line numbers.

With --listen ADDR, route is a proxy instead: applications point their OpenAI
or Anthropic SDK at it (OPENAI_BASE_URL=http://ADDR/v1, ANTHROPIC_BASE_URL=
http://ADDR) and every chat request is routed by the same policy, sent, priced
and logged, one record per request. "model" is "auto" (the rules decide), a
backend's name or its model id; headers X-Llmcost-Task and X-Llmcost-Pii: true
feed the rules. Listening beyond loopback needs LLMCOST_PROXY_KEYS
(name:key,name:key; clients send Authorization: Bearer KEY or x-api-key: KEY).
SIGINT/SIGTERM stop accepting, let requests in flight finish for
--drain-timeout, record the rest as interrupted and exit 0.

Exit status: 0 all prompts answered, 1 some failed after retries (each record
says why), 2 bad flags, policy or prompts file (file:line), 130 interrupted.`,
		Example: `  # check a policy (written by hand or by 'llmcost decide --write-policy')
  llmcost route --check-policy route.yaml

  # what would this cost? nothing is sent; tokens are counted locally
  llmcost route -f prompts.jsonl --policy route.yaml --dry-run

  # the real run, 8 at a time, streaming to measure time to first token
  llmcost route -f prompts.jsonl --policy route.yaml --log costs.jsonl --concurrency 8 --stream

  # after Ctrl-C or a crash: finish the rest without repeating anything
  llmcost route -f prompts.jsonl --policy route.yaml --log costs.jsonl --resume

  # a live proxy for your applications' own traffic
  llmcost route --listen 127.0.0.1:8787 --policy route.yaml --log costs.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.logSet = cmd.Flags().Changed("log")
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.Listen != "" {
				return routeListen(cmd, opts)
			}
			return routeRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.PromptsFile, "file", "f", "", "prompts `FILE`: one prompt per line, or JSONL; - for stdin")
	fl.StringVar(&opts.PolicyFile, "policy", "", "route policy `FILE` (YAML)")
	fl.StringVar(&opts.LogFile, "log", "costs.jsonl", "JSONL cost log `FILE`, appended to")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, "prompts in flight at once")
	fl.IntVar(&opts.MaxAttempts, "max-attempts", backend.DefaultMaxAttempts, "attempts per request, first included (retries back off with jitter and honour Retry-After)")
	fl.IntVar(&opts.MaxTokens, "max-tokens", 0, "output limit for prompts without max_tokens (0: the server's default; --dry-run assumes 256)")
	fl.BoolVar(&opts.Stream, "stream", false, "stream answers (measures time to first token)")
	fl.BoolVar(&opts.Resume, "resume", false, "skip prompts that already have a final record in --log")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "send nothing: count tokens locally, route and price (no log unless --log is given)")
	fl.BoolVar(&opts.LogPrompts, "log-prompts", false, "write prompt text into the log")
	fl.StringVar(&opts.CheckPolicy, "check-policy", "", "validate a policy `FILE` and exit")
	fl.StringVar(&opts.AsOf, "as-of", "", "price every request at the catalog prices of `DATE` (YYYY-MM-DD; default: each request's own time)")
	fl.StringVar(&opts.Listen, "listen", "", "serve as a proxy on `ADDR` (host:port; port 0 picks a free one) instead of reading -f")
	fl.StringVar(&opts.MaxBody, "max-body", "8MiB", "proxy: largest request body accepted (`SIZE`: bytes, or with KiB/MiB); larger gets 413")
	fl.DurationVar(&opts.DrainTimeout, "drain-timeout", 30*time.Second, "proxy: on SIGINT/SIGTERM, how long requests in flight may finish")
	fl.StringVar(&opts.BudgetFile, "budget", "", "proxy: budget `FILE`; at a limit, cloud requests go local where the rules allow, else 429")
	_ = cmd.MarkFlagFilename("budget", "yaml", "yml")
	_ = cmd.MarkFlagFilename("file", "txt", "jsonl")
	_ = cmd.MarkFlagFilename("policy", "yaml", "yml")
	_ = cmd.MarkFlagFilename("check-policy", "yaml", "yml")
	_ = cmd.MarkFlagFilename("log", "jsonl")
	return cmd
}

func (o *RouteOptions) validate() error {
	if o.CheckPolicy != "" {
		if o.PromptsFile != "" || o.PolicyFile != "" {
			return FlagErrorf("--check-policy validates a policy and exits; do not combine it with -f or --policy")
		}
		return nil
	}
	if o.Listen != "" {
		return o.validateListen()
	}
	if o.BudgetFile != "" {
		return FlagErrorf("--budget applies to --listen (a live proxy)")
	}
	if o.PromptsFile == "" {
		return FlagErrorf("-f/--file is required (the prompts to route), or --listen ADDR to serve as a proxy")
	}
	if o.PolicyFile == "" {
		return FlagErrorf("--policy is required (or --check-policy FILE to validate one)")
	}
	if o.Concurrency < 1 || o.Concurrency > 1024 {
		return FlagErrorf("invalid value %d for --concurrency: want 1 to 1024", o.Concurrency)
	}
	if o.MaxAttempts < 1 || o.MaxAttempts > 100 {
		return FlagErrorf("invalid value %d for --max-attempts: want 1 to 100", o.MaxAttempts)
	}
	if o.MaxTokens < 0 {
		return FlagErrorf("invalid value %d for --max-tokens: want 0 or more", o.MaxTokens)
	}
	if o.LogFile == "" {
		return FlagErrorf("--log must name a file")
	}
	if o.Resume && o.DryRun {
		return FlagErrorf("--resume and --dry-run do not combine: a dry run finishes nothing")
	}
	if o.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, o.AsOf); err != nil {
			return FlagErrorf("invalid value %q for --as-of: want a date as YYYY-MM-DD", o.AsOf)
		}
	}
	return nil
}

// RouteResult is the JSON contract of `route` (its summary).
type RouteResult struct {
	SchemaVersion int    `json:"schema_version"`
	Prompts       string `json:"prompts"`
	Policy        string `json:"policy"`
	Log           string `json:"log,omitempty"`
	*route.Summary
	Warnings []string `json:"warnings"`
}

// PolicyCheckResult is the JSON of `route --check-policy`.
type PolicyCheckResult struct {
	SchemaVersion int             `json:"schema_version"`
	Policy        string          `json:"policy"`
	OK            bool            `json:"ok"`
	Backends      []policyRow     `json:"backends"`
	Rules         []string        `json:"rules"`
	Fallback      *route.Fallback `json:"fallback,omitempty"`
	Shadow        *route.Shadow   `json:"shadow,omitempty"`
	Warnings      []string        `json:"warnings"`
}

type policyRow struct {
	Name     string `json:"name"`
	Source   string `json:"source"`
	API      string `json:"api"`
	Model    string `json:"model"`
	Pricing  string `json:"pricing"`
	Logprobs bool   `json:"logprobs"`
}

// Tables renders the policy check.
func (r *PolicyCheckResult) Tables() []output.TableData {
	t := output.TableData{
		Title:   fmt.Sprintf("%s: valid", r.Policy),
		Headers: []string{"Backend", "Source", "API", "Model", "Pricing", "Logprobs"},
	}
	for _, b := range r.Backends {
		t.Rows = append(t.Rows, []string{b.Name, b.Source, b.API, b.Model, b.Pricing, strconv.FormatBool(b.Logprobs)})
	}
	for i, rule := range r.Rules {
		t.Notes = append(t.Notes, fmt.Sprintf("rule %d: %s", i+1, rule))
	}
	if fb := r.Fallback; fb != nil {
		t.Notes = append(t.Notes, fmt.Sprintf("fallback: %s -> %s when confidence < %g (never for PII)", fb.From, fb.To, fb.MinConfidence))
	}
	if sh := r.Shadow; sh != nil && sh.Sample != nil {
		t.Notes = append(t.Notes, fmt.Sprintf("shadow: %g%% of route --listen requests also go to %s, after the answer (never PII to cloud)", *sh.Sample*100, sh.To))
	}
	for _, w := range r.Warnings {
		t.Notes = append(t.Notes, "warning: "+w)
	}
	return []output.TableData{t}
}

// Tables renders the run summary.
func (r *RouteResult) Tables() []output.TableData {
	t := output.TableData{
		Headers: []string{"Backend", "Source", "Requests", "OK", "Errors", "Input tok", "Output tok", "p50 ms", "p95 ms", "p50 TTFT", "p95 TTFT", "Decode tok/s", "Cost", "Unknown cost", "Catalog est.", "Difference"},
		Align: []output.Align{output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Right,
			output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right},
	}
	ms := func(v *float64) (string, string) {
		if v == nil {
			return "-", ""
		}
		return strconv.FormatFloat(*v, 'f', 0, 64), strconv.FormatFloat(*v, 'f', -1, 64)
	}
	usd := func(u *ledger.USD) (string, string) {
		if u == nil {
			return "-", ""
		}
		return units.FormatUSD(u.Decimal), u.String()
	}
	rows := append(append([]route.BackendSummary{}, r.Backends...), r.Total)
	for _, b := range rows {
		p50, rp50 := ms(b.P50LatencyMs)
		p95, rp95 := ms(b.P95LatencyMs)
		t50, rt50 := ms(b.P50TTFTMs)
		t95, rt95 := ms(b.P95TTFTMs)
		tps, rtps := ms(b.DecodeTPS)
		cost, rcost := usd(b.CostUSD)
		unknown := "-"
		if b.CostMissing > 0 {
			if b.CostUSD != nil {
				cost += "+?"
			} else {
				cost = "unknown"
			}
			unknown = fmt.Sprintf("%d requests", b.CostMissing)
		}
		est, rest := usd(b.EstimatedCostUSD)
		diff, rdiff := usd(b.DifferenceUSD)
		tokIn, tokOut := units.FormatTokensExact(b.InputTokens), units.FormatTokensExact(b.OutputTokens)
		if b.MissingTokens > 0 {
			// Counts a server did not report are unknown, not 0.
			mark := func(s string, sum int64) string {
				if sum == 0 && b.MissingTokens >= b.OK {
					return "unknown"
				}
				return s + "+?"
			}
			tokIn, tokOut = mark(tokIn, b.InputTokens), mark(tokOut, b.OutputTokens)
		}
		name := b.Backend
		if r.DryRun && name != "total" {
			name += " (dry run)"
		}
		t.Rows = append(t.Rows, []string{name, b.Source, fmtInt64(b.Requests), fmtInt64(b.OK), fmtInt64(b.Errors), tokIn, tokOut, p50, p95, t50, t95, tps, cost, unknown, est, diff})
		t.Raw = append(t.Raw, []string{b.Backend, b.Source, fmtInt64(b.Requests), fmtInt64(b.OK), fmtInt64(b.Errors), fmtInt64(b.InputTokens), fmtInt64(b.OutputTokens),
			rp50, rp95, rt50, rt95, rtps, rcost, fmtInt64(b.CostMissing), rest, rdiff})
	}
	if r.DryRun {
		t.Title = "Dry run: nothing was sent; input tokens counted locally, output assumed"
	} else {
		t.Title = "Measured: tokens as the servers reported them; cost = catalog price × usage (cloud), hourly × busy time (local)"
	}
	for _, b := range r.Backends {
		if b.Escalated > 0 {
			t.Notes = append(t.Notes, fmt.Sprintf("%d answers of %s had low confidence and were asked again by the fallback backend (their cost and tokens are counted under %s)", b.Escalated, b.Backend, b.Backend))
		}
	}
	if r.Unlogged > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d answered requests are counted here but not in the log, which could not take their records; run again with --resume once it can (their prompts will be sent again)", r.Unlogged))
	}
	if r.Skipped > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d prompts already done in the log were skipped (--resume)", r.Skipped))
	}
	if r.Total.Interrupted > 0 || r.Interrupted {
		t.Notes = append(t.Notes, fmt.Sprintf("interrupted: %d requests were cut short; run again with --resume to finish", r.Total.Interrupted))
	}
	switch {
	case r.Total.CostMissing > 0 && r.DryRun:
		t.Notes = append(t.Notes, fmt.Sprintf("%d requests have no dry-run cost: a local backend's hourly_usd needs the busy time of a real run (not counted as $0)", r.Total.CostMissing))
	case r.Total.CostMissing > 0:
		why := "usage not reported or the request failed"
		if r.Total.Interrupted > 0 {
			// Interrupted requests are not in Requests (they run again with
			// --resume), but were sent: their cost is unknown too.
			why = "usage not reported, the request failed, or it was interrupted (interrupted ones are not in Requests)"
		}
		t.Notes = append(t.Notes, fmt.Sprintf("%d requests have an unknown cost (%s); they are not counted as $0", r.Total.CostMissing, why))
	}
	for _, w := range r.Warnings {
		t.Notes = append(t.Notes, "warning: "+w)
	}
	return []output.TableData{t}
}

func fmtInt64(n int64) string { return strconv.FormatInt(n, 10) }

func routeRun(cmd *cobra.Command, o *RouteOptions) error {
	f := o.F
	ios := f.IOStreams
	format, err := f.Format()
	if err != nil {
		return err
	}
	pol, pricer, warnings, policyPath, err := loadRoutePolicy(o)
	if err != nil {
		return err
	}
	if o.CheckPolicy != "" {
		return output.Write(ios, format, policyCheck(pol, warnings))
	}

	var in io.Reader = ios.In
	total := int64(-1)
	if o.PromptsFile != "-" {
		pf, err := os.Open(o.PromptsFile)
		if err != nil {
			return &InputError{Err: fmt.Errorf("-f: %w", err)}
		}
		defer pf.Close()
		in = pf
		if st, err := pf.Stat(); err == nil && st.IsDir() {
			return &InputError{Err: fmt.Errorf("-f: %s is a directory, not a prompts file", o.PromptsFile)}
		}
		// A regular file is checked whole first, so a bad line anywhere
		// stops the run before anything is sent or logged. Stdin and pipes
		// cannot be read twice: they are streamed, and a bad line stops the
		// run there.
		if st, err := pf.Stat(); err == nil && st.Mode().IsRegular() {
			n, err := route.CheckPrompts(pf, o.PromptsFile)
			var ie *route.InputError
			switch {
			case errors.As(err, &ie):
				return &InputError{Err: err}
			case err != nil:
				return err
			}
			if _, err := pf.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("-f: %w", err)
			}
			total = n
		}
	}

	r := &route.Runner{
		Policy: pol, Pricer: pricer, Concurrency: o.Concurrency,
		Retry: backend.RetryPolicy{MaxAttempts: o.MaxAttempts},
		Now:   f.Now, Stream: o.Stream, LogPrompts: o.LogPrompts, DryRun: o.DryRun, DefaultMaxTokens: o.MaxTokens,
	}
	if !o.DryRun {
		r.Backends, err = newRouteBackends(f, pol, policyPath, f.HTTPClient())
		if err != nil {
			return err
		}
	}

	if o.Resume {
		done, warns, err := ledger.FinalIDs(o.LogFile)
		if err != nil {
			return &InputError{Err: fmt.Errorf("--resume: %w", err)}
		}
		for _, w := range warns {
			warnings = append(warnings, w.String())
			fmt.Fprintln(ios.ErrOut, "warning:", w)
		}
		r.Skip = func(id string) bool { _, ok := done[id]; return ok }
	}

	logPath := ""
	if !o.DryRun || o.logSet {
		w, err := ledger.Open(o.LogFile)
		if err != nil {
			return fmt.Errorf("--log: %w", err)
		}
		defer w.Close()
		if n := w.Dropped(); n > 0 {
			msg := fmt.Sprintf("%s: removed a torn last record (%d bytes) left by a crash; its prompt will be run again", o.LogFile, n)
			warnings = append(warnings, msg)
			fmt.Fprintln(ios.ErrOut, "warning:", msg)
		}
		r.Log, logPath = w, o.LogFile
	} else {
		r.Log = discard{}
	}

	bar := newRouteProgress(ios.ErrOut, ios.IsStderrTTY(), total)
	r.OnRecord, r.OnSkip = bar.record, bar.skip

	sum, runErr := r.Run(cmd.Context(), route.NewPromptReader(in, o.PromptsFile))
	bar.finish()
	if c, ok := r.Log.(io.Closer); ok {
		if err := c.Close(); err != nil && runErr == nil {
			runErr = err
		}
	}
	if sum != nil {
		res := &RouteResult{SchemaVersion: 1, Prompts: o.PromptsFile, Policy: o.PolicyFile, Log: logPath, Summary: sum, Warnings: warnings}
		if res.Warnings == nil {
			res.Warnings = []string{}
		}
		if err := output.Write(ios, format, res); err != nil {
			return err
		}
	}
	var ie *route.InputError
	switch {
	case runErr == nil:
	case errors.As(runErr, &ie):
		return &InputError{Err: runErr}
	default:
		return runErr
	}
	if sum.Total.Errors > 0 {
		where := "see the error field in " + logPath
		if logPath == "" {
			where = "a dry run writes no log; add --log FILE to keep the errors"
		}
		return &ExitError{Code: ExitNegative, Msg: fmt.Sprintf("%d of %d prompts failed; %s", sum.Total.Errors, sum.Total.Requests, where)}
	}
	return nil
}

func policyCheck(p *route.Policy, warnings []string) *PolicyCheckResult {
	res := &PolicyCheckResult{SchemaVersion: 1, Policy: p.File, OK: true, Fallback: p.Fallback, Shadow: p.Shadow, Warnings: warnings}
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
	for _, b := range p.Backends {
		pricing := "price " + b.Price
		if b.HourlyUSD != nil {
			pricing = "$" + b.HourlyUSD.String() + "/hour"
		}
		res.Backends = append(res.Backends, policyRow{b.Name, b.Source, b.API, b.Model, pricing, b.RequestLogprobs()})
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		cond := "default"
		if r.When != nil && (len(r.When.Task) > 0 || r.When.PII != nil) {
			cond = "when " + r.When.String()
		}
		res.Rules = append(res.Rules, fmt.Sprintf("%s -> %s", cond, r.Use))
	}
	return res
}

type discard struct{}

func (discard) Write(*ledger.Record) error { return nil }

// routeProgress is the stderr progress bar (terminals only).
type routeProgress struct {
	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	errors int64
	cost   decimal.Decimal
}

func newRouteProgress(w io.Writer, tty bool, total int64) *routeProgress {
	p := &routeProgress{}
	if !tty {
		return p
	}
	p.bar = newProgressBar(w, total, "routing", "prompts")
	return p
}

// newProgressBar is the stderr bar of route and bench: a count, a rate of
// unit per second, redrawn at most every 100 ms, cleared when done.
func newProgressBar(w io.Writer, total int64, what, unit string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(20),
	)
}

func (p *routeProgress) record(r *ledger.Record) {
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Status == ledger.StatusError {
		p.errors++
	}
	if r.CostUSD != nil {
		p.cost = p.cost.Add(r.CostUSD.Decimal)
	}
	if r.Escalated != nil && r.Escalated.CostUSD != nil {
		p.cost = p.cost.Add(r.Escalated.CostUSD.Decimal)
	}
	p.bar.Describe(fmt.Sprintf("routing · %d errors · %s", p.errors, units.FormatUSD(p.cost)))
	_ = p.bar.Add(1)
}

func (p *routeProgress) skip(string) {
	if p.bar != nil {
		_ = p.bar.Add(1)
	}
}

func (p *routeProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}

// loadRoutePolicy loads the catalog's pricer and the policy (--policy or
// --check-policy), printing its warnings.
func loadRoutePolicy(o *RouteOptions) (*route.Policy, *route.CatalogPricer, []string, string, error) {
	f := o.F
	cat, err := f.Catalog()
	if err != nil {
		return nil, nil, nil, "", err
	}
	pricer := &route.CatalogPricer{Catalog: cat}
	if o.AsOf != "" {
		pricer.AsOf, _ = time.Parse(time.DateOnly, o.AsOf)
	}
	policyPath, policyFlag := o.PolicyFile, "--policy"
	if o.CheckPolicy != "" {
		policyPath, policyFlag = o.CheckPolicy, "--check-policy"
	}
	pol, issues, err := route.LoadPolicy(policyPath, route.Options{CheckPrice: pricer.CheckPrice})
	var warnings []string
	for _, is := range issues {
		warnings = append(warnings, is.String())
	}
	if err != nil {
		var pe *route.PolicyError
		if errors.As(err, &pe) {
			return nil, nil, nil, "", &InputError{Err: err}
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, nil, "", &InputError{Err: fmt.Errorf("%s: %w", policyFlag, err)}
		}
		return nil, nil, nil, "", fmt.Errorf("%s: %w", policyFlag, err)
	}
	for _, w := range warnings {
		fmt.Fprintln(f.IOStreams.ErrOut, "warning:", w)
	}
	return pol, pricer, warnings, policyPath, nil
}

// newRouteBackends builds one client per policy backend.
func newRouteBackends(f *Factory, pol *route.Policy, policyPath string, client *http.Client) (map[string]backend.Backend, error) {
	out := map[string]backend.Backend{}
	for _, pb := range pol.Backends {
		b, err := backend.New(backend.Config{Name: pb.Name, API: pb.API, BaseURL: pb.BaseURL, Model: pb.Model,
			APIKeyEnv: pb.APIKeyEnv, Timeout: pb.Timeout, HTTPClient: client, Getenv: f.Getenv,
			RequireAPIKey: pb.Cloud() && pb.APIKeyEnv != "", Now: f.Now})
		if err != nil {
			return nil, &InputError{Err: fmt.Errorf("%s: %w", policyPath, err)}
		}
		out[pb.Name] = b
	}
	return out, nil
}
