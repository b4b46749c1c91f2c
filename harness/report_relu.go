package harness

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"opscale/bounds"
	"opscale/internal/atomicfile"
	"opscale/internal/table"
)

// reluTitle is the heading of the report's deep-ReLU section.
const reluTitle = "Deep ReLU: intrinsic against ambient dimension"

// reluPoint is one fitted dense regression experiment as the deep-ReLU
// section reads it.
type reluPoint struct {
	a       *Analysis
	g       *Regression
	alphaD  float64 // the theorem's exponent at the intrinsic d
	alphaDD float64 // at the ambient D
}

func (p reluPoint) fitted() (lo, est, hi float64) {
	return p.a.Fit.CILo, p.a.Fit.Exponent, p.a.Fit.CIHi
}

// reluPoints returns the dense regression experiments with a fit.
func reluPoints(analyses []Analysis) []reluPoint {
	var out []reluPoint
	for i := range analyses {
		a := &analyses[i]
		g := a.First.Regression
		if g == nil || a.FitErr != nil || a.AlphaErr != nil {
			continue
		}
		ad, err1 := a.Theorem.Exponent(bounds.Dims{D: g.D})
		aD, err2 := a.Theorem.Exponent(bounds.Dims{D: g.Ambient})
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, reluPoint{a, g, ad, aD})
	}
	return out
}

// writeReluSection writes the section that holds the deep-ReLU exponents
// against the intrinsic dimension d and, for the embedded manifolds, the
// ambient D, with its two plots. Nothing is written without a fitted dense
// regression experiment.
func writeReluSection(doc *bytes.Buffer, analyses []Analysis, plotsDir string, rel func(string) string) error {
	pts := reluPoints(analyses)
	if len(pts) == 0 {
		return nil
	}
	w := func(format string, a ...any) { fmt.Fprintf(doc, format, a...) }
	w("## %s\n\n", reluTitle)
	w("Plain deep ReLU networks regress a target f on a d-dimensional domain seen through points of R^D: the cube [0,1]^d (D = d), or the sphere and torus embedded in R^D by a random isometry, which carry the same target in every D. ")
	w("T-relu-approx predicts a sup error N^{−1/d} by model size, T-relu-gen a squared L² error n^{−2/(2+d)}·log³ n by data size, both with d the *intrinsic* dimension. ")
	w("If the ambient dimension counted instead, the exponents would be 1/D and 2/(2+D). A target that is smoother than Lipschitz may beat these rates: a piecewise-linear network fits a smooth target to error N^{−2/d} (Sharma–Kaplan), twice the Lipschitz-class exponent.\n\n")

	var rows [][]string
	for _, p := range pts {
		d := p.a.First.InputDim
		pca, twonn, mle := "n/a", "n/a", "n/a"
		if d != nil {
			pca, twonn, mle = fmt.Sprintf("%d / %d", d.PCA99, d.PCA999), optF(d.TwoNN), optF(d.MLE)
		}
		lo, est, hi := p.fitted()
		atMLE := "—"
		if p.a.DimUsed != "" {
			atMLE = fmt.Sprintf("%.3f", p.a.AlphaDim)
		}
		rows = append(rows, []string{
			p.a.Experiment, p.a.Theorem.ID, p.g.Target, p.g.Domain,
			fmt.Sprint(p.g.D), fmt.Sprint(p.g.Ambient), pca, twonn, mle,
			fmt.Sprintf("%.3f [%.3f, %.3f]", est, lo, hi),
			fmt.Sprintf("%.3f", p.alphaD), atMLE, fmt.Sprintf("%.3f", p.alphaDD),
		})
	}
	if err := table.Markdown(doc, []string{"experiment", "theorem", "target", "domain", "d", "D", "PCA 99% / 99.9%", "TwoNN", "MLE",
		"α̂ [95% CI]", "α_T at d", "α_T at the MLE", "α_T at D"}, rows); err != nil {
		return err
	}
	w("\nThe intrinsic dimension is measured on %s inputs of each experiment (PCA: components holding 99%% and 99.9%% of the energy; TwoNN and Levina–Bickel MLE from nearest neighbours). PCA counts the linear span the manifold curves through, which is why it exceeds d on the sphere and torus; the nearest-neighbour estimates see d.\n\n", sampleStr(pts))

	dimPlot := filepath.Join(plotsDir, "relu-dimension.svg")
	svg, err := reluDimensionPlot(pts)
	if err != nil {
		return fmt.Errorf("plotting %s: %w", dimPlot, err)
	}
	if err := atomicfile.WriteFile(dimPlot, svg); err != nil {
		return err
	}
	w("![measured exponents against the intrinsic dimension](%s)\n\n", rel(dimPlot))
	if svg, ok, err := reluAmbientPlot(pts); err != nil {
		return fmt.Errorf("plotting the exponents against D: %w", err)
	} else if ok {
		ambPlot := filepath.Join(plotsDir, "relu-ambient.svg")
		if err := atomicfile.WriteFile(ambPlot, svg); err != nil {
			return err
		}
		w("![measured exponents of the embedded manifolds against the ambient dimension](%s)\n\n", rel(ambPlot))
	}
	for _, s := range reluFindings(pts) {
		w("- %s\n", s)
	}
	w("\n")
	return nil
}

