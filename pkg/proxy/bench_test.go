package proxy

import (
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/ledger"
)

// The proxy benchmarks run the whole path in one process (client → proxy
// → fake upstream → back), 16 clients at once, with the real ledger.
// Besides ns/op (wall time over all clients) each reports cpu-µs/op: the
// process's user+system CPU per request, client and fake included. On a
// shared machine wall time is noisy; CPU per request is not. What the
// proxy itself costs is BenchmarkProxyX's cpu-µs/op minus
// BenchmarkDirectX's (the same client and fake, without the proxy).

func BenchmarkProxyOpenAI(b *testing.B) {
	benchChat(b, benchProxy, "/v1/chat/completions", chatBody("auto", benchPrompt, false))
}

func BenchmarkProxyOpenAIStream(b *testing.B) {
	benchChat(b, benchProxy, "/v1/chat/completions", chatBody("auto", benchPrompt, true))
}

// BenchmarkProxyAnthropic is an Anthropic client routed to an OpenAI
// backend: decoding and encoding the other wire.
func BenchmarkProxyAnthropic(b *testing.B) {
	benchChat(b, benchProxy, "/v1/messages", antBody("auto", benchPrompt, false))
}

func BenchmarkProxyAnthropicStream(b *testing.B) {
	benchChat(b, benchProxy, "/v1/messages", antBody("auto", benchPrompt, true))
}

// BenchmarkProxyOpenAITools is the same-wire passthrough: a request with
// tools relayed unchanged, answered with a tool call.
func BenchmarkProxyOpenAITools(b *testing.B) {
	benchChat(b, benchProxy, "/v1/chat/completions", toolsBody("auto", false))
}

func BenchmarkProxyOpenAIToolsStream(b *testing.B) {
	benchChat(b, benchProxy, "/v1/chat/completions", toolsBody("auto", true))
}

func BenchmarkDirectOpenAITools(b *testing.B) {
	benchChat(b, benchDirect, "/v1/chat/completions", toolsBody("gpt-4o-mini", false))
}

func BenchmarkDirectOpenAIToolsStream(b *testing.B) {
	benchChat(b, benchDirect, "/v1/chat/completions", toolsBody("gpt-4o-mini", true))
}

func toolsBody(model string, stream bool) string {
	s := "false"
	if stream {
		s = `true,"stream_options":{"include_usage":true}`
	}
	return `{"model":"` + model + `","stream":` + s + `,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],"messages":[{"role":"user","content":"` + benchPrompt + `"}]}`
}

func BenchmarkDirectOpenAI(b *testing.B) {
	benchChat(b, benchDirect, "/v1/chat/completions", chatBody("gpt-4o-mini", benchPrompt, false))
}

func BenchmarkDirectOpenAIStream(b *testing.B) {
	benchChat(b, benchDirect, "/v1/chat/completions", chatBody("gpt-4o-mini", benchPrompt, true))
}

const (
	benchPrompt = "benchmark prompt with a few words"
	benchProxy  = true
	benchDirect = false
)

func antBody(model, content string, stream bool) string {
	s := "false"
	if stream {
		s = "true"
	}
	return `{"model":"` + model + `","max_tokens":64,"stream":` + s + `,"messages":[{"role":"user","content":"` + content + `"}]}`
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchChat(b *testing.B, viaProxy bool, path, body string) {
	h := newHarness(b)
	w, err := ledger.Open(b.TempDir() + "/costs.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	h.srv.Write = w.Write // the real ledger, not the test's decoding copy
	url := h.url + path
	if !viaProxy {
		url = h.cloudURL + path
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.SetParallelism(8) // 8 × GOMAXPROCS(2) = 16 clients
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkDecodeOpenAI is the decoder alone on a typical chat body
// (the key scan that finds untranslatable fields included).
func BenchmarkDecodeOpenAI(b *testing.B) {
	body := []byte(`{"model":"auto","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"` +
		strings.Repeat("Summarise the quarterly report in three bullet points. ", 20) + `"}],"max_tokens":256,"temperature":0.2,"stream":false}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, e := DecodeOpenAI(body); e != nil {
			b.Fatal(e)
		}
	}
}
