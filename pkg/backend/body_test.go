package backend

import (
	"encoding/json"
	"reflect"
	"testing"
)

// bodyCases vary every field the bodies carry, and strings that need
// escaping (quotes, control characters, HTML, U+2028, invalid UTF-8).
var bodyCases = []Request{
	{Prompt: "hi"},
	{Prompt: "hi", Stream: true},
	{Prompt: "hi", MaxTokens: 100, Logprobs: true},
	{Prompt: "", MaxTokens: 7, Stop: []string{"END", "\n\n"}},
	{System: "be brief", Messages: []Message{{Role: "user", Content: "a"}, {Role: "assistant", Content: "b"}, {Role: "user", Content: "c"}}, Stream: true, MaxTokens: 3},
	{Prompt: "hi", Temperature: ptr(0.0)},
	{Prompt: "hi", Temperature: ptr(0.7), TopP: ptr(0.95), Stream: true},
	{Prompt: "hi", TopP: ptr(1e-7)},
	{Prompt: "hi", Temperature: ptr(1.5), TopP: ptr(1.0), MaxTokens: 9},
	{System: "tab\there \"q\" \\ <b>&amp;</b> \u2028 \u2029 \x01 \x7f", Prompt: "caf\xe9 \xff héllo 日本 🙂 \r\n", Stop: []string{"</s>"}},
}

func ptr(f float64) *float64 { return &f }

// jsonValue decodes b for a comparison that ignores key order.
func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v
}

// withStream is the params' JSON with "stream": true added when streaming.
func withStream(t *testing.T, params []byte, stream bool) any {
	v := jsonValue(t, params)
	if stream {
		v.(map[string]any)["stream"] = true
	}
	return v
}

// The body sent is exactly what the SDK would marshal from its params
// (plus "stream": true, which the SDK's WithJSONSet used to add).
func TestOpenAIBodyIsTheSDKParams(t *testing.T) {
	for _, host := range []string{"http://127.0.0.1:1/v1", "https://api.openai.com/v1"} {
		bk, err := New(Config{Name: "oai", API: APIOpenAI, BaseURL: host, Model: "gpt-x \"q\"", APIKeyEnv: "TEST_KEY", Getenv: testEnv})
		if err != nil {
			t.Fatal(err)
		}
		b := bk.(*openaiBackend)
		for i, req := range bodyCases {
			want, err := json.Marshal(b.params(req))
			if err != nil {
				t.Fatal(err)
			}
			got := b.body(req)
			if !reflect.DeepEqual(jsonValue(t, got), withStream(t, want, req.Stream)) {
				t.Errorf("%s case %d:\n got %s\nwant %s", host, i, got, want)
			}
		}
	}
}

func TestAnthropicBodyIsTheSDKParams(t *testing.T) {
	bk, err := New(Config{Name: "ant", API: APIAnthropic, BaseURL: "http://127.0.0.1:1", Model: "claude-x", APIKeyEnv: "TEST_KEY", Getenv: testEnv})
	if err != nil {
		t.Fatal(err)
	}
	b := bk.(*anthropicBackend)
	for i, req := range bodyCases {
		want, err := json.Marshal(b.params(req, 321))
		if err != nil {
			t.Fatal(err)
		}
		got := b.body(req, 321)
		if !reflect.DeepEqual(jsonValue(t, got), withStream(t, want, req.Stream)) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// Any text in any field encodes as the SDK would encode it.
func FuzzBodyIsTheSDKParams(f *testing.F) {
	for _, r := range bodyCases {
		stop := ""
		if len(r.Stop) > 0 {
			stop = r.Stop[0]
		}
		f.Add(r.System, r.Prompt, "reply", stop, r.MaxTokens, r.Stream)
	}
	oai, err := New(Config{Name: "oai", API: APIOpenAI, BaseURL: "http://127.0.0.1:1/v1", Model: "m", APIKeyEnv: "TEST_KEY", Getenv: testEnv})
	if err != nil {
		f.Fatal(err)
	}
	ant, err := New(Config{Name: "ant", API: APIAnthropic, BaseURL: "http://127.0.0.1:1", Model: "m", APIKeyEnv: "TEST_KEY", Getenv: testEnv})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, system, user, assistant, stop string, maxTokens int, stream bool) {
		req := Request{System: system, Stream: stream, MaxTokens: maxTokens, Logprobs: maxTokens%2 == 0,
			Messages: []Message{{Role: "user", Content: user}, {Role: "assistant", Content: assistant}, {Role: "user", Content: user}}}
		if maxTokens%3 == 0 {
			req.Temperature, req.TopP = ptr(float64(maxTokens)/7), ptr(1/float64(maxTokens|1))
		}
		if stop != "" {
			req.Stop = []string{stop, stop + "x"}
		}
		o := oai.(*openaiBackend)
		want, err := json.Marshal(o.params(req))
		if err != nil {
			t.Fatal(err)
		}
		if got := o.body(req); !reflect.DeepEqual(jsonValue(t, got), withStream(t, want, stream)) {
			t.Fatalf("openai:\n got %s\nwant %s", got, want)
		}
		a := ant.(*anthropicBackend)
		mt := max(maxTokens, 1)
		want, err = json.Marshal(a.params(req, mt))
		if err != nil {
			t.Fatal(err)
		}
		if got := a.body(req, mt); !reflect.DeepEqual(jsonValue(t, got), withStream(t, want, stream)) {
			t.Fatalf("anthropic:\n got %s\nwant %s", got, want)
		}
	})
}
