package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"github.com/shopspring/decimal"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/iostreams"
)

// The golden files of fit and breakeven are rewritten with
// `go test ./pkg/cli -update`. The flag is registered here only if no other
// test file of the package has registered it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func checkLocalGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/cli -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (rerun with -update if intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func newLocalTestFactory() (*Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	f := NewFactory(ios, func(string) string { return "" })
	f.Now = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }
	return f, out, errOut
}

func runLocalCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	f, out, errOut := newLocalTestFactory()
	code = Run(context.Background(), f, args)
	return out.String(), errOut.String(), code
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
}

func TestParseLocalSpec(t *testing.T) {
	cases := []struct {
		in                string
		model, gpu, quant string
		n                 int
		ok                bool
	}{
		{"llama-3.1-8b@rtx-4090", "llama-3.1-8b", "rtx-4090", "", 0, true},
		{"llama-3.1-70b@rtx-4090:q4_k_m", "llama-3.1-70b", "rtx-4090", "q4_k_m", 0, true},
		{"llama-3.1-70b@rtx-4090:q4_k_mx2", "llama-3.1-70b", "rtx-4090", "q4_k_m", 2, true},
		{"llama-3.1-70b@rtx-4090x2", "llama-3.1-70b", "rtx-4090", "", 2, true},
		{"qwen2.5-7b@h100-sxm:fp16x8", "qwen2.5-7b", "h100-sxm", "fp16", 8, true},
		{" phi-4@m4-max ", "phi-4", "m4-max", "", 0, true},
		{"llama-3.1-8b", "", "", "", 0, false},
		{"@rtx-4090", "", "", "", 0, false},
		{"llama-3.1-8b@", "", "", "", 0, false},
		{"llama-3.1-8b@rtx-4090x0", "", "", "", 0, false},
		{"llama-3.1-8b@rtx 4090", "", "", "", 0, false},
	}
	for _, tc := range cases {
		got, err := parseLocalSpec("local", tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if err != nil {
			if ExitCode(err) != ExitBadInput || !strings.Contains(err.Error(), "--local") {
				t.Errorf("%q: error %v should be a flag error naming --local", tc.in, err)
			}
			continue
		}
		if got.Model != tc.model || got.GPU != tc.gpu || got.Quant != tc.quant || got.GPUs != tc.n {
			t.Errorf("%q: got %+v", tc.in, got)
		}
	}
}

func FuzzParseLocalSpec(f *testing.F) {
	for _, s := range []string{"llama-3.1-8b@rtx-4090", "a@b:c", "a@bx3", "a@b:cx12", "@", "a@b:x2", "ä@ß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := parseLocalSpec("local", s)
		if err != nil {
			return
		}
		if spec.Model == "" || spec.GPU == "" || spec.GPUs < 0 || strings.ContainsAny(spec.Model+spec.GPU, "@ \t") {
			t.Errorf("%q parsed to %+v", s, spec)
		}
	})
}

func TestFitFlags(t *testing.T) {
	f, _, _ := newLocalTestFactory()
	var got *FitOptions
	cmd := newCmdFit(f, func(o *FitOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--model", "llama-3.1-70b,mistral-7b", "--gpu", "rtx-4090", "--quant", "q4_k_m", "--gpus", "2", "--context", "32K", "--concurrency", "4", "--output-tokens", "800"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if len(got.Models) != 2 || got.GPUs[0] != "rtx-4090" || got.Quants[0] != "q4_k_m" || got.GPUCount != 2 || got.Context.N != 32768 || got.Concurrency != 4 || got.OutputTokens.N != 800 || got.PromptTokens.N != 500 {
		t.Errorf("parsed %+v", got)
	}
	for _, args := range [][]string{
		{"fit"},
		{"fit", "--model", "mistral-7b", "--concurrency", "0"},
		{"fit", "--model", "mistral-7b", "--gpus", "-1"},
		{"fit", "--model", "no-such-model"},
		{"fit", "--model", "mistral-7b", "--gpu", "rtx-9999"},
		{"fit", "--model", "mistral-7b", "--quant", "q1_magic"},
		{"fit", "--model", "mistral-7b", "--context", "64K"},
	} {
		_, stderr, code := runLocalCLI(t, args...)
		if code != ExitBadInput || !strings.Contains(stderr, "error:") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with a message", args, code, stderr)
		}
	}
}

