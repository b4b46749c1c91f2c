package harness

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"opscale/bounds"
	"opscale/internal/atomicfile"
	"opscale/internal/table"
)

// regimeGroup is the experiments of one suite group, in suite order.
type regimeGroup struct {
	name string
	exps []*Analysis
}

// regimeGroups collects the experiments that name a group, each group in
// the order its first experiment comes in the suite.
func regimeGroups(analyses []Analysis) []regimeGroup {
	var out []regimeGroup
	at := map[string]int{}
	for i := range analyses {
		a := &analyses[i]
		for _, name := range groupNames(a.Group) {
			k, ok := at[name]
			if !ok {
				k = len(out)
				at[name] = k
				out = append(out, regimeGroup{name: name})
			}
			out[k].exps = append(out[k].exps, a)
		}
	}
	return out
}

// writeRegimes writes a subsection for every group of experiments: what
// each varies, its slopes, all its error curves on one plot and, where the
// group varies the noise or the output points, each experiment's error
// against the group's baseline at every size.
func writeRegimes(doc *bytes.Buffer, analyses []Analysis, plotsDir string, rel func(string) string) error {
	groups := regimeGroups(analyses)
	if len(groups) == 0 {
		return nil
	}
	fmt.Fprintf(doc, "## Regimes\n\n")
	fmt.Fprintf(doc, "Experiments that the suite groups (field `group`) to vary one setting: the target noise, the output points each training function is observed at, the input family's parameters. Each group's errors are drawn on one plot; where the noise or the output points vary, each experiment's error is divided at every size by that of the group's baseline (no noise, or every output point), seed by seed: a seed's runs share their input functions and initial weights, so the pairing takes the seed's own luck out (geometric mean over the seeds, 95%% t interval). A ratio whose interval lies above 1 means the setting raised the error at that size; one whose interval holds 1 and lies within [%g, %g] means it made no measurable difference there, as when a training or approximation floor above the noise's own level hides it.\n\n", 1/dataCheckMargin, dataCheckMargin)
	for _, g := range groups {
		if err := writeGroup(doc, g, plotsDir, rel); err != nil {
			return err
		}
	}
	return nil
}

func writeGroup(doc *bytes.Buffer, g regimeGroup, plotsDir string, rel func(string) string) error {
	w := func(format string, a ...any) { fmt.Fprintf(doc, format, a...) }
	w("### Group %s\n\n", g.name)
	header, rows := groupTable(g.exps)
	if err := table.Markdown(doc, header, rows); err != nil {
		return err
	}
	doc.WriteString("\n")
	for _, x := range []bounds.Variable{bounds.DataSize, bounds.ModelSize} {
		var exps []*Analysis
		for _, a := range g.exps {
			if a.Theorem.ID != "" && a.Theorem.Swept == x {
				exps = append(exps, a)
			}
		}
		if len(exps) == 0 {
			continue
		}
		path := filepath.Join(plotsDir, fmt.Sprintf("group-%s-%s.svg", g.name, map[bounds.Variable]string{bounds.DataSize: "n", bounds.ModelSize: "N"}[x]))
		svg, err := groupPlot(g.name, exps)
		if err != nil {
			return fmt.Errorf("plotting group %s: %w", g.name, err)
		}
		if err := atomicfile.WriteFile(path, svg); err != nil {
			return err
		}
		w("![errors of group %s against %s](%s)\n\n", g.name, x, rel(path))
	}
	var findings []string
	if cmp := compareToBaseline(g.exps); cmp != nil {
		if err := writeBaseline(doc, cmp); err != nil {
			return err
		}
		findings = append(findings, cmp.findings()...)
		if err := writeTrainLoss(doc, g.exps); err != nil {
			return err
		}
		findings = append(findings, trainLossFindings(g.exps)...)
	}
	findings = append(findings, logRateFindings(g.exps)...)
	findings = append(findings, manifoldFindings(g.exps)...)
	for _, s := range findings {
		w("- %s\n", s)
	}
	if len(findings) > 0 {
		w("\n")
	}
	return nil
}