func sampleStr(pts []reluPoint) string {
	var ns []int
	for _, p := range pts {
		if d := p.a.First.InputDim; d != nil && !slices.Contains(ns, d.Sample) {
			ns = append(ns, d.Sample)
		}
	}
	if len(ns) == 0 {
		return "no"
	}
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, " or ")
}

// overlaps says whether two intervals share a point.
func overlaps(alo, ahi, blo, bhi float64) bool { return alo <= bhi && blo <= ahi }

// reluFindings returns the sentences of the section, each chosen by the
// measured numbers: whether the manifold exponents follow d or D, where
// smooth targets beat the Lipschitz-class rate, and how the cube exponents
// move with d.
func reluFindings(pts []reluPoint) []string {
	var out []string
	out = append(out, intrinsicFindings(pts)...)
	out = append(out, smoothFindings(pts)...)
	out = append(out, dimensionTrend(pts)...)
	return out
}

// intrinsicFindings judges the claim that the exponent follows the
// intrinsic d, not D, on the embedded manifolds of each theorem: it holds
// where every manifold exponent lies above the ambient rate's (its interval
// clear of α_T at D) and the exponents at the two ambient dimensions agree
// (their intervals overlap).
func intrinsicFindings(pts []reluPoint) []string {
	var out []string
	for _, th := range []string{"T-relu-approx", "T-relu-gen"} {
		var man []reluPoint
		for _, p := range pts {
			if p.a.Theorem.ID == th && p.g.Domain != "cube" {
				man = append(man, p)
			}
		}
		if len(man) == 0 {
			continue
		}
		var aboveAmbient, nearerD, containsD, belowD int
		for _, p := range man {
			lo, est, hi := p.fitted()
			if lo > p.alphaDD {
				aboveAmbient++
			}
			if lo <= p.alphaD && p.alphaD <= hi {
				containsD++
			}
			if hi < p.alphaD {
				belowD++
			}
			if est > 0 && math.Abs(math.Log(est/p.alphaD)) < math.Abs(math.Log(est/p.alphaDD)) {
				nearerD++
			}
		}
		// Pairs: the same domain and target in two ambient dimensions.
		var pairs, agree int
		var pairText []string
		for i, p := range man {
			for _, q := range man[i+1:] {
				if p.g.Domain != q.g.Domain || p.g.Target != q.g.Target || p.g.D != q.g.D || p.g.Ambient == q.g.Ambient {
					continue
				}
				pairs++
				plo, pe, phi := p.fitted()
				qlo, qe, qhi := q.fitted()
				same := overlaps(plo, phi, qlo, qhi)
				if same {
					agree++
				}
				pairText = append(pairText, fmt.Sprintf("%s (d = %d): %.3f [%.3f, %.3f] at D = %d, %.3f [%.3f, %.3f] at D = %d (%s)",
					p.g.Domain, p.g.D, pe, plo, phi, p.g.Ambient, qe, qlo, qhi, q.g.Ambient,
					map[bool]string{true: "intervals overlap", false: "intervals disjoint"}[same]))
			}
		}
		s := fmt.Sprintf("**%s, intrinsic against ambient.** ", th)
		switch {
		case aboveAmbient == len(man) && agree == pairs && pairs > 0:
			s += fmt.Sprintf("The measurements support the claim that the exponent follows the intrinsic d, not D: every manifold exponent lies above the ambient rate's (all %d intervals clear of α_T at D), and the same target measured at two ambient dimensions gives exponents that agree (%d of %d pairs). ", len(man), agree, pairs)
		case aboveAmbient == len(man):
			s += fmt.Sprintf("The measurements support the claim only in part: every manifold exponent lies above the ambient rate's (all %d intervals clear of α_T at D), so D does not set the decay, but the exponent still moves with D (%d of %d pairs agree). ", len(man), agree, pairs)
		default:
			s += fmt.Sprintf("The measurements do not support the claim: only %d of %d manifold exponents lie clear above the ambient rate's α_T at D, so these sizes cannot tell the intrinsic dimension from the ambient one. ", aboveAmbient, len(man))
		}
		s += fmt.Sprintf("%d of %d are nearer (in ratio) the intrinsic α_T at d than the ambient one; against α_T at d itself, %d of %d intervals lie below it, %d contain it and %d lie above it (below means the training does not reach the rate the theorem allows, which is about the optimiser, not about which dimension counts). ",
			nearerD, len(man), belowD, len(man), containsD, len(man)-belowD-containsD)
		if len(pairText) > 0 {
			s += "By ambient dimension: " + strings.Join(pairText, "; ") + ". "
		}
		var mles []string
		for _, p := range man {
			if d := p.a.First.InputDim; d != nil && d.MLE != nil {
				mles = append(mles, fmt.Sprintf("%.2f (%s, D = %d)", *d.MLE, p.g.Domain, p.g.Ambient))
			}
		}
		if len(mles) > 0 {
			s += "The measured intrinsic dimension (MLE) is " + strings.Join(mles, ", ") + ". "
		}
		var withCube, cubes int
		for _, p := range man {
			if c, ok := cubeTwin(pts, p); ok {
				cubes++
				plo, _, phi := p.fitted()
				clo, _, chi := c.fitted()
				if overlaps(plo, phi, clo, chi) {
					withCube++
				}
			}
		}
		if cubes > 0 {
			s += fmt.Sprintf("Against the un-embedded cube of the same d and target, %d of %d manifold intervals overlap the cube's. ", withCube, cubes)
		}
		short := 0
		for _, p := range man {
			if spanCaveat(p) != "" {
				short++
			}
		}
		if short > 0 {
			s += fmt.Sprintf("%d of %d manifold tails cannot be told from flat (a floor): this judgement rests on the sizes before it and is indicative only.", short, len(man))
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// smoothFindings compares the smooth targets with the Lipschitz-class rate
// and, by model size, with the piecewise-linear prediction 2/d.
func smoothFindings(pts []reluPoint) []string {
	var out []string
	for _, p := range pts {
		if p.g.Target != "smooth" {
			continue
		}
		lo, est, hi := p.fitted()
		var s string
		switch {
		case lo > p.alphaD:
			s = fmt.Sprintf("%s (d = %d): the smooth target beats the Lipschitz-class rate, α̂ = %.3f [%.3f, %.3f] above α_T = %.3f", p.a.Experiment, p.g.D, est, lo, hi, p.alphaD)
		case hi < p.alphaD:
			s = fmt.Sprintf("%s (d = %d): the smooth target does not even reach the Lipschitz-class rate, α̂ = %.3f [%.3f, %.3f] below α_T = %.3f: training, not the target, limits the decay", p.a.Experiment, p.g.D, est, lo, hi, p.alphaD)
		default:
			s = fmt.Sprintf("%s (d = %d): the smooth target does not beat the Lipschitz-class rate measurably, α̂ = %.3f [%.3f, %.3f] against α_T = %.3f", p.a.Experiment, p.g.D, est, lo, hi, p.alphaD)
		}
		if p.a.Theorem.Swept == bounds.ModelSize {
			pl := 2 / float64(p.g.D)
			switch {
			case lo > pl:
				s += fmt.Sprintf("; it decays faster even than the piecewise-linear prediction 2/d = %.3f", pl)
			case hi < pl:
				s += fmt.Sprintf("; it falls short of the piecewise-linear prediction 2/d = %.3f", pl)
			default:
				s += fmt.Sprintf("; its interval contains the piecewise-linear prediction 2/d = %.3f", pl)
			}
		}
		s += spanCaveat(p)
		if q, ok := lipschitzTwin(pts, p); ok {
			qlo, qe, qhi := q.fitted()
			if overlaps(lo, hi, qlo, qhi) {
				s += fmt.Sprintf(". The Lipschitz target at the same d gives %.3f [%.3f, %.3f]: the two cannot be told apart on these sizes", qe, qlo, qhi)
			} else {
				s += fmt.Sprintf(". The Lipschitz target at the same d gives %.3f [%.3f, %.3f]: the smooth one decays %s", qe, qlo, qhi, map[bool]string{true: "faster", false: "more slowly"}[est > qe])
			}
		}
		out = append(out, s+".")
	}
	return out
}

// cubeTwin finds the cube experiment of p's theorem, target and d.
func cubeTwin(pts []reluPoint, p reluPoint) (reluPoint, bool) {
	for _, q := range pts {
		if q.g.Domain == "cube" && q.a.Theorem.ID == p.a.Theorem.ID && q.g.Target == p.g.Target && q.g.D == p.g.D {
			return q, true
		}
	}
	return reluPoint{}, false
}

// spanCaveat flags an exponent whose tail cannot be told from flat: the
// error has met a floor there (docs/METHOD.md, "Floors"), and the slope says
// more about the floor than about the rate.
func spanCaveat(p reluPoint) string {
	f := p.a.Fit
	if f.Flat {
		return fmt.Sprintf(" (its tail, %s = %g…%g, cannot be told from flat: the error has met a floor there, so this exponent is indicative only)", p.a.Theorem.Swept, f.Lo, f.Hi)
	}
	return ""
}

// lipschitzTwin finds the Lipschitz experiment of p's theorem on p's domain.
func lipschitzTwin(pts []reluPoint, p reluPoint) (reluPoint, bool) {
	for _, q := range pts {
		if q.g.Target == "lipschitz" && q.a.Theorem.ID == p.a.Theorem.ID && q.g.Domain == p.g.Domain && q.g.D == p.g.D && q.g.Ambient == p.g.Ambient {
			return q, true
		}
	}
	return reluPoint{}, false
}

// dimensionTrend says how the Lipschitz cube exponents move from the
// smallest d to the largest, against the theorem's factor.
func dimensionTrend(pts []reluPoint) []string {
	var out []string
	for _, th := range []string{"T-relu-approx", "T-relu-gen"} {
		var cube []reluPoint
		for _, p := range pts {
			if p.a.Theorem.ID == th && p.g.Domain == "cube" && p.g.Target == "lipschitz" {
				cube = append(cube, p)
			}
		}
		if len(cube) < 2 {
			continue
		}
		slices.SortFunc(cube, func(a, b reluPoint) int { return a.g.D - b.g.D })
		lo, hi := cube[0], cube[len(cube)-1]
		if lo.g.D == hi.g.D {
			continue
		}
		ratio := lo.a.Fit.Exponent / hi.a.Fit.Exponent
		want := lo.alphaD / hi.alphaD
		s := fmt.Sprintf("**%s on the cube, Lipschitz target:** from d = %d to d = %d the measured exponent goes from %.3f to %.3f (divided by %.2f); the theorem's from %.3f to %.3f (divided by %.2f).",
			th, lo.g.D, hi.g.D, lo.a.Fit.Exponent, hi.a.Fit.Exponent, ratio, lo.alphaD, hi.alphaD, want)
		switch {
		case ratio <= 1:
			s += " The measured exponent does not fall with d at all here: on these sizes the dimension does not set the decay."
		case ratio < math.Sqrt(want):
			s += " It falls with d, but by well under the theorem's factor."
		default:
			s += " It falls with d about as the theorem says or more."
		}
		out = append(out, s)
	}
	return out
}

// reluStyle is the colour and glyph of a point by theorem and target.
func reluStyle(p reluPoint) (color.Color, draw.GlyphDrawer) {
	c := color.Color(color.RGBA{B: 200, A: 255})
	if p.a.Theorem.ID == "T-relu-gen" {
		c = color.RGBA{R: 200, G: 60, A: 255}
	}
	var g draw.GlyphDrawer = draw.CircleGlyph{}
	switch {
	case p.g.Domain != "cube":
		g = draw.TriangleGlyph{}
	case p.g.Target == "smooth":
		g = draw.SquareGlyph{}
	}
	return c, g
}

func reluLabel(p reluPoint) string {
	dom := "cube"
	if p.g.Domain != "cube" {
		dom = "manifold"
	}
	return fmt.Sprintf("%s, %s, %s", p.a.Theorem.ID, p.g.Target, dom)
}

// reluDimensionPlot draws α̂ with its interval against d, beside the
// theory's 1/d, 2/(2+d) and the piecewise-linear 2/d. Points of one d are
// spread a little sideways so that their intervals do not hide each other.
func reluDimensionPlot(pts []reluPoint) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "Deep ReLU: measured exponent against intrinsic dimension d"
	p.X.Label.Text = "intrinsic dimension d"
	p.Y.Label.Text = "decay exponent α"
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	maxD := 1.0
	for _, q := range pts {
		maxD = max(maxD, float64(q.g.D))
	}
	theory := []struct {
		name string
		f    func(float64) float64
		dash []vg.Length
	}{
		{"T-relu-approx: 1/d", func(d float64) float64 { return 1 / d }, nil},
		{"T-relu-gen: 2/(2+d)", func(d float64) float64 { return 2 / (2 + d) }, []vg.Length{vg.Points(5), vg.Points(3)}},
		{"piecewise-linear, smooth target: 2/d", func(d float64) float64 { return 2 / d }, []vg.Length{vg.Points(1), vg.Points(2)}},
	}
	for _, t := range theory {
		xy := make(plotter.XYs, 60)
		for i := range xy {
			d := 0.8 + (maxD+0.2-0.8)*float64(i)/float64(len(xy)-1)
			xy[i] = plotter.XY{X: d, Y: t.f(d)}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.Color, l.Dashes, l.Width = color.Gray{Y: 90}, t.dash, vg.Points(1)
		p.Add(l)
		p.Legend.Add(t.name, l)
	}
	slot := map[int]int{}
	seen := map[string]bool{}
	for _, q := range pts {
		x := float64(q.g.D) + 0.06*float64(slot[q.g.D]) - 0.3
		slot[q.g.D]++
		if err := addInterval(p, q, x, seen); err != nil {
			return nil, err
		}
	}
	p.X.Min, p.X.Max = 0.5, maxD+0.5
	p.Y.Min, p.Y.Max = 0, legendRoom(pts, 1.2)
	return renderSVG(p)
}

// reluAmbientPlot draws the manifold exponents against D on a log axis,
// beside the theory at the intrinsic d (flat) and at D (falling), with the
// cube of the same d drawn at D = d. It reports false when no manifold
// experiment was fitted.
func reluAmbientPlot(pts []reluPoint) ([]byte, bool, error) {
	var sel []reluPoint
	dims := map[int]bool{}
	for _, q := range pts {
		if q.g.Domain != "cube" {
			sel = append(sel, q)
			dims[q.g.D] = true
		}
	}
	if len(sel) == 0 {
		return nil, false, nil
	}
	for _, q := range pts {
		if q.g.Domain == "cube" && q.g.Target == "lipschitz" && dims[q.g.D] {
			sel = append(sel, q)
		}
	}
	p := plot.New()
	p.Title.Text = "Deep ReLU on embedded manifolds: exponent against ambient D (cube of the same d at D = d)"
	p.Title.TextStyle.Font.Size = vg.Points(10)
	p.X.Label.Text = "ambient dimension D"
	p.Y.Label.Text = "decay exponent α"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.ConstantTicks(ambientTicks(sel))
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	lo, hi := math.Inf(1), 0.0
	for _, q := range sel {
		lo, hi = min(lo, float64(q.g.Ambient)), max(hi, float64(q.g.Ambient))
	}
	lo, hi = lo/1.3, hi*1.3
	for _, th := range []string{"T-relu-approx", "T-relu-gen"} {
		var t *bounds.Theorem
		for _, q := range sel {
			if q.a.Theorem.ID == th {
				t = &q.a.Theorem
			}
		}
		if t == nil {
			continue
		}
		for d := range dims {
			ad, err := t.Exponent(bounds.Dims{D: d})
			if err != nil {
				return nil, false, err
			}
			flat, err := plotter.NewLine(plotter.XYs{{X: lo, Y: ad}, {X: hi, Y: ad}})
			if err != nil {
				return nil, false, err
			}
			flat.Color, flat.Width = color.Gray{Y: 90}, vg.Points(1)
			if th == "T-relu-gen" {
				flat.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			}
			p.Add(flat)
			p.Legend.Add(fmt.Sprintf("%s at intrinsic d = %d", th, d), flat)
		}
		amb := curve(lo, hi, func(D float64) float64 {
			a, _ := t.ExponentAt(bounds.DimsF{D: D})
			return a
		})
		l, err := plotter.NewLine(amb)
		if err != nil {
			return nil, false, err
		}
		l.Color, l.Width, l.Dashes = color.RGBA{R: 200, G: 100, A: 255}, vg.Points(1), []vg.Length{vg.Points(1), vg.Points(2)}
		if th == "T-relu-gen" {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2)}
		}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s at ambient D", th), l)
	}
	seen := map[string]bool{}
	count := map[string]int{}
	for _, q := range sel {
		k := fmt.Sprint(q.g.Ambient)
		x := float64(q.g.Ambient) * math.Pow(1.04, float64(count[k])-1.5)
		count[k]++
		if err := addInterval(p, q, x, seen); err != nil {
			return nil, false, err
		}
	}
	p.X.Min, p.X.Max = lo, hi
	p.Y.Min, p.Y.Max = 0, legendRoom(sel, 0.6)
	b, err := renderSVG(p)
	return b, err == nil, err
}

// legendRoom is the top of the α axis: above every interval by enough for
// the legend, which sits at the top, to leave the points clear; at least
// least so that the theory's lines show where they matter.
func legendRoom(pts []reluPoint, least float64) float64 {
	top := least
	for _, q := range pts {
		_, _, hi := q.fitted()
		top = max(top, 1.5*hi)
	}
	return top
}

func ambientTicks(pts []reluPoint) []plot.Tick {
	var ds []int
	for _, q := range pts {
		if !slices.Contains(ds, q.g.Ambient) {
			ds = append(ds, q.g.Ambient)
		}
	}
	slices.Sort(ds)
	t := make([]plot.Tick, len(ds))
	for i, d := range ds {
		t[i] = plot.Tick{Value: float64(d), Label: fmt.Sprint(d)}
	}
	return t
}

// addInterval draws α̂ at x with a vertical bar over its interval; the first
// point of each style enters the legend.
func addInterval(p *plot.Plot, q reluPoint, x float64, seen map[string]bool) error {
	lo, est, hi := q.fitted()
	c, g := reluStyle(q)
	bar, err := plotter.NewLine(plotter.XYs{{X: x, Y: lo}, {X: x, Y: hi}})
	if err != nil {
		return err
	}
	bar.Color, bar.Width = c, vg.Points(1)
	p.Add(bar)
	s, err := plotter.NewScatter(plotter.XYs{{X: x, Y: est}})
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: g}
	p.Add(s)
	if name := reluLabel(q); !seen[name] {
		seen[name] = true
		p.Legend.Add(name, s)
	}
	return nil
}

