package units

import (
	"strconv"
	"strings"
)

// MaxTokens caps every token quantity at 10^15 (1,000T), per month for
// monthly quantities. That is far beyond any single workload (the largest
// providers report on the order of 10^15 tokens a month across all their
// products), so a bigger value is a typo; the cap also keeps
// tokens × 730 × 2 and tokens × price arithmetic well inside int64.
const MaxTokens int64 = 1_000_000_000_000_000

// HoursPerMonth is the length of the month every monthly figure uses
// (365 × 24 / 12 = 730), the same month cloud and GPU rental pricing uses.
const HoursPerMonth = 730

const maxTokensText = "1,000T (1e15) tokens"

// ParseTokens parses a token quantity such as "10M", "1.5k", "10_000_000",
// "10,000,000" or "1.2e6". The result must be a whole number greater than zero.
func ParseTokens(s string) (int64, error) {
	return parseTokens(s, false)
}

// ParseTokensAllowZero is ParseTokens that also accepts zero (e.g. for
// optional counts like cached tokens).
func ParseTokensAllowZero(s string) (int64, error) {
	return parseTokens(s, true)
}

func parseTokens(s string, allowZero bool) (int64, error) {
	n, reason := tokenQuantity(s)
	if reason == "" && n == 0 && !allowZero {
		reason = "must be greater than zero"
	}
	if reason != "" {
		return 0, &ParseError{Value: s, Reason: reason}
	}
	return n, nil
}

// tokenQuantity parses a token quantity (zero included) or returns why not.
func tokenQuantity(s string) (int64, string) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, "empty; give a token count such as 10M, 1.5k or 250000"
	}
	t = trimTokensWord(t)
	if t == "" {
		return 0, "no number before the unit (write e.g. 10M tokens)"
	}
	if isNonFinite(t) {
		return 0, "not a finite number"
	}
	switch t[0] {
	case '+':
		t = t[1:]
	case '-':
		if len(t) > 1 && (isDigit(t[1]) || t[1] == '.') {
			return 0, "must not be negative"
		}
		return 0, "not a number (write e.g. 10M, 1.5k or 250000)"
	}
	if len(t) > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		return 0, "hexadecimal is not accepted; write the count in decimal, e.g. 10M or 16"
	}

	num, reason := scanDecimal(t)
	if reason != "" {
		return 0, reason
	}
	suffixExp, ok := tokenSuffixes[num.rest]
	if !ok {
		return 0, unknownSuffix(num.rest)
	}
	if num.hasExp && suffixExp != 0 {
		return 0, "use an exponent (1e7) or a suffix (10M), not both"
	}
	n, result := wholeValue(num.digits, num.scale+suffixExp, MaxTokens)
	switch result {
	case wholeFractional:
		return 0, "not a whole number of tokens"
	case wholeTooLarge:
		return 0, "unreasonably large; the limit is " + maxTokensText
	}
	return n, ""
}

// tokenSuffixes maps each accepted suffix to its power of ten. Lower-case "m"
// is million, not milli: nobody means a thousandth of a token.
var tokenSuffixes = map[string]int64{
	"":  0,
	"k": 3, "K": 3,
	"m": 6, "M": 6,
	"b": 9, "B": 9,
	"t": 12, "T": 12,
}

func unknownSuffix(suffix string) string {
	if _, period, ok := strings.Cut(suffix, "/"); ok {
		return "a per-period quantity (/" + period + ") is not accepted here; give a plain count"
	}
	return "unknown suffix " + strconv.Quote(suffix) + " (use k, M, B or T)"
}

// trimTokensWord drops a trailing unit word ("10M tokens", "10M tok").
func trimTokensWord(t string) string {
	for _, word := range [...]string{"tokens", "token", "tok"} {
		if len(t) >= len(word) && strings.EqualFold(t[len(t)-len(word):], word) {
			return strings.TrimSpace(t[:len(t)-len(word)])
		}
	}
	return t
}

