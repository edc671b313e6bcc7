package proxy

import (
	"context"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/ledger"
	"github.com/llmcost/llmcost/pkg/route"
)

// Shadower sends a sampled share of answered requests to the policy's
// shadow backend as well, after the client has its answer (Server's
// AfterAnswer), through a bounded queue: the client's response and
// latency are never touched. The shadow answer gets its own record,
// linked to the primary by shadow_of.
type Shadower struct {
	Router *route.Router
	Write  func(*ledger.Record) error
	// Sample says whether this eligible request is shadowed (route.Sampler).
	Sample func() bool
	// Offer queues a job without blocking (route.ShadowQueue.Offer);
	// false = queue full, skipped and counted by the queue.
	Offer func(job func(ctx context.Context)) bool
}

// After is Server.AfterAnswer.
func (s *Shadower) After(req *Request, in *route.Input, rec *ledger.Record) {
	pol := s.Router.Policy()
	if pol.Shadow == nil || rec.Status != ledger.StatusOK {
		return
	}
	// PII as the primary saw it: detected kinds or the caller's flag.
	to, ok := pol.ShadowTarget(rec.Backend, len(rec.PII) > 0)
	if !ok || (in.Wire != "" && to.API != in.Wire) || (in.Refuse != nil && in.Refuse(to.API) != "") {
		// A relayed (untranslatable) request can only go to a backend of
		// the client's wire, a request with sampling parameters only to
		// one whose wire has them: skipped, not sent.
		return
	}
	if s.Sample != nil && !s.Sample() {
		return
	}
	sin := &route.Input{ID: rec.ID + "-shadow", Task: in.Task, Flagged: len(rec.PII) > 0, Texts: in.Texts,
		Backend: to.Name, NoFallback: true, Refuse: in.Refuse}
	sin.Req = backend.Request{ID: sin.ID, Messages: in.Req.Messages, System: in.Req.System, Stop: in.Req.Stop,
		MaxTokens: in.Req.MaxTokens, Stream: in.Req.Stream, Temperature: in.Req.Temperature, TopP: in.Req.TopP}
	if n := in.Req.Native; n != nil {
		sin.Wire = in.Wire
		sin.Req.Native = &backend.Native{API: n.API, Body: n.Body} // read, not relayed
	}
	primaryID, client, api := rec.ID, rec.Client, rec.API
	s.Offer(func(ctx context.Context) {
		out := s.Router.Serve(ctx, sin)
		r := out.Record
		if r.Backend != to.Name {
			// Never expected (ShadowTarget keeps PII off the cloud, and
			// the router would have kept it local): not a shadow answer.
			r.RouteReason += "; shadow target not used"
		}
		r.Shadow, r.ShadowOf, r.Client, r.API = true, primaryID, client, api
		if r.Status == ledger.StatusOK && (sin.Req.Native == nil || out.Resp.Text != "") {
			r.SetAnswer(out.Resp.Text) // as for the primary (Server.chat)
		} else if ctx.Err() != nil {
			r.Status = ledger.StatusInterrupted
		}
		_ = s.Write(r)
	})
}
