package catalog

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

const subsetPath = "../../testdata/litellm/litellm-subset-2026-07-24.json"

var subsetDate = time.Date(2026, 7, 24, 0, 0, 0, 0, time.UTC)

func readMappingsFile(t testing.TB) []Mapping {
	t.Helper()
	data, err := os.ReadFile("../../data/mappings.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := DecodeFileStrict(data)
	if err != nil {
		t.Fatalf("data/mappings.yaml: %v", err)
	}
	return f.Mappings
}

func importSubset(t testing.TB) (File, []Skipped) {
	t.Helper()
	r, err := os.Open(subsetPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, sk, err := ImportLiteLLM(r, "litellm-subset-2026-07-24.json", subsetDate, readMappingsFile(t)...)
	if err != nil {
		t.Fatal(err)
	}
	return f, sk
}

// perMillionRat is the test's own conversion: the JSON literal as an exact
// rational times 1e6, with no decimal package involved.
func perMillionRat(t *testing.T, n json.Number) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		t.Fatalf("test cannot parse %q", n)
	}
	return r.Mul(r, big.NewRat(1_000_000, 1))
}

func ratOf(n Num) *big.Rat { return n.D.Rat() }

// TestImportLiteLLMSubsetPricesExact checks every chat model of the subset:
// imported rates equal the source's per-token price × 1e6 exactly, or the
// entry is skipped with a reason.
func TestImportLiteLLMSubsetPricesExact(t *testing.T) {
	file, skipped := importSubset(t)

	raw, err := os.ReadFile(subsetPath)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var src map[string]map[string]any
	if err := dec.Decode(&src); err != nil {
		t.Fatal(err)
	}

	byName := map[string]CloudModel{}
	for _, m := range file.Models {
		byName[m.ID.V] = m
		for _, a := range m.Aliases {
			if _, dup := byName[a]; dup {
				t.Errorf("alias %s names two models", a)
			}
			byName[a] = m
		}
	}
	skippedWhole := map[string]Skipped{}
	for _, s := range skipped {
		if s.Reason == "" || s.Code == "" {
			t.Errorf("skip record without reason or code: %+v", s)
		}
		if !s.Imported {
			skippedWhole[s.Key] = s
		}
	}

	tierKey := regexp.MustCompile(`^input_cost_per_token_above_([0-9]+)(k?)_tokens$`)
	chat := 0
	for key, e := range src {
		if e["mode"] != "chat" && e["mode"] != "responses" {
			if _, ok := skippedWhole[key]; !ok {
				t.Errorf("%s (mode %v) is neither imported nor skipped", key, e["mode"])
			}
			continue
		}
		chat++
		m, ok := byName[key]
		if !ok {
			s, sk := skippedWhole[key]
			if !sk {
				t.Errorf("chat model %s is neither imported nor skipped", key)
			}
			if in, _ := e["input_cost_per_token"].(json.Number); in != "" && s.Code != SkipZeroPrice {
				t.Errorf("%s has a price but was skipped: %s", key, s.Reason)
			}
			continue
		}
		if len(m.Prices) != 1 {
			t.Fatalf("%s: want one price, got %d", key, len(m.Prices))
		}
		p := m.Prices[0]
		check := func(field string, got Num, litellmKey string) {
			t.Helper()
			n, has := e[litellmKey].(json.Number)
			want := (*big.Rat)(nil)
			if has {
				want = perMillionRat(t, n)
				if want.Sign() == 0 {
					want = nil // 0 means unknown in LiteLLM: never imported as $0
				}
			}
			switch {
			case want == nil && got.Set:
				t.Errorf("%s %s: imported %s but LiteLLM has no %s", key, field, got.D, litellmKey)
			case want != nil && !got.Set:
				t.Errorf("%s %s: LiteLLM %s=%s not imported", key, field, litellmKey, n)
			case want != nil && ratOf(got).Cmp(want) != 0:
				t.Errorf("%s %s: imported %s, want %s exactly", key, field, got.D, want.FloatString(12))
			}
		}
		check("input", p.Input, "input_cost_per_token")
		check("output", p.Output, "output_cost_per_token")
		check("cached_input", p.CachedInput, "cache_read_input_token_cost")
		check("cache_write_5m", p.CacheWrite5m, "cache_creation_input_token_cost")
		check("cache_write_1h", p.CacheWrite1h, "cache_creation_input_token_cost_above_1hr")
		check("reasoning", p.Reasoning, "output_cost_per_reasoning_token")

		ctxKey := "max_input_tokens"
		if _, has := e[ctxKey]; !has {
			ctxKey = "max_tokens"
		}
		ctx := e[ctxKey].(json.Number)
		if m.ContextWindow.D.String() != string(ctx) {
			t.Errorf("%s context_window %s, want %s", key, m.ContextWindow.D, ctx)
		}
		if mo, has := e["max_output_tokens"].(json.Number); has && m.MaxOutput.D.String() != string(mo) {
			t.Errorf("%s max_output %s, want %s", key, m.MaxOutput.D, mo)
		}

		bi, hasBI := e["input_cost_per_token_batches"].(json.Number)
		bo, hasBO := e["output_cost_per_token_batches"].(json.Number)
		if hasBI && hasBO {
			rin := new(big.Rat).Quo(perMillionRat(t, bi), perMillionRat(t, e["input_cost_per_token"].(json.Number)))
			rout := new(big.Rat).Quo(perMillionRat(t, bo), perMillionRat(t, e["output_cost_per_token"].(json.Number)))
			if rin.Cmp(rout) == 0 {
				if !p.BatchMultiplier.Set || ratOf(p.BatchMultiplier).Cmp(rin) != 0 {
					t.Errorf("%s batch_multiplier %v, want %s", key, p.BatchMultiplier.D, rin.FloatString(6))
				}
			} else if p.BatchMultiplier.Set {
				t.Errorf("%s: batch ratios differ but a multiplier was imported", key)
			}
		} else if p.BatchMultiplier.Set {
			t.Errorf("%s: batch multiplier without both batch prices", key)
		}

		// Every reachable long-context input key is a tier with that exact rate.
		wantTiers := 0
		for k, v := range e {
			sm := tierKey.FindStringSubmatch(k)
			if sm == nil {
				continue
			}
			at, _ := new(big.Rat).SetString(sm[1])
			if sm[2] == "k" {
				at.Mul(at, big.NewRat(1000, 1))
			}
			ctxRat, _ := new(big.Rat).SetString(string(ctx))
			var tier *Tier
			for i := range p.Tiers {
				if ratOf(p.Tiers[i].AboveTokens).Cmp(at) == 0 {
					tier = &p.Tiers[i]
				}
			}
			if at.Cmp(ctxRat) >= 0 {
				if tier != nil {
					t.Errorf("%s: tier above %s imported although the context is %s", key, at.RatString(), ctx)
				}
				continue
			}
			wantTiers++
			if tier == nil {
				t.Errorf("%s: tier above %s missing", key, at.RatString())
				continue
			}
			if ratOf(tier.Input).Cmp(perMillionRat(t, v.(json.Number))) != 0 {
				t.Errorf("%s: tier input %s, want %s", key, tier.Input.D, v)
			}
			outKey := strings.Replace(k, "input_cost_per_token", "output_cost_per_token", 1)
			wantOut := e["output_cost_per_token"].(json.Number) // LiteLLM falls back to the base rate
			if o, has := e[outKey].(json.Number); has {
				wantOut = o
			}
			if ratOf(tier.Output).Cmp(perMillionRat(t, wantOut)) != 0 {
				t.Errorf("%s: tier output %s, want %s", key, tier.Output.D, wantOut)
			}
		}
		if len(p.Tiers) != wantTiers {
			t.Errorf("%s: %d tiers, want %d", key, len(p.Tiers), wantTiers)
		}
		if !strings.HasPrefix(m.Source, LiteLLMSourcePrefix+" (litellm-subset-2026-07-24.json)") {
			t.Errorf("%s source %q", key, m.Source)
		}
		if s, has := e["source"].(string); has && !strings.HasSuffix(m.Source, "; "+s) {
			t.Errorf("%s source %q lacks the entry's source %q", key, m.Source, s)
		}
		if !m.Verified.Equal(subsetDate) || !p.Verified.Equal(subsetDate) || !p.EffectiveFrom.Equal(subsetDate) {
			t.Errorf("%s: verified/effective_from not the file date", key)
		}
	}
	if chat != 189 {
		t.Errorf("subset has %d chat models, the test expects 189", chat)
	}
}

