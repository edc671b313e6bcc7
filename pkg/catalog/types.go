// Package catalog is llmcost's typed price and hardware catalog: strict
// YAML loading with file:line errors, validation, merging of user
// directories over the embedded defaults, and as-of price lookup.
package catalog

// File is one YAML file of the catalog. Every section is optional so a
// user directory can override just what it needs.
type File struct {
	SchemaVersion int            `yaml:"schema_version" json:"schema_version"`
	Models        []CloudModel   `yaml:"models,omitempty" json:"models,omitempty"`
	OpenModels    []OpenModel    `yaml:"open_models,omitempty" json:"open_models,omitempty"`
	Quantizations []Quantization `yaml:"quantizations,omitempty" json:"quantizations,omitempty"`
	GPUs          []GPU          `yaml:"gpus,omitempty" json:"gpus,omitempty"`
	Benchmarks    []Benchmark    `yaml:"benchmarks,omitempty" json:"benchmarks,omitempty"`
	Defaults      *Defaults      `yaml:"defaults,omitempty" json:"defaults,omitempty"`
	Mappings      []Mapping      `yaml:"mappings,omitempty" json:"mappings,omitempty"`
}

// CloudModel is a model sold per token by an API provider.
type CloudModel struct {
	ID            Ident    `yaml:"id" json:"id"`
	Provider      string   `yaml:"provider" json:"provider"`
	Name          string   `yaml:"name,omitempty" json:"name,omitempty"`
	Aliases       []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	ContextWindow Num      `yaml:"context_window" json:"context_window"`
	MaxOutput     Num      `yaml:"max_output,omitempty" json:"max_output,omitempty"`
	Deprecated    Date     `yaml:"deprecated,omitempty" json:"deprecated,omitempty"`
	Retired       Date     `yaml:"retired,omitempty" json:"retired,omitempty"`
	Source        string   `yaml:"source" json:"source"`
	Verified      Date     `yaml:"verified" json:"verified"`
	Unverified    bool     `yaml:"unverified,omitempty" json:"unverified,omitempty"`
	Notes         string   `yaml:"notes,omitempty" json:"notes,omitempty"`
	Quality       []Score  `yaml:"quality,omitempty" json:"quality,omitempty"`
	Latency       *Latency `yaml:"latency,omitempty" json:"latency,omitempty"`
	Prices        []Price  `yaml:"prices" json:"prices"`
	File          string   `yaml:"-" json:"-"` // where it was loaded from
	Origin        string   `yaml:"-" json:"-"` // "embedded" or the user dir
}

