// Package bench measures a running LLM server: time to first token,
// inter-token latency, end-to-end latency and decode speed per stream, and
// aggregate tokens/s and requests/s, at a sweep of concurrency levels. It
// streams through pkg/backend, so the three wire protocols it speaks are
// measured the same way, and it counts tokens with the server's reported
// usage, never with a local tokenizer.
//
// Every time is read from Config.Now (the same clock the backend is built
// with), so tests drive both the fake server and the measurement from one
// fake clock.
package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/llmcost/llmcost/pkg/backend"
)

// Config is one sweep.
type Config struct {
	Backend      backend.Backend // built with the same Now
	Prompt       func(i int) string
	OutputTokens int // max_tokens of every request
	Concurrency  []int
	// Requests per level; when 0, each level runs for Duration (requests
	// started before it ends are finished and counted).
	Requests int
	Duration time.Duration
	// Warmup requests run before the sweep and are not counted: the first
	// request loads the model on some servers (Ollama) and checks that the
	// server answers at all.
	Warmup             int
	MinTokensPerSecond float64
	Now                func() time.Time
	// OnSample is called after every measured request (progress); it may
	// be called from several goroutines at once.
	OnSample func(s Sample)
}

// Sample is one measured request.
type Sample struct {
	Concurrency  int
	TTFT         time.Duration
	Latency      time.Duration
	InputTokens  int64
	OutputTokens int64
	ITL          []time.Duration // per token: each gap between chunks over the tokens it carried
	Err          error
}

// Percentiles of one quantity over a level's requests (or tokens, for ITL).
type Percentiles struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Mean float64 `json:"mean"`
	N    int     `json:"n"`
}

// Level is the result at one concurrency.
type Level struct {
	Concurrency     int     `json:"concurrency"`
	Requests        int     `json:"requests"`
	Errors          int     `json:"errors"`
	FirstError      string  `json:"first_error,omitempty"`
	DurationSeconds float64 `json:"duration_seconds"`
	// Server-reported token totals of the successful requests.
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
	// Aggregate throughput: output tokens and requests over the level's time.
	OutputTokensPerSecond float64 `json:"output_tokens_per_second"`
	RequestsPerSecond     float64 `json:"requests_per_second"`
	// Decode speed of one stream: (output tokens - 1) / (end - first token).
	StreamTokensPerSecond Percentiles `json:"stream_tokens_per_second"`
	TTFTMS                Percentiles `json:"ttft_ms"`
	ITLMS                 Percentiles `json:"itl_ms"`
	E2EMS                 Percentiles `json:"e2e_ms"`
	// MeetsMin: the median stream speed is at least MinTokensPerSecond.
	MeetsMin bool `json:"meets_min"`
}

// Result is a whole sweep.
type Result struct {
	MinTokensPerSecond float64 `json:"min_tokens_per_second"`
	Levels             []Level `json:"levels"`
	// KneeConcurrency is the last level at which the median stream still
	// decodes at MinTokensPerSecond, when a higher level of the sweep falls
	// below it; nil when no level falls below, or the first already does.
	KneeConcurrency *int   `json:"knee_concurrency"`
	Knee            string `json:"knee"`
}

// ErrNoUsage is a server answer without output token counts: bench
// reports the server's own usage, and without it there is nothing to
// measure decode speed with.
var ErrNoUsage = errors.New("the server's answer carries no token usage")

// WarmupError is a failed warm-up request: the server is not reachable or
// does not answer as the API it was named as.
type WarmupError struct{ Err error }

func (e *WarmupError) Error() string { return "warm-up request: " + e.Err.Error() }
func (e *WarmupError) Unwrap() error { return e.Err }

// Run measures every level in order. On cancellation it returns the levels
// finished so far with the context's error.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Now == nil {
		return nil, errors.New("bench: Config.Now is required")
	}
	if cfg.Requests <= 0 && cfg.Duration <= 0 {
		return nil, errors.New("bench: Requests or Duration is required")
	}
	seq := 0
	next := func() int { seq++; return seq }
	for i := 0; i < cfg.Warmup; i++ {
		s := one(ctx, cfg, next(), 0)
		if s.Err != nil {
			if errors.Is(s.Err, ErrNoUsage) {
				return nil, s.Err
			}
			return nil, &WarmupError{Err: s.Err}
		}
	}
	res := &Result{MinTokensPerSecond: cfg.MinTokensPerSecond, Levels: []Level{}}
	for _, c := range cfg.Concurrency {
		lv, err := level(ctx, cfg, c, &seq)
		if err != nil {
			res.knee()
			return res, err
		}
		res.Levels = append(res.Levels, lv)
	}
	res.knee()
	return res, nil
}

// one sends request i and measures it.
func one(ctx context.Context, cfg Config, i, conc int) Sample {
	s := Sample{Concurrency: conc}
	resp, err := cfg.Backend.Complete(ctx, backend.Request{
		ID: fmt.Sprint(i), Prompt: cfg.Prompt(i), MaxTokens: cfg.OutputTokens,
		Stream: true, TokenTimes: true,
	})
	if err != nil {
		s.Err = err
		return s
	}
	if resp.Usage.OutputTokens == nil {
		s.Err = ErrNoUsage
		return s
	}
	s.TTFT, s.Latency, s.OutputTokens = resp.TTFT, resp.Latency, *resp.Usage.OutputTokens
	if resp.Usage.InputTokens != nil {
		s.InputTokens = *resp.Usage.InputTokens
	}
	s.ITL = perTokenGaps(resp.TokenTimes, s.OutputTokens)
	return s
}