func renderSVG(p *plot.Plot) ([]byte, error) { return renderSVGSize(p, 7*vg.Inch, 5*vg.Inch) }

// renderSVGSize draws a plot as an SVG of the given size.
func renderSVGSize(p *plot.Plot, width, height vg.Length) ([]byte, error) {
	w, err := p.WriterTo(width, height, "svg")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// reluDims names the dimensions of a dense regression experiment for the
// report's tables.
func reluDims(g *Regression) string {
	if g.Domain == "cube" {
		return fmt.Sprintf("cube, d=%d", g.D)
	}
	return fmt.Sprintf("%s, d=%d, D=%d", g.Domain, g.D, g.Ambient)
}

// writeDenseSetup writes the setup lines of a dense regression experiment's
// section; writeExperiment writes the rest as for any experiment.
func writeDenseSetup(doc *bytes.Buffer, a *Analysis) {
	w := func(format string, args ...any) { fmt.Fprintf(doc, format, args...) }
	r, g := a.First, a.First.Regression
	w("- Theorem: **%s**: %s.\n", a.Theorem.ID, a.Theorem.Statement)
	w("- Problem: %s target on the %s, intrinsic dimension d = %d, ambient D = %d (%s).\n", g.Target, g.Domain, g.D, g.Ambient, r.Problem)
	if a.Theorem.Swept == bounds.ModelSize {
		w("- Data: %d training points at every width, targets with Gaussian noise σ = %g; test set of %d noiseless points from its own seed stream, the same for every run.\n", r.NTrain, r.Noise, g.TestPoints)
		w("- Network: dense ReLU, %d hidden layers of width w (at the smallest size: %s); %s precision.\n", g.Depth, r.Setup.Network, r.Precision)
	} else {
		w("- Data: n training points with Gaussian noise σ = %g on the targets (validation points apart, not counted in n); test set of %d noiseless points from its own seed stream, the same for every run.\n", r.Noise, g.TestPoints)
		w("- Network: dense ReLU, %s, N = %d parameters, fixed across sizes; %s precision.\n", r.Setup.Network, r.Params, r.Precision)
	}
	t := r.Setup.Training
	val := "no validation points (the last step is kept)"
	if t.Validation > 0 {
		val = fmt.Sprintf("%.0f%% as many validation points as training points, from their own stream, keep the best step", 100*t.Validation)
	}
	w("- Training: Adam, %d steps, batch %s points, learning rate %g with cosine decay, %s.\n", t.Steps, batchStr(t.Batch), t.LR, val)
	w("- Error: %s, %s at each size.\n", a.Metric, aggName(a.Aggregate))
	if d := r.InputDim; d != nil {
		w("- Input dimension, measured on %d input points in R^%d: PCA needs %d components for 99%% of the energy and %d for 99.9%%; TwoNN %s; Levina–Bickel MLE %s (intrinsic d = %d, ambient D = %d).",
			d.Sample, g.Ambient, d.PCA99, d.PCA999, optF(d.TwoNN), optF(d.MLE), g.D, g.Ambient)
		if a.DimUsed != "" {
			w(" At the MLE dimension the theorem's exponent would be %.3f.", a.AlphaDim)
		}
		w("\n")
	}
}