// Issue 3: Llama 3.1 70B at Q4_K_M does not fit one RTX 4090 and needs two.
func TestFitLlama70BOnRTX4090(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "fit", "--model", "llama-3.1-70b", "--gpu", "rtx-4090", "--quant", "q4_k_m", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res FitResult
	mustJSON(t, out, &res)
	if res.SchemaVersion != 1 || len(res.Results) != 1 {
		t.Fatalf("%+v", res)
	}
	r := res.Results[0]
	if r.Fits || r.GPUs != 2 || r.VRAMRequiredGB <= 24 {
		t.Errorf("fits=%v gpus=%d vram=%.1f; want fits=false, gpus=2, > 24 GB", r.Fits, r.GPUs, r.VRAMRequiredGB)
	}
	for _, key := range []string{`"model"`, `"gpu"`, `"quant"`, `"fits"`, `"gpus"`, `"vram_required_gb"`, `"decode_tokens_per_second"`, `"reply_seconds"`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

// Issue 3: Mistral 7B Q4_K_M on an RTX 4070 decodes at most 504 GB/s / weight
// bytes, and a 400-token reply takes at least 400 / that rate.
func TestFitMistral7BOnRTX4070(t *testing.T) {
	out, _, code := runLocalCLI(t, "fit", "--model", "mistral-7b", "--gpu", "rtx-4070", "--quant", "q4_k_m", "--output-tokens", "400", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var res FitResult
	mustJSON(t, out, &res)
	r := res.Results[0]
	limit := 504e9 / (7.25e9 * 0.61)
	if !r.Fits || r.DecodeTPS > limit || r.ReplySeconds < 400/limit {
		t.Errorf("decode %.1f (limit %.1f), reply %.2fs (floor %.2fs), fits %v", r.DecodeTPS, limit, r.ReplySeconds, 400/limit, r.Fits)
	}
}

func TestFitPhi35MiniLongContext(t *testing.T) {
	out, _, code := runLocalCLI(t, "fit", "--model", "phi-3.5-mini", "--gpu", "rtx-4090", "--quant", "q4_k_m", "--context", "128K", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var res FitResult
	mustJSON(t, out, &res)
	if r := res.Results[0]; r.KVCacheGB != 48 || r.Fits {
		t.Errorf("kv %.3f GiB fits %v; want 48 GiB and no fit", r.KVCacheGB, r.Fits)
	}
}

func TestFitPicksBestQuantPerGPU(t *testing.T) {
	out, _, code := runLocalCLI(t, "fit", "--model", "mistral-7b", "--gpu", "rtx-4070,rtx-4090", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var res FitResult
	mustJSON(t, out, &res)
	quant := map[string]string{}
	for _, r := range res.Results {
		quant[r.GPU] = r.Quant
	}
	if quant["rtx-4070"] != "q8_0" || quant["rtx-4090"] != "fp16" {
		t.Errorf("best quants %v; want q8_0 on the 12 GB 4070 and fp16 on the 24 GB 4090", quant)
	}
}

func TestFitGolden(t *testing.T) {
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := runLocalCLI(t, "fit", "--model", "llama-3.1-70b", "--gpu", "rtx-4090,a100-80gb,m2-ultra-192gb", "--quant", "q4_k_m", "--format", format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			checkLocalGolden(t, "fit/llama-3.1-70b."+format, out)
		})
	}
}

type breakevenJSON struct {
	TokensPerMonth int64 `json:"tokens_per_month"`
	Local          struct {
		UpfrontUSD        float64 `json:"upfront_usd"`
		MonthlyCostUSD    float64 `json:"monthly_cost_usd"`
		RunningMonthlyUSD float64 `json:"running_monthly_usd"`
		GPUs              int     `json:"gpus"`
		Mode              string  `json:"mode"`
	} `json:"local"`
	Cloud struct {
		ID             string  `json:"id"`
		MonthlyCostUSD float64 `json:"monthly_cost_usd"`
	} `json:"cloud"`
	BreakevenMonths *float64 `json:"breakeven_months"`
	Crossover       *int64   `json:"crossover_tokens_per_month"`
	Sweep           []struct {
		Tokens int64   `json:"tokens_per_month"`
		Local  float64 `json:"local_monthly_usd"`
		Cloud  float64 `json:"cloud_monthly_usd"`
		GPUs   int     `json:"gpus"`
	} `json:"sweep"`
}

func TestBreakevenMonthsAndCrossover(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--tokens", "50M", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r breakevenJSON
	mustJSON(t, out, &r)
	if r.BreakevenMonths == nil {
		t.Fatalf("breakeven never at 50M vs gpt-4o:\n%s", out)
	}
	// breakeven = hardware price / (cloud monthly - local running monthly).
	want := r.Local.UpfrontUSD / (r.Cloud.MonthlyCostUSD - r.Local.RunningMonthlyUSD)
	if r.Local.UpfrontUSD != 1599 || diff(*r.BreakevenMonths, want) > 0.005 {
		t.Errorf("breakeven %.2f months, want %.0f / (%.2f - %.2f) = %.2f", *r.BreakevenMonths, r.Local.UpfrontUSD, r.Cloud.MonthlyCostUSD, r.Local.RunningMonthlyUSD, want)
	}
	if r.Crossover == nil {
		t.Fatal("no crossover")
	}
	if len(r.Sweep) != 16 {
		t.Fatalf("%d sweep rows", len(r.Sweep))
	}
	// Below the crossover the cloud is cheaper; from it on (one machine) local is.
	for _, s := range r.Sweep {
		if s.GPUs != 1 {
			continue
		}
		if s.Tokens < *r.Crossover && s.Local <= s.Cloud || s.Tokens >= *r.Crossover && s.Local > s.Cloud {
			t.Errorf("at %d tokens: local %.2f cloud %.2f, crossover %d", s.Tokens, s.Local, s.Cloud, *r.Crossover)
		}
	}
	// At the crossover the two monthly costs meet: check it with a run there.
	out, _, _ = runLocalCLI(t, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--tokens", itoa(*r.Crossover), "--format", "json")
	var at breakevenJSON
	mustJSON(t, out, &at)
	if at.Local.MonthlyCostUSD > at.Cloud.MonthlyCostUSD || at.Cloud.MonthlyCostUSD-at.Local.MonthlyCostUSD > 0.01 {
		t.Errorf("at the crossover local %.4f vs cloud %.4f: should meet", at.Local.MonthlyCostUSD, at.Cloud.MonthlyCostUSD)
	}
}

func diff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestBreakevenNever(t *testing.T) {
	// GPT-4o mini at 10M tokens costs less than the 4090's electricity.
	out, _, code := runLocalCLI(t, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o-mini", "--tokens", "1M", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var r breakevenJSON
	mustJSON(t, out, &r)
	if r.BreakevenMonths != nil || r.Cloud.MonthlyCostUSD >= r.Local.RunningMonthlyUSD {
		t.Errorf("breakeven %v with cloud %.2f and running %.2f; want never", r.BreakevenMonths, r.Cloud.MonthlyCostUSD, r.Local.RunningMonthlyUSD)
	}
	if !strings.Contains(out, `"breakeven_months": null`) {
		t.Error("never must be JSON null")
	}
}

func TestBreakevenRented(t *testing.T) {
	out, _, code := runLocalCLI(t, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--rent", "--tokens", "100M", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var r breakevenJSON
	mustJSON(t, out, &r)
	// Always-on at the cheapest verified offer: $0.34 x 730 h.
	if r.Local.Mode != "rented" || r.Local.UpfrontUSD != 0 || diff(r.Local.MonthlyCostUSD, 0.34*730) > 1e-9 {
		t.Errorf("rented: %+v", r.Local)
	}
	if r.BreakevenMonths == nil || *r.BreakevenMonths != 0 {
		t.Errorf("nothing to repay: breakeven %v, want 0", r.BreakevenMonths)
	}
}

func TestBreakevenErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"breakeven", "--vs", "gpt-4o"}, "--local"},
		{[]string{"breakeven", "--local", "llama-3.1-8b", "--vs", "gpt-4o"}, "MODEL@GPU"},
		{[]string{"breakeven", "--local", "llama-3.1-70b@a100-80gb", "--vs", "gpt-4o"}, "--hardware-price"},
		{[]string{"breakeven", "--local", "llama-3.1-70b@rtx-4090:q4_k_mx1", "--vs", "gpt-4o"}, "does not fit"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@m4-max", "--vs", "gpt-4o", "--hardware-price", "3500"}, "--watts"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "no-such-cloud"}, "--vs"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--plot", "x.pdf"}, "--plot"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--pue", "0.5"}, "--pue"},
		// Typos that priced as given print a 400-digit bill.
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--pue", "1e400"}, "--pue: must be from 1 to 10"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--months", "1e-400"}, "--months: must be from 1 to 1200"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--months", "1e400"}, "--months"},
		{[]string{"estimate", "--tokens", "1M", "--local", "llama-3.1-8b@rtx-4090", "--watts", "1e9"}, "--watts"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--rent", "--hardware-price", "10"}, "--rent"},
	}
	for _, tc := range cases {
		_, stderr, code := runLocalCLI(t, tc.args...)
		if code != ExitBadInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 mentioning %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestBreakevenChartAndPlots(t *testing.T) {
	dir := t.TempDir()
	pngPath, svgPath := filepath.Join(dir, "be.png"), filepath.Join(dir, "be.svg")
	volPath := filepath.Join(dir, "volume.png")
	out, stderr, code := runLocalCLI(t, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--chart", "--plot", pngPath, "--plot-volume", volPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(volPath); err != nil {
		t.Errorf("--plot-volume: %v", err)
	}
	for _, want := range []string{"── llama-3.1-8b@rtx-4090:q4_k_m (owned)", "•• gpt-4o", "crossover: local is cheaper from", "cumulative cost at", "break-even after", "months: 0 mo .. "} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal chart lacks %q", want)
		}
	}
	if !strings.Contains(stderr, "wrote "+pngPath) {
		t.Errorf("stderr %q", stderr)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(f); err != nil {
		t.Errorf("PNG does not decode: %v", err)
	}
	f.Close()

	if _, stderr, code := runLocalCLI(t, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--plot", svgPath, "--format", "json"); code != 0 {
		t.Fatalf("svg: exit %d %s", code, stderr)
	}
	data, err := os.ReadFile(svgPath)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	elements := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			elements++
		}
	}
	if elements < 10 {
		t.Errorf("SVG has %d elements", elements)
	}
}

func TestBreakevenGolden(t *testing.T) {
	for _, format := range []string{"table", "json", "csv", "markdown"} {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := runLocalCLI(t, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--tokens", "50M", "--as-of", "2026-11-01", "--format", format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			checkLocalGolden(t, "breakeven/llama-3.1-8b-rtx-4090-vs-gpt-4o."+format, out)
		})
	}
}

