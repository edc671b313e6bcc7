package backend

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameAsEncodingJSON fails when decodeChunkFast accepts data and decodes it
// differently from encoding/json (or accepts what encoding/json rejects).
func sameAsEncodingJSON(t *testing.T, data []byte) (fast bool) {
	t.Helper()
	var got wireChunk
	if !decodeChunkFast(data, &got) {
		return false
	}
	var want wireChunk
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("fast path accepted what encoding/json rejects (%v): %s", err, data)
	}
	if len(want.Choices) == 0 && len(got.Choices) == 0 {
		got.Choices, want.Choices = nil, nil // [] and absent alike
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path differs from encoding/json on %s:\n got %+v\nwant %+v", data, got, want)
	}
	return true
}

// Every chunk of the recorded OpenAI-compatible streams decodes as
// encoding/json decodes it, and the plain text chunks take the fast path.
func TestDecodeChunkFastOnFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "wire", "*.sse"))
	fast := 0
	for _, f := range files {
		if strings.Contains(f, "anthropic") {
			continue
		}
		for _, line := range bytes.Split(readWire(t, filepath.Base(f)), []byte("\n")) {
			data, ok := bytes.CutPrefix(line, []byte("data: "))
			if !ok || string(bytes.TrimSpace(data)) == "[DONE]" {
				continue
			}
			if sameAsEncodingJSON(t, bytes.TrimSpace(data)) {
				fast++
			}
		}
	}
	if fast == 0 {
		t.Fatal("no recorded chunk took the fast path")
	}
}

func FuzzDecodeChunkFast(f *testing.F) {
	for _, s := range []string{
		`{"id":"c","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}`,
		`{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":" héllo 日本"},"logprobs":null,"finish_reason":"stop"}]}`,
		`{"model":"m","choices":[{"index":1,"delta":{"content":"a"}},{"index":0,"delta":{"content":"b","content":null}}],"model":"n"}`,
		`{"choices":[],"usage":{"prompt_tokens":1}}`,
		`{"choices":[{"index":1.5}]}`,
		`{"choices":[{"index":01}]}`,
		`{"Model":"x","choices":null}`,
		`{"model":"a\nb"}`,
		` { "model" : "m" , "created" : -1.5e+3 } `,
		`{"model":"m"} x`,
		"{\"model\":\"\xff\"}",
		// tool calls, as OpenAI streams them
		`{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"x"}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \"Oslo\u00e9\/\"}"}}]},"finish_reason":null}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":null,"reasoning_content":"think","reasoning":null},"stop_reason":null}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[1,2],"tool_calls":[true,{"a":[[]]}]}}]}`,
		// keys only a case-insensitive match would find
		`{"MODEL":"x","Choices":[{"INDEX":2,"Delta":{"CONTENT":"c"}}]}`,
		"{\"mode\u006c\":\"x\",\"uſage\":null}",
		`{"kv_transfer_params":{"a":[1,-2.5e3,"\ud83d"]},"prompt_logprobs":null,"choices":[]}`,
		`{"x":"\q"}`,
		`{"x":"\u12"}`,
		// a second "choices" is merged into the first by encoding/json
		`{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}],"choices":[{"index":0}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsEncodingJSON(t, data)
	})
}
