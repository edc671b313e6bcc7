package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/hwdetect"
)

// runNoDetect runs with a detector that fails the test if it is asked:
// a named GPU must never run nvidia-smi.
func runNoDetect(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	f, out, errOut := newLocalTestFactory()
	f.Hardware = func() hwdetect.Detector {
		t.Errorf("%v: the detector was asked for a named GPU", args)
		return hwdetect.Detector{Run: hwdetect.FakeRunner(nil), GOOS: "linux"}
	}
	code = Run(context.Background(), f, args)
	return out.String(), errOut.String(), code
}

type gpuEstimateJSON struct {
	Options []struct {
		ID       string  `json:"id"`
		Kind     string  `json:"kind"`
		Hardware string  `json:"hardware"`
		Monthly  float64 `json:"monthly_cost_usd"`
		Upfront  float64 `json:"upfront_usd"`
		GPUs     int     `json:"gpus"`
	} `json:"options"`
	Notes []string `json:"notes"`
}

func (r gpuEstimateJSON) local() map[string]float64 {
	out := map[string]float64{}
	for _, o := range r.Options {
		if o.Kind == "local" {
			out[o.ID+" "+o.Hardware] = o.Monthly
		}
	}
	return out
}

func mustOn(t *testing.T, m machine, args ...string) string {
	t.Helper()
	out, errOut, code := runOn(t, m, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

func TestEstimateGPUFlag(t *testing.T) {
	base := []string{"estimate", "--tokens", "10M", "--models", "gpt-4o-mini", "--format", "json"}
	// --local MODEL --gpu auto is --local MODEL@auto.
	var viaFlag, viaSpec gpuEstimateJSON
	mustJSON(t, mustOn(t, twoRTX4090, append(base, "--local", "llama-3.1-8b:q4_k_m", "--rent", "llama-3.1-8b", "--gpu", "auto")...), &viaFlag)
	mustJSON(t, mustOn(t, twoRTX4090, append(base, "--local", "llama-3.1-8b@auto:q4_k_m", "--rent", "llama-3.1-8b@auto")...), &viaSpec)
	got, want := viaFlag.local(), viaSpec.local()
	if len(got) != 2 || len(got) != len(want) {
		t.Fatalf("--gpu auto %v, MODEL@auto %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: --gpu auto $%v, MODEL@auto $%v", k, got[k], v)
		}
	}
	if _, ok := got["llama-3.1-8b@rtx-4090:q4_k_mx2 2x rtx-4090 owned"]; !ok {
		t.Errorf("owned option: %v", got)
	}
	// One note for both specs, naming --gpu auto.
	n := 0
	for _, note := range viaFlag.Notes {
		if strings.HasPrefix(note, "--gpu auto: detected 2x NVIDIA GeForce RTX 4090 -> rtx-4090x2") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d --gpu auto notes: %q", n, viaFlag.Notes)
	}

	// A named GPU with a count: no detection, the count from --gpu.
	var named gpuEstimateJSON
	out, errOut, code := runNoDetect(t, append(base, "--local", "llama-3.1-8b:q4_k_m", "--gpu", "rtx-4090x2")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	mustJSON(t, out, &named)
	if l := named.local(); len(l) != 1 || l["llama-3.1-8b@rtx-4090:q4_k_mx2 2x rtx-4090 owned"] != want["llama-3.1-8b@rtx-4090:q4_k_mx2 2x rtx-4090 owned"] {
		t.Errorf("--gpu rtx-4090x2: %v, want the detected machine's %v", l, want)
	}

	// A spec that names its GPU keeps it; the one without takes --gpu.
	var mixed gpuEstimateJSON
	mustJSON(t, mustOn(t, twoRTX4090, append(base, "--local", "llama-3.1-8b:q4_k_m", "--local", "llama-3.1-8b@rtx-3090:q4_k_m", "--gpu", "auto")...), &mixed)
	l := mixed.local()
	if _, ok := l["llama-3.1-8b@rtx-3090:q4_k_m 1x rtx-3090 owned"]; !ok || len(l) != 2 {
		t.Errorf("mixed: %v", l)
	}
}

func TestEstimateGPUFlagAutomaticOptions(t *testing.T) {
	// No --local/--rent: the local comparison set on the detected machine,
	// even with --models picking the cloud side.
	out := mustOn(t, twoRTX4090, "estimate", "--tokens", "10M", "--models", "gpt-4o-mini", "--gpu", "auto", "--format", "json")
	var res gpuEstimateJSON
	mustJSON(t, out, &res)
	owned, rented := 0, 0
	for _, o := range res.Options {
		if o.Kind != "local" {
			continue
		}
		if !strings.Contains(o.ID, "@rtx-4090:") || !strings.HasSuffix(o.ID, "x2") || o.GPUs != 2 {
			t.Errorf("%s (%d GPUs) is not on the detected 2x rtx-4090", o.ID, o.GPUs)
		}
		if strings.HasPrefix(o.ID, "rent:") {
			rented++
		} else {
			owned++
		}
	}
	if owned < 2 || rented < 2 {
		t.Errorf("%d owned, %d rented local options: %+v", owned, rented, res.Options)
	}
	if !containsPrefix(res.Notes, "local options: each model of the catalog's local comparison set on 2x rtx-4090 (--gpu)") ||
		!containsPrefix(res.Notes, "--gpu auto: detected 2x NVIDIA GeForce RTX 4090 -> rtx-4090x2") {
		t.Errorf("notes %q", res.Notes)
	}
	// gpt-oss-120b's weights alone exceed two 24 GB cards.
	found := false
	for _, n := range res.Notes {
		found = found || strings.Contains(n, "left out") && strings.Contains(n, "gpt-oss-120b")
	}
	if !found {
		t.Errorf("gpt-oss-120b not said to be left out: %q", res.Notes)
	}
	table := mustOn(t, twoRTX4090, "estimate", "--tokens", "10M", "--models", "gpt-4o-mini", "--gpu", "auto")
	checkLocalGolden(t, filepath.Join("hardware", "estimate-gpu-auto-2x-rtx-4090.table"), table)

	// autoxN: N of the detected type.
	mustJSON(t, mustOn(t, twoRTX4090, "estimate", "--tokens", "10M", "--models", "gpt-4o-mini", "--gpu", "autox1", "--format", "json"), &res)
	for _, o := range res.Options {
		if o.Kind == "local" && (o.GPUs != 1 || !strings.Contains(o.ID, "@rtx-4090:")) {
			t.Errorf("--gpu autox1: %s on %d GPUs", o.ID, o.GPUs)
		}
	}

	// A named GPU without a count: sized per model, on that GPU alone.
	out, errOut, code := runNoDetect(t, "estimate", "--tokens", "10M", "--models", "gpt-4o-mini", "--gpu", "rtx-3090", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	mustJSON(t, out, &res)
	gpus := map[int]bool{}
	for _, o := range res.Options {
		if o.Kind == "local" {
			if !strings.Contains(o.ID, "@rtx-3090:") {
				t.Errorf("%s is not on an rtx-3090", o.ID)
			}
			gpus[o.GPUs] = true
		}
	}
	if !gpus[1] || !gpus[2] {
		t.Errorf("--gpu rtx-3090 should size 8B on one card and 70B on more: %v", gpus)
	}

	// An Apple machine has no purchase price: --hardware-price prices the
	// machine --gpu auto names.
	out, errOut, code = runOn(t, m2Max64, "estimate", "--tokens", "10M", "--models", "gpt-4o-mini", "--gpu", "auto", "--hardware-price", "3000", "--watts", "90", "--format", "json")
	if code != 0 {
		t.Fatalf("M2 Max: exit %d: %s", code, errOut)
	}
	mustJSON(t, out, &res)
	ok := false
	for _, o := range res.Options {
		if o.Kind == "local" && strings.Contains(o.ID, "@m2-max-64gb:") && o.Upfront == 3000 {
			ok = true
		}
	}
	if !ok {
		t.Errorf("no owned option priced at --hardware-price on the M2 Max: %+v", res.Options)
	}
}

func TestBreakevenGPUFlag(t *testing.T) {
	type beJSON struct {
		Local struct {
			ID      string  `json:"id"`
			GPU     string  `json:"gpu"`
			PerRepl int     `json:"gpus_per_replica"`
			Monthly float64 `json:"monthly_cost_usd"`
		} `json:"local"`
		Notes []string `json:"notes"`
	}
	tail := []string{"--vs", "gpt-4o", "--tokens", "500M", "--hardware-price", "40000", "--watts", "750", "--format", "json"}
	var viaFlag, viaSpec beJSON
	mustJSON(t, mustOn(t, twoMI300X, append([]string{"breakeven", "--local", "llama-3.1-70b:fp16", "--gpu", "auto"}, tail...)...), &viaFlag)
	mustJSON(t, mustOn(t, twoMI300X, append([]string{"breakeven", "--local", "llama-3.1-70b@auto:fp16"}, tail...)...), &viaSpec)
	if viaFlag.Local != viaSpec.Local || viaFlag.Local.GPU != "mi300x" || viaFlag.Local.PerRepl != 2 {
		t.Errorf("--gpu auto %+v, MODEL@auto %+v", viaFlag.Local, viaSpec.Local)
	}
	if len(viaFlag.Notes) == 0 || !strings.HasPrefix(viaFlag.Notes[0], "--gpu auto: detected 2x AMD Instinct MI300X OAM -> mi300xx2") {
		t.Errorf("notes %q", viaFlag.Notes)
	}
	var named beJSON
	out, errOut, code := runNoDetect(t, append([]string{"breakeven", "--local", "llama-3.1-70b:fp16", "--gpu", "mi300xx2"}, tail...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	mustJSON(t, out, &named)
	if named.Local != viaSpec.Local {
		t.Errorf("--gpu mi300xx2 %+v, detected %+v", named.Local, viaSpec.Local)
	}
}

func TestGPUFlagErrors(t *testing.T) {
	est := []string{"estimate", "--tokens", "10M"}
	be := []string{"breakeven", "--vs", "gpt-4o-mini", "--tokens", "10M"}
	dec := []string{"decide", "--tokens", "10M", "--privacy", "none", "--task", "qa", "--no-input"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(est, "--local", "llama-3.1-8b"), "name the GPU, MODEL@GPU"},
		{append(est, "--gpu", "rtx-4090:q4_k_m"), `invalid value "rtx-4090:q4_k_m" for --gpu`},
		{append(est, "--gpu", "no-such-gpu"), "no-such-gpu"},
		{append(est, "--local", "llama-3.1-8b", "--gpu", "no-such-gpu"), "no-such-gpu"},
		{append(est, "--local", "llama-3.1-8b@rtx-4090", "--gpu", "rtx-3090"), "every one here names its GPU"},
		{append(est, "--no-local", "--gpu", "rtx-4090"), "--no-local"},
		{append(est, "--gpu", "rtx-4090", "--hardware-price", "2000"), "--hardware-price and --watts describe one machine"},
		{append(est, "--local", "llama-3.1-8b:q4_k_mx2", "--gpu", "rtx-4090x2"), "give it once"},
		{append(be, "--local", "llama-3.1-8b"), "or give --gpu"},
		{append(be, "--local", "llama-3.1-8b@rtx-4090", "--gpu", "rtx-3090"), "give the GPU once"},
		{append(be, "--local", "llama-3.1-8b", "--gpu", "x"), "--gpu"},
		{append(dec, "--gpu", "no-such-gpu"), "--gpu"},
	} {
		out, errOut, code := runNoDetect(t, tc.args...)
		if code != ExitBadInput || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestDecideGPUFlag(t *testing.T) {
	base := []string{"decide", "--tokens", "300M", "--privacy", "regulated", "--task", "qa", "--no-input", "--format", "json"}
	type decJSON struct {
		Verdict         string `json:"verdict"`
		Recommendations []struct {
			Model, GPU, Mode string
			Monthly          float64 `json:"monthly_cost_usd"`
		} `json:"recommendations"`
		LocalOptions []struct {
			GPU, Mode string
		} `json:"local_options"`
		Notes []string `json:"notes"`
	}
	gpusOf := func(d decJSON) map[string]bool {
		m := map[string]bool{}
		for _, o := range d.LocalOptions {
			m[o.GPU] = true
		}
		return m
	}
	// --gpu auto: only the detected type, owned.
	var auto, named decJSON
	mustJSON(t, mustOn(t, twoRTX4090, append(base, "--gpu", "auto")...), &auto)
	out, errOut, code := runNoDetect(t, append(base, "--gpu", "rtx-4090", "--have-gpu", "rtx-4090x2")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	mustJSON(t, out, &named)
	if g := gpusOf(auto); len(g) != 1 || !g["rtx-4090"] {
		t.Errorf("--gpu auto local options on %v, want rtx-4090 only", g)
	}
	if auto.Verdict != named.Verdict || len(auto.Recommendations) != 1 || auto.Recommendations[0] != named.Recommendations[0] || auto.Recommendations[0].Mode != "sunk" {
		t.Errorf("--gpu auto %+v\nnamed %+v", auto.Recommendations, named.Recommendations)
	}
	if !containsPrefix(auto.Notes, "--gpu auto: detected 2x NVIDIA GeForce RTX 4090 -> rtx-4090x2") {
		t.Errorf("notes %q", auto.Notes)
	}
	// Without --gpu, other GPUs are tried: the flag narrows.
	var all decJSON
	mustJSON(t, mustOn(t, twoRTX4090, append(base, "--have-gpu", "auto")...), &all)
	if len(gpusOf(all)) < 2 {
		t.Errorf("without --gpu: local options only on %v", gpusOf(all))
	}

	// --have-gpu says what is owned: --gpu auto only narrows, and the
	// owned rtx-3090 is still tried.
	var have decJSON
	mustJSON(t, mustOn(t, twoRTX4090, append(base, "--gpu", "auto", "--have-gpu", "rtx-3090")...), &have)
	for g := range gpusOf(have) {
		if g != "rtx-4090" && g != "rtx-3090" {
			t.Errorf("local option on %s", g)
		}
	}
	sunk4090 := false
	for _, o := range have.LocalOptions {
		sunk4090 = sunk4090 || o.GPU == "rtx-4090" && o.Mode == "sunk"
	}
	if sunk4090 || !containsPrefix(have.Notes, "--gpu auto: detected") || !strings.Contains(strings.Join(have.Notes, "\n"), "owned: the GPUs --have-gpu names") {
		t.Errorf("with --have-gpu rtx-3090: %+v %q", have.LocalOptions, have.Notes)
	}

	// A named list: those GPUs alone, no detection.
	out, errOut, code = runNoDetect(t, "decide", "--tokens", "300M", "--privacy", "regulated", "--task", "qa", "--no-input", "--format", "json", "--gpu", "rtx-4090,l40s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var list decJSON
	mustJSON(t, out, &list)
	for g := range gpusOf(list) {
		if g != "rtx-4090" && g != "l40s" {
			t.Errorf("--gpu rtx-4090,l40s: local option on %s", g)
		}
	}
	if len(list.LocalOptions) == 0 {
		t.Error("no local option on rtx-4090 or l40s")
	}
}

func TestGPUFlagCompletesAuto(t *testing.T) {
	for _, args := range [][]string{
		{"estimate", "--gpu", ""},
		{"breakeven", "--gpu", "a"},
		{"decide", "--gpu", "a"},
		{"decide", "--have-gpu", "a"},
		{"fit", "--gpu", "a"},
		{"recommend", "--gpu", "a"},
	} {
		r := run(t, nil, append([]string{"__complete"}, args...)...)
		mustOK(t, r)
		lines := strings.Split(r.stdout, "\n")
		if !containsLine(lines, "auto") || !containsLine(lines, "a100-80gb") {
			t.Errorf("%v: %q", args, r.stdout)
		}
	}
	r := run(t, nil, "__complete", "decide", "--gpu", "rtx-4090,au")
	mustOK(t, r)
	if !containsLine(strings.Split(r.stdout, "\n"), "rtx-4090,auto") {
		t.Errorf("list: %q", r.stdout)
	}
}

func containsLine(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
