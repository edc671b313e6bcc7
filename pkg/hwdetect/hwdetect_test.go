package hwdetect

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/llmcost/llmcost/data"
	"github.com/llmcost/llmcost/pkg/catalog"
)

func rec(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func embedded(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load(catalog.Source{FS: data.FS, Origin: "data", Parsed: data.Parsed})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestParseNvidiaSMI(t *testing.T) {
	cases := []struct {
		file    string
		n       int
		name    string
		mib     int64
		mig     bool
		kind    Kind
		wantErr string
	}{
		{file: "nvidia-2x-rtx-4090.csv", n: 2, name: "NVIDIA GeForce RTX 4090", mib: 24564, kind: KindGPU},
		{file: "nvidia-a100-80gb.csv", n: 1, name: "NVIDIA A100-SXM4-80GB", mib: 81920, kind: KindGPU},
		{file: "nvidia-4x-h100.csv", n: 4, name: "NVIDIA H100 80GB HBM3", mib: 81559, kind: KindGPU},
		{file: "nvidia-a100-mig.csv", n: 2, name: "NVIDIA A100-SXM4-80GB", mib: 81920, mig: true, kind: KindGPU},
		{file: "nvidia-gb10.csv", n: 1, name: "NVIDIA GB10", mib: 0, kind: KindUnified},
		{file: "nvidia-garbage.txt", wantErr: "line 1: want 5 comma-separated fields"},
		{file: "nvidia-no-driver.txt", wantErr: "line 1: want 5 comma-separated fields"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			got, err := ParseNvidiaSMI([]byte(rec(t, tc.file)))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.n {
				t.Fatalf("%d GPUs, want %d: %+v", len(got), tc.n, got)
			}
			d := got[0]
			if d.Name != tc.name || d.MemoryBytes != tc.mib<<20 || d.MIGEnabled != tc.mig || d.Kind != tc.kind || d.Vendor != "nvidia" {
				t.Errorf("got %+v", d)
			}
			if got[len(got)-1].Index != tc.n-1 {
				t.Errorf("last index %d, want %d", got[len(got)-1].Index, tc.n-1)
			}
		})
	}
	for _, bad := range []string{
		"x, NVIDIA GeForce RTX 4090, 24564, 0x268410DE, [N/A]",
		"0, NVIDIA GeForce RTX 4090, lots, 0x268410DE, [N/A]",
		"0, NVIDIA GeForce RTX 4090, 24564, 0x268410DE, Maybe",
		"0, , 24564, 0x268410DE, [N/A]",
	} {
		if _, err := ParseNvidiaSMI([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseNvidiaList(t *testing.T) {
	migs, err := ParseNvidiaList([]byte(rec(t, "nvidia-a100-mig-L.txt")))
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) != 3 {
		t.Fatalf("%d MIG instances, want 3: %+v", len(migs), migs)
	}
	want := []struct {
		profile string
		gib     int64
	}{{"3g.40gb", 40}, {"2g.20gb", 20}, {"1g.10gb", 10}}
	for i, w := range want {
		if migs[i].ParentIndex != 0 || migs[i].MIGProfile != w.profile || migs[i].MemoryBytes != w.gib*GiB || migs[i].Parent != "NVIDIA A100-SXM4-80GB" || migs[i].Kind != KindMIG {
			t.Errorf("instance %d = %+v, want %s", i, migs[i], w.profile)
		}
	}
	// A listing without MIG has no instances; garbage is an error.
	if got, err := ParseNvidiaList([]byte("GPU 0: NVIDIA GeForce RTX 4090 (UUID: GPU-1)\nGPU 1: Tesla T4\n")); err != nil || len(got) != 0 {
		t.Errorf("plain listing: %v %v", got, err)
	}
	if _, err := ParseNvidiaList([]byte("  MIG 1g.10gb     Device  0: (UUID: MIG-1)\n")); err == nil {
		t.Error("an instance before any GPU parsed")
	}
	if _, err := ParseNvidiaList([]byte(rec(t, "nvidia-garbage.txt"))); err == nil {
		t.Error("garbage parsed")
	}
}

func TestParseROCmSMI(t *testing.T) {
	got, err := ParseROCmSMI([]byte(rec(t, "rocm-2x-mi300x.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "AMD Instinct MI300X OAM" || got[0].MemoryBytes != 206141652992 || got[1].Index != 1 {
		t.Errorf("MI300X: %+v", got)
	}
	// Warning before the JSON, lower-case keys, a "system" entry.
	got, err = ParseROCmSMI([]byte(rec(t, "rocm-rx-7900-xtx.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0].Name, "7900 XTX") || got[0].MemoryBytes != 25753026560 {
		t.Errorf("7900 XTX: %+v", got)
	}
	for _, bad := range []string{rec(t, "rocm-garbage.txt"), `{"card0": {"VRAM Total Memory (B)": "1"}}`, `{"card0": {"Card Series": "X", "VRAM Total Memory (B)": "lots"}}`, `{"card0": `} {
		if _, err := ParseROCmSMI([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseMac(t *testing.T) {
	brand, mem, err := ParseSysctl([]byte(rec(t, "sysctl-m2-max-64gb.txt")))
	if err != nil || brand != "Apple M2 Max" || mem != 64*GiB {
		t.Errorf("sysctl: %q %d %v", brand, mem, err)
	}
	if _, _, err := ParseSysctl([]byte(rec(t, "sysctl-garbage.txt"))); err == nil {
		t.Error("one-line sysctl parsed")
	}
	gpus, err := ParseSystemProfiler([]byte(rec(t, "displays-m3-ultra.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(gpus) != 1 || gpus[0].Name != "Apple M3 Ultra" || gpus[0].GPUCores != 80 || gpus[0].Kind != KindUnified || gpus[0].Vendor != "apple" {
		t.Errorf("system_profiler: %+v", gpus)
	}
	intel := `{"SPDisplaysDataType":[{"_name":"AMD Radeon Pro 5500M","sppci_model":"AMD Radeon Pro 5500M","spdisplays_vendor":"sppci_vendor_amd","spdisplays_vram":"8 GB"}]}`
	gpus, err = ParseSystemProfiler([]byte(intel))
	if err != nil || len(gpus) != 1 || gpus[0].Kind != KindGPU || gpus[0].MemoryBytes != 8*GiB || gpus[0].Vendor != "amd" {
		t.Errorf("Intel Mac dGPU: %+v %v", gpus, err)
	}
	if _, err := ParseSystemProfiler([]byte("<plist>")); err == nil {
		t.Error("plist parsed as JSON")
	}
}

func TestParseHostFiles(t *testing.T) {
	n, err := ParseMeminfo([]byte(rec(t, "meminfo-32gb.txt")))
	if err != nil || n != 32768000*1024 {
		t.Errorf("meminfo: %d %v", n, err)
	}
	if _, err := ParseMeminfo([]byte(rec(t, "meminfo-garbage.txt"))); err == nil {
		t.Error("meminfo without MemTotal parsed")
	}
	name, vendor, err := ParseCPUInfo([]byte(rec(t, "cpuinfo-xeon.txt")))
	if err != nil || name != "Intel(R) Xeon(R) Platinum 8480+" || vendor != "intel" {
		t.Errorf("cpuinfo: %q %q %v", name, vendor, err)
	}
	name, _, err = ParseCPUInfo([]byte(rec(t, "cpuinfo-grace.txt")))
	if err != nil || !strings.Contains(name, "part 0xd85") {
		t.Errorf("ARM cpuinfo: %q %v", name, err)
	}
	if _, _, err := ParseCPUInfo([]byte("flags: fpu\n")); err == nil {
		t.Error("cpuinfo without a model parsed")
	}
}

// scenario is a recorded machine.
type scenario struct {
	goos  string
	cmds  map[string]Recorded
	files map[string]string
}

func (s scenario) detector(t *testing.T) Detector {
	t.Helper()
	fsys := fstest.MapFS{}
	for path, file := range s.files {
		fsys[path] = &fstest.MapFile{Data: []byte(rec(t, file))}
	}
	goos := s.goos
	if goos == "" {
		goos = "linux"
	}
	return Detector{Run: FakeRunner(s.cmds), FS: fsys, GOOS: goos}
}

func out(t *testing.T, file string) Recorded { return Recorded{Out: rec(t, file)} }

var linuxHost = map[string]string{"proc/cpuinfo": "cpuinfo-xeon.txt", "proc/meminfo": "meminfo-2tb.txt"}

// TestDetectAndMatch runs whole recorded machines through detection and
// the catalog mapping, as `llmcost hardware` and --gpu auto do.
func TestDetectAndMatch(t *testing.T) {
	cat := embedded(t)
	type want struct {
		label, gpu, note string
		usable           bool
	}
	cases := []struct {
		name   string
		s      func(t *testing.T) scenario
		want   []want
		groups string // Groups joined by ","
	}{
		{"2x RTX 4090", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: out(t, "nvidia-2x-rtx-4090.csv")}, files: linuxHost}
		}, []want{
			{"NVIDIA GeForce RTX 4090 (24.0 GiB)", "rtx-4090", "", true},
			{"NVIDIA GeForce RTX 4090 (24.0 GiB)", "rtx-4090", "", true},
			{"CPU Intel(R) Xeon(R) Platinum 8480+ (2015.5 GiB)", "", "not in the catalog: memory 2015.5 GiB, bandwidth unknown", false},
		}, "rtx-4090x2"},
		{"A100 80GB SXM and PCIe", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: {Out: rec(t, "nvidia-a100-80gb.csv") + rec(t, "nvidia-a100-80gb-pcie.csv")}}}
		}, []want{
			{"NVIDIA A100-SXM4-80GB (80.0 GiB)", "a100-80gb", "", true},
			{"NVIDIA A100 80GB PCIe (80.0 GiB)", "a100-80gb-pcie", "", true},
		}, "a100-80gb,a100-80gb-pcie"},
		{"4x H100", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: out(t, "nvidia-4x-h100.csv")}}
		}, []want{
			{"NVIDIA H100 80GB HBM3 (79.6 GiB)", "h100-sxm", "", true},
			{"NVIDIA H100 80GB HBM3 (79.6 GiB)", "h100-sxm", "", true},
			{"NVIDIA H100 80GB HBM3 (79.6 GiB)", "h100-sxm", "", true},
			{"NVIDIA H100 80GB HBM3 (79.6 GiB)", "h100-sxm", "", true},
		}, "h100-sxmx4"},
		{"A100 with MIG on GPU 0", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: out(t, "nvidia-a100-mig.csv"), ListKey: out(t, "nvidia-a100-mig-L.txt")}}
		}, []want{
			{"NVIDIA A100-SXM4-80GB (80.0 GiB)", "a100-80gb", "MIG enabled (3 instance(s) listed): the whole GPU is not available", false},
			{"NVIDIA A100-SXM4-80GB (80.0 GiB)", "a100-80gb", "", true},
			{"MIG 3g.40gb on NVIDIA A100-SXM4-80GB (40.0 GiB)", "", "not in the catalog: VRAM 40 GiB (a 3g.40gb slice of NVIDIA A100-SXM4-80GB), bandwidth unknown", false},
			{"MIG 2g.20gb on NVIDIA A100-SXM4-80GB (20.0 GiB)", "", "not in the catalog: VRAM 20 GiB (a 2g.20gb slice of NVIDIA A100-SXM4-80GB), bandwidth unknown", false},
			{"MIG 1g.10gb on NVIDIA A100-SXM4-80GB (10.0 GiB)", "", "not in the catalog: VRAM 10 GiB (a 1g.10gb slice of NVIDIA A100-SXM4-80GB), bandwidth unknown", false},
		}, "a100-80gb"},
		{"RTX 4090 + RTX 3060", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: out(t, "nvidia-mixed.csv")}}
		}, []want{
			{"NVIDIA GeForce RTX 4090 (24.0 GiB)", "rtx-4090", "", true},
			{"NVIDIA GeForce RTX 3060 (12.0 GiB)", "rtx-3060-12gb", "", true},
		}, "rtx-4090,rtx-3060-12gb"},
		{"RTX 4060 Ti 8GB: the catalog has the 16 GB", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: out(t, "nvidia-rtx-4060-ti-8gb.csv")}}
		}, []want{
			{"NVIDIA GeForce RTX 4060 Ti (8.0 GiB)", "", "not in the catalog: VRAM 8.0 GiB, bandwidth unknown (the catalog's rtx-4060-ti-16gb has 16 GiB)", false},
		}, ""},
		{"GTX 1080 Ti", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: out(t, "nvidia-gtx-1080-ti.csv")}}
		}, []want{
			{"NVIDIA GeForce GTX 1080 Ti (11.0 GiB)", "", "not in the catalog: VRAM 11 GiB, bandwidth unknown", false},
		}, ""},
		{"A10G", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: out(t, "nvidia-a10g.csv")}}
		}, []want{{"NVIDIA A10G (22.5 GiB)", "a10g", "", true}}, "a10g"},
		{"DGX Spark", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: out(t, "nvidia-gb10.csv")}, files: map[string]string{"proc/cpuinfo": "cpuinfo-grace.txt", "proc/meminfo": "meminfo-128gb.txt"}}
		}, []want{
			{"NVIDIA GB10 (124.5 GiB)", "dgx-spark", "unified memory: sized as the catalog's 128 GB for the GPU", true},
			{"CPU ARM processor (implementer 0x41, part 0xd85) (124.5 GiB)", "", "not in the catalog: memory 124.5 GiB, bandwidth unknown", false},
		}, "dgx-spark"},
		{"2x MI300X", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{ROCmKey: out(t, "rocm-2x-mi300x.json")}}
		}, []want{
			{"AMD Instinct MI300X OAM (192.0 GiB)", "mi300x", "", true},
			{"AMD Instinct MI300X OAM (192.0 GiB)", "mi300x", "", true},
		}, "mi300xx2"},
		{"RX 7900 XTX", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{ROCmKey: out(t, "rocm-rx-7900-xtx.json")}}
		}, []want{
			{"Navi 31 [Radeon RX 7900 XT/7900 XTX/7900M] (24.0 GiB)", "", "not in the catalog: VRAM 24.0 GiB, bandwidth unknown", false},
		}, ""},
		{"Strix Halo", func(t *testing.T) scenario {
			return scenario{files: map[string]string{"proc/cpuinfo": "cpuinfo-strix-halo.txt", "proc/meminfo": "meminfo-128gb.txt"}}
		}, []want{
			{"CPU AMD RYZEN AI MAX+ 395 w/ Radeon 8060S (124.5 GiB)", "ryzen-ai-max-395", "unified memory: sized as the catalog's 96 GB for the GPU", true},
		}, "ryzen-ai-max-395"},
		{"M2 Max 64 GB", func(t *testing.T) scenario {
			return scenario{goos: "darwin", cmds: map[string]Recorded{SysctlKey: out(t, "sysctl-m2-max-64gb.txt"), DisplaysKey: out(t, "displays-m2-max.json")}}
		}, []want{
			{"Apple M2 Max (64.0 GiB)", "m2-max-64gb", "the catalog's m2-max with this machine's 64 GB (the catalog entry is the 96 GB configuration; no purchase price)", true},
		}, "m2-max-64gb"},
		{"M3 Ultra 512 GB", func(t *testing.T) scenario {
			return scenario{goos: "darwin", cmds: map[string]Recorded{SysctlKey: out(t, "sysctl-m3-ultra-512gb.txt"), DisplaysKey: out(t, "displays-m3-ultra.json")}}
		}, []want{{"Apple M3 Ultra (512.0 GiB)", "m3-ultra", "", true}}, "m3-ultra"},
		{"M3 Max with 30 GPU cores", func(t *testing.T) scenario {
			return scenario{goos: "darwin", cmds: map[string]Recorded{SysctlKey: out(t, "sysctl-m3-max-36gb.txt"), DisplaysKey: out(t, "displays-m3-max-30core.json")}}
		}, []want{
			{"Apple M3 Max (36.0 GiB)", "", "not in the catalog: memory 36 GiB, bandwidth unknown (a 30-core GPU; the catalog's m3-max is the 40-core)", false},
		}, ""},
		{"M2 Max without system_profiler", func(t *testing.T) scenario {
			return scenario{goos: "darwin", cmds: map[string]Recorded{SysctlKey: out(t, "sysctl-m2-max-64gb.txt")}}
		}, []want{
			{"Apple M2 Max (64.0 GiB)", "m2-max-64gb", "the catalog's m2-max with this machine's 64 GB (the catalog entry is the 96 GB configuration; no purchase price)", true},
		}, "m2-max-64gb"},
		{"CPU only, no tools", func(t *testing.T) scenario {
			return scenario{files: map[string]string{"proc/cpuinfo": "cpuinfo-xeon.txt", "proc/meminfo": "meminfo-32gb.txt"}}
		}, []want{
			{"CPU Intel(R) Xeon(R) Platinum 8480+ (31.2 GiB)", "", "not in the catalog: memory 31.2 GiB, bandwidth unknown", false},
		}, ""},
		{"nvidia-smi without a driver", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: {Out: rec(t, "nvidia-no-driver.txt"), Err: errors.New("exit status 9")}}}
		}, nil, ""},
		{"garbage from every tool", func(t *testing.T) scenario {
			return scenario{cmds: map[string]Recorded{NvidiaKey: out(t, "nvidia-garbage.txt"), ROCmKey: out(t, "rocm-garbage.txt")}, files: map[string]string{"proc/meminfo": "meminfo-garbage.txt"}}
		}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.s(t).detector(t).Detect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			ms := MatchAll(r, cat)
			if len(ms) != len(tc.want) {
				t.Fatalf("%d matches, want %d: %+v", len(ms), len(tc.want), ms)
			}
			for i, w := range tc.want {
				m := ms[i]
				if m.Device.Label() != w.label || m.GPU != w.gpu || m.Note != w.note || m.Usable != w.usable {
					t.Errorf("device %d:\n got %q %q %q usable=%v\nwant %q %q %q usable=%v", i, m.Device.Label(), m.GPU, m.Note, m.Usable, w.label, w.gpu, w.note, w.usable)
				}
				if m.GPU == "" && m.BandwidthGBs != 0 {
					t.Errorf("device %d: not in the catalog but bandwidth %v", i, m.BandwidthGBs)
				}
				if m.Usable && m.BandwidthGBs <= 0 {
					t.Errorf("device %d: mapped without a bandwidth", i)
				}
			}
			var gs []string
			for _, g := range Groups(ms) {
				gs = append(gs, g.String())
			}
			if got := strings.Join(gs, ","); got != tc.groups {
				t.Errorf("groups %q, want %q", got, tc.groups)
			}
		})
	}
}

