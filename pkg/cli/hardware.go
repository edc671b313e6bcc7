package cli

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/llmcost/llmcost/pkg/hwdetect"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/spf13/cobra"
)

// HardwareOptions are the inputs of `llmcost hardware`.
type HardwareOptions struct {
	F   *Factory
	ctx context.Context
}

func newCmdHardware(f *Factory, runF func(*HardwareOptions) error) *cobra.Command {
	opts := &HardwareOptions{F: f}
	cmd := &cobra.Command{
		Use:   "hardware",
		Short: "The GPUs of this machine, and which catalog GPU each is",
		Long: `Detect the GPUs (or the unified-memory machine) llmcost runs on and map each to
a catalog GPU, the one --gpu auto (fit, estimate, breakeven, decide), MODEL@auto
(estimate --local/--rent, breakeven --local) and --have-gpu auto (decide) use.

Sources: nvidia-smi --query-gpu (MIG instances from nvidia-smi -L), rocm-smi
--showproductname --showmeminfo vram --json, on macOS sysctl and system_profiler
(Apple silicon: unified memory), and /proc/cpuinfo and /proc/meminfo for the host.

A device maps by its reported name and memory. A look-alike is not mapped (RTX
4090 D, 4080 SUPER, H100 NVL, a card with another memory size, an Apple chip
with another GPU core count): it says "not in the catalog: VRAM X GiB, bandwidth
unknown", as llmcost never guesses a bandwidth. A MIG instance is not in the
catalog, and a GPU split into MIG instances is not usable whole. An Apple
machine with less memory than the catalog's configuration (the largest) is
priced as that chip with its own memory and no purchase price.

To map a GPU the catalog lacks, add it in a user catalog (--catalog DIR) with
the name the tool prints as an alias.`,
		Example: `  # what is here, and what --gpu auto would use
  llmcost hardware

  # for scripts
  llmcost hardware --format json

  # then: what runs on it, and what it would cost
  llmcost fit --gpu auto
  llmcost estimate --tokens 50M --gpu auto`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return hardwareRun(opts)
		},
	}
	return cmd
}

// HardwareResult is the JSON contract of `hardware`.
type HardwareResult struct {
	SchemaVersion int              `json:"schema_version"`
	OS            string           `json:"os"`
	Devices       []HardwareDevice `json:"devices"`
	// Auto is what --gpu auto resolves to; empty when nothing usable was found.
	Auto   []HardwareAuto   `json:"auto"`
	Probes []hwdetect.Probe `json:"probes"`
	Notes  []string         `json:"notes"`
}

// HardwareDevice is one device found. Memory is in binary GB (GiB); a
// figure that was not reported or is not known is null, never 0.
type HardwareDevice struct {
	Source       string   `json:"source"`
	Kind         string   `json:"kind"`
	Vendor       string   `json:"vendor,omitempty"`
	Name         string   `json:"name"`
	MemoryGiB    *float64 `json:"memory_gib"`
	GPUCores     int      `json:"gpu_cores,omitempty"`
	PCIDeviceID  string   `json:"pci_device_id,omitempty"`
	MIGProfile   string   `json:"mig_profile,omitempty"`
	MIGEnabled   bool     `json:"mig_enabled,omitempty"`
	CatalogGPU   *string  `json:"catalog_gpu"`
	BandwidthGBs *float64 `json:"bandwidth_gbs"`
	Usable       bool     `json:"usable"`
	Note         string   `json:"note,omitempty"`
}

// HardwareAuto is one GPU type --gpu auto uses, with its count.
type HardwareAuto struct {
	GPU     string `json:"gpu"`
	Count   int    `json:"count"`
	Derived bool   `json:"derived"` // an entry made for this machine (Apple memory size)
}

