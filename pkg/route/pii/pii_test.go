package pii

import (
	"strings"
	"testing"
)

func TestDetectPositives(t *testing.T) {
	for _, tc := range []struct{ text, kind string }{
		{"mail me at jane.doe+llm@example.co.uk please", Email},
		{"contact: o'brien@mail.example.org", Email},
		{"card 4111 1111 1111 1111 exp 12/29", Card},
		{"amex 3782-822463-10005", Card},
		{"pay with 5555555555554444.", Card},
		{"mc2 2223003122003222", Card},
		{"card 4111.1111.1111.1111 exp 12/29", Card},
		{"IBAN GB82 WEST 1234 5698 7654 32 thanks", IBAN},
		{"DE89370400440532013000", IBAN},
		{"iban: FR1420041010050500013M02606 ok", IBAN},
		{"NL91 ABNA 0417 1643 00", IBAN},
		{"my iban is de89 3704 0044 0532 0130 00", IBAN},
		{"gb82west12345698765432", IBAN},
		{"ssn 536-22-1234", SSN},
		{"SSN: 536 22 1234", SSN},
		{"ssn 512346789", SSN},
		{"my social security number is 512346789", SSN},
		{"SSN#512346789 on file", SSN},
		{"Soc. Sec. no. 512346789", SSN},
		{"Social-Security: 512346789.", SSN},
		{"call +1 415 555 2671 now", Phone},
		{"tel +442079460958", Phone},
		{"ring +49 (30) 1234-5678", Phone},
		{"US office (415) 555-2671", Phone},
		{"cell 415-555-2671", Phone},
		{"Berlin 030 12345678", Phone},
		{"London 020 7946 0958", Phone},
		{"Paris 06 12 34 56 78", Phone},
		{"server at 203.0.113.7 is down", IP},
		{"from 192.168.1.20", IP},
		{"v6 2001:db8::8a2e:370:7334 route", IP},
		{"mapped ::ffff:198.51.100.1", IP},
		{"fe80::1ff:fe23:4567:890a", IP},
		{"peer fe::ab up", IP},
		{"x a@b.co", Email},
	} {
		kinds := Kinds(tc.text)
		found := false
		for _, k := range kinds {
			found = found || k == tc.kind
		}
		if !found {
			t.Errorf("Kinds(%q) = %v, want %s", tc.text, kinds, tc.kind)
		}
	}
}

func TestDetectNegatives(t *testing.T) {
	for _, text := range []string{
		"In 2024 revenue was $1,234,567.89, up 12% from 2023.",
		"Summarise the French revolution (1789-1799).",
		"order number 1234567890123 shipped", // 13 digits, fails Luhn
		"card 4111 1111 1111 1112",           // Luhn fails
		"0000 0000 0000 0000",                // no issuer starts with 0
		"ssn 000-12-3456",                    // area 000
		"ssn 666-12-3456",                    // area 666
		"ssn 912-12-3456",                    // area 9xx
		"ssn 536-00-1234",                    // group 00
		"ssn 536-22-0000",                    // serial 0000
		"ssn 536-22 1234",                    // mixed separators
		"order number 512346789 shipped",     // 9 digits, no SSN keyword
		"512346789",                          // bare 9 digits alone
		"ssn 000123456",                      // bare, area 000
		"ssn 912346789",                      // bare, area 9xx
		"ssn 512006789",                      // bare, group 00
		"ssn 5123467890",                     // 10 digits
		"ssn field is described in the appendix; order 512346789", // keyword too far before
		"order 512346789 has no ssn",                              // keyword after the number
		"lessnote 512346789",                                      // "ssn" inside a word
		"GB82 WEST 1234 5698 7654 33",                             // IBAN check digits wrong
		"XX82WEST12345698765432",                                  // unknown country
		"gb82 west 1234 5698 7654 33",                             // lower case, check digits wrong
		"version v1.2.3.4 released",
		"semver 1.2.3.4.5",
		"bad ip 999.1.1.1",
		"localhost 127.0.0.1 and 0.0.0.0 and ::1",
		"std::cout << x; a::b::c",
		"at 12:30:45 sharp",
		"mac 00:1a:2b:3c:4d:5e",
		"100-200-3000 widgets", // NANP area cannot start with 1
		"the date 01-02-2024",
		"call me maybe",
		"user@localhost",
		"@Override public void run()",
		"pi is 3.14159265358979",
		"build 2024.1106.1111.1112 done", // dotted 4x4, Luhn fails
		"x = 4111.11111111111",           // a decimal, not the 4-4-4-4 grouping
		"ISBN 978-3-16-148410-0",
	} {
		if got := Detect(text); len(got) != 0 {
			t.Errorf("Detect(%q) = %v, want nothing", text, got)
		}
	}
}

func TestFindingOffsetsCoverEntity(t *testing.T) {
	text := "x jane@example.com y"
	fs := Detect(text)
	if len(fs) != 1 || text[fs[0].Start:fs[0].End] != "jane@example.com" {
		t.Fatalf("findings %v", fs)
	}
	text = "IBAN DE89 3704 0044 0532 0130 00 AND MORE"
	fs = Detect(text)
	if len(fs) == 0 || fs[0].Kind != IBAN || text[fs[0].Start:fs[0].End] != "DE89 3704 0044 0532 0130 00" {
		t.Fatalf("iban findings %v", fs)
	}
}

func TestLuhn(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"79927398713", true}, {"79927398710", false}, {"4111111111111111", true},
		{"378282246310005", true}, {"", false}, {"12a4", false}, {"0", true},
	} {
		if got := Luhn(tc.in); got != tc.want {
			t.Errorf("Luhn(%q) = %v", tc.in, got)
		}
	}
}

func TestValidIBAN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"GB82 WEST 1234 5698 7654 32", true},
		{"gb82west12345698765432", true},
		{"BE68539007547034", true},
		{"NO9386011117947", true},
		{"GB82WEST1234569876543", false},  // one short
		{"GB82WEST12345698765433", false}, // check digits
		{"ZZ82WEST12345698765432", false},
		{"GB82-WEST", false},
	} {
		if got := ValidIBAN(tc.in); got != tc.want {
			t.Errorf("ValidIBAN(%q) = %v", tc.in, got)
		}
	}
}

func TestValidSSN(t *testing.T) {
	for _, tc := range []struct {
		a, g, s string
		want    bool
	}{
		{"536", "22", "1234", true}, {"000", "22", "1234", false}, {"666", "22", "1234", false},
		{"900", "22", "1234", false}, {"536", "00", "1234", false}, {"536", "22", "0000", false},
		{"078", "05", "1120", false}, {"899", "99", "9999", true},
	} {
		if got := ValidSSN(tc.a, tc.g, tc.s); got != tc.want {
			t.Errorf("ValidSSN(%s-%s-%s) = %v", tc.a, tc.g, tc.s, got)
		}
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"jane@example.com", "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32",
		"+1 415 555 2671", "2001:db8::1", "536-22-1234", strings.Repeat("9", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fd := range Detect(s) {
			if fd.Start < 0 || fd.End > len(s) || fd.Start >= fd.End {
				t.Fatalf("bad offsets %v in %q", fd, s)
			}
		}
	})
}
