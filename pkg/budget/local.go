package budget

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/llmcost/llmcost/pkg/cost"
	"github.com/llmcost/llmcost/pkg/hardware"
)

// Local options (MODEL@GPU[:QUANT][xN]) are priced with pkg/hardware's
// placement and pkg/cost's owned or rented TCO, as `estimate --local` and
// `--rent` do: the month's tokens decide how many GPU-hours are busy (and,
// past one machine's throughput, how many machines are needed).

func (p *pricer) localEnv() (*hardware.Env, error) {
	if p.env == nil {
		env, err := hardware.NewEnv(p.cat)
		if err != nil {
			return nil, err
		}
		p.env = env
	}
	return p.env, nil
}

func (p *pricer) priceLocal(w *Workload) (WorkloadResult, error) {
	fail := func(line int, field string, err error) (WorkloadResult, error) {
		return WorkloadResult{}, &Error{Kind: errKind, Issues: []Issue{{File: p.file, Line: line, Field: field, Msg: err.Error()}}}
	}
	spec, err := hardware.ParseSpec(w.Model.V)
	if err != nil {
		return fail(w.Model.Line, "model", err)
	}
	env, err := p.localEnv()
	if err != nil {
		return fail(w.Model.Line, "model", err)
	}
	conc := 1
	if w.Concurrency.Set {
		conc = int(w.Concurrency.N)
	}
	// The KV cache must hold the longest request: its prompt and its reply.
	req := hardware.Request{
		ContextTokens: int(w.PromptTokens.Max() + w.OutputTokens.Max()),
		Concurrency:   conc,
		PromptTokens:  int(w.PromptTokens.Mean().Round(0).IntPart()),
		OutputTokens:  int(w.OutputTokens.Mean().Round(0).IntPart()),
	}
	r, err := env.Place(spec, req)
	if err != nil {
		return fail(w.Model.Line, "model", err)
	}
	if !r.Fits {
		return fail(w.Model.Line, "model", fmt.Errorf("%s does not fit: it needs %d GPUs of %s for %s-token requests at concurrency %d", spec.Text, r.GPUsNeeded, r.GPU, FormatCount(int64(req.ContextTokens)), conc))
	}
	_, g, err := env.GPU(spec.GPU)
	if err != nil {
		return fail(w.Model.Line, "model", err)
	}
	reqs := decimal.NewFromInt(w.RequestsPerMonth.N)
	tokens := cost.Tokens{
		Input:  reqs.Mul(w.PromptTokens.Mean()).Round(0).IntPart(),
		Output: reqs.Mul(w.OutputTokens.Mean()).Round(0).IntPart(),
	}
	inputShare := decimal.Zero
	if t := tokens.Total(); t > 0 {
		inputShare = decimal.NewFromInt(tokens.Input).Div(decimal.NewFromInt(t))
	}
	basis := cost.BasisFromCatalog(p.cat.Defaults)
	var lc cost.LocalCost
	var notes []string
	hosting := w.Hosting.V
	if hosting == "" {
		hosting = "owned"
	}
	if hosting == "rented" {
		lc, _, err = cost.RentedFor(r, g, basis.HoursPerMonth, inputShare)
	} else {
		lc, notes, err = cost.OwnedFor(r, g, basis, cost.OwnedOverrides{}, inputShare)
	}
	if err != nil {
		var me *cost.MissingError
		if errors.As(err, &me) && hosting == "owned" {
			err = fmt.Errorf("%v: use hosting: rented, or a --catalog entry with the price", err)
		}
		return fail(w.Model.Line, "model", err)
	}
	m, err := lc.For(tokens)
	if err != nil {
		return fail(w.Model.Line, "model", err)
	}
	wr := WorkloadResult{
		Name: w.Name.V, File: p.file, Line: w.Line, Model: fmt.Sprintf("%s@%s:%s", r.Model, r.GPU, r.Quant), Provider: hosting, Kind: "local",
		RequestsPerMonth: w.RequestsPerMonth.N,
		InputTokens:      tokens.Input, OutputTokensMonth: tokens.Output, MonthlyUSD: m.Total, Buckets: []BucketResult{},
		GPUs: m.Capacity.GPUs, UpfrontUSD: dec(m.UpfrontUSD),
	}
	wr.setTokens(w)
	wr.localNotes = append(append(wr.localNotes, notes...), r.Unverified...)
	return wr, nil
}
