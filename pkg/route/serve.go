package route

import (
	"context"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/ledger"
)

// Router routes single requests (the proxy) with the same state a batch
// run keeps: rate limits and busy meters per backend, retries, pricing.
type Router struct{ st *run }

// Outcome is what serving one request produced.
type Outcome struct {
	Record *ledger.Record   // always set; the caller writes it
	Resp   backend.Response // the answer (empty on error)
	Err    error            // the last backend error, nil when the record is ok
	Sent   bool             // a request reached a backend
}

// NewRouter checks the runner and makes its per-backend state. Log is
// not used: the caller writes each Outcome's record.
func (r *Runner) NewRouter() (*Router, error) {
	if r.Log == nil {
		r.Log = nopLog{}
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	st := &run{Runner: r, reqCtx: context.Background(), limits: map[string]limits{}, meters: map[string]*busyMeter{}}
	for i := range r.Policy.Backends {
		b := &r.Policy.Backends[i]
		st.limits[b.Name] = newLimits(b.RPM, b.TPM)
		st.meters[b.Name] = newBusyMeter(r.Now)
	}
	return &Router{st: st}, nil
}

// Serve routes in under ctx (the client's request: its cancellation
// cancels the upstream call).
func (rt *Router) Serve(ctx context.Context, in *Input) Outcome {
	if in.Req.MaxTokens == 0 {
		in.Req.MaxTokens = rt.st.DefaultMaxTokens // --max-tokens, for requests without a limit
	}
	rec, resp := rt.st.serve(ctx, in)
	if rec == nil {
		// Stopped before anything was sent.
		rec = &ledger.Record{TS: rt.st.Now().UTC(), ID: in.ID, Task: in.Task, Status: ledger.StatusError,
			Error: ledger.ErrInterrupted, Interrupted: true}
		return Outcome{Record: rec, Err: ctx.Err()}
	}
	out := Outcome{Record: rec, Resp: resp, Sent: rec.Attempts > 0}
	if rec.Status != ledger.StatusOK {
		out.Err = in.lastErr
	}
	in.lastErr = nil
	return out
}

// Policy is the policy the router serves.
func (rt *Router) Policy() *Policy { return rt.st.Policy }

type nopLog struct{}

func (nopLog) Write(*ledger.Record) error { return nil }
