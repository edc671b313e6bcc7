package cli

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/bench/benchtest"
	"github.com/llmcost/llmcost/pkg/iostreams"
)

// runBench runs llmcost with the real clock (bench measures elapsed time;
// no assertion here depends on it) and a controlled environment.
func runBench(t *testing.T, env map[string]string, args ...string) runResult {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := NewFactory(ios, func(k string) string { return env[k] })
	f.Now = time.Now
	code := Run(context.Background(), f, append([]string{"bench"}, args...))
	return runResult{code, out.String(), errOut.String()}
}

// fakeServer serves benchtest's fake; it streams fast (no assertion is on
// time), so a run takes milliseconds.
func fakeServer(t *testing.T, fake *benchtest.Fake) string {
	t.Helper()
	if fake.TokensPerSecond == 0 {
		fake.TokensPerSecond = 1e6
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestBenchFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "m"}, "--base-url is required"},
		{[]string{"--base-url", "http://127.0.0.1:1"}, "--model is required"},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--api", "grpc"}, `--api "grpc"`},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--concurrency", "1,x"}, `"x" is not a positive`},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--concurrency", "0"}, "not a positive"},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--concurrency", "4,4"}, "appears twice"},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--requests", "5", "--duration", "1s"}, "exclude each other"},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--requests", "0"}, "--requests 0"},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--prompt-tokens", "0"}, `invalid value "0" for --prompt-tokens`},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--prompt-tokens", "2M"}, "at most 1M"},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--min-tokens-per-second", "-1"}, "--min-tokens-per-second"},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--api-key-env", "sk-abcdefghijklmnop1234"}, "looks like an API key"},
		{[]string{"--base-url", "ftp://x", "--model", "m"}, "not an http(s) URL"},
		{[]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--api-key-env", "BENCH_KEY"}, "BENCH_KEY"},
	} {
		r := runBench(t, nil, tc.args...)
		if r.code != ExitBadInput || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
		if strings.Contains(r.stderr, "sk-abcdefghijklmnop1234") {
			t.Errorf("%v: the key-like value was printed", tc.args)
		}
	}
}

