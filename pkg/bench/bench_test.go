package bench_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/bench"
	"github.com/llmcost/llmcost/pkg/bench/benchtest"
)

// Every test runs inside a synctest bubble: the fake server paces tokens on
// the bubble's clock and the bench measures with it (time.Now inside the
// bubble), so the fake's 200 ms TTFT is measured as exactly 200 ms, however
// loaded the machine is, and no test waits on the wall clock.

// serve starts fake on an in-memory listener inside the bubble.
func serve(t *testing.T, fake *benchtest.Fake) (string, *http.Client) {
	t.Helper()
	l := benchtest.NewPipeListener()
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: fake}}
	srv.Start()
	client := l.Client()
	t.Cleanup(func() {
		client.CloseIdleConnections()
		srv.Close()
	})
	return srv.URL, client
}

func newBackend(t *testing.T, api, url string, client *http.Client) backend.Backend {
	t.Helper()
	if api == "openai" {
		url += "/v1"
	}
	b, err := backend.New(backend.Config{Name: "bench", API: api, BaseURL: url, Model: "m", HTTPClient: client, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func prompt(i int) string { return "prompt" }

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Abs(want) {
		t.Errorf("%s = %v, want %v (±%.0f%%)", what, got, want, tol*100)
	}
}

func TestConstantRateMeasuredExactly(t *testing.T) {
	for _, tc := range []struct {
		api      string
		perChunk int
	}{{"openai", 1}, {"anthropic", 4}, {"ollama", 1}} {
		t.Run(tc.api, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fake := &benchtest.Fake{API: tc.api, TTFT: 200 * time.Millisecond, TokensPerSecond: 50, TokensPerChunk: tc.perChunk}
				url, client := serve(t, fake)
				res, err := bench.Run(context.Background(), bench.Config{
					Backend: newBackend(t, tc.api, url, client), Prompt: prompt,
					OutputTokens: 64, Concurrency: []int{1, 4}, Requests: 8, Warmup: 1,
					MinTokensPerSecond: 10, Now: time.Now,
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Levels) != 2 {
					t.Fatalf("levels = %d, want 2", len(res.Levels))
				}
				// 64 tokens: the first chunk at 200 ms, then a chunk of k
				// tokens every k x 20 ms; speed counts the tokens after the
				// first chunk's time.
				e2e := 0.2 + float64(64-tc.perChunk)*0.02
				speed := 63 / (e2e - 0.2)
				for _, lv := range res.Levels {
					if lv.Requests != 8 || lv.Errors != 0 {
						t.Fatalf("c=%d: %d requests, %d errors (%s)", lv.Concurrency, lv.Requests, lv.Errors, lv.FirstError)
					}
					if lv.OutputTokens != 8*64 {
						t.Errorf("c=%d: output tokens = %d, want %d (server usage)", lv.Concurrency, lv.OutputTokens, 8*64)
					}
					near(t, "TTFT p50 ms", lv.TTFTMS.P50, 200, 0.001)
					near(t, "TTFT p99 ms", lv.TTFTMS.P99, 200, 0.001)
					near(t, "ITL p50 ms", lv.ITLMS.P50, 1000/speed, 0.001)
					near(t, "E2E p95 ms", lv.E2EMS.P95, e2e*1000, 0.001)
					near(t, "stream tok/s", lv.StreamTokensPerSecond.P50, speed, 0.001)
					// 8 requests in 8/c rounds of e2e.
					elapsed := e2e * 8 / float64(lv.Concurrency)
					near(t, "aggregate tok/s", lv.OutputTokensPerSecond, 8*64/elapsed, 0.001)
					near(t, "requests/s", lv.RequestsPerSecond, 8/elapsed, 0.001)
				}
				if got := fake.MaxActive(); got != 4 {
					t.Errorf("the fake saw %d streams at once, want 4", got)
				}
				if got := fake.Requests.Load(); got != 17 {
					t.Errorf("the fake got %d requests, want 1 warm-up + 16", got)
				}
				if res.KneeConcurrency != nil {
					t.Errorf("knee = %d, want none (every level at 50 tok/s)", *res.KneeConcurrency)
				}
			})
		})
	}
}

func TestKneeWhereStreamsSlowBelowMinimum(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Each stream slows by 1 + (active-1)/4: 40 tok/s alone, 22.9 at 4, 8.4 at 16.
		fake := &benchtest.Fake{API: "openai", TTFT: 50 * time.Millisecond, TokensPerSecond: 40, Slowdown: 4}
		url, client := serve(t, fake)
		res, err := bench.Run(context.Background(), bench.Config{
			Backend: newBackend(t, "openai", url, client), Prompt: prompt,
			OutputTokens: 100, Concurrency: []int{1, 4, 16}, Requests: 32,
			MinTokensPerSecond: 20, Now: time.Now,
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []float64{40, 40 / 1.75, 40 / 4.75}
		for i, lv := range res.Levels {
			near(t, "stream tok/s", lv.StreamTokensPerSecond.P50, want[i], 0.02)
			// c streams of 100 tokens each take 50 ms + 99 gaps.
			near(t, "aggregate tok/s", lv.OutputTokensPerSecond, float64(lv.Concurrency)*100/(0.05+99/want[i]), 0.03)
		}
		if res.KneeConcurrency == nil || *res.KneeConcurrency != 4 {
			t.Fatalf("knee = %v (%s), want 4", res.KneeConcurrency, res.Knee)
		}
		if !res.Levels[1].MeetsMin || res.Levels[2].MeetsMin {
			t.Errorf("meets_min = %v, %v; want true, false", res.Levels[1].MeetsMin, res.Levels[2].MeetsMin)
		}
	})
}

func TestDurationModeFinishesStartedRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := &benchtest.Fake{API: "openai", TTFT: 200 * time.Millisecond, TokensPerSecond: 50}
		url, client := serve(t, fake)
		res, err := bench.Run(context.Background(), bench.Config{
			Backend: newBackend(t, "openai", url, client), Prompt: prompt,
			OutputTokens: 64, Concurrency: []int{2}, Duration: 3 * time.Second, Now: time.Now,
		})
		if err != nil {
			t.Fatal(err)
		}
		// Requests start at 0, 1.46 and 2.92 s (before 3 s) on each of 2 workers.
		lv := res.Levels[0]
		if lv.Requests != 6 {
			t.Errorf("requests = %d, want 6", lv.Requests)
		}
		near(t, "duration s", lv.DurationSeconds, 3*1.46, 0.001)
	})
}

func TestWarmupFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fake   *benchtest.Fake
		status int
		code   string
	}{
		{"no usage", &benchtest.Fake{API: "openai", TokensPerSecond: 1000, NoUsage: true}, 0, ""},
		{"no usage anthropic", &benchtest.Fake{API: "anthropic", TokensPerSecond: 1000, NoUsage: true}, 0, ""},
		{"no usage ollama", &benchtest.Fake{API: "ollama", TokensPerSecond: 1000, NoUsage: true}, 0, ""},
		{"html", &benchtest.Fake{API: "openai", HTML: true}, 200, backend.CodeMalformedResponse},
		{"html ollama", &benchtest.Fake{API: "ollama", HTML: true}, 200, backend.CodeMalformedResponse},
		{"401", &benchtest.Fake{API: "openai", Status: 401}, 401, "invalid_api_key"},
		{"401 anthropic", &benchtest.Fake{API: "anthropic", Status: 401}, 401, "authentication_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				url, client := serve(t, tc.fake)
				res, err := bench.Run(context.Background(), bench.Config{
					Backend: newBackend(t, tc.fake.API, url, client), Prompt: prompt,
					OutputTokens: 8, Concurrency: []int{1}, Requests: 2, Warmup: 1, Now: time.Now,
				})
				if res != nil {
					t.Errorf("a result after a failed warm-up: %+v", res)
				}
				if tc.code == "" {
					if !errors.Is(err, bench.ErrNoUsage) {
						t.Fatalf("err = %v, want ErrNoUsage", err)
					}
					return
				}
				var we *bench.WarmupError
				var be *backend.Error
				if !errors.As(err, &we) || !errors.As(err, &be) {
					t.Fatalf("err = %v (%T), want a WarmupError with a backend.Error", err, err)
				}
				if be.StatusCode != tc.status || be.Code != tc.code {
					t.Errorf("got HTTP %d %q, want %d %q (%v)", be.StatusCode, be.Code, tc.status, tc.code, err)
				}
			})
		})
	}
}

func TestSweepErrorsAreCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Usage goes missing after the warm-up: every measured request fails.
		fake := &benchtest.Fake{API: "openai", TokensPerSecond: 100}
		url, client := serve(t, fake)
		b := newBackend(t, "openai", url, client)
		n := 0
		res, err := bench.Run(context.Background(), bench.Config{
			Backend: b, OutputTokens: 4, Concurrency: []int{1}, Requests: 3, Warmup: 1, Now: time.Now,
			Prompt: func(i int) string {
				n++
				fake.NoUsage = n > 1
				return "p"
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		lv := res.Levels[0]
		if lv.Requests != 3 || lv.Errors != 3 || lv.FirstError == "" {
			t.Errorf("requests %d errors %d first %q; want 3, 3, a message", lv.Requests, lv.Errors, lv.FirstError)
		}
		if lv.MeetsMin || res.KneeConcurrency != nil {
			t.Errorf("a level with no successful request meets the minimum")
		}
	})
}

func TestPromptsHaveTheAskedLengthAndDiffer(t *testing.T) {
	for _, n := range []int{50, 500, 3000} {
		p, err := bench.NewPrompts("gpt-4o", n, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if !p.Exact {
			t.Errorf("gpt-4o: the tokenizer should be the model's own")
		}
		got, err := p.Count(7)
		if err != nil {
			t.Fatal(err)
		}
		if d := got - n; d < -2 || d > 2 {
			t.Errorf("%d-token prompt counts %d tokens", n, got)
		}
		if p.Prompt(1) == p.Prompt(2) || p.Prompt(1)[:12] == p.Prompt(2)[:12] {
			t.Errorf("prompts 1 and 2 share their start: a prefix cache would serve one from the other")
		}
	}
	p, err := bench.NewPrompts("llama-3.1-8b", 100, "r1")
	if err != nil || p.Exact || p.Tokenizer != "o200k_base" {
		t.Errorf("an unknown model: exact %v tokenizer %q err %v; want an o200k_base estimate", p.Exact, p.Tokenizer, err)
	}
}
