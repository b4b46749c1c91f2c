package harness

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"opscale/bounds"
	"opscale/internal/atomicfile"
)

// DimAlphas are a theorem's exponents with a measured input dimension in
// place of the nominal one.
type DimAlphas struct {
	// Theorem is the bound whose exponent these are: the experiment's own,
	// or for a log-rate its low-dimensional counterpart.
	Theorem string
	// Replaced names the dimension replaced: b_U or d.
	Replaced string
	// The exponent at the PCA count (99% of the energy), at TwoNN and at
	// the Levina–Bickel MLE; nil where that estimate is missing.
	PCA99, TwoNN, MLE *float64
}

// lowDimCounterpart maps each log-rate theorem of the general Lipschitz
// case to the power law the paper proves when the inputs fill a b_U-dimensional
// span: what the log-rate experiments are held against at their measured
// dimension.
var lowDimCounterpart = map[string]string{
	"T-don-approx": "T-don-approx-low",
	"T-don-gen":    "T-don-gen-low",
}

// alphasAtDims returns th's exponents (or its low-dimensional counterpart's,
// for a log-rate) at the input dimensions measured in in; nil when nothing
// was measured or the exponent reads no input dimension.
func alphasAtDims(th bounds.Theorem, d bounds.Dims, in *InputDim) *DimAlphas {
	if in == nil || th.ID == "" {
		return nil
	}
	if th.Form == bounds.LogRate {
		low, ok := lowDimCounterpart[th.ID]
		if !ok {
			return nil
		}
		var err error
		if th, err = bounds.Lookup(low); err != nil {
			return nil
		}
	}
	out := &DimAlphas{Theorem: th.ID}
	switch {
	case slices.Contains(th.Reads, bounds.DimBU):
		out.Replaced = bounds.DimBU
	case slices.Contains(th.Reads, bounds.DimD):
		out.Replaced = bounds.DimD
	default:
		return nil
	}
	at := func(v *float64) *float64 {
		if v == nil {
			return nil
		}
		f := d.Float()
		if out.Replaced == bounds.DimBU {
			f.BU = *v
		} else {
			f.D = *v
		}
		alpha, err := th.ExponentAt(f)
		if err != nil {
			return nil
		}
		return &alpha
	}
	pca := float64(in.PCA99)
	out.PCA99, out.TwoNN, out.MLE = at(&pca), at(in.TwoNN), at(in.MLE)
	return out
}

// dimPoint is one DeepONet power-law experiment placed by the dimension its
// theorem's exponent reads, as x = 1/(b_U + d2), on which
// T-don-approx-low's exponent is x itself and T-don-gen-low's 2x/(2x+1).
type dimPoint struct {
	a        *Analysis
	nominal  float64 // 1/(b_U + d2)
	measured float64 // 1/(MLE + d2); 0 when not measured
}

// dimTheorems are the theorems the exponent figures draw, in legend order.
var dimTheorems = []string{"T-don-approx-low", "T-don-gen-low"}

// dimPoints collects the DeepONet experiments of the power-law theorems
// that read b_U, with a finite interval: fixed networks only, since a
// prescribed network measures another regime (writeNetworkComparison).
func dimPoints(analyses []Analysis) []dimPoint {
	var pts []dimPoint
	for i := range analyses {
		a := &analyses[i]
		if a.FitErr != nil || a.AlphaErr != nil || a.First.Regression != nil || a.Kind() == KindPrescribed ||
			!slices.Contains(dimTheorems, a.Theorem.ID) || a.Dims.BU == 0 || !finiteInterval(a.Fit.CILo, a.Fit.CIHi) {
			continue
		}
		p := dimPoint{a: a, nominal: 1 / float64(a.Dims.BU+a.Dims.D2)}
		if d := a.First.InputDim; d != nil && d.MLE != nil {
			p.measured = 1 / (*d.MLE + float64(a.Dims.D2))
		}
		pts = append(pts, p)
	}
	return pts
}

// finiteInterval reports whether an interval is finite; a single seed gives
// an infinite one, which a plot cannot draw.
func finiteInterval(lo, hi float64) bool { return !math.IsInf(lo, 0) && !math.IsInf(hi, 0) }

// writeDimensionFigure draws the measured tail exponents against
// 1/(b_U + d2), nominal and with the measured dimension for b_U, beside the
// theorems' exponents, links it into the report and says how many
// intervals lie above, on and below their theorem's line.
func writeDimensionFigure(doc *bytes.Buffer, analyses []Analysis, plotsDir string, rel func(string) string) error {
	pts := dimPoints(analyses)
	if len(pts) == 0 {
		return nil
	}
	for _, m := range []struct {
		file, label string
		x           func(dimPoint) float64
	}{
		{"exponent-dimension.svg", "1/(b_U + d2), nominal b_U", func(p dimPoint) float64 { return p.nominal }},
		{"exponent-measured-dimension.svg", "1/(MLE + d2), the inputs' measured dimension for b_U", func(p dimPoint) float64 { return p.measured }},
	} {
		svg, err := dimensionPlot(pts, m.label, m.x)
		if err != nil {
			return err
		}
		path := filepath.Join(plotsDir, m.file)
		if err := atomicfile.WriteFile(path, svg); err != nil {
			return err
		}
		fmt.Fprintf(doc, "![measured tail exponent against %s](%s)\n\n", m.label, rel(path))
	}
	fmt.Fprintf(doc, "Each point is a DeepONet experiment's tail α̂ with its 95%% interval (cut at %g and %g; the table gives it whole), marked by its theorem; the lines are the theorems' exponents from `bounds/`: T-don-approx-low's 1/(b_U+d2) = x and T-don-gen-low's 2/(2+b_U+d2) = 2x/(2x+1). A point on its theorem's line is at the bound (without its log factor); above it, faster. Log-rate experiments (no b_U) and networks grown with n (another regime) are left out. ", dimPlotLo, dimPlotHi)
	fmt.Fprintf(doc, "%s\n\n", dimFigureCounts(pts))
	return nil
}

