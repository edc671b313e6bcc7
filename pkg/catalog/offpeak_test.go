package catalog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/llmcost/llmcost/pkg/catalog"
	"github.com/shopspring/decimal"
)

// DeepSeek's peak windows: 01:00-04:00 and 06:00-10:00 UTC, Monday to
// Friday, start inclusive, end exclusive.
func deepseekOffPeak() *catalog.OffPeak {
	return &catalog.OffPeak{Multiplier: catalog.Num{D: decimal.RequireFromString("0.5"), Set: true},
		PeakHoursUTC: []string{"01:00-04:00", "06:00-10:00"}, PeakWeekdays: []string{"mon", "tue", "wed", "thu", "fri"}}
}

func TestOffPeakShareOfWeek(t *testing.T) {
	if got, want := deepseekOffPeak().PeakShareOfWeek(), decimal.NewFromInt(35).Div(decimal.NewFromInt(168)); !got.Equal(want) {
		t.Errorf("peak share %s, want 35/168 = %s", got, want)
	}
	bad := &catalog.OffPeak{Multiplier: catalog.Num{D: decimal.RequireFromString("0.5"), Set: true}, PeakHoursUTC: []string{"junk"}}
	if got := bad.PeakShareOfWeek(); !got.Equal(decimal.NewFromInt(1)) || !bad.IsPeak(time.Now()) {
		t.Errorf("an invalid OffPeak: share %s, peak %v; want 1 and peak (never cheaper)", got, bad.IsPeak(time.Now()))
	}
	every := &catalog.OffPeak{Multiplier: catalog.Num{D: decimal.RequireFromString("0.5"), Set: true}, PeakHoursUTC: []string{"00:00-12:00"}}
	if got := every.PeakShareOfWeek(); !got.Equal(decimal.RequireFromString("0.5")) {
		t.Errorf("12 h every day: %s, want 0.5", got)
	}
}

func TestOffPeakIsPeak(t *testing.T) {
	o := deepseekOffPeak()
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, c := range []struct {
		at   string
		peak bool
	}{
		{"2026-12-07T01:00:00Z", true},       // Monday, a window opens
		{"2026-12-07T03:59:59Z", true},       // still inside
		{"2026-12-07T04:00:00Z", false},      // the end is exclusive
		{"2026-12-07T05:30:00Z", false},      // between windows
		{"2026-12-07T09:00:00Z", true},       // the second window
		{"2026-12-11T09:00:00Z", true},       // Friday
		{"2026-12-12T02:00:00Z", false},      // Saturday: off-peak all day
		{"2026-12-07T10:00:00+08:00", true},  // read in UTC: 02:00 on a Monday
		{"2026-12-07T12:30:00+08:00", false}, // 04:30 UTC
	} {
		if got := o.IsPeak(at(c.at)); got != c.peak {
			t.Errorf("%s: peak %v, want %v", c.at, got, c.peak)
		}
	}
}

func TestOffPeakValidated(t *testing.T) {
	price := "        output: 15.00\n        batch_multiplier: 0.5\n"
	for _, c := range []struct{ name, block, want string }{
		{"bad hours", `["25:00-26:00"]`, `off_peak.peak_hours_utc: "25:00-26:00" is not HH:MM-HH:MM`},
		{"reversed", `["10:00-06:00"]`, `ends before it starts`},
		{"overlap", `["01:00-04:00", "03:00-05:00"]`, `overlaps another window`},
		{"two windows in one entry", `["01:00-04:00,06:00-10:00"]`, `is not HH:MM-HH:MM`},
		{"trailing text", `["01:00-04:00 and 06:00-10:00"]`, `is not HH:MM-HH:MM`},
		{"no leading zero", `["1:05-4:00"]`, `is not HH:MM-HH:MM`},
		{"past midnight", `["23:00-24:30"]`, `ends after 24:00`},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := strings.Replace(goodModel, price, price+"        off_peak:\n          multiplier: 0.5\n          peak_hours_utc: "+c.block+"\n", 1)
			_, err := load(t, map[string]string{"a.yaml": body})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "cat/a.yaml:") {
				t.Fatalf("error %v, want one at a file:line containing %q", err, c.want)
			}
		})
	}
	for _, c := range []struct{ name, block, want string }{
		{"multiplier above 1", "          multiplier: 2\n          peak_hours_utc: [\"01:00-04:00\"]\n", "off_peak.multiplier: must be at most 1"},
		{"no multiplier", "          peak_hours_utc: [\"01:00-04:00\"]\n", "off_peak.multiplier: is required"},
		{"no hours", "          multiplier: 0.5\n", "off_peak.peak_hours_utc: is required"},
		{"bad weekday", "          multiplier: 0.5\n          peak_hours_utc: [\"01:00-04:00\"]\n          peak_weekdays: [funday]\n", `off_peak.peak_weekdays: "funday" is not a day`},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := strings.Replace(goodModel, price, price+"        off_peak:\n"+c.block, 1)
			if _, err := load(t, map[string]string{"a.yaml": body}); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	body := strings.Replace(goodModel, price, price+"        off_peak:\n          multiplier: 0.5\n          peak_hours_utc: [\"01:00-04:00\", \"06:00-10:00\"]\n          peak_weekdays: [mon, tue, wed, thu, fri]\n", 1)
	if _, err := load(t, map[string]string{"a.yaml": body}); err != nil {
		t.Fatalf("a valid off_peak: %v", err)
	}
}