// outputPoints says at how many output points each training function was
// observed.
func outputPoints(r *Run) string {
	if r.TrainPoints > 0 {
		return fmt.Sprint(r.TrainPoints)
	}
	return fmt.Sprintf("all (%d per axis)", r.Setup.Points)
}

func isManifold(a *Analysis) bool { return strings.HasPrefix(a.First.Family, "manifold") }

// groupTable tabulates a group's experiments by what they vary, with their
// slopes and verdicts; log-rate experiments add the low-dimensional bound
// at the measured dimension, manifold ones the exponent at each measured
// dimension.
func groupTable(exps []*Analysis) ([]string, [][]string) {
	header := []string{"experiment", "theorem", "noise σ", "training output points", "family", "α̂ tail [95% CI]", "α̂ whole range [95% CI]", "α_T", "bound's slope over the tail", "verdict on the tail"}
	logRate := slices.ContainsFunc(exps, func(a *Analysis) bool { return a.Theorem.Form == bounds.LogRate })
	manifold := slices.ContainsFunc(exps, isManifold)
	if logRate {
		header = append(header, "low-dimensional bound at TwoNN / MLE", "tail against it at the MLE")
	}
	if manifold {
		header = append(header, "α_T at the PCA count", "α_T at TwoNN", "α_T at MLE")
	}
	var rows [][]string
	for _, a := range exps {
		row := []string{a.Experiment, a.Theorem.ID, fmt.Sprintf("%g", a.First.Noise), outputPoints(&a.First), a.First.Family}
		if a.FitErr != nil || a.AlphaErr != nil {
			row = append(row, "—", "—", "—", "—", "no fit: "+errors2(a.FitErr, a.AlphaErr).Error())
		} else {
			f := a.Fit
			row = append(row, fmt.Sprintf("%s (%s = %g…%g)", slopeStr(f.Slope), a.Theorem.Swept, f.Lo, f.Hi), slopeStr(f.Whole),
				alphaTStr(a), fmt.Sprintf("%.3f", a.AlphaLog), verdictStr(a))
		}
		if logRate {
			if a.Theorem.Form == bounds.LogRate {
				row = append(row, atDimsStr(a.AtDims, a.Theorem.ID), lowDimVerdict(a))
			} else {
				row = append(row, "—", "—")
			}
		}
		if manifold {
			d := a.AtDims
			if d == nil || !isManifold(a) {
				row = append(row, "—", "—", "—")
			} else {
				in := a.First.InputDim
				row = append(row, fmt.Sprintf("%s (PCA = %d)", optF3(d.PCA99), in.PCA99), fmt.Sprintf("%s (TwoNN = %s)", optF3(d.TwoNN), optF(in.TwoNN)), fmt.Sprintf("%s (MLE = %s)", optF3(d.MLE), optF(in.MLE)))
			}
		}
		rows = append(rows, row)
	}
	return header, rows
}

// lowDimVerdict judges a log-rate experiment's tail against the exponent
// its low-dimensional counterpart has at the measured (MLE) dimension.
func lowDimVerdict(a *Analysis) string {
	d := a.AtDims
	if a.FitErr != nil || a.AlphaErr != nil || d == nil || d.MLE == nil {
		return "—"
	}
	v, err := bounds.Judge(a.Fit.CILo, a.Fit.CIHi, *d.MLE)
	if err != nil {
		return "—"
	}
	return v.String()
}

// groupPlot draws the aggregated errors of a group's experiments, all swept
// in the same variable, on one log–log plot.
func groupPlot(name string, exps []*Analysis) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "group " + name
	p.X.Label.Text = xLabel(exps[0])
	p.Y.Label.Text = exps[0].Metric + " (" + aggName(exps[0].Aggregate) + ")"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = decades{}, decades{}
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}}
	colors := []color.Color{color.RGBA{B: 200, A: 255}, color.RGBA{R: 200, A: 255}, color.RGBA{G: 140, A: 255}, color.RGBA{R: 150, B: 150, A: 255}, color.RGBA{R: 200, G: 120, A: 255}, color.Black}
	for i, a := range exps {
		var xy plotter.XYs
		for _, r := range a.Rows {
			if r.Seeds > 0 && r.Err > 0 {
				xy = append(xy, plotter.XY{X: r.X, Y: r.Err})
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, err
		}
		c := colors[i%len(colors)]
		l.Color, l.Width = c, vg.Points(1)
		s.Color, s.Shape, s.Radius = c, shapes[i%len(shapes)], vg.Points(3)
		p.Add(l, s)
		p.Legend.Add(fmt.Sprintf("%s (%s; σ = %g; training output points: %s)", a.Experiment, a.First.Theorem, a.First.Noise, outputPoints(&a.First)), l, s)
	}
	return renderSVG(p)
}

