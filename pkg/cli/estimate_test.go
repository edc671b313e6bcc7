package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/iostreams"

	"github.com/shopspring/decimal"
)

type estimateJSON struct {
	SchemaVersion int    `json:"schema_version"`
	AsOf          string `json:"as_of"`
	Workload      struct {
		TokensPerMonth int64 `json:"tokens_per_month"`
		InputTokens    int64 `json:"input_tokens"`
		OutputTokens   int64 `json:"output_tokens"`
	} `json:"workload"`
	Options []struct {
		ID               string          `json:"id"`
		Kind             string          `json:"kind"`
		MonthlyCostUSD   decimal.Decimal `json:"monthly_cost_usd"`
		UpfrontUSD       decimal.Decimal `json:"upfront_usd"`
		CostPerMillion   decimal.Decimal `json:"cost_per_million_tokens_usd"`
		TierAboveTokens  *int64          `json:"tier_above_tokens"`
		PriceEffectiveOn string          `json:"price_effective_from"`
	} `json:"options"`
	Notes []string `json:"notes"`
}

func decodeEstimate(t *testing.T, s string) estimateJSON {
	t.Helper()
	var e estimateJSON
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return e
}

// The acceptance check: the seed article's GPT-4o workload.
func TestEstimateSeedGPT4o(t *testing.T) {
	r := run(t, nil, "estimate", "--tokens", "10M", "--models", "gpt-4o", "--as-of", "2024-06-01", "--format", "json")
	mustOK(t, r)
	if !strings.Contains(r.stdout, `"monthly_cost_usd": 75,`) {
		t.Fatalf("money must be a plain JSON number 75:\n%s", r.stdout)
	}
	e := decodeEstimate(t, r.stdout)
	if e.SchemaVersion != 1 || e.AsOf != "2024-06-01" || e.Workload.InputTokens != 7_500_000 || e.Workload.OutputTokens != 2_500_000 {
		t.Fatalf("header: %+v", e)
	}
	if len(e.Options) != 1 || e.Options[0].ID != "gpt-4o" || !e.Options[0].MonthlyCostUSD.Equal(decimal.NewFromInt(75)) {
		t.Fatalf("options: %+v", e.Options)
	}
	r = run(t, nil, "estimate", "--tokens", "10M", "--models", "gpt-4o", "--format", "json")
	mustOK(t, r)
	e = decodeEstimate(t, r.stdout)
	if !e.Options[0].MonthlyCostUSD.Equal(decimal.RequireFromString("43.75")) || e.AsOf != "2026-11-27" {
		t.Fatalf("today: %s on %s", e.Options[0].MonthlyCostUSD, e.AsOf)
	}
}

func TestEstimateDefaultSetSortedAndComplete(t *testing.T) {
	r := run(t, nil, "estimate", "--tokens", "10M", "--format", "json")
	mustOK(t, r)
	e := decodeEstimate(t, r.stdout)
	if len(e.Options) < 10 {
		t.Fatalf("only %d options in the default set", len(e.Options))
	}
	for i := 1; i < len(e.Options); i++ {
		if e.Options[i].MonthlyCostUSD.LessThan(e.Options[i-1].MonthlyCostUSD) {
			t.Fatalf("not sorted by monthly cost at %d: %s < %s", i, e.Options[i].ID, e.Options[i-1].ID)
		}
	}
	for _, o := range e.Options {
		if !o.MonthlyCostUSD.IsPositive() {
			t.Errorf("%s costs %s: a priced workload is never $0", o.ID, o.MonthlyCostUSD)
		}
	}
}