func TestImportLiteLLMSubsetSpecifics(t *testing.T) {
	file, skipped := importSubset(t)
	models := map[string]CloudModel{}
	for _, m := range file.Models {
		models[m.ID.V] = m
	}
	whole := map[string]string{}
	partial := map[string][]string{}
	for _, s := range skipped {
		if s.Imported {
			partial[s.Key] = append(partial[s.Key], s.Code)
		} else {
			whole[s.Key] = s.Code
		}
	}

	sonnet, ok := models["claude-sonnet-4.5"]
	if !ok {
		t.Fatal("claude-sonnet-4.5 not imported under our id")
	}
	if want := []string{"claude-sonnet-4-5", "claude-sonnet-4-5-20250929"}; !reflect.DeepEqual(sonnet.Aliases, want) {
		t.Errorf("claude-sonnet-4.5 aliases %v, want %v", sonnet.Aliases, want)
	}
	if len(sonnet.Prices[0].Tiers) != 0 {
		t.Error("claude-sonnet-4.5: the unreachable >200k tier was imported")
	}
	if !containsString(partial["claude-sonnet-4-5-20250929"], SkipTierUnreach) {
		t.Errorf("claude-sonnet-4-5-20250929: no tier-unreachable record, got %v", partial["claude-sonnet-4-5-20250929"])
	}
	if whole["deepseek-v3-2-251201"] != SkipZeroPrice {
		t.Errorf("deepseek-v3-2-251201 (0/0 prices) should be skipped as zero-price, got %q", whole["deepseek-v3-2-251201"])
	}
	if whole["gpt-image-1"] != SkipMode {
		t.Errorf("gpt-image-1 should be skipped for its mode, got %q", whole["gpt-image-1"])
	}
	// gpt-4o-2024-05-13 is priced 5/15, unlike gpt-4o: it must stay its own model.
	if m := models["gpt-4o-2024-05-13"]; !m.Prices[0].Input.D.Equal(decimal.NewFromInt(5)) {
		t.Errorf("gpt-4o-2024-05-13 input %s, want 5", m.Prices[0].Input.D)
	}
	gpt4o := models["gpt-4o"]
	if !containsString(gpt4o.Aliases, "gpt-4o-2024-08-06") || !gpt4o.Prices[0].Input.D.Equal(decimal.RequireFromString("2.5")) {
		t.Errorf("gpt-4o: aliases %v input %s", gpt4o.Aliases, gpt4o.Prices[0].Input.D)
	}
	if got := models["gpt-5.4"].Prices[0]; got.BatchMultiplier.D.String() != "0.5" || len(got.Tiers) != 1 || got.Tiers[0].AboveTokens.D.String() != "272000" {
		t.Errorf("gpt-5.4: batch %s tiers %+v", got.BatchMultiplier.D, got.Tiers)
	}
	if haiku := models["claude-3-haiku"]; haiku.Prices[0].CacheWrite1h.D.String() != "6" {
		t.Errorf("claude-3-haiku 1h write %s: the importer must carry LiteLLM's (wrong) 6 for lint to find", haiku.Prices[0].CacheWrite1h.D)
	}
	if g := models["grok-4.5"]; g.Prices[0].CachedInput.D.String() != "0.5" || g.Source != LiteLLMSourcePrefix+" (litellm-subset-2026-07-24.json); https://docs.x.ai/developers/models/grok-4.5" {
		t.Errorf("grok-4.5: cached %s source %q", g.Prices[0].CachedInput.D, g.Source)
	}
	if !containsString(partial["o3-pro"], SkipCachedUnpriced) {
		t.Errorf("o3-pro supports caching without a cache price: want a cached-unpriced record, got %v", partial["o3-pro"])
	}
	if d := models["gemini-2.0-flash"].Deprecated; d.String() != "2026-06-01" {
		t.Errorf("gemini-2.0-flash deprecated %q", d.String())
	}
	for _, m := range file.Models {
		for _, p := range m.Prices {
			if !p.Input.D.IsPositive() || !p.Output.D.IsPositive() {
				t.Errorf("%s imported with a non-positive price", m.ID.V)
			}
		}
	}
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// normaliseForCompare zeroes line numbers and rewrites decimals and dates
// into one canonical form so a decoded file can be compared with the one
// that was written.
func normaliseForCompare(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			normaliseForCompare(v.Elem())
		}
	case reflect.Slice:
		if v.Len() == 0 && v.CanSet() {
			v.Set(reflect.Zero(v.Type()))
		}
		for i := 0; i < v.Len(); i++ {
			normaliseForCompare(v.Index(i))
		}
	case reflect.Struct:
		switch x := v.Addr().Interface().(type) {
		case *decimal.Decimal:
			*x = decimal.RequireFromString(x.String())
			return
		case *time.Time:
			*x = time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
			if x.Year() == 1 {
				*x = time.Time{}
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if v.Type().Field(i).Name == "Line" && f.Kind() == reflect.Int {
				f.SetInt(0)
				continue
			}
			if f.CanSet() {
				normaliseForCompare(f)
			}
		}
	}
}

