package decide

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Policy mirrors the route policy format of DESIGN.md ("Route policy");
// `llmcost route --policy` reads it.
type Policy struct {
	SchemaVersion int             `yaml:"schema_version"`
	Backends      []PolicyBackend `yaml:"backends"`
	Rules         []PolicyRule    `yaml:"rules"`
	Fallback      *PolicyFallback `yaml:"fallback,omitempty"`
}

// PolicyBackend is one place prompts can go.
type PolicyBackend struct {
	Name      string   `yaml:"name"`
	Source    string   `yaml:"source"` // local | cloud
	API       string   `yaml:"api"`    // openai | anthropic | ollama
	BaseURL   string   `yaml:"base_url,omitempty"`
	Model     string   `yaml:"model"`
	Price     string   `yaml:"price,omitempty"`
	HourlyUSD *float64 `yaml:"hourly_usd,omitempty"`
	APIKeyEnv string   `yaml:"api_key_env,omitempty"`
	RPM       int      `yaml:"rpm,omitempty"`
}

// PolicyRule routes matching prompts; no When = default.
type PolicyRule struct {
	When *PolicyWhen `yaml:"when,omitempty,flow"`
	Use  string      `yaml:"use"`
}

// PolicyWhen matches a prompt.
type PolicyWhen struct {
	PII  *bool    `yaml:"pii,omitempty"`
	Task []string `yaml:"task,omitempty,flow"`
}

// PolicyFallback re-asks a cloud backend when a local answer is unsure.
type PolicyFallback struct {
	From          string  `yaml:"from"`
	To            string  `yaml:"to"`
	MinConfidence float64 `yaml:"min_confidence"`
}

// DefaultLocalBaseURL is where a local OpenAI-compatible server (vLLM,
// llama.cpp server) listens by default.
const DefaultLocalBaseURL = "http://localhost:8000/v1"

// DefaultMinConfidence is the fallback threshold on exp(mean token logprob).
const DefaultMinConfidence = 0.7

// providerAPI maps a catalog provider to the client and key variable; the
// OpenAI-compatible providers get their compatibility endpoint.
var providerAPI = map[string]struct{ api, baseURL, keyEnv string }{
	"anthropic": {"anthropic", "", "ANTHROPIC_API_KEY"},
	"openai":    {"openai", "", "OPENAI_API_KEY"},
	"google":    {"openai", "https://generativelanguage.googleapis.com/v1beta/openai/", "GEMINI_API_KEY"},
	"deepseek":  {"openai", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"},
	"xai":       {"openai", "https://api.x.ai/v1", "XAI_API_KEY"},
	"mistral":   {"openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"},
}

// Policy builds the route policy that implements the decision: PII and
// regulated prompts to the local backend, the rest where the verdict sends
// them, and for hybrid a fallback from local to cloud on low confidence.
func (d *Decision) Policy(hoursPerMonth decimal.Decimal) (*Policy, error) {
	p := &Policy{SchemaVersion: 1}
	var local, cloud string
	for _, r := range d.Recommendations {
		switch r.Kind {
		case "local":
			if local != "" {
				continue
			}
			local = "local-" + r.Model
			model := r.HFRepo
			if model == "" {
				model = r.Model
			}
			b := PolicyBackend{Name: local, Source: "local", API: "openai", BaseURL: DefaultLocalBaseURL, Model: model}
			if hoursPerMonth.IsPositive() && r.MonthlyCostUSD.IsPositive() {
				h := r.MonthlyCostUSD.Div(hoursPerMonth).Round(4).InexactFloat64()
				b.HourlyUSD = &h
			}
			p.Backends = append(p.Backends, b)
		case "cloud":
			if cloud != "" {
				continue
			}
			cloud = "cloud-" + r.Model
			pa, ok := providerAPI[strings.ToLower(r.Provider)]
			if !ok {
				return nil, fmt.Errorf("no API mapping for provider %q of %s", r.Provider, r.Model)
			}
			model := r.Model
			if pa.api == "anthropic" {
				model = strings.ReplaceAll(model, ".", "-") // Anthropic API ids use dashes: claude-haiku-4-5
			}
			p.Backends = append(p.Backends, PolicyBackend{Name: cloud, Source: "cloud", API: pa.api, BaseURL: pa.baseURL, Model: model, Price: r.Model, APIKeyEnv: pa.keyEnv})
		}
	}
	yes := true
	switch {
	case local == "" && cloud == "":
		return nil, fmt.Errorf("the decision recommends no backend, so there is no policy to write")
	case local == "":
		p.Rules = []PolicyRule{{Use: cloud}}
	case cloud == "":
		p.Rules = []PolicyRule{{When: &PolicyWhen{PII: &yes}, Use: local}, {Use: local}}
	default:
		p.Rules = []PolicyRule{{When: &PolicyWhen{PII: &yes}, Use: local}}
		def := local
		for _, r := range d.Recommendations {
			if r.Role == "rest" && r.Kind == "cloud" {
				def = cloud // regulated hybrid: only PII/regulated prompts stay local
			}
		}
		if def == local {
			// Prompts tagged with a harder task than the one decided on go to
			// the cloud: the local model was only chosen for this task.
			var harder []string
			for _, t := range []Task{TaskCode, TaskReasoning, TaskAgents} {
				if t != d.Workload.Task {
					harder = append(harder, string(t))
				}
			}
			p.Rules = append(p.Rules, PolicyRule{When: &PolicyWhen{Task: harder}, Use: cloud})
		}
		p.Rules = append(p.Rules, PolicyRule{Use: def})
		if def == local {
			p.Fallback = &PolicyFallback{From: local, To: cloud, MinConfidence: DefaultMinConfidence}
		}
	}
	return p, nil
}

// MarshalPolicy writes the policy as YAML with a header comment.
func MarshalPolicy(p *Policy, header string) ([]byte, error) {
	var buf bytes.Buffer
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		if l != "" {
			fmt.Fprintf(&buf, "# %s\n", l)
		}
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
