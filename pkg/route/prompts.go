package route

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"strconv"
	"strings"
)

// MaxPromptLine is the longest prompt line accepted.
const MaxPromptLine = 16 << 20

// Prompt is one prompt to route.
type Prompt struct {
	ID        string
	Text      string
	Task      string
	PII       bool // flagged by the prompts file; detectors may flag more
	MaxTokens int  // 0 = the run's default
	Line      int
}

// InputError is a bad line in a prompts file.
type InputError struct {
	File string
	Line int
	Msg  string
}

func (e *InputError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Prompt file formats, decided by the first non-blank line.
const (
	formatUnknown = iota
	formatPlain
	formatJSONL
)

// PromptReader streams prompts from a file without loading it whole.
//
// The format is decided once per file by its first non-blank line: a
// JSON object there makes the file JSONL ({"id","prompt","task","pii",
// "max_tokens"}; every non-blank line must then be such an object, and a
// bad one is an error at file:line). A first line that starts with {"
// but is not valid JSON is an error too, not plain text. Anything else
// makes it plain text: one prompt per line, id = line number, blank lines
// skipped.
type PromptReader struct {
	br     *bufio.Reader
	name   string
	line   int
	format int
	long   []byte
	ids    *idSet // JSONL ids seen, to refuse duplicates; nil: not checked
	again  io.ReaderAt
	idHash func(string) uint64 // tests force collisions; nil: maphash
}

// NewPromptReader reads prompts from r; name is used in messages. When r
// can be read again from its start (a file, not a pipe), JSONL ids are
// checked for repeats by hash, in a fraction of the memory.
func NewPromptReader(r io.Reader, name string) *PromptReader {
	pr := &PromptReader{br: bufio.NewReaderSize(r, 256<<10), name: name}
	if ra, ok := r.(interface {
		io.ReaderAt
		io.Seeker
	}); ok {
		if off, err := ra.Seek(0, io.SeekCurrent); err == nil && off == 0 {
			pr.again = ra
		}
	}
	return pr
}

// idSet remembers the JSONL ids seen so far. A stream keeps the ids
// themselves. Over an input that can be read again only a 64-bit hash of
// each id is kept, in an open-addressing table (8 to 21 bytes an id,
// against ~200 for a map of strings): a hash seen before sends the reader
// back over the input to look for the same id exactly, so a collision is
// never taken for a repeat, and a repeat is reported with its first line.
type idSet struct {
	exact map[string]int // stream: id -> line

	slots []uint64 // id hashes; 0 marks an empty slot
	n     int
	seed  maphash.Seed
	hash  func(string) uint64 // nil: maphash with seed (tests override)
	// find returns the first line before line with this id, if any.
	find func(id string, line int) (int, bool, error)
}

func (s *idSet) sum(id string) uint64 {
	var h uint64
	if s.hash != nil {
		h = s.hash(id)
	} else {
		h = maphash.String(s.seed, id)
	}
	return max(h, 1) // 0 is the empty slot
}

// add records id at line, or returns the line where it was first seen.
func (s *idSet) add(id string, line int) (prev int, dup bool, err error) {
	if s.exact != nil {
		if prev, dup = s.exact[id]; !dup {
			s.exact[id] = line
		}
		return prev, dup, nil
	}
	h := s.sum(id)
	if s.insert(h) {
		return 0, false, nil
	}
	// The hash is there already: the same id, or (rarely) a collision.
	// Nothing to insert in either case; a later repeat of this id hits the
	// same hash and is looked up the same way.
	return s.find(id, line)
}

// insert adds h and reports whether it was new.
func (s *idSet) insert(h uint64) bool {
	if s.n*4 >= len(s.slots)*3 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			s.slots[i] = h
			s.n++
			return true
		}
	}
}

