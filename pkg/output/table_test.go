package output_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/llmcost/llmcost/pkg/output"
)

// long is a 300-character cell of ordinary words.
var long = func() string {
	s := strings.Repeat("tokens priced per million ", 12) // 312 characters
	return strings.TrimSpace(s[:300])
}()

var wide = res{output.TableData{
	Headers: []string{"Model", "Note", "Monthly"},
	Align:   []output.Align{output.Left, output.Left, output.Right},
	Rows: [][]string{
		{"東京モデル", "日本語の説明", "$1,250.00"},
		{"cafe\u0301-🚀", "emoji 🚀🚀 and e+combining", "$9.00"},
		{"plain", long, "$12.50"},
		{"한국어", "世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界世界", "$0.01"},
	},
}}

func renderWide(t *testing.T, tty bool, columns int) string {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, tty, false)
	ios.SetEnv(func(k string) string { return map[string]string{"COLUMNS": strconv.Itoa(columns), "NO_COLOR": "1"}[k] })
	if err := output.Write(ios, output.Table, wide); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// barColumns is where, in display columns, each "│" of a line is.
func barColumns(line string) []int {
	var cols []int
	pos := 0
	parts := strings.Split(line, "│")
	for i, p := range parts[:len(parts)-1] {
		pos += ansi.StringWidth(p)
		cols = append(cols, pos+i)
	}
	return cols
}

func TestBoxWideCharactersAndWrapping(t *testing.T) {
	const columns = 72
	box := renderWide(t, true, columns)
	lines := strings.Split(strings.TrimSuffix(box, "\n"), "\n")
	if len(lines) < 8 {
		t.Fatalf("the 300-character cell should wrap onto several lines:\n%s", box)
	}
	var want []int
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > columns {
			t.Errorf("line %d is %d columns wide, terminal is %d:\n%s", i, w, columns, l)
		}
		if i == 0 || i == len(lines)-1 || strings.HasPrefix(l, "├") {
			continue
		}
		bars := barColumns(l)
		if want == nil {
			want = bars
		}
		if !slices.Equal(bars, want) {
			t.Errorf("line %d: borders at columns %v, header's at %v (wide or combining characters mis-measured):\n%s", i, bars, want, box)
		}
	}
	if len(want) != 4 {
		t.Fatalf("want 4 borders per line, got %v:\n%s", want, box)
	}
	// Every word of the long cell survives wrapping, in order.
	var noteText []string
	for _, l := range lines {
		if parts := strings.Split(l, "│"); len(parts) == 5 {
			noteText = append(noteText, strings.TrimSpace(parts[2]))
		}
	}
	if joined := strings.Join(noteText, " "); !strings.Contains(joined, long) {
		t.Errorf("long cell lost text when wrapped:\n%s", joined)
	}
	// Right-aligned money: the amount ends next to the border.
	for _, amount := range []string{"$1,250.00", "$9.00", "$12.50", "$0.01"} {
		if !strings.Contains(box, " "+amount+" │\n") {
			t.Errorf("%s not right-aligned:\n%s", amount, box)
		}
	}
	// Text without spaces is broken, not left to overflow.
	if !strings.Contains(box, "世界世界") || strings.Contains(box, strings.Repeat("世界", 30)) {
		t.Errorf("CJK run should be broken to the column width:\n%s", box)
	}
}

func TestPlainWideCharacters(t *testing.T) {
	plain := renderWide(t, false, 40) // COLUMNS does not matter on a pipe
	lines := strings.Split(strings.TrimSuffix(plain, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("piped tables never wrap: want header + 4 lines, got %d:\n%s", len(lines), plain)
	}
	if !strings.Contains(plain, long) {
		t.Error("long cell changed on a pipe")
	}
	end := -1
	for i, l := range lines {
		if strings.HasSuffix(l, " ") {
			t.Errorf("line %d has trailing spaces: %q", i, l)
		}
		if strings.Contains(l, "│") {
			t.Errorf("line %d has a border: %q", i, l)
		}
		// The right-aligned last column ends at the same display column
		// on every line, whatever the width of the characters before it.
		if w := ansi.StringWidth(l); end == -1 {
			end = w
		} else if w != end {
			t.Errorf("line %d ends at column %d, header at %d:\n%s", i, w, end, plain)
		}
	}
	if !strings.HasPrefix(lines[1], "東京モデル  日本語の説明") {
		t.Errorf("two spaces between columns of wide characters: %q", lines[1])
	}
}

func TestBoxColourOnlyWhenAllowed(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, true, false)
	if err := output.Write(ios, output.Table, sample); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\x1b[1m") {
		t.Errorf("headers should be bold on a colour terminal:\n%q", out.String())
	}
	if got := ansi.Strip(out.String()); !strings.Contains(got, "│ Model            │ Input $/1M │   Monthly │\n") {
		t.Errorf("bold headers must not change the layout:\n%s", got)
	}
	for _, env := range []string{"NO_COLOR", "CI"} {
		ios, _, out, _ := iostreams.Test()
		ios.SetTTY(false, true, false)
		ios.SetEnv(func(k string) string { return map[string]string{env: "1"}[k] })
		if err := output.Write(ios, output.Table, sample); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "\x1b[") {
			t.Errorf("%s set, but escapes in output:\n%q", env, out.String())
		}
	}
}

func TestPlainLeftAlignedLastColumnHasNoTrailingSpaces(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	r := res{output.TableData{Headers: []string{"Model", "Status"}, Rows: [][]string{{"a", "retired"}, {"b", ""}, {"c", "ok"}}}}
	if err := output.Write(ios, output.Table, r); err != nil {
		t.Fatal(err)
	}
	if want := "Model  Status\na      retired\nb\nc      ok\n"; out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}
