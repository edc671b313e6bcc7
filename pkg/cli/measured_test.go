package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmcost/llmcost/pkg/bench/benchtest"
	"github.com/llmcost/llmcost/pkg/iostreams"
)

// measuredCatalog runs `llmcost bench --write-catalog` against the fake
// server in a synctest bubble (the fake paces tokens on the bubble's clock
// and the bench measures with it, so the figures are exact) and returns
// the catalog directory. Two servers are measured on fixedNow's day, each
// stream slowed by 1 + (streams-1)/k:
//   - llama-3.1-8b on one rtx-4090 at q4_k_m, 100 ms TTFT and 60 tok/s
//     alone, k = 4, at concurrency 1 and 4 (the catalog's own row says
//     130.58 tok/s);
//   - gpt-oss-20b on one rtx-4090 at mxfp4, 5 ms TTFT and 400 tok/s alone,
//     k = 32, at concurrency 1 and 8 (decide batches 8; the catalog has no
//     row, and estimates 274 tok/s).
func measuredCatalog(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, run := range []struct {
		served, model, quant, conc string
		ttft                       time.Duration
		tps, slowdown              float64
	}{
		{"llama3.1:8b", "llama-3.1-8b", "q4_k_m", "1,4", 100 * time.Millisecond, 60, 4},
		{"gpt-oss:20b", "gpt-oss-20b", "mxfp4", "1,8", 5 * time.Millisecond, 400, 32},
	} {
		synctest.Test(t, func(t *testing.T) {
			fake := &benchtest.Fake{API: "openai", TTFT: run.ttft, TokensPerSecond: run.tps, Slowdown: run.slowdown}
			l := benchtest.NewPipeListener()
			srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: fake}}
			srv.Start()
			client := l.Client()
			defer func() {
				client.CloseIdleConnections()
				srv.Close()
			}()
			ios, _, out, errOut := iostreams.Test()
			f := NewFactory(ios, func(string) string { return "" })
			f.HTTPClient = func() *http.Client { return client }
			start := time.Now()
			f.Now = func() time.Time { return fixedNow.Add(time.Since(start)) }
			// Every connection dials the fake, whatever the host: the URL is
			// the one a user would give, and the one the rows name.
			code := Run(context.Background(), f, []string{"bench", "--base-url", "http://gpu-box:8000/v1", "--model", run.served,
				"--catalog-model", run.model, "--gpu", "rtx-4090", "--quant", run.quant,
				"--concurrency", run.conc, "--requests", "8", "--prompt-tokens", "100", "--output-tokens", "64",
				"--write-catalog", dir})
			if code != 0 {
				t.Fatalf("bench: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
	return dir
}

// measuredRow is the decode_tps bench wrote for model at concurrency.
func measuredRow(t *testing.T, dir, model string, concurrency int64) float64 {
	t.Helper()
	for _, r := range readBenchRows(t, dir) {
		c := int64(1)
		if r.Concurrency.Set {
			c = r.Concurrency.D.IntPart()
		}
		if r.Model == model && c == concurrency {
			v, _ := r.DecodeTPS.D.Float64()
			return v
		}
	}
	t.Fatalf("no row for %s at concurrency %d", model, concurrency)
	return 0
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runLocalCLI(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

const (
	llamaMeasured  = "measured 2026-11-27, 1 stream: 60.0 tok/s per stream; measured 2026-11-27, 4 streams: "
	measuredServer = "(llmcost bench, http://gpu-box:8000/v1 llama3.1:8b)"
)

func TestFitSaysMeasured(t *testing.T) {
	dir := measuredCatalog(t)
	args := []string{"fit", "--model", "llama-3.1-8b", "--gpu", "rtx-4090", "--quant", "q4_k_m", "--concurrency", "4"}
	type fitJSON struct {
		Results []struct {
			DecodeTPS float64 `json:"decode_tokens_per_second"`
		} `json:"results"`
		Notes []string `json:"notes"`
	}
	var mine, embedded fitJSON
	mustJSON(t, mustRun(t, append(args, "--catalog", dir, "--format", "json")...), &mine)
	mustJSON(t, mustRun(t, append(args, "--format", "json")...), &embedded)
	if mine.Results[0].DecodeTPS != 60 || embedded.Results[0].DecodeTPS != 130.58 {
		t.Errorf("decode: measured catalog %v, embedded %v; want 60 (the bench) and 130.58 (the catalog)", mine.Results[0].DecodeTPS, embedded.Results[0].DecodeTPS)
	}
	want := "llama-3.1-8b@rtx-4090:q4_k_m: " + llamaMeasured
	if !containsPrefix(mine.Notes, want) || containsPrefix(embedded.Notes, "llama-3.1-8b@rtx-4090:q4_k_m: measured") {
		t.Errorf("notes: measured %q\nembedded %q", mine.Notes, embedded.Notes)
	}
	table := mustRun(t, append(args, "--catalog", dir)...)
	containsAll(t, table, "60.0*", want, measuredServer)
	checkLocalGolden(t, filepath.Join("measured", "fit.table"), table)
}

type measuredEstimateJSON struct {
	Options []struct {
		ID          string   `json:"id"`
		Kind        string   `json:"kind"`
		Monthly     float64  `json:"monthly_cost_usd"`
		Utilization *float64 `json:"utilization"`
		Measured    *string  `json:"measured"`
	} `json:"options"`
	Notes []string `json:"notes"`
}

func TestEstimateSaysMeasured(t *testing.T) {
	dir := measuredCatalog(t)
	agg := measuredRow(t, dir, "llama-3.1-8b", 4)
	// Requests of the bench's own length (100 + 64/2 tokens in context), so
	// that its measurement stands as it is (TestMeasuredDecodeScaledToContext
	// covers longer ones).
	args := []string{"estimate", "--tokens", "50M", "--models", "gpt-4o-mini", "--local", "llama-3.1-8b@rtx-4090:q4_k_m", "--concurrency", "4", "--prompt-tokens", "100", "--output-tokens", "64"}
	var mine, embedded measuredEstimateJSON
	mustJSON(t, mustRun(t, append(args, "--catalog", dir, "--format", "json")...), &mine)
	mustJSON(t, mustRun(t, append(args, "--format", "json")...), &embedded)
	local := func(r measuredEstimateJSON) (id string, util, monthly float64, measured *string) {
		for _, o := range r.Options {
			if o.Kind == "local" {
				return o.ID, *o.Utilization, o.Monthly, o.Measured
			}
		}
		t.Fatalf("no local option: %+v", r)
		return
	}
	id, util, monthly, measured := local(mine)
	_, embUtil, embMonthly, embMeasured := local(embedded)
	wantText := fmt.Sprintf("%s%.1f tok/s aggregate %s", llamaMeasured, agg, measuredServer)
	if measured == nil || *measured != wantText {
		t.Errorf("measured = %v, want %q", measured, wantText)
	}
	if embMeasured != nil {
		t.Errorf("the embedded catalog's option says measured: %q", *embMeasured)
	}
	// The bench's machine is slower than the catalog's: busier, and dearer to run.
	if !(util > embUtil && monthly > embMonthly) {
		t.Errorf("measured: utilization %v, $%v; embedded: %v, $%v", util, monthly, embUtil, embMonthly)
	}
	if !slices.Contains(mine.Notes, id+": "+wantText) {
		t.Errorf("notes %q", mine.Notes)
	}
	table := mustRun(t, append(args, "--catalog", dir)...)
	containsAll(t, table, id+": "+wantText)
	checkLocalGolden(t, filepath.Join("measured", "estimate.table"), table)

	// A rented option on the measured GPU type says it too.
	var rent measuredEstimateJSON
	mustJSON(t, mustRun(t, "estimate", "--tokens", "50M", "--models", "gpt-4o-mini", "--rent", "llama-3.1-8b@rtx-4090:q4_k_m", "--prompt-tokens", "100", "--output-tokens", "64", "--catalog", dir, "--format", "json"), &rent)
	if _, _, _, m := local(rent); m == nil || !strings.HasPrefix(*m, "measured 2026-11-27, 1 stream: 60.0 tok/s") {
		t.Errorf("rented: measured = %v", m)
	}
}

func TestBreakevenSaysMeasured(t *testing.T) {
	dir := measuredCatalog(t)
	agg := measuredRow(t, dir, "llama-3.1-8b", 4)
	args := []string{"breakeven", "--local", "llama-3.1-8b@rtx-4090:q4_k_m", "--vs", "gpt-4o-mini", "--tokens", "50M", "--concurrency", "4", "--prompt-tokens", "100", "--output-tokens", "64"}
	type beJSON struct {
		Local struct {
			ID         string  `json:"id"`
			Decode     float64 `json:"decode_tokens_per_second"`
			Aggregate  float64 `json:"aggregate_tokens_per_second"`
			SpeedBasis string  `json:"speed_basis"`
			Measured   *string `json:"measured"`
			Monthly    float64 `json:"monthly_cost_usd"`
		} `json:"local"`
		Crossover *int64   `json:"crossover_tokens_per_month"`
		Notes     []string `json:"notes"`
	}
	var mine, embedded beJSON
	mustJSON(t, mustRun(t, append(args, "--catalog", dir, "--format", "json")...), &mine)
	mustJSON(t, mustRun(t, append(args, "--format", "json")...), &embedded)
	if mine.Local.Decode != 60 || mine.Local.Aggregate != agg || mine.Local.SpeedBasis != "measured" {
		t.Errorf("measured catalog: %+v, want decode 60 and aggregate %v (the bench's rows)", mine.Local, agg)
	}
	if embedded.Local.Decode != 130.58 || embedded.Local.Aggregate == agg || embedded.Local.Measured != nil {
		t.Errorf("embedded catalog: %+v", embedded.Local)
	}
	if mine.Local.Monthly <= embedded.Local.Monthly || mine.Crossover == nil || embedded.Crossover == nil || *mine.Crossover == *embedded.Crossover {
		t.Errorf("the slower measured machine should cost more and cross over elsewhere: $%v vs $%v, crossover %v vs %v", mine.Local.Monthly, embedded.Local.Monthly, mine.Crossover, embedded.Crossover)
	}
	wantText := fmt.Sprintf("%s%.1f tok/s aggregate %s", llamaMeasured, agg, measuredServer)
	if mine.Local.Measured == nil || *mine.Local.Measured != wantText {
		t.Errorf("measured = %v, want %q", mine.Local.Measured, wantText)
	}
	if !slices.Contains(mine.Notes, mine.Local.ID+": "+wantText) {
		t.Errorf("notes %q", mine.Notes)
	}
	table := mustRun(t, append(args, "--catalog", dir)...)
	containsAll(t, table, mine.Local.ID+": "+wantText)
	checkLocalGolden(t, filepath.Join("measured", "breakeven.table"), table)
}

func TestDecideSaysMeasured(t *testing.T) {
	dir := measuredCatalog(t)
	agg := measuredRow(t, dir, "gpt-oss-20b", 8)
	args := []string{"decide", "--tokens", "300M", "--privacy", "regulated", "--task", "qa", "--have-gpu", "rtx-4090", "--no-input"}
	type decJSON struct {
		Recommendations []struct {
			Model, GPU, Mode string
			Measured         *string `json:"measured"`
		} `json:"recommendations"`
		LocalOptions []struct {
			Model, GPU, Mode string
			Decode           float64 `json:"decode_tokens_per_second"`
			Measured         *string `json:"measured"`
		} `json:"local_options"`
		Notes []string `json:"notes"`
	}
	var mine, embedded decJSON
	mustJSON(t, mustRun(t, append(args, "--catalog", dir, "--format", "json")...), &mine)
	mustJSON(t, mustRun(t, append(args, "--format", "json")...), &embedded)
	wantText := fmt.Sprintf("measured 2026-11-27, 1 stream: 400.0 tok/s per stream; measured 2026-11-27, 8 streams: %.1f tok/s aggregate (llmcost bench, http://gpu-box:8000/v1 gpt-oss:20b)", agg)
	if len(mine.Recommendations) != 1 || mine.Recommendations[0].Model != "gpt-oss-20b" || mine.Recommendations[0].GPU != "rtx-4090" ||
		mine.Recommendations[0].Measured == nil || *mine.Recommendations[0].Measured != wantText {
		t.Fatalf("recommendations %+v, want gpt-oss-20b on the rtx-4090 saying %q", mine.Recommendations, wantText)
	}
	decode := func(r decJSON) float64 {
		for _, o := range r.LocalOptions {
			if o.Model == "gpt-oss-20b" && o.GPU == "rtx-4090" && o.Mode == "sunk" {
				return o.Decode
			}
		}
		t.Fatalf("no gpt-oss-20b sunk option: %+v", r.LocalOptions)
		return 0
	}
	if d, e := decode(mine), decode(embedded); d != 400 || e == 400 {
		t.Errorf("decode: measured catalog %v, embedded %v; want 400 (the bench) and the estimate", d, e)
	}
	if embedded.Recommendations[0].Measured != nil {
		t.Errorf("embedded: %+v", embedded.Recommendations)
	}
	note := "gpt-oss-20b@rtx-4090:mxfp4: " + wantText
	if !slices.Contains(mine.Notes, note) || containsPrefix(embedded.Notes, "gpt-oss-20b@rtx-4090:mxfp4: measured") {
		t.Errorf("notes %q", mine.Notes)
	}
	card := mustRun(t, append(args, "--catalog", dir)...)
	containsAll(t, card, "note: gpt-oss-20b@rtx-4090:mxfp4: measured 2026-11-27, 1 stream: 400.0 tok/s")
	checkLocalGolden(t, filepath.Join("measured", "decide.table"), card)
	md := mustRun(t, append(args, "--catalog", dir, "--format", "markdown")...)
	containsAll(t, md, "gpt-oss-20b@rtx-4090:mxfp4: measured 2026-11-27")
}

// At requests longer than the bench's, its measured speed is scaled to
// their context, and the note gives both figures.
func TestMeasuredDecodeScaledToContext(t *testing.T) {
	dir := measuredCatalog(t)
	var r measuredEstimateJSON
	mustJSON(t, mustRun(t, "estimate", "--tokens", "50M", "--models", "gpt-4o-mini", "--local", "llama-3.1-8b@rtx-4090:q4_k_m",
		"--prompt-tokens", "8K", "--catalog", dir, "--format", "json"), &r)
	var measured string
	for _, o := range r.Options {
		if o.Kind == "local" && o.Measured != nil {
			measured = *o.Measured
		}
	}
	if !strings.Contains(measured, "60.0 tok/s per stream at a 133-token context, ") || !strings.Contains(measured, " at this one's 8,200") {
		t.Errorf("measured = %q, want the bench's 60.0 at its context and the scaled figure at 8,200", measured)
	}
}