type estimateLocalJSON struct {
	Options []struct {
		ID              string              `json:"id"`
		Kind            string              `json:"kind"`
		MonthlyCostUSD  float64             `json:"monthly_cost_usd"`
		UpfrontUSD      *float64            `json:"upfront_usd"`
		GPUs            *int                `json:"gpus"`
		Fits            *bool               `json:"fits"`
		Hardware        string              `json:"hardware"`
		Utilization     *float64            `json:"utilization"`
		BreakevenMonths map[string]*float64 `json:"breakeven_months"`
	} `json:"options"`
}

func TestEstimateLocalOptions(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "estimate", "--tokens", "50M", "--models", "gpt-4o,gpt-4o-mini",
		"--local", "llama-3.1-70b@rtx-4090:q4_k_mx2", "--rent", "llama-3.1-8b@h100-sxm:fp16", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r estimateLocalJSON
	mustJSON(t, out, &r)
	cloud := map[string]float64{}
	locals := 0
	for _, o := range r.Options {
		if o.Kind == "cloud" {
			cloud[o.ID] = o.MonthlyCostUSD
		}
	}
	for _, o := range r.Options {
		if o.Kind != "local" {
			continue
		}
		locals++
		if o.GPUs == nil || o.Fits == nil || o.Hardware == "" || o.Utilization == nil || o.UpfrontUSD == nil || o.BreakevenMonths == nil {
			t.Fatalf("local option %s lacks a key: %+v", o.ID, o)
		}
		if len(o.BreakevenMonths) != 2 {
			t.Errorf("%s: breakeven_months %v, want one per cloud option", o.ID, o.BreakevenMonths)
		}
	}
	if locals != 2 {
		t.Fatalf("%d local options, want 2", locals)
	}
	owned := r.Options[0]
	for _, o := range r.Options {
		if o.ID == "llama-3.1-70b@rtx-4090:q4_k_mx2" {
			owned = o
		}
	}
	if *owned.GPUs != 2 || !*owned.Fits || *owned.UpfrontUSD != 3198 {
		t.Errorf("owned option %+v", owned)
	}
	// breakeven = upfront / (cloud - running), running = monthly - upfront/36.
	running := owned.MonthlyCostUSD - *owned.UpfrontUSD/36
	if m := owned.BreakevenMonths["gpt-4o"]; m == nil || diff(*m, 3198/(cloud["gpt-4o"]-running)) > 0.005 {
		t.Errorf("breakeven vs gpt-4o %v, want %.2f", m, 3198/(cloud["gpt-4o"]-running))
	}
	if m, ok := owned.BreakevenMonths["gpt-4o-mini"]; !ok || m != nil {
		t.Errorf("vs gpt-4o-mini ($%.2f) the 2x4090 never pays off: %v", cloud["gpt-4o-mini"], m)
	}
}

