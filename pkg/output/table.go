package output

import (
	"bytes"
	"io"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Tables are laid out by tablewriter; this file only says how they look:
// a Unicode box on a terminal, kubectl-style columns on a pipe, GitHub
// Markdown for PR comments.

// boxPad is the space either side of a cell's text inside the box.
var boxPad = tw.Padding{Left: " ", Right: " ", Overwrite: true}

// newTable starts a table with our defaults. WithConfig comes first
// because it resets what options before it set; header auto-format is
// off because it would turn "Input $/1M" into "INPUT $/1M".
func newTable(w io.Writer, r tw.Renderer, cfg tablewriter.Config) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithConfig(cfg),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoFormat(tw.Off),
		// Ambiguous-width characters count as one column, as in most
		// terminals, not as tablewriter's locale guess says: the same
		// table renders the same everywhere (and in golden files).
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithRenderer(r),
	)
}

// cellConfig is the shared header/row configuration: each column aligned
// as the result says (headers over numbers are right-aligned too), text
// wrapped at word boundaries when a column has a maximum width.
func cellConfig(t TableData, pad []tw.Padding, maxWidths map[int]int) tw.CellConfig {
	aligns := make([]tw.Align, len(t.Headers))
	for i := range aligns {
		aligns[i] = tw.AlignLeft
		if i < len(t.Align) && t.Align[i] == Right {
			aligns[i] = tw.AlignRight
		}
	}
	c := tw.CellConfig{
		Formatting: tw.CellFormatting{AutoWrap: tw.WrapNormal, AutoFormat: tw.Off},
		Alignment:  tw.CellAlignment{Global: tw.AlignLeft, PerColumn: aligns},
		Padding:    tw.CellPadding{Global: boxPad, PerColumn: pad},
	}
	if len(maxWidths) > 0 {
		c.ColMaxWidths = tw.CellWidth{PerColumn: maxWidths}
	}
	return c
}

// cells returns a row with one cell per header: cells are single lines
// (a newline would break piped output apart), missing ones are empty.
func cells(t TableData, row []string, edit func(string) string) []string {
	out := make([]string, len(t.Headers))
	for i := range out {
		if i < len(row) {
			out[i] = strings.ReplaceAll(row[i], "\n", " ")
		}
		if edit != nil {
			out[i] = edit(out[i])
		}
	}
	return out
}

// renderBox draws the Unicode box table people see on a terminal, no
// wider than the terminal: the widest columns wrap first.
func renderBox(w io.Writer, t TableData, th Theme, width int) error {
	n := len(t.Headers)
	limits := columnLimits(t, width-(3*n+1)) // "│ " + " │" per column, one "│" shared
	header := cells(t, t.Headers, nil)
	if limits == nil {
		limits = make([]int, n)
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = cells(t, r, nil)
		for j, lim := range limits {
			rows[i][j] = breakLongWords(rows[i][j], lim)
		}
	}
	for j, lim := range limits {
		header[j] = wrapHeader(header[j], lim, th)
	}
	maxWidths := map[int]int{}
	for j, lim := range limits {
		if lim > 0 {
			maxWidths[j] = lim + twwidth.Width(boxPad.Left) + twwidth.Width(boxPad.Right)
		}
	}
	cc := cellConfig(t, nil, maxWidths)
	cfg := tablewriter.Config{Header: cc, Row: cc}
	tbl := newTable(w, renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)}), cfg)
	tbl.Header(header)
	if err := tbl.Bulk(rows); err != nil {
		return err
	}
	return tbl.Render()
}

