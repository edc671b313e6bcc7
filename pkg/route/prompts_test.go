package route

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

func readAllPrompts(t *testing.T, body string) ([]Prompt, error) {
	t.Helper()
	r := NewPromptReader(strings.NewReader(body), "p.txt")
	var out []Prompt
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
}

func TestPromptReaderPlain(t *testing.T) {
	ps, err := readAllPrompts(t, "hello world\r\n\n{not json but a prompt}\nlast without newline")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[0].ID != "1" || ps[0].Text != "hello world" || ps[1].ID != "3" || ps[2].Text != "last without newline" {
		t.Fatalf("%+v", ps)
	}
}

func TestPromptReaderJSONL(t *testing.T) {
	body := `{"id":"a","prompt":"p1","task":"code","pii":true,"max_tokens":64}

{"id":7,"prompt":"p2"}
{"prompt":"p3"}
`
	ps, err := readAllPrompts(t, body)
	if err != nil {
		t.Fatal(err)
	}
	want := []Prompt{{ID: "a", Text: "p1", Task: "code", PII: true, MaxTokens: 64, Line: 1},
		{ID: "7", Text: "p2", Line: 3}, {ID: "4", Text: "p3", Line: 4}}
	if len(ps) != len(want) {
		t.Fatalf("%+v", ps)
	}
	for i := range want {
		if ps[i] != want[i] {
			t.Errorf("prompt %d = %+v, want %+v", i, ps[i], want[i])
		}
	}
}

func TestPromptReaderJSONLErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"{\"prompt\":\"a\"}\nplain text\n", "p.txt:2: not a prompt object"},
		{"{\"prompt\":\"a\"}\n{\"prompt\":\"b\",\"pi\":true}\n", `p.txt:2: not a prompt object`},
		{"{\"prompt\":\"\"}\n", "p.txt:1: prompt: required"},
		{"{\"id\":\"x\",\"prompt\":\"a\"}\n{\"id\":\"x\",\"prompt\":\"b\"}\n", `p.txt:2: id: "x" repeats line 1`},
		{"{\"prompt\":\"a\",\"max_tokens\":-3}\n", "p.txt:1: max_tokens"},
		{"{\"prompt\":\"a\",\"id\":true}\n", "p.txt:1: id:"},
		{"{\"prompt\":\"a\"}\n{\"prompt\":\"b\"} {\"prompt\":\"c\"}\n", "p.txt:2: one JSON object per line"},
		// The last of two "pii" keys would win: a private prompt sent out.
		{"{\"prompt\":\"a\",\"pii\":true,\"pii\":false}\n", `"pii" appears twice`},
		{"{\"prompt\":\"a\",\"pii\":true,\"PII\":false}\n", `"PII" appears twice`},
		{"{\"prompt\":\"x\",\"prompt\":\"y\"}\n", `"prompt" appears twice`},
		{"{\"prompt\":\"x\",\"max_tokens\":\"10\"}\n", "p.txt:1: not a prompt object (the file is JSONL because its first line is): max_tokens: want a whole number, got a JSON string"},
	} {
		_, err := readAllPrompts(t, tc.body)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("body %q: err = %v, want %q", tc.body, err, tc.want)
		}
	}
}

func TestPromptReaderLongLine(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	ps, err := readAllPrompts(t, long+"\nshort\n")
	if err != nil || len(ps) != 2 || len(ps[0].Text) != 1<<20 || ps[1].Text != "short" || ps[1].ID != "2" {
		t.Fatalf("err=%v n=%d", err, len(ps))
	}
}

func FuzzPromptReader(f *testing.F) {
	f.Add("a\nb\n")
	f.Add(`{"id":"x","prompt":"y","task":"code","pii":false,"max_tokens":3}` + "\n" + `{"prompt":"z"}`)
	f.Add("{\n")
	f.Fuzz(func(t *testing.T, body string) {
		r := NewPromptReader(strings.NewReader(body), "f")
		seen := map[string]bool{}
		for range 10000 {
			p, err := r.Next()
			if err != nil {
				return
			}
			if p.ID == "" || seen[p.ID] {
				t.Fatalf("bad or repeated id %q", p.ID)
			}
			seen[p.ID] = true
		}
	})
}

func TestConfidence(t *testing.T) {
	c, ok := ConfidenceOf([]float64{-0.1, -0.3, Sentinel, -0.2})
	if !ok || c.Tokens != 3 || c.Clamped != 1 || math.Abs(c.Mean-(-0.2)) > 1e-12 || c.Min != -0.3 ||
		math.Abs(c.Score-math.Exp(-0.2)) > 1e-12 {
		t.Fatalf("%+v", c)
	}
	if _, ok := ConfidenceOf([]float64{Sentinel, math.NaN()}); ok {
		t.Error("only sentinels: confidence must be unknown")
	}
	if _, ok := ConfidenceOf(nil); ok {
		t.Error("no logprobs: confidence must be unknown")
	}
}