func TestEstimateAutomaticLocalOptions(t *testing.T) {
	out, _, code := runLocalCLI(t, "estimate", "--tokens", "10M", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var r estimateLocalJSON
	mustJSON(t, out, &r)
	owned, rented := 0, 0
	for _, o := range r.Options {
		if o.Kind == "local" {
			if strings.HasPrefix(o.ID, "rent:") {
				rented++
			} else {
				owned++
			}
			if *o.GPUs > autoLocalMaxGPUs || !*o.Fits {
				t.Errorf("automatic option %s: gpus %d fits %v", o.ID, *o.GPUs, *o.Fits)
			}
		}
	}
	if owned == 0 || rented == 0 {
		t.Errorf("automatic local options: %d owned, %d rented", owned, rented)
	}
	for _, args := range [][]string{
		{"estimate", "--tokens", "10M", "--no-local", "--format", "json"},
		{"estimate", "--tokens", "10M", "--models", "gpt-4o", "--format", "json"},
	} {
		out, _, _ = runLocalCLI(t, args...)
		if strings.Contains(out, `"kind": "local"`) {
			t.Errorf("%v lists automatic local options", args)
		}
	}
}

func TestEstimateLocalErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"estimate", "--tokens", "1M", "--local", "llama-3.1-8b"}, "--local"},
		{[]string{"estimate", "--tokens", "1M", "--local", "llama-3.1-70b@rtx-4090:q4_k_mx1"}, "does not fit"},
		{[]string{"estimate", "--tokens", "1M", "--hardware-price", "2000"}, "--local"},
		{[]string{"estimate", "--tokens", "1M", "--local", "llama-3.1-8b@rtx-4090", "--local", "llama-3.1-70b@rtx-4090", "--hardware-price", "2000"}, "--local names 2"},
		{[]string{"estimate", "--tokens", "1M", "--rent", "llama-3.1-8b@rtx-4070"}, "rental"},
		{[]string{"estimate", "--tokens", "1M", "--local", "llama-3.1-8b@rtx-4090", "--no-local"}, "--no-local"},
		{[]string{"estimate", "--tokens", "1M", "--local", "nope@rtx-4090"}, "--local"},
	} {
		_, stderr, code := runLocalCLI(t, tc.args...)
		if code != ExitBadInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 mentioning %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestContextValue(t *testing.T) {
	for in, want := range map[string]int64{"8K": 8192, "128k": 131072, "131072": 131072, "131,072": 131072, "1M": 1 << 20, " 4096 ": 4096} {
		var c contextValue
		if err := c.Set(in); err != nil || c.N != want {
			t.Errorf("%q: %d, %v; want %d", in, c.N, err, want)
		}
	}
	for _, in := range []string{"", "0", "-8K", "8KB", "1.5K", "32M", "lots"} {
		var c contextValue
		if err := c.Set(in); err == nil {
			t.Errorf("%q accepted as %d", in, c.N)
		}
	}
}

func FuzzContextValue(f *testing.F) {
	for _, s := range []string{"8K", "128k", "131072", "1M", "0", "-1", "99999999999999999999K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var c contextValue
		if err := c.Set(s); err == nil && (c.N <= 0 || c.N > 1<<24) {
			t.Errorf("%q -> %d", s, c.N)
		}
	})
}

