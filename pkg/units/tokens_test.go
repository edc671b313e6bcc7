package units

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestParseTokensAccepted(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1", 1},
		{"950", 950},
		{"10M", 10_000_000},
		{"10m", 10_000_000}, // m is million: nobody means milli-tokens
		{"1.5k", 1_500},
		{"1.5K", 1_500},
		{"2B", 2_000_000_000},
		{"2b", 2_000_000_000},
		{"500K", 500_000},
		{"1T", 1_000_000_000_000},
		{"1t", 1_000_000_000_000},
		{"10_000_000", 10_000_000},
		{"10,000,000", 10_000_000},
		{"1,000", 1_000},
		{"999,999", 999_999},
		{"1_000", 1_000},
		{"1e7", 10_000_000},
		{"1E7", 10_000_000},
		{"1e+7", 10_000_000},
		{"1.2e6", 1_200_000},
		{"1000e-3", 1},
		{"  10M  ", 10_000_000},
		{"\t10M\n", 10_000_000},
		{"10 M", 10_000_000},
		{"10M tokens", 10_000_000},
		{"10M Tokens", 10_000_000},
		{"10Mtok", 10_000_000},
		{"250000 tok", 250_000},
		{"1 token", 1},
		{"+10M", 10_000_000},
		{".5k", 500},
		{"0.5k", 500},
		{"1.", 1},
		{"1.000k", 1_000},
		{"1.0000001B", 1_000_000_100},
		{"1,000.5k", 1_000_500},
		{"10_000.25k", 10_000_250},
		{"007", 7},
		{"1.1M", 1_100_000}, // float would give 1099999.9999999998
		{"0.3k", 300},
		{"9.125M", 9_125_000},
		{"1000T", MaxTokens},
		{"1e15", MaxTokens},
		{"1,000,000,000,000,000", MaxTokens},
		{"999999999999999", MaxTokens - 1},
		{"0.000000000000001e30", MaxTokens},
	}
	for _, tt := range tests {
		if tt.want == 0 {
			continue
		}
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTokens(tt.in)
			if err != nil {
				t.Fatalf("ParseTokens(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseTokens(%q) = %d, want %d", tt.in, got, tt.want)
			}
			zeroOK, err := ParseTokensAllowZero(tt.in)
			if err != nil || zeroOK != got {
				t.Fatalf("ParseTokensAllowZero(%q) = %d, %v; want %d", tt.in, zeroOK, err, got)
			}
		})
	}
}

