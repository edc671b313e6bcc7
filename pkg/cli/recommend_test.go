package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/iostreams"
)

func TestRecommendGoldenFormats(t *testing.T) {
	scenarios := map[string][]string{
		"code":        {"recommend", "--tokens", "50M", "--task", "code"},
		"constrained": {"recommend", "--tokens", "50M", "--min-score", "mmlu=70", "--max-latency", "2s", "--context", "32K", "--gpu", "rtx-4090,l40s,h100-sxm"},
		"regulated":   {"recommend", "--tokens", "20M", "--task", "qa", "--privacy", "regulated", "--top", "5"},
	}
	for name, args := range scenarios {
		for _, format := range []string{"table", "json", "csv", "markdown"} {
			t.Run(name+"."+format, func(t *testing.T) {
				r := run(t, nil, append(args, "--format", format)...)
				mustOK(t, r)
				golden(t, "recommend-"+name+"."+format, r.stdout)
			})
		}
	}
}

type recommendJSON struct {
	SchemaVersion int `json:"schema_version"`
	Options       []struct {
		Rank           int      `json:"rank"`
		Kind           string   `json:"kind"`
		Model          string   `json:"model"`
		MonthlyCostUSD float64  `json:"monthly_cost_usd"`
		ReplySeconds   *float64 `json:"reply_seconds"`
		DecodeTPS      *float64 `json:"decode_tokens_per_second"`
		Score          *float64 `json:"score"`
		ReplyBasis     string   `json:"reply_basis"`
		Quant          string   `json:"quant"`
		GPU            string   `json:"gpu"`
		GPUsPerReplica int      `json:"gpus_per_replica"`
		Mode           string   `json:"mode"`
		Concurrency    int      `json:"concurrency"`
	} `json:"options"`
	Eligible int `json:"eligible"`
	Excluded []struct {
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
		Count  int    `json:"count"`
	} `json:"excluded"`
	Notes []string `json:"notes"`
}

func decodeRecommend(t *testing.T, s string) recommendJSON {
	t.Helper()
	var r recommendJSON
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return r
}

// The JSON contract: schema_version 1, raw numbers, cheapest first,
// unknown cloud latency as null (never 0), and every constraint obeyed.
func TestRecommendJSONContract(t *testing.T) {
	r := run(t, nil, "recommend", "--tokens", "50M", "--min-score", "mmlu=70", "--max-latency", "2s", "--context", "32K", "--top", "0", "--format", "json")
	mustOK(t, r)
	d := decodeRecommend(t, r.stdout)
	if d.SchemaVersion != 1 || len(d.Options) == 0 || d.Eligible != len(d.Options) {
		t.Fatalf("schema %d, %d options, eligible %d", d.SchemaVersion, len(d.Options), d.Eligible)
	}
	local := 0
	for i, o := range d.Options {
		if o.Rank != i+1 {
			t.Errorf("option %d has rank %d", i, o.Rank)
		}
		if i > 0 && o.MonthlyCostUSD < d.Options[i-1].MonthlyCostUSD {
			t.Errorf("%s ($%v) ranked after %s ($%v)", o.Model, o.MonthlyCostUSD, d.Options[i-1].Model, d.Options[i-1].MonthlyCostUSD)
		}
		switch o.Kind {
		case "cloud":
			if o.ReplySeconds != nil || o.DecodeTPS != nil || o.ReplyBasis != "unknown" {
				t.Errorf("cloud %s: invented latency %+v", o.Model, o)
			}
		case "local":
			local++
			if o.ReplySeconds == nil || *o.ReplySeconds > 2 || o.Score == nil || *o.Score < 70 {
				t.Errorf("local %s breaks a constraint: %+v", o.Model, o)
			}
		}
	}
	if local == 0 {
		t.Error("no local option meets mmlu 70 within 2 s at 32K")
	}
	if len(d.Excluded) == 0 || d.Excluded[0].Count < d.Excluded[len(d.Excluded)-1].Count {
		t.Errorf("exclusions not counted most first: %+v", d.Excluded)
	}
	if !strings.Contains(strings.Join(d.Notes, "\n"), "--max-latency does not exclude them") {
		t.Errorf("notes do not say how unknown cloud latency is treated: %v", d.Notes)
	}
}