// The cumulative chart's lines meet at the break-even month it marks.
func TestCumulativeChartCrossesAtBreakeven(t *testing.T) {
	be := 8.0
	r := &BreakevenResult{
		TokensPerMonth:  50_000_000,
		BreakevenMonths: &be,
		Local:           BreakevenLocal{ID: "m@g", Mode: "owned", UpfrontUSD: decimal.NewFromInt(1600), RunningMonthlyUSD: decimal.NewFromInt(20)},
		Cloud:           BreakevenCloud{ID: "c", MonthlyCostUSD: decimal.NewFromInt(220)},
	}
	c := cumulativeChart(r)
	if !c.Linear || c.X[0] != 0 || c.X[len(c.X)-1] != 36 {
		t.Fatalf("axis %v..%v linear=%v", c.X[0], c.X[len(c.X)-1], c.Linear)
	}
	// month 8: local 1600 + 8 × 20 = 1760 = cloud 8 × 220
	if c.Series[0].Y[8] != 1760 || c.Series[1].Y[8] != 1760 {
		t.Fatalf("at month 8: local %v cloud %v", c.Series[0].Y[8], c.Series[1].Y[8])
	}
	if c.Marker == nil || c.Marker.X != 8 || c.Marker.Y != 1760 {
		t.Fatalf("marker %+v", c.Marker)
	}
	r.BreakevenMonths = nil
	if c := cumulativeChart(r); c.Marker == nil || !strings.Contains(c.Marker.Label, "no break-even") {
		t.Fatalf("never: %+v", c.Marker)
	}
}

func TestBreakevenBadPlotPathPrintsNothing(t *testing.T) {
	r := run(t, nil, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--plot", "/nonexistent/dir/x.svg")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "--plot: cannot write /nonexistent/dir/x.svg: no such file or directory") {
		t.Fatalf("exit %d, stdout %d bytes, stderr %q", r.code, len(r.stdout), r.stderr)
	}
	r = run(t, nil, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--prompt-tokens", "200K")
	if r.code != 2 || !strings.Contains(r.stderr, "exceeds gpt-4o's context window") {
		t.Fatalf("prompt beyond context: exit %d %s", r.code, r.stderr)
	}
}

// fit, estimate and breakeven size the KV cache the same way: the default
// 8K context unless a request (prompt + reply) is longer. Llama 3.1 8B at
// fp16 needs 17.4 GB with an 8K context: not one 16 GB RTX 4080.
func TestLocalContextSizingAgrees(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "fit", "--model", "llama-3.1-8b", "--gpu", "rtx-4080", "--quant", "fp16", "--format", "json")
	if code != 0 {
		t.Fatalf("fit exit %d: %s", code, stderr)
	}
	var fit struct {
		Results []struct {
			Fits          bool `json:"fits"`
			GPUs          int  `json:"gpus"`
			ContextTokens int  `json:"context_tokens"`
		} `json:"results"`
	}
	mustJSON(t, out, &fit)
	if len(fit.Results) != 1 || fit.Results[0].Fits || fit.Results[0].GPUs != 2 || fit.Results[0].ContextTokens != 8192 {
		t.Fatalf("fit: %+v", fit.Results)
	}
	out, stderr, code = runLocalCLI(t, "estimate", "--tokens", "10M", "--models", "gpt-4o", "--local", "llama-3.1-8b@rtx-4080:fp16", "--hardware-price", "2398", "--format", "json")
	if code != 0 {
		t.Fatalf("estimate exit %d: %s", code, stderr)
	}
	var est struct {
		Options []struct {
			Kind string `json:"kind"`
			GPUs *int   `json:"gpus"`
		} `json:"options"`
	}
	mustJSON(t, out, &est)
	for _, o := range est.Options {
		if o.Kind == "local" && *o.GPUs != 2 {
			t.Fatalf("estimate placed llama-3.1-8b fp16 on %d rtx-4080 (fit: it needs 2)", *o.GPUs)
		}
	}
	out, stderr, code = runLocalCLI(t, "breakeven", "--local", "llama-3.1-8b@rtx-4080:fp16", "--vs", "gpt-4o", "--hardware-price", "2398", "--format", "json")
	if code != 0 {
		t.Fatalf("breakeven exit %d: %s", code, stderr)
	}
	var be struct {
		Local struct {
			GPUsPerReplica int `json:"gpus_per_replica"`
		} `json:"local"`
	}
	mustJSON(t, out, &be)
	if be.Local.GPUsPerReplica != 2 {
		t.Fatalf("breakeven placed llama-3.1-8b fp16 on %d rtx-4080 (fit: it needs 2)", be.Local.GPUsPerReplica)
	}

	// A 100K prompt needs a 100K KV cache in fit too.
	out, stderr, code = runLocalCLI(t, "fit", "--model", "llama-3.1-8b", "--gpu", "rtx-4090", "--quant", "fp16", "--prompt-tokens", "100K", "--format", "json")
	if code != 0 {
		t.Fatalf("fit exit %d: %s", code, stderr)
	}
	mustJSON(t, out, &fit)
	if fit.Results[0].Fits || fit.Results[0].ContextTokens != 100_400 {
		t.Fatalf("fit with a 100K prompt: %+v", fit.Results)
	}
	_, stderr, code = runLocalCLI(t, "fit", "--model", "llama-3.1-8b", "--prompt-tokens", "200K")
	if code != 2 || !strings.Contains(stderr, "--prompt-tokens") {
		t.Fatalf("fit with a prompt beyond the model's context: exit %d: %s", code, stderr)
	}
}

