package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/catalog"
)

const staleFixture = "../../testdata/catalog/stale-fixture"

// The clock is fixedNow (2026-11-27): --stale 90d flags verified dates before
// 2026-08-29. Line numbers point into testdata/catalog/stale-fixture/models.yaml.
func TestCatalogLintStale(t *testing.T) {
	out, errOut, code := runLLMCost(t, staleFixture, "catalog", "lint", "--stale", "90d", "--format", "json")
	if code != 0 { // stale prices are warnings: exit 0, as for every warning
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		AsOf       string            `json:"as_of"`
		StaleAfter int               `json:"stale_after_days"`
		Findings   []catalog.Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.AsOf != "2026-11-27" || res.StaleAfter != 90 {
		t.Errorf("as_of %s stale_after_days %d", res.AsOf, res.StaleAfter)
	}
	var got []string
	for _, f := range res.Findings {
		if f.Rule == catalog.RuleStale {
			got = append(got, f.Model+" "+f.Field+" "+f.File+":"+strconv.Itoa(f.Line)+" "+f.Message)
		}
	}
	want := []string{ // models in id order
		// 91 days is stale; the model's own 90 days (2026-08-29) is not
		"boundary-model prices[0].verified embedded/models.yaml:47 last verified 2026-08-28, 91 days ago (more than 90): check the provider's price page",
		// the model's own date: 2026-07-24 is 126 days before 2026-11-27
		"old-model verified embedded/models.yaml:20 last verified 2026-07-24, 126 days ago (more than 90): check the provider's price page",
		// the price in force, although it repeats the model's date
		"old-model prices[1].verified embedded/models.yaml:31 last verified 2026-07-24, 126 days ago (more than 90): check the provider's price page",
		// the scheduled price; prices[0] (2025-01-01) is superseded history and not listed
		"old-model prices[2].verified embedded/models.yaml:36 last verified 2026-08-01, 118 days ago (more than 90): check the provider's price page",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stale findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Weeks are accepted: 12w = 84 days also catches the 2026-08-29 date (90 days).
	out, _, _ = runLLMCost(t, staleFixture, "catalog", "lint", "--stale", "12w", "--format", "json")
	if !strings.Contains(out, `"stale_after_days": 84`) || !strings.Contains(out, "last verified 2026-08-29, 90 days ago (more than 84)") {
		t.Errorf("--stale 12w:\n%s", out)
	}

	// Without --stale: 180 days, the model's and current price's dates only.
	out, _, _ = runLLMCost(t, staleFixture, "catalog", "lint", "--format", "json")
	if strings.Contains(out, `"rule": "stale"`) || !strings.Contains(out, `"stale_after_days": 180`) {
		t.Errorf("default lint flagged a date under 180 days:\n%s", out)
	}

	table, _, _ := runLLMCost(t, staleFixture, "catalog", "lint", "--stale", "90d")
	golden(t, "catalog-lint-stale-90d.table", table)
}

func TestCatalogLintStaleFlag(t *testing.T) {
	for _, bad := range []string{"90x", "0d", "-5d", "d", "1.5w"} {
		_, errOut, code := runLLMCost(t, staleFixture, "catalog", "lint", "--stale", bad)
		if code != 2 || !strings.Contains(errOut, "--stale") {
			t.Errorf("--stale %q: exit %d, %q; want exit 2 naming --stale", bad, code, errOut)
		}
	}
	for in, days := range map[string]int{"90d": 90, "90": 90, "12w": 84, " 7D ": 7} {
		if got, err := parseStaleAge(in); err != nil || got != days {
			t.Errorf("parseStaleAge(%q) = %d, %v; want %d", in, got, err, days)
		}
	}
}
