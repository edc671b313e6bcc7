package output_test

import (
	"strings"
	"testing"

	"github.com/llmcost/llmcost/pkg/iostreams"
	"github.com/llmcost/llmcost/pkg/output"
)

type res struct{ t output.TableData }

func (r res) Tables() []output.TableData { return []output.TableData{r.t} }

var sample = res{output.TableData{
	Title:   "Costs",
	Headers: []string{"Model", "Input $/1M", "Monthly"},
	Align:   []output.Align{output.Left, output.Right, output.Right},
	Rows:    [][]string{{"gpt|4o", "$2.50", "$1,250.00"}, {"claude-haiku-4.5", "$1.00", "$9.00"}},
	Raw:     [][]string{{"gpt|4o", "2.5", "1250"}, {"claude-haiku-4.5", "1", "9"}},
	Notes:   []string{"a note"},
}}

func render(t *testing.T, f output.Format, tty bool) string {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, tty, false)
	ios.DisableColor()
	if err := output.Write(ios, f, sample); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestFormats(t *testing.T) {
	box := render(t, output.Table, true)
	want := "Costs\n" +
		"┌──────────────────┬────────────┬───────────┐\n" +
		"│ Model            │ Input $/1M │   Monthly │\n" +
		"├──────────────────┼────────────┼───────────┤\n" +
		"│ gpt|4o           │      $2.50 │ $1,250.00 │\n" +
		"│ claude-haiku-4.5 │      $1.00 │     $9.00 │\n" +
		"└──────────────────┴────────────┴───────────┘\n" +
		"a note\n"
	if box != want {
		t.Errorf("box table:\n%s\nwant:\n%s", box, want)
	}
	plain := render(t, output.Table, false)
	if strings.Contains(plain, "│") || strings.Contains(plain, " \n") || !strings.Contains(plain, "gpt|4o                 $2.50  $1,250.00\n") {
		t.Errorf("plain table:\n%q", plain)
	}
	md := render(t, output.Markdown, false)
	if !strings.Contains(md, "| gpt\\|4o          |      $2.50 | $1,250.00 |\n") || !strings.Contains(md, "|:-----------------|-----------:|----------:|\n") {
		t.Errorf("markdown must escape | and align right columns:\n%s", md)
	}
	csv := render(t, output.CSV, false)
	if csv != "model,input_usd_per_million,monthly\ngpt|4o,2.5,1250\nclaude-haiku-4.5,1,9\n" {
		t.Errorf("csv uses raw values and stable headers:\n%s", csv)
	}
}

func TestNoColorWhenPiped(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	if output.NewTheme(ios).Color {
		t.Fatal("colour on a pipe")
	}
	ios.SetTTY(false, true, false)
	if !output.NewTheme(ios).Color {
		t.Fatal("no colour on a terminal")
	}
	ios.SetEnv(func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] })
	if output.NewTheme(ios).Color {
		t.Fatal("NO_COLOR ignored")
	}
	ios2, _, _, _ := iostreams.Test()
	ios2.SetEnv(func(k string) string { return map[string]string{"CLICOLOR_FORCE": "1"}[k] })
	if !output.NewTheme(ios2).Color {
		t.Fatal("CLICOLOR_FORCE ignored")
	}
	ios3, _, _, _ := iostreams.Test()
	ios3.SetTTY(false, true, false)
	ios3.SetEnv(func(k string) string { return map[string]string{"CI": "true"}[k] })
	if output.NewTheme(ios3).Color {
		t.Fatal("colour in CI")
	}
}

func TestParseFormat(t *testing.T) {
	for _, ok := range []string{"table", "JSON", "csv", "markdown", "md"} {
		if _, err := output.ParseFormat(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if _, err := output.ParseFormat("yaml"); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("yaml: %v", err)
	}
}

// A table's notes (what was left out, what a price rests on) are printed
// under it for people; in CSV, where stdout is data, they go to stderr,
// never into the data and never lost.
func TestNotesGoToStderrInCSV(t *testing.T) {
	for _, c := range []struct {
		f        output.Format
		tty      bool
		inStdout bool
	}{
		{output.Table, true, true},
		{output.Table, false, true},
		{output.Markdown, false, true},
		{output.CSV, false, false},
		{output.CSV, true, false},
	} {
		ios, _, out, errOut := iostreams.Test()
		ios.SetTTY(false, c.tty, false)
		ios.DisableColor()
		if err := output.Write(ios, c.f, sample); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "a note"); got != c.inStdout {
			t.Errorf("%s (tty %v): note in stdout %v, want %v:\n%s", c.f, c.tty, got, c.inStdout, out.String())
		}
		wantErr := ""
		if !c.inStdout {
			wantErr = "a note\n"
		}
		if errOut.String() != wantErr {
			t.Errorf("%s (tty %v): stderr %q, want %q", c.f, c.tty, errOut.String(), wantErr)
		}
	}
}