// renderPlain writes kubectl-style columns for pipes and files: no
// borders, two spaces between columns, no wrapping, no trailing spaces.
func renderPlain(w io.Writer, t TableData) error {
	n := len(t.Headers)
	// Two spaces between columns, one on each side of the gap: tablewriter
	// fills a cell with its padding string repeated, so a two-character
	// padding would overshoot the width and be cut back on every cell.
	pad := make([]tw.Padding, n)
	for i := range pad {
		pad[i] = tw.Padding{Left: " ", Right: " ", Overwrite: true}
	}
	pad[0].Left = ""
	pad[n-1].Right = ""
	cc := cellConfig(t, pad, nil)
	cc.Formatting.AutoWrap = tw.WrapNone
	cfg := tablewriter.Config{Header: cc, Row: cc}
	var buf bytes.Buffer
	tbl := newTable(&buf, renderer.NewBlueprint(tw.Rendition{
		Borders: tw.BorderNone,
		Settings: tw.Settings{
			Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off, ShowHeader: tw.Off, ShowFooter: tw.Off},
			Lines:      tw.Lines{ShowTop: tw.Off, ShowBottom: tw.Off, ShowHeaderLine: tw.Off, ShowFooterLine: tw.Off},
		},
	}), cfg)
	tbl.Header(cells(t, t.Headers, nil))
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = cells(t, r, nil)
	}
	if err := tbl.Bulk(rows); err != nil {
		return err
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	// A left-aligned last column is padded to its width; scripts that
	// compare lines should not see that.
	var out strings.Builder
	for line := range strings.Lines(buf.String()) {
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// writeMarkdownTable writes one GitHub-flavoured Markdown table. Pipes
// in cells are escaped here: tablewriter writes cells as they are.
func writeMarkdownTable(w io.Writer, t TableData) error {
	cfg := tablewriter.Config{Header: cellConfig(t, nil, nil), Row: cellConfig(t, nil, nil)}
	cfg.Header.Formatting.AutoWrap = tw.WrapNone
	cfg.Row.Formatting.AutoWrap = tw.WrapNone
	tbl := newTable(w, renderer.NewMarkdown(), cfg)
	tbl.Header(cells(t, t.Headers, escapeMD))
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = cells(t, r, escapeMD)
	}
	if err := tbl.Bulk(rows); err != nil {
		return err
	}
	return tbl.Render()
}

// columnLimits gives each column a maximum text width so that the
// columns together fit in avail, or nil if they already fit. Columns
// first keep room for their longest word (so numbers, dates and headers
// wrap at spaces, not mid-word), as far as that fits; then the widest
// columns give way first and end up no narrower than the rest
// (water-filling): a long description wraps, a price column does not.
// tablewriter's own WithMaxWidth does not do this: it caps every column
// at an equal share of the width, wrapping narrow tables that fit.
func columnLimits(t TableData, avail int) []int {
	n := len(t.Headers)
	natural := make([]int, n) // widest cell
	word := make([]int, n)    // widest word
	measure := func(row []string) {
		for i := 0; i < n && i < len(row); i++ {
			c := strings.ReplaceAll(row[i], "\n", " ")
			natural[i] = max(natural[i], twwidth.Width(c))
			for _, w := range strings.Fields(c) {
				word[i] = max(word[i], twwidth.Width(w))
			}
		}
	}
	measure(t.Headers)
	for _, r := range t.Rows {
		measure(r)
	}
	sum := func(f func(i int) int) int {
		s := 0
		for i := range n {
			s += f(i)
		}
		return s
	}
	if n == 0 || sum(func(i int) int { return natural[i] }) <= avail {
		return nil
	}
	widest := slices.Max(natural)
	// The floors: every column's longest word, or an equal cap on them
	// when even the words do not fit.
	floorCap := widest
	for floorCap > 1 && sum(func(i int) int { return min(word[i], floorCap) }) > avail {
		floorCap--
	}
	width := func(i, c int) int { return min(natural[i], max(min(word[i], floorCap), c)) }
	c := 0
	for c < widest && sum(func(i int) int { return width(i, c+1) }) <= avail {
		c++
	}
	limits := make([]int, n)
	spare := avail - sum(func(i int) int { return width(i, c) })
	for i := range limits {
		if w := width(i, c); w < natural[i] {
			limits[i] = max(w, 1)
			if spare > 0 {
				limits[i]++
				spare--
			}
		}
	}
	return limits
}

// breakLongWords hard-breaks words wider than limit, which word wrapping
// alone would let overflow the column (URLs, CJK text without spaces).
func breakLongWords(s string, limit int) string {
	if limit <= 0 {
		return s
	}
	for _, word := range strings.Fields(s) {
		if twwidth.Width(word) > limit {
			return ansi.Wrap(s, limit, "")
		}
	}
	return s
}

// wrapHeader wraps a header cell to limit here rather than in
// tablewriter, so that on a colour terminal each line is made bold on
// its own and no escape sequence is split across lines.
func wrapHeader(s string, limit int, th Theme) string {
	if limit > 0 {
		s = ansi.Wrap(s, limit, "")
	}
	if !th.Color {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = th.Bold.Render(l)
	}
	return strings.Join(lines, "\n")
}
