package route

import (
	"strings"
	"testing"
)

func shadowPolicy(t *testing.T, shadow string) (*Policy, []Issue, error) {
	t.Helper()
	return ParsePolicy("route.yaml", []byte(goodPolicy+shadow), Options{CheckPrice: checkPrice})
}

func TestShadowSectionParsesWithLine(t *testing.T) {
	p, warns, err := shadowPolicy(t, "shadow: {to: local-llama, sample: 0.1}\n")
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	if p.Shadow.To != "local-llama" || *p.Shadow.Sample != 0.1 || p.Shadow.Line != 27 {
		t.Fatalf("shadow %+v", p.Shadow)
	}
	s := p.ShadowSampler(func() float64 { return 0.09 })
	if !s.Sample() || p.ShadowSampler(func() float64 { return 0.1 }).Sample() {
		t.Fatal("ShadowSampler must sample below shadow.sample only")
	}
	none, _, _ := shadowPolicy(t, "")
	if none.ShadowSampler(func() float64 { return 0 }).Sample() {
		t.Fatal("no shadow section, no samples")
	}
}

func TestShadowSectionErrors(t *testing.T) {
	for _, tc := range []struct{ shadow, want string }{
		{"shadow:\n  to: gpu-box\n  sample: 0.1\n", "route.yaml:28: shadow.to: unknown backend \"gpu-box\" (backends: claude, local-llama)"},
		{"shadow:\n  to: claude\n  sample: 1.5\n", "route.yaml:29: shadow.sample: 1.5 is outside [0, 1]"},
		{"shadow:\n  to: claude\n  sample: -0.1\n", "route.yaml:29: shadow.sample: -0.1 is outside [0, 1]"},
		{"shadow:\n  to: claude\n  sample: .nan\n", "shadow.sample: NaN is outside [0, 1]"},
		{"shadow:\n  to: claude\n", "route.yaml:27: shadow.sample: required"},
		{"shadow:\n  sample: 0.5\n", "route.yaml:27: shadow.to: required"},
		{"shadow:\n  to: claude\n  sample: 0.5\n  rate: 1\n", "route.yaml:30: shadow.rate: unknown key (allowed: to, sample)"},
	} {
		_, _, err := shadowPolicy(t, tc.shadow)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.shadow, err, tc.want)
		}
	}
	_, warns, err := shadowPolicy(t, "shadow: {to: claude, sample: 0}\n")
	if err != nil || len(warns) != 1 || !strings.Contains(warns[0].String(), "no request is ever shadowed") {
		t.Fatalf("sample 0: %v %v", err, warns)
	}
}

func TestShadowTargetKeepsPIILocalAndSkipsThePrimary(t *testing.T) {
	toCloud, _, err := shadowPolicy(t, "shadow: {to: claude, sample: 1}\n")
	if err != nil {
		t.Fatal(err)
	}
	toLocal, _, err := shadowPolicy(t, "shadow: {to: local-llama, sample: 1}\n")
	if err != nil {
		t.Fatal(err)
	}
	none, _, err := shadowPolicy(t, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p       *Policy
		primary string
		pii     bool
		want    string // "" = not shadowed
	}{
		{toCloud, "local-llama", false, "claude"},
		{toCloud, "local-llama", true, ""}, // never PII to cloud
		{toCloud, "claude", false, ""},     // never the primary itself
		{toLocal, "claude", false, "local-llama"},
		{toLocal, "claude", true, "local-llama"}, // PII may go local
		{toLocal, "local-llama", true, ""},
		{none, "claude", false, ""},
	} {
		b, ok := tc.p.ShadowTarget(tc.primary, tc.pii)
		got := ""
		if ok {
			got = b.Name
		}
		if got != tc.want || ok != (b != nil) {
			t.Errorf("ShadowTarget(%q, pii=%v) = %q, %v; want %q", tc.primary, tc.pii, got, ok, tc.want)
		}
	}
}

func TestShadowTargetRefusesPIIToACloudHostLabelledLocal(t *testing.T) {
	// A "local" label cannot pass validation with a cloud host, so build the
	// policy by hand: the guard must look at the host as well as the label.
	p := &Policy{Shadow: &Shadow{To: "sneaky"}, byName: map[string]*PolicyBackend{
		"sneaky": {Name: "sneaky", Source: SourceLocal, API: APIOpenAI, BaseURL: "https://api.openai.com/v1"},
	}}
	if _, ok := p.ShadowTarget("claude", true); ok {
		t.Fatal("PII shadowed to a cloud host")
	}
	if _, ok := p.ShadowTarget("claude", false); !ok {
		t.Fatal("non-PII request not shadowed")
	}
}

func TestSamplerFollowsInjectedRandomness(t *testing.T) {
	seq := []float64{0.05, 0.1, 0.5, 0.0999, 0.99}
	i := 0
	s := NewSampler(0.1, func() float64 { v := seq[i]; i++; return v })
	var got []bool
	for range seq {
		got = append(got, s.Sample())
	}
	want := []bool{true, false, false, true, false}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("samples %v, want %v", got, want)
		}
	}
	never := NewSampler(0, func() float64 { t.Fatal("rate 0 must not draw"); return 0 })
	if never.Sample() {
		t.Fatal("rate 0 sampled")
	}
	if !NewSampler(1, func() float64 { return 0.999999 }).Sample() {
		t.Fatal("rate 1 must sample everything")
	}
	var nilS *Sampler
	if nilS.Sample() {
		t.Fatal("nil sampler sampled")
	}
	// The default source hits roughly the rate (deterministic bound: 10k draws).
	d := NewSampler(0.25, nil)
	n := 0
	for range 10000 {
		if d.Sample() {
			n++
		}
	}
	if n < 2200 || n > 2800 {
		t.Fatalf("default sampler: %d of 10000 at rate 0.25", n)
	}
}