// A local option is priced as estimate prices the same setup serving
// Batch requests at once: the concurrency is shown, and estimate with
// that --concurrency (and recommend's 500-token prompts) gives the same
// monthly cost.
func TestRecommendLocalPriceIsEstimatesAtItsBatch(t *testing.T) {
	r := run(t, nil, "recommend", "--tokens", "50M", "--task", "code", "--top", "0", "--format", "json")
	mustOK(t, r)
	checked := 0
	for _, o := range decodeRecommend(t, r.stdout).Options {
		if o.Kind != "local" || o.Mode != "owned" || checked == 3 {
			continue
		}
		if o.Concurrency < 1 {
			t.Fatalf("%s on %s: concurrency %d, want the batch its price assumes", o.Model, o.GPU, o.Concurrency)
		}
		spec := fmt.Sprintf("%s@%s:%s", o.Model, o.GPU, o.Quant)
		if o.GPUsPerReplica > 1 {
			spec += fmt.Sprintf("x%d", o.GPUsPerReplica)
		}
		e := run(t, nil, "estimate", "--tokens", "50M", "--models", "gpt-4o", "--local", spec,
			"--concurrency", fmt.Sprint(o.Concurrency), "--prompt-tokens", "500", "--format", "json")
		mustOK(t, e)
		var est struct {
			Options []struct {
				Kind           string  `json:"kind"`
				MonthlyCostUSD float64 `json:"monthly_cost_usd"`
			} `json:"options"`
		}
		if err := json.Unmarshal([]byte(e.stdout), &est); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, eo := range est.Options {
			if eo.Kind != "local" {
				continue
			}
			found = true
			if math.Abs(eo.MonthlyCostUSD-o.MonthlyCostUSD) > 1e-6 {
				t.Errorf("%s at batch %d: recommend $%v, estimate $%v", spec, o.Concurrency, o.MonthlyCostUSD, eo.MonthlyCostUSD)
			}
		}
		if !found {
			t.Fatalf("estimate --local %s gave no local option", spec)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no owned local option to compare")
	}
}

func TestRecommendRegulatedHasNoCloud(t *testing.T) {
	r := run(t, nil, "recommend", "--tokens", "20M", "--task", "qa", "--privacy", "regulated", "--top", "0", "--format", "json")
	mustOK(t, r)
	d := decodeRecommend(t, r.stdout)
	for _, o := range d.Options {
		if o.Kind != "local" {
			t.Errorf("regulated: %s is %s", o.Model, o.Kind)
		}
	}
	if len(d.Options) == 0 {
		t.Error("no local option for regulated qa")
	}
}

func TestRecommendFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"recommend"}, "--tokens is required"},
		{[]string{"recommend", "--tokens", "lots"}, "--tokens"},
		{[]string{"recommend", "--tokens", "0"}, "--tokens"},
		{[]string{"recommend", "--tokens", "1M", "--task", "poetry"}, "--task"},
		{[]string{"recommend", "--tokens", "1M", "--min-score", "mmlu"}, "--min-score"},
		{[]string{"recommend", "--tokens", "1M", "--min-score", "mmlu=170"}, "--min-score"},
		{[]string{"recommend", "--tokens", "1M", "--min-score", "mmlu-pro=60"}, "unknown benchmark"},
		{[]string{"recommend", "--tokens", "1M", "--max-latency", "soon"}, "--max-latency"},
		{[]string{"recommend", "--tokens", "1M", "--max-latency", "-2s"}, "--max-latency"},
		{[]string{"recommend", "--tokens", "1M", "--context", "lots"}, "--context"},
		{[]string{"recommend", "--tokens", "1M", "--gpu", "rtx-9999"}, "--gpu"},
		{[]string{"recommend", "--tokens", "1M", "--quant", "q3_z"}, "--quant"},
		{[]string{"recommend", "--tokens", "1M", "--privacy", "secret"}, "--privacy"},
		{[]string{"recommend", "--tokens", "1M", "--top", "-1"}, "--top"},
		{[]string{"recommend", "--tokens", "1M", "--as-of", "yesterday"}, "--as-of"},
	} {
		t.Run(strings.Join(tc.args[1:], " "), func(t *testing.T) {
			r := run(t, nil, tc.args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\nstderr: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r.stderr)
			}
		})
	}
}