func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(1024, 2*len(old)))
	mask := uint64(len(s.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
}

// findID reads the input again from its start and returns the first line
// before line whose id is id.
func (r *PromptReader) findID(id string, line int) (int, bool, error) {
	again := &PromptReader{br: bufio.NewReaderSize(io.NewSectionReader(r.again, 0, math.MaxInt64), 64<<10), name: r.name, format: formatJSONL}
	for {
		raw, err := again.readLine()
		if errors.Is(err, io.EOF) || (err == nil && again.line >= line) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, fmt.Errorf("%s: reading the file again to check id %q: %w", r.name, id, err)
		}
		trimmed := bytes.TrimSpace(bytes.TrimSuffix(raw, []byte{'\r'}))
		if len(trimmed) == 0 {
			continue
		}
		p, err := again.parseJSON(trimmed)
		if err != nil {
			return 0, false, fmt.Errorf("%s: line %d changed while it was read: %w", r.name, again.line, err)
		}
		if p.ID == id {
			return again.line, true, nil
		}
	}
}

type jsonPrompt struct {
	ID        json.RawMessage `json:"id"`
	Prompt    *string         `json:"prompt"`
	Task      string          `json:"task"`
	PII       bool            `json:"pii"`
	MaxTokens *int            `json:"max_tokens"`
}

// Next returns the next prompt, or io.EOF.
func (r *PromptReader) Next() (Prompt, error) {
	for {
		raw, err := r.readLine()
		if err != nil {
			return Prompt{}, err
		}
		raw = bytes.TrimSuffix(raw, []byte{'\r'})
		trimmed := bytes.TrimSpace(raw)
		if len(trimmed) == 0 {
			continue
		}
		if r.format == formatUnknown {
			if bytes.HasPrefix(trimmed, []byte(`{"`)) && !json.Valid(trimmed) {
				// Fail closed: taken for plain text, a JSONL file with a typo
				// on its first line would have every "pii": true ignored.
				var v any
				err := json.Unmarshal(trimmed, &v)
				return Prompt{}, r.bad("starts like a JSONL prompt object but is not valid JSON (%v); fix the line, or for plain text do not start the file with {\"", err)
			}
			r.format = formatPlain
			if trimmed[0] == '{' && json.Valid(trimmed) {
				r.format = formatJSONL
				r.ids = &idSet{exact: map[string]int{}}
				if r.again != nil {
					r.ids = &idSet{seed: maphash.MakeSeed(), hash: r.idHash, find: r.findID}
				}
			}
		}
		if r.format == formatPlain {
			return Prompt{ID: strconv.Itoa(r.line), Text: string(raw), Line: r.line}, nil
		}
		return r.parseJSON(trimmed)
	}
}

func (r *PromptReader) bad(format string, a ...any) error {
	return &InputError{File: r.name, Line: r.line, Msg: fmt.Sprintf(format, a...)}
}

// decodePrompt reads one prompt object in one pass over its keys, as
// encoding/json with DisallowUnknownFields would (keys match fields
// case-insensitively), but refusing a key given twice: the decoder keeps
// the last, so with {"pii": true, "pii": false} a prompt its author
// flagged private would not be.
func decodePrompt(dec *json.Decoder, jp *jsonPrompt) error {
	if t, err := dec.Token(); err != nil {
		return err
	} else if t != json.Delim('{') {
		return fmt.Errorf("want a JSON object, got %v", t)
	}
	seen := 0 // bit per field
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := t.(string)
		var target any
		bit, want := 0, ""
		switch {
		case strings.EqualFold(k, "id"):
			target, bit, want = &jp.ID, 1, "a string or a number"
		case strings.EqualFold(k, "prompt"):
			target, bit, want = &jp.Prompt, 2, "a string"
		case strings.EqualFold(k, "task"):
			target, bit, want = &jp.Task, 4, "a string"
		case strings.EqualFold(k, "pii"):
			target, bit, want = &jp.PII, 8, "true or false"
		case strings.EqualFold(k, "max_tokens"):
			target, bit, want = &jp.MaxTokens, 16, "a whole number"
		default:
			return fmt.Errorf("json: unknown field %q", k)
		}
		if seen&bit != 0 {
			return fmt.Errorf("%q appears twice in the object: which one is meant is ambiguous", k)
		}
		seen |= bit
		if err := dec.Decode(target); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return fmt.Errorf("%s: want %s, got a JSON %s", k, want, te.Value)
			}
			return err
		}
	}
	_, err := dec.Token() // the closing brace
	return err
}

