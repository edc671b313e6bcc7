package route

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

const goodPolicy = `schema_version: 1
backends:
  - name: local-llama
    source: local
    api: openai
    base_url: http://localhost:8000/v1
    model: meta-llama/Llama-3.1-8B-Instruct
    hourly_usd: 0.74
    timeout: 30s
  - name: claude
    source: cloud
    api: anthropic
    model: claude-haiku-4-5
    price: claude-haiku-4.5
    api_key_env: ANTHROPIC_API_KEY
    rpm: 500
rules:
  - when: {pii: true}
    use: local-llama
  - when: {task: [code, reasoning]}
    use: claude
  - use: local-llama
fallback:
  from: local-llama
  to: claude
  min_confidence: 0.7
`

func checkPrice(id string) error {
	if id == "claude-haiku-4.5" || id == "gpt-4o-mini" {
		return nil
	}
	return fmt.Errorf("unknown catalog model %q", id)
}

func TestParseGoodPolicy(t *testing.T) {
	p, warns, err := ParsePolicy("route.yaml", []byte(goodPolicy), Options{CheckPrice: checkPrice})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	l := p.Backend("local-llama")
	if l == nil || l.Line != 3 || l.Timeout != 30*time.Second || l.HourlyUSD.String() != "0.74" || !l.HasLogprobs() {
		t.Fatalf("local backend: %+v", l)
	}
	if !l.RequestLogprobs() {
		t.Error("a local openai backend is asked for logprobs by default")
	}
	if c := p.Backend("claude"); c.HasLogprobs() || c.RequestLogprobs() || c.RPM != 500 || !c.Cloud() {
		t.Errorf("claude: %+v", c)
	}
	if p.Rules[2].Line != 22 || p.Fallback.Line != 23 {
		t.Errorf("lines: rule3 %d fallback %d", p.Rules[2].Line, p.Fallback.Line)
	}
}

