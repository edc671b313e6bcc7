package cli

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

const costsLedger = "testdata/ledger/costs.jsonl"

type reportJSON struct {
	Period struct {
		Hours float64 `json:"hours"`
	} `json:"period"`
	Groups []struct {
		Key      string           `json:"key"`
		Requests int64            `json:"requests"`
		CostUSD  *decimal.Decimal `json:"cost_usd"`
	} `json:"groups"`
	Total struct {
		Requests            int64            `json:"requests"`
		Errors              int64            `json:"errors"`
		InputTokens         int64            `json:"input_tokens"`
		OutputTokens        int64            `json:"output_tokens"`
		CachedTokens        int64            `json:"cached_tokens"`
		CostUSD             *decimal.Decimal `json:"cost_usd"`
		ProjectedMonthlyUSD *decimal.Decimal `json:"projected_monthly_usd"`
		CatalogEstimateUSD  *decimal.Decimal `json:"catalog_estimate_usd"`
	} `json:"total"`
	Assumptions []struct {
		Workload   string  `json:"workload"`
		Assumption string  `json:"assumption"`
		OffBy      float64 `json:"off_by"`
		Off        bool    `json:"off"`
		Line       int     `json:"line"`
	} `json:"assumptions"`
	Warnings []string `json:"warnings"`
}

// The fixture's complete lines, summed independently of pkg/ledger.
func fixtureSums(t *testing.T) (n, errs, in, out int64, cost decimal.Decimal) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", costsLedger))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r struct {
			Status       string           `json:"status"`
			InputTokens  *int64           `json:"input_tokens"`
			OutputTokens *int64           `json:"output_tokens"`
			CostUSD      *decimal.Decimal `json:"cost_usd"`
		}
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue // the torn last line
		}
		n++
		if r.Status == "error" {
			errs++
		}
		if r.InputTokens != nil {
			in += *r.InputTokens
		}
		if r.OutputTokens != nil {
			out += *r.OutputTokens
		}
		if r.CostUSD != nil {
			cost = cost.Add(*r.CostUSD)
		}
	}
	return
}

