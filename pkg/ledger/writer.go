package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Writer appends records to a JSONL file. Each record is marshalled with
// its newline into one buffer and written with one write(2) on an
// O_APPEND descriptor, so a crash leaves at most one torn last line and
// concurrent writers never interleave inside a line.
type Writer struct {
	mu      sync.Mutex
	f       *os.File
	path    string
	dropped int64 // bytes of a torn tail removed at Open
	closed  bool
}

// Open opens path for appending, creating it (0644) when missing. When the
// file ends in a torn record (no final newline, left by a crash), the torn
// bytes are cut off first; Dropped reports how many. That record was never
// complete, so its prompt is simply run again by --resume. A last line that
// lacks only its newline is a whole record (the reader and FinalIDs count
// it): it gets its newline instead, so nothing already logged is lost.
//
// A file that is not a ledger is refused (NotLedgerError) before anything
// is written or cut: a first line that is not a record, or a last line
// without its newline that is not the start of one (a crash tears a
// record, which begins with '{'), says that --log names some other file,
// such as the prompts themselves.
func Open(path string) (*Writer, error) {
	if err := checkHead(path); err != nil {
		return nil, err
	}
	dropped, err := repairTail(path)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return &Writer{f: f, path: path, dropped: dropped}, nil
}

// NotLedgerError says that a file given as a ledger holds something else.
type NotLedgerError struct {
	Path string
	What string // which line, and why
}

func (e *NotLedgerError) Error() string {
	return fmt.Sprintf("%s is not a cost ledger (%s); nothing was written to it: give a new file or an existing ledger", e.Path, e.What)
}

// BadInput marks the error as the user's input (exit 2).
func (e *NotLedgerError) BadInput() bool { return true }

// checkHead refuses a file whose first complete line is not a record.
func checkHead(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return &NotLedgerError{Path: path, What: "it is a directory"}
	}
	buf := make([]byte, MaxLine+1)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("ledger: %w", err)
	}
	head := buf[:n]
	i := bytes.IndexByte(head, '\n')
	if i < 0 {
		return nil // one unfinished line: repairTail judges it
	}
	if line := bytes.TrimSpace(head[:i]); len(line) > 0 {
		if _, err := ParseLine(line); err != nil {
			return &NotLedgerError{Path: path, What: "line 1: " + err.Error()}
		}
	}
	return nil
}

// repairTail truncates a trailing partial line.
func repairTail(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("ledger: %w", err)
	}
	size := st.Size()
	if size == 0 {
		return 0, nil
	}
	// Scan backwards in blocks for the last newline.
	const block = 64 << 10
	buf := make([]byte, block)
	end := size
	for end > 0 {
		start := max(end-block, 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF {
			return 0, fmt.Errorf("ledger: %w", err)
		}
		chunk := buf[:n]
		if end == size && len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			return 0, nil // clean tail
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return fixTail(f, path, start+int64(i)+1, size)
		}
		end = start
	}
	return fixTail(f, path, 0, size)
}

// fixTail ends the file's last line, which starts at keep and has no
// newline: a line that parses as a record gets its newline; anything else
// is cut off and its length returned.
func fixTail(f *os.File, path string, keep, size int64) (int64, error) {
	if n := size - keep; n <= MaxLine {
		tail := make([]byte, n)
		if _, err := f.ReadAt(tail, keep); err != nil && err != io.EOF {
			return 0, fmt.Errorf("ledger: %w", err)
		}
		t := bytes.TrimSpace(tail)
		if len(t) > 0 && t[0] != '{' {
			return 0, &NotLedgerError{Path: path, What: "its last line is not a record, nor the start of one"}
		}
		if len(t) > 0 {
			if _, err := ParseLine(t); err == nil {
				if _, err := f.WriteAt([]byte{'\n'}, size); err != nil {
					return 0, fmt.Errorf("ledger: ending the last line of %s: %w", path, err)
				}
				return 0, nil
			}
		}
	}
	if err := f.Truncate(keep); err != nil {
		return 0, fmt.Errorf("ledger: cutting torn last line of %s: %w", path, err)
	}
	return size - keep, nil
}

// Dropped is the size in bytes of the torn tail Open removed (0 if none).
func (w *Writer) Dropped() int64 { return w.dropped }

// Path is the file being written.
func (w *Writer) Path() string { return w.path }

// linePool holds encoding buffers: the proxy writes a record per request.
var linePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Write appends one record.
func (w *Writer) Write(r *Record) error {
	buf := linePool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 64<<10 {
			linePool.Put(buf)
		}
	}()
	if err := encodeLine(buf, r); err != nil {
		return fmt.Errorf("ledger: encoding record %q: %w", r.ID, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("ledger: write after close")
	}
	if _, err := w.f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// Sync flushes the file to stable storage.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	return w.f.Sync()
}

// Close syncs and closes the file. It is safe to call twice.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	serr := w.f.Sync()
	cerr := w.f.Close()
	if serr != nil {
		return fmt.Errorf("ledger: %w", serr)
	}
	if cerr != nil {
		return fmt.Errorf("ledger: %w", cerr)
	}
	return nil
}