// dimFigureCounts says how the drawn intervals lie against their theorem's
// exponent, at the nominal and at the measured (MLE) dimension. A flat tail
// whose interval holds the exponent is no verdict (docs/METHOD.md,
// "Verdicts") and is counted apart.
func dimFigureCounts(pts []dimPoint) string {
	var nominal, measured [4]int
	nm := 0
	judge := func(a *Analysis, alpha float64) (bounds.Verdict, bool) {
		v, err := bounds.Judge(a.Fit.CILo, a.Fit.CIHi, alpha)
		if err != nil {
			return 0, false
		}
		if a.Fit.Flat && v == bounds.AtBound {
			v = bounds.Uninformative
		}
		return v, true
	}
	for _, p := range pts {
		if v, ok := judge(p.a, p.a.Alpha); ok {
			nominal[v]++
		}
		if d := p.a.AtDims; d != nil && d.MLE != nil {
			if v, ok := judge(p.a, *d.MLE); ok {
				measured[v]++
				nm++
			}
		}
	}
	s := fmt.Sprintf("Of the %d intervals, at the nominal b_U %d lie above their theorem's exponent, %d contain it, %d lie below it and %d are flat tails that hold it too (no verdict)",
		len(pts), nominal[bounds.FasterThanBound], nominal[bounds.AtBound], nominal[bounds.SlowerThanBound], nominal[bounds.Uninformative])
	if nm > 0 {
		s += fmt.Sprintf("; at the measured dimension (MLE), of %d, %d lie above, %d contain it, %d lie below and %d are flat tails that hold it", nm, measured[bounds.FasterThanBound], measured[bounds.AtBound], measured[bounds.SlowerThanBound], measured[bounds.Uninformative])
	}
	return s + "."
}

// dimStyle is how a theorem is drawn in the exponent figures.
type dimStyle struct {
	color color.Color
	glyph draw.GlyphDrawer
	dash  []vg.Length
}

var dimStyles = map[string]dimStyle{
	"T-don-approx-low": {color.RGBA{R: 200, G: 60, A: 255}, draw.TriangleGlyph{}, []vg.Length{vg.Points(5), vg.Points(3)}},
	"T-don-gen-low":    {color.RGBA{B: 200, A: 255}, draw.CircleGlyph{}, nil},
}

func dimensionPlot(pts []dimPoint, label string, x func(dimPoint) float64) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "DeepONet: measured tail exponent against 1/(b_U + d2)"
	p.X.Label.Text = label
	p.Y.Label.Text = "tail decay exponent α̂"
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	hiX := 0.55
	for _, q := range pts {
		hiX = max(hiX, 1.1*x(q))
	}
	used := map[string]bool{}
	for _, q := range pts {
		used[q.a.Theorem.ID] = true
	}
	for _, id := range dimTheorems {
		th, err := bounds.Lookup(id)
		if err != nil {
			return nil, err
		}
		st := dimStyles[id]
		// Only b_U + d2 = 1/x enters; split it evenly to keep both positive.
		var xy plotter.XYs
		for i := 1; i <= 60; i++ {
			xi := hiX * float64(i) / 60
			a, err := th.ExponentAt(bounds.DimsF{BU: 1 / (2 * xi), D2: 1 / (2 * xi)})
			if err != nil {
				return nil, err
			}
			xy = append(xy, plotter.XY{X: xi, Y: a})
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.Color, l.Dashes, l.Width = st.color, st.dash, vg.Points(1)
		p.Add(l)
		p.Legend.Add(id+": its exponent α_T", l)
	}
	// Experiments at one x stand side by side; intervals are cut at the
	// frame, whose range holds every exponent the theorems predict.
	slot := map[float64]int{}
	at := map[float64]int{}
	for _, q := range pts {
		at[x(q)]++
	}
	clip := func(v float64) float64 { return min(max(v, dimPlotLo), dimPlotHi) }
	legend := map[string]bool{}
	for _, q := range pts {
		xi := x(q)
		if xi <= 0 {
			continue
		}
		xi += 0.004 * (float64(slot[xi]) - float64(at[xi]-1)/2)
		slot[x(q)]++
		st := dimStyles[q.a.Theorem.ID]
		bar, err := plotter.NewLine(plotter.XYs{{X: xi, Y: clip(q.a.Fit.CILo)}, {X: xi, Y: clip(q.a.Fit.CIHi)}})
		if err != nil {
			return nil, err
		}
		bar.Color, bar.Width = st.color, vg.Points(0.8)
		p.Add(bar)
		s, err := plotter.NewScatter(plotter.XYs{{X: xi, Y: clip(q.a.Fit.Exponent)}})
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: st.color, Radius: vg.Points(3), Shape: st.glyph}
		p.Add(s)
		if !legend[q.a.Theorem.ID] {
			legend[q.a.Theorem.ID] = true
			p.Legend.Add(q.a.Theorem.ID+": tail α̂, 95% interval", s)
		}
	}
	p.X.Min, p.X.Max = 0, hiX
	p.Y.Min, p.Y.Max = dimPlotLo, dimPlotHi+0.5
	return renderSVG(p)
}

// The exponent range the figure shows; intervals beyond it are cut at the
// frame and the tables give them whole.
const dimPlotLo, dimPlotHi = -0.5, 2.0