func TestEstimateLongContextTierAndShares(t *testing.T) {
	// gpt-5.4 above 272K: $5 in / $22.50 out. 30M in, 1M out.
	r := run(t, nil, "estimate", "--input", "30M", "--output", "1M", "--prompt-tokens", "300K", "--models", "gpt-5.4", "--format", "json")
	mustOK(t, r)
	e := decodeEstimate(t, r.stdout)
	o := e.Options[0]
	if !o.MonthlyCostUSD.Equal(decimal.RequireFromString("172.5")) || o.TierAboveTokens == nil || *o.TierAboveTokens != 272000 {
		t.Fatalf("gpt-5.4 long context: %s tier %v", o.MonthlyCostUSD, o.TierAboveTokens)
	}
	// claude-haiku-4.5 ($1 / $0.10 cached / $1.25 write / $5): 2M/month, 75% in,
	// half cached, 10% written: 0.6M×1 + 0.75M×0.1 + 0.15M×1.25 + 0.5M×5
	r = run(t, nil, "estimate", "--tokens", "2M", "--cached-share", "0.5", "--cache-write-share", "0.1", "--models", "claude-haiku-4.5", "--format", "json")
	mustOK(t, r)
	e = decodeEstimate(t, r.stdout)
	if want := decimal.RequireFromString("3.3625"); !e.Options[0].MonthlyCostUSD.Equal(want) {
		t.Fatalf("haiku with caching: %s, want %s", e.Options[0].MonthlyCostUSD, want)
	}
}

func TestEstimateGoldenFormats(t *testing.T) {
	args := []string{"estimate", "--tokens", "10M", "--models", "gpt-4o,claude-haiku-4.5,gemini-2.5-flash", "--cached-share", "0.2"}
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := run(t, nil, append(args, "--format", format)...)
			mustOK(t, r)
			golden(t, "estimate."+format, r.stdout)
		})
	}
}

func TestEstimateBadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no workload", []string{"estimate"}, "give the workload: --tokens"},
		{"unknown suffix", []string{"estimate", "--tokens", "10Q"}, `invalid value "10Q" for --tokens: unknown suffix "Q"`},
		{"negative", []string{"estimate", "--tokens", "-5M"}, `invalid value "-5M" for --tokens`},
		{"zero", []string{"estimate", "--tokens", "0"}, "greater than zero"},
		{"NaN", []string{"estimate", "--tokens", "NaN"}, `invalid value "NaN" for --tokens`},
		{"Inf", []string{"estimate", "--tokens", "Inf"}, `invalid value "Inf" for --tokens`},
		{"overflow", []string{"estimate", "--tokens", "99999999999999999999"}, `invalid value "99999999999999999999" for --tokens`},
		{"garbage", []string{"estimate", "--tokens", "lots"}, `invalid value "lots" for --tokens`},
		{"bad period", []string{"estimate", "--tokens", "10M/fortnight"}, `invalid value "10M/fortnight" for --tokens`},
		{"unknown model", []string{"estimate", "--tokens", "1M", "--models", "claude-sonet-4.5"}, "did you mean claude-sonnet-4.5"},
		{"share above one", []string{"estimate", "--tokens", "1M", "--cached-share", "1.5"}, "--cached-share: a share is between 0 and 1"},
		{"shares sum above one", []string{"estimate", "--tokens", "1M", "--cached-share", "0.7", "--cache-write-share", "0.4"}, "exceed 1"},
		{"input without output", []string{"estimate", "--input", "1M"}, "--input and --output go together"},
		{"tokens and input", []string{"estimate", "--tokens", "1M", "--input", "1M", "--output", "1M"}, "none of the others can be"},
		{"bad as-of", []string{"estimate", "--tokens", "1M", "--as-of", "June 2024"}, `invalid value "June 2024" for --as-of`},
		{"before any price", []string{"estimate", "--tokens", "1M", "--models", "gpt-5", "--as-of", "2020-01-01"}, "gpt-5 has no price on 2020-01-01"},
		{"batch unpriced", []string{"estimate", "--tokens", "1M", "--models", "grok-4.5", "--batch-share", "0.5"}, "grok-4.5 has no batch price"},
		{"bad format", []string{"estimate", "--tokens", "1M", "--format", "yaml"}, `invalid value "yaml" for --format`},
		{"bad ttl", []string{"estimate", "--tokens", "1M", "--cache-ttl", "2h"}, "--cache-ttl"},
		{"missing catalog dir", []string{"estimate", "--tokens", "1M", "--catalog", "/nonexistent/dir"}, "/nonexistent/dir: cannot read catalog directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, tc.args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\nstderr: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("stderr %q lacks %q", r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Fatalf("bad input printed data: %q", r.stdout)
			}
		})
	}
}

