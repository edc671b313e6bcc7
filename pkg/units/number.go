package units

import (
	"strconv"
	"strings"
)

// maxExponent bounds a written exponent ("1e999999999999999"). Any value
// beyond it is larger (or smaller) than any string that could be given, so
// clamping keeps the outcome (too large / not whole) and avoids overflow.
const maxExponent = 1_000_000_000_000

// decimalText is a non-negative number as written, before any suffix:
// its value is digits × 10^scale. Nothing is converted to float.
type decimalText struct {
	digits string // separators removed; may have leading or trailing zeros
	scale  int64
	hasExp bool   // written with an exponent, e.g. "1.2e6"
	rest   string // the text after the number, spaces trimmed (a suffix)
}

// scanDecimal reads an unsigned decimal number at the start of s: digits
// optionally grouped in threes by "," or "_", an optional fraction, an
// optional exponent. It returns a reason when s does not start with one.
func scanDecimal(s string) (decimalText, string) {
	i := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == ',' || s[i] == '_') {
		i++
	}
	intPart := s[:i]
	if reason := checkGrouping(intPart); reason != "" {
		return decimalText{}, reason
	}
	intDigits := intPart
	if strings.ContainsAny(intPart, ",_") {
		intDigits = removeSeparators(intPart)
	}

	var fracDigits string
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracDigits = s[start:i]
		if i < len(s) && (s[i] == ',' || s[i] == '_') {
			return decimalText{}, "digit separators belong before the decimal point only"
		}
	}
	if intDigits == "" && fracDigits == "" {
		return decimalText{}, "not a number (write e.g. 10M, 1.5k or 250000)"
	}

	var exp int64
	hasExp := false
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		negExp := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			negExp = s[i] == '-'
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if start == i {
			return decimalText{}, "exponent needs digits (write e.g. 1e7 or 1.2e6)"
		}
		exp = parseBoundedExponent(s[start:i])
		if negExp {
			exp = -exp
		}
		hasExp = true
	}

	return decimalText{
		digits: intDigits + fracDigits,
		scale:  exp - int64(len(fracDigits)),
		hasExp: hasExp,
		rest:   strings.TrimSpace(s[i:]),
	}, ""
}

// checkGrouping accepts plain digits, or digits grouped in threes by one kind
// of separator (10,000,000 or 10_000_000). Anything else is most likely a
// typo or a decimal comma, and guessing would change the number.
func checkGrouping(intPart string) string {
	sep := byte(0)
	group := 0
	first := true
	for k := 0; k < len(intPart); k++ {
		c := intPart[k]
		if isDigit(c) {
			group++
			continue
		}
		if sep != 0 && c != sep {
			return "mixes \",\" and \"_\" as digit separators; use one of them"
		}
		sep = c
		if group == 0 || (first && group > 3) || (!first && group != 3) {
			return groupingReason(sep)
		}
		first = false
		group = 0
	}
	if sep != 0 && group != 3 {
		return groupingReason(sep)
	}
	return ""
}

func groupingReason(sep byte) string {
	if sep == ',' {
		return "\",\" must separate groups of three digits, as in 10,000,000 (use \".\" for a decimal point)"
	}
	return "\"_\" must separate groups of three digits, as in 10_000_000"
}

func removeSeparators(s string) string {
	b := make([]byte, 0, len(s))
	for k := 0; k < len(s); k++ {
		if isDigit(s[k]) {
			b = append(b, s[k])
		}
	}
	return string(b)
}

func parseBoundedExponent(digits string) int64 {
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 12 {
		return maxExponent
	}
	if digits == "" {
		return 0
	}
	v, _ := strconv.ParseInt(digits, 10, 64) // at most 12 digits: cannot fail
	return min(v, maxExponent)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// normalize strips leading and trailing zeros from digits × 10^scale,
// moving the trailing ones into scale. Zero comes back as ("", 0).
func normalize(digits string, scale int64) (string, int64) {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "", 0
	}
	trimmed := strings.TrimRight(digits, "0")
	return trimmed, scale + int64(len(digits)-len(trimmed))
}

// wholeResult says why digits × 10^scale is not a usable integer.
type wholeResult int

const (
	wholeOK wholeResult = iota
	wholeFractional
	wholeTooLarge
)

// wholeValue returns digits × 10^scale as an int64 when it is a whole number
// no greater than limit (limit < 10^18, so the arithmetic cannot overflow).
func wholeValue(digits string, scale int64, limit int64) (int64, wholeResult) {
	digits, scale = normalize(digits, scale)
	if digits == "" {
		return 0, wholeOK
	}
	if scale < 0 {
		return 0, wholeFractional
	}
	if int64(len(digits))+scale > 18 {
		return 0, wholeTooLarge
	}
	// At most 18 digits in all: below 10^18, so neither step can overflow.
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, wholeTooLarge
	}
	for ; scale > 0; scale-- {
		v *= 10
	}
	if v > limit {
		return 0, wholeTooLarge
	}
	return v, wholeOK
}

// isNonFinite reports the spellings of NaN and infinity strconv would accept,
// so they get a clear reason instead of "not a number".
func isNonFinite(s string) bool {
	s = strings.TrimLeft(s, "+-")
	switch strings.ToLower(s) {
	case "nan", "inf", "infinity":
		return true
	}
	return false
}
