package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Skipped records a LiteLLM entry, or part of one, that the importer could
// not represent. Imported is true when the entry was imported and only the
// part named by Reason was dropped or changed.
type Skipped struct {
	Key      string `json:"key"`
	Code     string `json:"code"`
	Reason   string `json:"reason"`
	Imported bool   `json:"imported"`
}

// Skip codes group Skipped records for reports.
const (
	SkipMode           = "mode"             // not a chat model
	SkipNotObject      = "not-object"       // entry is not a JSON object
	SkipNoTokenPrice   = "no-token-price"   // no input/output per-token price
	SkipNonTokenPrice  = "non-token-price"  // per-second/character/image pricing only
	SkipServiceTier    = "service-tier"     // only flex/priority prices, or they were dropped
	SkipZeroPrice      = "zero-price"       // a 0 rate, which LiteLLM also uses for "unknown"
	SkipBadValue       = "bad-value"        // not a number, negative, implausible
	SkipNoContext      = "no-context"       // no max_input_tokens / max_tokens
	SkipTieredPricing  = "tiered-pricing"   // range-based tiered_pricing list
	SkipTimeWindows    = "time-windows"     // off_peak_pricing / pricing_periods
	SkipTierUnreach    = "tier-unreachable" // tier threshold at or above the context window
	SkipBatch          = "batch"            // batch prices that are not one multiplier
	SkipCacheAbove     = "cache-above-input"
	SkipCachedUnpriced = "cached-unpriced" // caching supported, no cache-read price
	SkipUnrepresented  = "unrepresented"   // price keys llmcost has no field for
	SkipCollision      = "collision"       // id clash, renamed
	SkipMerged         = "merged"          // same prices as another key, kept as an alias
)

// LiteLLMSourcePrefix starts the source of every imported model.
const LiteLLMSourcePrefix = "LiteLLM model_prices_and_context_window.json"

