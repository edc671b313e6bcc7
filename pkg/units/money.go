package units

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// FormatUSD writes an amount of money for people: "$1,250.00", "-$3.10",
// "$0.00". A nonzero amount under one cent keeps up to 4 significant digits
// ("$0.004213", "$0.0005") so that a real cost never reads as $0.00.
func FormatUSD(d decimal.Decimal) string {
	return formatMoney(d, 2)
}

// FormatPerMillion writes a price per million tokens: like FormatUSD, with at
// least 2 and up to 4 decimals ("$0.075", "$2.50", "$15.00", "$0.0375"). A
// nonzero rate below $0.0001 keeps 4 significant digits.
func FormatPerMillion(d decimal.Decimal) string {
	return formatMoney(d, 4)
}

// formatMoney rounds half away from zero to maxPlaces decimals, shows at
// least 2, and falls back to 4 significant digits when rounding would hide a
// nonzero amount.
func formatMoney(d decimal.Decimal, maxPlaces int32) string {
	if d.IsZero() {
		return "$0.00"
	}
	sign := ""
	if d.IsNegative() {
		sign = "-"
		d = d.Neg()
	}
	smallest := decimal.New(1, -maxPlaces)
	var text string
	if d.Cmp(smallest) >= 0 {
		text = trimFraction(stringFixed(d, maxPlaces), 2)
	} else {
		text = significant(d, 4)
		// 0.0099999 rounds to 0.01000 at 4 significant digits: show it as an ordinary amount.
		if r, _ := decimal.NewFromString(text); r.Cmp(smallest) >= 0 {
			text = trimFraction(stringFixed(r, maxPlaces), 2)
		}
	}
	whole, frac, _ := strings.Cut(text, ".")
	return sign + "$" + groupThousands(whole) + "." + frac
}

// significant writes positive d rounded to n significant digits, trailing
// zeros trimmed (keeping at least 2 decimals).
func significant(d decimal.Decimal, n int) string {
	// floor(log10 d) = digits of the coefficient + exponent - 1.
	magnitude := d.NumDigits() + int(d.Exponent()) - 1
	places := int32(n - 1 - magnitude)
	return trimFraction(stringFixed(d, places), 2)
}

// stringFixed is d.StringFixed(places) (rounded half away from zero, with
// exactly places decimals), in int64 arithmetic when d's coefficient and
// the rounding fit in it, which is every amount a cost table shows;
// decimal's own, on big.Int, otherwise. TestStringFixedMatchesDecimal
// compares the two.
func stringFixed(d decimal.Decimal, places int32) string {
	if places < 0 || places > 18 || d.Sign() < 0 || d.NumDigits() > 18 {
		return d.StringFixed(places)
	}
	c, shift := d.CoefficientInt64(), d.Exponent()+places
	switch {
	case shift >= 0:
		if d.NumDigits()+int(shift) > 18 {
			return d.StringFixed(places)
		}
		c *= pow10[shift]
	case shift < -18:
		return d.StringFixed(places)
	default:
		div := pow10[-shift]
		q, r := c/div, c%div
		if 2*r >= div {
			q++
		}
		c = q
	}
	digits := strconv.FormatInt(c, 10)
	if places == 0 {
		return digits
	}
	if pad := int(places) + 1 - len(digits); pad > 0 {
		digits = strings.Repeat("0", pad) + digits
	}
	cut := len(digits) - int(places)
	return digits[:cut] + "." + digits[cut:]
}

var pow10 = [19]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// trimFraction drops trailing fraction zeros beyond minPlaces and pads to minPlaces.
func trimFraction(s string, minPlaces int) string {
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	for len(frac) < minPlaces {
		frac += "0"
	}
	return whole + "." + frac
}

