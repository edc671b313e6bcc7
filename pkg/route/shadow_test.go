package route

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func TestShadowQueueSkipsWhenFullWithoutBlocking(t *testing.T) {
	q := NewShadowQueue(1, 1)
	started, release := make(chan struct{}), make(chan struct{})
	var ran sync.WaitGroup
	ran.Add(2)
	if !q.Offer(func(context.Context) { close(started); <-release; ran.Done() }) {
		t.Fatal("first job refused")
	}
	<-started // the worker is busy: the buffer is empty
	if !q.Offer(func(context.Context) { ran.Done() }) {
		t.Fatal("second job refused with a free slot")
	}
	// Buffer full and the worker busy: Offer must return false at once
	// (if it blocked, this test would deadlock, not pass).
	for range 3 {
		if q.Offer(func(context.Context) { t.Error("skipped job ran") }) {
			t.Fatal("full queue took a job")
		}
	}
	st := q.Stats()
	if st.Accepted != 2 || st.Skipped != 3 || st.Queued != 1 || st.Running != 1 || st.Done != 0 {
		t.Fatalf("stats %+v", st)
	}
	close(release)
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	ran.Wait()
	if st := q.Stats(); st.Done != 2 || st.Queued != 0 || st.Running != 0 || st.Abandoned != 0 {
		t.Fatalf("after drain %+v", st)
	}
	if q.Offer(func(context.Context) {}) || q.Stats().Skipped != 4 {
		t.Fatal("a closed queue must refuse and count")
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestShadowQueueCloseDrainsEverythingQueued(t *testing.T) {
	q := NewShadowQueue(100, 3)
	var mu sync.Mutex
	n := 0
	for range 100 {
		if !q.Offer(func(context.Context) { mu.Lock(); n++; mu.Unlock() }) {
			// A worker may not have taken anything yet, but 100 fit the buffer.
			t.Fatal("job refused below capacity")
		}
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n != 100 || q.Stats().Done != 100 {
		t.Fatalf("ran %d, stats %+v", n, q.Stats())
	}
}

func TestShadowQueueCloseGivesUpAtDeadline(t *testing.T) {
	q := NewShadowQueue(4, 1)
	started := make(chan struct{})
	sawCancel := make(chan error, 1)
	q.Offer(func(ctx context.Context) { close(started); <-ctx.Done(); sawCancel <- ctx.Err() })
	<-started
	q.Offer(func(context.Context) { t.Error("queued job ran after Close gave up") })
	q.Offer(func(context.Context) { t.Error("queued job ran after Close gave up") })
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the drain deadline has passed
	err := q.Close(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Close = %v, want the context's error", err)
	}
	if e := <-sawCancel; !errors.Is(e, context.Canceled) {
		t.Fatalf("running job saw %v", e)
	}
	q.Wait()
	if st := q.Stats(); st.Abandoned != 2 || st.Done != 1 || st.Running != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestShadowQueueSurvivesAPanickingJob(t *testing.T) {
	q := NewShadowQueue(2, 1)
	q.Offer(func(context.Context) { panic("boom") })
	ok := make(chan struct{})
	q.Offer(func(context.Context) { close(ok) })
	<-ok
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := q.Stats(); st.Panicked != 1 || st.Done != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestShadowQueueConcurrentOfferAndClose(t *testing.T) {
	q := NewShadowQueue(8, 2)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				q.Offer(func(context.Context) {})
			}
		})
	}
	wg.Go(func() { _ = q.Close(context.Background()) })
	wg.Wait()
	_ = q.Close(context.Background())
	st := q.Stats()
	if st.Accepted+st.Skipped != 1600 || st.Done != st.Accepted {
		t.Fatalf("every offer is accepted or skipped, every accepted job runs: %+v", st)
	}
}

func BenchmarkShadowQueueOffer(b *testing.B) {
	q := NewShadowQueue(1024, 2)
	job := func(context.Context) {}
	b.ReportAllocs()
	for b.Loop() {
		q.Offer(job)
	}
	_ = q.Close(context.Background())
}
