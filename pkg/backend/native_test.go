package backend

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/packages/ssestream"
)

// The recorded Anthropic stream (text then a tool_use block, pings, odd
// trailing spaces) is relayed byte for byte, and still measured.
func TestNativeStreamRelaysRecordedBytes(t *testing.T) {
	fixture := readWire(t, "anthropic-messages-stream.recorded.sse")
	rp := newReplay(t, sseReply(t, "anthropic-messages-stream.recorded.sse"))
	b := newTestBackend(t, APIAnthropic, rp)
	var got bytes.Buffer
	client := `{"model":"auto","max_tokens":300,"stream":true,"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"weather?"}]}`
	resp, err := b.Complete(context.Background(), Request{Stream: true, MaxTokens: 300,
		Native: &Native{API: APIAnthropic, Body: []byte(client), OnEvent: func(raw []byte) { got.Write(raw) }}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), fixture) {
		t.Fatalf("relayed %d bytes, recorded %d; first difference at %d", got.Len(), len(fixture), firstDiff(got.Bytes(), fixture))
	}
	if resp.FinishReason != "tool_use" || u64(resp.Usage.InputTokens) != "394" || u64(resp.Usage.OutputTokens) != "79" || resp.TTFT == 0 {
		t.Fatalf("finish %q usage %s TTFT %v", resp.FinishReason, usageString(resp.Usage), resp.TTFT)
	}
	sent := rp.requests()[0].Body
	if sent["model"] != "test-model" || sent["tools"] == nil || sent["max_tokens"] != float64(300) {
		t.Fatalf("sent %v: want the client's body with the backend's model", sent)
	}
}

// OpenAI: include_usage is forced on upstream; the usage-only chunk is
// relayed only when the client asked for it.
func TestNativeOpenAIStreamUsageChunk(t *testing.T) {
	fixture := string(readWire(t, "openai-chat-stream-include-usage.sse"))
	for _, show := range []bool{true, false} {
		rp := newReplay(t, sseReply(t, "openai-chat-stream-include-usage.sse"))
		b := newTestBackend(t, APIOpenAI, rp)
		var got strings.Builder
		resp, err := b.Complete(context.Background(), Request{Stream: true, Native: &Native{API: APIOpenAI,
			Body:    []byte(`{"model":"x","stream":true,"stream_options":{"include_obfuscation":false},"messages":[{"role":"user","content":"hi"}]}`),
			OnEvent: func(raw []byte) { got.WriteString(raw2s(raw)) }, ShowUsage: show}})
		if err != nil {
			t.Fatal(err)
		}
		want := fixture
		if !show {
			i := strings.Index(fixture, `data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[],"usage"`)
			j := strings.Index(fixture, "data: [DONE]")
			want = fixture[:i] + fixture[j:]
		}
		if got.String() != want {
			t.Fatalf("show usage %v: relayed\n%s\nwant\n%s", show, got.String(), want)
		}
		if u64(resp.Usage.InputTokens) != "19" || u64(resp.Usage.OutputTokens) != "2" || resp.FinishReason != "stop" {
			t.Fatalf("usage %s finish %q", usageString(resp.Usage), resp.FinishReason)
		}
		so, _ := rp.requests()[0].Body["stream_options"].(map[string]any)
		if so["include_usage"] != true || so["include_obfuscation"] != false || rp.requests()[0].Body["model"] != "test-model" {
			t.Fatalf("sent %v", rp.requests()[0].Body)
		}
	}
}

