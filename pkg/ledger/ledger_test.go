package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func rec(id string, status string) *Record {
	return &Record{TS: t0, ID: id, Backend: "local", Model: "m", Source: SourceLocal, Status: status, Attempts: 1}
}

func TestMarshalContract(t *testing.T) {
	r := rec("p1", StatusOK)
	r.InputTokens = Int64(12)
	r.CostUSD = NewUSD(decimal.RequireFromString("0.000123456789"))
	line, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(line), "}\n") || strings.Count(string(line), "\n") != 1 {
		t.Fatalf("want exactly one trailing newline: %q", line)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ts", "id", "backend", "model", "source", "status", "error", "attempts",
		"input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "ttft_ms", "latency_ms",
		"cost_usd", "route_reason", "fallback_from", "confidence"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %s", k, line)
		}
	}
	if got := string(m["cost_usd"]); got != "0.000123456789" {
		t.Errorf("cost_usd = %s, want a bare exact number", got)
	}
	if got := string(m["output_tokens"]); got != "null" {
		t.Errorf("unreported output_tokens = %s, want null", got)
	}
	if _, ok := m["prompt"]; ok {
		t.Error("prompt must be absent unless logged")
	}
	back, err := ParseLine(line[:len(line)-1])
	if err != nil {
		t.Fatal(err)
	}
	if !back.CostUSD.Equal(r.CostUSD.Decimal) || *back.InputTokens != 12 || back.OutputTokens != nil {
		t.Errorf("round trip lost data: %+v", back)
	}
}

func TestParseLineRejects(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`{"id":"a","status":"ok"}`, "missing ts"},
		{`{"ts":"2026-01-01T00:00:00Z","status":"ok"}`, "no id"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"done"}`, "status"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","input_tokens":-1}`, "negative"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","cost_usd":"abc"}`, "decimal"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok"} {}`, "trailing"},
		{`[1,2]`, "not a ledger record"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","cost_usd":-5}`, "cost_usd -5 is negative"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","cost_usd":1e400}`, "too large for one request"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","input_tokens":5000000000000000000}`, "too large"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","source":"sky"}`, `source "sky"`},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","latency_ms":-3}`, "latency_ms is negative"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","escalated_from":{"cost_usd":-1}}`, "escalated_from.cost_usd"},
	} {
		_, err := ParseLine([]byte(tc.line))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseLine(%s) = %v, want error containing %q", tc.line, err, tc.want)
		}
	}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func line(t *testing.T, r *Record) string {
	b, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReaderTornLastLine(t *testing.T) {
	full := line(t, rec("1", StatusOK)) + line(t, rec("2", StatusOK))
	torn := line(t, rec("3", StatusOK))
	p := writeFile(t, "a.jsonl", full+torn[:len(torn)/2])
	recs, warns, err := ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(warns) != 1 || warns[0].Line != 3 {
		t.Fatalf("got %d records, warnings %v; want 2 records and a warning at line 3", len(recs), warns)
	}
}

func TestReaderMalformedMiddleLine(t *testing.T) {
	p := writeFile(t, "b.jsonl", line(t, rec("1", StatusOK))+"{not json\n"+line(t, rec("3", StatusOK)))
	_, _, err := ReadAll(p)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 || le.File != p {
		t.Fatalf("err = %v, want LineError at %s:2", err, p)
	}
	if !strings.Contains(err.Error(), p+":2:") {
		t.Errorf("message %q lacks file:line", err)
	}
}

func TestReaderMalformedLastLineWithNewlineIsError(t *testing.T) {
	p := writeFile(t, "c.jsonl", line(t, rec("1", StatusOK))+"{\"id\":\n")
	if _, _, err := ReadAll(p); err == nil {
		t.Fatal("a complete (newline-terminated) bad last line is not a torn write; want error")
	}
}

func TestReaderGlobAndBlankLines(t *testing.T) {
	dir := t.TempDir()
	for i, body := range []string{line(t, rec("a", StatusOK)) + "\n\n", line(t, rec("b", StatusError))} {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.jsonl", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	recs, _, err := ReadAll(filepath.Join(dir, "*.jsonl"))
	if err != nil || len(recs) != 2 || recs[0].ID != "a" || recs[1].ID != "b" {
		t.Fatalf("recs=%v err=%v", recs, err)
	}
	if _, _, err := ReadAll(filepath.Join(dir, "*.nope")); err == nil {
		t.Error("a glob matching nothing must be an error")
	}
}

func TestReaderLongLine(t *testing.T) {
	r := rec("big", StatusOK)
	big := strings.Repeat("x", 1<<20) // longer than the bufio buffer
	r.Prompt = &big
	p := writeFile(t, "d.jsonl", line(t, r)+line(t, rec("after", StatusOK)))
	recs, _, err := ReadAll(p)
	if err != nil || len(recs) != 2 || len(*recs[0].Prompt) != 1<<20 || recs[1].ID != "after" {
		t.Fatalf("err=%v n=%d", err, len(recs))
	}
}

func TestWriterRepairsTornTailAndAppends(t *testing.T) {
	good := line(t, rec("1", StatusOK))
	p := writeFile(t, "e.jsonl", good+`{"ts":"2026-`)
	w, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if w.Dropped() != int64(len(`{"ts":"2026-`)) {
		t.Errorf("Dropped = %d", w.Dropped())
	}
	if err := w.Write(rec("2", StatusOK)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal("second Close must be harmless:", err)
	}
	recs, warns, err := ReadAll(p)
	if err != nil || len(warns) != 0 || len(recs) != 2 || recs[1].ID != "2" {
		t.Fatalf("recs=%v warns=%v err=%v", recs, warns, err)
	}
}