// periodHours maps each accepted period spelling to its length in hours.
var periodHours = map[string]int64{
	"h": 1, "hr": 1, "hour": 1,
	"d": 24, "day": 24,
	"w": 168, "wk": 168, "week": 168,
	"mo": HoursPerMonth, "mon": HoursPerMonth, "month": HoursPerMonth,
	"y": 12 * HoursPerMonth, "yr": 12 * HoursPerMonth, "year": 12 * HoursPerMonth,
}

// ParseMonthlyTokens parses a token volume and returns tokens per month. A
// plain quantity ("10M") is per month; a rate ("300K/day", "2M/week",
// "5k/hour", "10M/month", "/mo", "/d", "/wk", "/h", "/yr") is converted with
// a 730-hour month and rounded half-up to a whole token.
func ParseMonthlyTokens(s string) (int64, error) {
	n, reason := monthlyTokens(s)
	if reason != "" {
		return 0, &ParseError{Value: s, Reason: reason}
	}
	return n, nil
}

func monthlyTokens(s string) (int64, string) {
	quantity, period, perPeriod := strings.Cut(s, "/")
	if !perPeriod {
		n, reason := tokenQuantity(s)
		if reason == "" && n == 0 {
			reason = "must be greater than zero"
		}
		return n, reason
	}
	period = strings.ToLower(strings.TrimSpace(period))
	if period == "" {
		return 0, "no period after \"/\" (write e.g. 300K/day)"
	}
	hours, ok := periodHours[period]
	if !ok {
		return 0, "unknown period " + strconv.Quote(period) + " (use hour, day, week, month or year)"
	}
	if strings.TrimSpace(quantity) == "" {
		return 0, "no quantity before /" + period + " (write e.g. 300K/" + period + ")"
	}
	n, reason := tokenQuantity(quantity)
	if reason != "" {
		return 0, reason
	}
	if n == 0 {
		return 0, "must be greater than zero"
	}
	// Exact integer maths: n ≤ 1e15, so n × 730 × 2 < 1.5e18 fits in int64.
	perMonth := (2*n*HoursPerMonth + hours) / (2 * hours)
	if perMonth == 0 {
		return 0, "rounds to zero tokens a month"
	}
	if perMonth > MaxTokens {
		return 0, "unreasonably large; " + FormatTokens(perMonth) + " tokens a month is over the limit of " + maxTokensText
	}
	return perMonth, ""
}

// FormatTokens writes a token count for people: "950", "1.5K", "10.0M",
// "2.5B", "1.2T" (one decimal, rounded half-up; a value that rounds up to
// 1000.0 of a unit moves to the next unit).
func FormatTokens(n int64) string {
	sign := ""
	mag := uint64(n)
	if n < 0 {
		sign = "-"
		mag = -mag // two's complement: correct for math.MinInt64 too
	}
	if mag < 1000 {
		return sign + strconv.FormatUint(mag, 10)
	}
	units := [...]struct {
		size   uint64
		suffix string
	}{{1e3, "K"}, {1e6, "M"}, {1e9, "B"}, {1e12, "T"}}
	for k, u := range units {
		tenths := mag/(u.size/10) + boolToUint(mag%(u.size/10) >= u.size/20)
		if tenths >= 10_000 && k < len(units)-1 {
			continue
		}
		return sign + strconv.FormatUint(tenths/10, 10) + "." + strconv.FormatUint(tenths%10, 10) + u.suffix
	}
	panic("unreachable")
}

func boolToUint(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// FormatTokensExact writes a token count so that ParseTokens gives it back
// exactly, with a suffix when that is no longer than the digits:
// 10000000 -> "10M", 1500 -> "1.5k", 9125000 -> "9.125M", 1234 -> "1234".
func FormatTokensExact(n int64) string {
	plain := strconv.FormatInt(n, 10)
	if n < 1000 {
		return plain
	}
	units := [...]struct {
		size   int64
		suffix string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}}
	for _, u := range units {
		if n < u.size {
			continue
		}
		whole := strconv.FormatInt(n/u.size, 10)
		frac := strings.TrimRight(plain[len(whole):], "0")
		text := whole + u.suffix
		if frac != "" {
			text = whole + "." + frac + u.suffix
		}
		if len(text) <= len(plain) {
			return text
		}
		return plain
	}
	return plain
}