func TestProbesSayWhatWentWrong(t *testing.T) {
	s := scenario{cmds: map[string]Recorded{
		NvidiaKey: {Out: rec(t, "nvidia-no-driver.txt"), Err: errors.New("exit status 9")},
		ROCmKey:   out(t, "rocm-garbage.txt"),
	}, files: map[string]string{"proc/meminfo": "meminfo-garbage.txt"}}
	r, err := s.detector(t).Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Probe{}
	for _, p := range r.Probes {
		got[p.Tool] = p
	}
	if p := got["nvidia-smi"]; p.Status != StatusFailed || !strings.Contains(p.Detail, "couldn't communicate with the NVIDIA driver") || !strings.Contains(p.Detail, "exit status 9") {
		t.Errorf("nvidia-smi probe %+v", p)
	}
	if p := got["rocm-smi"]; p.Status != StatusUnreadable || !strings.Contains(p.Detail, "no JSON object") {
		t.Errorf("rocm-smi probe %+v", p)
	}
	if p := got["/proc/meminfo"]; p.Status != StatusUnreadable || !strings.Contains(p.Detail, "MemTotal") {
		t.Errorf("meminfo probe %+v", p)
	}
	if p := got["/proc/cpuinfo"]; p.Status != StatusNotFound {
		t.Errorf("cpuinfo probe %+v", p)
	}
	if len(r.Problems()) != 3 {
		t.Errorf("problems %+v, want nvidia-smi, rocm-smi and meminfo", r.Problems())
	}
	// No devices: the MIG listing is not asked for, nothing is found.
	if len(r.Devices) != 0 {
		t.Errorf("devices %+v", r.Devices)
	}
	nothing := &NothingUsableError{Matches: MatchAll(r, embedded(t)), Problems: r.Problems()}
	msg := nothing.Error()
	for _, s := range []string{"no GPU in the catalog was detected", "nothing was found", "nvidia-smi: failed: NVIDIA-SMI has failed", "rocm-smi: unreadable: no JSON object"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q lacks %q", msg, s)
		}
	}
	// No devices were found: its own status, not a failure.
	s = scenario{cmds: map[string]Recorded{NvidiaKey: {Out: rec(t, "nvidia-no-devices.txt"), Err: errors.New("exit status 6")}}}
	r, _ = s.detector(t).Detect(context.Background())
	if r.Probes[0].Status != StatusNoDevices || len(r.Problems()) != 0 {
		t.Errorf("no devices: %+v", r.Probes)
	}
}

