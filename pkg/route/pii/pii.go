// Package pii finds personal data in prompt text so `route` can keep such
// prompts away from cloud backends. Each detector is a regular expression
// for candidates followed by a validator (Luhn, IBAN mod-97, SSN area
// rules, netip parsing), which is what keeps years, amounts, versions and
// order numbers from being flagged. Findings carry kinds and offsets,
// never values, so callers can log them safely.
package pii

import (
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Kinds of personal data.
const (
	Email = "email"
	Phone = "phone"
	Card  = "card"
	IBAN  = "iban"
	SSN   = "ssn"
	IP    = "ip"
)

// Finding is one detected entity: its kind and byte offsets in the text.
type Finding struct {
	Kind       string
	Start, End int
}

// The detectors' regular expressions are compiled on first use, not at
// start-up: every llmcost command links this package, and compiling them
// cost ~0.9 ms of package initialisation in runs that never route.
type detectorREs struct {
	emailRE, cardRE, cardDotRE, ibanRE, ssnRE, ssnBareRE, ssnKeywordRE, phoneIntlRE, phoneNANPRE, phoneNatRE, ipv4RE, ipv6RE *regexp.Regexp
}

var res = sync.OnceValue(func() *detectorREs {
	r := &detectorREs{}
	r.emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-']+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b`)
	r.cardRE = regexp.MustCompile(`\b\d(?:[ \-]?\d){12,18}\b`)
	// Dots only in the printed 4-4-4-4 grouping: free dots would make
	// decimals such as 3.14159265358979 candidates.
	r.cardDotRE = regexp.MustCompile(`\b\d{4}(?:\.\d{4}){3}\b`)
	// Either case: people type "de89 3704 …"; mod-97 keeps words out.
	r.ibanRE = regexp.MustCompile(`\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b`)
	r.ssnRE = regexp.MustCompile(`\b(\d{3})([ \-])(\d{2})([ \-])(\d{4})\b`)
	// Nine bare digits are an SSN only after a keyword (see ssnKeywordWindow):
	// alone they are far more often order or account numbers.
	r.ssnBareRE = regexp.MustCompile(`\b(\d{3})(\d{2})(\d{4})\b`)
	r.ssnKeywordRE = regexp.MustCompile(`(?i)\b(?:ssn|social[\s\-]+security|soc\.?\s*sec\b)`)
	// International: "+" then digits with the usual separators.
	r.phoneIntlRE = regexp.MustCompile(`\+\d[\d ().\-]{6,20}\d`)
	// North American: (415) 555-2671, 415-555-2671, 415.555.2671, 415 555 2671.
	r.phoneNANPRE = regexp.MustCompile(`(?:\(\d{3}\) ?|\b\d{3}[\-. ])\d{3}[\-. ]\d{4}\b`)
	// National with a trunk 0 and at least one separator: 030 1234567,
	// 020 7946 0958, 06 12 34 56 78.
	r.phoneNatRE = regexp.MustCompile(`\b0[1-9]\d{0,3}(?:[ \-]\d{2,8}){1,4}\b`)
	r.ipv4RE = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)
	r.ipv6RE = regexp.MustCompile(`(?i)(?:[0-9a-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4})`)
	return r
})