// Flags reach the options unchanged (runF sees what RunE validated).
func TestRecommendFlagParsing(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := NewFactory(ios, func(string) string { return "" })
	var got *RecommendOptions
	cmd := newCmdRecommend(f, func(o *RecommendOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--tokens", "300K/day", "--gpu", "rtx-4090,l40s", "--max-latency", "1500ms", "--context", "32K"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Tokens.N != 9_125_000 { // 300K x 365/12 days
		t.Errorf("tokens %d", got.Tokens.N)
	}
	if l, _ := parseLatency(got.MaxLatency); l != 1.5 {
		t.Errorf("latency %v", l)
	}
	if got.Context.N != 32768 || strings.Join(got.GPUs, ",") != "rtx-4090,l40s" || got.Top != 10 {
		t.Errorf("options %+v", got)
	}
}

// The volume, like every flag, may come from LLMCOST_* or the config file.
func TestRecommendTokensFromEnvironment(t *testing.T) {
	r := run(t, map[string]string{"LLMCOST_TOKENS": "50M"}, "recommend", "--task", "code", "--format", "json")
	mustOK(t, r)
	if !strings.Contains(r.stdout, `"tokens_per_month": 50000000`) {
		t.Errorf("LLMCOST_TOKENS not used:\n%s", r.stdout)
	}
}

// A catalog benchmark of the same setup replaces the estimate, and says so.
func TestRecommendUsesMeasuredDecode(t *testing.T) {
	r := run(t, nil, "recommend", "--tokens", "10M", "--gpu", "rtx-4090", "--min-score", "mmlu=65", "--privacy", "regulated", "--top", "0", "--format", "json")
	mustOK(t, r)
	var d struct {
		Options []struct {
			Model       string  `json:"model"`
			Quant       string  `json:"quant"`
			DecodeTPS   float64 `json:"decode_tokens_per_second"`
			DecodeBasis string  `json:"decode_basis"`
		} `json:"options"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	// The catalog's XiongjieDai rows: 130.58 tok/s on one RTX 4090, 19.22 on two.
	measured := map[string]float64{"llama-3.1-8b": 130.6, "llama-3.1-70b": 19.2}
	found := 0
	for _, o := range d.Options {
		if want, ok := measured[o.Model]; ok && o.Quant == "q4_k_m" {
			found++
			if o.DecodeBasis != "measured" || o.DecodeTPS != want {
				t.Errorf("%s on rtx-4090: %v tok/s %s, want the measured %v", o.Model, o.DecodeTPS, o.DecodeBasis, want)
			}
		} else if o.DecodeBasis != "estimated" {
			t.Errorf("%s %s: decode basis %q", o.Model, o.Quant, o.DecodeBasis)
		}
	}
	if found == 0 {
		t.Error("no setup with a catalog benchmark offered")
	}
}

// Models retired before the as-of day are left out "retired by" it, not
// said to retire on it.
func TestRecommendRetiredReason(t *testing.T) {
	r := run(t, nil, "recommend", "--tokens", "50M", "--as-of", "2026-06-01")
	mustOK(t, r)
	if !strings.Contains(r.stdout, "retired by 2026-06-01") || strings.Contains(r.stdout, "retired on 2026-06-01") {
		t.Errorf("retired reason:\n%s", r.stdout)
	}
}
