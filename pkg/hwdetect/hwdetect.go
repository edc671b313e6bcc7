// Package hwdetect finds the GPUs (or unified-memory machine) of the
// computer it runs on, from the tools their drivers ship: nvidia-smi
// (with MIG instances from nvidia-smi -L), rocm-smi, macOS sysctl and
// system_profiler, and /proc/meminfo and /proc/cpuinfo for the host.
//
// Commands run through a Runner and files are read from an fs.FS, so
// tests feed recorded outputs and no test needs the hardware. A tool that
// is missing, fails or prints something unreadable is recorded as a Probe
// with what went wrong; detection itself never fails.
package hwdetect

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// GiB is the binary gigabyte GPU memory is labelled in.
const GiB = 1 << 30

// Runner runs a command and returns its standard output. A command that is
// not installed returns an error wrapping ErrNotFound; one that ran and
// failed returns its output so far and an error.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// ErrNotFound says a tool is not installed (not on PATH).
var ErrNotFound = errors.New("not found")

// Kind is what a device is.
type Kind string

const (
	KindGPU     Kind = "gpu"     // a discrete GPU
	KindMIG     Kind = "mig"     // a MIG instance: a slice of an NVIDIA GPU
	KindUnified Kind = "unified" // a GPU sharing system memory (Apple silicon, GB10)
	KindCPU     Kind = "cpu"     // the host processor and its RAM
)

// Device is one thing found.
type Device struct {
	Source      string // the tool or file it came from
	Index       int    // position in that tool's list
	Vendor      string // nvidia | amd | apple | intel | cpu vendor as reported
	Kind        Kind
	Name        string // as the tool reports it
	MemoryBytes int64  // VRAM, or unified/system memory; 0 = not reported
	GPUCores    int    // Apple GPU cores; 0 = not reported
	PCIDeviceID string // nvidia-smi pci.device_id, e.g. 0x268410DE
	MIGProfile  string // KindMIG: e.g. 3g.40gb
	Parent      string // KindMIG: the GPU it is a slice of
	ParentIndex int    // KindMIG: that GPU's index
	MIGEnabled  bool   // a GPU partitioned into MIG instances
}

// MemoryGiB is the memory in binary GB.
func (d Device) MemoryGiB() float64 { return float64(d.MemoryBytes) / GiB }

// Label names the device for people: "NVIDIA GeForce RTX 4090 (24.0 GiB)".
func (d Device) Label() string {
	name := d.Name
	if d.Kind == KindMIG {
		name = fmt.Sprintf("MIG %s on %s", d.MIGProfile, d.Parent)
	}
	if d.Kind == KindCPU {
		name = "CPU " + name
	}
	if d.MemoryBytes > 0 {
		return fmt.Sprintf("%s (%.1f GiB)", name, d.MemoryGiB())
	}
	return name
}

// Probe is one tool or file asked, and what came of it.
type Probe struct {
	Tool   string `json:"tool"`
	Status string `json:"status"` // ok | not found | no devices | failed | unreadable | skipped
	Detail string `json:"detail,omitempty"`
}

const (
	StatusOK         = "ok"
	StatusNotFound   = "not found"
	StatusNoDevices  = "no devices"
	StatusFailed     = "failed"
	StatusUnreadable = "unreadable"
	StatusSkipped    = "skipped"
)

// Report is everything detection found.
type Report struct {
	OS      string
	Devices []Device
	Probes  []Probe
}

// Problems lists the probes that went wrong (not "not found" or skipped:
// a machine without an NVIDIA GPU has no nvidia-smi, and that is fine).
func (r *Report) Problems() []Probe {
	var out []Probe
	for _, p := range r.Probes {
		if p.Status == StatusFailed || p.Status == StatusUnreadable {
			out = append(out, p)
		}
	}
	return out
}

// Detector detects hardware. Run and FS are required; GOOS selects the
// macOS probes ("darwin") or the Linux files.
type Detector struct {
	Run  Runner
	FS   fs.FS // rooted at /: "proc/meminfo"
	GOOS string
}

