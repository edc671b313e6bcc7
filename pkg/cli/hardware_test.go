package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/llmcost/llmcost/pkg/hwdetect"
)

// machine is a recorded computer: command outputs and /proc files, read
// from pkg/hwdetect/testdata.
type machine struct {
	goos  string
	cmds  map[string]string // FakeRunner key -> recording file
	fail  map[string]string // FakeRunner key -> recording of a failed run
	files map[string]string // path under / -> recording file
}

func recording(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "hwdetect", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (m machine) detector(t *testing.T) func() hwdetect.Detector {
	t.Helper()
	cmds := map[string]hwdetect.Recorded{}
	for k, file := range m.cmds {
		cmds[k] = hwdetect.Recorded{Out: recording(t, file)}
	}
	for k, file := range m.fail {
		cmds[k] = hwdetect.Recorded{Out: recording(t, file), Err: errors.New("exit status 9")}
	}
	fsys := fstest.MapFS{}
	for p, file := range m.files {
		fsys[p] = &fstest.MapFile{Data: []byte(recording(t, file))}
	}
	goos := m.goos
	if goos == "" {
		goos = "linux"
	}
	calls := 0
	return func() hwdetect.Detector {
		calls++
		if calls > 1 {
			t.Errorf("the detector was asked %d times in one run", calls)
		}
		return hwdetect.Detector{Run: hwdetect.FakeRunner(cmds), FS: fsys, GOOS: goos}
	}
}

var (
	xeonHost    = map[string]string{"proc/cpuinfo": "cpuinfo-xeon.txt", "proc/meminfo": "meminfo-2tb.txt"}
	twoRTX4090  = machine{cmds: map[string]string{hwdetect.NvidiaKey: "nvidia-2x-rtx-4090.csv"}, files: xeonHost}
	mixedGPUs   = machine{cmds: map[string]string{hwdetect.NvidiaKey: "nvidia-mixed.csv"}, files: xeonHost}
	migA100     = machine{cmds: map[string]string{hwdetect.NvidiaKey: "nvidia-a100-mig.csv", hwdetect.ListKey: "nvidia-a100-mig-L.txt"}, files: xeonHost}
	m2Max64     = machine{goos: "darwin", cmds: map[string]string{hwdetect.SysctlKey: "sysctl-m2-max-64gb.txt", hwdetect.DisplaysKey: "displays-m2-max.json"}}
	twoMI300X   = machine{cmds: map[string]string{hwdetect.ROCmKey: "rocm-2x-mi300x.json"}, files: xeonHost}
	cpuOnly     = machine{files: map[string]string{"proc/cpuinfo": "cpuinfo-xeon.txt", "proc/meminfo": "meminfo-32gb.txt"}}
	garbageOnly = machine{cmds: map[string]string{hwdetect.NvidiaKey: "nvidia-garbage.txt", hwdetect.ROCmKey: "rocm-garbage.txt"}, files: map[string]string{"proc/meminfo": "meminfo-garbage.txt"}}
	noDriver    = machine{fail: map[string]string{hwdetect.NvidiaKey: "nvidia-no-driver.txt"}, files: xeonHost}
)

func runOn(t *testing.T, m machine, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	f, out, errOut := newLocalTestFactory()
	f.Hardware = m.detector(t)
	code = Run(context.Background(), f, args)
	return out.String(), errOut.String(), code
}

func TestHardwareGolden(t *testing.T) {
	cases := map[string]machine{
		"2x-rtx-4090": twoRTX4090,
		"mig-a100":    migA100,
		"m2-max-64gb": m2Max64,
		"2x-mi300x":   twoMI300X,
		"cpu-only":    cpuOnly,
		"garbage":     garbageOnly,
	}
	for name, m := range cases {
		for _, format := range []string{"table", "json", "csv", "markdown"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				out, errOut, code := runOn(t, m, "hardware", "--format", format)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				checkLocalGolden(t, filepath.Join("hardware", name+"."+format), out)
			})
		}
	}
}

