package route

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/route/pii"
)

// TestPropertyPIIOverHTTP is the PII property over the real clients: an
// OpenAI-compatible local server that is unsure of half its answers and an
// Anthropic cloud server that sometimes answers 529 overloaded (so retries
// happen), both httptest servers on 127.0.0.1.
func TestPropertyPIIOverHTTP(t *testing.T) {
	var mu sync.Mutex
	var cloudGot []string
	var calls atomic.Int64
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &req)
		lp := -0.01
		if strings.Contains(req.Messages[0].Content, "unsure") {
			lp = -2.5
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":"llama","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop","logprobs":{"content":[{"token":"ok","logprob":%g,"bytes":[111,107],"top_logprobs":[]},{"token":"!","logprob":-9999.0,"bytes":[33],"top_logprobs":[]}]}}],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}`, lp)
	}))
	defer local.Close()
	cloud := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		cloudGot = append(cloudGot, string(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1)%5 == 0 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(529)
			fmt.Fprint(w, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
			return
		}
		fmt.Fprint(w, `{"model":"claude-haiku-4-5","id":"m","type":"message","role":"assistant","content":[{"type":"text","text":"fine"}],"stop_reason":"end_turn","usage":{"input_tokens":30,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":5}}`)
	}))
	defer cloud.Close()

	pol := mustPolicy(t, fmt.Sprintf(`schema_version: 1
backends:
  - {name: local-llama, source: local, api: openai, base_url: "%s/v1", model: llama, hourly_usd: 0.74}
  - {name: claude, source: cloud, api: anthropic, base_url: "%s", model: claude-haiku-4-5, price: claude-haiku-4.5, api_key_env: K}
rules:
  - {when: {task: [code]}, use: claude}
  - {when: {pii: true}, use: local-llama}
  - use: local-llama
fallback: {from: local-llama, to: claude, min_confidence: 0.5}
`, local.URL, cloud.URL))
	getenv := func(string) string { return "test-key" }
	bes := map[string]backend.Backend{}
	for _, pb := range pol.Backends {
		b, err := backend.New(backend.Config{Name: pb.Name, API: pb.API, BaseURL: pb.BaseURL, Model: pb.Model, APIKeyEnv: pb.APIKeyEnv, Getenv: getenv})
		if err != nil {
			t.Fatal(err)
		}
		bes[pb.Name] = b
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var ps []Prompt
	piiIDs := map[string]bool{}
	for i := range 400 {
		p := Prompt{ID: fmt.Sprint(i), Text: fillers[rng.IntN(len(fillers))]}
		if rng.IntN(2) == 0 {
			p.Text += " (unsure)"
		}
		if rng.IntN(3) == 0 {
			p.Task = "code"
		}
		switch rng.IntN(5) {
		case 0:
			p.Text += " reach me at " + piiSamples[rng.IntN(len(piiSamples))]
			piiIDs[p.ID] = true
		case 1:
			p.PII = true
			p.Text += " [marked private " + fmt.Sprint(i) + "]"
			piiIDs[p.ID] = true
		}
		ps = append(ps, p)
	}
	log := &memLog{}
	r := &Runner{Policy: pol, Backends: bes, Pricer: fakePricer{}, Log: log, Concurrency: 8,
		// Enough attempts that a prompt never draws 529 every time.
		Retry: backend.RetryPolicy{MaxAttempts: 10, Sleep: noSleep}}
	sum, err := r.Run(context.Background(), &sliceSource{ps: ps})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range cloudGot {
		if len(pii.Kinds(body)) > 0 || strings.Contains(body, "marked private") {
			t.Fatalf("cloud received personal data: %s", body)
		}
	}
	recs := log.byID()
	fellBack := 0
	for _, p := range ps {
		if len(recs[p.ID]) != 1 {
			t.Fatalf("id %s: %d records", p.ID, len(recs[p.ID]))
		}
		rec := recs[p.ID][0]
		if piiIDs[p.ID] && rec.Source != "local" {
			t.Fatalf("PII prompt %s answered by %s", p.ID, rec.Backend)
		}
		if rec.FallbackFrom != "" {
			fellBack++
		}
	}
	if fellBack == 0 || len(cloudGot) == 0 || sum.Total.Errors != 0 {
		t.Fatalf("fallbacks %d, cloud requests %d, errors %d: the run did not exercise the property", fellBack, len(cloudGot), sum.Total.Errors)
	}
}
