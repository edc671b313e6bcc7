package backend

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Retry defaults, used for zero fields of RetryPolicy.
const (
	DefaultMaxAttempts   = 4
	DefaultBaseDelay     = 500 * time.Millisecond
	DefaultMaxDelay      = 20 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
)

// RetryPolicy says how Do retries retryable failures.
type RetryPolicy struct {
	MaxAttempts         int           // total attempts including the first; default 4
	BaseDelay, MaxDelay time.Duration // backoff: full jitter over min(MaxDelay, BaseDelay*2^n)
	// MaxRetryAfter caps an honoured Retry-After. A server asking for a longer
	// wait is not retried at all: waiting less than it asked just burns an
	// attempt (the same choice openai-go makes), and the caller gets the error
	// with RetryAfter set so it can fall back or reschedule.
	MaxRetryAfter time.Duration
	Sleep         func(ctx context.Context, d time.Duration) error // injected (tests record, never sleep)
	Rand          func() float64                                   // injected jitter source in [0,1)
	// OnRetry, when set, is told about each failed attempt that will be
	// retried and how long Do waits first (for per-attempt logging).
	OnRetry func(attempt int, err *Error, wait time.Duration)
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if p.Sleep == nil {
		p.Sleep = sleepContext
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// Backoff is the full-jitter wait before retry number n (0-based):
// a uniform draw from [0, min(MaxDelay, BaseDelay*2^n)).
func (p RetryPolicy) Backoff(n int) time.Duration {
	p = p.withDefaults()
	ceiling := p.MaxDelay
	if n < 62 {
		if d := p.BaseDelay << n; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	r := p.Rand()
	if r < 0 || r >= 1 {
		r = 0
	}
	return time.Duration(r * float64(ceiling))
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Do calls b.Complete until it succeeds, fails permanently, or runs out of
// attempts. attempts counts calls to Complete. A malformed response is retried
// at most once: a body that is garbage twice is a wrong endpoint or protocol,
// not a hiccup, and more attempts would only cost money.
func Do(ctx context.Context, b Backend, req Request, p RetryPolicy) (resp Response, attempts int, err error) {
	p = p.withDefaults()
	malformed := 0
	for attempts = 1; ; attempts++ {
		resp, err = b.Complete(ctx, req)
		if err == nil {
			return resp, attempts, nil
		}
		var be *Error
		if !errors.As(err, &be) {
			// Not classified: a programming error in a Backend, never retried.
			return Response{}, attempts, err
		}
		if !be.Retryable || attempts >= p.MaxAttempts || ctx.Err() != nil {
			return Response{}, attempts, err
		}
		if be.Code == CodeMalformedResponse {
			malformed++
			if malformed > 1 {
				return Response{}, attempts, err
			}
		}
		wait := be.RetryAfter
		if wait > p.MaxRetryAfter {
			return Response{}, attempts, err
		}
		if wait <= 0 {
			wait = p.Backoff(attempts - 1)
		}
		if p.OnRetry != nil {
			p.OnRetry(attempts, be, wait)
		}
		if serr := p.Sleep(ctx, wait); serr != nil {
			return Response{}, attempts, &Error{Backend: b.Name(), Code: CodeCanceled,
				Message: fmt.Sprintf("stopped while waiting to retry after: %s", be.Error()), cause: serr}
		}
	}
}