func TestHardwareJSON(t *testing.T) {
	out, _, code := runOn(t, migA100, "hardware", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var res HardwareResult
	mustJSON(t, out, &res)
	if len(res.Devices) != 6 {
		t.Fatalf("%d devices, want 2 GPUs + 3 MIG instances + CPU: %+v", len(res.Devices), res.Devices)
	}
	g0, g1, mig := res.Devices[0], res.Devices[1], res.Devices[2]
	if g0.CatalogGPU == nil || *g0.CatalogGPU != "a100-80gb" || g0.Usable || !g0.MIGEnabled {
		t.Errorf("GPU 0 (MIG on) %+v", g0)
	}
	if g1.CatalogGPU == nil || *g1.CatalogGPU != "a100-80gb" || !g1.Usable || *g1.BandwidthGBs != 2039 {
		t.Errorf("GPU 1 %+v", g1)
	}
	if mig.CatalogGPU != nil || mig.BandwidthGBs != nil || mig.Kind != "mig" || mig.MIGProfile != "3g.40gb" || !strings.Contains(mig.Note, "bandwidth unknown") {
		t.Errorf("MIG instance %+v", mig)
	}
	if len(res.Auto) != 1 || res.Auto[0] != (HardwareAuto{GPU: "a100-80gb", Count: 1}) {
		t.Errorf("auto %+v: only the GPU without MIG is usable whole", res.Auto)
	}
}

type fitAutoJSON struct {
	Results []struct {
		Model         string  `json:"model"`
		GPU           string  `json:"gpu"`
		Fits          bool    `json:"fits"`
		GPUs          int     `json:"gpus"`
		GPUsAvailable int     `json:"gpus_available"`
		Usable        float64 `json:"vram_usable_per_gpu_gb"`
	} `json:"results"`
	Notes []string `json:"notes"`
}

func TestFitGPUAuto(t *testing.T) {
	out, errOut, code := runOn(t, twoRTX4090, "fit", "--model", "llama-3.1-70b", "--quant", "q4_k_m", "--gpu", "auto", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res fitAutoJSON
	mustJSON(t, out, &res)
	if len(res.Results) != 1 || res.Results[0].GPU != "rtx-4090" || res.Results[0].GPUsAvailable != 2 || !res.Results[0].Fits || res.Results[0].GPUs != 2 {
		t.Errorf("70B Q4_K_M on the detected 2x 4090: %+v", res.Results)
	}
	if len(res.Notes) == 0 || !strings.HasPrefix(res.Notes[0], "--gpu auto: detected 2x NVIDIA GeForce RTX 4090 -> rtx-4090x2") {
		t.Errorf("notes %q", res.Notes)
	}
	// --gpus overrides the detected count: one card does not hold it.
	out, _, code = runOn(t, twoRTX4090, "fit", "--model", "llama-3.1-70b", "--quant", "q4_k_m", "--gpu", "auto", "--gpus", "1", "--format", "json")
	mustJSON(t, out, &res)
	if code != 0 || res.Results[0].GPUsAvailable != 1 || res.Results[0].Fits || !strings.Contains(res.Notes[0], "--gpus 1 replaces the detected count") {
		t.Errorf("--gpus 1: exit %d %+v %q", code, res.Results, res.Notes)
	}
	// Two GPU types: each with its own count.
	out, _, code = runOn(t, mixedGPUs, "fit", "--model", "llama-3.1-8b", "--gpu", "auto", "--format", "json")
	mustJSON(t, out, &res)
	got := map[string]int{}
	for _, r := range res.Results {
		got[r.GPU] = r.GPUsAvailable
	}
	if code != 0 || len(got) != 2 || got["rtx-4090"] != 1 || got["rtx-3060-12gb"] != 1 {
		t.Errorf("mixed: exit %d %v", code, got)
	}
	// Apple with less memory than the catalog's configuration: its own memory.
	out, errOut, code = runOn(t, m2Max64, "fit", "--model", "llama-3.1-8b", "--gpu", "auto", "--format", "json")
	if code != 0 {
		t.Fatalf("M2 Max: exit %d: %s", code, errOut)
	}
	mustJSON(t, out, &res)
	if res.Results[0].GPU != "m2-max-64gb" || res.Results[0].Usable != 48 {
		t.Errorf("M2 Max 64 GB: %+v (usable should be 0.75 x 64 GiB)", res.Results)
	}
}

func TestGPUAutoNothingUsable(t *testing.T) {
	cases := []struct {
		name string
		m    machine
		want []string
	}{
		{"cpu only", cpuOnly, []string{"no GPU in the catalog was detected", "CPU Intel(R) Xeon(R) Platinum 8480+ (31.2 GiB)", "not in the catalog: memory 31.2 GiB, bandwidth unknown", "nvidia-smi: not found"}},
		{"garbage", garbageOnly, []string{"nvidia-smi: unreadable: line 1: want 5 comma-separated fields", "rocm-smi: unreadable: no JSON object", "/proc/meminfo: unreadable"}},
		{"no driver", noDriver, []string{"nvidia-smi: failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"}},
		{"MIG everywhere but one", machine{cmds: map[string]string{hwdetect.NvidiaKey: "nvidia-rtx-4060-ti-8gb.csv"}}, []string{"not in the catalog: VRAM 8.0 GiB, bandwidth unknown (the catalog's rtx-4060-ti-16gb has 16 GiB)"}},
	}
	commands := [][]string{
		{"fit", "--gpu", "auto"},
		{"estimate", "--tokens", "10M", "--local", "llama-3.1-8b@auto"},
		{"breakeven", "--local", "llama-3.1-8b@auto", "--vs", "gpt-4o-mini", "--tokens", "10M"},
		{"decide", "--tokens", "10M", "--privacy", "none", "--task", "qa", "--have-gpu", "auto", "--no-input"},
		{"estimate", "--tokens", "10M", "--gpu", "auto"},
		{"estimate", "--tokens", "10M", "--local", "llama-3.1-8b", "--gpu", "auto"},
		{"breakeven", "--local", "llama-3.1-8b", "--gpu", "auto", "--vs", "gpt-4o-mini", "--tokens", "10M"},
		{"decide", "--tokens", "10M", "--privacy", "none", "--task", "qa", "--gpu", "auto", "--no-input"},
	}
	for _, tc := range cases {
		for _, args := range commands {
			t.Run(tc.name+"/"+args[0], func(t *testing.T) {
				out, errOut, code := runOn(t, tc.m, args...)
				if code != ExitBadInput {
					t.Fatalf("exit %d, want 2\n%s%s", code, out, errOut)
				}
				for _, w := range tc.want {
					if !strings.Contains(errOut, w) {
						t.Errorf("stderr lacks %q:\n%s", w, errOut)
					}
				}
				if out != "" {
					t.Errorf("stdout %q", out)
				}
				if strings.Contains(errOut, "Usage:") {
					t.Error("usage printed for a detection failure")
				}
			})
		}
	}
}

func TestEstimateLocalAuto(t *testing.T) {
	out, errOut, code := runOn(t, twoRTX4090, "estimate", "--tokens", "10M", "--local", "llama-3.1-8b@auto:q4_k_m", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Options []struct {
			ID       string `json:"id"`
			Kind     string `json:"kind"`
			Hardware string `json:"hardware"`
		} `json:"options"`
		Notes []string `json:"notes"`
	}
	mustJSON(t, out, &res)
	var local []string
	for _, o := range res.Options {
		if o.Kind == "local" {
			local = append(local, o.ID+" "+o.Hardware)
		}
	}
	if len(local) != 1 || local[0] != "llama-3.1-8b@rtx-4090:q4_k_mx2 2x rtx-4090 owned" {
		t.Errorf("local options %q", local)
	}
	if !containsPrefix(res.Notes, "--local llama-3.1-8b@auto:q4_k_m: detected 2x NVIDIA GeForce RTX 4090 -> rtx-4090x2") {
		t.Errorf("notes %q", res.Notes)
	}
	// xN given: that many of the detected type.
	out, _, code = runOn(t, twoRTX4090, "estimate", "--tokens", "10M", "--local", "llama-3.1-8b@auto:q4_k_mx1", "--rent", "llama-3.1-8b@auto:q4_k_m", "--format", "json")
	mustJSON(t, out, &res)
	local = nil
	for _, o := range res.Options {
		if o.Kind == "local" {
			local = append(local, o.ID)
		}
	}
	if code != 0 || strings.Join(local, ",") != "llama-3.1-8b@rtx-4090:q4_k_m,rent:llama-3.1-8b@rtx-4090:q4_k_mx2" {
		t.Errorf("exit %d, local %q", code, local)
	}
	// Apple with no purchase price for its configuration: the flag to give.
	_, errOut, code = runOn(t, m2Max64, "estimate", "--tokens", "10M", "--local", "llama-3.1-8b@auto")
	if code != ExitBadInput || !strings.Contains(errOut, "--hardware-price") {
		t.Errorf("M2 Max without a price: exit %d: %s", code, errOut)
	}
	out, errOut, code = runOn(t, m2Max64, "estimate", "--tokens", "10M", "--local", "llama-3.1-8b@auto", "--hardware-price", "3000", "--watts", "90", "--format", "json")
	if code != 0 || !strings.Contains(out, `"id": "llama-3.1-8b@m2-max-64gb:`) {
		t.Errorf("M2 Max with a price: exit %d: %s%s", code, errOut, out)
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func TestBreakevenAuto(t *testing.T) {
	out, errOut, code := runOn(t, twoMI300X, "breakeven", "--local", "llama-3.1-70b@auto:fp16", "--vs", "gpt-4o", "--tokens", "500M", "--hardware-price", "40000", "--watts", "750", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Local struct {
			GPU            string `json:"gpu"`
			GPUsPerReplica int    `json:"gpus_per_replica"`
		} `json:"local"`
		Notes []string `json:"notes"`
	}
	mustJSON(t, out, &res)
	if res.Local.GPU != "mi300x" || res.Local.GPUsPerReplica != 2 {
		t.Errorf("local %+v", res.Local)
	}
	if len(res.Notes) == 0 || !strings.HasPrefix(res.Notes[0], "--local llama-3.1-70b@auto:fp16: detected 2x AMD Instinct MI300X OAM -> mi300xx2") {
		t.Errorf("notes %q", res.Notes)
	}
}

func TestDecideHaveGPUAuto(t *testing.T) {
	base := []string{"decide", "--tokens", "300M", "--privacy", "regulated", "--task", "qa", "--no-input", "--format", "json"}
	out, errOut, code := runOn(t, twoRTX4090, append(base, "--have-gpu", "auto")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "--have-gpu auto: detected 2x NVIDIA GeForce RTX 4090 -> rtx-4090x2") {
		t.Errorf("no note of what auto became:\n%s", out)
	}
	// The same answers with the GPUs named give the same decision.
	named, _, code := runLocalCLI(t, append(base, "--have-gpu", "rtx-4090x2")...)
	if code != 0 {
		t.Fatal(code)
	}
	a, b := decodeDecide(t, out), decodeDecide(t, named)
	if a.Verdict != b.Verdict || len(a.Recommendations) != len(b.Recommendations) || a.Recommendations[0].MonthlyCostUSD != b.Recommendations[0].MonthlyCostUSD {
		t.Errorf("auto %+v\nnamed %+v", a, b)
	}
	// have_gpus: [auto] in an answers file is the same.
	answers := filepath.Join(t.TempDir(), "answers.yaml")
	if err := os.WriteFile(answers, []byte("tokens_per_month: 300M\nprivacy: regulated\ntask: qa\nhave_gpus: [auto]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile, errOut, code := runOn(t, twoRTX4090, "decide", "--answers", answers, "--no-input", "--format", "json")
	if code != 0 {
		t.Fatalf("answers file: exit %d: %s", code, errOut)
	}
	if c := decodeDecide(t, fromFile); c.Verdict != a.Verdict || c.Recommendations[0].MonthlyCostUSD != a.Recommendations[0].MonthlyCostUSD {
		t.Errorf("answers file %+v", c)
	}
	_, errOut, code = runOn(t, twoRTX4090, append(base, "--have-gpu", "autox2")...)
	if code != ExitBadInput || !strings.Contains(errOut, "auto takes no count") {
		t.Errorf("autox2: exit %d: %s", code, errOut)
	}
}

func TestFitGPUAutoStandsAlone(t *testing.T) {
	_, errOut, code := runOn(t, twoRTX4090, "fit", "--gpu", "auto,rtx-3090")
	if code != ExitBadInput || !strings.Contains(errOut, "--gpu auto stands alone") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestFitGPUAutoGolden(t *testing.T) {
	for name, m := range map[string]machine{"2x-rtx-4090": twoRTX4090, "m2-max-64gb": m2Max64, "mig-a100": migA100} {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := runOn(t, m, "fit", "--model", "llama-3.1-70b,qwen2.5-32b", "--gpu", "auto", "--quant", "q4_k_m")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkLocalGolden(t, filepath.Join("hardware", "fit-auto-"+name+".table"), out)
		})
	}
}

// A smaller M2 Ultra keeps the chip's measurements: decode follows
// bandwidth, not memory size; its memory is its own and verified.
func TestFitGPUAutoAppleKeepsMeasurements(t *testing.T) {
	m := machine{goos: "darwin", cmds: map[string]string{hwdetect.SysctlKey: "sysctl-m2-ultra-128gb.txt"}}
	out, errOut, code := runOn(t, m, "fit", "--model", "llama-3.1-8b", "--gpu", "auto", "--quant", "q4_k_m", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Results []struct {
			GPU         string   `json:"gpu"`
			DecodeTPS   float64  `json:"decode_tokens_per_second"`
			DecodeBasis string   `json:"decode_basis"`
			Usable      float64  `json:"vram_usable_per_gpu_gb"`
			Unverified  []string `json:"unverified"`
		} `json:"results"`
	}
	mustJSON(t, out, &res)
	r := res.Results[0]
	if r.GPU != "m2-ultra-128gb" || r.DecodeBasis != "measured" || r.DecodeTPS != 78.81 || r.Usable != 96 {
		t.Errorf("%+v", r)
	}
	for _, u := range r.Unverified {
		if strings.Contains(u, "vram") {
			t.Errorf("detected memory marked unverified: %q", r.Unverified)
		}
	}
}
