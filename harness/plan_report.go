package harness

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"opscale/internal/atomicfile"
	"opscale/internal/table"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func fmtIv(iv Interval) string {
	return fmt.Sprintf("%.3g [%.3g, %.3g]", iv.V, iv.Lo, iv.Hi)
}

func fmtFactor(k float64) string {
	if math.IsInf(k, 1) {
		return "not by this alone"
	}
	return fmt.Sprintf("%.2g×", k)
}

func fmtFactorIv(iv Interval) string {
	s := fmtFactor(iv.V)
	lo, hi := fmtFactor(iv.Lo), fmtFactor(iv.Hi)
	if math.IsInf(iv.Hi, 1) {
		hi = "∞"
	}
	return fmt.Sprintf("%s [%s, %s]", s, lo, hi)
}

// planTables returns the plan's tables, header first, for both renderers.
func (r *PlanResult) planTables() (pred, expo [][]string) {
	pred = append(pred, []string{"next step", "parameters N", "functions n", "predicted " + string(r.Metric) + " [95% interval]", "× now"})
	if r.LawErr == nil {
		pred = append(pred, []string{"now (fit; measured " + fmt.Sprintf("%.3g", r.Measured) + ")", fmt.Sprintf("%.0f", r.Law.N0), fmt.Sprintf("%.0f", r.Law.D0), fmtIv(r.Now), "1"})
		for _, p := range r.Predictions {
			pred = append(pred, []string{p.Label, fmt.Sprintf("%.0f", p.N), fmt.Sprintf("%.0f", p.D), fmtIv(p.Err), fmt.Sprintf("%.2f", p.Factor)})
		}
	}
	expo = append(expo, []string{"exponent", "fitted (sweep, power law)", "fitted (joint law)", "tail slope"})
	for _, t := range r.Theory {
		expo[0] = append(expo[0], fmt.Sprintf("theory at %s = %.3g", t.Estimator, t.Dim))
	}
	row := func(name string, s planSlope, j Interval, term func(JointLaw) float64, theory func(TheoryRow) float64) []string {
		out := []string{name, fmt.Sprintf("%.3f [%.3f, %.3f]", s.Alpha, s.Lo, s.Hi), "-", fmt.Sprintf("%.3f", s.Tail)}
		if r.LawErr == nil {
			out[2] = fmt.Sprintf("%.3f [%.3f, %.3f]", j.V, j.Lo, j.Hi)
			if term(r.Law) < 0.05*r.Law.At(r.Law.N0, r.Law.D0) {
				out[2] += " (term under 5% of the error: exponent not determined)"
			}
		}
		for _, t := range r.Theory {
			out = append(out, fmt.Sprintf("%.3f", theory(t)))
		}
		return out
	}
	expo = append(expo, row("α_N (parameters)", r.SlopeN, r.AlphaN, func(l JointLaw) float64 { return l.A }, func(t TheoryRow) float64 { return t.Model }))
	expo = append(expo, row("α_n (functions)", r.SlopeD, r.AlphaD, func(l JointLaw) float64 { return l.B }, func(t TheoryRow) float64 { return t.Data }))
	return pred, expo
}