func TestPolicyErrorsNameFileLine(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(goodPolicy, old) {
			panic(old)
		}
		return strings.Replace(goodPolicy, old, new, 1)
	}
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown key", edit("    rpm: 500", "    rpn: 500"), "route.yaml:16: backends[1].rpn: unknown key (allowed: name, source"},
		{"syntax", "schema_version: 1\nbackends: [\n", "route.yaml:"},
		{"bad duration", edit("timeout: 30s", "timeout: soon"), "route.yaml:9: backends[0].timeout: want a duration such as 30s or 2m, got text \"soon\""},
		{"unknown rule backend", edit("    use: claude", "    use: gpt"), `route.yaml:21: rules[1].use: unknown backend "gpt"`},
		{"duplicate name", edit("  - name: claude", "  - name: local-llama"), `route.yaml:10: backends[1].name: duplicate backend "local-llama" (first at line 3)`},
		{"no default rule", edit("  - use: local-llama\n", ""), "route.yaml:20: rules: no default rule"},
		{"pii to cloud", edit("  - when: {pii: true}\n    use: local-llama", "  - when: {pii: true}\n    use: claude"), "route.yaml:19: rules[0].use: a pii rule cannot send prompts to cloud"},
		{"fallback to local", edit("  to: claude", "  to: local-llama"), "route.yaml:25: fallback.to:"},
		{"fallback from cloud", edit("  from: local-llama", "  from: claude"), "route.yaml:24: fallback.from:"},
		{"fallback without logprobs", edit("    hourly_usd: 0.74", "    hourly_usd: 0.74\n    logprobs: false"), "can never trigger"},
		{"fallback threshold", edit("min_confidence: 0.7", "min_confidence: 1.5"), "fallback.min_confidence"},
		{"unknown price id", edit("price: claude-haiku-4.5", "price: claude-nope"), `route.yaml:14: backends[1].price: unknown catalog model "claude-nope"`},
		{"unpriced", edit("    hourly_usd: 0.74\n", ""), "unpriced backend"},
		{"hourly on cloud", edit("    price: claude-haiku-4.5", "    hourly_usd: 2"), "backends[1].hourly_usd"},
		{"key in env field", edit("api_key_env: ANTHROPIC_API_KEY", "api_key_env: sk-ant-123"), "looks like an API key itself (value not shown)"},
		{"not a name", edit("api_key_env: ANTHROPIC_API_KEY", "api_key_env: my key"), "not an environment variable name (value not shown)"},
		{"source", edit("source: cloud", "source: remote"), `backends[1].source: "remote"`},
		{"api", edit("api: anthropic", "api: grpc"), "backends[1].api"},
		{"schema", edit("schema_version: 1", "schema_version: 2"), "schema_version: must be 1"},
		{"local without url", edit("    base_url: http://localhost:8000/v1\n", ""), "base_url"},
		{"url without host", edit("base_url: http://localhost:8000/v1", "base_url: \"http://\""), `route.yaml:6: backends[0].base_url: "http://": not a URL with a host`},
		{"url that does not parse", edit("base_url: http://localhost:8000/v1", "base_url: \"http://[::1\""), `backends[0].base_url: "http://[::1": not a URL with a host`},
		{"credentials in url", edit("base_url: http://localhost:8000/v1", "base_url: http://u:hunter2@localhost:8000/v1"), "route.yaml:6: backends[0].base_url: must not contain credentials (value not shown)"},
		{"hourly absurd", edit("hourly_usd: 0.74", "hourly_usd: 1e309"), "route.yaml:8: backends[0].hourly_usd: is implausible"},
		{"hourly text", edit("hourly_usd: 0.74", "hourly_usd: cheap"), `route.yaml:8: backends[0].hourly_usd: "cheap" is not a number`},
		{"flow style: bad money", flowPolicy("hourly_usd: .nan", "timeout: 30s", "task: code"), `route.yaml:3: backends[0].hourly_usd: ".nan" is not a number`},
		{"flow style: bad duration", flowPolicy("hourly_usd: 1", "timeout: soon", "task: code"), "route.yaml:3: backends[0].timeout: want a duration such as 30s or 2m, got text \"soon\""},
		{"flow style: bad task", flowPolicy("hourly_usd: 1", "timeout: 30s", "task: {a: b}"), "route.yaml:5: rules[0].when.task: want a task name or a list of names"},
		{"two docs", goodPolicy + "---\nx: 1\n", "one YAML document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParsePolicy("route.yaml", []byte(tc.yaml), Options{CheckPrice: checkPrice})
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a PolicyError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

// TestLocalBackendMustBeLocal: the PII guard trusts `source: local`, so a
// backend labelled local that would reach a cloud API is a policy error.
func TestLocalBackendMustBeLocal(t *testing.T) {
	const head = `schema_version: 1
backends:
  - name: cloud
    source: cloud
    api: openai
    model: gpt-4o-mini
    price: gpt-4o-mini
  - name: fake-local
    source: local
`
	const tail = `    model: some-model
    hourly_usd: 1
rules:
  - when: {pii: true}
    use: fake-local
  - use: cloud
`
	for _, tc := range []struct{ name, body, want string }{
		{"anthropic default url", "    api: anthropic\n", "p.yaml:9: backends[1].source: "},
		{"ollama default url", "    api: ollama\n", "p.yaml:9: backends[1].source: "},
		{"openrouter", "    api: openai\n    base_url: https://openrouter.ai/api/v1\n", `p.yaml:9: backends[1].source: "local" but base_url host openrouter.ai is a cloud API`},
		{"openai host", "    api: openai\n    base_url: https://API.OPENAI.COM/v1\n", "p.yaml:9: backends[1].source: "},
		{"azure", "    api: openai\n    base_url: https://acme.openai.azure.com/openai/v1\n", "p.yaml:9: backends[1].source: "},
		{"gemini", "    api: openai\n    base_url: https://generativelanguage.googleapis.com/v1beta/openai/\n", "p.yaml:9: backends[1].source: "},
		{"anthropic explicit", "    api: anthropic\n    base_url: https://api.anthropic.com:443\n", "p.yaml:9: backends[1].source: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParsePolicy("p.yaml", []byte(head+tc.body+tail), Options{CheckPrice: checkPrice})
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a PolicyError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, tc.want)
			}
		})
	}

	for _, tc := range []struct{ base, warn string }{
		{"http://127.0.0.1:8000/v1", ""},
		{"http://localhost:11434", ""},
		{"http://10.1.2.3:8000/v1", ""},
		{"http://[fd00::5]:8000/v1", ""},
		{"http://gpubox:8000/v1", ""},
		{"http://vllm.corp.internal/v1", ""},
		{"https://gpu.example.com/v1", "p.yaml:11: backends[1].base_url: host gpu.example.com is not on a private network"},
		{"http://203.0.113.9:8000/v1", "p.yaml:11: backends[1].base_url: host 203.0.113.9 is not on a private network"},
	} {
		body := "    api: openai\n    base_url: " + tc.base + "\n"
		p, warns, err := ParsePolicy("p.yaml", []byte(head+body+tail), Options{CheckPrice: checkPrice})
		if err != nil {
			t.Fatalf("%s: %v", tc.base, err)
		}
		if p.Backend("fake-local").Cloud() {
			t.Errorf("%s: labelled local, read as cloud", tc.base)
		}
		joined := fmt.Sprint(warns)
		if tc.warn == "" && strings.Contains(joined, "private network") {
			t.Errorf("%s: unexpected warning %v", tc.base, warns)
		}
		if tc.warn != "" && !strings.Contains(joined, tc.warn) {
			t.Errorf("%s: warnings %v, want %q", tc.base, warns, tc.warn)
		}
	}
}