func TestEstimateFlagParsing(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := NewFactory(ios, func(string) string { return "" })
	var got *EstimateOptions
	cmd := newCmdEstimate(f, func(o *EstimateOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--tokens", "300K/day", "--models", "gpt-4o, claude-haiku-4.5", "--batch-share", "0.25", "--prompt-tokens", "2k"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Tokens.N != 9_125_000 || len(got.Models) != 2 || got.BatchShare != 0.25 || got.PromptTokens.N != 2000 || got.InputShare != 0.75 {
		t.Fatalf("parsed %+v", got)
	}
}

// Models that have no price on the as-of date (not launched yet) are left
// out of the default set with a note, as retired ones are; naming one is
// an error.
func TestEstimatePastDateSkipsUnlaunched(t *testing.T) {
	r := run(t, nil, "estimate", "--tokens", "10M", "--as-of", "2025-01-01", "--all", "--no-local", "--format", "json")
	mustOK(t, r)
	e := decodeEstimate(t, r.stdout)
	ids := map[string]bool{}
	for _, o := range e.Options {
		ids[o.ID] = true
	}
	if !ids["gpt-4o"] || !ids["gpt-4o-mini"] || ids["gpt-5"] {
		t.Fatalf("options on 2025-01-01: %v", ids)
	}
	if !strings.Contains(strings.Join(e.Notes, "\n"), "gpt-5 has no price on 2025-01-01") {
		t.Fatalf("no note for gpt-5: %v", e.Notes)
	}
	r = run(t, nil, "estimate", "--tokens", "10M", "--as-of", "2025-01-01", "--models", "gpt-5")
	if r.code != 2 || !strings.Contains(r.stderr, "gpt-5 has no price on 2025-01-01") {
		t.Fatalf("explicit model before launch: exit %d %s", r.code, r.stderr)
	}
}

// A prompt longer than a model's context window cannot be sent: the model
// is left out of the comparison (or, named, is an error), never priced.
func TestEstimatePromptBeyondContextWindow(t *testing.T) {
	r := run(t, nil, "estimate", "--tokens", "10M", "--prompt-tokens", "600K", "--models", "gpt-4o")
	if r.code != 2 || !strings.Contains(r.stderr, "--prompt-tokens 600.0K exceeds gpt-4o's context window of 128.0K tokens") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r = run(t, nil, "estimate", "--tokens", "10M", "--prompt-tokens", "600K", "--format", "json")
	mustOK(t, r)
	e := decodeEstimate(t, r.stdout)
	for _, o := range e.Options {
		if o.ID == "gpt-4o" || o.ID == "claude-haiku-4.5" || o.ID == "grok-4.5" {
			t.Errorf("%s priced for a 600K prompt", o.ID)
		}
		if o.Kind == "local" && strings.HasPrefix(o.ID, "llama-3.1-8b") {
			t.Errorf("%s offered for a prompt beyond its 128K context", o.ID)
		}
	}
	if !strings.Contains(strings.Join(e.Notes, "\n"), "gpt-4o left out: its context window (128.0K) is shorter than the 600.0K-token prompt") {
		t.Fatalf("notes: %v", e.Notes)
	}
}

// Local machines are sized for the prompts they will hold: a 100K prompt
// needs more KV cache than the default 8K context.
func TestEstimateLocalSizedForPrompt(t *testing.T) {
	short := run(t, nil, "estimate", "--tokens", "10M", "--models", "gpt-4o", "--local", "llama-3.1-8b@rtx-4060", "--format", "json")
	mustOK(t, short)
	long := run(t, nil, "estimate", "--tokens", "10M", "--models", "gpt-4o", "--local", "llama-3.1-8b@rtx-4060", "--prompt-tokens", "100K", "--format", "json")
	mustOK(t, long)
	gpus := func(s string) int {
		var res struct {
			Options []struct {
				Kind string `json:"kind"`
				GPUs *int   `json:"gpus"`
			} `json:"options"`
		}
		if err := json.Unmarshal([]byte(s), &res); err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Options {
			if o.Kind == "local" && o.GPUs != nil {
				return *o.GPUs
			}
		}
		t.Fatal("no local option")
		return 0
	}
	if g1, g2 := gpus(short.stdout), gpus(long.stdout); g2 <= g1 {
		t.Fatalf("8K context: %d GPU(s); 100K prompts: %d — the KV cache of long prompts was not counted", g1, g2)
	}
}

// A volume one machine cannot serve says how many machines it takes:
// 50M tokens of llama-3.3-70b on 3x rtx-4060-ti-16gb need two of them,
// six GPUs, all six paid for up front.
func TestEstimateSaysHowManyMachines(t *testing.T) {
	type opt struct {
		Kind       string          `json:"kind"`
		GPUs       *int            `json:"gpus"`
		Machines   *int            `json:"machines"`
		Hardware   string          `json:"hardware"`
		UpfrontUSD decimal.Decimal `json:"upfront_usd"`
	}
	local := func(tokens string) opt {
		r := run(t, nil, "estimate", "--tokens", tokens, "--models", "gpt-4o", "--local", "llama-3.3-70b@rtx-4060-ti-16gb:q4_k_mx3", "--format", "json")
		mustOK(t, r)
		var res struct {
			Options []opt `json:"options"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Options {
			if o.Kind == "local" {
				return o
			}
		}
		t.Fatal("no local option")
		return opt{}
	}
	cat, _ := localFixture(t)
	g, err := cat.GPU("rtx-4060-ti-16gb")
	if err != nil {
		t.Fatal(err)
	}
	price := g.PriceUSD.D
	for _, c := range []struct {
		tokens         string
		machines, gpus int
		hardware       string
	}{
		{"10M", 1, 3, "3x rtx-4060-ti-16gb owned"},
		{"50M", 2, 6, "2 machines of 3x rtx-4060-ti-16gb owned"},
	} {
		o := local(c.tokens)
		if o.Machines == nil || *o.Machines != c.machines || o.GPUs == nil || *o.GPUs != c.gpus || o.Hardware != c.hardware {
			t.Errorf("%s tokens: machines %v, gpus %v, hardware %q; want %d, %d, %q", c.tokens, o.Machines, o.GPUs, o.Hardware, c.machines, c.gpus, c.hardware)
		}
		if want := price.Mul(decimal.NewFromInt(int64(c.gpus))); !o.UpfrontUSD.Equal(want) {
			t.Errorf("%s tokens: upfront %s, want %d x %s", c.tokens, o.UpfrontUSD, c.gpus, price)
		}
	}
	r := run(t, nil, "estimate", "--tokens", "50M", "--models", "gpt-4o", "--local", "llama-3.3-70b@rtx-4060-ti-16gb:q4_k_mx3")
	mustOK(t, r)
	containsAll(t, r.stdout, "2 machines of 3x rtx-4060-ti-16gb owned")
}

// Token counts in the JSON are whole tokens that add up to the workload.
func TestEstimateBreakdownWholeTokens(t *testing.T) {
	r := run(t, nil, "estimate", "--tokens", "300K/day", "--batch-share", "0.33", "--cached-share", "0.5", "--models", "gpt-4o", "--format", "json")
	mustOK(t, r)
	var res struct {
		Workload struct {
			TokensPerMonth int64 `json:"tokens_per_month"`
		} `json:"workload"`
		Options []struct {
			Breakdown []struct {
				Tokens json.Number `json:"tokens"`
			} `json:"breakdown"`
		} `json:"options"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.UseNumber()
	if err := dec.Decode(&res); err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, l := range res.Options[0].Breakdown {
		n, err := l.Tokens.Int64()
		if err != nil {
			t.Fatalf("tokens %s is not a whole number", l.Tokens)
		}
		sum += n
	}
	if sum != res.Workload.TokensPerMonth {
		t.Fatalf("breakdown adds up to %d tokens, workload %d", sum, res.Workload.TokensPerMonth)
	}
}

// When every option is left out, estimate fails with the reasons instead of
// printing an empty table with exit 0; a comparison set that cannot serve
// the prompt says so instead of vanishing.
func TestEstimateNothingToCompare(t *testing.T) {
	r := run(t, nil, "estimate", "--tokens", "10M", "--prompt-tokens", "5M")
	if r.code != 2 || !strings.Contains(r.stderr, "no option can be priced") || !strings.Contains(r.stderr, "gpt-4o left out") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "no model of the catalog's local comparison set") {
		t.Fatalf("the local options vanished without a note:\n%s", r.stderr)
	}
	r = run(t, nil, "estimate", "--tokens", "10M", "--as-of", "2020-01-01", "--no-local", "--format", "json")
	if r.code != 2 || r.stdout != "" {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}

// The help's own example: the default set holds models with no batch price.
// They are left out with a note; named, they are still an error.
func TestEstimateDefaultSetLeavesOutUnpricedKinds(t *testing.T) {
	r := run(t, nil, "estimate", "--tokens", "300K/day", "--cached-share", "0.5", "--batch-share", "0.33", "--no-local", "--format", "json")
	mustOK(t, r)
	e := decodeEstimate(t, r.stdout)
	notes := strings.Join(e.Notes, "\n")
	for _, o := range e.Options {
		if o.ID == "grok-4.5" {
			t.Errorf("grok-4.5 priced with batch traffic it has no price for")
		}
	}
	if len(e.Options) == 0 || !strings.Contains(notes, "grok-4.5 left out: grok-4.5 has no batch price") {
		t.Fatalf("options %d, notes:\n%s", len(e.Options), notes)
	}
	r = run(t, nil, "estimate", "--tokens", "10M", "--all", "--cached-share", "0.5", "--no-local")
	mustOK(t, r)
	r = run(t, nil, "estimate", "--tokens", "10M", "--batch-share", "0.3", "--models", "grok-4.5,gpt-4o")
	if r.code != 2 || !strings.Contains(r.stderr, "grok-4.5 has no batch price") {
		t.Fatalf("named model: exit %d: %s", r.code, r.stderr)
	}
}

func TestEstimateModelsFlagWithoutIDs(t *testing.T) {
	r := run(t, nil, "estimate", "--tokens", "1M", "--models", " , ")
	if r.code != 2 || !strings.Contains(r.stderr, "--models") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

// The default comparison set and --all leave out a model that has no price
// for a token kind the workload uses (batch, cache reads, cache writes),
// with a note, as they leave out retired ones; naming it is still an
// error. `estimate --help` and the README show such workloads on the
// default set and on --all.
func TestEstimateUnpricedKindSkippedOutsideExplicitModels(t *testing.T) {
	for _, args := range [][]string{
		{"estimate", "--tokens", "300K/day", "--cached-share", "0.5", "--batch-share", "0.33", "--no-local"},
		{"estimate", "--tokens", "50M", "--batch-share", "0.3", "--all", "--no-local"},
		{"estimate", "--tokens", "10M", "--cache-write-share", "0.1", "--all", "--no-local"},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			r := run(t, nil, append(args, "--format", "json")...)
			mustOK(t, r)
			e := decodeEstimate(t, r.stdout)
			if len(e.Options) == 0 {
				t.Fatal("no options priced")
			}
			notes := strings.Join(e.Notes, "\n")
			if !strings.Contains(notes, "left out:") || !strings.Contains(notes, "price in the catalog") {
				t.Fatalf("no note for the models left out: %v", e.Notes)
			}
		})
	}
	r := run(t, nil, "estimate", "--tokens", "1M", "--models", "deepseek-chat", "--batch-share", "0.3")
	if r.code != 2 || !strings.Contains(r.stderr, "deepseek-chat has no batch price") {
		t.Fatalf("named model without a batch price: exit %d %s", r.code, r.stderr)
	}
}

// The workload may come from LLMCOST_* or the config file like any flag;
// a typed workload flag wins over an ambient one of the other shape.
func TestEstimateWorkloadFromEnvAndConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("estimate:\n  tokens: 10M\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want int64
	}{
		{"env tokens", map[string]string{"LLMCOST_TOKENS": "10M"}, nil, 10_000_000},
		{"config tokens", nil, []string{"--config", cfg}, 10_000_000},
		{"env input and output", map[string]string{"LLMCOST_INPUT": "3M", "LLMCOST_OUTPUT": "1M"}, nil, 4_000_000},
		{"typed input over env tokens", map[string]string{"LLMCOST_TOKENS": "10M"}, []string{"--input", "1M", "--output", "1M"}, 2_000_000},
		{"typed tokens over config", nil, []string{"--config", cfg, "--tokens", "2M"}, 2_000_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.env, append([]string{"estimate", "--models", "gpt-4o", "--format", "json"}, tc.args...)...)
			mustOK(t, r)
			if got := decodeEstimate(t, r.stdout).Workload.TokensPerMonth; got != tc.want {
				t.Fatalf("tokens per month %d, want %d", got, tc.want)
			}
		})
	}
	r := run(t, map[string]string{"LLMCOST_TOKENS": "10M", "LLMCOST_INPUT": "1M", "LLMCOST_OUTPUT": "1M"}, "estimate", "--models", "gpt-4o")
	if r.code != 2 || !strings.Contains(r.stderr, "--tokens and --input/--output") {
		t.Fatalf("both shapes from the environment: exit %d %s", r.code, r.stderr)
	}
}

