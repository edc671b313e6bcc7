package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// OffPeak is a time-of-day price (DeepSeek since 2026-08-16): inside the
// peak windows the price's rates apply, outside them every rate times
// Multiplier. Windows are UTC, start inclusive, end exclusive, on the
// weekdays listed (every day when none is).
type OffPeak struct {
	Multiplier   Num      `yaml:"multiplier" json:"multiplier"`
	PeakHoursUTC []string `yaml:"peak_hours_utc" json:"peak_hours_utc"` // "01:00-04:00"
	PeakWeekdays []string `yaml:"peak_weekdays,omitempty" json:"peak_weekdays,omitempty"`
	Line         int      `yaml:"-" json:"-"`
}

// windowRE is one window, the whole entry: "01:00-04:00", up to 24:00.
var windowRE = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$`)

// peakWindow is one daily window in minutes since 00:00 UTC.
type peakWindow struct{ from, to int }

var weekdayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// parse reads the windows and weekdays, or says what is wrong.
func (o *OffPeak) parse() ([]peakWindow, map[time.Weekday]bool, error) {
	if len(o.PeakHoursUTC) == 0 {
		return nil, nil, fmt.Errorf("peak_hours_utc: is required (the hours the full rate applies)")
	}
	var ws []peakWindow
	for _, s := range o.PeakHoursUTC {
		m := windowRE.FindStringSubmatch(strings.TrimSpace(s))
		if m == nil {
			return nil, nil, fmt.Errorf("peak_hours_utc: %q is not HH:MM-HH:MM (one window per entry)", s)
		}
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		w := peakWindow{n(1)*60 + n(2), n(3)*60 + n(4)}
		if w.to > 24*60 {
			return nil, nil, fmt.Errorf("peak_hours_utc: %q ends after 24:00", s)
		}
		if w.to <= w.from {
			return nil, nil, fmt.Errorf("peak_hours_utc: %q ends before it starts (split a window across midnight in two)", s)
		}
		for _, p := range ws {
			if w.from < p.to && p.from < w.to {
				return nil, nil, fmt.Errorf("peak_hours_utc: %q overlaps another window", s)
			}
		}
		ws = append(ws, w)
	}
	days := map[time.Weekday]bool{}
	for _, d := range o.PeakWeekdays {
		wd, ok := weekdayNames[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return nil, nil, fmt.Errorf("peak_weekdays: %q is not a day (mon, tue, wed, thu, fri, sat, sun)", d)
		}
		days[wd] = true
	}
	if len(days) == 0 {
		for _, wd := range weekdayNames {
			days[wd] = true
		}
	}
	return ws, days, nil
}

// PeakShareOfWeek is the share of a week's hours inside the peak windows:
// the share of traffic at the full rate when it is spread evenly over the
// week. DeepSeek's 01:00-04:00 and 06:00-10:00 UTC, Monday to Friday, are
// 35 of 168 hours. 1 for an invalid OffPeak (validation reports it): it
// never makes a price cheaper, as IsPeak.
func (o *OffPeak) PeakShareOfWeek() decimal.Decimal {
	return decimal.NewFromInt(o.PeakMinutesOfWeek()).Div(decimal.NewFromInt(MinutesPerWeek))
}

// MinutesPerWeek is the denominator of PeakMinutesOfWeek.
const MinutesPerWeek = 7 * 24 * 60

// PeakMinutesOfWeek is PeakShareOfWeek's numerator over MinutesPerWeek,
// for arithmetic that divides last and so stays exact (35/168 has no
// finite decimal). All of the week for an invalid OffPeak.
func (o *OffPeak) PeakMinutesOfWeek() int64 {
	ws, days, err := o.parse()
	if err != nil {
		return MinutesPerWeek
	}
	minutes := 0
	for _, w := range ws {
		minutes += w.to - w.from
	}
	return int64(minutes * len(days))
}

// IsPeak reports whether t falls in a peak window.
func (o *OffPeak) IsPeak(t time.Time) bool {
	ws, days, err := o.parse()
	if err != nil {
		return true // an invalid OffPeak never makes a price cheaper
	}
	t = t.UTC()
	if !days[t.Weekday()] {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	for _, w := range ws {
		if m >= w.from && m < w.to {
			return true
		}
	}
	return false
}

// Describe is "01:00-04:00, 06:00-10:00 UTC, mon-fri".
func (o *OffPeak) Describe() string {
	s := strings.Join(o.PeakHoursUTC, ", ") + " UTC"
	if len(o.PeakWeekdays) > 0 {
		s += ", " + strings.Join(o.PeakWeekdays, "/")
	}
	return s
}
