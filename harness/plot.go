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

	"opscale/bounds"
)

// PlotSVG draws an experiment's errors against size on log–log axes: every
// seed, the aggregate, the fitted line, and the theorem's rate (with its log
// factor) scaled to pass through the aggregate at the smallest fitted size.
func PlotSVG(a *Analysis) ([]byte, error) {
	p := plot.New()
	p.Title.Text = a.Experiment
	p.X.Label.Text = "N (parameters)"
	if a.Theorem.Swept == bounds.DataSize {
		p.X.Label.Text = "n (training function pairs)"
	}
	p.Y.Label.Text = a.Metric
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = decades{}, decades{}
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)

	var seeds, agg, sat plotter.XYs
	for _, r := range a.runs {
		if !r.Train.Diverged {
			seeds = append(seeds, plotter.XY{X: a.x(&r), Y: metricOf(a.Theorem.Quantity, &r)})
		}
	}
	for _, row := range a.Rows {
		if row.Seeds == 0 {
			continue
		}
		pt := plotter.XY{X: row.X, Y: row.Err}
		if row.Saturated {
			sat = append(sat, pt)
		} else {
			agg = append(agg, pt)
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
	if len(sat) > 0 {
		s, err := plotter.NewScatter(sat)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: color.RGBA{R: 200, A: 255}, Radius: vg.Points(3.5), Shape: draw.CrossGlyph{}}
		p.Add(s)
		p.Legend.Add("on the floor (not fitted)", s)
	}
	if a.FitErr == nil && a.AlphaErr == nil {
		f := a.Fit
		fitted := curve(f.Lo, f.Hi, func(x float64) float64 { return math.Exp(f.LogA) * math.Pow(x, -f.Exponent) })
		l, err := plotter.NewLine(fitted)
		if err != nil {
			return nil, err
		}
		l.Color = color.RGBA{B: 200, A: 255}
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("fit: slope −%.3f [%.3f, %.3f]", f.Exponent, f.CILo, f.CIHi), l)

		anchor := math.Exp(f.LogA) * math.Pow(f.Lo, -f.Exponent)
		r0, err := a.Theorem.Rate(a.Dims, f.Lo)
		if err != nil {
			return nil, err
		}
		pure := curve(f.Lo, f.Hi, func(x float64) float64 { return anchor * math.Pow(x/f.Lo, -a.Alpha) })
		withLog := curve(f.Lo, f.Hi, func(x float64) float64 {
			r, _ := a.Theorem.Rate(a.Dims, x)
			return anchor * r / r0
		})
		type theoryCurve struct {
			xy   plotter.XYs
			name string
			dash []vg.Length
		}
		curves := []theoryCurve{{pure, fmt.Sprintf("%s: slope −%.3f", a.Theorem.ID, a.Alpha), []vg.Length{vg.Points(5), vg.Points(3)}}}
		if a.Theorem.LogPower != 0 {
			curves = append(curves, theoryCurve{withLog, fmt.Sprintf("%s with its log factor", a.Theorem.ID), []vg.Length{vg.Points(1), vg.Points(2)}})
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
	}
	w, err := p.WriterTo(7*vg.Inch, 4.5*vg.Inch, "svg")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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
