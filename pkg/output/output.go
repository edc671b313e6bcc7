// Package output is llmcost's one output pipeline: a command builds a
// typed result and Write renders it as a table for people or as JSON, CSV
// or Markdown for machines and PR comments.
package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
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
	Notes   []string   // lines printed under the table (table and markdown only)
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

// Write renders r to ios.Out in the given format.
func Write(ios *iostreams.IOStreams, f Format, r Result) error {
	switch f {
	case JSON:
		return WriteJSON(ios.Out, r)
	case CSV:
		return writeCSV(ios.Out, r.Tables())
	case Markdown:
		return writeMarkdown(ios.Out, r.Tables())
	default:
		th := NewTheme(ios)
		if t, ok := r.(Texter); ok {
			_, err := io.WriteString(ios.Out, t.Text(th, ios.TerminalWidth()))
			return err
		}
		return writeTables(ios.Out, r.Tables(), ios.IsStdoutTTY(), th)
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
		fmt.Fprintf(w, "| %s |\n", strings.Join(escapeAll(t.Headers), " | "))
		seps := make([]string, len(t.Headers))
		for j := range seps {
			seps[j] = "---"
			if j < len(t.Align) && t.Align[j] == Right {
				seps[j] = "---:"
			}
		}
		fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
		for _, r := range t.Rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(escapeAll(r), " | "))
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

func escapeAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = escapeMD(strings.ReplaceAll(c, "\n", " "))
	}
	return out
}

func writeTables(w io.Writer, tables []TableData, tty bool, th Theme) error {
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if t.Title != "" {
			fmt.Fprintln(w, th.Title.Render(t.Title))
		}
		if err := renderTable(w, t, tty); err != nil {
			return err
		}
		for _, n := range t.Notes {
			fmt.Fprintln(w, th.Muted.Render(n))
		}
	}
	return nil
}

func renderTable(w io.Writer, t TableData, tty bool) error {
	if len(t.Rows) == 0 {
		_, err := fmt.Fprintln(w, "(no rows)")
		return err
	}
	if !tty {
		return renderPlain(w, t)
	}
	return renderBox(w, t)
}

func columnWidths(t TableData) []int {
	widths := make([]int, len(t.Headers))
	measure := func(row []string) {
		for i, c := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], ansi.StringWidth(c))
			}
		}
	}
	measure(t.Headers)
	for _, r := range t.Rows {
		measure(r)
	}
	return widths
}

func cell(t TableData, row []string, i, width int) string {
	c := ""
	if i < len(row) {
		c = strings.ReplaceAll(row[i], "\n", " ")
	}
	pad := strings.Repeat(" ", max(0, width-ansi.StringWidth(c)))
	if i < len(t.Align) && t.Align[i] == Right {
		return pad + c
	}
	return c + pad
}

// renderBox draws the Unicode box table people see on a terminal. We
// draw it ourselves rather than through tablewriter: its width tables
// cost ~0.7 ms of package initialisation in every run of the binary, a
// quarter of llmcost's start-up, for output this simple.
func renderBox(w io.Writer, t TableData) error {
	widths := columnWidths(t)
	var b strings.Builder
	rule := func(left, mid, right string) {
		b.WriteString(left)
		for i, wd := range widths {
			if i > 0 {
				b.WriteString(mid)
			}
			b.WriteString(strings.Repeat("─", wd+2))
		}
		b.WriteString(right + "\n")
	}
	line := func(row []string, header bool) {
		b.WriteString("│")
		for i, wd := range widths {
			c := cell(t, row, i, wd)
			if header {
				c = row[i] + strings.Repeat(" ", wd-ansi.StringWidth(row[i]))
			}
			b.WriteString(" " + c + " │")
		}
		b.WriteString("\n")
	}
	rule("┌", "┬", "┐")
	line(t.Headers, true)
	rule("├", "┼", "┤")
	for _, r := range t.Rows {
		line(r, false)
	}
	rule("└", "┴", "┘")
	_, err := io.WriteString(w, b.String())
	return err
}

// renderPlain writes kubectl-style columns for pipes and files: no
// borders, two spaces between columns, no trailing spaces. It is a few
// lines of code, and it keeps piped output (the common case in scripts)
// off tablewriter's much slower layout engine.
func renderPlain(w io.Writer, t TableData) error {
	widths := columnWidths(t)
	var b strings.Builder
	line := func(row []string) {
		var l strings.Builder
		for i, wd := range widths {
			if i > 0 {
				l.WriteString("  ")
			}
			l.WriteString(cell(t, row, i, wd))
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	line(t.Headers)
	for _, r := range t.Rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