func TestDerivedAppleEntry(t *testing.T) {
	cat := embedded(t)
	m := MatchDevice(Device{Source: "sysctl", Vendor: "apple", Kind: KindUnified, Name: "Apple M4 Max", MemoryBytes: 36 * GiB, GPUCores: 40}, cat)
	if m.GPU != "m4-max-36gb" || m.Derived == nil {
		t.Fatalf("match %+v", m)
	}
	orig, _ := cat.GPU("m4-max")
	d := m.Derived
	if d.VRAMGB.D.IntPart() != 36 || !d.BandwidthGBs.D.Equal(orig.BandwidthGBs.D) || d.PriceUSD.Set || len(d.Aliases) != 0 {
		t.Errorf("derived %+v", d)
	}
	if d.Name != "Apple M4 Max (40-core GPU, 36 GB, detected)" {
		t.Errorf("derived name %q", d.Name)
	}
	if orig.VRAMGB.D.IntPart() != 128 {
		t.Errorf("the catalog entry changed: %s", orig.VRAMGB.D)
	}
	// Base chips and tiers the catalog lacks are not guessed.
	for _, name := range []string{"Apple M1", "Apple M1 Max", "Apple M3 Pro"} {
		if m := MatchDevice(Device{Vendor: "apple", Kind: KindUnified, Name: name, MemoryBytes: 32 * GiB}, cat); m.GPU != "" || m.Note != "not in the catalog: memory 32 GiB, bandwidth unknown" {
			t.Errorf("%s: %+v", name, m)
		}
	}
}

