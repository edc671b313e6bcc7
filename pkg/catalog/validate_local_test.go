package catalog_test

import (
	"strings"
	"testing"
)

const goodGPU = `schema_version: 1
gpus:
  - id: card
    vendor: nvidia
    class: consumer
    memory: gddr
    vram_gb: 24
    bandwidth_gbs: 1000
    unverified_fields: [tdp_w]
    tdp_w: 450
    source: spec sheet
    verified: 2026-01-01
open_models:
  - id: m
    params_b: 8
    layers: 32
    heads: 32
    kv_heads: 8
    head_dim: 128
    max_context: 8192
    sliding_window: 4096
    sliding_layers: 16
    source: card
    verified: 2026-01-01
`

func TestLocalFieldsValidated(t *testing.T) {
	if _, err := load(t, map[string]string{"a.yaml": goodGPU}); err != nil {
		t.Fatalf("good file rejected: %v", err)
	}
	cases := []struct{ name, from, to, want string }{
		{"memory type", "memory: gddr", "memory: sram", `cat/a.yaml:3: memory: "sram" is not one of gddr, hbm, unified`},
		{"unverified field typo", "unverified_fields: [tdp_w]", "unverified_fields: [tdp]", `unverified_fields: "tdp" is not a field`},
		{"window missing", "    sliding_window: 4096\n", "", "sliding_layers: needs sliding_window"},
		{"negative window", "sliding_window: 4096", "sliding_window: -1", "sliding_window"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, map[string]string{"a.yaml": strings.Replace(goodGPU, tc.from, tc.to, 1)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// Defaults outside the ranges the flags take are typos: --catalog DIR with
// amortization_months: 1e-400 would print a 400-digit bill.
func TestDefaultsRanges(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"amortization_months: 1e-400", "defaults.amortization_months: must be from 1 to 1200"},
		{"amortization_months: 5000", "defaults.amortization_months: must be from 1 to 1200"},
		{"amortization_months: 0", "defaults.amortization_months: must be greater than zero"},
		{"pue: 1e400", "defaults.pue: must be from 1 to 10"},
		{"pue: 0.5", "defaults.pue: must be from 1 to 10"},
		{"hours_per_month: 1000", "defaults.hours_per_month: must be from 1 to 744"},
	} {
		_, err := load(t, map[string]string{"d.yaml": "schema_version: 1\ndefaults:\n  " + tc.yaml + "\n"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.yaml, err, tc.want)
		}
		if err != nil && strings.Count(err.Error(), "defaults.") > 1 {
			t.Errorf("%s: one value, several issues: %v", tc.yaml, err)
		}
	}
	if _, err := load(t, map[string]string{"d.yaml": "schema_version: 1\ndefaults:\n  amortization_months: 48\n  pue: 1.4\n  hours_per_month: 720\n"}); err != nil {
		t.Errorf("sane defaults rejected: %v", err)
	}
}