// answers are the plan's conclusions in plain sentences.
func (r *PlanResult) answers() []string {
	if r.LawErr != nil {
		return []string{"No joint law could be fitted: " + r.LawErr.Error()}
	}
	l := r.Law
	var out []string
	out = append(out, fmt.Sprintf("Law: e(N, n) = %.3g·(N/%.0f)^−%.3f + %.3g·(n/%.0f)^−%.3f + %.3g (%s, %d bootstrap replicates over seeds).",
		l.A, l.N0, l.AlphaN, l.B, l.D0, l.AlphaD, l.C, r.Metric, r.LawReps))
	out = append(out, fmt.Sprintf("At the largest sizes the model term is %.0f%%, the data term %.0f%% and the floor %.0f%% of the error.",
		100*l.A/(l.A+l.B+l.C), 100*l.B/(l.A+l.B+l.C), 100*l.C/(l.A+l.B+l.C)))
	hd, hm := r.HalveData.V, r.HalveModel.V
	halving := func(k Interval, what string) string {
		if math.IsInf(k.V, 1) {
			return fmt.Sprintf("%s alone cannot (its term is below half the error; interval %s)", what, ivRange(k))
		}
		return fmt.Sprintf("%.2g× %s [%s]", k.V, what, ivRange(k))
	}
	halve := fmt.Sprintf("Halving the error: %s; %s. ", halving(r.HalveData, "data"), halving(r.HalveModel, "parameters"))
	switch {
	case l.C >= (l.A+l.B+l.C)/2:
		halve += "The floor c is half the error or more, so no growth of data or parameters halves it."
	case math.IsInf(hd, 1) && math.IsInf(hm, 1):
		halve += "Neither alone halves it; both must grow."
	case math.IsInf(hm, 1) || hd < hm:
		halve += "**More data** halves it for less."
	default:
		halve += "**More parameters** halve it for less."
	}
	out = append(out, halve)
	if t := r.TargetPlan; t != nil {
		if !t.Reachable {
			out = append(out, fmt.Sprintf("Target %.3g: **not reachable: floor at c = %.3g** [%.3g, %.3g].", r.Target, t.Floor.V, t.Floor.Lo, t.Floor.Hi))
		} else {
			s := fmt.Sprintf("Target %.3g: about N = %.3g parameters (width %.0f) [%s] and n = %.3g functions [%s], the margin above the floor split evenly; reachable in %.0f%% of the bootstrap replicates.",
				r.Target, t.N, math.Ceil(t.Width), rangeOf(t.NLo, t.NHi), t.D, rangeOf(t.DLo, t.DHi), 100*t.Share)
			if !math.IsInf(t.DataOnly, 1) {
				s += fmt.Sprintf(" Data alone: n = %.3g at the current model.", t.DataOnly)
			}
			if !math.IsInf(t.ModelOnly, 1) {
				s += fmt.Sprintf(" Parameters alone: N = %.3g at the current data.", t.ModelOnly)
			}
			out = append(out, s)
		}
	}
	return out
}

func ivRange(iv Interval) string { return rangeOf(iv.Lo, iv.Hi) }

func rangeOf(lo, hi float64) string {
	f := func(x float64) string {
		if math.IsInf(x, 1) {
			return "∞"
		}
		return fmt.Sprintf("%.3g", x)
	}
	return f(lo) + ", " + f(hi)
}

// WritePlanText writes the plan for a terminal.
func WritePlanText(w io.Writer, r *PlanResult) error {
	pred, expo := r.planTables()
	fmt.Fprintf(w, "\nplan for %s (%s; %d runs in %s)\n", r.Source, r.Metric, len(r.Runs), r.Elapsed.Round(1e9))
	if err := table.Text(w, pred[0], pred[1:]); err != nil {
		return err
	}
	if err := table.Text(w, expo[0], expo[1:]); err != nil {
		return err
	}
	for _, a := range r.answers() {
		fmt.Fprintln(w, strings.ReplaceAll(a, "**", ""))
	}
	for _, warn := range r.Warnings {
		fmt.Fprintln(w, "warning: "+warn)
	}
	return nil
}

// WritePlanFiles writes plan.md and plan.svg to dir.
func WritePlanFiles(dir string, r *PlanResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	svg, err := PlanSVG(r)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "plan.svg"), svg); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := WritePlanMarkdown(&b, r); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "plan.md"), b.Bytes())
}

// WritePlanMarkdown writes plan.md's text; the plot is plan.svg beside it.
func WritePlanMarkdown(w io.Writer, r *PlanResult) error {
	fmt.Fprintf(w, "# Plan for %s\n\n", r.Source)
	fmt.Fprintf(w, "%d functions (%d to train, %d held out to test, split with a fixed seed), m = %d sensors, P = %d output points, d2 = %d. Error: %s on the test split. Budget %v, %d runs in %s.\n\n",
		r.N, r.Train, r.Test, r.M, r.P, r.D2, r.Metric, r.Budget, len(r.Runs), r.Elapsed.Round(1e9))
	fmt.Fprintf(w, "## Answer\n\n")
	for _, a := range r.answers() {
		fmt.Fprintf(w, "- %s\n", a)
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "\n## Warnings\n\n")
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "- %s\n", warn)
		}
	}
	pred, expo := r.planTables()
	fmt.Fprintf(w, "\n## Predictions\n\n")
	if err := table.Markdown(w, pred[0], pred[1:]); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n![errors against size, with the fitted law](plan.svg)\n\n## Exponents\n\n")
	if err := table.Markdown(w, expo[0], expo[1:]); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nTheory: T-don-approx-low (N^−1/(b_U+d2), an error) and T-don-gen-low (n^−2/(2+b_U+d2), a squared error), converted to %s and evaluated at each estimate of b_U. They are upper bounds over Lipschitz operators: a smooth operator may beat them.\n", r.Metric)
	if r.DimErr == nil {
		fmt.Fprintf(w, "\nIntrinsic dimension of %d training inputs: PCA 99%% %d, PCA 99.9%% %d, TwoNN %.2f, MLE %.2f.\n", r.DimSample, r.Dim.PCA99, r.Dim.PCA999, r.Dim.TwoNN, r.Dim.MLE)
		for _, warn := range r.Dim.Warnings {
			fmt.Fprintf(w, "(%s)\n", warn)
		}
	} else {
		fmt.Fprintf(w, "\nIntrinsic dimension: not estimated: %v\n", r.DimErr)
	}
	fmt.Fprintf(w, "\n## Grid\n\nModel sweep: widths %v (branch and trunk [w, w], p = w) at n = %d. Data sweep: n = %v at width %d. %d seeds (each with its own subset order, initialisation and batches), %d Adam steps, batch %d, a fifth of each subset held out for early stopping.\n\n",
		r.Grid.Widths, r.Grid.DataSizes[len(r.Grid.DataSizes)-1], r.Grid.DataSizes, r.Grid.Widths[len(r.Grid.Widths)-1], r.Grid.Seeds, r.Grid.Steps, planBatch)
	rows := [][]string{}
	for _, run := range r.Runs {
		rows = append(rows, []string{fmt.Sprint(run.Width), fmt.Sprint(run.Params), fmt.Sprint(run.N), fmt.Sprint(run.SeedIdx + 1), fmt.Sprintf("%.4g", run.Err), fmt.Sprintf("%.1f", run.Sec)})
	}
	return table.Markdown(w, []string{"width", "N", "n", "seed", string(r.Metric), "seconds"}, rows)
}