func TestParseTokensRejected(t *testing.T) {
	tests := []struct {
		in     string
		reason string // substring of the reason
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"0", "must be greater than zero"},
		{"0k", "must be greater than zero"},
		{"0.0M", "must be greater than zero"},
		{"0e5", "must be greater than zero"},
		{"000", "must be greater than zero"},
		{"-5", "must not be negative"},
		{"-10M", "must not be negative"},
		{"-0", "must not be negative"},
		{"-.5k", "must not be negative"},
		{"--5", "not a number"},
		{"-", "not a number"},
		{"+", "not a number"},
		{"++5", "not a number"},
		{"NaN", "not a finite number"},
		{"nan", "not a finite number"},
		{"Inf", "not a finite number"},
		{"+Inf", "not a finite number"},
		{"-inf", "not a finite number"},
		{"Infinity", "not a finite number"},
		{"1.5", "not a whole number of tokens"},
		{"0.5", "not a whole number of tokens"},
		{"1.0000001k", "not a whole number of tokens"},
		{"1.2345k", "not a whole number of tokens"},
		{"1e-3", "not a whole number of tokens"},
		{"1e-999999999999999999999", "not a whole number of tokens"},
		{"10Q", `unknown suffix "Q" (use k, M, B or T)`},
		{"10MM", `unknown suffix "MM"`},
		{"10KB", `unknown suffix "KB"`},
		{"10 million", `unknown suffix "million"`},
		{"0b101", `unknown suffix "b101"`},
		{"1 000", `unknown suffix "000"`},
		{"10M/day", "per-period quantity (/day) is not accepted here"},
		{"1,00", `"," must separate groups of three digits`},
		{"1,5", `use "." for a decimal point`},
		{"1,0000", `"," must separate groups of three digits`},
		{"1000,000", `"," must separate groups of three digits`},
		{",100", `"," must separate groups of three digits`},
		{"1,000,", `"," must separate groups of three digits`},
		{"1,,000", `"," must separate groups of three digits`},
		{"10_00", `"_" must separate groups of three digits`},
		{"1__000", `"_" must separate groups of three digits`},
		{"_1000", `"_" must separate groups of three digits`},
		{"1000_", `"_" must separate groups of three digits`},
		{"1,000_000", `mixes "," and "_"`},
		{"1.5,000", "separators belong before the decimal point"},
		{"1500e-3", "not a whole number of tokens"},
		{"0x10", "hexadecimal is not accepted"},
		{"0X1F", "hexadecimal is not accepted"},
		{"1e", "exponent needs digits"},
		{"1e+", "exponent needs digits"},
		{"1ek", "exponent needs digits"},
		{"1e7k", "not both"},
		{"1e3M", "not both"},
		{"k", "not a number"},
		{"M", "not a number"},
		{".", "not a number"},
		{".k", "not a number"},
		{"abc", "not a number"},
		{"ten", "not a number"},
		{"１０", "not a number"},
		{"tokens", "no number before the unit"},
		{"tok", "no number before the unit"},
		{"1001T", "unreasonably large; the limit is 1,000T (1e15) tokens"},
		{"1000000000000001", "unreasonably large"},
		{"1e16", "unreasonably large"},
		{"9223372036854775807", "unreasonably large"},
		{"9223372036854775808", "unreasonably large"},
		{"99999999999999999999999999", "unreasonably large"},
		{"1e400", "unreasonably large"},
		{"1e999999999999999999999", "unreasonably large"},
		{"1.5T5", `unknown suffix "T5"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTokens(tt.in)
			if err == nil {
				t.Fatalf("ParseTokens(%q) = %d, want error containing %q", tt.in, got, tt.reason)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseTokens(%q) error %T is not *ParseError", tt.in, err)
			}
			if pe.Value != tt.in {
				t.Errorf("Value = %q, want %q", pe.Value, tt.in)
			}
			if !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("ParseTokens(%q) reason %q, want it to contain %q", tt.in, pe.Reason, tt.reason)
			}
			if got != 0 {
				t.Errorf("ParseTokens(%q) returned %d with an error", tt.in, got)
			}
		})
	}
}

func TestParseTokensAllowZero(t *testing.T) {
	for _, in := range []string{"0", "0k", "0.0M", "0e5", " 000 ", "0 tokens", "0,000"} {
		got, err := ParseTokensAllowZero(in)
		if err != nil || got != 0 {
			t.Errorf("ParseTokensAllowZero(%q) = %d, %v; want 0, nil", in, got, err)
		}
	}
	// Zero being allowed must not let anything else through.
	for _, in := range []string{"-0", "-1", "1.5", "NaN", "", "10Q"} {
		if got, err := ParseTokensAllowZero(in); err == nil {
			t.Errorf("ParseTokensAllowZero(%q) = %d, want an error", in, got)
		}
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := ParseTokens("10Q")
	if err == nil {
		t.Fatal("no error")
	}
	if got, want := err.Error(), `invalid token quantity "10Q": unknown suffix "Q" (use k, M, B or T)`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	want := `invalid value "10Q" for --tokens: unknown suffix "Q" (use k, M, B or T)`
	for _, flag := range []string{"tokens", "--tokens"} {
		if got := WithFlag(err, flag).Error(); got != want {
			t.Errorf("WithFlag(err, %q).Error() = %q, want %q", flag, got, want)
		}
	}
	if got, want := WithFlag(err, "-t").Error(), `invalid value "10Q" for -t: unknown suffix "Q" (use k, M, B or T)`; got != want {
		t.Errorf("short flag: %q, want %q", got, want)
	}
	// WithFlag copies: the original error keeps no flag.
	if got := err.(*ParseError).Flag; got != "" {
		t.Errorf("WithFlag mutated the original error: Flag = %q", got)
	}
}

func TestWithFlag(t *testing.T) {
	_, parseErr := ParseTokens("abc")
	wrapped := fmt.Errorf("reading answers: %w", parseErr)
	got := WithFlag(wrapped, "tokens")
	var pe *ParseError
	if !errors.As(got, &pe) || pe.Flag != "tokens" || pe.Value != "abc" {
		t.Errorf("WithFlag(wrapped) = %#v, want the ParseError with Flag set", got)
	}

	other := errors.New("disk full")
	if got := WithFlag(other, "tokens"); got != other {
		t.Errorf("WithFlag(other) = %v, want it unchanged", got)
	}
	if got := WithFlag(nil, "tokens"); got != nil {
		t.Errorf("WithFlag(nil) = %v, want nil", got)
	}
}

func TestParseMonthlyTokens(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"10M", 10_000_000},
		{"1", 1},
		{"300K/day", 9_125_000},        // 300,000 × 730 / 24
		{"2M/week", 8_690_476},         // 2e6 × 730 / 168 = 8,690,476.19
		{"10M/month", 10_000_000},      // a month is a month
		{"5k/hour", 3_650_000},         // 5,000 × 730
		{"1M/mo", 1_000_000},           //
		{"1M/d", 30_416_667},           // 30,416,666.67 rounds up
		{"1M/wk", 4_345_238},           // 4,345,238.095
		{"1M/w", 4_345_238},            //
		{"1M/h", 730_000_000},          //
		{"1M/hr", 730_000_000},         //
		{"12M/year", 1_000_000},        //
		{"12M/yr", 1_000_000},          //
		{"6/day", 183},                 // 182.5: half rounds up
		{"42/week", 183},               // 182.5: half rounds up
		{"1/week", 4},                  // 4.345 rounds down
		{"1/day", 30},                  // 30.417
		{"7/yr", 1},                    // 0.583 rounds up
		{"300K / day", 9_125_000},      // spaces around /
		{"300K/Day", 9_125_000},        // period is case-insensitive
		{" 300k/DAY ", 9_125_000},      //
		{"300K tokens/day", 9_125_000}, //
		{"1.5M/week", 6_517_857},       // 6,517,857.14
		{"1e6/day", 30_416_667},        //
		{"1,000,000/day", 30_416_667},  //
		{"1000T/month", MaxTokens},     //
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMonthlyTokens(tt.in)
			if err != nil {
				t.Fatalf("ParseMonthlyTokens(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseMonthlyTokens(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseMonthlyTokensRejected(t *testing.T) {
	tests := []struct {
		in     string
		reason string
	}{
		{"", "empty"},
		{"0", "must be greater than zero"},
		{"0/day", "must be greater than zero"},
		{"-5/day", "must not be negative"},
		{"-5", "must not be negative"},
		{"10M/fortnight", `unknown period "fortnight" (use hour, day, week, month or year)`},
		{"10M/day/week", `unknown period "day/week"`},
		{"10M/", `no period after "/"`},
		{"10M/ ", `no period after "/"`},
		{"/day", "no quantity before /day"},
		{" /mo", "no quantity before /mo"},
		{"1/yr", "rounds to zero tokens a month"},
		{"1.5/day", "not a whole number of tokens"},
		{"10Q/day", `unknown suffix "Q"`},
		{"NaN/day", "not a finite number"},
		{"1e15/hour", "unreasonably large; 730000.0T tokens a month is over the limit"},
		{"2T/hour", "unreasonably large"},
		{"1001T", "unreasonably large"},
		{"10MM", `unknown suffix "MM"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMonthlyTokens(tt.in)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseMonthlyTokens(%q) = %d, %v; want a *ParseError", tt.in, got, err)
			}
			if pe.Value != tt.in || !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("ParseMonthlyTokens(%q): value %q reason %q, want reason containing %q", tt.in, pe.Value, pe.Reason, tt.reason)
			}
		})
	}
}