func hardwareRun(o *HardwareOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	ctx := o.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	rep, err := f.Hardware().Detect(ctx)
	if err != nil {
		return err
	}
	ms := hwdetect.MatchAll(rep, cat)
	res := &HardwareResult{SchemaVersion: 1, OS: rep.OS, Devices: []HardwareDevice{}, Auto: []HardwareAuto{}, Probes: rep.Probes, Notes: []string{}}
	if res.Probes == nil {
		res.Probes = []hwdetect.Probe{}
	}
	for _, m := range ms {
		d := m.Device
		hd := HardwareDevice{Source: d.Source, Kind: string(d.Kind), Vendor: d.Vendor, Name: d.Name,
			GPUCores: d.GPUCores, PCIDeviceID: d.PCIDeviceID, MIGProfile: d.MIGProfile, MIGEnabled: d.MIGEnabled,
			Usable: m.Usable, Note: m.Note}
		if d.Kind == hwdetect.KindMIG {
			hd.Name = fmt.Sprintf("MIG %s on %s", d.MIGProfile, d.Parent)
		}
		if d.MemoryBytes > 0 {
			v := math.Round(d.MemoryGiB()*10) / 10
			hd.MemoryGiB = &v
		}
		if m.GPU != "" {
			id, bw := m.GPU, m.BandwidthGBs
			hd.CatalogGPU, hd.BandwidthGBs = &id, &bw
		}
		res.Devices = append(res.Devices, hd)
	}
	groups := hwdetect.Groups(ms)
	for _, g := range groups {
		res.Auto = append(res.Auto, HardwareAuto{GPU: g.GPU, Count: g.Count, Derived: g.Derived != nil})
	}
	if len(groups) == 0 {
		res.Notes = append(res.Notes, "--gpu auto: nothing usable detected; name a catalog GPU (llmcost catalog list --kind gpu)")
	} else {
		parts := make([]string, len(groups))
		for i, g := range groups {
			parts[i] = g.String()
		}
		primary, _ := hwdetect.Primary(groups, cat)
		res.Notes = append(res.Notes, fmt.Sprintf("--gpu auto uses %s; MODEL@auto and a single machine use %s", strings.Join(parts, ", "), primary))
	}
	if len(rep.Probes) > 0 {
		asked := make([]string, len(rep.Probes))
		for i, p := range rep.Probes {
			asked[i] = p.Tool + ": " + p.Status
			if p.Detail != "" {
				asked[i] += " (" + p.Detail + ")"
			}
		}
		res.Notes = append(res.Notes, "asked "+strings.Join(asked, "; "))
	}
	return output.Write(f.IOStreams, format, res)
}

// Tables renders the devices for people.
func (r *HardwareResult) Tables() []output.TableData {
	t := output.TableData{
		Headers: []string{"Device", "Source", "Memory GiB", "Catalog GPU", "Bandwidth GB/s", "Note"},
		Align:   []output.Align{output.Left, output.Left, output.Right, output.Left, output.Right, output.Left},
	}
	for _, d := range r.Devices {
		mem, rawMem := "not reported", ""
		if d.MemoryGiB != nil {
			mem, rawMem = fmt.Sprintf("%.1f", *d.MemoryGiB), fmt.Sprint(*d.MemoryGiB)
		}
		gpu, bw, rawBW := "-", "unknown", ""
		if d.CatalogGPU != nil {
			gpu, bw, rawBW = *d.CatalogGPU, fmt.Sprintf("%.0f", *d.BandwidthGBs), fmt.Sprint(*d.BandwidthGBs)
		}
		name := d.Name
		if d.Kind == string(hwdetect.KindCPU) {
			name = "CPU " + name
		}
		t.Rows = append(t.Rows, []string{name, d.Source, mem, gpu, bw, d.Note})
		rawGPU := ""
		if d.CatalogGPU != nil {
			rawGPU = *d.CatalogGPU
		}
		t.Raw = append(t.Raw, []string{d.Name, d.Source, rawMem, rawGPU, rawBW, d.Note})
	}
	t.Notes = r.Notes
	return []output.TableData{t}
}

// autoHardware is what auto resolved to on this machine.
type autoHardware struct {
	groups  []hwdetect.Group
	primary hwdetect.Group
	found   string // "2x NVIDIA GeForce RTX 4090"
	unused  []string
}

// isAutoGPU reports whether a GPU name asks for detection.
func isAutoGPU(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "auto") }