func TestReportTotalsEqualSumOfRecords(t *testing.T) {
	r := runInRepo(t, "report", costsLedger, "--format", "json")
	mustOK(t, r)
	var rep reportJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	n, errs, in, out, cost := fixtureSums(t)
	tot := rep.Total
	if tot.Requests != n || tot.Errors != errs || tot.InputTokens != in || tot.OutputTokens != out || tot.CostUSD == nil || !tot.CostUSD.Equal(cost) {
		t.Fatalf("totals %+v, records: %d requests, %d errors, %d in, %d out, $%s", tot, n, errs, in, out, cost)
	}
	var groups decimal.Decimal
	var reqs int64
	for _, g := range rep.Groups {
		if g.CostUSD == nil {
			t.Fatalf("group %s: cost_usd null, but its records are priced", g.Key)
		}
		groups = groups.Add(*g.CostUSD)
		reqs += g.Requests
	}
	if !groups.Equal(*tot.CostUSD) || reqs != tot.Requests || len(rep.Groups) != 2 {
		t.Fatalf("groups add up to %s / %d", groups, reqs)
	}
	// 24 hours observed: × 730/24.
	if want := cost.Mul(decimal.NewFromInt(730)).Div(decimal.NewFromInt(24)); rep.Period.Hours != 24 || tot.ProjectedMonthlyUSD == nil || !tot.ProjectedMonthlyUSD.Equal(want) {
		t.Fatalf("projection %v, want %s", tot.ProjectedMonthlyUSD, want)
	}
	// The cloud records were billed exactly what the catalog says.
	if tot.CatalogEstimateUSD == nil || !tot.CatalogEstimateUSD.Equal(decimal.RequireFromString("0.00505")) {
		t.Fatalf("catalog estimate %v", tot.CatalogEstimateUSD)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(r.stderr, "costs.jsonl:6: ignored torn last line") {
		t.Fatalf("torn line: warnings %v stderr %q", rep.Warnings, r.stderr)
	}
}

func TestReportBudgetFlagsTheContradictedAssumption(t *testing.T) {
	r := runInRepo(t, "report", costsLedger, "--budget", "testdata/budgets/cli/support.yaml", "--format", "json")
	mustOK(t, r)
	var rep reportJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var off []string
	for _, a := range rep.Assumptions {
		if a.Off {
			off = append(off, a.Assumption)
		}
	}
	// Cache hits: 500 of 4,000 prompt tokens (12.5%) vs 80% assumed.
	if len(off) != 1 || off[0] != "cached_share" || rep.Assumptions[0].OffBy != -67.5 || rep.Assumptions[0].Line != 10 {
		t.Fatalf("assumptions %+v", rep.Assumptions)
	}
	r = runInRepo(t, "report", costsLedger, "--budget", "testdata/budgets/cli/support.yaml")
	mustOK(t, r)
	containsAll(t, r.stdout, "support: testdata/budgets/cli/support.yaml assumes cached_share 80%, traffic shows 12% (-68 points)")
}

func TestReportBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "want one or more cost ledgers"},
		{[]string{"report", costsLedger, "--by", "week"}, `invalid value "week" for --by`},
		{[]string{"report", "testdata/ledger/none-*.jsonl"}, "none-*.jsonl"},
		{[]string{"report", costsLedger, "--budget", "testdata/budgets/invalid/unknown-key.yaml"}, "unknown-key.yaml:7"},
	} {
		r := runInRepo(t, tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
}

func TestReportGolden(t *testing.T) {
	for _, format := range []string{"table", "markdown"} {
		r := runInRepo(t, "report", costsLedger, "--budget", "testdata/budgets/cli/support.yaml", "--format", format)
		mustOK(t, r)
		golden(t, "report-costs."+format, r.stdout)
	}
}

func TestReportEstimateGap(t *testing.T) {
	d := decimal.RequireFromString
	est := d("0.00155")
	cases := []struct {
		g    ReportGroup
		want string
	}{
		{ReportGroup{Key: "claude", CostUSD: ptr(d("0.002")), CatalogEstimateUSD: &est}, "claude: measured $0.002, the catalog says $0.00155 for the same tokens (+29.0%)"},
		{ReportGroup{Key: "claude", CostUSD: ptr(d("0.00156")), CatalogEstimateUSD: &est}, ""},                   // within 1%
		{ReportGroup{Key: "claude", CostUSD: ptr(d("0.002")), CatalogEstimateUSD: &est, EstimateMissing: 1}, ""}, // partial estimate
		{ReportGroup{Key: "local", CostUSD: ptr(d("0.002"))}, ""},
		{ReportGroup{Key: "claude", CatalogEstimateUSD: &est, CostMissing: 2}, ""}, // no known cost
	}
	for _, c := range cases {
		if got := estimateGap(c.g); got != c.want {
			t.Errorf("%+v: %q, want %q", c.g, got, c.want)
		}
	}
}

// A group none of whose records has a known cost has an unknown cost,
// never $0: null in JSON, empty in CSV, "unknown" in the table. A group
// with some known costs keeps their sum and counts the rest.
func TestReportUnknownCostIsNotZero(t *testing.T) {
	dir := t.TempDir()
	rec := func(id, backend, cost string) string {
		return `{"ts":"2026-11-20T0` + id[1:] + `:00:00Z","id":"` + id + `","backend":"` + backend + `","model":"m","source":"local","status":"ok","error":"","attempts":1,"input_tokens":100,"output_tokens":10,"cached_tokens":null,"reasoning_tokens":null,"ttft_ms":null,"latency_ms":900,"cost_usd":` + cost + `,"route_reason":"default","fallback_from":"","confidence":null,"task":""}` + "\n"
	}
	path := filepath.Join(dir, "costs.jsonl")
	data := rec("r1", "nullcost", "null") + rec("r2", "nullcost", "null") + rec("r3", "mixed", "0.25") + rec("r4", "mixed", "null")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "report", path, "--format", "json")
	mustOK(t, r)
	var rep reportJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	costs := map[string]*decimal.Decimal{}
	for _, g := range rep.Groups {
		costs[g.Key] = g.CostUSD
	}
	if c, ok := costs["nullcost"]; !ok || c != nil {
		t.Errorf("nullcost group: cost_usd %v, want null (no record has a known cost)\n%s", c, r.stdout)
	}
	if c := costs["mixed"]; c == nil || !c.Equal(decimal.RequireFromString("0.25")) {
		t.Errorf("mixed group: cost_usd %v, want the known 0.25", c)
	}
	if rep.Total.CostUSD == nil || !rep.Total.CostUSD.Equal(decimal.RequireFromString("0.25")) {
		t.Errorf("total cost_usd %v, want 0.25 (3 of 4 unknown)", rep.Total.CostUSD)
	}
	if !strings.Contains(r.stdout, `"cost_missing": 2`) {
		t.Errorf("no cost_missing 2:\n%s", r.stdout)
	}

	r = run(t, nil, "report", path)
	mustOK(t, r)
	containsAll(t, r.stdout, "unknown (2 requests)", "$0.25 (+1 unknown)", "$0.25 (+3 unknown)")
	if strings.Contains(r.stdout, "$0.00") {
		t.Errorf("an unknown cost shown as $0.00:\n%s", r.stdout)
	}

	r = run(t, nil, "report", path, "--format", "csv")
	mustOK(t, r)
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "nullcost,") {
			if f := strings.Split(line, ","); len(f) < 6 || f[5] != "" {
				t.Errorf("nullcost CSV row %q: want an empty cost cell", line)
			}
		}
	}
}

