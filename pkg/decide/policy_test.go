package decide

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// strictPolicy decodes YAML into the DESIGN.md policy shape, rejecting
// unknown keys, and checks the invariants route relies on.
func strictPolicy(t *testing.T, b []byte) *Policy {
	t.Helper()
	var p Policy
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	names := map[string]PolicyBackend{}
	for _, be := range p.Backends {
		if be.Name == "" || be.Model == "" || (be.Source != "local" && be.Source != "cloud") || (be.API != "openai" && be.API != "anthropic" && be.API != "ollama") {
			t.Errorf("backend %+v", be)
		}
		if be.Source == "cloud" && (be.Price == "" || be.APIKeyEnv == "") {
			t.Errorf("cloud backend without price or key env: %+v", be)
		}
		if be.Source == "local" && (be.BaseURL == "" || be.HourlyUSD == nil) {
			t.Errorf("local backend without base_url or hourly_usd: %+v", be)
		}
		names[be.Name] = be
	}
	if p.SchemaVersion != 1 || len(p.Rules) == 0 || p.Rules[len(p.Rules)-1].When != nil {
		t.Errorf("schema %d, rules %+v: the last rule must be the default", p.SchemaVersion, p.Rules)
	}
	for _, r := range p.Rules {
		be, ok := names[r.Use]
		if !ok {
			t.Errorf("rule uses unknown backend %q", r.Use)
		}
		if r.When != nil && r.When.PII != nil && *r.When.PII && be.Source != "local" {
			t.Errorf("PII routed to %s", be.Source)
		}
	}
	if fb := p.Fallback; fb != nil {
		if names[fb.From].Source != "local" || names[fb.To].Source != "cloud" || fb.MinConfidence <= 0 || fb.MinConfidence >= 1 {
			t.Errorf("fallback %+v", fb)
		}
	}
	return &p
}

func TestPolicyImplementsVerdict(t *testing.T) {
	tests := []struct {
		name, answers string
		rules         []string // use of each rule
		fallback      bool
	}{
		{"cloud", "tokens_per_month: 2M\nprivacy: none\ntask: classification\n", []string{"cloud-gpt-5-nano"}, false},
		{"local", "tokens_per_month: 2B\nprivacy: none\ntask: classification\n", []string{"local-llama-3.2-3b", "local-llama-3.2-3b"}, false},
		{"regulated hybrid: only PII stays local", "tokens_per_month: 2M\nprivacy: regulated\nregulated_share: 0.3\ntask: code\n", []string{"local-llama-3.1-70b", "cloud-deepseek-v4-flash"}, false},
		{"spiky hybrid: local first, other hard tasks to cloud, fallback", "tokens_per_month: 1B\nprivacy: none\ntask: agents\nload: spiky\npeak_to_average: 2\n", []string{"local-llama-3.1-70b", "cloud-gpt-5-mini", "local-llama-3.1-70b"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decideYAML(t, tt.answers)
			p, err := d.Policy(decimal.NewFromInt(730))
			if err != nil {
				t.Fatal(err)
			}
			b, err := MarshalPolicy(p, "written by a test\nsecond line")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), "# written by a test\n# second line\nschema_version: 1\n") {
				t.Errorf("header:\n%s", b)
			}
			got := strictPolicy(t, b)
			var uses []string
			for _, r := range got.Rules {
				uses = append(uses, r.Use)
			}
			if strings.Join(uses, ",") != strings.Join(tt.rules, ",") {
				t.Errorf("rules %v, want %v\n%s", uses, tt.rules, b)
			}
			for _, r := range got.Rules {
				if r.When != nil && slices.Contains(r.When.Task, string(d.Workload.Task)) && r.Use != got.Rules[len(got.Rules)-1].Use {
					t.Errorf("the decided task %s is routed away from the default: %+v", d.Workload.Task, r)
				}
			}
			if (got.Fallback != nil) != tt.fallback {
				t.Errorf("fallback %+v\n%s", got.Fallback, b)
			}
		})
	}
}

func TestPolicyCloudModelNames(t *testing.T) {
	d := &Decision{Recommendations: []Recommendation{{Kind: "cloud", Model: "claude-haiku-4.5", Provider: "anthropic"}}}
	p, err := d.Policy(decimal.NewFromInt(730))
	if err != nil {
		t.Fatal(err)
	}
	be := p.Backends[0]
	if be.API != "anthropic" || be.Model != "claude-haiku-4-5" || be.Price != "claude-haiku-4.5" || be.APIKeyEnv != "ANTHROPIC_API_KEY" {
		t.Fatalf("%+v", be)
	}
	d.Recommendations[0].Provider = "acme"
	if _, err := d.Policy(decimal.NewFromInt(730)); err == nil {
		t.Fatal("unknown provider accepted")
	}
	if _, err := (&Decision{}).Policy(decimal.NewFromInt(730)); err == nil {
		t.Fatal("empty decision gave a policy")
	}
}

// Every model the task mapping names is in the catalog, priced today, and
// its provider has a client mapping for the policy.
func TestTaskMappingIsInTheCatalog(t *testing.T) {
	cat := testCatalog(t)
	for task, p := range taskProfiles {
		if len(p.value) == 0 || len(p.frontier) == 0 || p.benchmark == "" || p.minScore <= 0 {
			t.Errorf("%s: incomplete profile", task)
		}
		for _, id := range append(append([]string{}, p.value...), p.frontier...) {
			m, err := cat.Cloud(id)
			if err != nil {
				t.Errorf("%s: %v", task, err)
				continue
			}
			if _, err := m.PriceAt(asOf); err != nil {
				t.Errorf("%s: %v", task, err)
			}
			if _, ok := providerAPI[m.Provider]; !ok {
				t.Errorf("%s: provider %q has no API mapping", id, m.Provider)
			}
		}
	}
	for _, task := range Tasks {
		if _, ok := taskProfiles[Task(task)]; !ok {
			t.Errorf("task %s has no profile", task)
		}
	}
}
