package route

// A bounded queue of shadow jobs for route --listen: the proxy answers the
// client first, then offers the shadow request here; a full queue skips it
// (counted) rather than slow the client down.
//
// Usage:
//
//	q := route.NewShadowQueue(256, 2) // capacity, workers
//	if to, ok := policy.ShadowTarget(primary.Name, pii); ok && sampler.Sample() {
//		q.Offer(func(ctx context.Context) { /* call to, write a ledger record with Shadow, ShadowOf */ })
//	}
//	...
//	err := q.Close(drainCtx) // on shutdown: runs what is queued, or gives up at drainCtx's deadline
//	st := q.Stats()          // for /metrics: Accepted, Skipped, Done, Abandoned, Panicked, Queued, Running

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// ShadowJob is one shadow request. ctx is cancelled when Close gives up;
// a job must return promptly then (backend calls do).
type ShadowJob func(ctx context.Context)

// ShadowQueue runs shadow jobs on a fixed number of workers from a
// bounded buffer. Offer, Stats and Close are safe for concurrent use.
type ShadowQueue struct {
	mu     sync.Mutex // guards closed and the send on jobs
	closed bool
	jobs   chan ShadowJob

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	accepted, skipped, done, abandoned, panicked, running atomic.Int64
}

// ShadowStats are the queue's counters since it started.
type ShadowStats struct {
	Accepted  int64 // jobs taken by Offer
	Skipped   int64 // jobs refused by Offer: queue full or closed
	Done      int64 // jobs that ran to the end (including ones that panicked)
	Abandoned int64 // accepted jobs never started because Close gave up
	Panicked  int64 // jobs that panicked (recovered; the worker goes on)
	Queued    int   // waiting now
	Running   int64 // running now
}

// NewShadowQueue starts workers goroutines over a buffer of capacity
// jobs. Both are at least 1.
func NewShadowQueue(capacity, workers int) *ShadowQueue {
	capacity, workers = max(capacity, 1), max(workers, 1)
	ctx, cancel := context.WithCancel(context.Background())
	q := &ShadowQueue{jobs: make(chan ShadowJob, capacity), ctx: ctx, cancel: cancel}
	q.wg.Add(workers)
	for range workers {
		go q.work()
	}
	return q
}

func (q *ShadowQueue) work() {
	defer q.wg.Done()
	for job := range q.jobs {
		if q.ctx.Err() != nil {
			q.abandoned.Add(1)
			continue
		}
		q.run(job)
	}
}

func (q *ShadowQueue) run(job ShadowJob) {
	q.running.Add(1)
	defer func() {
		if recover() != nil {
			q.panicked.Add(1)
		}
		q.running.Add(-1)
		q.done.Add(1)
	}()
	job(q.ctx)
}

// Offer queues job and reports whether it was taken. It never blocks: a
// full or closed queue refuses the job and counts it as skipped.
func (q *ShadowQueue) Offer(job ShadowJob) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || job == nil {
		q.skipped.Add(1)
		return false
	}
	select {
	case q.jobs <- job:
		q.accepted.Add(1)
		return true
	default:
		q.skipped.Add(1)
		return false
	}
}

// Close stops taking jobs and waits for the queued and running ones to
// finish. When ctx ends first it gives up: running jobs see their context
// cancelled, queued ones are abandoned (counted), and Close returns an
// error wrapping ctx.Err() without waiting further (Wait does). Calling it
// again is harmless.
func (q *ShadowQueue) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.jobs)
	}
	q.mu.Unlock()
	finished := make(chan struct{})
	go func() { q.wg.Wait(); close(finished) }()
	select {
	case <-finished:
		q.cancel()
		return nil
	case <-ctx.Done():
		q.cancel()
		st := q.Stats()
		return fmt.Errorf("shadow queue: gave up draining with %d running and %d queued: %w", st.Running, st.Queued, ctx.Err())
	}
}

// Wait blocks until every worker has exited (after Close).
func (q *ShadowQueue) Wait() { q.wg.Wait() }

// Stats returns the counters now.
func (q *ShadowQueue) Stats() ShadowStats {
	return ShadowStats{
		Accepted: q.accepted.Load(), Skipped: q.skipped.Load(), Done: q.done.Load(),
		Abandoned: q.abandoned.Load(), Panicked: q.panicked.Load(),
		Queued: len(q.jobs), Running: q.running.Load(),
	}
}