func TestCheckPrompts(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     int64
		err      string
	}{
		{"plain", "a\n\nb\nc", 3, ""},
		{"jsonl", `{"id":1,"prompt":"x"}` + "\n" + `{"id":2,"prompt":"y"}` + "\n", 2, ""},
		{"bad last line", `{"id":1,"prompt":"x"}` + "\n" + `{"id":2,"prompt":"y"}` + "\n{bad json\n", 0, "p.jsonl:3: not a prompt object"},
		{"duplicate id", `{"id":"a","prompt":"x"}` + "\n" + `{"id":"a","prompt":"y"}` + "\n", 0, `p.jsonl:2: id: "a" repeats line 1`},
		{"empty", "", 0, ""},
	} {
		n, err := CheckPrompts(strings.NewReader(tc.in), "p.jsonl")
		switch {
		case tc.err == "" && (err != nil || n != tc.want):
			t.Errorf("%s: CheckPrompts = %d, %v; want %d", tc.name, n, err, tc.want)
		case tc.err != "":
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want an InputError with %q", tc.name, err, tc.err)
			}
		}
	}
}

// streamOnly hides a reader's ReaderAt and Seeker, as a pipe would.
type streamOnly struct{ io.Reader }

// TestPromptReaderIDsExactUnderCollisions: ids of a file are kept as
// hashes; with every hash colliding, distinct ids must still pass and a
// repeat must still be caught at the right lines, as for a stream.
func TestPromptReaderIDsExactUnderCollisions(t *testing.T) {
	body := "{\"id\":\"a\",\"prompt\":\"x\"}\n\n{\"id\":\"b\",\"prompt\":\"x\"}\n{\"prompt\":\"x\"}\n{\"id\":\"c\",\"prompt\":\"x\"}\n"
	for _, tc := range []struct {
		name, tail, want string
	}{
		{"distinct", "", ""},
		{"repeat of the first", `{"id":"a","prompt":"y"}`, `p.jsonl:6: id: "a" repeats line 1`},
		{"repeat of a collided id", `{"id":"c","prompt":"y"}`, `p.jsonl:6: id: "c" repeats line 5`},
		{"repeat of a line-number id", `{"id":"4","prompt":"y"}`, `p.jsonl:6: id: "4" repeats line 4`},
	} {
		for _, stream := range []bool{false, true} {
			var in io.Reader = strings.NewReader(body + tc.tail)
			if stream {
				in = streamOnly{in}
			}
			r := NewPromptReader(in, "p.jsonl")
			r.idHash = func(string) uint64 { return 42 }
			if !stream && r.again == nil {
				t.Fatal("a strings.Reader can be read again: ids should be hashed")
			}
			var err error
			n := 0
			for err == nil {
				_, err = r.Next()
				n++
			}
			if tc.want == "" {
				if !errors.Is(err, io.EOF) || n != 5 {
					t.Errorf("%s (stream %v): n=%d err=%v, want 4 prompts", tc.name, stream, n-1, err)
				}
				continue
			}
			if err == nil || err.Error() == "" || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("%s (stream %v): err=%v, want %q", tc.name, stream, err, tc.want)
			}
		}
	}
}

// TestPromptReaderBOM: a JSONL file saved with a UTF-8 byte-order mark is
// still JSONL; read as plain text its "pii": true flags would be lost and
// the flagged prompt could go to a cloud backend.
func TestPromptReaderBOM(t *testing.T) {
	ps, err := readAllPrompts(t, "\xef\xbb\xbf{\"id\":\"p1\",\"prompt\":\"patient notes\",\"pii\":true}\n{\"id\":\"p2\",\"prompt\":\"hi\"}\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].ID != "p1" || !ps[0].PII || ps[0].Text != "patient notes" {
		t.Fatalf("%+v", ps)
	}
	ps, err = readAllPrompts(t, "\xef\xbb\xbfhello\nworld\n")
	if err != nil || len(ps) != 2 || ps[0].Text != "hello" {
		t.Fatalf("plain text: %+v %v", ps, err)
	}
}

// TestPromptReaderBrokenFirstJSONLine: a typo in line 1 of a JSONL file
// must not turn the whole file into plain text (every "pii": true lost).
func TestPromptReaderBrokenFirstJSONLine(t *testing.T) {
	_, err := readAllPrompts(t, "\n{\"id\":\"p1\",\"prompt\":\"x\",\"pii\":true,}\n{\"id\":\"p2\",\"prompt\":\"y\",\"pii\":true}\n")
	var ie *InputError
	if !errors.As(err, &ie) || ie.Line != 2 {
		t.Fatalf("err = %v, want an InputError at line 2", err)
	}
	// A plain-text file may still start with a brace that is not JSON.
	if ps, err := readAllPrompts(t, "{braces} in a prompt\nnext\n"); err != nil || len(ps) != 2 {
		t.Fatalf("%+v %v", ps, err)
	}
}
