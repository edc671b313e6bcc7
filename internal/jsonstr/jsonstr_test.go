package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Append writes what encoding/json writes (HTML escaping off).
func FuzzAppendMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "quote \" and \\ back", "tab\tnl\nncr\r", "\x00\x1f\x7f", "é 漢字 🙂", "\u2028\u2029", "bad \xff utf8", "<html>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := Append([]byte("x"), s)
		if !bytes.Equal(got[1:], bytes.TrimSuffix(want.Bytes(), []byte("\n"))) || got[0] != 'x' {
			t.Fatalf("Append(%q) = %s, encoding/json %s", s, got[1:], want.Bytes())
		}
	})
}