// NvidiaQuery is the nvidia-smi query detection runs.
var NvidiaQuery = []string{"--query-gpu=index,name,memory.total,pci.device_id,mig.mode.current", "--format=csv,noheader,nounits"}

// ROCmQuery is the rocm-smi query detection runs.
var ROCmQuery = []string{"--showproductname", "--showmeminfo", "vram", "--json"}

// Detect asks every source. It returns an error only when ctx ends.
func (d Detector) Detect(ctx context.Context) (*Report, error) {
	r := &Report{OS: d.GOOS}
	if d.GOOS == "darwin" {
		d.detectMac(ctx, r)
	} else {
		d.detectNvidia(ctx, r)
		d.detectROCm(ctx, r)
		d.detectLinuxHost(r)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// run runs a tool and turns its failure into a probe; ok says whether out
// is worth parsing.
func (d Detector) run(ctx context.Context, r *Report, tool string, args ...string) (out []byte, ok bool) {
	out, err := d.Run(ctx, tool, args...)
	switch {
	case errors.Is(err, ErrNotFound):
		r.Probes = append(r.Probes, Probe{Tool: tool, Status: StatusNotFound})
		return nil, false
	case err != nil:
		detail := firstLine(string(out))
		if detail == "" {
			detail = err.Error()
		} else {
			detail += " (" + err.Error() + ")"
		}
		status := StatusFailed
		if strings.Contains(strings.ToLower(string(out)), "no devices were found") {
			status = StatusNoDevices
		}
		r.Probes = append(r.Probes, Probe{Tool: tool, Status: status, Detail: detail})
		return nil, false
	}
	return out, true
}

func (d Detector) detectNvidia(ctx context.Context, r *Report) {
	out, ok := d.run(ctx, r, "nvidia-smi", NvidiaQuery...)
	if !ok {
		return
	}
	gpus, err := ParseNvidiaSMI(out)
	if err != nil {
		r.Probes = append(r.Probes, Probe{Tool: "nvidia-smi", Status: StatusUnreadable, Detail: err.Error()})
		return
	}
	if len(gpus) == 0 {
		r.Probes = append(r.Probes, Probe{Tool: "nvidia-smi", Status: StatusNoDevices})
		return
	}
	r.Probes = append(r.Probes, Probe{Tool: "nvidia-smi", Status: StatusOK, Detail: fmt.Sprintf("%d GPU(s)", len(gpus))})
	var migs []Device
	anyMIG := false
	for _, g := range gpus {
		anyMIG = anyMIG || g.MIGEnabled
	}
	if anyMIG {
		// MIG instances are listed only by -L; the query shows the whole GPU.
		if lout, ok := d.run(ctx, r, "nvidia-smi", "-L"); ok {
			var err error
			if migs, err = ParseNvidiaList(lout); err != nil {
				r.Probes = append(r.Probes, Probe{Tool: "nvidia-smi -L", Status: StatusUnreadable, Detail: err.Error()})
			} else {
				r.Probes = append(r.Probes, Probe{Tool: "nvidia-smi -L", Status: StatusOK, Detail: fmt.Sprintf("%d MIG instance(s)", len(migs))})
			}
		}
	}
	r.Devices = append(r.Devices, gpus...)
	r.Devices = append(r.Devices, migs...)
}

func (d Detector) detectROCm(ctx context.Context, r *Report) {
	out, ok := d.run(ctx, r, "rocm-smi", ROCmQuery...)
	if !ok {
		return
	}
	gpus, err := ParseROCmSMI(out)
	if err != nil {
		r.Probes = append(r.Probes, Probe{Tool: "rocm-smi", Status: StatusUnreadable, Detail: err.Error()})
		return
	}
	if len(gpus) == 0 {
		r.Probes = append(r.Probes, Probe{Tool: "rocm-smi", Status: StatusNoDevices})
		return
	}
	r.Probes = append(r.Probes, Probe{Tool: "rocm-smi", Status: StatusOK, Detail: fmt.Sprintf("%d GPU(s)", len(gpus))})
	r.Devices = append(r.Devices, gpus...)
}

func (d Detector) detectLinuxHost(r *Report) {
	cpu := Device{Source: "/proc/cpuinfo", Kind: KindCPU}
	if b, err := fs.ReadFile(d.FS, "proc/cpuinfo"); err != nil {
		r.Probes = append(r.Probes, Probe{Tool: "/proc/cpuinfo", Status: StatusNotFound, Detail: trimPathErr(err)})
	} else if name, vendor, err := ParseCPUInfo(b); err != nil {
		r.Probes = append(r.Probes, Probe{Tool: "/proc/cpuinfo", Status: StatusUnreadable, Detail: err.Error()})
	} else {
		cpu.Name, cpu.Vendor = name, vendor
		r.Probes = append(r.Probes, Probe{Tool: "/proc/cpuinfo", Status: StatusOK})
	}
	if b, err := fs.ReadFile(d.FS, "proc/meminfo"); err != nil {
		r.Probes = append(r.Probes, Probe{Tool: "/proc/meminfo", Status: StatusNotFound, Detail: trimPathErr(err)})
	} else if n, err := ParseMeminfo(b); err != nil {
		r.Probes = append(r.Probes, Probe{Tool: "/proc/meminfo", Status: StatusUnreadable, Detail: err.Error()})
	} else {
		cpu.MemoryBytes = n
		r.Probes = append(r.Probes, Probe{Tool: "/proc/meminfo", Status: StatusOK})
	}
	if cpu.Name == "" && cpu.MemoryBytes == 0 {
		return
	}
	if cpu.Name == "" {
		cpu.Name = "unknown processor"
	}
	if cpu.Source == "/proc/cpuinfo" && cpu.MemoryBytes > 0 {
		cpu.Source = "/proc/cpuinfo, /proc/meminfo"
	}
	// A GPU without memory of its own (NVIDIA GB10: memory.total [N/A])
	// uses the host's.
	for i := range r.Devices {
		if r.Devices[i].Kind == KindUnified && r.Devices[i].MemoryBytes == 0 {
			r.Devices[i].MemoryBytes = cpu.MemoryBytes
		}
	}
	r.Devices = append(r.Devices, cpu)
}

func (d Detector) detectMac(ctx context.Context, r *Report) {
	brand, mem := "", int64(0)
	if out, ok := d.run(ctx, r, "sysctl", "-n", "machdep.cpu.brand_string", "hw.memsize"); ok {
		var err error
		if brand, mem, err = ParseSysctl(out); err != nil {
			r.Probes = append(r.Probes, Probe{Tool: "sysctl", Status: StatusUnreadable, Detail: err.Error()})
		} else {
			r.Probes = append(r.Probes, Probe{Tool: "sysctl", Status: StatusOK})
		}
	}
	var gpus []Device
	if out, ok := d.run(ctx, r, "system_profiler", "SPDisplaysDataType", "-json"); ok {
		var err error
		if gpus, err = ParseSystemProfiler(out); err != nil {
			r.Probes = append(r.Probes, Probe{Tool: "system_profiler", Status: StatusUnreadable, Detail: err.Error()})
		} else {
			r.Probes = append(r.Probes, Probe{Tool: "system_profiler", Status: StatusOK, Detail: fmt.Sprintf("%d GPU(s)", len(gpus))})
		}
	}
	apple := false
	for i := range gpus {
		if gpus[i].Kind == KindUnified {
			// Apple silicon: the GPU's memory is the machine's.
			gpus[i].MemoryBytes = mem
			apple = true
		}
	}
	if !apple && strings.HasPrefix(brand, "Apple ") {
		// system_profiler missing or silent: the chip is still known.
		gpus = append(gpus, Device{Source: "sysctl", Vendor: "apple", Kind: KindUnified, Name: brand, MemoryBytes: mem})
		apple = true
	}
	r.Devices = append(r.Devices, gpus...)
	if !apple && (brand != "" || mem > 0) {
		r.Devices = append(r.Devices, Device{Source: "sysctl", Vendor: cpuVendor(brand), Kind: KindCPU, Name: orUnknown(brand), MemoryBytes: mem})
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown processor"
	}
	return s
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func trimPathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