// baselineComparison divides each experiment's error by the baseline's at
// every size both have, seed by seed.
type baselineComparison struct {
	varied string // "noise" or "points"
	base   *Analysis
	others []*Analysis
	// ratios[i] are others[i]'s ratios, by size.
	ratios [][]sizeRatio
}

// sizeRatio is the paired ratio of two experiments' errors at one size.
type sizeRatio struct {
	size, seeds   int
	x             float64 // the swept variable there
	ratio, lo, hi float64 // geometric mean and 95% t interval (NaN with one seed)
}

// compareToBaseline finds what a group varies and its baseline: the σ = 0
// experiment when the noise varies and the output points do not, the one
// observing every output point (the aligned grid, or else the most random
// points) when those vary and the noise does not. It
// returns nil when the group varies neither, or both, or has no baseline;
// only experiments swept as the baseline is are compared.
func compareToBaseline(exps []*Analysis) *baselineComparison {
	noises, points := map[float64]bool{}, map[int]bool{}
	others := map[string]bool{} // what else may vary: problem, family, sweep
	for _, a := range exps {
		noises[a.First.Noise], points[a.First.TrainPoints] = true, true
		others[a.First.Problem+"\x00"+a.First.Family+"\x00"+a.First.Sweep] = true
	}
	if len(others) > 1 {
		// A ratio to a baseline reads the effect of one setting; where the
		// operator, the inputs or the swept size differ too (the grf group:
		// length scales, model and data sweeps) it would read them all.
		return nil
	}
	c := &baselineComparison{}
	switch {
	case len(noises) > 1 && len(points) == 1:
		c.varied = "noise"
	case len(points) > 1 && len(noises) == 1:
		c.varied = "points"
	default:
		return nil
	}
	for _, a := range exps {
		if a.Theorem.ID == "" {
			continue
		}
		if (c.varied == "noise" && a.First.Noise == 0) || (c.varied == "points" && a.First.TrainPoints == 0) {
			c.base = a
			break
		}
		// Without the aligned grid, the most points a function is seen at.
		if c.varied == "points" && (c.base == nil || a.First.TrainPoints > c.base.First.TrainPoints) {
			c.base = a
		}
	}
	if c.base == nil {
		return nil
	}
	for _, a := range exps {
		if a == c.base || a.Theorem.ID == "" || a.Theorem.Swept != c.base.Theorem.Swept || a.Theorem.Quantity != c.base.Theorem.Quantity {
			continue
		}
		c.others = append(c.others, a)
		c.ratios = append(c.ratios, pairedRatios(a, c.base))
	}
	return c
}

// pairedRatios divides a's error by base's at each size both have, pairing
// the runs by seed.
func pairedRatios(a, base *Analysis) []sizeRatio {
	type key struct {
		size int
		seed uint64
	}
	q := base.Theorem.Quantity
	baseErr := map[key]float64{}
	for i := range base.runs {
		r := &base.runs[i]
		if !r.Train.Diverged {
			baseErr[key{r.Size, r.Seed}] = metricOf(q, r)
		}
	}
	logs := map[int][]float64{}
	xs := map[int]float64{}
	var sizes []int
	for i := range a.runs {
		r := &a.runs[i]
		b, ok := baseErr[key{r.Size, r.Seed}]
		if r.Train.Diverged || !ok || !(b > 0) || !(metricOf(q, r) > 0) {
			continue
		}
		if _, seen := logs[r.Size]; !seen {
			sizes = append(sizes, r.Size)
		}
		logs[r.Size] = append(logs[r.Size], math.Log(metricOf(q, r)/b))
		xs[r.Size] = a.x(r)
	}
	sort.Ints(sizes)
	var out []sizeRatio
	for _, n := range sizes {
		s := sizeRatio{size: n, x: xs[n], seeds: len(logs[n])}
		s.ratio, s.lo, s.hi = geoMeanInterval(logs[n])
		out = append(out, s)
	}
	return out
}