// Detect returns every entity found in s, ordered by position.
func Detect(s string) []Finding {
	r := res()
	digits, dots, colons, at := census(s)
	if digits == 0 && !at && colons < 2 {
		return nil
	}
	var out []Finding
	add := func(kind string, start, end int) { out = append(out, Finding{kind, start, end}) }

	if at {
		for _, m := range r.emailRE.FindAllStringIndex(s, -1) {
			if validEmail(s[m[0]:m[1]]) {
				add(Email, m[0], m[1])
			}
		}
	}
	// The regexes are the cost; skip those whose entity needs more digits
	// than the text has (most prompts have a few or none).
	if digits < 7 && dots < 3 && colons < 2 {
		return out
	}
	if digits >= 13 {
		for _, m := range r.cardRE.FindAllStringIndex(s, -1) {
			if d := digitsOf(s[m[0]:m[1]]); ValidCard(d) {
				add(Card, m[0], m[1])
			}
		}
		if dots >= 3 {
			for _, m := range r.cardDotRE.FindAllStringIndex(s, -1) {
				if d := digitsOf(s[m[0]:m[1]]); ValidCard(d) && !overlaps(out, m[0], m[1]) {
					add(Card, m[0], m[1])
				}
			}
		}
	}
	if digits >= 8 {
		for _, m := range r.ibanRE.FindAllStringIndex(s, -1) {
			if end, ok := ibanPrefix(s[m[0]:m[1]]); ok {
				add(IBAN, m[0], m[0]+end)
			}
		}
	}
	if digits >= 8 { // SSN has 9 digits, a phone at least 8
		for _, m := range r.ssnRE.FindAllStringSubmatchIndex(s, -1) {
			area, sep1, group, sep2, serial := s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]], s[m[8]:m[9]], s[m[10]:m[11]]
			if sep1 == sep2 && ValidSSN(area, group, serial) {
				add(SSN, m[0], m[1])
			}
		}
		for _, m := range r.ssnBareRE.FindAllStringSubmatchIndex(s, -1) {
			if ValidSSN(s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]]) && ssnKeywordBefore(s, m[0]) {
				add(SSN, m[0], m[1])
			}
		}
		for _, re := range []*regexp.Regexp{r.phoneIntlRE, r.phoneNANPRE, r.phoneNatRE} {
			for _, m := range re.FindAllStringIndex(s, -1) {
				if validPhone(re, s, m[0], m[1]) && !overlaps(out, m[0], m[1]) {
					add(Phone, m[0], m[1])
				}
			}
		}
	}
	if dots >= 3 && digits >= 4 {
		for _, m := range r.ipv4RE.FindAllStringIndex(s, -1) {
			if validIPv4Context(s, m[0], m[1]) && publicish(s[m[0]:m[1]]) {
				add(IP, m[0], m[1])
			}
		}
	}
	if colons >= 2 {
		for _, m := range r.ipv6RE.FindAllStringIndex(s, -1) {
			if validIPv6Context(s, m[0], m[1]) && publicish(s[m[0]:m[1]]) && !overlaps(out, m[0], m[1]) {
				add(IP, m[0], m[1])
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// Kinds returns the distinct kinds found in s, sorted (nil if none).
func Kinds(s string) []string {
	seen := map[string]bool{}
	var kinds []string
	for _, f := range Detect(s) {
		if !seen[f.Kind] {
			seen[f.Kind] = true
			kinds = append(kinds, f.Kind)
		}
	}
	sort.Strings(kinds)
	return kinds
}

// census counts what the detectors need, in one pass: every entity has
// digits or an '@'; IPs need dots or colons.
func census(s string) (digits, dots, colons int, at bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		case c == ':':
			colons++
		case c == '@':
			at = true
		}
	}
	return
}

func overlaps(fs []Finding, start, end int) bool {
	for _, f := range fs {
		if start < f.End && f.Start < end {
			return true
		}
	}
	return false
}

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	local := s[:at]
	return local != "" && local[0] != '.' && local[len(local)-1] != '.' && !strings.Contains(local, "..")
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// ValidCard reports whether digits (digits only) is a plausible payment
// card number: 13-19 digits, a known issuer prefix, and a valid Luhn check.
func ValidCard(digits string) bool {
	if len(digits) < 13 || len(digits) > 19 {
		return false
	}
	// Issuer prefixes: 2 (Mastercard 2-series), 3 (Amex, Diners, JCB),
	// 4 (Visa), 5 (Mastercard, Maestro), 6 (Discover, UnionPay, Maestro).
	switch digits[0] {
	case '2', '3', '4', '5', '6':
	default:
		return false
	}
	return Luhn(digits)
}

// Luhn reports whether a digit string passes the Luhn (mod 10) check.
func Luhn(digits string) bool {
	if digits == "" {
		return false
	}
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// ibanLengths is the IBAN length per country (SWIFT IBAN registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
	"LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
	"NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
	"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// ibanPrefix checks whether candidate starts with a valid IBAN of its
// country's length (the regex may have swallowed a following word) and
// returns the byte length of that IBAN within candidate.
func ibanPrefix(candidate string) (int, bool) {
	n, ok := ibanLengths[strings.ToUpper(candidate[:2])]
	if !ok {
		return 0, false
	}
	var compact []byte
	for i := 0; i < len(candidate); i++ {
		if candidate[i] == ' ' {
			continue
		}
		compact = append(compact, candidate[i])
		if len(compact) == n {
			// The IBAN must end at a word end, not inside a longer token.
			if i+1 < len(candidate) && candidate[i+1] != ' ' {
				return 0, false
			}
			return i + 1, ValidIBAN(string(compact))
		}
	}
	return 0, false
}

// ValidIBAN reports whether s (spaces allowed) is an IBAN with a known
// country, that country's length, and a valid ISO 13616 mod-97 check.
func ValidIBAN(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(s) < 5 {
		return false
	}
	if n, ok := ibanLengths[s[:2]]; !ok || n != len(s) {
		return false
	}
	rearranged := s[4:] + s[:4]
	rem := 0
	for i := 0; i < len(rearranged); i++ {
		c := rearranged[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// ssnKeywordWindow is how far before nine bare digits a keyword (ssn,
// SSN#, social security, soc. sec.) may start: "my social security number
// is 512346789" fits, a keyword a sentence earlier does not.
const ssnKeywordWindow = 30

func ssnKeywordBefore(s string, start int) bool {
	lo := max(0, start-ssnKeywordWindow)
	// Do not start the window inside a word ("le|ssn" must not read as "ssn").
	for lo > 0 && isWord(s[lo-1]) && isWord(s[lo]) {
		lo--
	}
	return res().ssnKeywordRE.MatchString(s[lo:start])
}

// ValidSSN applies the SSA rules: area not 000, 666 or 9xx; group not 00;
// serial not 0000; and not one of the numbers published in advertising.
func ValidSSN(area, group, serial string) bool {
	if len(area) != 3 || len(group) != 2 || len(serial) != 4 {
		return false
	}
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return false
	}
	switch area + group + serial {
	case "078051120", "219099999", "123456789":
		return false
	}
	return true
}

func validPhone(re *regexp.Regexp, s string, start, end int) bool {
	m := s[start:end]
	d := len(digitsOf(m))
	before := byte(' ')
	if start > 0 {
		before = s[start-1]
	}
	if isWord(before) || before == '.' || before == '-' || before == '+' {
		return false
	}
	if end < len(s) && (isWord(s[end]) || s[end] == '-') {
		return false
	}
	if strings.Count(m, "(") != strings.Count(m, ")") {
		return false
	}
	r := res()
	switch re {
	case r.phoneIntlRE:
		return d >= 8 && d <= 15 // E.164 allows at most 15 digits
	case r.phoneNANPRE:
		// NANP: area code and exchange start with 2-9.
		ds := digitsOf(m)
		return d == 10 && ds[0] >= '2' && ds[3] >= '2'
	default:
		return d >= 9 && d <= 12
	}
}

func isWord(c byte) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func validIPv4Context(s string, start, end int) bool {
	// Not part of a longer dotted run (1.2.3.4.5) and not a version (v1.2.3.4).
	if start > 0 && (s[start-1] == '.' || s[start-1] == 'v' || s[start-1] == 'V') {
		return false
	}
	if end+1 < len(s) && s[end] == '.' && s[end+1] >= '0' && s[end+1] <= '9' {
		return false
	}
	_, err := netip.ParseAddr(s[start:end])
	return err == nil
}

func validIPv6Context(s string, start, end int) bool {
	if start > 0 && (isWord(s[start-1]) || s[start-1] == ':') {
		return false // e.g. the "d::c" inside "std::cout"
	}
	if end < len(s) && (isWord(s[end]) || s[end] == ':') {
		return false
	}
	_, err := netip.ParseAddr(s[start:end])
	return err == nil
}

// publicish drops addresses that identify no one: unspecified (0.0.0.0,
// ::) and loopback, which fill code samples.
func publicish(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	return !a.IsUnspecified() && !a.IsLoopback()
}