// A proxy ledger (client, api, shadow, shadow_of, client_closed,
// interrupted) is read by the plain report unchanged.
func TestReportReadsProxyLedger(t *testing.T) {
	r := runInRepo(t, "report", "testdata/ledger/proxy.jsonl", "--format", "json")
	mustOK(t, r)
	var rep reportJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	// 9 records: 7 ok + 1 client_closed are requests; the interrupted one is not.
	if rep.Total.Requests != 8 || rep.Total.Errors != 0 || rep.Total.CostUSD == nil || !rep.Total.CostUSD.Equal(decimal.RequireFromString("0.0104")) {
		t.Fatalf("total %+v", rep.Total)
	}
	if len(rep.Warnings) != 0 {
		t.Fatalf("warnings %v", rep.Warnings)
	}
	var raw struct {
		Total struct {
			ClientClosed int64 `json:"client_closed"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil || raw.Total.ClientClosed != 1 {
		t.Fatalf("client_closed %d (%v)", raw.Total.ClientClosed, err)
	}
	r = runInRepo(t, "report", "testdata/ledger/proxy.jsonl")
	mustOK(t, r)
	containsAll(t, r.stdout, "3 shadow answers are included")
}

const proxyLedger = "testdata/ledger/proxy.jsonl"

func TestReportCompareGolden(t *testing.T) {
	for _, format := range []string{"table", "json", "markdown", "csv"} {
		r := runInRepo(t, "report", proxyLedger, "--compare", "--format", format)
		mustOK(t, r)
		golden(t, "report-compare."+format, r.stdout)
	}
}

func TestReportCompareFigures(t *testing.T) {
	r := runInRepo(t, "report", proxyLedger, "--compare", "--format", "json")
	mustOK(t, r)
	var res CompareResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 1 {
		t.Fatalf("pairs %+v", res.Pairs)
	}
	p := res.Pairs[0]
	d := decimal.RequireFromString
	// q1, q2, q6 were shadowed: claude 0.002+0.0025+0.003, local 0.0004+0.0006+0.0005.
	if p.Requests != 3 || !p.Primary.CostPerRequestUSD.Equal(d("0.0025")) || !p.Shadow.CostPerRequestUSD.Equal(d("0.0005")) {
		t.Fatalf("cost per request %v / %v", p.Primary.CostPerRequestUSD, p.Shadow.CostPerRequestUSD)
	}
	// Exactly one of three answers equal; lengths 800/800, 600/400, 700/1000.
	if *p.ExactMatch != 1.0/3 || *p.LengthRatio != (1+1.5+0.7)/3 || *p.Primary.LatencyMs.P50 != 1400 || *p.Shadow.TTFTMs.P50 != 100 {
		t.Fatalf("agreement %v %v, latency %v ttft %v", *p.ExactMatch, *p.LengthRatio, *p.Primary.LatencyMs.P50, *p.Shadow.TTFTMs.P50)
	}
	// Whole traffic on claude: 4 requests (q5 was interrupted), $0.0085
	// spent, over the ledger's period; local at $0.0005 a request.
	perMonth := d("730").Div(decimal.NewFromFloat(res.Period.Hours))
	if p.TrafficRequests != 4 || !p.Primary.MonthlyUSD.Equal(d("0.0085").Mul(perMonth)) || !p.Shadow.MonthlyUSD.Equal(d("0.002").Mul(perMonth)) {
		t.Fatalf("monthly %v / %v over %d requests", p.Primary.MonthlyUSD, p.Shadow.MonthlyUSD, p.TrafficRequests)
	}
}

func TestReportCompareWithoutShadowsAndBadFlags(t *testing.T) {
	r := runInRepo(t, "report", costsLedger, "--compare", "--format", "json")
	mustOK(t, r)
	var res CompareResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 0 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "no shadow records") {
		t.Fatalf("%+v", res)
	}
	for _, args := range [][]string{
		{"report", proxyLedger, "--compare", "--by", "model"},
		{"report", proxyLedger, "--compare", "--budget", "testdata/budgets/cli/support.yaml"},
	} {
		r := runInRepo(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "--compare cannot be combined") {
			t.Errorf("%v: exit %d stderr %q", args, r.code, r.stderr)
		}
	}
}

// Records without a backend (requests the proxy refused before routing)
// form their own "(none)" group, unsent and costing nothing; the catalog
// estimate of the whole ledger stays the total's, not that group's.
func TestReportGroupWithoutKeyIsNotTheTotal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "costs.jsonl")
	data := `{"ts":"2026-11-20T00:00:00Z","id":"p1","backend":"claude","model":"claude-haiku-4-5","source":"cloud","status":"ok","error":"","attempts":1,"input_tokens":1000,"output_tokens":200,"cached_tokens":500,"reasoning_tokens":null,"ttft_ms":300,"latency_ms":1200,"cost_usd":0.00155,"route_reason":"default","fallback_from":"","confidence":null}
{"ts":"2026-11-20T01:00:00Z","id":"p2","backend":"","model":"gpt-9","source":"","status":"error","error":"model \"gpt-9\" is not in the policy","attempts":0,"input_tokens":null,"output_tokens":null,"cached_tokens":null,"reasoning_tokens":null,"ttft_ms":null,"latency_ms":null,"cost_usd":null,"route_reason":"refused before routing","fallback_from":"","confidence":null,"api":"openai"}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "report", path, "--format", "json")
	mustOK(t, r)
	var rep struct {
		Groups []ReportGroup `json:"groups"`
		Total  ReportGroup   `json:"total"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var none *ReportGroup
	for i := range rep.Groups {
		if rep.Groups[i].Key == "" {
			none = &rep.Groups[i]
		}
	}
	if none == nil || none.Requests != 1 || none.Errors != 1 || none.CatalogEstimateUSD != nil || none.CostUSD == nil || !none.CostUSD.IsZero() {
		t.Fatalf("(none) group %+v: want 1 unsent error, nothing spent, no catalog estimate", none)
	}
	if e := rep.Total.CatalogEstimateUSD; e == nil || !e.Equal(decimal.RequireFromString("0.00155")) {
		t.Errorf("total catalog estimate %v, want the claude record's 0.00155", e)
	}
}

// A record refused before routing (no source) that shares a cloud group
// (--by model: the client named the model) does not hide that group's
// "measured vs catalog" note, as a local record would.
func TestReportRefusedRecordKeepsCloudGap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "costs.jsonl")
	rec := func(id, backend, source, status string, attempts int, cost string) string {
		return `{"ts":"2026-11-20T0` + id[1:] + `:00:00Z","id":"` + id + `","backend":"` + backend + `","model":"claude-haiku-4.5","source":"` + source + `","status":"` + status + `","error":"","attempts":` + strconv.Itoa(attempts) + `,"input_tokens":1000000,"output_tokens":200000,"cached_tokens":null,"reasoning_tokens":null,"ttft_ms":null,"latency_ms":900,"cost_usd":` + cost + `,"route_reason":"default","fallback_from":"","confidence":null}` + "\n"
	}
	// Haiku 4.5 at $1/$5: 1M in + 200K out = $2 each; measured $4 each.
	data := rec("p1", "claude", "cloud", "ok", 1, "4") + rec("p2", "claude", "cloud", "ok", 1, "4")
	withRefused := data + strings.Replace(rec("p3", "", "", "error", 0, "null"), `"input_tokens":1000000,"output_tokens":200000`, `"input_tokens":null,"output_tokens":null`, 1)
	for _, body := range []string{data, withRefused} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, nil, "report", path, "--by", "model")
		mustOK(t, r)
		containsAll(t, r.stdout, "claude-haiku-4.5: measured $8.00, the catalog says $4.00")
	}
}

// The catalog's estimate of records it cannot price is unknown, not $0:
// null in JSON, "unknown (N unpriced)" in the table.
func TestReportUnknownCatalogEstimateIsNotZero(t *testing.T) {
	dir := t.TempDir()
	rec := func(id, backend, model string) string {
		return `{"ts":"2026-11-20T0` + id[1:] + `:00:00Z","id":"` + id + `","backend":"` + backend + `","model":"` + model + `","source":"cloud","status":"ok","error":"","attempts":1,"input_tokens":1000,"output_tokens":100,"cached_tokens":null,"reasoning_tokens":null,"ttft_ms":null,"latency_ms":900,"cost_usd":0.01,"route_reason":"default","fallback_from":"","confidence":null,"task":""}` + "\n"
	}
	path := filepath.Join(dir, "costs.jsonl")
	data := rec("r1", "mystery", "mystery-model-9") + rec("r2", "mixed", "mystery-model-9") + rec("r3", "mixed", "gpt-4o-mini")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "report", path, "--format", "json")
	mustOK(t, r)
	var rep struct {
		Groups []struct {
			Key      string           `json:"key"`
			Estimate *decimal.Decimal `json:"catalog_estimate_usd"`
			Missing  int64            `json:"catalog_estimate_missing"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, g := range rep.Groups {
		switch g.Key {
		case "mystery":
			if g.Estimate != nil || g.Missing != 1 {
				t.Errorf("mystery: estimate %v missing %d, want null and 1", g.Estimate, g.Missing)
			}
		case "mixed":
			// gpt-4o-mini: 1,000 x $0.15/M + 100 x $0.60/M.
			if g.Estimate == nil || !g.Estimate.Equal(decimal.RequireFromString("0.00021")) || g.Missing != 1 {
				t.Errorf("mixed: estimate %v missing %d, want 0.00021 and 1", g.Estimate, g.Missing)
			}
		}
	}
	r = run(t, nil, "report", path)
	mustOK(t, r)
	containsAll(t, r.stdout, "unknown (1 unpriced)", "(+1 unpriced)")
}

// Token counts no server reported are unknown in the report, not 0.
func TestReportUnreportedTokensAreNotZero(t *testing.T) {
	dir := t.TempDir()
	rec := func(id, backend, in string) string {
		return `{"ts":"2026-11-20T0` + id[1:] + `:00:00Z","id":"` + id + `","backend":"` + backend + `","model":"m","source":"local","status":"ok","error":"","attempts":1,"input_tokens":` + in + `,"output_tokens":null,"cached_tokens":null,"reasoning_tokens":null,"ttft_ms":null,"latency_ms":900,"cost_usd":0.01,"route_reason":"default","fallback_from":"","confidence":null,"task":""}` + "\n"
	}
	path := filepath.Join(dir, "costs.jsonl")
	if err := os.WriteFile(path, []byte(rec("r1", "silent", "null")+rec("r2", "silent", "null")+rec("r3", "some", "100")+rec("r4", "some", "null")), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "report", path, "--format", "json")
	mustOK(t, r)
	var rep struct {
		Groups []struct {
			Key     string         `json:"key"`
			In      *int64         `json:"input_tokens"`
			Out     *int64         `json:"output_tokens"`
			Cached  *int64         `json:"cached_tokens"`
			Missing *TokensMissing `json:"tokens_missing"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, g := range rep.Groups {
		switch g.Key {
		case "silent":
			if g.In != nil || g.Out != nil || g.Cached != nil || g.Missing == nil || *g.Missing != (TokensMissing{2, 2, 2}) {
				t.Errorf("silent: %+v, want null counts and 2 missing of each", g)
			}
		case "some":
			if g.In == nil || *g.In != 100 || g.Missing == nil || g.Missing.Input != 1 {
				t.Errorf("some: %+v, want 100 input with 1 missing", g)
			}
		}
	}
	r = run(t, nil, "report", path)
	mustOK(t, r)
	containsAll(t, r.stdout, "unknown (2)", "100 (+1 unknown)")
}