// geoMeanInterval returns exp of the mean of logs and its 95% t interval;
// the interval is NaN for fewer than two values.
func geoMeanInterval(logs []float64) (mean, lo, hi float64) {
	m := stat.Mean(logs, nil)
	if len(logs) < 2 {
		return math.Exp(m), math.NaN(), math.NaN()
	}
	k := float64(len(logs))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: k - 1}.Quantile(0.975)
	h := t * stat.StdDev(logs, nil) / math.Sqrt(k)
	return math.Exp(m), math.Exp(m - h), math.Exp(m + h)
}

// Ratio classes, by the rule of the data check (DataCheck.Sentence): an
// interval above 1 raised the error, one below 1 lowered it, one holding 1
// within the margin made no measurable difference; anything else cannot
// tell.
const (
	ratioRaised  = "raised"
	ratioLowered = "lowered"
	ratioNone    = "no measurable effect"
	ratioUnknown = "cannot tell"
)

func (s sizeRatio) class() string {
	switch {
	case math.IsNaN(s.lo):
		return ratioUnknown
	case s.lo > 1:
		return ratioRaised
	case s.hi < 1:
		return ratioLowered
	case s.lo >= 1/dataCheckMargin && s.hi <= dataCheckMargin:
		return ratioNone
	}
	return ratioUnknown
}

func (s sizeRatio) String() string {
	if math.IsNaN(s.lo) {
		return fmt.Sprintf("%.3g (1 seed)", s.ratio)
	}
	return fmt.Sprintf("%.3g [%.3g, %.3g]", s.ratio, s.lo, s.hi)
}

// label names an experiment by the setting the comparison varies.
func (c *baselineComparison) label(a *Analysis) string {
	if c.varied == "noise" {
		return fmt.Sprintf("σ = %g", a.First.Noise)
	}
	switch a.First.TrainPoints {
	case 0:
		return "all points"
	case 1:
		return "1 point"
	}
	return fmt.Sprintf("%d points", a.First.TrainPoints)
}

