package proxy

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/ledger"
)

// BenchmarkProxyOpenAI measures the whole proxy path (client → proxy →
// fake upstream → back), non-streaming, 16 clients at once. Compare with
// BenchmarkDirectOpenAI for what the proxy adds.
func BenchmarkProxyOpenAI(b *testing.B) {
	benchChat(b, true, false)
}

func BenchmarkProxyOpenAIStream(b *testing.B) {
	benchChat(b, true, true)
}

func BenchmarkDirectOpenAI(b *testing.B) {
	benchChat(b, false, false)
}

func benchChat(b *testing.B, viaProxy, stream bool) {
	h := newHarness(&testing.T{})
	w, err := ledger.Open(b.TempDir() + "/costs.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	h.srv.Write = w.Write // the real ledger, not the test's decoding copy
	url := h.url + "/v1/chat/completions"
	body := chatBody("auto", "benchmark prompt with a few words", stream)
	if !viaProxy {
		url = h.cloudURL + "/v1/chat/completions"
		body = chatBody("gpt-4o-mini", "benchmark prompt with a few words", stream)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	b.SetParallelism(8) // 8 × GOMAXPROCS(2) = 16 clients
	b.ReportAllocs()
	b.ResetTimer()
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
}