// TestParseMonthlyTokensExact checks the integer rounding against exact
// rational arithmetic for many quantities and every period.
func TestParseMonthlyTokensExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	half := big.NewRat(1, 2)
	for i := 0; i < 2000; i++ {
		n := rng.Int64N(1_000_000_000_000) + 1
		if i%4 == 0 {
			n = rng.Int64N(1000) + 1 // small counts hit the rounding edges
		}
		for period, hours := range periodHours {
			exact := new(big.Rat).SetFrac64(n*HoursPerMonth, hours)
			exact.Add(exact, half)
			want := new(big.Int).Quo(exact.Num(), exact.Denom()) // floor(x + 1/2): half-up
			in := strconv.FormatInt(n, 10) + "/" + period
			got, err := ParseMonthlyTokens(in)
			if want.Sign() == 0 {
				if err == nil {
					t.Fatalf("ParseMonthlyTokens(%q) = %d, want an error for a zero monthly volume", in, got)
				}
				continue
			}
			if err != nil {
				t.Fatalf("ParseMonthlyTokens(%q): %v", in, err)
			}
			if !want.IsInt64() || got != want.Int64() {
				t.Fatalf("ParseMonthlyTokens(%q) = %d, want %s", in, got, want)
			}
		}
	}
}

// TestTokensRoundTrip writes random counts in every accepted notation and
// parses them back.
func TestTokensRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		n := rng.Int64N(MaxTokens) + 1
		switch i % 3 {
		case 0:
			n = rng.Int64N(10_000) + 1
		case 1:
			n = (rng.Int64N(1000) + 1) * []int64{1e3, 1e6, 1e9, 1e12}[rng.IntN(4)]
		}
		plain := strconv.FormatInt(n, 10)
		forms := []string{
			plain,
			FormatTokensExact(n),
			groupThousands(plain),
			strings.ReplaceAll(groupThousands(plain), ",", "_"),
			plain + "e0",
			plain + "000e-3",
			" " + plain + " tokens ",
		}
		for _, in := range forms {
			got, err := ParseTokens(in)
			if err != nil || got != n {
				t.Fatalf("ParseTokens(%q) = %d, %v; want %d", in, got, err, n)
			}
		}
	}
}