func TestLookAlikesAreNotMapped(t *testing.T) {
	cat := embedded(t)
	for _, name := range []string{"NVIDIA GeForce RTX 3090 Ti", "NVIDIA GeForce RTX 4080 SUPER", "NVIDIA GeForce RTX 4070 Ti SUPER", "NVIDIA GeForce RTX 4090 D", "NVIDIA H100 NVL", "NVIDIA H200 NVL", "NVIDIA GeForce RTX 4090 Laptop GPU"} {
		m := MatchDevice(Device{Vendor: "nvidia", Kind: KindGPU, Name: name, MemoryBytes: 24 * GiB}, cat)
		if m.GPU != "" {
			t.Errorf("%s mapped to %s", name, m.GPU)
		}
	}
	// A user catalog alias equal to the reported name maps it.
	if m := MatchDevice(Device{Vendor: "nvidia", Kind: KindGPU, Name: "rtx4090", MemoryBytes: 24 * GiB}, cat); m.GPU != "rtx-4090" {
		t.Errorf("alias: %+v", m)
	}
	if m := MatchDevice(Device{Vendor: "nvidia", Kind: KindGPU, Name: "NVIDIA A100-PCIE-40GB", MemoryBytes: 40960 << 20}, cat); m.GPU != "a100-40gb" {
		t.Errorf("A100 40GB PCIe: %+v", m)
	}
}