func (r *PromptReader) parseJSON(line []byte) (Prompt, error) {
	var jp jsonPrompt
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := decodePrompt(dec, &jp); err != nil {
		return Prompt{}, r.bad("not a prompt object (the file is JSONL because its first line is): %v", err)
	}
	if dec.More() {
		return Prompt{}, r.bad("one JSON object per line")
	}
	p := Prompt{Task: jp.Task, PII: jp.PII, Line: r.line}
	if jp.Prompt == nil || strings.TrimSpace(*jp.Prompt) == "" {
		return Prompt{}, r.bad("prompt: required, non-empty")
	}
	p.Text = *jp.Prompt
	switch id := bytes.TrimSpace(jp.ID); {
	case len(id) == 0 || string(id) == "null":
		p.ID = strconv.Itoa(r.line)
	case id[0] == '"':
		if err := json.Unmarshal(id, &p.ID); err != nil || p.ID == "" {
			return Prompt{}, r.bad("id: want a non-empty string or a number")
		}
	default:
		var n json.Number
		if err := json.Unmarshal(id, &n); err != nil {
			return Prompt{}, r.bad("id: want a non-empty string or a number")
		}
		p.ID = n.String()
	}
	if r.ids != nil {
		prev, dup, err := r.ids.add(p.ID, r.line)
		if err != nil {
			return Prompt{}, err
		}
		if dup {
			return Prompt{}, r.bad("id: %q repeats line %d; ids must be unique for --resume", p.ID, prev)
		}
	}
	if jp.MaxTokens != nil {
		if *jp.MaxTokens <= 0 {
			return Prompt{}, r.bad("max_tokens: want a positive integer")
		}
		p.MaxTokens = *jp.MaxTokens
	}
	return p, nil
}

var errPromptTooLong = fmt.Errorf("line longer than %d bytes", MaxPromptLine)

// utf8BOM starts files saved by some Windows editors and spreadsheets.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// readLine returns the next line without its newline (and, on line 1,
// without a UTF-8 byte-order mark: a JSONL file behind one would be taken
// for plain text, and its "pii": true flags ignored).
func (r *PromptReader) readLine() ([]byte, error) {
	line, err := r.readRawLine()
	if err == nil && r.line == 1 {
		line = bytes.TrimPrefix(line, utf8BOM)
	}
	return line, err
}

func (r *PromptReader) readRawLine() ([]byte, error) {
	frag, err := r.br.ReadSlice('\n')
	if err == nil || (errors.Is(err, io.EOF) && len(frag) > 0) {
		r.line++
		return bytes.TrimSuffix(frag, []byte{'\n'}), nil
	}
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%s: %w", r.name, err)
	}
	r.line++
	buf := append(r.long[:0], frag...)
	for {
		frag, err = r.br.ReadSlice('\n')
		if len(buf)+len(frag) > MaxPromptLine+1 {
			return nil, r.bad("%v", errPromptTooLong)
		}
		buf = append(buf, frag...)
		if err == nil || errors.Is(err, io.EOF) {
			r.long = buf
			return bytes.TrimSuffix(buf, []byte{'\n'}), nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
	}
}

// CheckPrompts reads a whole prompts file as Next would, without keeping
// the prompts, and returns how many there are or the first bad line
// (*InputError). Run it over a regular file before routing so that a bad
// line at the end stops the run before anything is sent; it holds only
// the set of JSONL ids (hashes, for a file) in memory.
func CheckPrompts(r io.Reader, name string) (int64, error) {
	pr := NewPromptReader(r, name)
	var n int64
	for {
		_, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