func TestFormatTokens(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{950, "950"},
		{999, "999"},
		{1000, "1.0K"},
		{1500, "1.5K"},
		{1549, "1.5K"},
		{1550, "1.6K"}, // half-up
		{10_000, "10.0K"},
		{999_949, "999.9K"},
		{999_950, "1.0M"}, // would be 1000.0K
		{1_000_000, "1.0M"},
		{9_125_000, "9.1M"},
		{10_000_000, "10.0M"},
		{2_500_000_000, "2.5B"},
		{999_950_000_000, "1.0T"},
		{1_000_000_000_000, "1.0T"},
		{MaxTokens, "1000.0T"},
		{9_223_372_036_854_775_807, "9223372.0T"},
		{-1500, "-1.5K"},
		{-950, "-950"},
		{-9_223_372_036_854_775_808, "-9223372.0T"},
	}
	for _, tt := range tests {
		if got := FormatTokens(tt.n); got != tt.want {
			t.Errorf("FormatTokens(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFormatTokensExact(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{950, "950"},
		{1000, "1k"},
		{1500, "1.5k"},
		{1234, "1234"},
		{12345, "12345"},
		{12_300, "12.3k"},
		{1_000_001, "1000001"},
		{1_100_000, "1.1M"},
		{10_000_000, "10M"},
		{9_125_000, "9.125M"},
		{1_234_567, "1234567"},
		{2_500_000_000, "2.5B"},
		{MaxTokens, "1000T"},
		{-5, "-5"},
	}
	for _, tt := range tests {
		if got := FormatTokensExact(tt.n); got != tt.want {
			t.Errorf("FormatTokensExact(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func BenchmarkParseTokens(b *testing.B) {
	inputs := []string{"10M", "1.5k", "10,000,000", "1.2e6", "250000", "300K tokens"}
	for _, in := range inputs {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseTokens(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseMonthlyTokens(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMonthlyTokens("300K/day"); err != nil {
			b.Fatal(err)
		}
	}
}