func TestImportLiteLLMYAMLRoundTripsStrict(t *testing.T) {
	file, _ := importSubset(t)
	data, err := MarshalFileYAML(file, "generated by a test")
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeFileStrict(data)
	if err != nil {
		t.Fatalf("strict decode of the importer's YAML: %v", err)
	}
	if len(back.Models) != len(file.Models) {
		t.Fatalf("round trip: %d models, wrote %d", len(back.Models), len(file.Models))
	}
	normaliseForCompare(reflect.ValueOf(&file).Elem())
	normaliseForCompare(reflect.ValueOf(&back).Elem())
	for i := range file.Models {
		if !reflect.DeepEqual(file.Models[i], back.Models[i]) {
			t.Fatalf("round trip changed %s:\nwrote %+v\nread  %+v", file.Models[i].ID.V, file.Models[i], back.Models[i])
		}
	}
	if !reflect.DeepEqual(file, back) {
		t.Fatal("round trip changed the file")
	}
	if bytes.Contains(data, []byte("!!")) {
		t.Error("YAML carries explicit tags; want plain scalars")
	}
}

func TestWriteFileAtomicReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "litellm.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "new" {
		t.Errorf("content %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x.yaml"), []byte("x")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func importJSON(t *testing.T, js string, mappings ...Mapping) (map[string]CloudModel, []Skipped) {
	t.Helper()
	f, sk, err := ImportLiteLLM(strings.NewReader(js), "test.json", subsetDate, mappings...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]CloudModel{}
	for _, m := range f.Models {
		out[m.ID.V] = m
	}
	return out, sk
}