func TestPrimary(t *testing.T) {
	cat := embedded(t)
	gs := []Group{{GPU: "rtx-3060-12gb", Count: 3}, {GPU: "rtx-4090", Count: 1}}
	if p, _ := Primary(gs, cat); p.GPU != "rtx-3060-12gb" {
		t.Errorf("primary %+v: 3x12 GB is more than 1x24 GB", p)
	}
	gs = []Group{{GPU: "rtx-3060-12gb", Count: 1}, {GPU: "rtx-4090", Count: 1}}
	if p, _ := Primary(gs, cat); p.GPU != "rtx-4090" {
		t.Errorf("primary %+v", p)
	}
	if _, ok := Primary(nil, cat); ok {
		t.Error("primary of nothing")
	}
}

func TestDetectStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (scenario{}).detector(t).Detect(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func FuzzParsers(f *testing.F) {
	for _, s := range []string{"0, NVIDIA GeForce RTX 4090, 24564, 0x268410DE, [N/A]", "GPU 0: X (UUID: a)\n  MIG 1g.10gb     Device  0: (UUID: b)", `{"card0": {"Card Series": "X"}}`, "Apple M2\n1", `{"SPDisplaysDataType":[{}]}`, "MemTotal: 1 kB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		if ds, err := ParseNvidiaSMI(b); err == nil {
			for _, d := range ds {
				if d.Name == "" || d.MemoryBytes < 0 {
					t.Errorf("%q: %+v", s, d)
				}
			}
		}
		_, _ = ParseNvidiaList(b)
		_, _ = ParseROCmSMI(b)
		_, _, _ = ParseSysctl(b)
		_, _ = ParseSystemProfiler(b)
		if n, err := ParseMeminfo(b); err == nil && n <= 0 {
			t.Errorf("%q: MemTotal %d", s, n)
		}
		_, _, _ = ParseCPUInfo(b)
	})
}

