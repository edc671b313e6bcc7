package units

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestFormatUSD(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"0", "$0.00"},
		{"0.000", "$0.00"},
		{"1250", "$1,250.00"},
		{"1250.5", "$1,250.50"},
		{"-3.1", "-$3.10"},
		{"0.01", "$0.01"},
		{"0.1", "$0.10"},
		{"123", "$123.00"},
		{"1000", "$1,000.00"},
		{"100000", "$100,000.00"},
		{"1234567.891", "$1,234,567.89"},
		{"1800", "$1,800.00"},
		{"0.125", "$0.13"},   // half away from zero
		{"-0.125", "-$0.13"}, // half away from zero
		{"0.124999", "$0.12"},
		{"999.995", "$1,000.00"},
		{"0.004213", "$0.004213"},
		{"0.0042134", "$0.004213"},
		{"0.00421350", "$0.004214"},
		{"0.005", "$0.005"},
		{"0.0005", "$0.0005"},
		{"0.009999", "$0.009999"},
		{"0.0099999", "$0.01"}, // 4 significant digits reach a cent
		{"0.00999949", "$0.009999"},
		{"0.0000000001", "$0.0000000001"},
		{"-0.0001234", "-$0.0001234"},
		{"-0.00012345", "-$0.0001235"},
		{"1000000000000", "$1,000,000,000,000.00"},
	}
	for _, tt := range tests {
		d := decimal.RequireFromString(tt.in)
		if got := FormatUSD(d); got != tt.want {
			t.Errorf("FormatUSD(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatPerMillion(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"0", "$0.00"},
		{"0.075", "$0.075"},
		{"2.5", "$2.50"},
		{"15", "$15.00"},
		{"0.0375", "$0.0375"},
		{"0.03125", "$0.0313"}, // 4 decimals, half away from zero
		{"1.23456", "$1.2346"},
		{"0.15", "$0.15"},
		{"0.1", "$0.10"},
		{"3000", "$3,000.00"},
		{"-0.5", "-$0.50"},
		{"0.0001", "$0.0001"},
		{"0.00001", "$0.00001"}, // nonzero never shows as $0.00
		{"0.000012345", "$0.00001235"},
		{"0.000099999", "$0.0001"},
	}
	for _, tt := range tests {
		d := decimal.RequireFromString(tt.in)
		if got := FormatPerMillion(d); got != tt.want {
			t.Errorf("FormatPerMillion(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseUSD(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"$1,200.50", "1200.5"},
		{"1200", "1200"},
		{"1.2k", "1200"},
		{"1.2K", "1200"},
		{"$2.5M", "2500000"},
		{"2.5m", "2500000"},
		{"1B", "1000000000"},
		{"1T", "1000000000000"},
		{" 15 USD ", "15"},
		{"15usd", "15"},
		{"$15 USD", "15"},
		{"0", "0"},
		{"$0.00", "0"},
		{"$0.075", "0.075"},
		{"0.1", "0.1"}, // exact: no float 0.1000000000000000055
		{"1e3", "1000"},
		{".5", "0.5"},
		{"$ 5", "5"},
		{"+5", "5"},
		{"1_000", "1000"},
		{"0.000000000001", "0.000000000001"},
	}
	for _, tt := range tests {
		got, err := ParseUSD(tt.in)
		if err != nil {
			t.Errorf("ParseUSD(%q): %v", tt.in, err)
			continue
		}
		if want := decimal.RequireFromString(tt.want); !got.Equal(want) {
			t.Errorf("ParseUSD(%q) = %s, want %s", tt.in, got, want)
		}
	}
}

func TestParseUSDRejected(t *testing.T) {
	tests := []struct {
		in     string
		reason string
	}{
		{"", "empty"},
		{"-5", "must not be negative"},
		{"-$5", "must not be negative"},
		{"$-5", "must not be negative"},
		{"-0.01", "must not be negative"},
		{"NaN", "not a finite number"},
		{"$inf", "not a finite number"},
		{"-Inf", "not a finite number"},
		{"$", "not an amount"},
		{"USD", "not an amount"},
		{"$$5", "not an amount"},
		{"abc", "not an amount"},
		{"--5", "not an amount"},
		{"1,00", `"," must separate groups of three digits`},
		{"12Q", `unknown suffix "Q" (use k, M or B)`},
		{"12 EUR", `unknown suffix "EUR"`},
		{"1e3k", "not both"},
		{"0x10", "hexadecimal"},
		{"1.000000000001T", "unreasonably large; the limit is $1,000,000,000,000"},
		{"1e13", "unreasonably large"},
		{"1e999999999999999999", "unreasonably large"},
		{"0.0000000000001", "too many decimal places"},
		{"1e-999999999999999999", "too many decimal places"},
	}
	for _, tt := range tests {
		got, err := ParseUSD(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseUSD(%q) = %s, %v; want a *ParseError", tt.in, got, err)
			continue
		}
		if !strings.Contains(pe.Reason, tt.reason) {
			t.Errorf("ParseUSD(%q) reason %q, want it to contain %q", tt.in, pe.Reason, tt.reason)
		}
		if !strings.HasPrefix(err.Error(), "invalid amount in USD ") {
			t.Errorf("ParseUSD(%q) message %q does not name the kind of value", tt.in, err)
		}
	}
}

func TestParseShare(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"0.75", 0.75},
		{".75", 0.75},
		{"75%", 0.75},
		{"75 %", 0.75},
		{" 75% ", 0.75},
		{"7.5%", 0.075},
		{"0.1", 0.1},
		{"10%", 0.1},
		{"1", 1},
		{"1.0", 1},
		{"100%", 1},
		{"0", 0},
		{"0%", 0},
		{"7.5e-1", 0.75},
		{"+0.5", 0.5},
		{"1e-999", 0},
		{"0.33333333333333333333333333333333333333333333333", 1.0 / 3},
	}
	for _, tt := range tests {
		got, err := ParseShare(tt.in)
		if err != nil {
			t.Errorf("ParseShare(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseShare(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseShareRejected(t *testing.T) {
	tests := []struct {
		in     string
		reason string
	}{
		{"", "empty"},
		{"%", "not a number"},
		{"-0.1", "must be between 0 and 1"},
		{"-5%", "must be between 0 and 1"},
		{"1.5", "must be between 0 and 1"},
		{"1.0000001", "must be between 0 and 1"},
		{"150%", "must be between 0 and 1"},
		{"100.01%", "must be between 0 and 1"},
		{"1,000%", "must be between 0 and 1"},
		{"75", "must be between 0 and 1"},
		{"1e999999999999", "must be between 0 and 1"},
		{"NaN", "not a finite number"},
		{"inf%", "not a finite number"},
		{"abc", "not a number"},
		{"0.75x", `unexpected "x"`},
		{"75%%", `unexpected "%"`},
		{"1,5", `"," must separate groups of three digits`},
	}
	for _, tt := range tests {
		got, err := ParseShare(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseShare(%q) = %v, %v; want a *ParseError", tt.in, got, err)
			continue
		}
		if !strings.Contains(pe.Reason, tt.reason) {
			t.Errorf("ParseShare(%q) reason %q, want it to contain %q", tt.in, pe.Reason, tt.reason)
		}
		if !strings.HasPrefix(err.Error(), "invalid share ") {
			t.Errorf("ParseShare(%q) message %q does not name the kind of value", tt.in, err)
		}
	}
}

func BenchmarkFormatUSD(b *testing.B) {
	d := decimal.RequireFromString("1234567.891")
	b.ReportAllocs()
	for b.Loop() {
		_ = FormatUSD(d)
	}
}

// stringFixed's int64 path must print exactly what decimal's StringFixed
// prints, at every scale, for the ties that round away from zero and for
// values at the edges of int64.
func TestStringFixedMatchesDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var values []decimal.Decimal
	for _, s := range []string{"0", "0.5", "1.5", "2.5", "0.005", "0.015", "0.125", "0.135", "999.995", "0.00005",
		"123456789012345678", "999999999999999999", "0.999999999999999999", "9.9999999999999999999", "12345678901234567890.5",
		"1e-20", "5e-19", "1e17", "-0.005", "-1.25"} {
		values = append(values, decimal.RequireFromString(s))
	}
	for range 20000 {
		coef := rng.Int64N(1 << rng.IntN(62))
		if rng.IntN(4) == 0 {
			coef = -coef
		}
		values = append(values, decimal.New(coef, int32(rng.IntN(30))-22))
	}
	for k := range int32(19) { // 10^k - 1, 10^k, 10^k + 1 at scales around the int64 edge
		p := decimal.New(1, k)
		for _, v := range []decimal.Decimal{p.Sub(decimal.New(1, 0)), p, p.Add(decimal.New(1, 0))} {
			values = append(values, v, v.Shift(-k), v.Shift(-18))
		}
	}
	for _, d := range values {
		// significant() asks for up to ~20 places (4 digits of 1e-16);
		// negative places go to decimal's own code.
		for places := int32(-3); places <= 20; places++ {
			if got, want := stringFixed(d, places), d.StringFixed(places); got != want {
				t.Fatalf("stringFixed(%s, %d) = %q, StringFixed %q", d, places, got, want)
			}
		}
	}
}