func TestBenchJSONAgainstFake(t *testing.T) {
	for _, api := range []string{"openai", "anthropic", "ollama"} {
		t.Run(api, func(t *testing.T) {
			fake := &benchtest.Fake{API: api, OutputTokens: 8}
			url := fakeServer(t, fake)
			if api == "openai" {
				url += "/v1"
			}
			r := runBench(t, map[string]string{"BENCH_KEY": "secret-value-123"}, "--base-url", url, "--model", "test-model", "--api", api,
				"--concurrency", "1,3", "--requests", "4", "--prompt-tokens", "100", "--output-tokens", "8",
				"--api-key-env", "BENCH_KEY", "--format", "json")
			mustOK(t, r)
			if strings.Contains(r.stdout+r.stderr, "secret-value-123") {
				t.Fatal("the API key was printed")
			}
			var got struct {
				SchemaVersion int    `json:"schema_version"`
				Model         string `json:"model"`
				Levels        []struct {
					Concurrency  int   `json:"concurrency"`
					Requests     int   `json:"requests"`
					Errors       int   `json:"errors"`
					InputTokens  int64 `json:"input_tokens"`
					OutputTokens int64 `json:"output_tokens"`
					TTFT         struct {
						N int `json:"n"`
					} `json:"ttft_ms"`
					ITL struct {
						N int `json:"n"`
					} `json:"itl_ms"`
				} `json:"levels"`
				Knee *string `json:"knee"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			if got.SchemaVersion != 1 || got.Model != "test-model" || got.Knee == nil {
				t.Errorf("header: %+v", got)
			}
			if len(got.Levels) != 2 || got.Levels[0].Concurrency != 1 || got.Levels[1].Concurrency != 3 {
				t.Fatalf("levels: %+v", got.Levels)
			}
			for _, lv := range got.Levels {
				// The fake reports 8 output tokens per reply: the usage, summed.
				if lv.Requests != 4 || lv.Errors != 0 || lv.OutputTokens != 4*8 || lv.InputTokens <= 0 || lv.TTFT.N != 4 || lv.ITL.N != 4*7 {
					t.Errorf("level %+v", lv)
				}
			}
			// one warm-up + 2 levels × 4
			if n := fake.Requests.Load(); n != 9 {
				t.Errorf("the fake saw %d requests, want 9", n)
			}
			if m := fake.MaxActive(); m > 3 {
				t.Errorf("%d streams at once, more than --concurrency 3", m)
			}
		})
	}
}

func TestBenchTable(t *testing.T) {
	url := fakeServer(t, &benchtest.Fake{API: "openai"})
	r := runBench(t, nil, "--base-url", url+"/v1", "--model", "m", "--concurrency", "2", "--requests", "2", "--output-tokens", "4")
	mustOK(t, r)
	containsAll(t, r.stdout, "Concurrency", "TTFT p50 ms", "ITL p99 ms", "E2E p95 s", "Stream tok/s p50", "Aggregate tok/s", "Req/s", "knee (median stream ≥ 10 tok/s)")
}

func TestBenchServerErrors(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + closed.Addr().String() + "/v1"
	closed.Close()
	for _, tc := range []struct {
		name string
		fake *benchtest.Fake
		url  string
		env  []string
		code int
		want []string
	}{
		{name: "401 without key", fake: &benchtest.Fake{API: "openai", Status: http.StatusUnauthorized}, code: 2, want: []string{"HTTP 401", "--api-key-env NAME"}},
		{name: "403 with key", fake: &benchtest.Fake{API: "openai", Status: http.StatusForbidden}, env: []string{"--api-key-env", "BENCH_KEY"}, code: 2, want: []string{"HTTP 403", "check --api-key-env"}},
		{name: "404", fake: &benchtest.Fake{API: "openai", Status: http.StatusNotFound}, code: 2, want: []string{"HTTP 404", "--base-url", `--model "m"`}},
		{name: "HTML", fake: &benchtest.Fake{API: "openai", HTML: true}, code: 2, want: []string{"HTML", "--base-url", "--api"}},
		{name: "no usage", fake: &benchtest.Fake{API: "openai", NoUsage: true}, code: 1, want: []string{"no token usage"}},
		{name: "500", fake: &benchtest.Fake{API: "openai", Status: http.StatusInternalServerError}, code: 1, want: []string{"HTTP 500"}},
		{name: "unreachable", url: deadURL, code: 2, want: []string{"cannot reach the server", "--base-url"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.url
			if tc.fake != nil {
				url = fakeServer(t, tc.fake) + "/v1"
			}
			args := append([]string{"--base-url", url, "--model", "m", "--requests", "1", "--concurrency", "1"}, tc.env...)
			r := runBench(t, map[string]string{"BENCH_KEY": "secret-value-123"}, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", r.code, tc.code, r.stderr)
			}
			containsAll(t, r.stderr, tc.want...)
			if strings.Contains(r.stderr, "secret-value-123") {
				t.Fatal("the API key was printed")
			}
		})
	}
}

// failAfter answers the first n requests with the fake and the rest with 500.
type failAfter struct {
	n    int64
	seen atomic.Int64
	next http.Handler
}

func (h *failAfter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.seen.Add(1) > h.n {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"message":"boom","type":"server_error"}}`))
		return
	}
	h.next.ServeHTTP(w, r)
}

func TestBenchFailedRequestsExit1WithResult(t *testing.T) {
	srv := httptest.NewServer(&failAfter{n: 3, next: &benchtest.Fake{API: "openai", TokensPerSecond: 1e6}})
	t.Cleanup(srv.Close)
	r := runBench(t, nil, "--base-url", srv.URL+"/v1", "--model", "m", "--concurrency", "1", "--requests", "4", "--output-tokens", "4", "--format", "json")
	if r.code != ExitNegative {
		t.Fatalf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	var got struct {
		Levels []struct {
			Requests, Errors int
			FirstError       string `json:"first_error"`
		} `json:"levels"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	// warm-up + 2 succeed, 2 fail
	if len(got.Levels) != 1 || got.Levels[0].Requests != 4 || got.Levels[0].Errors != 2 || !strings.Contains(got.Levels[0].FirstError, "HTTP 500") {
		t.Errorf("levels %+v", got.Levels)
	}
	containsAll(t, r.stderr, "2 request(s) failed", "at concurrency 1")
}

// TestBenchGolden pins the table and JSON shapes; the fixed clock makes
// every time 0, so the figures are deterministic.
func TestBenchGolden(t *testing.T) {
	url := fakeServer(t, &benchtest.Fake{API: "openai", OutputTokens: 16})
	for _, format := range []string{"table", "json"} {
		r := run(t, nil, "bench", "--base-url", url+"/v1", "--model", "gpt-4o", "--concurrency", "1,2", "--requests", "2", "--format", format)
		mustOK(t, r)
		golden(t, "bench."+format, strings.ReplaceAll(r.stdout, url, "http://FAKE"))
	}
}

// --prompt-tokens and --output-tokens take 2K as fit and estimate do.
func TestBenchTokenFlagsTakeSuffixes(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := NewFactory(ios, func(string) string { return "" })
	var got *BenchOptions
	cmd := newCmdBench(f, func(o *BenchOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--base-url", "http://127.0.0.1:1", "--model", "m", "--prompt-tokens", "2K", "--output-tokens", "1.5k"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.PromptTokens != 2000 || got.OutputTokens != 1500 {
		t.Errorf("prompt %d output %d, want 2000 and 1500", got.PromptTokens, got.OutputTokens)
	}
}
