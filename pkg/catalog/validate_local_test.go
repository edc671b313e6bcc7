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
