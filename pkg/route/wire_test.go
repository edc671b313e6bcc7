package route

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/backend"
	"github.com/llmcost/llmcost/pkg/ledger"
)

// An input with a Wire goes only to backends of that api: not by a rule,
// not by fallback (even one whose confidence says escalate), not by the
// budget's Admit. A refusal sends nothing and says why.
func TestWireRestrictsEveryPath(t *testing.T) {
	lowConfidence := func(ctx context.Context, req backend.Request) (backend.Response, error) {
		r := okResponse(req, -3)
		r.Logprobs = []float64{-3, -3, -3} // whatever was asked: fallback would trigger
		return r, nil
	}
	native := func(id, task string) *Input {
		return &Input{ID: id, Task: task, Wire: backend.APIOpenAI,
			Req: backend.Request{ID: id, Native: &backend.Native{API: backend.APIOpenAI, Body: []byte(`{"model":"auto"}`)}}}
	}
	for _, c := range []struct {
		name, task string
		admit      bool
		wantOK     bool
		backend    string
	}{
		{"rule picks the same wire; fallback to the other is not sent", "", false, true, "local-llama"},
		{"rule picks the other wire", "code", false, false, "claude"},
		{"budget moves it to the other wire", "", true, false, "claude"},
	} {
		t.Run(c.name, func(t *testing.T) {
			local := &fakeBackend{name: "local-llama", respond: lowConfidence}
			cloud := &fakeBackend{name: "claude"}
			r := newRunner(t, local, cloud, &memLog{})
			if c.admit {
				r.Admit = func(pb *PolicyBackend, in *Input, pii bool) (*PolicyBackend, string, error) {
					return r.Policy.Backend("claude"), "test: moved", nil
				}
			}
			rt, err := r.NewRouter()
			if err != nil {
				t.Fatal(err)
			}
			out := rt.Serve(context.Background(), native("p1", c.task))
			if len(cloud.received()) != 0 {
				t.Fatal("a request of the openai wire reached the anthropic backend")
			}
			rec := out.Record
			if c.wantOK {
				// The fallback was evaluated, and refused by the wire.
				if rec.Status != ledger.StatusOK || rec.Backend != c.backend || len(local.received()) != 1 || rec.FallbackFrom != "" ||
					!strings.Contains(rec.RouteReason, `fallback to "claude"`) || !strings.Contains(rec.RouteReason, "wire") {
					t.Fatalf("record %+v", rec)
				}
				return
			}
			var we *WireError
			if rec.Status != ledger.StatusError || rec.Backend != c.backend || rec.Attempts != 0 || !errors.As(out.Err, &we) || out.Sent {
				t.Fatalf("record %+v, err %v: want an unsent wire refusal", rec, out.Err)
			}
			if we.API != backend.APIAnthropic || we.Wire != backend.APIOpenAI || !strings.Contains(rec.Error, "not sent") {
				t.Fatalf("wire error %+v, record error %q", we, rec.Error)
			}
			if len(local.received()) != 0 {
				t.Fatal("sent to the local backend anyway")
			}
		})
	}
}