// PlanSVG plots both sweeps against the size relative to the proof of
// concept's largest, with the law through them and its predictions.
func PlanSVG(r *PlanResult) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "proof of concept and the fitted law"
	p.X.Label.Text = "size relative to the largest tried (N/N0 or n/n0)"
	p.Y.Label.Text = string(r.Metric)
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = decades{}, decades{}
	p.Legend.Left = true
	p.Legend.Top = false
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	model, data, _ := r.sweepPoints()
	blue, red := color.RGBA{B: 200, A: 255}, color.RGBA{R: 200, G: 60, A: 255}
	add := func(pts []Point, x0 float64, c color.Color, name string) error {
		var xy plotter.XYs
		for _, pt := range pts {
			xy = append(xy, plotter.XY{X: pt.Size / x0, Y: meanOf(pt.Values)})
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		p.Add(s)
		p.Legend.Add(name, s)
		return nil
	}
	n0, d0 := model[len(model)-1].Size, data[len(data)-1].Size
	if err := add(model, n0, blue, "model sweep (mean over seeds)"); err != nil {
		return nil, err
	}
	if err := add(data, d0, red, "data sweep (mean over seeds)"); err != nil {
		return nil, err
	}
	if r.LawErr == nil {
		l := r.Law
		for _, c := range []struct {
			lo  float64
			f   func(k float64) float64
			col color.Color
			nm  string
		}{
			{model[0].Size / n0, func(k float64) float64 { return l.At(k*n0, d0) }, blue, "law, parameters grown"},
			{data[0].Size / d0, func(k float64) float64 { return l.At(n0, k*d0) }, red, "law, data grown"},
		} {
			line, err := plotter.NewLine(curve(c.lo, 4, c.f))
			if err != nil {
				return nil, err
			}
			line.Color, line.Width = c.col, vg.Points(1.2)
			p.Add(line)
			p.Legend.Add(c.nm, line)
		}
		var pr plotter.XYs
		var bars plotter.YErrors
		for _, q := range r.Predictions {
			k := q.D / d0
			if q.N != n0 {
				k = q.N / n0
			}
			pr = append(pr, plotter.XY{X: k, Y: q.Err.V})
			bars = append(bars, struct{ Low, High float64 }{q.Err.V - q.Err.Lo, q.Err.Hi - q.Err.V})
		}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{pr, bars})
		if err != nil {
			return nil, err
		}
		p.Add(eb)
		s, err := plotter.NewScatter(pr)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3), Shape: draw.CrossGlyph{}}
		p.Add(s)
		p.Legend.Add("predictions at 2× and 4× (95% interval)", s)
		if l.C > 0 {
			fl, err := plotter.NewLine(plotter.XYs{{X: data[0].Size / d0, Y: l.C}, {X: 4, Y: l.C}})
			if err != nil {
				return nil, err
			}
			fl.Color, fl.Dashes = color.Gray{Y: 120}, []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(fl)
			p.Legend.Add("floor c", fl)
		}
	}
	return renderSVGSize(p, 7*vg.Inch, 4.5*vg.Inch)
}