func TestPolicyWarnings(t *testing.T) {
	cloudOnly := `schema_version: 1
backends:
  - {name: c, source: cloud, api: openai, model: gpt-4o-mini, price: gpt-4o-mini}
rules:
  - use: c
  - when: {task: code}
    use: c
`
	_, warns, err := ParsePolicy("p.yaml", []byte(cloudOnly), Options{})
	if err != nil {
		t.Fatal(err)
	}
	joined := fmt.Sprint(warns)
	if !strings.Contains(joined, "no local backend") || !strings.Contains(joined, "p.yaml:6: rules[1].when: unreachable") {
		t.Errorf("warnings = %v", warns)
	}
}

func TestRoute(t *testing.T) {
	p, _, err := ParsePolicy("route.yaml", []byte(goodPolicy), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		task    string
		pii     bool
		backend string
	}{
		{"code", false, "claude"},
		{"code", true, "local-llama"},
		{"chat", false, "local-llama"},
		{"", true, "local-llama"},
	} {
		d := p.Route(tc.task, tc.pii)
		if d.Backend == nil || d.Backend.Name != tc.backend {
			t.Errorf("Route(%q, %v) = %+v, want %s", tc.task, tc.pii, d, tc.backend)
		}
	}

	// A task rule listed before the pii rule must still not send PII to the cloud.
	taskFirst := strings.Replace(goodPolicy, "  - when: {pii: true}\n    use: local-llama\n", "", 1)
	taskFirst = strings.Replace(taskFirst, "  - use: local-llama", "  - when: {pii: true}\n    use: local-llama\n  - use: local-llama", 1)
	p2, _, err := ParsePolicy("r.yaml", []byte(taskFirst), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := p2.Route("code", true)
	if d.Backend == nil || d.Backend.Cloud() || !strings.Contains(d.Reason, "pii") {
		t.Fatalf("PII code prompt: %+v", d)
	}

	cloudOnly := `schema_version: 1
backends:
  - {name: c, source: cloud, api: openai, model: gpt-4o-mini, price: gpt-4o-mini}
rules:
  - use: c
`
	p3, _, err := ParsePolicy("c.yaml", []byte(cloudOnly), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := p3.Route("", true); d.Backend != nil || d.Err == "" {
		t.Fatalf("cloud-only PII: %+v, want not sent", d)
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(goodPolicy))
	f.Add([]byte("schema_version: 1\nrules: [{use: x}]\n"))
	f.Add([]byte("backends: {a: 1}\n"))
	f.Add([]byte("schema_version: 1\nbackends:\n  - {name: l, source: local, api: anthropic, model: m, hourly_usd: 1}\nrules:\n  - use: l\n"))
	f.Add([]byte("schema_version: 1\nbackends:\n  - {name: l, source: local, api: openai, base_url: \"https://openrouter.ai/api/v1\", model: m, hourly_usd: 1}\nrules:\n  - use: l\n"))
	f.Add([]byte(goodPolicy + "shadow: {to: claude, sample: 0.5}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, _, err := ParsePolicy("f.yaml", b, Options{})
		if err != nil {
			return
		}
		// A shadow never doubles the primary, nor takes PII to the cloud.
		if p.Shadow != nil && (*p.Shadow.Sample < 0 || *p.Shadow.Sample > 1) {
			t.Fatalf("sample %v accepted", *p.Shadow.Sample)
		}
		for _, b := range p.Backends {
			if to, ok := p.ShadowTarget(b.Name, true); ok && (to.Name == b.Name || to.Cloud() || to.CloudHost()) {
				t.Fatalf("shadow of %q with PII goes to %q", b.Name, to.Name)
			}
		}
		// A valid policy routes every prompt somewhere, and PII never to the cloud.
		for _, pii := range []bool{false, true} {
			d := p.Route("code", pii)
			if pii && d.Backend != nil && (d.Backend.Cloud() || d.Backend.CloudHost()) {
				t.Fatalf("PII routed to cloud %q (%s)", d.Backend.Name, d.Backend.Host())
			}
			if !pii && d.Backend == nil {
				t.Fatalf("non-PII prompt not routed: %+v", d)
			}
		}
	})
}

func TestRequestLogprobs(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		b    PolicyBackend
		want bool
	}{
		{PolicyBackend{API: APIOpenAI, Source: SourceLocal}, true},
		{PolicyBackend{API: APIOpenAI, Source: SourceCloud}, false}, // o-series models reject the parameter
		{PolicyBackend{API: APIOpenAI, Source: SourceCloud, Logprobs: &yes}, true},
		{PolicyBackend{API: APIOpenAI, Source: SourceLocal, Logprobs: &no}, false},
		{PolicyBackend{API: APIOllama, Source: SourceLocal}, false},
		{PolicyBackend{API: APIOllama, Source: SourceLocal, Logprobs: &yes}, true},
	} {
		if got := tc.b.RequestLogprobs(); got != tc.want {
			t.Errorf("%+v: RequestLogprobs = %v", tc.b, got)
		}
	}
}

// TestPolicyNeverEchoesAPIKey: a key pasted into api_key_env must not be
// repeated by the error that rejects it (stderr ends up in CI logs).
func TestPolicyNeverEchoesAPIKey(t *testing.T) {
	for _, key := range []string{
		"sk-proj-Ab12Cd34Ef56Gh78Ij90", "sk-ant-api03-Zz9Yy8Xx7", "AIzaSyA1b2C3d4E5f6G7h8I9j0KLMNOPQRSTU",
		"gsk_abcdefghijklmnop1234", "abcdEFGH1234ijklMNOP5678", "key with spaces 123",
	} {
		y := strings.Replace(goodPolicy, "api_key_env: ANTHROPIC_API_KEY", "api_key_env: "+key, 1)
		_, _, err := ParsePolicy("route.yaml", []byte(y), Options{CheckPrice: checkPrice})
		if err == nil {
			t.Errorf("%q accepted as an environment variable name", key)
			continue
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("error echoes the key: %v", err)
		}
	}
}

func TestPolicyNeverEchoesURLCredentials(t *testing.T) {
	for _, u := range []string{"http://u:hunter2@localhost:8000/v1", "http://u:hunter2@[::1", "ftp://u:hunter2@host/"} {
		y := strings.Replace(goodPolicy, "base_url: http://localhost:8000/v1", "base_url: \""+u+"\"", 1)
		_, _, err := ParsePolicy("route.yaml", []byte(y), Options{CheckPrice: checkPrice})
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: err = %v, want an error without the password", u, err)
		}
	}
}

// flowPolicy is a policy written in flow style, every key of a backend or
// rule on one line, with three of its values given.
func flowPolicy(hourly, timeout, task string) string {
	return "schema_version: 1\nbackends:\n  - {name: l, source: local, api: openai, base_url: \"http://localhost:8000/v1\", model: m, " + hourly + ", " + timeout + "}\n" +
		"rules:\n  - {when: {" + task + "}, use: l}\n  - use: l\n"
}