func writeBaseline(doc *bytes.Buffer, c *baselineComparison) error {
	if len(c.others) == 0 {
		return nil
	}
	fmt.Fprintf(doc, "Error divided by the baseline's (%s, %s), seed by seed, at each size (geometric mean over the seeds [95%% t interval]):\n\n", c.base.Experiment, c.label(c.base))
	header := []string{c.base.Theorem.Swept.String(), "baseline error (" + aggName(c.base.Aggregate) + ")"}
	for _, a := range c.others {
		header = append(header, fmt.Sprintf("%s (%s)", a.Experiment, c.label(a)))
	}
	baseErr := map[float64]float64{}
	var xs []float64
	for _, r := range c.base.Rows {
		if r.Seeds > 0 {
			baseErr[r.X] = r.Err
			xs = append(xs, r.X)
		}
	}
	for _, rs := range c.ratios {
		for _, s := range rs {
			if !slices.Contains(xs, s.x) {
				xs = append(xs, s.x)
			}
		}
	}
	slices.Sort(xs)
	var rows [][]string
	for _, x := range xs {
		row := []string{fmt.Sprintf("%g", x), "—"}
		if e, ok := baseErr[x]; ok {
			row[1] = fmt.Sprintf("%.3e", e)
		}
		for _, rs := range c.ratios {
			cell := "—"
			for _, s := range rs {
				if s.x == x {
					cell = s.String()
				}
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	if err := table.Markdown(doc, header, rows); err != nil {
		return err
	}
	doc.WriteString("\n")
	return nil
}

// findings say, for each experiment, at which sizes its setting raised the
// error above the baseline's and which regime its largest size is in, and
// whether its tail slope moved from the baseline's.
func (c *baselineComparison) findings() []string {
	var out []string
	what := map[string]string{"noise": "the noise", "points": "observing each training function at fewer output points"}[c.varied]
	x := c.base.Theorem.Swept
	for i, a := range c.others {
		rs := c.ratios[i]
		if len(rs) == 0 {
			out = append(out, fmt.Sprintf("%s (%s): no size with runs of the same seed in both it and the baseline; nothing to compare.", a.Experiment, c.label(a)))
			continue
		}
		by := map[string][]string{}
		for _, s := range rs {
			by[s.class()] = append(by[s.class()], fmt.Sprintf("%g", s.x))
		}
		s := fmt.Sprintf("**%s (%s)** against the baseline: ", a.Experiment, c.label(a))
		var parts []string
		for _, k := range []string{ratioRaised, ratioNone, ratioLowered, ratioUnknown} {
			if len(by[k]) > 0 {
				parts = append(parts, fmt.Sprintf("%s at %s = %s", k, x, strings.Join(by[k], ", ")))
			}
		}
		s += strings.Join(parts, "; ") + ". "
		last := rs[len(rs)-1]
		switch last.class() {
		case ratioRaised:
			s += fmt.Sprintf("At the largest size, %s = %g, %s raised the error by a factor %s: it limits the error there (variance-limited).", x, last.x, what, last)
		case ratioNone:
			s += fmt.Sprintf("At the largest size, %s = %g, %s made no measurable difference (ratio %s): a floor of the training or of the approximation above the noise's own level hides it.", x, last.x, what, last)
		case ratioLowered:
			s += fmt.Sprintf("At the largest size, %s = %g, the error is lower than the baseline's (ratio %s).", x, last.x, last)
		default:
			s += fmt.Sprintf("At the largest size, %s = %g, these seeds cannot tell whether %s changed the error (ratio %s).", x, last.x, what, last)
		}
		if a.FitErr == nil && a.AlphaErr == nil && c.base.FitErr == nil && c.base.AlphaErr == nil {
			f, b := a.Fit, c.base.Fit
			if overlaps(f.CILo, f.CIHi, b.CILo, b.CIHi) {
				s += fmt.Sprintf(" Its tail slope %s and the baseline's %s overlap: the exponent did not move measurably.", slopeStr(f.Slope), slopeStr(b.Slope))
			} else {
				dir := "steeper"
				if f.CIHi < b.CILo {
					dir = "shallower"
				}
				s += fmt.Sprintf(" Its tail slope %s is %s than the baseline's %s (intervals disjoint).", slopeStr(f.Slope), dir, slopeStr(b.Slope))
			}
		}
		out = append(out, s)
	}
	return out
}

// lossAtSize is the final training loss of a noisy experiment's runs at one
// size, against the noise's own level σ² in the loss.
type lossAtSize struct {
	x             float64
	seeds         int
	median        float64 // median final training loss over the seeds
	ratio, lo, hi float64 // geometric mean of loss/σ² and its 95% t interval
}

// trainLoss returns a noisy experiment's final training losses by size; nil
// without noise.
func trainLoss(a *Analysis) []lossAtSize {
	s2 := a.First.Noise * a.First.Noise
	if !(s2 > 0) {
		return nil
	}
	var out []lossAtSize
	for i := 0; i < len(a.runs); {
		j := i
		var loss, logs []float64
		for ; j < len(a.runs) && a.runs[j].Size == a.runs[i].Size; j++ {
			r := &a.runs[j]
			if r.Train.Diverged || !(r.Train.TrainLoss > 0) {
				continue
			}
			loss = append(loss, r.Train.TrainLoss)
			logs = append(logs, math.Log(r.Train.TrainLoss/s2))
		}
		if len(loss) > 0 {
			l := lossAtSize{x: a.x(&a.runs[i]), seeds: len(loss)}
			slices.Sort(loss)
			l.median = loss[len(loss)/2]
			if len(loss)%2 == 0 {
				l.median = (loss[len(loss)/2-1] + loss[len(loss)/2]) / 2
			}
			l.ratio, l.lo, l.hi = geoMeanInterval(logs)
			out = append(out, l)
		}
		i = j
	}
	return out
}

func writeTrainLoss(doc *bytes.Buffer, exps []*Analysis) error {
	var noisy []*Analysis
	for _, a := range exps {
		if a.First.Noise > 0 && len(trainLoss(a)) > 0 {
			noisy = append(noisy, a)
		}
	}
	if len(noisy) == 0 {
		return nil
	}
	fmt.Fprintf(doc, "Final training loss (the mean squared error of the last step's batch, noisy targets) against the noise's own level σ²: a network that fits the signal and not the noise has a training loss near σ² plus its fit error; one well below σ² fits the noise itself. Median over the seeds, and in units of σ² (geometric mean [95%% t interval]):\n\n")
	header := []string{noisy[0].Theorem.Swept.String()}
	cols := make([]map[float64]lossAtSize, len(noisy))
	var xs []float64
	for i, a := range noisy {
		header = append(header, fmt.Sprintf("%s (σ² = %.3g)", a.Experiment, a.First.Noise*a.First.Noise))
		cols[i] = map[float64]lossAtSize{}
		for _, l := range trainLoss(a) {
			cols[i][l.x] = l
			if !slices.Contains(xs, l.x) {
				xs = append(xs, l.x)
			}
		}
	}
	slices.Sort(xs)
	var rows [][]string
	for _, x := range xs {
		row := []string{fmt.Sprintf("%g", x)}
		for _, c := range cols {
			l, ok := c[x]
			if !ok {
				row = append(row, "—")
				continue
			}
			row = append(row, fmt.Sprintf("%.3e (%s σ²)", l.median, sizeRatio{ratio: l.ratio, lo: l.lo, hi: l.hi}))
		}
		rows = append(rows, row)
	}
	if err := table.Markdown(doc, header, rows); err != nil {
		return err
	}
	doc.WriteString("\n")
	return nil
}

// trainLossFindings say, for each noisy experiment at its largest size,
// whether its training loss lies below σ² (it fits the noise), around it
// (it fits the signal to below the noise level) or above it (its fit error,
// about loss − σ², is what the training leaves).
func trainLossFindings(exps []*Analysis) []string {
	var out []string
	for _, a := range exps {
		ls := trainLoss(a)
		if len(ls) == 0 {
			continue
		}
		l := ls[len(ls)-1]
		s2 := a.First.Noise * a.First.Noise
		x := a.Theorem.Swept
		r := sizeRatio{ratio: l.ratio, lo: l.lo, hi: l.hi}
		s := fmt.Sprintf("%s (σ = %g), final training loss at the largest size %s = %g: median %.3g, %s times σ² = %.3g. ", a.Experiment, a.First.Noise, x, l.x, l.median, r, s2)
		switch {
		case math.IsNaN(l.lo):
			s += "One seed gives no interval; nothing is concluded."
		case l.hi < 1:
			s += "It lies below σ²: the network fits part of the noise itself."
		case l.lo > 1 && l.ratio-1 < 1:
			s += fmt.Sprintf("It lies above σ², by a fit error of about loss − σ² ≈ %.3g, %.2g times the noise's level: the network fits the signal to below the noise's level and does not fit the noise.", (l.ratio-1)*s2, l.ratio-1)
		case l.lo > 1:
			s += fmt.Sprintf("It lies above σ²: the fit error left by the training, about loss − σ² ≈ %.3g, is %.2g times the noise's level, so the training, not the noise, sets the loss there.", (l.ratio-1)*s2, l.ratio-1)
		default:
			s += "Its interval holds σ²: the network fits the signal down to the noise's level and does not fit the noise."
		}
		out = append(out, s)
	}
	return out
}

// logRateFindings hold each log-rate experiment to its own scale and to the
// low-dimensional bound at its inputs' measured dimension.
func logRateFindings(exps []*Analysis) []string {
	var out []string
	for _, a := range exps {
		if a.Theorem.Form != bounds.LogRate || a.FitErr != nil || a.AlphaErr != nil {
			continue
		}
		f := a.Fit
		s := fmt.Sprintf("**%s** (%s, %s): over the tail %s = %g…%g the log-rate bound falls with slope %.3f on log–log axes (its own scale) and the error with %s: %s.",
			a.Experiment, a.Theorem.ID, a.First.Family, a.Theorem.Swept, f.Lo, f.Hi, a.AlphaLog, slopeStr(f.Slope), verdictStr(a))
		if d, in := a.AtDims, a.First.InputDim; d != nil && in != nil && d.MLE != nil {
			s += fmt.Sprintf(" The inputs measure MLE = %s, TwoNN = %s (PCA: %d components for 99%%); were they in a span of that dimension, %s would give α = %s (%s at TwoNN), and the tail's interval is %s.",
				optF(in.MLE), optF(in.TwoNN), in.PCA99, d.Theorem, optF3(d.MLE), optF3(d.TwoNN), lowDimPlace(a))
		}
		out = append(out, s)
	}
	return out
}

// lowDimPlace says where the tail's interval lies against the
// low-dimensional exponent at the MLE.
func lowDimPlace(a *Analysis) string {
	switch lowDimVerdict(a) {
	case bounds.FasterThanBound.String():
		return "above it: the error decays faster than the low-dimensional bound at the measured dimension"
	case bounds.SlowerThanBound.String():
		return "below it: the error decays more slowly than the low-dimensional bound at the measured dimension"
	case bounds.AtBound.String():
		return "around it: the measured dimension accounts for the decay"
	}
	return "not comparable"
}

// manifoldFindings say, for each experiment on a manifold family, which of
// the exponents at the PCA count, TwoNN and MLE its tail's interval holds:
// whether the exponent follows the intrinsic dimension or the linear span.
func manifoldFindings(exps []*Analysis) []string {
	var out []string
	for _, a := range exps {
		d, in := a.AtDims, a.First.InputDim
		if !isManifold(a) || a.FitErr != nil || a.AlphaErr != nil || d == nil || in == nil {
			continue
		}
		f := a.Fit
		type est struct {
			name  string
			alpha *float64
		}
		var held, notHeld []string
		var pca, intrinsic bool
		for _, e := range []est{{fmt.Sprintf("the PCA count %d", in.PCA99), d.PCA99}, {"TwoNN " + optF(in.TwoNN), d.TwoNN}, {"MLE " + optF(in.MLE), d.MLE}} {
			if e.alpha == nil {
				continue
			}
			t := fmt.Sprintf("%s (α_T = %.3f)", e.name, *e.alpha)
			if f.CILo <= *e.alpha && *e.alpha <= f.CIHi {
				held = append(held, t)
				if strings.HasPrefix(e.name, "the PCA") {
					pca = true
				} else {
					intrinsic = true
				}
			} else {
				notHeld = append(notHeld, t)
			}
		}
		s := fmt.Sprintf("**%s** (manifold d = %d, %s): the tail's interval %s ", a.Experiment, a.Dims.BU, d.Theorem, slopeStr(f.Slope))
		switch {
		case intrinsic && !pca:
			s += fmt.Sprintf("holds the exponent at %s and not at %s: the exponent follows the intrinsic dimension, not the PCA count.", strings.Join(held, " and "), strings.Join(notHeld, " and "))
		case pca && !intrinsic:
			s += fmt.Sprintf("holds the exponent at %s and not at %s: the exponent follows the PCA count, not the intrinsic dimension.", strings.Join(held, " and "), strings.Join(notHeld, " and "))
		case pca && intrinsic:
			s += fmt.Sprintf("holds the exponents at %s: these sizes and seeds cannot tell the intrinsic dimension from the PCA count.", strings.Join(held, " and "))
		default:
			s += fmt.Sprintf("holds none of the exponents at %s: ", strings.Join(notHeld, ", "))
			above, below := 0, 0
			for _, p := range []*float64{d.PCA99, d.TwoNN, d.MLE} {
				if p != nil && f.CILo > *p {
					above++
				}
				if p != nil && f.CIHi < *p {
					below++
				}
			}
			switch {
			case below == 0:
				s += "it lies above all of them, faster than the bound at any of these dimensions."
			case above == 0:
				s += "it lies below all of them, slower than the bound at any of these dimensions."
			default:
				s += "it lies between them, so it follows neither."
			}
		}
		out = append(out, s)
	}
	return out
}