// perTokenGaps turns chunk arrival times into per-token gaps: a chunk that
// carried k tokens (Anthropic sends several per event) counts its gap k
// times at 1/k of it. k is the stream's mean, (tokens-1)/(chunks-1).
func perTokenGaps(times []time.Duration, tokens int64) []time.Duration {
	if len(times) < 2 || tokens < 2 {
		return nil
	}
	perGap := float64(tokens-1) / float64(len(times)-1)
	out := make([]time.Duration, 0, len(times)-1)
	for i := 1; i < len(times); i++ {
		out = append(out, time.Duration(float64(times[i]-times[i-1])/perGap))
	}
	return out
}

func level(ctx context.Context, cfg Config, conc int, seq *int) (Level, error) {
	var (
		mu      sync.Mutex
		samples []Sample
		started int
		last    time.Time
	)
	start := cfg.Now()
	// take hands out the next request number, or false when the level is done.
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if ctx.Err() != nil {
			return 0, false
		}
		if cfg.Requests > 0 && started >= cfg.Requests {
			return 0, false
		}
		if cfg.Requests <= 0 && cfg.Now().Sub(start) >= cfg.Duration {
			return 0, false
		}
		started++
		*seq++
		return *seq, true
	}
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				s := one(ctx, cfg, i, conc)
				end := cfg.Now()
				if s.Err != nil && ctx.Err() != nil {
					return // cut short by cancellation: not a server failure
				}
				mu.Lock()
				samples = append(samples, s)
				if end.After(last) {
					last = end
				}
				mu.Unlock()
				if cfg.OnSample != nil {
					cfg.OnSample(s)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Level{}, err
	}
	return summarize(conc, samples, last.Sub(start), cfg.MinTokensPerSecond), nil
}

func summarize(conc int, samples []Sample, elapsed time.Duration, minTPS float64) Level {
	lv := Level{Concurrency: conc, Requests: len(samples), DurationSeconds: round(elapsed.Seconds(), 6)}
	var ttft, e2e, itl, speed []float64
	for _, s := range samples {
		if s.Err != nil {
			if lv.Errors == 0 {
				lv.FirstError = s.Err.Error()
			}
			lv.Errors++
			continue
		}
		lv.InputTokens += s.InputTokens
		lv.OutputTokens += s.OutputTokens
		ttft = append(ttft, ms(s.TTFT))
		e2e = append(e2e, ms(s.Latency))
		for _, g := range s.ITL {
			itl = append(itl, ms(g))
		}
		if decode := s.Latency - s.TTFT; s.OutputTokens > 1 && decode > 0 {
			speed = append(speed, float64(s.OutputTokens-1)/decode.Seconds())
		}
	}
	ok := lv.Requests - lv.Errors
	if elapsed > 0 {
		lv.OutputTokensPerSecond = round(float64(lv.OutputTokens)/elapsed.Seconds(), 3)
		lv.RequestsPerSecond = round(float64(ok)/elapsed.Seconds(), 4)
	}
	lv.TTFTMS, lv.E2EMS, lv.ITLMS = percentiles(ttft), percentiles(e2e), percentiles(itl)
	lv.StreamTokensPerSecond = percentiles(speed)
	lv.MeetsMin = lv.StreamTokensPerSecond.N > 0 && lv.StreamTokensPerSecond.P50 >= minTPS
	return lv
}

// knee finds the last level before the median stream speed first falls
// below the minimum.
func (r *Result) knee() {
	r.KneeConcurrency = nil
	if len(r.Levels) == 0 {
		r.Knee = "no level was measured"
		return
	}
	for i, lv := range r.Levels {
		if lv.MeetsMin {
			continue
		}
		if i == 0 {
			r.Knee = fmt.Sprintf("below %g tok/s per stream already at concurrency %d", r.MinTokensPerSecond, lv.Concurrency)
			return
		}
		c := r.Levels[i-1].Concurrency
		r.KneeConcurrency = &c
		r.Knee = fmt.Sprintf("concurrency %d: past it (at %d) the median stream decodes at %.1f tok/s, below %g", c, lv.Concurrency, lv.StreamTokensPerSecond.P50, r.MinTokensPerSecond)
		return
	}
	r.Knee = fmt.Sprintf("not reached: every level up to concurrency %d keeps the median stream at %g tok/s or more", r.Levels[len(r.Levels)-1].Concurrency, r.MinTokensPerSecond)
}

// percentiles uses linear interpolation between closest ranks (numpy's
// default), so p50 of an even count is the mean of the middle two.
func percentiles(v []float64) Percentiles {
	if len(v) == 0 {
		return Percentiles{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	var sum float64
	for _, x := range s {
		sum += x
	}
	at := func(p float64) float64 {
		pos := p * float64(len(s)-1)
		lo := int(math.Floor(pos))
		hi := min(lo+1, len(s)-1)
		return round(s[lo]+(s[hi]-s[lo])*(pos-float64(lo)), 3)
	}
	return Percentiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Mean: round(sum/float64(len(s)), 3), N: len(s)}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
