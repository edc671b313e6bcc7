package cli

import (
	"strings"
	"testing"
)

// fit shows q4_0's prefill on the 4090 as derived from the q4_k_m
// measurement, in the table (a † on TTFT and a note) and in JSON.
func TestFitLabelsDerivedPrefill(t *testing.T) {
	out, stderr, code := runLocalCLI(t, "fit", "--model", "llama-3.1-8b", "--gpu", "rtx-4090", "--quant", "q4_0,q4_k_m", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res FitResult
	mustJSON(t, out, &res)
	byQuant := map[string]FitRow{}
	for _, r := range res.Results {
		byQuant[r.Quant] = r
	}
	q40, q4km := byQuant["q4_0"], byQuant["q4_k_m"]
	if q40.PrefillDerivedFrom != "q4_k_m measurement" || q40.PrefillBasis != "estimated" || q40.PrefillTPS != 7138.99 {
		t.Errorf("q4_0: derived %q basis %q prefill %v, want q4_k_m's 7138.99 labelled derived", q40.PrefillDerivedFrom, q40.PrefillBasis, q40.PrefillTPS)
	}
	if q4km.PrefillDerivedFrom != "" || q4km.PrefillBasis != "measured" {
		t.Errorf("q4_k_m: derived %q basis %q, want its own measurement", q4km.PrefillDerivedFrom, q4km.PrefillBasis)
	}
	if !strings.Contains(out, `"prefill_derived_from": "q4_k_m measurement"`) {
		t.Errorf("JSON lacks prefill_derived_from:\n%s", out)
	}

	table, _, code := runLocalCLI(t, "fit", "--model", "llama-3.1-8b", "--gpu", "rtx-4090", "--quant", "q4_0,q4_k_m")
	if code != 0 {
		t.Fatal(code)
	}
	var q40Line, q4kmLine string
	for _, l := range strings.Split(table, "\n") {
		switch {
		case strings.HasPrefix(l, "llama-3.1-8b ") && strings.Contains(l, " q4_0 "):
			q40Line = l
		case strings.HasPrefix(l, "llama-3.1-8b ") && strings.Contains(l, " q4_k_m "):
			q4kmLine = l
		}
	}
	if !strings.Contains(q40Line, "†") || strings.Contains(q4kmLine, "†") {
		t.Errorf("only the q4_0 row must carry †:\n%s", table)
	}
	if !strings.Contains(table, "llama-3.1-8b on rtx-4090 at q4_0: prefill derived from q4_k_m measurement") {
		t.Errorf("table note does not name the derivation:\n%s", table)
	}
	checkLocalGolden(t, "fit/llama-3.1-8b-q4_0-derived-prefill.table", table)
	checkLocalGolden(t, "fit/llama-3.1-8b-q4_0-derived-prefill.json", out)
}