// Two MIG-enabled GPUs of the same name: each counts its own instances.
func TestMIGCountsPerGPU(t *testing.T) {
	s := scenario{cmds: map[string]Recorded{
		NvidiaKey: {Out: "0, NVIDIA A100-SXM4-80GB, 81920, 0x20B210DE, Enabled\n1, NVIDIA A100-SXM4-80GB, 81920, 0x20B210DE, Enabled\n"},
		ListKey: {Out: "GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-a)\n  MIG 7g.80gb     Device  0: (UUID: MIG-a)\n" +
			"GPU 1: NVIDIA A100-SXM4-80GB (UUID: GPU-b)\n  MIG 3g.40gb     Device  0: (UUID: MIG-b)\n  MIG 3g.40gb     Device  1: (UUID: MIG-c)\n"},
	}}
	r, err := s.detector(t).Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ms := MatchAll(r, embedded(t))
	if !strings.HasPrefix(ms[0].Note, "MIG enabled (1 instance(s) listed)") || !strings.HasPrefix(ms[1].Note, "MIG enabled (2 instance(s) listed)") {
		t.Errorf("notes %q / %q", ms[0].Note, ms[1].Note)
	}
	if gs := Groups(ms); len(gs) != 0 {
		t.Errorf("groups %+v: nothing is usable whole", gs)
	}
}
