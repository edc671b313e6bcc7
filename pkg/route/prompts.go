package route

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// bad one is an error at file:line). Anything else makes it plain text:
// one prompt per line, id = line number, blank lines skipped.
type PromptReader struct {
	br     *bufio.Reader
	name   string
	line   int
	format int
	long   []byte
	ids    map[string]int // JSONL ids seen -> line, to refuse duplicates
}

// NewPromptReader reads prompts from r; name is used in messages.
func NewPromptReader(r io.Reader, name string) *PromptReader {
	return &PromptReader{br: bufio.NewReaderSize(r, 256<<10), name: name}
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
			r.format = formatPlain
			if trimmed[0] == '{' && json.Valid(trimmed) {
				r.format = formatJSONL
				r.ids = map[string]int{}
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

func (r *PromptReader) parseJSON(line []byte) (Prompt, error) {
	var jp jsonPrompt
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&jp); err != nil {
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
	if prev, dup := r.ids[p.ID]; dup {
		return Prompt{}, r.bad("id: %q repeats line %d; ids must be unique for --resume", p.ID, prev)
	}
	r.ids[p.ID] = r.line
	if jp.MaxTokens != nil {
		if *jp.MaxTokens <= 0 {
			return Prompt{}, r.bad("max_tokens: want a positive integer")
		}
		p.MaxTokens = *jp.MaxTokens
	}
	return p, nil
}

var errPromptTooLong = fmt.Errorf("line longer than %d bytes", MaxPromptLine)

func (r *PromptReader) readLine() ([]byte, error) {
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
// the set of JSONL ids in memory.
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
