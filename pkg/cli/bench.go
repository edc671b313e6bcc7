package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/bench"
	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

// BenchOptions are the inputs of `llmcost bench`.
type BenchOptions struct {
	F                  *Factory
	ctx                context.Context
	BaseURL            string
	Model              string
	API                string
	Concurrency        string
	PromptTokens       int
	OutputTokens       int
	promptFlag         units.TokensValue // --prompt-tokens: 2K as fit and estimate take it
	outputFlag         units.TokensValue
	Requests           int
	Duration           time.Duration
	MinTokensPerSecond float64
	APIKeyEnv          string
	Timeout            time.Duration
	WriteCatalog       string
	GPU                string
	GPUCount           int
	Quant              string
	CatalogModel       string

	requestsSet     bool
	catalogFlagsSet map[string]bool
	levels          []int
}

func newCmdBench(f *Factory, runF func(*BenchOptions) error) *cobra.Command {
	opts := &BenchOptions{F: f}
	cmd := &cobra.Command{
		Use:         "bench",
		Annotations: map[string]string{annotationLongRunning: "true"},
		Short:       "Measure a running server: time to first token, decode speed, throughput per concurrency",
		Long: `Measure a running LLM server (vLLM, llama.cpp's server, Ollama, SGLang, any
OpenAI-compatible or Anthropic-compatible endpoint) at a sweep of concurrency
levels: time to first token (TTFT), inter-token latency (ITL) and end-to-end
latency (p50/p95/p99), the decode speed of one stream, and the aggregate
output tokens/s and requests/s of the level.

Prompts are real prose cut to --prompt-tokens (counted with the model's
tokenizer where tiktoken knows it, else o200k_base), each with its own prefix
so prefix caching does not flatter TTFT. Token counts are the server's own
reported usage: a server that reports none is an error, not a guess.

One warm-up request runs first (not counted): it loads the model on servers
that load lazily, and checks that --base-url, --model and --api-key-env are
right. The knee is the last concurrency at which the median stream still
decodes at --min-tokens-per-second.

The API key is read only from the environment variable --api-key-env names,
and never printed.`,
		Example: `  # a local vLLM or llama.cpp server
  llmcost bench --base-url http://localhost:8000/v1 --model Qwen/Qwen3-8B

  # Ollama, a longer prompt, 30 s per level
  llmcost bench --api ollama --base-url http://localhost:11434 --model llama3.1:8b \
    --prompt-tokens 2000 --duration 30s

  # a remote gateway with a key from the environment, for scripts
  llmcost bench --base-url https://gw.example.com/v1 --model my-model \
    --api-key-env GATEWAY_KEY --concurrency 1,8,32 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			opts.requestsSet = cmd.Flags().Changed("requests")
			opts.catalogFlagsSet = map[string]bool{}
			for _, n := range []string{"gpu", "gpus", "quant", "catalog-model"} {
				opts.catalogFlagsSet[n] = cmd.Flags().Changed(n)
			}
			if err := opts.validate(cmd.Flags().Changed("duration")); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return benchRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.BaseURL, "base-url", "", "the server's API base URL, e.g. http://localhost:8000/v1 (required)")
	fl.StringVar(&opts.Model, "model", "", "the model name the server serves (required)")
	fl.StringVar(&opts.API, "api", "openai", "wire protocol: openai, ollama or anthropic")
	fl.StringVar(&opts.Concurrency, "concurrency", "1,4,16", "comma-separated concurrency levels of the sweep")
	opts.promptFlag.N, opts.outputFlag.N = 500, 256
	fl.Var(&opts.promptFlag, "prompt-tokens", "prompt length in tokens (2K = 2,000)")
	fl.Var(&opts.outputFlag, "output-tokens", "max output tokens per request")
	fl.IntVar(&opts.Requests, "requests", 20, "requests per level (or --duration)")
	fl.DurationVar(&opts.Duration, "duration", 0, "run each level for this long instead of --requests")
	fl.Float64Var(&opts.MinTokensPerSecond, "min-tokens-per-second", 10, "per-stream decode speed that defines the knee")
	fl.StringVar(&opts.APIKeyEnv, "api-key-env", "", "NAME of the environment variable holding the API key (the key is never printed)")
	fl.DurationVar(&opts.Timeout, "timeout", backend.DefaultTimeout, "per-request timeout")
	fl.StringVar(&opts.WriteCatalog, "write-catalog", "", "also write the results as benchmark rows to `DIR`/"+BenchCatalogFile+" (load with --catalog DIR)")
	fl.StringVar(&opts.GPU, "gpu", "", "with --write-catalog: the catalog GPU `ID` the server runs on (required)")
	fl.IntVar(&opts.GPUCount, "gpus", 1, "with --write-catalog: how many of --gpu serve the model")
	fl.StringVar(&opts.Quant, "quant", "", "with --write-catalog: the catalog quantization `ID` of the served weights (required)")
	fl.StringVar(&opts.CatalogModel, "catalog-model", "", "with --write-catalog: the catalog open model `ID` the server serves (default --model, if it is one)")
	_ = cmd.RegisterFlagCompletionFunc("api", fixedCompletion("openai", "ollama", "anthropic"))
	_ = cmd.RegisterFlagCompletionFunc("gpu", completeIDList(f, (*catalog.Catalog).GPUIDs))
	_ = cmd.RegisterFlagCompletionFunc("quant", completeIDList(f, (*catalog.Catalog).QuantIDs))
	_ = cmd.RegisterFlagCompletionFunc("catalog-model", completeIDList(f, (*catalog.Catalog).OpenModelIDs))
	return cmd
}

func (o *BenchOptions) validate(durationSet bool) error {
	if strings.TrimSpace(o.BaseURL) == "" {
		return FlagErrorf("--base-url is required (the server's API base URL, e.g. http://localhost:8000/v1)")
	}
	if strings.TrimSpace(o.Model) == "" {
		return FlagErrorf("--model is required (the model name the server serves)")
	}
	switch o.API {
	case backend.APIOpenAI, backend.APIOllama, backend.APIAnthropic:
	default:
		return FlagErrorf("--api %q is not one of openai, ollama, anthropic", o.API)
	}
	levels, err := parseLevels(o.Concurrency)
	if err != nil {
		return err
	}
	o.levels = levels
	if o.promptFlag.N != 0 || o.outputFlag.N != 0 {
		if o.promptFlag.N > 1<<20 || o.outputFlag.N > 1<<20 {
			return FlagErrorf("--prompt-tokens and --output-tokens take at most 1M (1,048,576) tokens")
		}
		o.PromptTokens, o.OutputTokens = int(o.promptFlag.N), int(o.outputFlag.N)
	}
	if o.PromptTokens < 1 {
		return FlagErrorf("--prompt-tokens %d must be at least 1", o.PromptTokens)
	}
	if o.OutputTokens < 2 {
		return FlagErrorf("--output-tokens %d must be at least 2 (decode speed needs two tokens)", o.OutputTokens)
	}
	if durationSet && o.requestsSet {
		return FlagErrorf("--requests and --duration exclude each other")
	}
	if durationSet {
		if o.Duration <= 0 {
			return FlagErrorf("--duration %s must be positive", o.Duration)
		}
		o.Requests = 0
	} else if o.Requests < 1 {
		return FlagErrorf("--requests %d must be at least 1", o.Requests)
	}
	if o.MinTokensPerSecond <= 0 {
		return FlagErrorf("--min-tokens-per-second %g must be positive", o.MinTokensPerSecond)
	}
	if o.Timeout <= 0 {
		return FlagErrorf("--timeout %s must be positive", o.Timeout)
	}
	if o.APIKeyEnv != "" && backend.LooksLikeAPIKey(o.APIKeyEnv) {
		return FlagErrorf("--api-key-env looks like an API key itself (value not shown); give the NAME of the environment variable that holds the key")
	}
	return nil
}

func parseLevels(s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		n, err := strconv.Atoi(part)
		if err != nil || n < 1 {
			return nil, FlagErrorf("--concurrency %q: %q is not a positive whole number", s, part)
		}
		if n > 4096 {
			return nil, FlagErrorf("--concurrency %q: %d streams is more than 4096", s, n)
		}
		if seen[n] {
			return nil, FlagErrorf("--concurrency %q: %d appears twice", s, n)
		}
		seen[n] = true
		out = append(out, n)
	}
	return out, nil
}

// BenchResult is the JSON contract of `bench`.
type BenchResult struct {
	SchemaVersion int    `json:"schema_version"`
	BaseURL       string `json:"base_url"`
	Model         string `json:"model"`
	API           string `json:"api"`
	PromptTokens  int    `json:"prompt_tokens"`
	OutputTokens  int    `json:"output_tokens"`
	// RequestsPerLevel is 0 when each level ran for DurationSeconds.
	RequestsPerLevel int     `json:"requests_per_level"`
	DurationSeconds  float64 `json:"duration_seconds"`
	Tokenizer        string  `json:"tokenizer"`
	TokenizerExact   bool    `json:"tokenizer_exact"`
	*bench.Result
}

func benchRun(o *BenchOptions) error {
	f := o.F
	ios := f.IOStreams
	format, err := f.Format()
	if err != nil {
		return err
	}
	target, err := o.resolveCatalogTarget()
	if err != nil {
		return err
	}
	ctx := o.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	var client *http.Client
	if f.HTTPClient != nil {
		client = f.HTTPClient()
	}
	b, err := backend.New(backend.Config{Name: "bench", API: o.API, BaseURL: o.BaseURL, Model: o.Model,
		APIKeyEnv: o.APIKeyEnv, Timeout: o.Timeout, HTTPClient: client, Getenv: f.Getenv, Now: f.Now})
	if err != nil {
		return &InputError{Err: fmt.Errorf("%s (check --base-url, --api and --api-key-env)", err)}
	}
	prompts, err := bench.NewPrompts(o.Model, o.PromptTokens, strconv.FormatInt(f.Now().UnixNano(), 36))
	if err != nil {
		return err
	}
	total := int64(-1)
	if o.Requests > 0 {
		total = int64(o.Requests * len(o.levels))
	}
	bar := newBenchProgress(ios.ErrOut, ios.IsStderrTTY(), total)
	res, err := bench.Run(ctx, bench.Config{
		Backend: b, Prompt: prompts.Prompt, OutputTokens: o.OutputTokens, Concurrency: o.levels,
		Requests: o.Requests, Duration: o.Duration, Warmup: 1, MinTokensPerSecond: o.MinTokensPerSecond,
		Now: f.Now, OnSample: bar.sample,
	})
	bar.finish()
	if err != nil {
		return o.benchError(err)
	}
	out := &BenchResult{SchemaVersion: 1, BaseURL: o.BaseURL, Model: o.Model, API: o.API,
		PromptTokens: o.PromptTokens, OutputTokens: o.OutputTokens, RequestsPerLevel: o.Requests,
		DurationSeconds: o.Duration.Seconds(), Tokenizer: prompts.Tokenizer, TokenizerExact: prompts.Exact, Result: res}
	if err := output.Write(ios, format, out); err != nil {
		return err
	}
	if target != nil {
		rows, skipped := benchRows(target, o.GPUCount, o.BaseURL, o.Model, f.Today(), res)
		for _, s := range skipped {
			fmt.Fprintf(ios.ErrOut, "not written to the catalog: %s\n", s)
		}
		if len(rows) > 0 {
			path, err := writeBenchCatalog(o.WriteCatalog, rows)
			if err != nil {
				return err
			}
			fmt.Fprintf(ios.ErrOut, "wrote %d benchmark row(s) for %s on %d× %s (%s) to %s\n", len(rows), target.model, o.GPUCount, target.gpu, target.quant, path)
		}
	}
	failed, first := 0, ""
	for _, lv := range res.Levels {
		if lv.Errors > 0 && first == "" {
			first = fmt.Sprintf("at concurrency %d: %s", lv.Concurrency, lv.FirstError)
		}
		failed += lv.Errors
	}
	if failed > 0 {
		return &ExitError{Code: ExitNegative, Msg: fmt.Sprintf("%d request(s) failed; first %s", failed, first)}
	}
	return nil
}

// benchError turns a failed sweep into a message naming the flag to check
// and its exit code: a server that is not there or is not the API named is
// bad input (2); one that answers without usage is a negative verdict (1).
func (o *BenchOptions) benchError(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, bench.ErrNoUsage) {
		return &ExitError{Code: ExitNegative, Msg: fmt.Sprintf("%s at %s: bench reports the server's own token counts and cannot measure without them (for an OpenAI-compatible server, it must honour stream_options.include_usage)", err, o.BaseURL)}
	}
	var we *bench.WarmupError
	var be *backend.Error
	if !errors.As(err, &we) || !errors.As(err, &be) {
		return err
	}
	var hint string
	switch {
	case be.StatusCode == http.StatusUnauthorized || be.StatusCode == http.StatusForbidden:
		hint = "the server refused the key: check --api-key-env (the variable's value is not shown)"
		if o.APIKeyEnv == "" {
			hint = "the server wants an API key: pass --api-key-env NAME of the environment variable that holds it"
		}
	case be.StatusCode == http.StatusNotFound:
		hint = fmt.Sprintf("not found: check --base-url (the OpenAI API is usually under /v1) and --model %q, and that --api %s is the server's protocol", o.Model, o.API)
	case be.Code == backend.CodeMalformedResponse:
		hint = fmt.Sprintf("the answer is not the %s API: check --base-url (a web UI or proxy page?) and --api", o.API)
	case be.StatusCode == 0 && be.Code != backend.CodeTimeout:
		hint = "cannot reach the server: check --base-url and that the server is running"
	case be.StatusCode == 0:
		hint = fmt.Sprintf("no answer within --timeout %s", o.Timeout)
	default:
		return &ExitError{Code: ExitNegative, Msg: fmt.Sprintf("%s at %s: %s", we.Error(), o.BaseURL, "the server failed the warm-up request")}
	}
	return &InputError{Err: fmt.Errorf("%s at %s: %s", we.Error(), o.BaseURL, hint)}
}

// Tables renders one row per level and the knee.
func (r *BenchResult) Tables() []output.TableData {
	t := output.TableData{
		Title: fmt.Sprintf("%s at %s (%s), %d prompt / %d output tokens", r.Model, r.BaseURL, r.API, r.PromptTokens, r.OutputTokens),
		Headers: []string{"Concurrency", "Requests", "Errors",
			"TTFT p50 ms", "TTFT p95 ms", "TTFT p99 ms",
			"ITL p50 ms", "ITL p95 ms", "ITL p99 ms",
			"E2E p50 s", "E2E p95 s", "E2E p99 s",
			"Stream tok/s p50", "Aggregate tok/s", "Req/s"},
	}
	t.Align = []output.Align{output.Right}
	for range len(t.Headers) - 1 {
		t.Align = append(t.Align, output.Right)
	}
	f1 := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	f2 := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	raw := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, lv := range r.Levels {
		t.Rows = append(t.Rows, []string{strconv.Itoa(lv.Concurrency), strconv.Itoa(lv.Requests), strconv.Itoa(lv.Errors),
			f1(lv.TTFTMS.P50), f1(lv.TTFTMS.P95), f1(lv.TTFTMS.P99),
			f1(lv.ITLMS.P50), f1(lv.ITLMS.P95), f1(lv.ITLMS.P99),
			f2(lv.E2EMS.P50 / 1000), f2(lv.E2EMS.P95 / 1000), f2(lv.E2EMS.P99 / 1000),
			f1(lv.StreamTokensPerSecond.P50), f1(lv.OutputTokensPerSecond), f2(lv.RequestsPerSecond)})
		t.Raw = append(t.Raw, []string{strconv.Itoa(lv.Concurrency), strconv.Itoa(lv.Requests), strconv.Itoa(lv.Errors),
			raw(lv.TTFTMS.P50), raw(lv.TTFTMS.P95), raw(lv.TTFTMS.P99),
			raw(lv.ITLMS.P50), raw(lv.ITLMS.P95), raw(lv.ITLMS.P99),
			raw(lv.E2EMS.P50 / 1000), raw(lv.E2EMS.P95 / 1000), raw(lv.E2EMS.P99 / 1000),
			raw(lv.StreamTokensPerSecond.P50), raw(lv.OutputTokensPerSecond), raw(lv.RequestsPerSecond)})
	}
	t.Notes = append(t.Notes, "knee (median stream ≥ "+strconv.FormatFloat(r.MinTokensPerSecond, 'g', -1, 64)+" tok/s): "+r.Knee)
	for _, lv := range r.Levels {
		if lv.FirstError != "" {
			t.Notes = append(t.Notes, fmt.Sprintf("concurrency %d: %d error(s), first: %s", lv.Concurrency, lv.Errors, lv.FirstError))
		}
	}
	note := "tokens: the server's reported usage; prompts cut with " + r.Tokenizer
	if !r.TokenizerExact {
		note += " (not the model's own tokenizer: the server's prompt count differs)"
	}
	t.Notes = append(t.Notes, note)
	return []output.TableData{t}
}

// benchProgress is the stderr progress bar (terminals only).
type benchProgress struct {
	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	errors int
}

func newBenchProgress(w io.Writer, tty bool, total int64) *benchProgress {
	p := &benchProgress{}
	if !tty {
		return p
	}
	p.bar = newProgressBar(w, total, "bench", "requests")
	return p
}

func (p *benchProgress) sample(s bench.Sample) {
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.Err != nil {
		p.errors++
	}
	p.bar.Describe(fmt.Sprintf("bench · concurrency %d · %d errors", s.Concurrency, p.errors))
	_ = p.bar.Add(1)
}

func (p *benchProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}
