package hwdetect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ParseNvidiaSMI reads the output of nvidia-smi with NvidiaQuery: one line
// per GPU, "index, name, memory.total (MiB), pci.device_id, mig.mode.current".
// "[N/A]" is a value the GPU does not report (memory on GB10, MIG mode on
// GPUs without MIG). Any other line is an error naming it.
func ParseNvidiaSMI(out []byte) ([]Device, error) {
	var gpus []Device
	sc := bufio.NewScanner(bytes.NewReader(out))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		f := strings.Split(text, ",")
		if len(f) != 5 {
			return nil, fmt.Errorf("line %d: want 5 comma-separated fields (index, name, memory.total, pci.device_id, mig.mode.current), got %d: %q", line, len(f), clip(text))
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		idx, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: index %q is not a number: %q", line, f[0], clip(text))
		}
		if f[1] == "" || f[1] == "[N/A]" {
			return nil, fmt.Errorf("line %d: no GPU name: %q", line, clip(text))
		}
		d := Device{Source: "nvidia-smi", Index: idx, Vendor: "nvidia", Kind: KindGPU, Name: f[1]}
		if !notAvailable(f[2]) {
			mib, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil || mib <= 0 {
				return nil, fmt.Errorf("line %d: memory.total %q is not a number of MiB: %q", line, f[2], clip(text))
			}
			d.MemoryBytes = mib << 20
		}
		if !notAvailable(f[3]) {
			d.PCIDeviceID = f[3]
		}
		switch strings.ToLower(f[4]) {
		case "enabled":
			d.MIGEnabled = true
		case "disabled", "[n/a]", "n/a", "[not supported]":
		default:
			return nil, fmt.Errorf("line %d: mig.mode.current %q is not Enabled, Disabled or [N/A]: %q", line, f[4], clip(text))
		}
		// GB10 (DGX Spark) has no memory of its own to report.
		if d.MemoryBytes == 0 && strings.Contains(strings.ToUpper(d.Name), "GB10") {
			d.Kind = KindUnified
		}
		gpus = append(gpus, d)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return gpus, nil
}

func notAvailable(s string) bool {
	switch strings.ToLower(s) {
	case "[n/a]", "n/a", "[not supported]", "":
		return true
	}
	return false
}

var (
	listGPURe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^GPU (\d+): (.+?)(?: \(UUID: [^)]*\))?$`) })
	listMIGRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^MIG ((?:\d+c\.)?(\d+)g\.(\d+)gb)(?:\+me)?\s+Device\s+(\d+): \(UUID: [^)]*\)$`)
	})
)

// ParseNvidiaList reads `nvidia-smi -L` and returns the MIG instances it
// lists, each with its profile (3g.40gb), the memory the profile names
// (labelled in binary GB like the cards) and the GPU it belongs to. GPUs
// without MIG return nothing; a line that is neither a GPU nor a MIG
// instance is an error.
func ParseNvidiaList(out []byte) ([]Device, error) {
	var migs []Device
	parent, parentIdx := "", 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		if m := listGPURe().FindStringSubmatch(text); m != nil {
			parent = m[2]
			parentIdx, _ = strconv.Atoi(m[1])
			continue
		}
		m := listMIGRe().FindStringSubmatch(text)
		if m == nil {
			return nil, fmt.Errorf("line %d: neither \"GPU N: NAME (UUID: ...)\" nor \"MIG PROFILE Device N: (UUID: ...)\": %q", line, clip(text))
		}
		if parent == "" {
			return nil, fmt.Errorf("line %d: MIG instance before any GPU: %q", line, clip(text))
		}
		gb, _ := strconv.ParseInt(m[3], 10, 64)
		idx, _ := strconv.Atoi(m[4])
		migs = append(migs, Device{Source: "nvidia-smi -L", Index: idx, Vendor: "nvidia", Kind: KindMIG,
			Name: "MIG " + m[1], MIGProfile: m[1], Parent: parent, ParentIndex: parentIdx, MemoryBytes: gb * GiB})
	}
	return migs, sc.Err()
}

// ParseROCmSMI reads `rocm-smi --showproductname --showmeminfo vram --json`:
// an object keyed card0, card1, … (plus "system"), each with string values.
// Key spelling varies across ROCm releases ("Card series"/"Card Series"),
// and some print warnings before the JSON, which are skipped.
func ParseROCmSMI(out []byte) ([]Device, error) {
	start := bytes.IndexByte(out, '{')
	if start < 0 {
		return nil, fmt.Errorf("no JSON object in the output: %q", clip(firstLine(string(out))))
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(out[start:], &doc); err != nil {
		return nil, fmt.Errorf("not the JSON rocm-smi prints: %v", err)
	}
	type card struct {
		n int
		d Device
	}
	var cards []card
	for key, raw := range doc {
		if !strings.HasPrefix(key, "card") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(key, "card"))
		if err != nil {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, fmt.Errorf("%s: not an object of fields: %v", key, err)
		}
		get := func(names ...string) string {
			for _, want := range names {
				for k, v := range fields {
					if strings.EqualFold(k, want) {
						if s := strings.TrimSpace(fmt.Sprint(v)); s != "" && !notAvailable(s) {
							return s
						}
					}
				}
			}
			return ""
		}
		name := get("Card Series", "Marketing Name", "Device Name", "Card SKU", "Card Model")
		if name == "" {
			return nil, fmt.Errorf("%s: no product name (Card Series)", key)
		}
		d := Device{Source: "rocm-smi", Index: n, Vendor: "amd", Kind: KindGPU, Name: name}
		if v := get("VRAM Total Memory (B)"); v != "" {
			b, err := strconv.ParseInt(v, 10, 64)
			if err != nil || b <= 0 {
				return nil, fmt.Errorf("%s: VRAM Total Memory (B) %q is not a number of bytes", key, v)
			}
			d.MemoryBytes = b
		}
		cards = append(cards, card{n: n, d: d})
	}
	sort.Slice(cards, func(a, b int) bool { return cards[a].n < cards[b].n })
	devs := make([]Device, len(cards))
	for i, c := range cards {
		devs[i] = c.d
	}
	return devs, nil
}