// detectHardware runs the detector once per run and maps what it finds to
// the catalog. Entries derived for this machine (an Apple memory size) are
// added to the factory's catalog, so every later lookup finds them. label
// names the option that asked ("--gpu auto"), for the error when nothing
// is usable.
func (f *Factory) detectHardware(label string) (*autoHardware, error) {
	if f.hardware != nil {
		return f.hardware, nil
	}
	cat, err := f.Catalog()
	if err != nil {
		return nil, err
	}
	ctx := f.runCtx
	if ctx == nil {
		ctx = context.Background()
	}
	rep, err := f.Hardware().Detect(ctx)
	if err != nil {
		return nil, err
	}
	ms := hwdetect.MatchAll(rep, cat)
	groups := hwdetect.Groups(ms)
	if len(groups) == 0 {
		return nil, &InputError{Err: fmt.Errorf("%s: %w\nname a catalog GPU instead (llmcost catalog list --kind gpu), or see llmcost hardware", label, &hwdetect.NothingUsableError{Matches: ms, Problems: rep.Unanswered()})}
	}
	var derived []catalog.GPU
	var bench []catalog.Benchmark
	for _, g := range groups {
		if g.Derived == nil {
			continue
		}
		derived = append(derived, *g.Derived)
		// Measurements of the chip hold for its smaller configurations:
		// decode speed follows bandwidth and GPU cores, not memory size.
		for _, b := range cat.Benchmarks {
			if bg, err := cat.GPU(b.GPU); err == nil && bg.ID.V == g.Base {
				b.GPU = g.GPU
				bench = append(bench, b)
			}
		}
	}
	if len(derived) > 0 {
		ext, err := cat.WithGPUs(derived...)
		if err != nil {
			return nil, &InputError{Err: fmt.Errorf("%s: %w", label, err)}
		}
		ext.Benchmarks = append(slices.Clip(cat.Benchmarks), bench...)
		f.catalog = ext
	}
	hw := &autoHardware{groups: groups}
	hw.primary, _ = hwdetect.Primary(groups, cat)
	var found []string
	for _, g := range groups {
		found = append(found, fmt.Sprintf("%dx %s", g.Count, g.Names[0]))
	}
	hw.found = strings.Join(found, " + ")
	for _, m := range ms {
		if !m.Usable && m.Device.Kind != hwdetect.KindCPU {
			why, _, _ := strings.Cut(m.Note, ":")
			hw.unused = append(hw.unused, fmt.Sprintf("%s (%s)", m.Device.Label(), why))
		}
	}
	f.hardware = hw
	return hw, nil
}

// note says what auto became, for the command's notes.
func (h *autoHardware) note(label string, used []hwdetect.Group) string {
	parts := make([]string, len(used))
	for i, g := range used {
		parts[i] = g.String()
	}
	s := fmt.Sprintf("%s: detected %s -> %s (llmcost hardware shows what was found)", label, h.found, strings.Join(parts, ", "))
	if len(h.unused) > 0 {
		s += "; not used: " + strings.Join(h.unused, "; ")
	}
	return s
}

// resolveAutoSpec turns MODEL@auto[:QUANT][xN] into the detected machine:
// the GPU type with the most memory, and its count unless xN is given.
// label names the option that asked ("--local llama-3.1-8b@auto", "--gpu
// auto") in the note and in the error when nothing usable is found.
func resolveAutoSpec(f *Factory, label string, spec hardware.Spec) (hardware.Spec, string, error) {
	if !isAutoGPU(spec.GPU) {
		return spec, "", nil
	}
	hw, err := f.detectHardware(label)
	if err != nil {
		return spec, "", err
	}
	p := hw.primary
	spec.GPU = p.GPU
	used := p
	if spec.GPUs == 0 {
		spec.GPUs = p.Count
	} else {
		used.Count = spec.GPUs
	}
	spec.Text = fmt.Sprintf("%s (auto: %s)", spec.Text, used)
	note := hw.note(label, []hwdetect.Group{used})
	if len(hw.groups) > 1 {
		note += fmt.Sprintf("; one machine uses one GPU type: %s, the most memory", p.GPU)
	}
	return spec, note, nil
}
