package catalog

import (
	"reflect"
	"testing"
	"time"
)

func TestDiff(t *testing.T) {
	asOf := time.Date(2026, 11, 27, 15, 4, 5, 0, time.UTC)
	a := []CloudModel{
		cloud("gpt-4o", "openai", "128000", rates("2.5", "1.25", "10")),
		cloud("old-model", "openai", "8192", rates("30", "", "60")),
		cloud("grok-4.5", "xai", "500000", rates("2", "0.5", "6")),
		cloud("claude-sonnet-4-5", "anthropic", "200000", rates("3", "0.3", "15")),
		cloud("same", "openai", "8192", rates("1", "", "2")),
	}
	b := []CloudModel{
		cloud("gpt-4o", "openai", "128000", rates("2.5", "1.25", "12")),
		cloud("grok-4.5", "xai", "500000", rates("2", "0.3", "6"), withTier("200000", rates("4", "0.6", "12"))),
		// renamed: matched through its alias
		cloud("claude-sonnet-4.5", "anthropic", "1000000", rates("3", "0.3", "15"), func(m *CloudModel) { m.Aliases = []string{"claude-sonnet-4-5"} }),
		cloud("new-model", "openai", "8192", rates("1", "", "2")),
		cloud("same", "openai", "8192", rates("1.00", "", "2.0")),
	}
	d := Diff(a, b, asOf)
	if d.AsOf.String() != "2026-11-27" {
		t.Errorf("as_of %s", d.AsOf)
	}
	if !reflect.DeepEqual(d.Added, []string{"new-model"}) || !reflect.DeepEqual(d.Removed, []string{"old-model"}) {
		t.Errorf("added %v removed %v", d.Added, d.Removed)
	}
	type change struct{ model, field, old, new, pct string }
	var got []change
	for _, c := range d.PriceChanges {
		pct := "-"
		if c.Pct != nil {
			pct = c.Pct.String()
		}
		got = append(got, change{c.Model, c.Field, c.Old.D.String(), c.New.D.String(), pct})
	}
	want := []change{
		{"gpt-4o", "output", "10", "12", "20"},
		{"grok-4.5", "cached_input", "0.5", "0.3", "-40"},
		{"grok-4.5", "tiers[>200000].input", "0", "4", "-"},
		{"grok-4.5", "tiers[>200000].output", "0", "12", "-"},
		{"grok-4.5", "tiers[>200000].cached_input", "0", "0.6", "-"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("price changes\n got %v\nwant %v", got, want)
	}
	for _, c := range d.PriceChanges {
		if c.Field == "tiers[>200000].input" && c.Old.Set {
			t.Error("a tier only the new side has must have an unset old value, not 0")
		}
	}
	if len(d.ContextChanges) != 1 || d.ContextChanges[0].Model != "claude-sonnet-4.5" ||
		d.ContextChanges[0].Old.String() != "200000" || d.ContextChanges[0].New.String() != "1000000" {
		t.Errorf("context changes %+v", d.ContextChanges)
	}
	if d.Empty() || !Diff(a, a, asOf).Empty() {
		t.Error("Empty() wrong")
	}
}

func TestDiffUsesPriceInForce(t *testing.T) {
	m := cloud("luna", "openai", "400000", rates("1", "", "6"), func(m *CloudModel) {
		m.Prices[0].EffectiveUntil = Day(2026, 7, 30)
		m.Prices = append(m.Prices, Price{EffectiveFrom: Day(2026, 7, 30), Rates: rates("0.2", "", "1.2"), Source: "x", Verified: Day(2026, 7, 30)})
	})
	flat := cloud("luna", "openai", "400000", rates("1", "", "6"))
	before := Diff([]CloudModel{flat}, []CloudModel{m}, time.Date(2026, 7, 29, 0, 0, 0, 0, time.UTC))
	after := Diff([]CloudModel{flat}, []CloudModel{m}, time.Date(2026, 7, 30, 0, 0, 0, 0, time.UTC))
	if len(before.PriceChanges) != 0 {
		t.Errorf("before the cut: %+v", before.PriceChanges)
	}
	if len(after.PriceChanges) != 2 || after.PriceChanges[0].Pct.String() != "-80" {
		t.Errorf("after the cut: %+v", after.PriceChanges)
	}
}
