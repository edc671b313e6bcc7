package route

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// busyMeter splits a local machine's busy time among the requests in
// flight on it: over any interval with n requests running, each is
// charged 1/n of it. Summed over requests this is exactly the time the
// machine had at least one request, so hourly_usd × busy time is neither
// double-counted under concurrency nor charged for idle gaps.
type busyMeter struct {
	mu     sync.Mutex
	now    func() time.Time
	last   time.Time
	active map[uint64]*time.Duration
	next   uint64
}

func newBusyMeter(now func() time.Time) *busyMeter {
	return &busyMeter{now: now, active: map[uint64]*time.Duration{}}
}

func (m *busyMeter) advance(t time.Time) {
	if n := len(m.active); n > 0 {
		share := t.Sub(m.last) / time.Duration(n)
		if share > 0 {
			for _, d := range m.active {
				*d += share
			}
		}
	}
	m.last = t
}

func (m *busyMeter) begin() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.advance(m.now())
	m.next++
	m.active[m.next] = new(time.Duration)
	return m.next
}

func (m *busyMeter) end(id uint64) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.advance(m.now())
	d := m.active[id]
	delete(m.active, id)
	if d == nil {
		return 0
	}
	return *d
}

// limits are a backend's request and token rate limits (nil = unlimited).
type limits struct {
	rpm, tpm *rate.Limiter
}

// newLimits smooths rpm/tpm to one second's worth of burst: providers
// enforce per-minute limits over shorter windows, so bursting a minute's
// budget at once draws 429s.
func newLimits(rpm, tpm int) limits {
	var l limits
	if rpm > 0 {
		l.rpm = rate.NewLimiter(rate.Limit(float64(rpm)/60), max(1, rpm/60))
	}
	if tpm > 0 {
		l.tpm = rate.NewLimiter(rate.Limit(float64(tpm)/60), max(1, tpm/60))
	}
	return l
}

// wait blocks until one request of about tokens tokens may start.
func (l limits) wait(ctx context.Context, tokens int) error {
	if l.rpm != nil {
		if err := l.rpm.Wait(ctx); err != nil {
			return err
		}
	}
	if l.tpm != nil {
		// WaitN refuses n above the burst; take a large request in chunks.
		for tokens > 0 {
			n := min(tokens, l.tpm.Burst())
			if err := l.tpm.WaitN(ctx, n); err != nil {
				return err
			}
			tokens -= n
		}
	}
	return nil
}