func TestNativeWholeBodyKept(t *testing.T) {
	rp := newReplay(t, jsonReply(t, "anthropic-messages-nonstream-tooluse.recorded.json"))
	b := newTestBackend(t, APIAnthropic, rp)
	resp, err := b.Complete(context.Background(), Request{MaxTokens: 100, Native: &Native{API: APIAnthropic,
		Body: []byte(`{"model":"auto","max_tokens":100,"messages":[{"role":"user","content":"weather?"}]}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Raw, readWire(t, "anthropic-messages-nonstream-tooluse.recorded.json")) {
		t.Fatal("Raw is not the upstream's body")
	}
	if resp.FinishReason != "tool_use" || u64(resp.Usage.InputTokens) != "402" || u64(resp.Usage.OutputTokens) != "89" {
		t.Fatalf("finish %q usage %s", resp.FinishReason, usageString(resp.Usage))
	}
}

// A request in another wire is refused before anything is sent.
func TestNativeWireMismatchNotSent(t *testing.T) {
	for _, api := range []string{APIOpenAI, APIOllama} {
		rp := newReplay(t)
		b := newTestBackend(t, api, rp)
		_, err := b.Complete(context.Background(), Request{Native: &Native{API: APIAnthropic, Body: []byte(`{"model":"m"}`)}})
		var be *Error
		if !errors.As(err, &be) || be.Code != CodeNativeWire || be.Retryable {
			t.Fatalf("%s: %v, want a %s error", api, err, CodeNativeWire)
		}
		if len(rp.requests()) != 0 {
			t.Fatalf("%s: sent anyway", api)
		}
	}
}

func TestRawEventsKeepsBytes(t *testing.T) {
	in := ": keepalive\r\n\r\nevent: a\r\ndata: one\r\ndata: two\r\n\r\ndata: " + strings.Repeat("x", 40000) + "\n\ndata: unfinished"
	re := newRawEvents(strings.NewReader(in))
	var raws, types, datas []string
	for re.Next() {
		raws, types, datas = append(raws, string(re.raw)), append(types, re.typ), append(datas, string(re.data))
	}
	if re.Err() != nil {
		t.Fatal(re.Err())
	}
	if len(raws) != 3 || strings.Join(raws, "") != strings.TrimSuffix(in, "data: unfinished") {
		t.Fatalf("%d events; bytes not kept", len(raws))
	}
	if types[1] != "a" || datas[1] != "one\ntwo\n" || datas[0] != "" || len(datas[2]) != 40001 {
		t.Fatalf("types %q data %q", types, datas[:2])
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func raw2s(b []byte) string { return string(b) }

// The raw reader sees the same events as the SDK's decoder (type and data
// of every event with data), and its bytes are the input up to the end of
// the last whole event.
func FuzzRawEvents(f *testing.F) {
	f.Add(string(readWire(f, "anthropic-messages-stream.recorded.sse")))
	f.Add(string(readWire(f, "openai-chat-stream-include-usage.sse")))
	f.Add(": c\r\n\r\nevent: error\n\nevent: x\ndata: 1\r\r\ndata:2\n\ndata")
	f.Fuzz(func(t *testing.T, in string) {
		type ev struct{ typ, data string }
		var ours, sdk []ev
		var raw strings.Builder
		re := newRawEvents(strings.NewReader(in))
		for re.Next() {
			raw.Write(re.raw)
			if len(re.data) > 0 {
				ours = append(ours, ev{re.typ, string(re.data)})
			}
		}
		if !strings.HasPrefix(in, raw.String()) {
			t.Fatalf("raw bytes %q are not a prefix of %q", raw.String(), in)
		}
		if rest := in[raw.Len():]; strings.Contains(rest, "\n\n") {
			t.Fatalf("a whole event was left unread: %q", rest)
		}
		dec := ssestream.NewDecoder(&http.Response{Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(strings.NewReader(in))})
		for dec.Next() {
			sdk = append(sdk, ev{dec.Event().Type, string(dec.Event().Data)})
		}
		if dec.Err() != nil {
			return // the SDK's line limit; ours has none
		}
		if len(ours) != len(sdk) {
			t.Fatalf("%d events, the SDK's decoder %d: %q vs %q", len(ours), len(sdk), ours, sdk)
		}
		for i := range ours {
			if ours[i] != sdk[i] {
				t.Fatalf("event %d: %q, the SDK's decoder %q", i, ours[i], sdk[i])
			}
		}
	})
}

// A line longer than the SDKs' own limit ends the stream with an error
// instead of growing without bound; one just under it is read whole.
func TestRawEventsLineLimit(t *testing.T) {
	for _, c := range []struct {
		n    int
		want error
	}{{maxRawLine - 64, nil}, {maxRawLine + 1, bufio.ErrTooLong}} {
		body := "data: " + strings.Repeat("x", c.n) + "\n\n"
		e := newRawEvents(strings.NewReader(body))
		got := e.Next()
		if c.want == nil && (!got || len(bytes.TrimRight(e.data, "\n")) != c.n) {
			t.Fatalf("%d bytes: Next %v, %d bytes of data, err %v", c.n, got, len(e.data), e.Err())
		}
		if c.want != nil && (got || !errors.Is(e.Err(), c.want)) {
			t.Fatalf("%d bytes: Next %v, err %v, want %v", c.n, got, e.Err(), c.want)
		}
	}
}
