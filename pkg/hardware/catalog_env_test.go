package hardware

import (
	"errors"
	"os"
	"testing"

	"github.com/llmcost/llmcost/internal/localcatalog"
	"github.com/llmcost/llmcost/pkg/catalog"
)

func TestParseSpec(t *testing.T) {
	cases := []struct {
		in   string
		want Spec
		ok   bool
	}{
		{"llama-3.1-8b@rtx-4090", Spec{Model: "llama-3.1-8b", GPU: "rtx-4090"}, true},
		{"llama-3.1-70b@rtx-4090:q4_k_mx2", Spec{Model: "llama-3.1-70b", GPU: "rtx-4090", Quant: "q4_k_m", GPUs: 2}, true},
		{"llama-3.1-70b@rtx-4090x2", Spec{Model: "llama-3.1-70b", GPU: "rtx-4090", GPUs: 2}, true},
		{"a@b@c", Spec{}, false},
		{"a@bx0", Spec{}, false},
		{"llama-3.1-8b@rtx4090", Spec{Model: "llama-3.1-8b", GPU: "rtx4090"}, true}, // the alias, not "rt" x 4090
		{"llama-3.1-8b@rtx-4090x5000", Spec{}, false},
		{"a", Spec{}, false},
	}
	for _, tc := range cases {
		got, err := ParseSpec(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		if err != nil {
			var se *SpecError
			if !errors.As(err, &se) || !se.BadInput() {
				t.Errorf("%q: error %T is not a bad-input SpecError", tc.in, err)
			}
			continue
		}
		got.Text = ""
		if got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// Env over the real loader: aliases resolve (benchmark rows included), and
// Place gives an unsized spec as many GPUs as it needs.
func TestEnvPlace(t *testing.T) {
	cat, err := catalog.Load(catalog.Source{FS: os.DirFS(localcatalog.Dir()), Origin: "data/local"})
	if err != nil {
		t.Fatal(err)
	}
	env, err := NewEnv(cat)
	if err != nil {
		t.Fatal(err)
	}
	r, err := env.Place(Spec{Model: "llama3.1-70b", GPU: "rtx4090"}, Request{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "llama-3.1-70b" || r.GPU != "rtx-4090" || r.Quant != "q4_k_m" || r.GPUs != 2 || !r.Fits || r.Decode.Basis != Measured {
		t.Errorf("place: %+v", r)
	}
	fixed, _ := env.Place(Spec{Model: "llama-3.1-70b", GPU: "rtx-4090", GPUs: 1}, Request{})
	if fixed.Fits || fixed.GPUsNeeded != 2 {
		t.Errorf("x1 must not fit: %+v", fixed)
	}
	oss, _ := env.Place(Spec{Model: "gpt-oss-20b", GPU: "dgx-spark"}, Request{})
	if oss.Quant != "mxfp4" || oss.Decode.Value != 81.11 {
		t.Errorf("gpt-oss default quant and measured row: %s %v", oss.Quant, oss.Decode)
	}
	if _, err := env.Place(Spec{Model: "nope", GPU: "rtx-4090"}, Request{}); err == nil {
		t.Error("unknown model placed")
	}
	if _, err := env.Place(Spec{Model: "mistral-7b", GPU: "rtx-4090"}, Request{ContextTokens: 1 << 20}); err == nil {
		t.Error("context above max_context placed")
	}
}
