package units

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
)

var tokenSeeds = []string{
	"10M", "10m", "1.5k", "1.5K", "2B", "500K", "1T", "10_000_000", "10,000,000", "1e7", "1.2e6",
	"  10M  ", "10 M tokens", "10Mtok", "+10M", ".5k", "1.", "1,000.5k", "1000T", "1e15", "007",
	"0", "-5", "--5", "NaN", "-Inf", "1.5", "1.0000001k", "10Q", "10MM", "1,00", "1,5", "10_00",
	"1,000_000", "0x10", "1e", "1e7k", "k", ".", "", " ", "tokens", "1001T", "9223372036854775808",
	"1e999999999999999999999", "1e-999999999999999999999", "10M/day", "300K/day", "2M/week",
	"5k/hour", "1M/mo", "6/day", "1/yr", "/day", "10M/", "10M/day/week", "1e15/hour", "0/day",
	"１０", "\x00", "1\x00", "1e+", "½", "1_000.5", "1.5,000", "0b101", "1 000",
}

func FuzzParseTokens(f *testing.F) {
	for _, s := range tokenSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseTokens(s)
		if err != nil {
			checkParseError(t, s, n, err)
			return
		}
		if n <= 0 || n > MaxTokens {
			t.Fatalf("ParseTokens(%q) = %d, outside (0, MaxTokens]", s, n)
		}
		if z, err := ParseTokensAllowZero(s); err != nil || z != n {
			t.Fatalf("ParseTokensAllowZero(%q) = %d, %v; ParseTokens gave %d", s, z, err, n)
		}
		if m, err := ParseMonthlyTokens(s); err != nil || m != n {
			t.Fatalf("ParseMonthlyTokens(%q) = %d, %v; a plain quantity is per month, want %d", s, m, err, n)
		}
		for _, again := range []string{strconv.FormatInt(n, 10), FormatTokensExact(n)} {
			if r, err := ParseTokens(again); err != nil || r != n {
				t.Fatalf("ParseTokens(%q) = %d; re-parsing %q gave %d, %v", s, n, again, r, err)
			}
		}
		if want, ok := ratOracle(s); !ok || !want.IsInt() || want.Num().Cmp(big.NewInt(n)) != 0 {
			t.Fatalf("ParseTokens(%q) = %d, but big.Rat reads %v (ok=%v)", s, n, want, ok)
		}
	})
}

func FuzzParseMonthlyTokens(f *testing.F) {
	for _, s := range tokenSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseMonthlyTokens(s)
		if err != nil {
			checkParseError(t, s, n, err)
			return
		}
		if n <= 0 || n > MaxTokens {
			t.Fatalf("ParseMonthlyTokens(%q) = %d, outside (0, MaxTokens]", s, n)
		}
		quantity, period, perPeriod := strings.Cut(s, "/")
		if !perPeriod {
			if p, err := ParseTokens(s); err != nil || p != n {
				t.Fatalf("ParseMonthlyTokens(%q) = %d but ParseTokens gives %d, %v", s, n, p, err)
			}
			return
		}
		q, err := ParseTokens(quantity)
		if err != nil {
			t.Fatalf("ParseMonthlyTokens(%q) = %d but its quantity does not parse: %v", s, n, err)
		}
		hours, ok := periodHours[strings.ToLower(strings.TrimSpace(period))]
		if !ok {
			t.Fatalf("ParseMonthlyTokens(%q) accepted an unknown period", s)
		}
		exact := new(big.Rat).SetFrac64(q*HoursPerMonth, hours)
		exact.Add(exact, big.NewRat(1, 2))
		want := new(big.Int).Quo(exact.Num(), exact.Denom())
		if want.Cmp(big.NewInt(n)) != 0 {
			t.Fatalf("ParseMonthlyTokens(%q) = %d, exact half-up rounding gives %s", s, n, want)
		}
	})
}

func FuzzParseUSD(f *testing.F) {
	for _, s := range []string{"$1,200.50", "1200", "1.2k", "$2.5M", "15 USD", "0", "-5", "-$5", "$-5",
		"NaN", "$", "1,00", "12Q", "1e3k", "1e13", "0.0000000000001", "1e-999999999999", "$0.075"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseUSD(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Value != s || pe.Reason == "" || !d.IsZero() {
				t.Fatalf("ParseUSD(%q) = %s, %#v", s, d, err)
			}
			return
		}
		if d.IsNegative() || d.Cmp(maxUSD) > 0 {
			t.Fatalf("ParseUSD(%q) = %s, outside [0, maxUSD]", s, d)
		}
		if again, err := ParseUSD(d.String()); err != nil || !again.Equal(d) {
			t.Fatalf("ParseUSD(%q) = %s; re-parsing gave %s, %v", s, d, again, err)
		}
		if out := FormatUSD(d); !strings.HasPrefix(out, "$") {
			t.Fatalf("FormatUSD(%s) = %q", d, out)
		}
		_ = FormatPerMillion(d)
	})
}

func FuzzParseShare(f *testing.F) {
	for _, s := range []string{"0.75", ".75", "75%", "7.5%", "1", "0", "100%", "-0.1", "150%", "NaN", "abc",
		"1e-999", "1e999999999999", "0.75x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseShare(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Value != s || pe.Reason == "" {
				t.Fatalf("ParseShare(%q): %#v", s, err)
			}
			return
		}
		if !(v >= 0 && v <= 1) {
			t.Fatalf("ParseShare(%q) = %v, outside [0, 1]", s, v)
		}
	})
}

func checkParseError(t *testing.T, s string, n int64, err error) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error for %q is %T, not *ParseError: %v", s, err, err)
	}
	if pe.Value != s || pe.Reason == "" || n != 0 {
		t.Fatalf("for %q: value %q, reason %q, n %d", s, pe.Value, pe.Reason, n)
	}
	if !strings.Contains(WithFlag(err, "tokens").Error(), "--tokens") {
		t.Fatalf("WithFlag message does not name the flag: %v", WithFlag(err, "tokens"))
	}
}

// ratOracle reads an accepted token quantity independently with big.Rat:
// separators, the unit word and the suffix are stripped by hand.
func ratOracle(s string) (*big.Rat, bool) {
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	for _, word := range []string{"tokens", "token", "tok"} {
		if strings.HasSuffix(lower, word) {
			t = strings.TrimSpace(t[:len(t)-len(word)])
			break
		}
	}
	t = strings.NewReplacer(",", "", "_", "").Replace(strings.TrimPrefix(t, "+"))
	mult := int64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'k', 'K':
			mult = 1e3
		case 'm', 'M':
			mult = 1e6
		case 'b', 'B':
			mult = 1e9
		case 't', 'T':
			mult = 1e12
		}
		if mult != 1 {
			t = strings.TrimSpace(t[:len(t)-1])
		}
	}
	t = strings.TrimSuffix(t, ".") // big.Rat does not read "1."
	r, ok := new(big.Rat).SetString(t)
	if !ok {
		return nil, false
	}
	return r.Mul(r, new(big.Rat).SetInt64(mult)), true
}
