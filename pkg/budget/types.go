// Package budget is llmcost's budget config: a versioned YAML file of
// workloads, limits and pricing assumptions, its strict loader, its
// evaluation against the catalog (what `llmcost check` gates in CI) and
// the cost difference between two configs (`llmcost diff`).
//
// It is pure: no flags, no terminal, no clock (the caller passes today).
package budget

// Config is one budget file (schema_version 1).
type Config struct {
	SchemaVersion Version     `yaml:"schema_version" json:"schema_version" jsonschema_description:"Format version of this file; always 1"`
	Workloads     []Workload  `yaml:"workloads" json:"workloads" jsonschema:"minItems=1" jsonschema_description:"Traffic to price: one entry per product feature or job"`
	Limits        Limits      `yaml:"limits,omitempty" json:"limits,omitempty" jsonschema_description:"Limits llmcost check enforces (exit 1 when one is exceeded)"`
	Assumptions   Assumptions `yaml:"assumptions,omitempty" json:"assumptions,omitempty" jsonschema_description:"Pricing assumptions: price date, negotiated discounts, rate overrides"`

	// File is where the config was read from (for file:line messages).
	File string `yaml:"-" json:"-"`
}

// Workload is a month of requests to one model.
type Workload struct {
	Name             Text   `yaml:"name" json:"name" jsonschema_description:"Unique name of the workload (used by limits.workloads and in reports)"`
	Model            Text   `yaml:"model" json:"model" jsonschema_description:"Cloud catalog id or alias (llmcost catalog list), or a local option MODEL@GPU[:QUANT][xN] (llmcost fit)"`
	Description      string `yaml:"description,omitempty" json:"description,omitempty" jsonschema_description:"Free text for people"`
	RequestsPerMonth Count  `yaml:"requests_per_month" json:"requests_per_month" jsonschema_description:"Requests a month; a rate such as 10K/day is converted with a 730-hour month"`
	PromptTokens     Tokens `yaml:"prompt_tokens" json:"prompt_tokens" jsonschema_description:"Prompt tokens per request: a number or a distribution; the prompt length decides long-context tiers"`
	OutputTokens     Tokens `yaml:"output_tokens" json:"output_tokens" jsonschema_description:"Output tokens per request (reasoning included): a number or a distribution"`
	CachedShare      Share  `yaml:"cached_share,omitempty" json:"cached_share,omitempty" jsonschema_description:"Share of prompt tokens read from the prompt cache (0-1 or 0%-100%)"`
	CacheWriteShare  Share  `yaml:"cache_write_share,omitempty" json:"cache_write_share,omitempty" jsonschema_description:"Share of prompt tokens written to the prompt cache"`
	CacheWriteTTL    Text   `yaml:"cache_write_ttl,omitempty" json:"cache_write_ttl,omitempty" jsonschema:"enum=5m,enum=1h" jsonschema_description:"Lifetime of cache writes: 5m (default) or 1h"`
	BatchShare       Share  `yaml:"batch_share,omitempty" json:"batch_share,omitempty" jsonschema_description:"Share of requests sent through the batch API"`
	ReasoningShare   Share  `yaml:"reasoning_share,omitempty" json:"reasoning_share,omitempty" jsonschema_description:"Share of output tokens that are reasoning tokens"`
	PeakShare        Share  `yaml:"peak_share,omitempty" json:"peak_share,omitempty" jsonschema_description:"Share of requests in the provider's peak hours, for time-of-day prices such as DeepSeek's (default: spread evenly over the week)"`
	Hosting          Text   `yaml:"hosting,omitempty" json:"hosting,omitempty" jsonschema:"enum=owned,enum=rented" jsonschema_description:"Local options only: owned hardware (amortized price + energy; default) or rented GPUs (cheapest catalog offer)"`
	Concurrency      Count  `yaml:"concurrency,omitempty" json:"concurrency,omitempty" jsonschema_description:"Local options only: requests served at once by each machine (default 1)"`
	Privacy          Text   `yaml:"privacy,omitempty" json:"privacy,omitempty" jsonschema:"enum=none,enum=contractual,enum=regulated" jsonschema_description:"Data sensitivity; regulated data on a cloud API is a warning"`

	// Line is where the workload's entry starts (its "- name:" line).
	Line int `yaml:"-" json:"-"`
}

// Limits are what `check` enforces.
type Limits struct {
	MonthlyUSD     USD            `yaml:"monthly_usd,omitempty" json:"monthly_usd,omitempty" jsonschema_description:"Limit on the total of all workloads per month"`
	Workloads      WorkloadLimits `yaml:"workloads,omitempty" json:"workloads,omitempty" jsonschema_description:"Per-workload monthly limits: {workload name: USD}"`
	MaxIncreaseUSD USD            `yaml:"max_increase_usd,omitempty" json:"max_increase_usd,omitempty" jsonschema_description:"Largest allowed increase of the total over the --compare-to baseline"`
	MaxIncreasePct Percent        `yaml:"max_increase_pct,omitempty" json:"max_increase_pct,omitempty" jsonschema_description:"Largest allowed increase of the total over the --compare-to baseline, in percent (15 = 15%)"`
}

// Assumptions change how workloads are priced.
type Assumptions struct {
	AsOf      Date           `yaml:"as_of,omitempty" json:"as_of,omitempty" jsonschema_description:"Price date YYYY-MM-DD (default: today)"`
	Discounts Discounts      `yaml:"discounts,omitempty" json:"discounts,omitempty" jsonschema_description:"Negotiated discounts off list price by provider or model id: {anthropic: 0.1} = 10% off"`
	Prices    PriceOverrides `yaml:"prices,omitempty" json:"prices,omitempty" jsonschema_description:"Per-model rate overrides in USD per 1M tokens, keyed by catalog id or alias"`
}

// RateOverride replaces catalog rates (USD per 1M tokens) of one model.
// A negotiated price is flat: it applies at every long-context tier too.
type RateOverride struct {
	Input           USD `yaml:"input,omitempty" json:"input,omitempty"`
	Output          USD `yaml:"output,omitempty" json:"output,omitempty"`
	CachedInput     USD `yaml:"cached_input,omitempty" json:"cached_input,omitempty"`
	CacheWrite5m    USD `yaml:"cache_write_5m,omitempty" json:"cache_write_5m,omitempty"`
	CacheWrite1h    USD `yaml:"cache_write_1h,omitempty" json:"cache_write_1h,omitempty"`
	Reasoning       USD `yaml:"reasoning,omitempty" json:"reasoning,omitempty"`
	BatchMultiplier USD `yaml:"batch_multiplier,omitempty" json:"batch_multiplier,omitempty" jsonschema_description:"Batch price as a multiple of the normal price (0.5 = half price)"`
}