// ParseSysctl reads `sysctl -n machdep.cpu.brand_string hw.memsize`: the
// chip ("Apple M2 Max") on one line, the memory in bytes on the next.
func ParseSysctl(out []byte) (brand string, memBytes int64, err error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return "", 0, fmt.Errorf("want 2 lines (brand string, memory size), got %d: %q", len(lines), clip(string(out)))
	}
	brand = strings.TrimSpace(lines[0])
	memBytes, err = strconv.ParseInt(strings.TrimSpace(lines[1]), 10, 64)
	if err != nil || memBytes <= 0 || brand == "" {
		return "", 0, fmt.Errorf("want a brand string and hw.memsize in bytes, got %q", clip(string(out)))
	}
	return brand, memBytes, nil
}

// ParseSystemProfiler reads `system_profiler SPDisplaysDataType -json`.
// An Apple GPU (vendor sppci_vendor_Apple) is unified memory: its memory
// comes from hw.memsize. A discrete GPU of an Intel Mac reports its VRAM
// as "8 GB".
func ParseSystemProfiler(out []byte) ([]Device, error) {
	var doc struct {
		Displays []map[string]any `json:"SPDisplaysDataType"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("not the JSON system_profiler prints: %v", err)
	}
	var gpus []Device
	for i, g := range doc.Displays {
		str := func(k string) string { s, _ := g[k].(string); return strings.TrimSpace(s) }
		name := str("sppci_model")
		if name == "" {
			name = str("_name")
		}
		if name == "" {
			return nil, fmt.Errorf("SPDisplaysDataType[%d]: no sppci_model", i)
		}
		d := Device{Source: "system_profiler", Index: i, Kind: KindGPU, Name: name}
		vendor := strings.ToLower(str("spdisplays_vendor"))
		switch {
		case strings.Contains(vendor, "apple") || strings.HasPrefix(name, "Apple "):
			d.Vendor, d.Kind = "apple", KindUnified
		case strings.Contains(vendor, "amd") || strings.Contains(vendor, "ati"):
			d.Vendor = "amd"
		case strings.Contains(vendor, "intel"):
			d.Vendor = "intel"
		case strings.Contains(vendor, "nvidia"):
			d.Vendor = "nvidia"
		}
		if c := str("sppci_cores"); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("SPDisplaysDataType[%d]: sppci_cores %q is not a number", i, c)
			}
			d.GPUCores = n
		}
		if d.Kind == KindGPU {
			for _, k := range []string{"spdisplays_vram", "spdisplays_vram_shared"} {
				if n, ok := parseSize(str(k)); ok {
					d.MemoryBytes = n
					break
				}
			}
		}
		gpus = append(gpus, d)
	}
	return gpus, nil
}

// parseSize reads "8 GB" or "1536 MB" (binary, as macOS labels VRAM).
func parseSize(s string) (int64, bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, false
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	switch strings.ToUpper(f[1]) {
	case "GB":
		return n * GiB, true
	case "MB":
		return n << 20, true
	}
	return 0, false
}

// ParseMeminfo reads MemTotal from /proc/meminfo (in kB, which the kernel
// means as KiB).
func ParseMeminfo(b []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(k) != "MemTotal" {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("MemTotal %q: want a number of kB", strings.TrimSpace(v))
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("MemTotal %q: want a number of kB", strings.TrimSpace(v))
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("no MemTotal line")
}

// ParseCPUInfo reads the first "model name" (x86) or, on ARM, "Model" /
// "Hardware" of /proc/cpuinfo, and the vendor_id when given.
func ParseCPUInfo(b []byte) (name, vendor string, err error) {
	impl, part := "", ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "model name", "Model", "Hardware":
			if name == "" && v != "" {
				name = v
			}
		case "vendor_id":
			if vendor == "" {
				vendor = v
			}
		case "CPU implementer":
			if impl == "" {
				impl = v
			}
		case "CPU part":
			if part == "" {
				part = v
			}
		}
	}
	if name == "" && impl != "" {
		// ARM kernels name no model, only the implementer and part numbers.
		return fmt.Sprintf("ARM processor (implementer %s, part %s)", impl, part), "arm", nil
	}
	if name == "" {
		return "", "", fmt.Errorf("no \"model name\" line")
	}
	return strings.Join(strings.Fields(name), " "), cpuVendorFrom(vendor, name), nil
}

func cpuVendorFrom(vendorID, name string) string {
	switch vendorID {
	case "GenuineIntel":
		return "intel"
	case "AuthenticAMD":
		return "amd"
	}
	return cpuVendor(name)
}

func cpuVendor(name string) string {
	l := strings.ToLower(name)
	switch {
	case strings.HasPrefix(l, "apple"):
		return "apple"
	case strings.Contains(l, "intel"):
		return "intel"
	case strings.Contains(l, "amd"):
		return "amd"
	}
	return ""
}

// clip keeps error messages short when a tool prints a page of garbage.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