var (
	tierSuffix   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.+)_above_([0-9]+)(k?)_tokens$`) })
	perMillion   = decimal.New(1, 6)
	maxTokenSize = decimal.New(1, 12) // no model has a trillion-token context
)

// rateKeys maps LiteLLM's per-token rate keys to llmcost's rate fields.
var rateKeys = map[string]func(*Rates) *Num{
	"input_cost_per_token":                      func(r *Rates) *Num { return &r.Input },
	"output_cost_per_token":                     func(r *Rates) *Num { return &r.Output },
	"cache_read_input_token_cost":               func(r *Rates) *Num { return &r.CachedInput },
	"cache_creation_input_token_cost":           func(r *Rates) *Num { return &r.CacheWrite5m },
	"cache_creation_input_token_cost_above_1hr": func(r *Rates) *Num { return &r.CacheWrite1h },
	"output_cost_per_reasoning_token":           func(r *Rates) *Num { return &r.Reasoning },
}

// rateKeyOrder keeps notes deterministic.
var rateKeyOrder = []string{
	"input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
	"cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr",
	"output_cost_per_reasoning_token",
}

// rateFieldNames are the YAML names of Rates' fields, for messages.
var rateFieldNames = map[string]string{
	"input_cost_per_token":                      "input",
	"output_cost_per_token":                     "output",
	"cache_read_input_token_cost":               "cached_input",
	"cache_creation_input_token_cost":           "cache_write_5m",
	"cache_creation_input_token_cost_above_1hr": "cache_write_1h",
	"output_cost_per_reasoning_token":           "reasoning",
}

// metadataKeys never change a price.
var metadataKeys = map[string]bool{
	"litellm_provider": true, "mode": true, "max_input_tokens": true, "max_output_tokens": true,
	"max_tokens": true, "source": true, "deprecation_date": true, "rpm": true, "tpm": true,
	"prompt_cache_min_tokens": true, "tool_use_system_prompt_tokens": true, "multi_vendor": true,
	"web_search_billing_unit": true, "metadata": true, "comment": true, "aliases": true,
}

// providerNames maps LiteLLM provider names to llmcost's.
var providerNames = map[string]string{
	"vertex_ai-language-models": "google",
	"gemini":                    "google",
	"vertex_ai":                 "google",
	"text-completion-openai":    "openai",
	"bedrock":                   "aws-bedrock",
	"bedrock_converse":          "aws-bedrock",
	"azure":                     "azure",
}

// ImportLiteLLM converts LiteLLM's model_prices_and_context_window.json into
// catalog cloud models. Only chat models (mode chat or responses) with a
// per-token input and output price are imported; everything else is listed
// in the returned Skipped records with a reason, never imported at $0.
// Numbers are read as exact decimals. asOf is the date of the LiteLLM file:
// it becomes every price's effective_from and verified date. mappings turn
// LiteLLM keys into catalog ids (see MappingsFromModels for catalog aliases).
func ImportLiteLLM(r io.Reader, sourceName string, asOf time.Time, mappings ...Mapping) (File, []Skipped, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return File{}, nil, fmt.Errorf("reading LiteLLM file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return File{}, nil, fmt.Errorf("LiteLLM file %s: %w", sourceName, err)
	}
	if raw == nil {
		return File{}, nil, fmt.Errorf("LiteLLM file %s: expected a JSON object of models", sourceName)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	day := Date{Time: time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)}
	var skipped []Skipped
	var cands []idCandidate
	for _, key := range keys {
		if key == "sample_spec" {
			skipped = append(skipped, Skipped{Key: key, Code: SkipMode, Reason: "LiteLLM's sample_spec documents the format; it is not a model"})
			continue
		}
		m, recs, ok := convertLiteLLMEntry(key, raw[key], sourceName, day)
		skipped = append(skipped, recs...)
		if ok {
			cands = append(cands, idCandidate{key: key, model: m})
		}
	}
	models, recs := assignIDs(cands, mappings)
	skipped = append(skipped, recs...)
	sort.SliceStable(skipped, func(i, j int) bool { return skipped[i].Key < skipped[j].Key })
	return File{SchemaVersion: 1, Models: models}, skipped, nil
}

// entryNotes collects what an entry loses on import, grouped for its notes.
type entryNotes struct {
	dropped map[string][]string // reason -> keys
	other   []string
}

func (n *entryNotes) drop(reason, key string) {
	if n.dropped == nil {
		n.dropped = map[string][]string{}
	}
	n.dropped[reason] = append(n.dropped[reason], key)
}

func (n *entryNotes) String() string {
	var parts []string
	reasons := make([]string, 0, len(n.dropped))
	for r := range n.dropped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		ks := n.dropped[r]
		sort.Strings(ks)
		parts = append(parts, fmt.Sprintf("%s not imported (%s)", r, strings.Join(ks, ", ")))
	}
	parts = append(parts, n.other...)
	if len(parts) == 0 {
		return ""
	}
	return "From LiteLLM: " + strings.Join(parts, "; ") + "."
}

// convertLiteLLMEntry converts one entry. ok is false when the entry is
// skipped whole; recs explains every skip or partial drop.
func convertLiteLLMEntry(key string, msg json.RawMessage, sourceName string, day Date) (m CloudModel, recs []Skipped, ok bool) {
	skip := func(code, format string, args ...any) (CloudModel, []Skipped, bool) {
		return CloudModel{}, append(recs, Skipped{Key: key, Code: code, Reason: fmt.Sprintf(format, args...)}), false
	}
	partial := func(code, format string, args ...any) {
		recs = append(recs, Skipped{Key: key, Code: code, Reason: fmt.Sprintf(format, args...), Imported: true})
	}

	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.UseNumber()
	var e map[string]any
	if err := dec.Decode(&e); err != nil || e == nil {
		return skip(SkipNotObject, "entry is not a JSON object")
	}
	mode, _ := e["mode"].(string)
	if mode != "chat" && mode != "responses" {
		if mode == "" {
			return skip(SkipMode, "no mode; only chat and responses models are imported")
		}
		return skip(SkipMode, "mode %q is not a chat model; only chat and responses models are imported", mode)
	}
	for _, k := range []string{"tiered_pricing"} {
		if _, has := e[k]; has {
			return skip(SkipTieredPricing, "%s picks one rate per prompt-length range; llmcost tiers cannot represent it faithfully", k)
		}
	}
	for _, k := range []string{"off_peak_pricing", "pricing_periods"} {
		if _, has := e[k]; has {
			return skip(SkipTimeWindows, "%s makes the rate depend on when the request is made; its base rate is not the price at all times", k)
		}
	}

	var notes entryNotes
	var base Rates
	tiers := map[string]*Tier{} // threshold string -> tier
	var batchIn, batchOut *decimal.Decimal
	var serviceOnly []string // flex/priority keys
	var nonToken []string    // per-second/character/image keys
	var cacheHit *decimal.Decimal

	ekeys := make([]string, 0, len(e))
	for k := range e {
		ekeys = append(ekeys, k)
	}
	sort.Strings(ekeys)
	for _, k := range ekeys {
		v := e[k]
		if metadataKeys[k] || strings.HasPrefix(k, "supports_") || strings.HasPrefix(k, "supported_") ||
			strings.HasPrefix(k, "_") || strings.HasPrefix(k, "gemini_") {
			continue
		}
		if k == "input_cost_per_token_batches" || k == "output_cost_per_token_batches" {
			d, err := perTokenToPerMillion(v)
			if err != nil {
				return skip(SkipBadValue, "%s: %v", k, err)
			}
			if k == "input_cost_per_token_batches" {
				batchIn = &d
			} else {
				batchOut = &d
			}
			continue
		}
		if k == "input_cost_per_token_cache_hit" {
			d, err := perTokenToPerMillion(v)
			if err != nil {
				return skip(SkipBadValue, "%s: %v", k, err)
			}
			cacheHit = &d
			continue
		}
		if strings.HasSuffix(k, "_flex") || strings.HasSuffix(k, "_priority") {
			serviceOnly = append(serviceOnly, k)
			continue
		}
		if strings.HasSuffix(k, "_batches") {
			notes.drop("batch rates for cached or long-context tokens", k)
			partial(SkipBatch, "%s: llmcost applies one batch multiplier to every rate; this key has no field", k)
			continue
		}
		if set, isRate := rateKeys[k]; isRate {
			d, err := perTokenToPerMillion(v)
			if err != nil {
				return skip(SkipBadValue, "%s: %v", k, err)
			}
			if d.IsZero() && k != "input_cost_per_token" && k != "output_cost_per_token" {
				notes.drop("zero rates (LiteLLM also writes 0 for unknown)", k)
				partial(SkipZeroPrice, "%s is 0; LiteLLM uses 0 for unknown as well as free, so it is left unpriced rather than imported as $0", k)
				continue
			}
			*set(&base) = N(d)
			continue
		}
		if sm := tierSuffix().FindStringSubmatch(k); sm != nil {
			if set, isRate := rateKeys[sm[1]]; isRate {
				n, err := decimal.NewFromString(sm[2])
				if err != nil || len(sm[2]) > 9 {
					return skip(SkipBadValue, "%s: bad token threshold", k)
				}
				if sm[3] == "k" {
					n = n.Mul(decimal.New(1, 3))
				}
				d, err := perTokenToPerMillion(v)
				if err != nil {
					return skip(SkipBadValue, "%s: %v", k, err)
				}
				if d.IsZero() {
					notes.drop("zero rates (LiteLLM also writes 0 for unknown)", k)
					partial(SkipZeroPrice, "%s is 0; left unpriced rather than imported as $0", k)
					continue
				}
				t := tiers[n.String()]
				if t == nil {
					t = &Tier{AboveTokens: N(n)}
					tiers[n.String()] = t
				}
				*set(&t.Rates) = N(d)
				continue
			}
		}
		if strings.Contains(k, "per_second") || strings.Contains(k, "per_character") ||
			strings.Contains(k, "per_image") || strings.Contains(k, "per_pixel") || strings.Contains(k, "per_page") {
			nonToken = append(nonToken, k)
			continue
		}
		if strings.Contains(k, "cost") || strings.Contains(k, "price") || strings.Contains(k, "multiplier") ||
			strings.Contains(k, "uplift") || k == "provider_specific_entry" {
			notes.drop(unrepresentedGroup(k), k)
			continue
		}
		// Anything else (capability flags we do not know yet) cannot change a price.
	}

	if cacheHit != nil {
		switch {
		case !base.CachedInput.Set && !cacheHit.IsZero():
			base.CachedInput = N(*cacheHit)
			notes.other = append(notes.other, "cached_input from the legacy input_cost_per_token_cache_hit")
		case base.CachedInput.Set && !base.CachedInput.D.Equal(*cacheHit):
			notes.other = append(notes.other, fmt.Sprintf("input_cost_per_token_cache_hit (%s) disagrees with cache_read_input_token_cost; the latter is used", cacheHit.String()))
		}
	}

	if !base.Input.Set || !base.Output.Set {
		missing := "input_cost_per_token"
		if base.Input.Set {
			missing = "output_cost_per_token"
		} else if !base.Output.Set {
			missing = "input_cost_per_token and output_cost_per_token"
		}
		switch {
		case len(nonToken) > 0:
			sort.Strings(nonToken)
			return skip(SkipNonTokenPrice, "no %s; priced only by %s, which llmcost cannot represent per token", missing, strings.Join(nonToken, ", "))
		case len(serviceOnly) > 0:
			return skip(SkipServiceTier, "no %s; only flex/priority rates (%s), not the standard rate", missing, strings.Join(serviceOnly, ", "))
		default:
			return skip(SkipNoTokenPrice, "no %s", missing)
		}
	}
	if base.Input.D.IsZero() || base.Output.D.IsZero() {
		return skip(SkipZeroPrice, "input or output price is 0; LiteLLM uses 0 for unknown as well as free, and llmcost never imports an unknown price as $0")
	}
	if len(serviceOnly) > 0 {
		notes.drop("flex and priority rates", strings.Join(serviceOnly, ", "))
		partial(SkipServiceTier, "flex/priority rates dropped (%s); the standard rate is imported", strings.Join(serviceOnly, ", "))
	}
	if len(nonToken) > 0 {
		notes.drop("non-token prices", strings.Join(nonToken, ", "))
		partial(SkipNonTokenPrice, "per-image/second/character prices dropped (%s); token rates imported", strings.Join(nonToken, ", "))
	}

	ctxWin, ctxKey, err := tokenCount(e, "max_input_tokens", "max_tokens")
	if err != nil {
		return skip(SkipBadValue, "%v", err)
	}
	if !ctxWin.Set {
		return skip(SkipNoContext, "no max_input_tokens or max_tokens, so no context window")
	}
	if ctxKey == "max_tokens" {
		notes.other = append(notes.other, "context window from max_tokens (no max_input_tokens)")
	}
	maxOut, _, err := tokenCount(e, "max_output_tokens")
	if err != nil {
		return skip(SkipBadValue, "%v", err)
	}

	if base.CachedInput.Set && base.CachedInput.D.GreaterThan(base.Input.D) {
		partial(SkipCacheAbove, "cache_read_input_token_cost %s/M is above the input price %s/M; dropped", base.CachedInput.D, base.Input.D)
		notes.other = append(notes.other, fmt.Sprintf("cache read %s/M above input dropped", base.CachedInput.D))
		base.CachedInput = Num{}
	}
	if !base.CachedInput.Set {
		if b, _ := e["supports_prompt_caching"].(bool); b {
			partial(SkipCachedUnpriced, "supports_prompt_caching is true but there is no cache-read price: LiteLLM bills cached tokens at $0; imported without one, so llmcost refuses to price cached tokens")
			notes.other = append(notes.other, "supports prompt caching but has no cache-read price (LiteLLM would bill cached tokens at $0)")
		}
	}

	// Tiers: a missing tier rate falls back to the base rate (LiteLLM's rule);
	// a tier rate for a kind the base does not price is meaningless, so dropped.
	thresholds := make([]*Tier, 0, len(tiers))
	for _, t := range tiers {
		thresholds = append(thresholds, t)
	}
	sort.Slice(thresholds, func(i, j int) bool { return thresholds[i].AboveTokens.D.LessThan(thresholds[j].AboveTokens.D) })
	var keptTiers []Tier
	for _, t := range thresholds {
		at := t.AboveTokens.D
		if at.GreaterThanOrEqual(ctxWin.D) {
			partial(SkipTierUnreach, "long-context tier above %s tokens is unreachable: the context window (%s) is %s; tier dropped", at, ctxKey, ctxWin.D)
			notes.other = append(notes.other, fmt.Sprintf("tier above %s tokens dropped: unreachable under the %s-token context window", at, ctxWin.D))
			continue
		}
		for _, baseKey := range rateKeyOrder {
			field := rateKeys[baseKey]
			tf, bf := field(&t.Rates), field(&base)
			switch {
			case !tf.Set && bf.Set:
				*tf = *bf
			case tf.Set && !bf.Set:
				notes.other = append(notes.other, fmt.Sprintf("%s above %s tokens dropped: no base %s", rateFieldNames[baseKey], at, rateFieldNames[baseKey]))
				partial(SkipUnrepresented, "%s_above_%s_tokens has no base %s to go with; dropped", baseKey, at, baseKey)
				*tf = Num{}
			}
		}
		if t.CachedInput.Set && t.CachedInput.D.GreaterThan(t.Input.D) {
			partial(SkipCacheAbove, "tier above %s: cache read above input; dropped", at)
			t.CachedInput = Num{}
		}
		keptTiers = append(keptTiers, *t)
	}

	var batch Num
	switch {
	case batchIn != nil && batchOut != nil:
		rin := batchIn.DivRound(base.Input.D, 16)
		rout := batchOut.DivRound(base.Output.D, 16)
		exact := rin.Mul(base.Input.D).Equal(*batchIn) && rout.Mul(base.Output.D).Equal(*batchOut)
		switch {
		case !rin.Equal(rout) || !exact:
			partial(SkipBatch, "batch input ratio %s and output ratio %s differ; no single batch multiplier, batch dropped", rin, rout)
			notes.other = append(notes.other, fmt.Sprintf("batch dropped: input ×%s and output ×%s differ", rin, rout))
		case !rin.IsPositive() || rin.GreaterThan(decimal.New(1, 0)):
			partial(SkipBatch, "batch multiplier %s is not in (0, 1]; dropped", rin)
			notes.other = append(notes.other, fmt.Sprintf("batch multiplier %s dropped", rin))
		default:
			batch = N(rin)
		}
	case batchIn != nil || batchOut != nil:
		partial(SkipBatch, "only one of input_cost_per_token_batches / output_cost_per_token_batches; batch dropped")
		notes.other = append(notes.other, "batch dropped: only one side has a batch rate")
	}

	provider, _ := e["litellm_provider"].(string)
	source := fmt.Sprintf("%s (%s)", LiteLLMSourcePrefix, sourceName)
	if s, _ := e["source"].(string); s != "" {
		source += "; " + s
	}
	m = CloudModel{
		Provider:      normaliseProvider(provider),
		ContextWindow: ctxWin,
		MaxOutput:     maxOut,
		Source:        source,
		Verified:      day,
		Prices: []Price{{
			EffectiveFrom:   day,
			Rates:           base,
			BatchMultiplier: batch,
			Tiers:           keptTiers,
			Source:          source,
			Verified:        day,
		}},
	}
	if ds, _ := e["deprecation_date"].(string); ds != "" {
		if t, err := time.Parse(time.DateOnly, ds); err == nil {
			m.Deprecated = Date{Time: t}
		} else {
			notes.other = append(notes.other, fmt.Sprintf("deprecation_date %q is not YYYY-MM-DD", ds))
		}
	}
	m.Notes = notes.String()
	return m, recs, true
}

// unrepresentedGroup names a family of price keys for notes.
func unrepresentedGroup(k string) string {
	switch {
	case strings.Contains(k, "audio"):
		return "audio token rates"
	case strings.Contains(k, "image") || strings.Contains(k, "video"):
		return "image/video token rates"
	case strings.Contains(k, "search"):
		return "web search per-query prices"
	case strings.Contains(k, "uplift") || strings.Contains(k, "regional"):
		return "regional uplift multipliers"
	case k == "provider_specific_entry":
		return "provider-specific multipliers"
	default:
		return "other price keys"
	}
}

func normaliseProvider(p string) string {
	if n, ok := providerNames[p]; ok {
		return n
	}
	if p == "" {
		return "unknown"
	}
	return p
}

// perTokenToPerMillion reads a JSON number as an exact decimal and scales
// USD per token to USD per 1M tokens.
func perTokenToPerMillion(v any) (decimal.Decimal, error) {
	n, ok := v.(json.Number)
	if !ok {
		return decimal.Decimal{}, fmt.Errorf("expected a number, got %T", v)
	}
	d, err := exactDecimal(n)
	if err != nil {
		return d, err
	}
	if d.IsNegative() {
		return d, fmt.Errorf("negative price %s", n)
	}
	d = d.Mul(perMillion)
	if d.GreaterThan(decimal.New(1, 6)) {
		return d, fmt.Errorf("implausible price %s per token", n)
	}
	return d, nil
}

// exactDecimal parses a JSON number without float64, refusing exponents
// that would make its text enormous.
func exactDecimal(n json.Number) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(string(n))
	if err != nil {
		return d, fmt.Errorf("%q is not a number", n)
	}
	if e := d.Exponent(); e < -40 || e > 20 || d.NumDigits() > 40 {
		return d, fmt.Errorf("implausible number %s", n)
	}
	return d, nil
}

// tokenCount reads the first present key as a positive whole token count.
func tokenCount(e map[string]any, keys ...string) (Num, string, error) {
	for _, k := range keys {
		v, has := e[k]
		if !has || v == nil {
			continue
		}
		n, ok := v.(json.Number)
		if !ok {
			return Num{}, k, fmt.Errorf("%s: expected a number, got %T", k, v)
		}
		d, err := exactDecimal(n)
		if err != nil {
			return Num{}, k, fmt.Errorf("%s: %v", k, err)
		}
		if !d.IsInteger() || !d.IsPositive() || d.GreaterThan(maxTokenSize) {
			return Num{}, k, fmt.Errorf("%s: %s is not a plausible token count", k, n)
		}
		return N(d), k, nil
	}
	return Num{}, "", nil
}
