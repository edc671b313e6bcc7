// Package output is llmcost's one output pipeline: a command builds a
// typed result and Write renders it as a table for people or as JSON, CSV
// or Markdown for machines and PR comments.
package output

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/muesli/termenv"
)

// Format is an output format.
type Format string

// The formats every command accepts.
const (
	Table    Format = "table"
	JSON     Format = "json"
	CSV      Format = "csv"
	Markdown Format = "markdown"
)

// Formats lists the accepted values of --format (for help and completion).
var Formats = []string{string(Table), string(JSON), string(CSV), string(Markdown)}

// ParseFormat validates a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case Table, JSON, CSV, Markdown:
		return f, nil
	case "md":
		return Markdown, nil
	}
	return "", fmt.Errorf("invalid value %q for --format: want one of %s", s, strings.Join(Formats, ", "))
}

// Align of a column.
type Align int

// Column alignments.
const (
	Left Align = iota
	Right
)

// TableData is one table of a result. CSV gets Raw rows when given
// (unformatted numbers), otherwise Rows.
type TableData struct {
	Title   string
	Headers []string
	Align   []Align
	Rows    [][]string
	Raw     [][]string // machine-readable cells for CSV; nil = use Rows
	// Notes are lines about the table (what was left out, what a number
	// assumes), printed under it in a table and in Markdown. CSV is data
	// for a program, so there they go to stderr: the data stays clean and
	// nothing is lost. JSON results carry their own "notes".
	Notes []string
}

// Result is what a command produces. JSON is the result itself marshalled;
// the other formats render its tables.
type Result interface {
	Tables() []TableData
}

// Texter lets a result replace the table rendering for people (e.g. a
// verdict card or a chart); JSON/CSV/Markdown still use Tables.
type Texter interface {
	Text(t Theme, width int) string
}

// Theme holds styles bound to one output stream's renderer.
type Theme struct {
	Title, Good, Bad, Warn, Muted, Bold lipgloss.Style
	Color                               bool
	TTY                                 bool // stdout is a terminal: boxes and cards; piped: plain lines
}

// NewTheme builds styles for the stream; colour only if ios allows it.
func NewTheme(ios *iostreams.IOStreams) Theme {
	r := lipgloss.NewRenderer(ios.Out)
	if ios.ColorEnabled() {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	return Theme{
		Title: r.NewStyle().Bold(true),
		// ANSI green follows the terminal's own palette: an AdaptiveColor
		// would make the renderer ask the terminal for its background (a
		// round trip, or a 5 s wait where nothing answers).
		Good:  r.NewStyle().Foreground(lipgloss.Color("2")),
		Bad:   r.NewStyle().Foreground(lipgloss.Color("9")),
		Warn:  r.NewStyle().Foreground(lipgloss.Color("11")),
		Muted: r.NewStyle().Faint(true),
		Bold:  r.NewStyle().Bold(true),
		Color: ios.ColorEnabled(),
		TTY:   ios.IsStdoutTTY(),
	}
}

// Write renders r to ios.Out in the given format, in as few writes as
// its size allows (a title, a table and notes are one write, not one each).
func Write(ios *iostreams.IOStreams, f Format, r Result) error {
	bw := bufio.NewWriterSize(ios.Out, 64<<10)
	err := write(bw, ios, f, r)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if err == nil && f == CSV {
		var b strings.Builder
		for _, t := range r.Tables() {
			for _, n := range t.Notes {
				b.WriteString(n)
				b.WriteByte('\n')
			}
		}
		// A note that cannot reach stderr is not worth failing the data for.
		_, _ = io.WriteString(ios.ErrOut, b.String())
	}
	return err
}

func write(w io.Writer, ios *iostreams.IOStreams, f Format, r Result) error {
	switch f {
	case JSON:
		return WriteJSON(w, r)
	case CSV:
		return writeCSV(w, r.Tables())
	case Markdown:
		return writeMarkdown(w, r.Tables())
	default:
		th := NewTheme(ios)
		if t, ok := r.(Texter); ok {
			_, err := io.WriteString(w, t.Text(th, ios.TerminalWidth()))
			return err
		}
		return writeTables(w, r.Tables(), th, ios.TerminalWidth())
	}
}

// WriteJSON writes v as indented JSON without HTML escaping.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeCSV(w io.Writer, tables []TableData) error {
	cw := csv.NewWriter(w)
	for i, t := range tables {
		if i > 0 {
			// A blank record separates tables; most results have one.
			if err := cw.Write([]string{}); err != nil {
				return err
			}
		}
		if err := cw.Write(csvHeaders(t.Headers)); err != nil {
			return err
		}
		rows := t.Raw
		if rows == nil {
			rows = t.Rows
		}
		if err := cw.WriteAll(rows); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvHeaders turns "Monthly $" into "monthly_usd"-like keys: machine
// readers want stable identifiers, not display text.
func csvHeaders(h []string) []string {
	out := make([]string, len(h))
	for i, s := range h {
		s = strings.ToLower(s)
		s = strings.NewReplacer("$/1m", "usd_per_million", "$", "usd", "/", "_per_", "%", "pct", "#", "n").Replace(s)
		var b strings.Builder
		lastUnderscore := false
		for _, r := range s {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
				lastUnderscore = false
			} else if !lastUnderscore && b.Len() > 0 {
				b.WriteByte('_')
				lastUnderscore = true
			}
		}
		out[i] = strings.TrimSuffix(b.String(), "_")
	}
	return out
}

func writeMarkdown(w io.Writer, tables []TableData) error {
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if t.Title != "" {
			fmt.Fprintf(w, "### %s\n\n", escapeMD(t.Title))
		}
		if err := writeMarkdownTable(w, t); err != nil {
			return err
		}
		if len(t.Notes) > 0 {
			fmt.Fprintln(w)
			for _, n := range t.Notes {
				fmt.Fprintf(w, "- %s\n", escapeMD(n))
			}
		}
	}
	return nil
}

func escapeMD(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func writeTables(w io.Writer, tables []TableData, th Theme, width int) error {
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if t.Title != "" {
			fmt.Fprintln(w, th.Title.Render(t.Title))
		}
		if err := renderTable(w, t, th, width); err != nil {
			return err
		}
		for _, n := range t.Notes {
			fmt.Fprintln(w, th.Muted.Render(n))
		}
	}
	return nil
}

func renderTable(w io.Writer, t TableData, th Theme, width int) error {
	if len(t.Rows) == 0 {
		_, err := fmt.Fprintln(w, "(no rows)")
		return err
	}
	if !th.TTY {
		return renderPlain(w, t)
	}
	return renderBox(w, t, th, width)
}