// estimate and breakeven split --tokens into input and output the same
// way, so the cloud bill and the break-even they report agree.
func TestEstimateBreakevenSameSplit(t *testing.T) {
	args := []string{"--tokens", "1001", "--local", "llama-3.1-8b@rtx-4090", "--format", "json"}
	out, stderr, code := runLocalCLI(t, append([]string{"estimate", "--models", "gpt-4o"}, args...)...)
	if code != 0 {
		t.Fatalf("estimate exit %d: %s", code, stderr)
	}
	var est struct {
		Options []struct {
			ID             string          `json:"id"`
			MonthlyCostUSD decimal.Decimal `json:"monthly_cost_usd"`
		} `json:"options"`
	}
	mustJSON(t, out, &est)
	out, stderr, code = runLocalCLI(t, append([]string{"breakeven", "--vs", "gpt-4o"}, args...)...)
	if code != 0 {
		t.Fatalf("breakeven exit %d: %s", code, stderr)
	}
	var be struct {
		Cloud struct {
			MonthlyCostUSD decimal.Decimal `json:"monthly_cost_usd"`
		} `json:"cloud"`
	}
	mustJSON(t, out, &be)
	for _, o := range est.Options {
		if o.ID == "gpt-4o" && !o.MonthlyCostUSD.Equal(be.Cloud.MonthlyCostUSD) {
			t.Fatalf("gpt-4o at 1,001 tokens: estimate $%s, breakeven $%s", o.MonthlyCostUSD, be.Cloud.MonthlyCostUSD)
		}
	}
}

// breakeven says what estimate says about the cloud side: a retired model,
// an unverified price or a scheduled price change is noted next to the figures.
func TestBreakevenNotesCloudStatus(t *testing.T) {
	for _, tc := range []struct{ vs, want string }{
		{"claude-3-opus", "claude-3-opus is retired (retired 2026-01-05)"},
		{"claude-opus-5.5", "claude-opus-5.5: price not verified"},
		// The Sonnet 5 promotion ($2/$10) ends 2026-09-01 ($3/$15): 1,599 / (60 - 15.12).
		{"claude-sonnet-5 --as-of 2026-08-15", "claude-sonnet-5 price changes on 2026-09-01: cloud $60.00/month at this volume, break-even then 35.6 months"},
	} {
		args := append([]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--format", "json", "--vs"}, strings.Fields(tc.vs)...)
		out, stderr, code := runLocalCLI(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var be struct {
			Notes []string `json:"notes"`
		}
		mustJSON(t, out, &be)
		if !strings.Contains(strings.Join(be.Notes, "\n"), tc.want) {
			t.Errorf("--vs %s: notes %q lack %q", tc.vs, be.Notes, tc.want)
		}
	}
}

// A request longer than the model's context names the flag to change.
func TestLocalContextErrorsNameTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"estimate", "--tokens", "10M", "--models", "gpt-4o", "--local", "llama-3.1-8b@rtx-4090", "--context", "200K"}, "invalid value 204.8k for --context: llama-3.1-8b takes at most 131072 tokens"},
		{[]string{"breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--context", "200K"}, "for --context"},
		{[]string{"estimate", "--tokens", "10M", "--models", "gpt-4o", "--local", "gemma-2-9b@rtx-4090", "--prompt-tokens", "8000"}, "--prompt-tokens 8k plus a 400-token reply exceed gemma-2-9b's context of 8192 tokens"},
	} {
		_, stderr, code := runLocalCLI(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, code, stderr)
		}
	}
	out, _, code := runLocalCLI(t, "estimate", "--tokens", "10M", "--context", "200K", "--format", "json")
	if code != 0 || !strings.Contains(out, "with a 204.8k-token context per request") {
		t.Errorf("exit %d: %s", code, out)
	}
}