// Price is one effective-dated set of rates in USD per 1M tokens.
type Price struct {
	EffectiveFrom   Date `yaml:"effective_from" json:"effective_from"`
	EffectiveUntil  Date `yaml:"effective_until,omitempty" json:"effective_until,omitempty"`
	Rates           `yaml:",inline"`
	BatchMultiplier Num    `yaml:"batch_multiplier,omitempty" json:"batch_multiplier,omitempty"`
	Tiers           []Tier `yaml:"tiers,omitempty" json:"tiers,omitempty"`
	// OffPeak, when set, makes the rates above the peak rates: outside the
	// peak windows each is multiplied by OffPeak.Multiplier.
	OffPeak    *OffPeak `yaml:"off_peak,omitempty" json:"off_peak,omitempty"`
	Source     string   `yaml:"source" json:"source"`
	Verified   Date     `yaml:"verified" json:"verified"`
	Unverified bool     `yaml:"unverified,omitempty" json:"unverified,omitempty"`
	Notes      string   `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// Rates are the per-token-kind prices. Unset (Set=false) means the kind is
// not offered or not known; it is never read as $0.
type Rates struct {
	Input        Num `yaml:"input" json:"input"`
	Output       Num `yaml:"output" json:"output"`
	CachedInput  Num `yaml:"cached_input,omitempty" json:"cached_input,omitempty"`
	CacheWrite5m Num `yaml:"cache_write_5m,omitempty" json:"cache_write_5m,omitempty"`
	CacheWrite1h Num `yaml:"cache_write_1h,omitempty" json:"cache_write_1h,omitempty"`
	Reasoning    Num `yaml:"reasoning,omitempty" json:"reasoning,omitempty"`
}

// Tier applies to the whole request once its prompt exceeds AboveTokens.
type Tier struct {
	AboveTokens Num `yaml:"above_tokens" json:"above_tokens"`
	Rates       `yaml:",inline"`
}

// Score is a published quality score with its source.
type Score struct {
	Benchmark string `yaml:"benchmark" json:"benchmark"`
	Score     Num    `yaml:"score" json:"score"`
	Source    string `yaml:"source" json:"source"`
	Verified  Date   `yaml:"verified,omitempty" json:"verified,omitempty"`
	Notes     string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// Latency is a measured serving speed of a cloud model.
type Latency struct {
	TTFTSeconds        Num    `yaml:"ttft_seconds,omitempty" json:"ttft_seconds,omitempty"`
	OutputTokensPerSec Num    `yaml:"output_tokens_per_second,omitempty" json:"output_tokens_per_second,omitempty"`
	Source             string `yaml:"source" json:"source"`
	Verified           Date   `yaml:"verified,omitempty" json:"verified,omitempty"`
}

// OpenModel is an open-weights model that can run locally.
type OpenModel struct {
	ID            Ident    `yaml:"id" json:"id"`
	Name          string   `yaml:"name,omitempty" json:"name,omitempty"`
	Family        string   `yaml:"family,omitempty" json:"family,omitempty"`
	Aliases       []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	ParamsB       Num      `yaml:"params_b" json:"params_b"`                                   // total parameters, billions
	ActiveParamsB Num      `yaml:"active_params_b,omitempty" json:"active_params_b,omitempty"` // MoE: parameters read per token
	Layers        Num      `yaml:"layers" json:"layers"`
	Heads         Num      `yaml:"heads" json:"heads"`
	KVHeads       Num      `yaml:"kv_heads" json:"kv_heads"`
	HeadDim       Num      `yaml:"head_dim" json:"head_dim"`
	MaxContext    Num      `yaml:"max_context" json:"max_context"`
	SlidingWindow Num      `yaml:"sliding_window,omitempty" json:"sliding_window,omitempty"` // tokens, for layers using local attention
	SlidingLayers Num      `yaml:"sliding_layers,omitempty" json:"sliding_layers,omitempty"` // how many layers use the window
	KVLatentDim   Num      `yaml:"kv_latent_dim,omitempty" json:"kv_latent_dim,omitempty"`   // MLA (DeepSeek): cached latent width per layer; replaces 2*kv_heads*head_dim
	DefaultQuant  string   `yaml:"default_quant,omitempty" json:"default_quant,omitempty"`   // quantization tried when none is named (e.g. mxfp4 for gpt-oss)
	License       string   `yaml:"license,omitempty" json:"license,omitempty"`
	HFRepo        string   `yaml:"hf_repo,omitempty" json:"hf_repo,omitempty"`
	Quality       []Score  `yaml:"quality,omitempty" json:"quality,omitempty"`
	Source        string   `yaml:"source" json:"source"`
	Verified      Date     `yaml:"verified" json:"verified"`
	Unverified    bool     `yaml:"unverified,omitempty" json:"unverified,omitempty"`
	// UnverifiedFields names the fields nobody could confirm when the rest
	// of the entry is verified (e.g. [max_context]).
	UnverifiedFields []string `yaml:"unverified_fields,omitempty" json:"unverified_fields,omitempty"`
	Notes            string   `yaml:"notes,omitempty" json:"notes,omitempty"`
	File             string   `yaml:"-" json:"-"`
}

// Quantization is a weight format with measured bytes per parameter.
type Quantization struct {
	ID            Ident    `yaml:"id" json:"id"`
	Aliases       []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	BytesPerParam Num      `yaml:"bytes_per_param" json:"bytes_per_param"`
	Source        string   `yaml:"source" json:"source"`
	Verified      Date     `yaml:"verified" json:"verified"`
	Notes         string   `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// GPU is a GPU or unified-memory machine.
type GPU struct {
	ID           Ident    `yaml:"id" json:"id"`
	Name         string   `yaml:"name,omitempty" json:"name,omitempty"`
	Vendor       string   `yaml:"vendor" json:"vendor"`                     // nvidia | amd | apple | intel
	Class        string   `yaml:"class" json:"class"`                       // consumer | workstation | datacenter | apple
	Memory       string   `yaml:"memory,omitempty" json:"memory,omitempty"` // gddr | hbm | unified: sets decode efficiency (local-economics §6.3); default from class
	Aliases      []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	VRAMGB       Num      `yaml:"vram_gb" json:"vram_gb"`                               // as labelled; GPU memory labels are binary (24 GB = 24 GiB)
	UsableShare  Num      `yaml:"usable_share,omitempty" json:"usable_share,omitempty"` // share of VRAM usable for the model (Apple unified memory ~0.75); default 1
	BandwidthGBs Num      `yaml:"bandwidth_gbs" json:"bandwidth_gbs"`
	FP16TFLOPS   Num      `yaml:"fp16_tflops,omitempty" json:"fp16_tflops,omitempty"` // dense
	TDPW         Num      `yaml:"tdp_w,omitempty" json:"tdp_w,omitempty"`
	IdleW        Num      `yaml:"idle_w,omitempty" json:"idle_w,omitempty"` // loaded-idle (model resident)
	PriceUSD     Num      `yaml:"price_usd,omitempty" json:"price_usd,omitempty"`
	PriceSource  string   `yaml:"price_source,omitempty" json:"price_source,omitempty"`
	Rentals      []Rental `yaml:"rentals,omitempty" json:"rentals,omitempty"`
	Source       string   `yaml:"source" json:"source"`
	Verified     Date     `yaml:"verified" json:"verified"`
	Unverified   bool     `yaml:"unverified,omitempty" json:"unverified,omitempty"`
	// UnverifiedFields names fields taken from a recalled vendor spec or a
	// secondary source (e.g. [tdp_w, price_usd]); results that use them say so.
	UnverifiedFields []string `yaml:"unverified_fields,omitempty" json:"unverified_fields,omitempty"`
	Notes            string   `yaml:"notes,omitempty" json:"notes,omitempty"`
	File             string   `yaml:"-" json:"-"`
}

// Rental is a published $/GPU-hour offer.
type Rental struct {
	Provider   string `yaml:"provider" json:"provider"`
	USDPerHour Num    `yaml:"usd_per_hour" json:"usd_per_hour"`
	OnDemand   bool   `yaml:"on_demand,omitempty" json:"on_demand,omitempty"` // billed only for busy hours (serverless)
	Date       Date   `yaml:"date" json:"date"`
	Source     string `yaml:"source" json:"source"`
	Unverified bool   `yaml:"unverified,omitempty" json:"unverified,omitempty"`
	Notes      string `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// Benchmark is a measured throughput row.
type Benchmark struct {
	Model       string `yaml:"model" json:"model"`
	GPU         string `yaml:"gpu" json:"gpu"`
	Quant       string `yaml:"quant" json:"quant"`
	Engine      string `yaml:"engine,omitempty" json:"engine,omitempty"`
	GPUs        Num    `yaml:"gpus,omitempty" json:"gpus,omitempty"`
	Concurrency Num    `yaml:"concurrency,omitempty" json:"concurrency,omitempty"`
	DecodeTPS   Num    `yaml:"decode_tps,omitempty" json:"decode_tps,omitempty"` // batch-1 generation tok/s, or aggregate at Concurrency
	PrefillTPS  Num    `yaml:"prefill_tps,omitempty" json:"prefill_tps,omitempty"`
	// ContextTokens is the mean number of tokens in context while decode
	// was measured (prompt + half the output); unset = a short context,
	// llama-bench's tg512 from empty (hardware.DefaultBenchContextTokens).
	ContextTokens Num    `yaml:"context_tokens,omitempty" json:"context_tokens,omitempty"`
	Source        string `yaml:"source" json:"source"`
	Verified      Date   `yaml:"verified,omitempty" json:"verified,omitempty"`
	Unverified    bool   `yaml:"unverified,omitempty" json:"unverified,omitempty"`
	Notes         string `yaml:"notes,omitempty" json:"notes,omitempty"`
	// Measured is the day `llmcost bench` measured the row on the user's
	// own server (Server, serving ServerModel); empty for published rows.
	Measured    Date   `yaml:"measured,omitempty" json:"measured,omitzero"`
	Server      string `yaml:"server,omitempty" json:"server,omitempty"`
	ServerModel string `yaml:"server_model,omitempty" json:"server_model,omitempty"`
	File        string `yaml:"-" json:"-"` // where it was loaded from
}

// Defaults are catalog-wide assumptions.
type Defaults struct {
	KWhPriceUSD        Num      `yaml:"kwh_price_usd,omitempty" json:"kwh_price_usd,omitempty"`
	KWhSource          string   `yaml:"kwh_source,omitempty" json:"kwh_source,omitempty"`
	AmortizationMonths Num      `yaml:"amortization_months,omitempty" json:"amortization_months,omitempty"`
	HoursPerMonth      Num      `yaml:"hours_per_month,omitempty" json:"hours_per_month,omitempty"`
	PUE                Num      `yaml:"pue,omitempty" json:"pue,omitempty"`
	ComparisonSet      []string `yaml:"comparison_set,omitempty" json:"comparison_set,omitempty"`
	LocalComparisonSet []string `yaml:"local_comparison_set,omitempty" json:"local_comparison_set,omitempty"`
	Source             string   `yaml:"source,omitempty" json:"source,omitempty"`
	// Where the comparison sets came from (the last file that set them).
	ComparisonSetFile      string `yaml:"-" json:"-"`
	LocalComparisonSetFile string `yaml:"-" json:"-"`
}

// Mapping maps a foreign model name (e.g. a LiteLLM key) to a catalog id.
type Mapping struct {
	From   string `yaml:"from" json:"from"`
	To     string `yaml:"to" json:"to"`
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
}
