package fileissue

import "testing"

func TestNameFields(t *testing.T) {
	data := []byte("a: 1\nb:\n  c: x\n  d: {e: 1, f: 2}\n")
	is := []Issue{{Line: 1}, {Line: 3}, {Line: 4}, {Line: 3, Field: "kept"}, {}}
	NameFields(is, data)
	for i, want := range []string{"a", "c", "", "kept", ""} {
		if is[i].Field != want {
			t.Errorf("issue %d: field %q, want %q", i, is[i].Field, want)
		}
	}
}