func TestWriterConcurrentLinesNeverInterleave(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.jsonl")
	w, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				r := rec(fmt.Sprintf("%d-%d", g, i), StatusOK)
				s := strings.Repeat("y", 5000)
				r.Prompt = &s
				if err := w.Write(r); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	if _, err := ReadFiles([]string{p}, func(r Record) error {
		if seen[r.ID] {
			return fmt.Errorf("duplicate %s", r.ID)
		}
		seen[r.ID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1600 {
		t.Fatalf("got %d records, want 1600", len(seen))
	}
}

func TestFinalAndFinalIDs(t *testing.T) {
	intr := rec("2", StatusError)
	intr.Error, intr.Interrupted = ErrInterrupted, true
	perm := rec("3", StatusError)
	perm.Error = "400 bad request"
	dry := rec("4", StatusOK)
	dry.DryRun = true
	p := writeFile(t, "g.jsonl", line(t, rec("1", StatusOK))+line(t, intr)+line(t, perm)+line(t, dry))
	ids, _, err := FinalIDs(p)
	if err != nil {
		t.Fatal(err)
	}
	_, has1 := ids["1"]
	_, has2 := ids["2"]
	_, has3 := ids["3"]
	_, has4 := ids["4"]
	if !has1 || has2 || !has3 || has4 {
		t.Fatalf("final ids = %v; want 1 and 3 only", ids)
	}
	empty, _, err := FinalIDs(filepath.Join(t.TempDir(), "missing.jsonl"))
	if err != nil || len(empty) != 0 {
		t.Fatalf("missing ledger: %v %v", empty, err)
	}
}

func TestAggregate(t *testing.T) {
	mk := func(id, backend string, in, out *int64, cost string, lat, ttft float64) *Record {
		r := rec(id, StatusOK)
		r.Backend, r.InputTokens, r.OutputTokens = backend, in, out
		if cost != "" {
			r.CostUSD = NewUSD(decimal.RequireFromString(cost))
		}
		r.LatencyMs, r.TTFTMs = Float(lat), Float(ttft)
		return r
	}
	g := NewGroups(ByBackend)
	g.Add(mk("1", "a", Int64(10), Int64(11), "0.1", 100, 10))
	g.Add(mk("2", "a", nil, Int64(21), "", 300, 30))
	fb := mk("3", "cloud", Int64(5), Int64(5), "0.2", 200, 20)
	fb.FallbackFrom = "a"
	fb.Escalated = &Leg{Backend: "a", InputTokens: Int64(5), OutputTokens: Int64(3), CostUSD: NewUSD(decimal.RequireFromString("0.05"))}
	g.Add(fb)
	e := rec("4", StatusError)
	e.Backend = "a"
	g.Add(e)

	a := g.Get("a")
	if a.Requests != 3 || a.OK != 2 || a.Errors != 1 || a.Escalated != 1 {
		t.Fatalf("a counts: %+v", a)
	}
	if a.InputTokens != 15 || a.MissingInput != 1 || a.OutputTokens != 35 {
		t.Errorf("a tokens: in %d (missing %d) out %d", a.InputTokens, a.MissingInput, a.OutputTokens)
	}
	if !a.CostUSD.Equal(decimal.RequireFromString("0.15")) || a.CostMissing != 2 {
		t.Errorf("a cost %s missing %d; want 0.15 and 2 (record 2 ok without cost, record 4 sent without cost)", a.CostUSD, a.CostMissing)
	}
	p50, _ := a.Latency.Percentile(50)
	if p50 != 200 {
		t.Errorf("p50 = %v, want 200", p50)
	}
	tps, ok := a.DecodeTokensPerSecond()
	if !ok || tps != float64(10+20)/(0.09+0.27) {
		t.Errorf("decode tok/s = %v %v", tps, ok)
	}
	tot := g.Total()
	if tot.Requests != 4 || !tot.CostUSD.Equal(decimal.RequireFromString("0.35")) {
		t.Errorf("total: %d requests, %s", tot.Requests, tot.CostUSD)
	}
	if got := g.Keys(); strings.Join(got, ",") != "a,cloud" {
		t.Errorf("keys %v", got)
	}
	days := NewGroups(ByDay(time.UTC))
	days.Add(mk("1", "a", nil, nil, "", 1, 1))
	if days.Get("2026-11-27") == nil {
		t.Errorf("day keys %v", days.Keys())
	}
	months := NewGroups(ByMonth(time.FixedZone("UTC-11", -11*3600)))
	months.Add(mk("1", "a", nil, nil, "", 1, 1)) // 10:00 UTC on the 27th is still November in UTC-11
	if months.Get("2026-11") == nil {
		t.Errorf("month keys %v", months.Keys())
	}
}

func TestPercentile(t *testing.T) {
	s := Samples{5, 1, 4, 2, 3}
	for _, tc := range []struct{ p, want float64 }{{0, 1}, {50, 3}, {100, 5}, {25, 2}, {95, 4.8}} {
		got, ok := s.Percentile(tc.p)
		if !ok || got != tc.want {
			t.Errorf("P%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	if _, ok := (Samples{}).Percentile(50); ok {
		t.Error("empty samples must report !ok")
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"ts":"2026-11-27T10:00:00Z","id":"p1","backend":"b","model":"m","source":"local","status":"ok","error":"","attempts":1,"input_tokens":3,"output_tokens":null,"cached_tokens":null,"reasoning_tokens":null,"ttft_ms":null,"latency_ms":12.5,"cost_usd":0.001,"route_reason":"default","fallback_from":"","confidence":0.9}`))
	f.Add([]byte(`{"ts":"2026-11-27T10:00:00Z","id":"p1","status":"error","cost_usd":"1e-3","escalated_from":{"backend":"x"}}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"ts":"2026-11-20T00:00:00Z","id":"q1-s","status":"client_closed","shadow":true,"shadow_of":"q1","api":"openai","client":"app","answer_sha256":"ab","answer_chars":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseLine(b)
		if err != nil {
			return
		}
		// Whatever parses must survive a round trip unchanged.
		out, err := Marshal(&r)
		if err != nil {
			t.Fatalf("marshal of parsed record failed: %v", err)
		}
		r2, err := ParseLine(out[:len(out)-1])
		if err != nil {
			t.Fatalf("re-parse failed: %v\n%s", err, out)
		}
		out2, _ := Marshal(&r2)
		if string(out) != string(out2) {
			t.Fatalf("round trip not stable:\n%s\n%s", out, out2)
		}
	})
}

// A last record that lacks only its newline is whole: FinalIDs counts it
// (so --resume skips its prompt), and Open must keep it, not cut it as torn.
func TestWriterKeepsWholeRecordWithoutNewline(t *testing.T) {
	good := line(t, rec("1", StatusOK))
	last := line(t, rec("2", StatusOK))
	p := writeFile(t, "g.jsonl", good+strings.TrimSuffix(last, "\n"))
	ids, _, err := FinalIDs(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ids["2"]; !ok {
		t.Fatal(`FinalIDs must count the whole last record "2"`)
	}
	w, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if w.Dropped() != 0 {
		t.Errorf("Dropped = %d, want 0: the last record is whole", w.Dropped())
	}
	if err := w.Write(rec("3", StatusOK)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, warns, err := ReadAll(p)
	if err != nil || len(warns) != 0 || len(recs) != 3 || recs[1].ID != "2" || recs[2].ID != "3" {
		t.Fatalf("recs=%v warns=%v err=%v", recs, warns, err)
	}
}

func TestProxyFieldsRoundTripAndStatuses(t *testing.T) {
	r := rec("q1-shadow", StatusClientClosed)
	r.Client, r.API, r.Shadow, r.ShadowOf = "app", APIAnthropic, true, "q1"
	r.SetAnswer("  héllo \n")
	line, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseLine(line[:len(line)-1])
	if err != nil {
		t.Fatal(err)
	}
	if back.Client != "app" || back.API != "anthropic" || !back.Shadow || back.ShadowOf != "q1" || back.Status != StatusClientClosed {
		t.Fatalf("round trip lost proxy fields: %+v", back)
	}
	if back.AnswerChars == nil || *back.AnswerChars != 5 || len(back.AnswerSHA256) != 64 {
		t.Fatalf("answer digest %q chars %v", back.AnswerSHA256, back.AnswerChars)
	}
	other := rec("x", StatusOK)
	other.SetAnswer("héllo")
	if other.AnswerSHA256 != back.AnswerSHA256 {
		t.Error("surrounding white space must not change the digest")
	}
	other.SetAnswer("hello")
	if other.AnswerSHA256 == back.AnswerSHA256 {
		t.Error("different answers share a digest")
	}
	// Batch records carry none of the proxy keys.
	plain, _ := Marshal(rec("p", StatusOK))
	for _, k := range []string{"client", "api", "shadow", "shadow_of", "answer_sha256", "answer_chars"} {
		if strings.Contains(string(plain), `"`+k+`"`) {
			t.Errorf("batch record has %q: %s", k, plain)
		}
	}
	if !rec("a", StatusClientClosed).Final() || rec("b", StatusInterrupted).Final() {
		t.Error("client_closed closes its request; interrupted does not")
	}
	for _, tc := range []struct{ line, want string }{
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"closed"}`, "client_closed"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","shadow":true}`, "no shadow_of"},
		{`{"ts":"2026-01-01T00:00:00Z","id":"a","status":"ok","api":"gemini"}`, "api"},
	} {
		if _, err := ParseLine([]byte(tc.line)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseLine(%s) = %v, want %q", tc.line, err, tc.want)
		}
	}
}

func TestTotalsCountProxyStatuses(t *testing.T) {
	var tot Totals
	ok := rec("1", StatusOK)
	ok.CostUSD = NewUSD(decimal.RequireFromString("0.002"))
	closed := rec("2", StatusClientClosed)
	closed.OutputTokens = Int64(40)
	closed.CostUSD = NewUSD(decimal.RequireFromString("0.0007"))
	intr := rec("3", StatusInterrupted)
	for _, r := range []*Record{ok, closed, intr} {
		tot.Add(r)
	}
	if tot.Requests != 2 || tot.OK != 1 || tot.ClientClosed != 1 || tot.Errors != 0 || tot.Interrupted != 1 {
		t.Fatalf("counts %+v", tot)
	}
	if !tot.CostUSD.Equal(decimal.RequireFromString("0.0027")) || tot.OutputTokens != 40 {
		t.Fatalf("a client that hung up still cost its tokens: cost %s out %d", tot.CostUSD, tot.OutputTokens)
	}
	// interrupted record sent a request whose cost is unknown: counted missing.
	if tot.CostMissing != 1 {
		t.Fatalf("cost missing %d", tot.CostMissing)
	}
}

// --log naming some other file (the prompts, notes) must not cut its last
// line as a torn record nor append records to it.
func TestOpenRefusesWhatIsNotALedger(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"notes without final newline": "my notes\nimportant last line",
		"prompts file":                "prompt one\nprompt two\n",
		"JSONL prompts":               `{"id":"a","prompt":"x"}` + "\n" + `{"id":"b","prompt":"y"}`,
		"one line of text":            "just one line",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := Open(path)
		var nl *NotLedgerError
		if !errors.As(err, &nl) || !nl.BadInput() {
			if w != nil {
				w.Close()
			}
			t.Errorf("%s: Open = %v, want NotLedgerError", name, err)
		}
		if got, _ := os.ReadFile(path); string(got) != content {
			t.Errorf("%s: file changed to %q", name, got)
		}
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("a directory: %v", err)
	}
	// A ledger torn by a crash is still repaired: its tail starts a record.
	path := filepath.Join(dir, "costs.jsonl")
	line, _ := json.Marshal(rec("r1", StatusOK))
	if err := os.WriteFile(path, append(append(line, '\n'), `{"ts":"2026-11-27T10:0`...), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Open(path)
	if err != nil || w.Dropped() == 0 {
		t.Fatalf("torn ledger: %v, dropped %d", err, w.Dropped())
	}
	w.Close()
}

// The same ledger named twice is read once, with a warning.
func TestReadFilesReadsAFileOnce(t *testing.T) {
	p := writeFile(t, "costs.jsonl", line(t, rec("r1", StatusOK))+"\n")
	n := 0
	warns, err := ReadFiles([]string{p, p, filepath.Join(filepath.Dir(p), "*.jsonl")}, func(Record) error { n++; return nil })
	if err != nil || n != 1 || len(warns) != 2 || !strings.Contains(warns[0].Msg, "more than once") {
		t.Errorf("read %d records, warnings %v, err %v", n, warns, err)
	}
}
