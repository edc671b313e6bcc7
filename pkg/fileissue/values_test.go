package fileissue

import (
	"reflect"
	"testing"
)

func TestValues(t *testing.T) {
	data := []byte(`name: x
backends:
  - id: a
    hourly_usd: 1.5
  - {id: b, tags: [p, q]}
limits:
  p50: 2
`)
	want := []Value{
		{Path: "name", Key: "name", KeyLine: 1, Line: 1, Column: 7, Scalar: "x"},
		// A block sequence starts on its first item's line, not the key's.
		{Path: "backends", Key: "backends", KeyLine: 2, Line: 3, Column: 3, Block: true},
		{Path: "backends[0]", Item: true, KeyLine: 3, Line: 3, Column: 5, Block: true},
		{Path: "backends[0].id", Key: "id", KeyLine: 3, Line: 3, Column: 9, Scalar: "a"},
		{Path: "backends[0].hourly_usd", Key: "hourly_usd", KeyLine: 4, Line: 4, Column: 17, Scalar: "1.5"},
		// Line 5 holds six values: the flow mapping and everything in it.
		{Path: "backends[1]", Item: true, KeyLine: 5, Line: 5, Column: 5},
		{Path: "backends[1].id", Key: "id", KeyLine: 5, Line: 5, Column: 10, Scalar: "b"},
		{Path: "backends[1].tags", Key: "tags", KeyLine: 5, Line: 5, Column: 19},
		{Path: "backends[1].tags[0]", Item: true, KeyLine: 5, Line: 5, Column: 20, Scalar: "p"},
		{Path: "backends[1].tags[1]", Item: true, KeyLine: 5, Line: 5, Column: 23, Scalar: "q"},
		{Path: "limits", Key: "limits", KeyLine: 6, Line: 7, Column: 3, Block: true},
		{Path: "limits.p50", Key: "p50", KeyLine: 7, Line: 7, Column: 8, Scalar: "2"},
	}
	got := Values(data)
	if len(got) != len(want) {
		t.Fatalf("got %d values, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("value %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestValuesRootSequenceAndBadInput(t *testing.T) {
	got := Values([]byte("- a\n- b: 1\n"))
	var paths []string
	for _, v := range got {
		paths = append(paths, v.Path)
	}
	if want := []string{"[0]", "[1]", "[1].b"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("paths %q, want %q", paths, want)
	}
	for _, data := range []string{"", "a: [1\n", "a: b: c\n"} {
		if got := Values([]byte(data)); got != nil {
			t.Errorf("Values(%q) = %+v, want nil", data, got)
		}
	}
}

func TestCutColumn(t *testing.T) {
	for _, tc := range []struct {
		in   string
		col  int
		rest string
		ok   bool
	}{
		{"column 7: want a number", 7, "want a number", true},
		{"column x: want a number", 0, "column x: want a number", false},
		{"column 7 want a number", 0, "column 7 want a number", false},
		{"cannot unmarshal !!str `x`", 0, "cannot unmarshal !!str `x`", false},
	} {
		col, rest, ok := CutColumn(tc.in)
		if col != tc.col || rest != tc.rest || ok != tc.ok {
			t.Errorf("CutColumn(%q) = %d, %q, %v; want %d, %q, %v", tc.in, col, rest, ok, tc.col, tc.rest, tc.ok)
		}
	}
}