// --ops-monthly is people and tooling: renting the GPUs does not remove it.
func TestRentedOptionsIncludeOps(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "breakeven", "--local", "llama-3.1-8b@rtx-4090", "--vs", "gpt-4o", "--rent", "--ops-monthly", "500", "--tokens", "100M", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var be struct {
		Local struct {
			MonthlyCostUSD decimal.Decimal `json:"monthly_cost_usd"`
			OpsUSD         decimal.Decimal `json:"ops_monthly_usd"`
		} `json:"local"`
		BreakevenMonths *float64 `json:"breakeven_months"`
	}
	mustJSON(t, out, &be)
	// $0.34/h x 730 h + $500.
	if !be.Local.MonthlyCostUSD.Equal(decimal.RequireFromString("748.2")) || !be.Local.OpsUSD.Equal(decimal.NewFromInt(500)) || be.BreakevenMonths != nil {
		t.Fatalf("rented with $500 ops: monthly %s, ops %s, break-even %v (gpt-4o costs $437.50)", be.Local.MonthlyCostUSD, be.Local.OpsUSD, be.BreakevenMonths)
	}
	out, stderr, code = runLocalCLI(t, "estimate", "--tokens", "100M", "--models", "gpt-4o", "--rent", "llama-3.1-8b@rtx-4090", "--ops-monthly", "500", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var est struct {
		Options []struct {
			Kind           string          `json:"kind"`
			MonthlyCostUSD decimal.Decimal `json:"monthly_cost_usd"`
		} `json:"options"`
	}
	mustJSON(t, out, &est)
	for _, o := range est.Options {
		if o.Kind == "local" && !o.MonthlyCostUSD.Equal(decimal.RequireFromString("748.2")) {
			t.Fatalf("estimate rented with $500 ops: %s", o.MonthlyCostUSD)
		}
	}
}

// fit never answers an empty table with exit 0.
func TestFitNothingToShow(t *testing.T) {
	for _, args := range [][]string{
		{"fit", "--model", " , "},
		{"fit", "--model", "llama-3.1-8b", "--gpu", ","},
		{"fit", "--gpu", "rtx-4090", "--context", "1000K"},
	} {
		out, stderr, code := runLocalCLI(t, args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, stderr)
		}
	}
}

// The same local setup at the same volume costs the same in estimate and
// breakeven, and breaks even in the same month: both default to the same
// prompt length, estimate's 1,000 tokens (it sets the KV read per token, so
// the estimated speed).
func TestEstimateBreakevenSameDefaults(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "estimate", "--tokens", "50M", "--models", "gpt-4o", "--local", "llama-3.1-70b@rtx-5090:q4_k_m", "--format", "json")
	if code != 0 {
		t.Fatalf("estimate exit %d: %s", code, stderr)
	}
	var est struct {
		Options []struct {
			Kind            string              `json:"kind"`
			MonthlyCostUSD  decimal.Decimal     `json:"monthly_cost_usd"`
			BreakevenMonths map[string]*float64 `json:"breakeven_months"`
		} `json:"options"`
	}
	mustJSON(t, out, &est)
	out, stderr, code = runLocalCLI(t, "breakeven", "--tokens", "50M", "--vs", "gpt-4o", "--local", "llama-3.1-70b@rtx-5090:q4_k_m", "--format", "json")
	if code != 0 {
		t.Fatalf("breakeven exit %d: %s", code, stderr)
	}
	var be struct {
		Local struct {
			MonthlyCostUSD decimal.Decimal `json:"monthly_cost_usd"`
		} `json:"local"`
		BreakevenMonths *float64 `json:"breakeven_months"`
	}
	mustJSON(t, out, &be)
	for _, o := range est.Options {
		if o.Kind != "local" {
			continue
		}
		if !o.MonthlyCostUSD.Equal(be.Local.MonthlyCostUSD) || o.BreakevenMonths["gpt-4o"] == nil || be.BreakevenMonths == nil || *o.BreakevenMonths["gpt-4o"] != *be.BreakevenMonths {
			t.Fatalf("estimate: $%s, %v months; breakeven: $%s, %v months", o.MonthlyCostUSD, *o.BreakevenMonths["gpt-4o"], be.Local.MonthlyCostUSD, *be.BreakevenMonths)
		}
	}
}