// DeepSeek bills peak hours at the list rate and the rest at half: by
// default estimate prices traffic spread evenly over the week (35 of 168
// hours at peak) and says so; --peak-share sets the share; out of range
// is a flag error.
func TestEstimatePeakShare(t *testing.T) {
	monthly := func(args ...string) (decimal.Decimal, runResult) {
		r := run(t, nil, append([]string{"estimate", "--tokens", "10M", "--models", "deepseek-flash", "--no-local", "--format", "json"}, args...)...)
		mustOK(t, r)
		e := decodeEstimate(t, r.stdout)
		if len(e.Options) != 1 {
			t.Fatalf("%d options", len(e.Options))
		}
		return e.Options[0].MonthlyCostUSD, r
	}
	peak, _ := monthly("--peak-share", "1")
	off, _ := monthly("--peak-share", "0")
	even, r := monthly()
	if !off.Equal(peak.Div(decimal.NewFromInt(2))) {
		t.Errorf("all off-peak %s, want half of all-peak %s", off, peak)
	}
	share := decimal.NewFromInt(35).Div(decimal.NewFromInt(168))
	want := peak.Mul(share).Add(off.Mul(decimal.NewFromInt(1).Sub(share)))
	if even.Sub(want).Abs().GreaterThan(decimal.RequireFromString("0.000001")) {
		t.Errorf("default %s, want the even-spread blend %s", even, want)
	}
	if !strings.Contains(r.stdout, "20.8% of tokens at the peak rate shown") || !strings.Contains(r.stdout, `"peak_share": null`) {
		t.Errorf("the default is not explained:\n%s", r.stdout)
	}
	bad := run(t, nil, "estimate", "--tokens", "10M", "--peak-share", "1.5")
	if bad.code != 2 || !strings.Contains(bad.stderr, "--peak-share") {
		t.Errorf("--peak-share 1.5: exit %d %s", bad.code, bad.stderr)
	}
}

// --models and --all leave local options out, and say so.
func TestEstimateModelsSaysLocalIsLeftOut(t *testing.T) {
	for _, args := range [][]string{{"--models", "gpt-4o"}, {"--all"}} {
		r := run(t, nil, append([]string{"estimate", "--tokens", "10M"}, args...)...)
		mustOK(t, r)
		if !strings.Contains(r.stdout+r.stderr, "no local options: --models and --all pick cloud models only") {
			t.Errorf("%v: no note on local options:\n%s", args, r.stdout)
		}
	}
	r := run(t, nil, "estimate", "--tokens", "10M", "--models", "gpt-4o", "--local", "llama-3.1-8b@rtx-4090")
	mustOK(t, r)
	if strings.Contains(r.stdout, "no local options") {
		t.Errorf("the note with --local:\n%s", r.stdout)
	}
}

func TestTierLabel(t *testing.T) {
	for above, want := range map[int64]string{200000: " [>200.0K tier]", 199999: " [>=200.0K tier]", 272000: " [>272.0K tier]", 128000: " [>128.0K tier]"} {
		if got := tierLabel(above); got != want {
			t.Errorf("%d: %q, want %q", above, got, want)
		}
	}
}
