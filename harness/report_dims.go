package harness

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"opscale/bounds"
	"opscale/internal/atomicfile"
)

// dimPoint is one DeepONet experiment on low-dimensional inputs, placed by
// the dimension its theorem's exponent reads: b_U + d2.
type dimPoint struct {
	a        *Analysis
	nominal  float64 // b_U + d2
	measured float64 // MLE of the inputs + d2; 0 when not measured
}

// dimPoints collects the experiments whose theorem reads b_U and decays as a
// power law: fixed networks only, since a prescribed network measures
// another regime (writeNetworkComparison).
func dimPoints(analyses []Analysis) []dimPoint {
	var pts []dimPoint
	for i := range analyses {
		a := &analyses[i]
		if a.FitErr != nil || a.AlphaErr != nil || a.First.Regression != nil || a.Kind() == KindPrescribed ||
			a.Theorem.Form != bounds.PowerLaw || a.Dims.BU == 0 || !finiteInterval(a.Fit.CILo, a.Fit.CIHi) {
			continue
		}
		p := dimPoint{a: a, nominal: float64(a.Dims.BU + a.Dims.D2)}
		if d := a.First.InputDim; d != nil && d.MLE != nil {
			p.measured = *d.MLE + float64(a.Dims.D2)
		}
		pts = append(pts, p)
	}
	return pts
}

// finiteInterval reports whether an interval is finite; a single seed gives
// an infinite one, which a plot cannot draw.
func finiteInterval(lo, hi float64) bool { return !math.IsInf(lo, 0) && !math.IsInf(hi, 0) }

// writeDimensionFigure draws the measured tail exponents against the
// dimension b_U + d2 that the theorems' exponents read, nominal and
// measured, beside the theorems' curves, and links it into the report.
func writeDimensionFigure(doc *bytes.Buffer, analyses []Analysis, plotsDir string, rel func(string) string) error {
	pts := dimPoints(analyses)
	if len(pts) == 0 {
		return nil
	}
	for _, m := range []struct {
		file, label string
		x           func(dimPoint) float64
	}{
		{"exponent-dimension.svg", "nominal b_U + d2", func(p dimPoint) float64 { return p.nominal }},
		{"exponent-measured-dimension.svg", "measured dimension (Levina–Bickel MLE of the inputs) + d2", func(p dimPoint) float64 { return p.measured }},
	} {
		svg, err := dimensionPlot(pts, m.label, m.x)
		if err != nil {
			return err
		}
		path := filepath.Join(plotsDir, m.file)
		if err := atomicfile.WriteFile(path, svg); err != nil {
			return err
		}
		fmt.Fprintf(doc, "![measured exponent against %s](%s)\n\n", m.label, rel(path))
	}
	fmt.Fprintf(doc, "Each point is an experiment's tail α̂ with its 95%% interval (cut at −0.5 and 2; the tables give it whole), placed at the dimension its theorem's exponent reads, side by side where several share one; the curves are the theorems' exponents 2/(2+x) (T-don-gen-low) and 1/x (T-don-approx-low). A point on its curve is at the bound; above it, faster. Experiments with a network grown with n are left out (another regime, compared in their own section).\n\n")
	return nil
}

func dimensionPlot(pts []dimPoint, label string, x func(dimPoint) float64) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "DeepONet: measured tail exponent against dimension"
	p.X.Label.Text = label
	p.Y.Label.Text = "decay exponent α"
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	hiX := 2.0
	for _, q := range pts {
		hiX = max(hiX, x(q))
	}
	for _, t := range []struct {
		name string
		f    func(float64) float64
		dash []vg.Length
	}{
		{"T-don-gen-low: 2/(2+b_U+d2)", func(x float64) float64 { return 2 / (2 + x) }, nil},
		{"T-don-approx-low: 1/(b_U+d2)", func(x float64) float64 { return 1 / x }, []vg.Length{vg.Points(5), vg.Points(3)}},
	} {
		l, err := plotter.NewLine(curve(1, hiX+1, t.f))
		if err != nil {
			return nil, err
		}
		l.Color, l.Dashes, l.Width = color.Gray{Y: 90}, t.dash, vg.Points(1)
		p.Add(l)
		p.Legend.Add(t.name, l)
	}
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}}
	colors := []color.Color{color.RGBA{B: 200, A: 255}, color.RGBA{R: 200, A: 255}, color.RGBA{G: 140, A: 255}, color.RGBA{R: 150, B: 150, A: 255}, color.RGBA{R: 200, G: 120, A: 255}, color.Black}
	// Experiments at one dimension stand side by side; intervals are cut at
	// the frame, whose range holds every exponent the theorems predict.
	slot := map[float64]int{}
	at := map[float64]int{}
	for _, q := range pts {
		at[x(q)]++
	}
	clip := func(v float64) float64 { return min(max(v, dimPlotLo), dimPlotHi) }
	entries := 2
	for i, q := range pts {
		xi := x(q)
		if xi <= 0 {
			continue
		}
		xi += 0.08 * (float64(slot[xi]) - float64(at[xi]-1)/2)
		slot[x(q)]++
		c, g := colors[i%len(colors)], shapes[i%len(shapes)]
		bar, err := plotter.NewLine(plotter.XYs{{X: xi, Y: clip(q.a.Fit.CILo)}, {X: xi, Y: clip(q.a.Fit.CIHi)}})
		if err != nil {
			return nil, err
		}
		bar.Color, bar.Width = c, vg.Points(1)
		p.Add(bar)
		s, err := plotter.NewScatter(plotter.XYs{{X: xi, Y: clip(q.a.Fit.Exponent)}})
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: g}
		p.Add(s)
		p.Legend.Add(q.a.Experiment, s)
		entries++
	}
	p.X.Min, p.X.Max = 1, hiX+1
	// Room above the data for the legend, one line per entry.
	p.Y.Min, p.Y.Max = dimPlotLo, dimPlotHi+0.13*float64(entries)
	return renderSVG(p)
}

// The exponent range the figure shows; intervals beyond it are cut at the
// frame and the tables give them whole.
const dimPlotLo, dimPlotHi = -0.5, 2.0
