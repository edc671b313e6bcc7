package output

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testChart() Chart {
	x := []float64{1e5, 1e6, 1e7, 1e8, 1e9, 1e10}
	return Chart{
		Title: "llama-3.1-8b@rtx-4090 vs gpt-4o", XLabel: "tokens per month", YLabel: "USD per month",
		X: x,
		Series: []Series{
			{Name: "local", Y: []float64{60, 60, 61, 70, 160, 900}},
			{Name: "cloud", Y: []float64{0.5, 5, 50, 500, 5000, 50000}},
		},
		Marker: &Point{X: 1.2e7, Y: 61, Label: "crossover 12M tokens/month"},
	}
}

func TestChartPNGDecodes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "breakeven.png")
	if err := testChart().WriteImage(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Errorf("image too small: %v", b)
	}
}

func TestChartSVGParses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "breakeven.svg")
	if err := testChart().WriteImage(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("root element %q, want svg", root)
	}
	if !bytes.Contains(data, []byte("crossover")) {
		t.Error("SVG lacks the crossover label")
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(matches) != 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}
}

func TestChartRejectsBadInput(t *testing.T) {
	c := testChart()
	if err := c.WriteImage(filepath.Join(t.TempDir(), "x.pdf")); err == nil || !strings.Contains(err.Error(), ".svg or .png") {
		t.Errorf("pdf: %v", err)
	}
	c.Series[0].Y = c.Series[0].Y[:2]
	if _, err := c.ASCII(false, 80); err == nil {
		t.Error("mismatched series accepted")
	}
	if err := (Chart{X: []float64{0, 1}, Series: []Series{{Y: []float64{1, 2}}}}).WriteImage(filepath.Join(t.TempDir(), "x.svg")); err == nil {
		t.Error("x = 0 accepted on a log axis")
	}
}

func TestChartASCII(t *testing.T) {
	s, err := testChart().ASCII(false, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"local", "cloud", "100K .. 10B", "crossover 12M", "$50.0k"} {
		if !strings.Contains(s, want) {
			t.Errorf("chart lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\x1b[") {
		t.Error("colour codes without colour")
	}
	coloured, _ := testChart().ASCII(true, 100)
	if !strings.Contains(coloured, "\x1b[") {
		t.Error("no colour codes with colour on")
	}
}