func codesFor(sk []Skipped, key string) []string {
	var out []string
	for _, s := range sk {
		if s.Key == key {
			out = append(out, s.Code)
		}
	}
	sort.Strings(out)
	return out
}

const base = `"litellm_provider":"openai","mode":"chat","max_input_tokens":128000,"max_output_tokens":4096`

func TestImportLiteLLMCases(t *testing.T) {
	tests := []struct {
		name      string
		entry     string // JSON object body after the base keys
		wantSkip  string // code of a whole-entry skip
		wantCodes []string
		check     func(t *testing.T, m CloudModel)
	}{
		{name: "per-second only", entry: `"input_cost_per_second":0.0001`, wantSkip: SkipNonTokenPrice},
		{name: "per-character only", entry: `"input_cost_per_character":1e-6,"output_cost_per_token":1e-6`, wantSkip: SkipNonTokenPrice},
		{name: "flex only", entry: `"input_cost_per_token_flex":1e-6,"output_cost_per_token_flex":2e-6`, wantSkip: SkipServiceTier},
		{name: "no price", entry: `"supports_vision":true`, wantSkip: SkipNoTokenPrice},
		{name: "zero price", entry: `"input_cost_per_token":0,"output_cost_per_token":1e-6`, wantSkip: SkipZeroPrice},
		{name: "tiered_pricing", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"tiered_pricing":[{"range":[0,32000]}]`, wantSkip: SkipTieredPricing},
		{name: "off-peak", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"off_peak_pricing":{"hours_utc":"16:30-00:30"}`, wantSkip: SkipTimeWindows},
		{name: "string price", entry: `"input_cost_per_token":"1e-6","output_cost_per_token":2e-6`, wantSkip: SkipBadValue},
		{name: "negative price", entry: `"input_cost_per_token":-1e-6,"output_cost_per_token":2e-6`, wantSkip: SkipBadValue},
		{name: "huge exponent", entry: `"input_cost_per_token":1e999999999,"output_cost_per_token":2e-6`, wantSkip: SkipBadValue},
		{
			name: "exact scientific notation", entry: `"input_cost_per_token":2.5e-06,"output_cost_per_token":1e-05,"cache_read_input_token_cost":1.25e-06,"output_cost_per_reasoning_token":1.1e-05`,
			check: func(t *testing.T, m CloudModel) {
				p := m.Prices[0]
				if p.Input.D.String() != "2.5" || p.Output.D.String() != "10" || p.CachedInput.D.String() != "1.25" || p.Reasoning.D.String() != "11" {
					t.Errorf("rates %s %s %s %s", p.Input.D, p.Output.D, p.CachedInput.D, p.Reasoning.D)
				}
			},
		},
		{
			name: "flex dropped, base kept", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"input_cost_per_token_flex":5e-7`,
			wantCodes: []string{SkipServiceTier},
			check: func(t *testing.T, m CloudModel) {
				if !strings.Contains(m.Notes, "input_cost_per_token_flex") {
					t.Errorf("notes %q do not name the dropped flex key", m.Notes)
				}
			},
		},
		{
			name: "batch ratios agree", entry: `"input_cost_per_token":2e-6,"output_cost_per_token":8e-6,"input_cost_per_token_batches":1e-6,"output_cost_per_token_batches":4e-6`,
			check: func(t *testing.T, m CloudModel) {
				if m.Prices[0].BatchMultiplier.D.String() != "0.5" {
					t.Errorf("batch %s", m.Prices[0].BatchMultiplier.D)
				}
			},
		},
		{
			name: "batch ratios differ", entry: `"input_cost_per_token":2e-6,"output_cost_per_token":8e-6,"input_cost_per_token_batches":1e-6,"output_cost_per_token_batches":6e-6`,
			wantCodes: []string{SkipBatch},
			check: func(t *testing.T, m CloudModel) {
				if m.Prices[0].BatchMultiplier.Set || !strings.Contains(m.Notes, "batch dropped") {
					t.Errorf("batch %v notes %q", m.Prices[0].BatchMultiplier, m.Notes)
				}
			},
		},
		{name: "batch one side", entry: `"input_cost_per_token":2e-6,"output_cost_per_token":8e-6,"input_cost_per_token_batches":1e-6`, wantCodes: []string{SkipBatch}},
		{
			name: "cache above input dropped", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"cache_read_input_token_cost":3e-6`,
			wantCodes: []string{SkipCacheAbove},
			check: func(t *testing.T, m CloudModel) {
				if m.Prices[0].CachedInput.Set {
					t.Error("cache read above input imported")
				}
			},
		},
		{
			name: "tiers k and plain, sorted, fallback to base", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"cache_read_input_token_cost":1e-7,
				"input_cost_per_token_above_64000_tokens":1.5e-6,"input_cost_per_token_above_32k_tokens":1.2e-6,"output_cost_per_token_above_32k_tokens":3e-6`,
			check: func(t *testing.T, m CloudModel) {
				tiers := m.Prices[0].Tiers
				if len(tiers) != 2 || tiers[0].AboveTokens.D.String() != "32000" || tiers[1].AboveTokens.D.String() != "64000" {
					t.Fatalf("tiers %+v", tiers)
				}
				if tiers[0].Output.D.String() != "3" || tiers[1].Output.D.String() != "2" || tiers[1].CachedInput.D.String() != "0.1" {
					t.Errorf("tier rates: %s %s %s", tiers[0].Output.D, tiers[1].Output.D, tiers[1].CachedInput.D)
				}
			},
		},
		{
			name: "tier at the context window dropped", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"input_cost_per_token_above_128k_tokens":2e-6`,
			wantCodes: []string{SkipTierUnreach},
			check: func(t *testing.T, m CloudModel) {
				if len(m.Prices[0].Tiers) != 0 {
					t.Error("unreachable tier kept")
				}
			},
		},
		{
			name: "zero cache write left unpriced", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"cache_creation_input_token_cost":0.0`,
			wantCodes: []string{SkipZeroPrice},
			check: func(t *testing.T, m CloudModel) {
				if m.Prices[0].CacheWrite5m.Set {
					t.Error("a 0 cache write was imported as $0")
				}
			},
		},
		{
			name: "caching without a cache price", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"supports_prompt_caching":true`,
			wantCodes: []string{SkipCachedUnpriced},
		},
		{
			name: "legacy cache_hit key", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"input_cost_per_token_cache_hit":1e-7`,
			check: func(t *testing.T, m CloudModel) {
				if m.Prices[0].CachedInput.D.String() != "0.1" {
					t.Errorf("cached %s", m.Prices[0].CachedInput.D)
				}
			},
		},
		{
			name: "context from max_tokens", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"max_input_tokens":null`,
			check: func(t *testing.T, m CloudModel) {
				if m.ContextWindow.D.String() != "128000" {
					t.Errorf("context %s", m.ContextWindow.D)
				}
			},
		},
		{name: "fractional context", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"max_input_tokens":1.5`, wantSkip: SkipBadValue},
		{
			name: "unknown price key noted", entry: `"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"input_cost_per_audio_token":1e-5,"regional_processing_uplift_multiplier_eu":1.1,"supports_new_thing":true`,
			check: func(t *testing.T, m CloudModel) {
				if !strings.Contains(m.Notes, "audio token rates") || !strings.Contains(m.Notes, "regional uplift") || strings.Contains(m.Notes, "supports_new_thing") {
					t.Errorf("notes %q", m.Notes)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entry := strings.Replace(`{`+base+`,`+tt.entry+`}`, `"max_input_tokens":128000,`, "", strings.Count(tt.entry, "max_input_tokens"))
			if strings.Contains(tt.entry, `"max_input_tokens":null`) {
				entry = strings.Replace(entry, `"max_output_tokens":4096`, `"max_tokens":128000`, 1)
			}
			models, sk := importJSON(t, `{"m-1": `+entry+`}`)
			m, imported := models["m-1"]
			if tt.wantSkip != "" {
				if imported {
					t.Fatalf("imported, want skipped as %s", tt.wantSkip)
				}
				if got := codesFor(sk, "m-1"); len(got) != 1 || got[0] != tt.wantSkip {
					t.Fatalf("skip codes %v, want [%s]", got, tt.wantSkip)
				}
				return
			}
			if !imported {
				t.Fatalf("skipped: %+v", sk)
			}
			for _, c := range tt.wantCodes {
				if !containsString(codesFor(sk, "m-1"), c) {
					t.Errorf("no %s record; got %v", c, codesFor(sk, "m-1"))
				}
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestImportLiteLLMIDs(t *testing.T) {
	price := func(in string) string {
		return `{` + base + `,"input_cost_per_token":` + in + `,"output_cost_per_token":4e-6}`
	}
	js := `{
		"openai/gpt-x": {"litellm_provider":"openai","mode":"chat","max_input_tokens":128000,"max_output_tokens":4096,"input_cost_per_token":1e-6,"output_cost_per_token":4e-6},
		"azure/gpt-x": {"litellm_provider":"azure","mode":"chat","max_input_tokens":128000,"max_output_tokens":4096,"input_cost_per_token":2e-6,"output_cost_per_token":4e-6},
		"gpt-x-2025-01-01": ` + price("1e-6") + `,
		"Vendor/Some Model:v1": ` + price("1e-6") + `,
		"anthropic/claude-foo-1-5@20250101": ` + price("1e-6") + `,
		"sample_spec": {"mode":"chat"},
		"broken": 42
	}`
	maps := append([]Mapping{{From: "claude-foo-1-5-20250101", To: "claude-foo-1.5"}},
		MappingsFromModels([]CloudModel{{ID: Ident{V: "gpt-x"}, Aliases: []string{"gpt-x-2025-01-01"}}})...)
	models, sk := importJSON(t, js, maps...)

	gx := models["gpt-x"]
	if want := []string{"gpt-x-2025-01-01", "openai/gpt-x"}; !reflect.DeepEqual(gx.Aliases, want) {
		t.Errorf("gpt-x aliases %v, want %v", gx.Aliases, want)
	}
	// azure/gpt-x normalises to gpt-x too but costs more: renamed, reported.
	az, ok := models["gpt-x-azure"]
	if !ok || !az.Prices[0].Input.D.Equal(decimal.NewFromInt(2)) {
		t.Errorf("azure/gpt-x not imported as gpt-x-azure: %v", keysOf(models))
	}
	if got := codesFor(sk, "azure/gpt-x"); !reflect.DeepEqual(got, []string{SkipCollision}) {
		t.Errorf("azure/gpt-x records %v", got)
	}
	if got := codesFor(sk, "gpt-x-2025-01-01"); !reflect.DeepEqual(got, []string{SkipMerged}) {
		t.Errorf("gpt-x-2025-01-01 records %v", got)
	}
	if m, ok := models["some-model-v1"]; !ok || !reflect.DeepEqual(m.Aliases, []string{"Vendor/Some Model:v1"}) {
		t.Errorf("normalised id missing or alias lost: %v", keysOf(models))
	}
	if _, ok := models["claude-foo-1.5"]; !ok {
		t.Errorf("mapping through the normalised name failed: %v", keysOf(models))
	}
	if codesFor(sk, "sample_spec")[0] != SkipMode || codesFor(sk, "broken")[0] != SkipNotObject {
		t.Errorf("sample_spec/broken: %v %v", codesFor(sk, "sample_spec"), codesFor(sk, "broken"))
	}

	// Deterministic: the same input gives the same output.
	again, sk2 := importJSON(t, js, maps...)
	if !reflect.DeepEqual(models, again) || !reflect.DeepEqual(sk, sk2) {
		t.Error("import is not deterministic")
	}
}

func TestImportLiteLLMMappingOrderPicksCanonical(t *testing.T) {
	entry := func(dep string) string {
		return `{` + base + `,"input_cost_per_token":1e-6,"output_cost_per_token":4e-6` + dep + `}`
	}
	js := `{"a-legacy-name": ` + entry("") + `, "z-canonical-name": ` + entry(`,"deprecation_date":"2026-05-14"`) + `}`
	maps := []Mapping{{From: "z-canonical-name", To: "m"}, {From: "a-legacy-name", To: "m"}}
	models, sk := importJSON(t, js, maps...)
	if m := models["m"]; !reflect.DeepEqual(m.Aliases, []string{"z-canonical-name"}) {
		t.Errorf("m should be the first-mapped name, got aliases %v", m.Aliases)
	}
	if _, ok := models["a-legacy-name"]; !ok || !reflect.DeepEqual(codesFor(sk, "a-legacy-name"), []string{SkipCollision}) {
		t.Errorf("the other name should be imported under its own id and reported: %v %v", keysOf(models), codesFor(sk, "a-legacy-name"))
	}
}

func keysOf(m map[string]CloudModel) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestNormaliseID(t *testing.T) {
	tests := map[string]string{
		"gpt-4o":                           "gpt-4o",
		"openai/GPT-4o":                    "gpt-4o",
		"bedrock/us.anthropic.claude:v1:0": "us.anthropic.claude-v1-0",
		"a__b  c":                          "a-b-c",
		"///":                              "model",
		"-x-":                              "x",
	}
	for in, want := range tests {
		if got := NormaliseID(in); got != want {
			t.Errorf("NormaliseID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestImportLiteLLMRejectsNonObject(t *testing.T) {
	for _, in := range []string{"", "[]", "null", "{", `"x"`} {
		if _, _, err := ImportLiteLLM(strings.NewReader(in), "x.json", subsetDate); err == nil {
			t.Errorf("ImportLiteLLM(%q) succeeded", in)
		}
	}
}

func FuzzImportLiteLLM(f *testing.F) {
	f.Add(`{"m":{` + base + `,"input_cost_per_token":2.5e-06,"output_cost_per_token":1e-05}}`)
	f.Add(`{"m":{` + base + `,"input_cost_per_token":1e-6,"output_cost_per_token":2e-6,"input_cost_per_token_above_1k_tokens":3e-6,"input_cost_per_token_batches":5e-7,"output_cost_per_token_batches":1e-6}}`)
	f.Add(`{"a/m":{"mode":"chat","max_tokens":10,"input_cost_per_token":1,"output_cost_per_token":1},"b/m":{"mode":"chat","max_tokens":10,"input_cost_per_token":0.5,"output_cost_per_token":1}}`)
	f.Add(`{"m":{"mode":"chat","max_tokens":1e3,"input_cost_per_token":1E-700,"output_cost_per_token":9e+5}}`)
	f.Add(`{"m":[]}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, in string) {
		file, sk, err := ImportLiteLLM(strings.NewReader(in), "fuzz.json", subsetDate)
		if err != nil {
			return
		}
		for _, s := range sk {
			if s.Reason == "" {
				t.Fatalf("empty reason: %+v", s)
			}
		}
		ids := map[string]bool{}
		for _, m := range file.Models {
			if ids[m.ID.V] {
				t.Fatalf("duplicate id %s", m.ID.V)
			}
			ids[m.ID.V] = true
			p := m.Prices[0]
			if !p.Input.Set || !p.Output.Set || !p.Input.D.IsPositive() || !p.Output.D.IsPositive() {
				t.Fatalf("%s imported without a positive input/output price", m.ID.V)
			}
			if p.CachedInput.Set && p.CachedInput.D.GreaterThan(p.Input.D) {
				t.Fatalf("%s cache read above input", m.ID.V)
			}
			for _, tier := range p.Tiers {
				if tier.AboveTokens.D.GreaterThanOrEqual(m.ContextWindow.D) {
					t.Fatalf("%s tier at/above context", m.ID.V)
				}
			}
		}
		data, err := MarshalFileYAML(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeFileStrict(data); err != nil {
			t.Fatalf("output does not decode strictly: %v\n%s", err, data)
		}
	})
}
