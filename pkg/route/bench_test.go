package route

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/route/pii"
)

// BenchmarkDetectPII is the per-prompt cost of the PII detectors.
func BenchmarkDetectPII(b *testing.B) {
	texts := []string{
		"Summarise ticket 4411: the export to CSV fails with a timeout after 30 seconds",
		"Customer 17 wrote from user17@example.com about invoice 2024-118, card 4111 1111 1111 1111",
		"Explain the difference between TCP and UDP in two paragraphs for a beginner audience.",
	}
	for i := 0; b.Loop(); i++ {
		pii.Kinds(texts[i%len(texts)])
	}
}

// BenchmarkDryRunPrompt is the per-prompt cost of --dry-run (PII
// detection, routing, local token count, pricing).
func BenchmarkDryRunPrompt(b *testing.B) {
	pol := mustPolicy(b, strings.Replace(goodPolicy, "    rpm: 500\n", "", 1))
	r := &Runner{Policy: pol, Pricer: fakePricer{}, Log: discardLog{}, DryRun: true, Concurrency: 1}
	ps := make([]Prompt, 0, 1000)
	for i := range 1000 {
		ps = append(ps, Prompt{ID: fmt.Sprint(i), Text: fmt.Sprintf("Summarise ticket %d: the export to CSV fails with a timeout after 30 seconds", i)})
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Run(context.Background(), &sliceSource{ps: ps}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(ps)), "µs/prompt")
}

type discardLog struct{}

func (discardLog) Write(*ledger.Record) error { return nil }

// BenchmarkRouteVsPlain sends 10,000 requests at concurrency 16 to a fast
// local OpenAI-compatible server twice: through the router (PII scan,
// rules, rate limiters, retries, busy meter, pricing, ledger records) and
// with a plain loop over the same client. It reports the wall-time ratio
// and how much the router adds to the p99 request latency.
func BenchmarkRouteVsPlain(b *testing.B) {
	const requests, concurrency = 10_000, 16
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop","logprobs":{"content":[{"token":"ok","logprob":-0.01,"bytes":[111,107],"top_logprobs":[]}]}}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}`)
	}))
	defer srv.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = concurrency * 2
	client := &http.Client{Transport: tr}
	be, err := backend.New(backend.Config{Name: "local", API: "openai", BaseURL: srv.URL + "/v1", Model: "m", HTTPClient: client})
	if err != nil {
		b.Fatal(err)
	}
	pol := mustPolicy(b, fmt.Sprintf(`schema_version: 1
backends:
  - {name: local, source: local, api: openai, base_url: "%s/v1", model: m, hourly_usd: 1, rpm: 100000000}
rules:
  - use: local
`, srv.URL))
	ps := make([]Prompt, requests)
	for i := range ps {
		ps[i] = Prompt{ID: fmt.Sprint(i), Text: fmt.Sprintf("Summarise ticket %d: the export fails after 30 seconds", i)}
	}
	var ratio, addedP99 float64
	runs := 0
	for b.Loop() {
		runs++
		// Plain: the same client, 16 goroutines, no router.
		plainLat := make([]float64, requests)
		next := make(chan int)
		var wg sync.WaitGroup
		start := time.Now()
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					t0 := time.Now()
					if _, err := be.Complete(context.Background(), backend.Request{ID: ps[i].ID, Prompt: ps[i].Text, Logprobs: true}); err != nil {
						b.Error(err)
					}
					plainLat[i] = float64(time.Since(t0).Microseconds())
				}
			}()
		}
		for i := range ps {
			next <- i
		}
		close(next)
		wg.Wait()
		plainWall := time.Since(start)

		// Routed: per prompt, from the start of its processing (rec.TS:
		// PII scan, routing, limiter, call, pricing) to its record.
		var mu sync.Mutex
		var routedLat []float64
		r := &Runner{Policy: pol, Backends: map[string]backend.Backend{"local": be}, Log: discardLog{}, Concurrency: concurrency,
			OnRecord: func(rec *ledger.Record) {
				mu.Lock()
				routedLat = append(routedLat, float64(time.Since(rec.TS).Microseconds()))
				mu.Unlock()
			}}
		start = time.Now()
		sum, err := r.Run(context.Background(), &sliceSource{ps: ps})
		routedWall := time.Since(start)
		if err != nil || sum.Total.OK != requests {
			b.Fatalf("routed run: %v ok=%d", err, sum.Total.OK)
		}
		ratio += routedWall.Seconds() / plainWall.Seconds()
		addedP99 += p99(routedLat) - p99(plainLat)
	}
	// Means over the iterations (run with -benchtime 3x or more: 2 shared
	// cores make single runs noisy).
	b.ReportMetric(ratio/float64(runs), "wall-ratio")
	b.ReportMetric(addedP99/float64(runs), "added-p99-µs")
}

func p99(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)*99/100]
}
