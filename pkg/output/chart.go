package output

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/guptarohit/asciigraph"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart is a set of series over a shared x axis, drawn on log-log axes
// (token volumes and dollars both span orders of magnitude) unless Linear
// is set (cumulative cost over months).
type Chart struct {
	Title  string
	XLabel string
	YLabel string
	X      []float64
	Series []Series
	Marker *Point // e.g. the crossover; nil for none
	Linear bool
	XUnit  func(float64) string // labels of linear x ticks; nil = %g
}

// Series is one named line; len(Y) == len(Chart.X).
type Series struct {
	Name string
	Y    []float64
}

// Point is a marked point with a label.
type Point struct {
	X, Y  float64
	Label string
}

func (c Chart) validate() error {
	if len(c.X) < 2 || len(c.Series) == 0 {
		return errors.New("chart: need at least two x values and one series")
	}
	for _, s := range c.Series {
		if len(s.Y) != len(c.X) {
			return fmt.Errorf("chart: series %q has %d values for %d x values", s.Name, len(s.Y), len(c.X))
		}
	}
	if c.Linear {
		return nil
	}
	for _, x := range c.X {
		if !(x > 0) {
			return errors.New("chart: x values must be > 0 for a log axis")
		}
	}
	return nil
}

// floorPositive keeps log axes defined when a cost is zero.
func floorPositive(v float64) float64 { return math.Max(v, 1e-6) }

// ASCII draws the chart for a terminal with asciigraph: one column group
// per x value (evenly spaced, so a log-spaced sweep reads as a log axis)
// and log10 dollars on the y axis, labelled back in dollars.
func (c Chart) ASCII(colour bool, width int) (string, error) {
	if err := c.validate(); err != nil {
		return "", err
	}
	data := make([][]float64, len(c.Series))
	names := make([]string, len(c.Series))
	for i, s := range c.Series {
		names[i] = s.Name
		data[i] = make([]float64, len(s.Y))
		for j, y := range s.Y {
			if c.Linear {
				data[i][j] = y
			} else {
				data[i][j] = math.Log10(floorPositive(y))
			}
		}
	}
	plotWidth := min(max(width-16, 32), 96)
	opts := []asciigraph.Option{
		asciigraph.Height(14),
		asciigraph.Width(plotWidth),
		asciigraph.YAxisValueFormatter(func(v float64) string { return shortUSD(math.Pow(10, v)) }),
		asciigraph.Caption(fmt.Sprintf("%s: %s .. %s (log scale)", c.XLabel, shortCount(c.X[0]), shortCount(c.X[len(c.X)-1]))),
	}
	if c.Linear {
		xu := c.xUnit()
		opts[2] = asciigraph.YAxisValueFormatter(shortUSD)
		opts[3] = asciigraph.Caption(fmt.Sprintf("%s: %s .. %s", c.XLabel, xu(c.X[0]), xu(c.X[len(c.X)-1])))
	}
	var legend string
	if colour {
		opts = append(opts, asciigraph.SeriesLegends(names...),
			asciigraph.SeriesColors(asciigraph.Blue, asciigraph.Red, asciigraph.Green, asciigraph.Yellow))
	} else {
		// Without colour the series differ by character; asciigraph's own
		// legend would print colour codes, so it is written here.
		sets := []asciigraph.CharSet{asciigraph.DefaultCharSet}
		marks := []string{"─"}
		for _, ch := range []string{"•", "+", "x"} {
			sets = append(sets, asciigraph.CreateCharSet(ch))
			marks = append(marks, ch)
		}
		opts = append(opts, asciigraph.SeriesChars(sets...))
		parts := make([]string, len(names))
		for i, n := range names {
			m := marks[i%len(marks)]
			parts[i] = m + m + " " + n
		}
		legend = "  " + strings.Join(parts, "   ") + "\n"
	}
	var b strings.Builder
	if c.Title != "" {
		b.WriteString(c.Title + "\n")
	}
	b.WriteString(asciigraph.PlotMany(data, opts...))
	b.WriteString("\n")
	b.WriteString(legend)
	if c.Marker != nil {
		fmt.Fprintf(&b, "%s\n", c.Marker.Label)
	}
	return b.String(), nil
}

var seriesColours = []color.RGBA{
	{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
}

// WriteImage renders the chart with gonum/plot to path; the extension
// (.svg or .png) picks the format. The file is written to a temporary
// name and renamed, so a failure never leaves half a file behind.
func (c Chart) WriteImage(path string) error {
	if err := c.validate(); err != nil {
		return err
	}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if ext != "svg" && ext != "png" {
		return fmt.Errorf("%s: the plot file must end in .svg or .png", path)
	}
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	if c.Linear {
		p.X.Tick.Marker = linearTicks{format: c.xUnit()}
		p.Y.Tick.Marker = linearTicks{format: shortUSD}
		p.Y.Min = 0
	} else {
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker = labelledTicks{format: shortCount}
		p.Y.Tick.Marker = labelledTicks{format: shortUSD}
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Legend.YOffs = -vg.Points(14) // below the title
	p.Add(plotter.NewGrid())
	for i, s := range c.Series {
		xys := make(plotter.XYs, len(c.X))
		for j := range c.X {
			y := s.Y[j]
			if !c.Linear {
				y = floorPositive(y)
			}
			xys[j] = plotter.XY{X: c.X[j], Y: y}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		line.Color = seriesColours[i%len(seriesColours)]
		line.Width = vg.Points(2)
		p.Add(line)
		p.Legend.Add(s.Name, line)
	}
	if m := c.Marker; m != nil && (c.Linear || m.X > 0 && m.Y > 0) {
		sc, err := plotter.NewScatter(plotter.XYs{{X: m.X, Y: m.Y}})
		if err != nil {
			return err
		}
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Radius = vg.Points(4)
		sc.GlyphStyle.Color = color.Black
		p.Add(sc)
		p.Legend.Add(m.Label, sc)
	}
	wt, err := p.WriterTo(8*vg.Inch, 5*vg.Inch, ext)
	if err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("cannot write %s: %w (give a file name)", path, syscall.EISDIR)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		// Name the file asked for, not the temp file beside it.
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("cannot write %s: %w", path, pe.Err)
		}
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := wt.WriteTo(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a chart is meant to be shared.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// labelledTicks are log ticks labelled "10M" or "$1.0k" instead of "1e+07".
type labelledTicks struct{ format func(float64) string }

func (t labelledTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = t.format(ticks[i].Value)
		}
	}
	return ticks
}

func (c Chart) xUnit() func(float64) string {
	if c.XUnit != nil {
		return c.XUnit
	}
	return func(v float64) string { return fmt.Sprintf("%g", v) }
}

// linearTicks are gonum's default ticks with our labels.
type linearTicks struct{ format func(float64) string }

func (t linearTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = t.format(ticks[i].Value)
		}
	}
	return ticks
}

func shortUSD(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("$%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("$%.1fk", v/1e3)
	case v >= 1:
		return fmt.Sprintf("$%.0f", v)
	default:
		return fmt.Sprintf("$%.2f", v)
	}
}

func shortCount(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%gB", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gK", v/1e3)
	default:
		return fmt.Sprintf("%g", v)
	}
}
