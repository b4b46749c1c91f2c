package harness

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"opscale/bounds"
)

// PlotSVG draws an experiment's errors against size on log–log axes (every
// seed, the aggregate, the whole-range and tail fits, and the theorem's rate
// with and without its log factor, scaled to pass through the tail fit at
// its smallest size) and, in a panel under it, the local slopes of each
// window of 3 sizes with their intervals beside the tail slope and the
// bound's (docs/METHOD.md).
func PlotSVG(a *Analysis) ([]byte, error) {
	c := vgsvg.New(plotWidth, plotHeight)
	if err := drawPanels(a, draw.New(c)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const plotWidth, plotHeight = 7 * vg.Inch, 8 * vg.Inch

// drawPanels draws the error plot and, under it, the local-slope panel on
// dc, with their x axes over the same sizes.
func drawPanels(a *Analysis, dc draw.Canvas) error {
	top, err := errorPlot(a)
	if err != nil {
		return err
	}
	bottom, err := slopePlot(a)
	if err != nil {
		return err
	}
	bottom.X.Min, bottom.X.Max = top.X.Min, top.X.Max
	// The error plot gets 62% of the height, the slope panel the rest.
	h := dc.Max.Y - dc.Min.Y
	split := h * 0.38
	top.Draw(draw.Crop(dc, 0, 0, split, 0))
	bottom.Draw(draw.Crop(dc, 0, 0, 0, split-h))
	return nil
}

func xLabel(a *Analysis) string {
	if a.Theorem.Swept == bounds.DataSize {
		return "n (training function pairs)"
	}
	return "N (parameters)"
}

func errorPlot(a *Analysis) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = a.Experiment
	p.X.Label.Text = xLabel(a)
	p.Y.Label.Text = a.Metric
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = decades{}, decades{}
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)

	var seeds, agg plotter.XYs
	for _, r := range a.runs {
		if !r.Train.Diverged {
			seeds = append(seeds, plotter.XY{X: a.x(&r), Y: metricOf(a.Theorem.Quantity, &r)})
		}
	}
	for _, row := range a.Rows {
		if row.Seeds > 0 {
			agg = append(agg, plotter.XY{X: row.X, Y: row.Err})
		}
	}
	if len(seeds) > 0 {
		s, err := plotter.NewScatter(seeds)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: color.Gray{Y: 150}, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
		p.Add(s)
		p.Legend.Add("each seed", s)
	}
	if len(agg) > 0 {
		s, err := plotter.NewScatter(agg)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
		p.Add(s)
		p.Legend.Add(aggName(a.Aggregate), s)
	}
	if a.FitErr != nil || a.AlphaErr != nil {
		widenDegenerate(p)
		return p, nil
	}
	f := a.Fit
	for _, fit := range []struct {
		s     Slope
		name  string
		color color.Color
		width vg.Length
	}{
		{f.Whole, "whole range", color.RGBA{R: 120, G: 160, B: 230, A: 255}, vg.Points(1)},
		{f.Slope, "tail", color.RGBA{B: 200, A: 255}, vg.Points(2)},
	} {
		s := fit.s
		l, err := plotter.NewLine(curve(s.Lo, s.Hi, func(x float64) float64 { return math.Exp(s.LogA) * math.Pow(x, -s.Exponent) }))
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = fit.color, fit.width
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s: slope −%.3f [%.3f, %.3f]", fit.name, s.Exponent, s.CILo, s.CIHi), l)
	}

	anchor := math.Exp(f.LogA) * math.Pow(f.Lo, -f.Exponent)
	r0, err := a.Theorem.Rate(a.Dims, f.Lo)
	if err != nil {
		return nil, err
	}
	type theoryCurve struct {
		xy   plotter.XYs
		name string
		dash []vg.Length
	}
	var curves []theoryCurve
	if a.Theorem.Form == bounds.PowerLaw {
		curves = append(curves, theoryCurve{curve(f.Lo, f.Hi, func(x float64) float64 { return anchor * math.Pow(x/f.Lo, -a.Alpha) }),
			fmt.Sprintf("%s: slope −%.3f", a.Theorem.ID, a.Alpha), []vg.Length{vg.Points(5), vg.Points(3)}})
	}
	if a.Theorem.LogPower != 0 || a.Theorem.Form == bounds.LogRate {
		curves = append(curves, theoryCurve{curve(f.Lo, f.Hi, func(x float64) float64 {
			r, _ := a.Theorem.Rate(a.Dims, x)
			return anchor * r / r0
		}), fmt.Sprintf("%s, its rate with log factors", a.Theorem.ID), []vg.Length{vg.Points(1), vg.Points(2)}})
	}
	for _, c := range curves {
		l, err := plotter.NewLine(c.xy)
		if err != nil {
			return nil, err
		}
		l.Color, l.Dashes, l.Width = color.RGBA{R: 200, G: 100, A: 255}, c.dash, vg.Points(1.2)
		p.Add(l)
		p.Legend.Add(c.name, l)
	}
	widenDegenerate(p)
	return p, nil
}

