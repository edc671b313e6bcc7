package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/llmcost/llmcost/pkg/hardware"
	"github.com/llmcost/llmcost/pkg/hwdetect"
	"github.com/llmcost/llmcost/pkg/output"
	"github.com/llmcost/llmcost/pkg/units"
	"github.com/spf13/cobra"
)

// FitOptions are the inputs of `llmcost fit`.
type FitOptions struct {
	F *Factory

	Models       []string
	GPUs         []string
	Quants       []string
	GPUCount     int
	GPUCountSet  bool // --gpus given: it overrides the detected count of --gpu auto
	Context      contextValue
	Concurrency  int
	PromptTokens units.TokensValue
	OutputTokens units.TokensValue
}

func newCmdFit(f *Factory, runF func(*FitOptions) error) *cobra.Command {
	opts := &FitOptions{F: f, Concurrency: 1,
		PromptTokens: units.TokensValue{N: hardware.DefaultPromptTokens},
		OutputTokens: units.TokensValue{N: hardware.DefaultOutputTokens}}
	cmd := &cobra.Command{
		Use:   "fit",
		Short: "Which GPUs can run an open model, how fast, at what quantization",
		Long: `Check whether an open model fits on a GPU and how fast it runs there.

VRAM = weights (parameters x measured bytes per parameter; every MoE expert is
resident) + KV cache (GQA, sliding windows and MLA counted; fp16; for --context
tokens, raised to --prompt-tokens + --output-tokens when a request is longer,
x --concurrency requests) + 0.75 GB per GPU + 5% of the KV cache for
compute buffers. A model that does not fit one GPU is split over several;
"gpus" says how many it needs.

Decode tokens/s at batch 1 is 1 / (bytes read per token / (efficiency x memory
bandwidth) + layers x a fixed per-layer cost), with both constants by memory
type and calibrated against published llama.cpp measurements; bytes are the
active parameters for MoE. A measured benchmark replaces it where the catalog
has one ("measured"), and nothing exceeds bandwidth / weight bytes.
Reply time = prompt / prefill rate + output / decode rate.

Without --quant each GPU gets the highest-fidelity quantization that fits.
Without --gpu (or with --gpu all) every GPU in the catalog is tried;
--model all --gpu all checks the whole catalog. --gpu auto uses the GPUs of
this machine, each type with the number detected (--gpus overrides it); see
llmcost hardware for what was found.`,
		Example: `  # does Llama 3.1 70B fit one RTX 4090 at Q4_K_M? (no: it needs 2)
  llmcost fit --model llama-3.1-70b --gpu rtx-4090 --quant q4_k_m

  # every GPU, best quantization for each
  llmcost fit --model mistral-7b

  # long context and concurrency change the KV cache
  llmcost fit --model phi-3.5-mini --gpu rtx-4090 --context 128K --format json

  # what runs on two 3090s
  llmcost fit --gpu rtx-3090 --gpus 2

  # what runs on the GPUs of this machine
  llmcost fit --gpu auto

  # the whole catalog
  llmcost fit --model all --gpu all --format csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(opts.Models) == 0 && len(opts.GPUs) == 0 {
				return FlagErrorf("give --model, --gpu or both (e.g. llmcost fit --model llama-3.1-70b)")
			}
			if opts.GPUCount < 1 || opts.GPUCount > 1024 {
				return FlagErrorf("invalid value %d for --gpus: must be 1-1024", opts.GPUCount)
			}
			if opts.Concurrency < 1 {
				return FlagErrorf("invalid value %d for --concurrency: must be >= 1", opts.Concurrency)
			}
			if isAutoList(opts.GPUs) && len(opts.GPUs) > 1 {
				return FlagErrorf("--gpu auto stands alone: it is the GPUs detected on this machine (got %q)", strings.Join(opts.GPUs, ","))
			}
			opts.GPUCountSet = cmd.Flags().Changed("gpus")
			if runF != nil {
				return runF(opts)
			}
			return fitRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&opts.Models, "model", nil, "open model ids, comma-separated or repeated, or all (default: every model, with --gpu)")
	fl.StringSliceVar(&opts.GPUs, "gpu", nil, "GPU ids, comma-separated or repeated, all, or auto (this machine's; default: every GPU)")
	fl.StringSliceVar(&opts.Quants, "quant", nil, "quantizations to try, e.g. q4_k_m,q8_0 (default: the best that fits)")
	fl.IntVar(&opts.GPUCount, "gpus", 1, "GPUs of that type available; fits says whether the model fits on them")
	fl.Var(&opts.Context, "context", "KV-cache context per request; K = 1,024, so 128K = 131,072 (default 8K, capped at the model's maximum)")
	fl.IntVar(&opts.Concurrency, "concurrency", 1, "requests served at once (each holds its own KV cache)")
	fl.Var(&opts.PromptTokens, "prompt-tokens", "prompt length for time to first token")
	fl.Var(&opts.OutputTokens, "output-tokens", "reply length for reply time")
	_ = cmd.RegisterFlagCompletionFunc("model", completeIDList(f, (*catalog.Catalog).OpenModelIDs))
	_ = cmd.RegisterFlagCompletionFunc("gpu", completeGPUs(f))
	_ = cmd.RegisterFlagCompletionFunc("quant", completeIDList(f, (*catalog.Catalog).QuantIDs))
	return cmd
}

// FitResult is the JSON contract of `fit` (DESIGN.md).
type FitResult struct {
	SchemaVersion int      `json:"schema_version"`
	Results       []FitRow `json:"results"`
	Notes         []string `json:"notes"`
}

// FitRow is one model on one GPU type at one quantization. VRAM figures are
// in binary GB (GiB), the unit GPU memory is labelled in.
type FitRow struct {
	Model              string   `json:"model"`
	GPU                string   `json:"gpu"`
	Quant              string   `json:"quant"`
	Fits               bool     `json:"fits"`
	GPUs               int      `json:"gpus"` // GPUs the model needs
	GPUsAvailable      int      `json:"gpus_available"`
	ContextTokens      int      `json:"context_tokens"`
	Concurrency        int      `json:"concurrency"`
	VRAMRequiredGB     float64  `json:"vram_required_gb"`
	VRAMUsablePerGPUGB float64  `json:"vram_usable_per_gpu_gb"`
	WeightsGB          float64  `json:"weights_gb"`
	KVCacheGB          float64  `json:"kv_cache_gb"`
	KVBufferGB         float64  `json:"kv_buffer_gb"` // compute buffers that grow with context: 5% of the KV cache
	OverheadGB         float64  `json:"overhead_gb"`  // runtime overhead, 0.75 GB on every GPU used
	DecodeTPS          float64  `json:"decode_tokens_per_second"`
	DecodeBasis        string   `json:"decode_basis"`
	DecodeSource       string   `json:"decode_source"`
	DecodeDerivedFrom  string   `json:"decode_derived_from,omitempty"` // a measurement at another context, scaled to this one
	DecodeCeilingTPS   float64  `json:"decode_ceiling_tokens_per_second"`
	AggregateTPS       float64  `json:"aggregate_tokens_per_second"`
	PrefillTPS         float64  `json:"prefill_tokens_per_second"`
	PrefillBasis       string   `json:"prefill_basis"`
	PrefillSource      string   `json:"prefill_source"`
	PrefillDerivedFrom string   `json:"prefill_derived_from,omitempty"` // another setup's measurement carried over, e.g. "q4_k_m measurement"
	PromptTokens       int      `json:"prompt_tokens"`
	OutputTokens       int      `json:"output_tokens"`
	TTFTSeconds        float64  `json:"ttft_seconds"`
	ReplySeconds       float64  `json:"reply_seconds"`
	Unverified         []string `json:"unverified"`
	Notes              []string `json:"notes,omitempty"`
}

func fitRun(o *FitOptions) error {
	f := o.F
	format, err := f.Format()
	if err != nil {
		return err
	}
	// --gpu auto: the detected GPU types, each with its own count.
	var autoCounts map[string]int
	var autoNote string
	if isAutoList(o.GPUs) {
		hw, err := f.detectHardware("--gpu auto")
		if err != nil {
			return err
		}
		o.GPUs, autoCounts = nil, map[string]int{}
		used := hw.groups
		if o.GPUCountSet {
			used = nil
		}
		for _, g := range hw.groups {
			o.GPUs = append(o.GPUs, g.GPU)
			autoCounts[g.GPU] = g.Count
			if o.GPUCountSet {
				autoCounts[g.GPU] = o.GPUCount
				used = append(used, hwdetect.Group{GPU: g.GPU, Count: o.GPUCount})
			}
		}
		autoNote = hw.note("--gpu auto", used)
		if o.GPUCountSet {
			autoNote += fmt.Sprintf("; --gpus %d replaces the detected count", o.GPUCount)
		}
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	env, err := newLocalEnv(cat)
	if err != nil {
		return err
	}
	models, err := resolveIDs("model", o.Models, cat.OpenModelIDs(), func(s string) (string, error) {
		m, err := cat.Open(s)
		if err != nil {
			return "", &FlagError{Err: fmt.Errorf("--model: %w", err)}
		}
		return m.ID.V, nil
	})
	if err != nil {
		return err
	}
	gpus, err := resolveIDs("gpu", o.GPUs, cat.GPUIDs(), func(s string) (string, error) {
		g, err := cat.GPU(s)
		if err != nil {
			return "", &FlagError{Err: fmt.Errorf("--gpu: %w", err)}
		}
		return g.ID.V, nil
	})
	if err != nil {
		return err
	}
	var quants []hardware.Quant
	for _, s := range o.Quants {
		q, err := env.Quant(strings.TrimSpace(s))
		if err != nil {
			return &FlagError{Err: fmt.Errorf("--quant: %w", err)}
		}
		quants = append(quants, q)
	}
	all, err := env.Quants()
	if err != nil {
		return asInput(err)
	}
	req := hardware.Request{
		ContextTokens: int(o.Context.N), Concurrency: o.Concurrency, GPUs: o.GPUCount,
		PromptTokens: int(o.PromptTokens.N), OutputTokens: int(o.OutputTokens.N),
	}
	res := &FitResult{SchemaVersion: 1, Results: []FitRow{}, Notes: []string{}}
	if autoNote != "" {
		res.Notes = append(res.Notes, autoNote)
	}
	for _, mid := range models {
		m, err := env.Model(mid)
		if err != nil {
			return asInput(err)
		}
		mreq := req
		if o.Context.N > int64(m.MaxContext) {
			if len(o.Models) > 0 && !isAll(o.Models) {
				return FlagErrorf("invalid value %s for --context: %s takes at most %s tokens", units.FormatTokensExact(o.Context.N), m.ID, units.FormatTokensExact(int64(m.MaxContext)))
			}
			res.Notes = append(res.Notes, fmt.Sprintf("%s skipped: --context above its %s-token maximum", m.ID, units.FormatTokensExact(int64(m.MaxContext))))
			continue
		}
		// The KV cache holds the whole request, as in estimate and
		// breakeven: a 100K prompt does not fit in an 8K context.
		mreq.ContextTokens = requestContext(o.Context.N, o.PromptTokens.N, o.OutputTokens.N)
		if mreq.ContextTokens > m.MaxContext {
			if len(o.Models) > 0 && !isAll(o.Models) {
				return FlagErrorf("--prompt-tokens %s plus --output-tokens %s exceed %s's context of %s tokens", units.FormatTokensExact(o.PromptTokens.N), units.FormatTokensExact(o.OutputTokens.N), m.ID, units.FormatTokensExact(int64(m.MaxContext)))
			}
			res.Notes = append(res.Notes, fmt.Sprintf("%s skipped: the prompt and reply exceed its %s-token context", m.ID, units.FormatTokensExact(int64(m.MaxContext))))
			continue
		}
		var rows []FitRow
		for _, gid := range gpus {
			g, _, err := env.GPU(gid)
			if err != nil {
				return asInput(err)
			}
			mreq := mreq
			if n, ok := autoCounts[gid]; ok {
				mreq.GPUs = n
			}
			var results []hardware.Result
			if len(quants) > 0 {
				for _, q := range quants {
					r, err := hardware.Estimate(m, q, g, env.Bench, mreq)
					if err != nil {
						return &InputError{Err: err}
					}
					results = append(results, r)
				}
			} else {
				r, ok, err := hardware.BestQuant(m, all, g, env.Bench, mreq)
				if err != nil {
					return &InputError{Err: err}
				}
				if !ok {
					// Nothing fits the GPUs given: show the model's usual format and what it needs.
					q, err := env.Quant(hardware.DefaultQuantID(m))
					if err != nil {
						return asInput(err)
					}
					if r, err = hardware.Estimate(m, q, g, env.Bench, mreq); err != nil {
						return &InputError{Err: err}
					}
				}
				results = append(results, r)
			}
			for _, r := range results {
				rows = append(rows, fitRow(r))
			}
		}
		// Per model: what fits first, then fewer GPUs, then faster.
		sort.SliceStable(rows, func(a, b int) bool {
			ra, rb := rows[a], rows[b]
			if ra.Fits != rb.Fits {
				return ra.Fits
			}
			if ra.GPUs != rb.GPUs {
				return ra.GPUs < rb.GPUs
			}
			return ra.DecodeTPS > rb.DecodeTPS
		})
		res.Results = append(res.Results, rows...)
	}
	// Every model skipped (--context or the prompt beyond each one's
	// maximum): an empty table with exit 0 would read as "nothing fits".
	if len(res.Results) == 0 {
		return &InputError{Err: fmt.Errorf("no model to show:\n  %s", strings.Join(res.Notes, "\n  "))}
	}
	seen := map[string]bool{}
	for _, row := range res.Results {
		for _, n := range row.Notes {
			if !seen[n] {
				seen[n] = true
				res.Notes = append(res.Notes, n)
			}
		}
	}
	res.Notes = append(res.Notes,
		"VRAM in binary GB (GiB), as GPU memory is labelled. Speeds marked * are measured (catalog benchmark); the rest are estimates from memory bandwidth.",
		fmt.Sprintf("Reply = %d-token prompt / prefill + %d tokens / batch-1 decode.", req.PromptTokens, req.OutputTokens))
	return output.Write(f.IOStreams, format, res)
}

// isAutoList reports whether a list flag asks for the detected hardware.
func isAutoList(names []string) bool {
	for _, n := range names {
		if isAutoGPU(n) {
			return true
		}
	}
	return false
}

// isAll reports whether a list flag asks for every entry ("all").
func isAll(names []string) bool {
	for _, n := range names {
		if strings.EqualFold(strings.TrimSpace(n), "all") {
			return true
		}
	}
	return false
}

// resolveIDs turns user names into catalog ids (deduplicated, in order);
// none given means all.
func resolveIDs(flag string, names, all []string, resolve func(string) (string, error)) ([]string, error) {
	if len(names) == 0 {
		return all, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if strings.EqualFold(n, "all") {
			return all, nil
		}
		id, err := resolve(n)
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, FlagErrorf("invalid value %q for --%s: no id in it", strings.Join(names, ","), flag)
	}
	return out, nil
}

func fitRow(r hardware.Result) FitRow {
	row := FitRow{
		Model: r.Model, GPU: r.GPU, Quant: r.Quant, Fits: r.Fits, GPUs: r.GPUsNeeded, GPUsAvailable: r.GPUsAvailable,
		ContextTokens: r.ContextTokens, Concurrency: r.Concurrency,
		VRAMRequiredGB:     gib(r.Memory.TotalBytes),
		VRAMUsablePerGPUGB: gib(r.Memory.UsablePerGPU),
		WeightsGB:          gib(r.Memory.WeightsBytes),
		KVCacheGB:          gib(r.Memory.KVCacheBytes),
		KVBufferGB:         gib(r.Memory.BufferBytes),
		OverheadGB:         gib(r.Memory.OverheadBytes),
		DecodeTPS:          round3(r.Decode.Value),
		DecodeBasis:        string(r.Decode.Basis),
		DecodeSource:       r.Decode.Source,
		DecodeDerivedFrom:  r.Decode.DerivedFrom,
		DecodeCeilingTPS:   round3(r.DecodeCeiling),
		AggregateTPS:       round3(r.Aggregate.Value),
		PrefillTPS:         round3(r.Prefill.Value),
		PrefillBasis:       string(r.Prefill.Basis),
		PrefillSource:      r.Prefill.Source,
		PrefillDerivedFrom: r.Prefill.DerivedFrom,
		PromptTokens:       r.PromptTokens,
		OutputTokens:       r.OutputTokens,
		TTFTSeconds:        round3(r.TTFTSeconds),
		ReplySeconds:       round3(r.ReplySeconds),
		Unverified:         append([]string{}, r.Unverified...),
		Notes:              r.Notes,
	}
	return row
}

// Tables renders fit results for people.
func (r *FitResult) Tables() []output.TableData {
	t := output.TableData{
		Headers: []string{"Model", "GPU", "Quant", "Fits", "GPUs", "VRAM GB", "Usable/GPU GB", "Decode tok/s", "Ceiling tok/s", "TTFT s", "Reply s"},
		Align:   []output.Align{output.Left, output.Left, output.Left, output.Left, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right, output.Right},
	}
	var derived []string
	for _, row := range r.Results {
		fits := "yes"
		if !row.Fits {
			fits = fmt.Sprintf("no (needs %d)", row.GPUs)
			if row.GPUs == 0 {
				fits = "no"
			}
		}
		decode := fmt.Sprintf("%.1f", row.DecodeTPS)
		if row.DecodeBasis == string(hardware.Measured) {
			decode += "*"
		}
		if row.DecodeDerivedFrom != "" {
			// A measurement made at another context, scaled to this one.
			decode += " †"
			derived = append(derived, fmt.Sprintf("%s on %s at %s: decode %s", row.Model, row.GPU, row.Quant, hardware.Figure{DerivedFrom: row.DecodeDerivedFrom}.DerivedLabel()))
		}
		if len(row.Unverified) > 0 {
			decode += " (unverified)"
		}
		ttft := fmt.Sprintf("%.2f", row.TTFTSeconds)
		if row.PrefillDerivedFrom != "" {
			// TTFT rests on a prefill carried over from another setup.
			ttft += " †"
			derived = append(derived, fmt.Sprintf("%s on %s at %s: prefill %s", row.Model, row.GPU, row.Quant, hardware.Figure{DerivedFrom: row.PrefillDerivedFrom}.DerivedLabel()))
		}
		t.Rows = append(t.Rows, []string{row.Model, row.GPU, row.Quant, fits, fmt.Sprint(row.GPUs),
			fmt.Sprintf("%.1f", row.VRAMRequiredGB), fmt.Sprintf("%.1f", row.VRAMUsablePerGPUGB),
			decode, fmt.Sprintf("%.1f", row.DecodeCeilingTPS), ttft, fmt.Sprintf("%.1f", row.ReplySeconds)})
		t.Raw = append(t.Raw, []string{row.Model, row.GPU, row.Quant, fmt.Sprint(row.Fits), fmt.Sprint(row.GPUs),
			fmt.Sprint(row.VRAMRequiredGB), fmt.Sprint(row.VRAMUsablePerGPUGB), fmt.Sprint(row.DecodeTPS),
			fmt.Sprint(row.DecodeCeilingTPS), fmt.Sprint(row.TTFTSeconds), fmt.Sprint(row.ReplySeconds)})
	}
	t.Notes = r.Notes
	if len(derived) > 0 {
		note := "† a speed not measured for this setup as asked but derived from another measurement (JSON decode_derived_from and prefill_derived_from name it)."
		if len(derived) <= 3 {
			note = "† a speed not measured for this setup as asked: " + strings.Join(derived, "; ") + "."
		}
		t.Notes = append(append([]string{}, r.Notes...), note)
	}
	return []output.TableData{t}
}
