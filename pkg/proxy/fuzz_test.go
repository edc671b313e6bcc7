package proxy

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzDecoders feeds arbitrary bodies to both request decoders: each must
// return a request or a 400, never panic; a decoded request's texts cover
// every message (what the PII detector sees), and the answer encoders
// always produce valid JSON for whatever text came in.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{
		`{"model":"auto","messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}],"stop":"x","stream":true,"stream_options":{"include_usage":true}}`,
		`{"model":"auto","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"u"}}]}],"tools":[{}]}`,
		`{"model":"m","max_tokens":5,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[{"type":"tool_result","content":"r"}]}],"stop_sequences":["q"]}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":"x\u2028\ud800"}]}`,
		`null`, `[]`, `{"messages":{}}`, `{"model":1}`,
		`{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.5,"top_p":1,"response_format":{"type":"json_object"},"foo_bar":null,"\u0073eed":1, "x" : [1,{"a":"]}\""}] }`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"top_k":5,"metadata":{"user_id":"u"},"tool_choice":{"type":"any"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkEachField(t, body)
		for _, decode := range []func([]byte) (*Request, *Error){DecodeOpenAI, DecodeAnthropic} {
			r, e := decode(body)
			if (r == nil) == (e == nil) {
				t.Fatalf("want exactly one of request and error: %v %v", r, e)
			}
			if e != nil {
				if e.Status != 400 || e.Message == "" {
					t.Fatalf("decode error %+v, want a 400 with a message", e)
				}
				continue
			}
			all := strings.Join(r.Texts, "\x00")
			for _, m := range r.Messages {
				if m.Content != "" && len(r.Untranslatable) == 0 && !strings.Contains(all, m.Content) {
					t.Fatalf("message %q is not among the texts scanned for PII", m.Content)
				}
			}
			if r.System != "" && !strings.Contains(all, strings.Split(r.System, "\n\n")[0]) {
				t.Fatalf("system %q not scanned", r.System)
			}
			text := ""
			for _, m := range r.Messages {
				text += m.Content
			}
			a := &Answer{ID: "x", Model: r.Model, Text: text + r.System}
			for _, b := range [][]byte{AppendOpenAICompletion(nil, a), AppendAnthropicMessage(nil, a), AppendError(nil, r.API, &Error{Status: 400, Message: text})} {
				if !json.Valid(b) {
					t.Fatalf("invalid JSON encoded: %s", b)
				}
			}
		}
	})
}

// checkEachField holds the decoders' key scanner to encoding/json: for a
// JSON object, the same keys, each with its last value.
func checkEachField(t *testing.T, body []byte) {
	var want map[string]json.RawMessage
	if json.Unmarshal(body, &want) != nil || want == nil {
		return
	}
	got := map[string]string{}
	eachField(body, func(key, value []byte) {
		var name string
		if err := json.Unmarshal(key, &name); err != nil {
			t.Fatalf("key %q is not a JSON string", key)
		}
		got[name] = string(value)
	})
	if len(got) != len(want) {
		t.Fatalf("scanner found keys %v, encoding/json %v", got, want)
	}
	for k, v := range want {
		if got[k] != string(v) {
			t.Fatalf("key %q: scanner value %q, encoding/json %q", k, got[k], v)
		}
	}
}