func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head == 0 {
		head = 3
	}
	b.WriteString(digits[:head])
	for i := head; i < len(digits); i += 3 {
		b.WriteByte(',')
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// maxUSD caps amounts ParseUSD accepts ($1e12): a trillion dollars is beyond any
// budget or price llmcost deals with, so more is a typo.
var maxUSD = decimal.New(1, 12)

// maxUSDPlaces bounds the decimals ParseUSD keeps; finer amounts are typos
// (prices per token are given per million tokens).
const maxUSDPlaces = 12

// ParseUSD parses an amount in US dollars: "$1,200.50", "1200", "1.2k",
// "2.5M", "15 USD". Zero is accepted; negative amounts, NaN and infinities are
// not. The result is exact.
func ParseUSD(s string) (decimal.Decimal, error) {
	d, reason := usdAmount(s)
	if reason != "" {
		return decimal.Zero, &ParseError{Value: s, Reason: reason, Kind: "amount in USD"}
	}
	return d, nil
}

func usdAmount(s string) (decimal.Decimal, string) {
	t := strings.TrimSpace(s)
	if t == "" {
		return decimal.Zero, "empty; give an amount such as $1,200.50 or 1.2k"
	}
	if len(t) >= 3 && strings.EqualFold(t[len(t)-3:], "usd") {
		t = strings.TrimSpace(t[:len(t)-3])
	}
	if isNonFinite(strings.TrimPrefix(t, "$")) || isNonFinite(strings.TrimPrefix(t, "-$")) {
		return decimal.Zero, "not a finite number"
	}
	negative := false
	if strings.HasPrefix(t, "-") {
		negative = true
		t = t[1:]
	} else {
		t = strings.TrimPrefix(t, "+")
	}
	t = strings.TrimSpace(strings.TrimPrefix(t, "$"))
	if !negative && strings.HasPrefix(t, "-") {
		negative = true
		t = t[1:]
	}
	if t == "" || !(isDigit(t[0]) || t[0] == '.') {
		return decimal.Zero, "not an amount (write e.g. $1,200.50, 1200 or 1.2k)"
	}
	if negative {
		return decimal.Zero, "must not be negative"
	}
	if len(t) > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		return decimal.Zero, "hexadecimal is not accepted; write the amount in decimal"
	}
	num, reason := scanDecimal(t)
	if reason != "" {
		return decimal.Zero, reason
	}
	suffixExp, ok := tokenSuffixes[num.rest]
	if !ok {
		return decimal.Zero, "unknown suffix " + strconv.Quote(num.rest) + " (use k, M or B)"
	}
	if num.hasExp && suffixExp != 0 {
		return decimal.Zero, "use an exponent (1e3) or a suffix (1k), not both"
	}
	digits, scale := normalize(num.digits, num.scale+suffixExp)
	if digits == "" {
		return decimal.Zero, ""
	}
	if int64(len(digits))+scale > 13 {
		return decimal.Zero, "unreasonably large; the limit is $" + groupThousands(maxUSD.String())
	}
	if scale < -maxUSDPlaces {
		return decimal.Zero, "too many decimal places (at most 12)"
	}
	coefficient, _ := new(big.Int).SetString(digits, 10) // digits only: cannot fail
	d := decimal.NewFromBigInt(coefficient, int32(scale))
	if d.Cmp(maxUSD) > 0 {
		return decimal.Zero, "unreasonably large; the limit is $" + groupThousands(maxUSD.String())
	}
	return d, ""
}

// ParseShare parses a fraction of a whole: "0.75", ".75", "75%" all give
// 0.75. It must lie within [0, 1]. Shares are ratios, not money, so the
// result is a float64 (the nearest one to the exact decimal written).
func ParseShare(s string) (float64, error) {
	f, reason := share(s)
	if reason != "" {
		return 0, &ParseError{Value: s, Reason: reason, Kind: "share"}
	}
	return f, nil
}

func share(s string) (float64, string) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, "empty; give a share such as 0.75 or 75%"
	}
	if isNonFinite(strings.TrimSuffix(t, "%")) {
		return 0, "not a finite number"
	}
	percent := false
	if strings.HasSuffix(t, "%") {
		percent = true
		t = strings.TrimSpace(t[:len(t)-1])
	}
	if strings.HasPrefix(t, "-") && len(t) > 1 && (isDigit(t[1]) || t[1] == '.') {
		return 0, "must be between 0 and 1 (or 0% and 100%)"
	}
	t = strings.TrimPrefix(t, "+")
	if t == "" || !(isDigit(t[0]) || t[0] == '.') {
		return 0, "not a number (write e.g. 0.75 or 75%)"
	}
	num, reason := scanDecimal(t)
	if reason != "" {
		return 0, reason
	}
	if num.rest != "" {
		return 0, "unexpected " + strconv.Quote(num.rest) + " (write e.g. 0.75 or 75%)"
	}
	scale := num.scale
	if percent {
		scale -= 2
	}
	digits, scale := normalize(num.digits, scale)
	if digits == "" {
		return 0, ""
	}
	// Anything with more than one integer digit is above 1; this also keeps
	// huge exponents away from decimal arithmetic.
	if int64(len(digits))+scale > 1 {
		return 0, "must be between 0 and 1 (or 0% and 100%)"
	}
	if int64(len(digits))+scale < -330 {
		return 0, "" // below the smallest float64: it rounds to 0
	}
	// 40 significant digits are more than a float64 can tell apart.
	if len(digits) > 40 {
		scale += int64(len(digits) - 40)
		digits = digits[:40]
	}
	coefficient, _ := new(big.Int).SetString(digits, 10)
	d := decimal.NewFromBigInt(coefficient, int32(scale))
	if d.Cmp(decimal.NewFromInt(1)) > 0 {
		return 0, "must be between 0 and 1 (or 0% and 100%)"
	}
	return d.InexactFloat64(), ""
}
