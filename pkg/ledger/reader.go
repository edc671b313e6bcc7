package ledger

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// MaxLine is the longest ledger line the reader accepts (a record with
// --log-prompts carries the whole prompt).
const MaxLine = 64 << 20

// LineError is a bad line in a ledger file.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Warning is something odd but recoverable, e.g. a torn last line.
type Warning struct {
	File string
	Line int
	Msg  string
}

func (w Warning) String() string {
	if w.Line == 0 {
		return w.File + ": " + w.Msg
	}
	return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
}

// ReadFiles streams the records of every file matched by patterns (paths
// or globs), in pattern order and sorted within a glob. A pattern that
// matches nothing is an error. fn's error stops the read and is returned.
//
// A file matched twice (the same path, or a link to it: report a.jsonl
// *.jsonl) is read once, with a warning: its records would count twice.
func ReadFiles(patterns []string, fn func(Record) error) ([]Warning, error) {
	var warns []Warning
	var read []os.FileInfo
	for _, pat := range patterns {
		paths, err := expand(pat)
		if err != nil {
			return warns, err
		}
	next:
		for _, p := range paths {
			if st, err := os.Stat(p); err == nil {
				for _, prev := range read {
					if os.SameFile(prev, st) {
						warns = append(warns, Warning{File: p, Msg: "given more than once: read once"})
						continue next
					}
				}
				read = append(read, st)
			}
			w, err := readFile(p, fn)
			warns = append(warns, w...)
			if err != nil {
				return warns, err
			}
		}
	}
	return warns, nil
}

func expand(pat string) ([]string, error) {
	if !hasMeta(pat) {
		return []string{pat}, nil
	}
	m, err := filepath.Glob(pat)
	if err != nil {
		return nil, fmt.Errorf("ledger: bad pattern %q: %w", pat, err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("ledger: %q matches no file", pat)
	}
	sort.Strings(m)
	return m, nil
}

func hasMeta(p string) bool {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*', '?', '[':
			return true
		}
	}
	return false
}

func readFile(path string, fn func(Record) error) ([]Warning, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	return ReadStream(f, path, fn)
}

// ReadStream streams records from r; name is used in messages. Blank lines
// are skipped. A malformed line is an error naming name:line, except the
// last line when it has no newline: that is a record torn by a crash, and
// is reported as a warning.
func ReadStream(r io.Reader, name string, fn func(Record) error) ([]Warning, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	var warns []Warning
	var long []byte
	for lineNo := 1; ; lineNo++ {
		line, complete, err := readLine(br, &long)
		if errors.Is(err, errLineTooLong) {
			return warns, &LineError{name, lineNo, err}
		}
		if err != nil {
			return warns, fmt.Errorf("ledger: reading %s: %w", name, err)
		}
		if line == nil && !complete {
			return warns, nil // EOF
		}
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 {
			if !complete {
				return warns, nil
			}
			continue
		}
		rec, perr := ParseLine(trimmed)
		if perr != nil {
			if !complete {
				warns = append(warns, Warning{name, lineNo, "ignored torn last line (no newline; a crash cut the write short)"})
				return warns, nil
			}
			return warns, &LineError{name, lineNo, perr}
		}
		if err := fn(rec); err != nil {
			return warns, err
		}
		if !complete {
			return warns, nil
		}
	}
}

// readLine returns the next line without its newline. complete is false
// for a last line without a newline; (nil, false) is end of input.
func readLine(br *bufio.Reader, long *[]byte) (line []byte, complete bool, err error) {
	frag, err := br.ReadSlice('\n')
	if err == nil {
		return frag[:len(frag)-1], true, nil
	}
	if errors.Is(err, io.EOF) {
		if len(frag) == 0 {
			return nil, false, nil
		}
		return frag, false, nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, false, err
	}
	buf := append((*long)[:0], frag...)
	for {
		frag, err = br.ReadSlice('\n')
		if len(buf)+len(frag) > MaxLine+1 {
			*long = buf[:0]
			return nil, false, errLineTooLong
		}
		buf = append(buf, frag...)
		switch {
		case err == nil:
			*long = buf
			return buf[:len(buf)-1], true, nil
		case errors.Is(err, io.EOF):
			*long = buf
			return buf, false, nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, false, err
		}
	}
}

var errLineTooLong = fmt.Errorf("line longer than %d bytes", MaxLine)

// ReadAll collects every record of the files matched by patterns.
func ReadAll(patterns ...string) ([]Record, []Warning, error) {
	var out []Record
	w, err := ReadFiles(patterns, func(r Record) error { out = append(out, r); return nil })
	return out, w, err
}

// FinalIDs returns the ids that have a final record (see Record.Final):
// the set --resume skips. A missing file is an empty set.
func FinalIDs(path string) (map[string]struct{}, []Warning, error) {
	ids := map[string]struct{}{}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return ids, nil, nil
	}
	w, err := readFile(path, func(r Record) error {
		if r.Final() {
			ids[r.ID] = struct{}{}
		}
		return nil
	})
	return ids, w, err
}