// widenDegenerate gives a log axis that holds a single value a range of a
// factor 2 each way: gonum widens such an axis by ±1, which goes below 0
// for an error under 1 and panics on a log scale. An experiment with one
// finished size (an interrupted sweep, a lone precision check) has one.
func widenDegenerate(p *plot.Plot) {
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		if _, ok := ax.Scale.(plot.LogScale); ok && ax.Min == ax.Max && ax.Min > 0 {
			ax.Min, ax.Max = ax.Min/2, ax.Max*2
		}
	}
}

// localPoints are the local slopes placed at the geometric middle of their
// windows, with their intervals as error bars.
type localPoints struct {
	plotter.XYs
	plotter.YErrors
}

// slopePlot draws the local slopes with their intervals against size, with
// the tail slope, the theorem's exponent and 0 as horizontal references.
func slopePlot(a *Analysis) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = xLabel(a)
	p.Y.Label.Text = "local decay exponent α̂ (windows of 3 sizes)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = decades{}
	// Local slopes fall from left to right, so the top right is clear.
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	if a.FitErr != nil || a.AlphaErr != nil || len(a.Fit.Local) == 0 {
		p.Title.Text = "local slopes: need 3 sizes with finished runs"
		p.Add(plotter.NewGrid())
		return p, nil
	}
	f := a.Fit
	var lp localPoints
	lo, hi := 0.0, 0.0
	for _, l := range f.Local {
		y := l.Exponent
		lp.XYs = append(lp.XYs, plotter.XY{X: math.Sqrt(l.Lo * l.Hi), Y: y})
		// An infinite interval (one seed) is drawn as none.
		el, eh := y-l.CILo, l.CIHi-y
		if math.IsInf(el, 0) || math.IsInf(eh, 0) {
			el, eh = 0, 0
		}
		lp.YErrors = append(lp.YErrors, struct{ Low, High float64 }{el, eh})
		lo, hi = min(lo, y-el), max(hi, y+eh)
	}
	s, err := plotter.NewScatter(lp)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	bars, err := plotter.NewYErrorBars(lp)
	if err != nil {
		return nil, err
	}
	p.Add(plotter.NewGrid(), bars, s)
	p.Legend.Add("local slope, 95% interval", s)

	xs := []float64{f.Whole.Lo, f.Whole.Hi}
	ref := func(y float64, name string, c color.Color, dash []vg.Length) error {
		l, err := plotter.NewLine(plotter.XYs{{X: xs[0], Y: y}, {X: xs[1], Y: y}})
		if err != nil {
			return err
		}
		l.Color, l.Dashes, l.Width = c, dash, vg.Points(1.2)
		p.Add(l)
		if name != "" {
			p.Legend.Add(name, l)
		}
		lo, hi = min(lo, y), max(hi, y)
		return nil
	}
	if err := ref(f.Exponent, fmt.Sprintf("tail slope %.3f", f.Exponent), color.RGBA{B: 200, A: 255}, nil); err != nil {
		return nil, err
	}
	if a.Theorem.Form == bounds.PowerLaw {
		if err := ref(a.Alpha, fmt.Sprintf("α_T = %.3f", a.Alpha), color.RGBA{R: 200, G: 100, A: 255}, []vg.Length{vg.Points(5), vg.Points(3)}); err != nil {
			return nil, err
		}
	}
	if err := ref(0, "", color.Gray{Y: 100}, []vg.Length{vg.Points(1), vg.Points(2)}); err != nil {
		return nil, err
	}
	pad := 0.1 * max(hi-lo, 0.1)
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	return p, nil
}

func aggName(a Aggregate) string {
	if a == Best {
		return "best seed"
	}
	return "mean over seeds"
}

func curve(lo, hi float64, f func(float64) float64) plotter.XYs {
	const n = 50
	xy := make(plotter.XYs, n)
	for i := range xy {
		x := lo * math.Pow(hi/lo, float64(i)/(n-1))
		xy[i] = plotter.XY{X: x, Y: f(x)}
	}
	return xy
}

// decades labels each power of ten as 1e±k and marks the 2…9 multiples
// between them without labels: gonum's LogTicks prints 9.999…e-05 for 1e-4.
type decades struct{}

func (decades) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for k := 1; k <= 9; k++ {
			v := float64(k) * base
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if k == 1 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