// A GPU too small for the runtime overhead fits no model at any count:
// the message must not suggest "add x0".
func TestNoGPUCountFits(t *testing.T) {
	dir := t.TempDir()
	gpu := "schema_version: 1\ngpus:\n  - id: tiny-gpu\n    name: Tiny\n    vendor: acme\n    class: consumer\n    vram_gb: 0.5\n    bandwidth_gbs: 100\n    tdp_w: 10\n    price_usd: 10\n    source: me\n    verified: 2026-01-01\n"
	if err := os.WriteFile(filepath.Join(dir, "g.yaml"), []byte(gpu), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--catalog", dir, "estimate", "--tokens", "1M", "--models", "gpt-4o", "--local", "llama-3.2-1b@tiny-gpu"},
		{"--catalog", dir, "breakeven", "--local", "llama-3.2-1b@tiny-gpu", "--vs", "gpt-4o"},
	} {
		_, stderr, code := runLocalCLI(t, args...)
		if code != 2 || strings.Contains(stderr, "x0") || !strings.Contains(stderr, "below the 0.75 GB runtime overhead") {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
}

// README: "--model all --gpu all checks the whole catalog".
func TestFitAll(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "fit", "--model", "all", "--gpu", "rtx-4090,ALL", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Results []struct{} `json:"results"`
	}
	mustJSON(t, out, &res)
	if len(res.Results) < 28*30 {
		t.Fatalf("%d rows for every model on every GPU", len(res.Results))
	}
}

// An on-demand (busy-hours) rental costs $0 at 0 tokens, as the cloud does:
// that tie is no crossover, and local dearer from the first token is "none".
func TestBreakevenOnDemandRentalNoSpuriousCrossover(t *testing.T) {
	dir := t.TempDir()
	gpu := "schema_version: 1\ngpus:\n  - id: od-gpu\n    name: OD\n    vendor: acme\n    class: datacenter\n    vram_gb: 80\n    bandwidth_gbs: 2000\n    fp16_tflops: 300\n    rentals:\n      - {provider: serverless, usd_per_hour: 4.00, date: 2026-01-01, source: s, on_demand: true}\n    source: s\n    verified: 2026-01-01\n"
	if err := os.WriteFile(filepath.Join(dir, "g.yaml"), []byte(gpu), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runLocalCLI(t, "--catalog", dir, "breakeven", "--local", "llama-3.1-8b@od-gpu", "--vs", "gpt-4o-mini", "--rent", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var be struct {
		Crossover *int64          `json:"crossover_tokens_per_month"`
		Crossings []struct{}      `json:"crossings"`
		Notes     []string        `json:"notes"`
		Local     json.RawMessage `json:"local"`
	}
	mustJSON(t, out, &be)
	if be.Crossover != nil || len(be.Crossings) != 0 || strings.Contains(strings.Join(be.Notes, "\n"), "dearer again") {
		t.Fatalf("crossover %v, crossings %d, notes %q", be.Crossover, len(be.Crossings), be.Notes)
	}
}

// `--model all --gpu all` checks the whole catalog (README); "all" is not
// an unknown id.
func TestFitAllModelsAllGPUs(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "fit", "--model", "all", "--gpu", "all", "--quant", "q4_k_m", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res FitResult
	mustJSON(t, out, &res)
	models, gpus := map[string]bool{}, map[string]bool{}
	for _, r := range res.Results {
		models[r.Model], gpus[r.GPU] = true, true
	}
	f, _, _ := newLocalTestFactory()
	cat, err := f.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(gpus) != len(cat.GPUIDs()) || len(models) != len(cat.OpenModelIDs()) {
		t.Fatalf("%d models, %d GPUs; want the catalog's %d and %d", len(models), len(gpus), len(cat.OpenModelIDs()), len(cat.GPUIDs()))
	}
	// The VRAM a row needs can be recomputed from the row: weights + KV
	// cache + its buffers + the per-GPU overhead (each part rounded to
	// 0.001 GB on its own).
	for _, r := range res.Results {
		sum := r.WeightsGB + r.KVCacheGB + r.KVBufferGB + r.OverheadGB
		if math.Abs(sum-r.VRAMRequiredGB) > 0.002 {
			t.Errorf("%s on %s: weights %v + kv %v + buffer %v + overhead %v = %v, vram_required_gb %v",
				r.Model, r.GPU, r.WeightsGB, r.KVCacheGB, r.KVBufferGB, r.OverheadGB, sum, r.VRAMRequiredGB)
		}
		if r.KVBufferGB <= 0 || r.OverheadGB <= 0 {
			t.Errorf("%s on %s: buffer %v, overhead %v; both are always there", r.Model, r.GPU, r.KVBufferGB, r.OverheadGB)
		}
	}
}

// --model all is "every model", not a list of named ones: a model whose
// maximum context is below --context is skipped with a note, as without
// --model, instead of failing the run.
func TestFitAllModelsSkipsShortContext(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "fit", "--model", "all", "--gpu", "rtx-4090", "--context", "128K", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res FitResult
	mustJSON(t, out, &res)
	if len(res.Results) == 0 || !strings.Contains(strings.Join(res.Notes, "\n"), "gemma-2-27b skipped: --context above its") {
		t.Fatalf("results %d, notes %v", len(res.Results), res.Notes)
	}
}

// An A10G's 24 GB label is not what a model can use: AWS reports 22,888
// MiB (local-economics §2), and fit budgets that, not 24 GiB.
func TestA10GUsableMemoryIsAWSFigure(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "fit", "--model", "qwen2.5-32b", "--gpu", "a10g", "--quant", "q4_k_m", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res FitResult
	mustJSON(t, out, &res)
	if len(res.Results) != 1 {
		t.Fatalf("%d results", len(res.Results))
	}
	if got, want := res.Results[0].VRAMUsablePerGPUGB, math.Round(22888.0/1024*1000)/1000; math.Abs(got-want) > 0.002 {
		t.Errorf("usable per GPU %v GiB, want %v (22,888 MiB)", got, want)
	}
}
