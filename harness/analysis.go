package harness

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"

	"opscale/bounds"
)

// SizeRow summarises the runs at one size of a sweep.
type SizeRow struct {
	Size     int     // the suite's size: n, or the width of a model sweep
	X        float64 // the swept variable: n, or N = Params
	Params   int
	Seeds    int     // runs that finished
	Diverged int     // runs that diverged, kept out of the fit
	Err      float64 // the theorem's error quantity, aggregated over seeds
	ErrSD    float64 // its standard deviation over seeds
	RelL2    float64 // mean relative L² error, averaged over seeds
	Sup      float64 // mean sup error, averaged over seeds
	Steps    float64 // mean training steps kept (best step)
	WallSec  float64
	InTail   bool // among the sizes of the tail slope, which the verdict uses
}

// Analysis is one experiment's measured exponent set beside its theorem.
type Analysis struct {
	Experiment string
	Theorem    bounds.Theorem
	Dims       bounds.Dims
	Metric     string // which error is fitted
	Aggregate  Aggregate
	First      Run // a representative run, for the setup
	runs       []Run
	Rows       []SizeRow
	Stale      int // runs recorded under other settings, ignored
	Fit        Fit
	FitErr     error
	Alpha      float64 // the theorem's exponent (0 for a log-rate)
	// AlphaLog is the exponent the tail is judged against: the secant slope
	// of the rate, log factor included, over the tail's sizes.
	AlphaLog float64
	AlphaErr error
	// Verdict judges the tail slope against the bound over the tail
	// (bounds.JudgeRange); Range holds the comparison's numbers.
	Verdict bounds.Verdict
	Range   bounds.RangeVerdict
	// VerdictAsym judges the tail slope against α_T alone, the bound's
	// asymptotic exponent without its log factor; power laws only.
	VerdictAsym bounds.Verdict
	// FlatTail is set when a verdict of "at the bound" was made
	// Uninformative because the tail's interval holds 0 as well: it could
	// not have come out otherwise.
	FlatTail bool
	// Envelope holds e(x)/Rate(x) at every size (log factor included), and
	// the smallest C with e ≤ C·Rate at all of them.
	Envelope bounds.Envelope
	// EnvelopeGrows is set when the ratio grows over the tail: the tail
	// slope's interval lies wholly below the rate's slope there.
	EnvelopeGrows bool
	// AlphaDim is the theorem's exponent at the input dimension measured by
	// the Levina–Bickel estimate instead of the nominal one; DimUsed says
	// which dimension was replaced. Zero when nothing was measured or the
	// theorem reads no input dimension.
	AlphaDim float64
	DimUsed  string
	// AtDims is the exponent at each measured input dimension (the PCA
	// count at 99%, TwoNN, MLE) in place of the nominal one; for a log-rate
	// theorem, the exponent of its low-dimensional counterpart
	// (T-don-approx-low, T-don-gen-low) with b_U the measured dimension.
	// Nil when nothing was measured or no exponent reads the dimension.
	AtDims *DimAlphas
	// Group is the experiment's regime group, as its latest run records it.
	Group string
	// OldN is set when the runs predate separate validation functions: their
	// n included a validation fraction of it, so they trained on fewer.
	OldN bool
	// DataCheck compares the error at the largest width with that of the
	// sweep's data check, on twice the data; nil without check runs.
	DataCheck *DataCheck
	// Precision is the outcome of the precision check of an experiment
	// with precision = "auto"; nil for any other.
	Precision *PrecisionCheck
}

// Kind returns the network kind of a data sweep: KindFixed or
// KindPrescribed.
func (a *Analysis) Kind() string {
	if a.First.Prescribed != nil {
		return KindPrescribed
	}
	return KindFixed
}

// metricOf returns the error a theorem bounds, from a run's metrics.
func metricOf(q bounds.Quantity, r *Run) float64 {
	if q == bounds.SupError {
		return r.Metrics.MeanSup
	}
	return r.Metrics.MeanSqL2
}

// Analyze groups runs by experiment and fits each. Runs recorded under
// settings other than the experiment's latest are counted and ignored.
func Analyze(runs []Run) []Analysis {
	byExp := map[string][]Run{}
	// A data check's runs are not an experiment of their own: they are
	// kept out of every fit and set beside their sweep's largest width.
	checks := map[string][]Run{}
	// Nor are a precision check's, but they decide which runs are fitted.
	precChecks := map[string][]Run{}
	var order []string
	for _, r := range runs {
		if r.DataCheckOf != "" {
			checks[r.DataCheckOf] = append(checks[r.DataCheckOf], r)
			continue
		}
		if r.PrecisionCheckOf != "" {
			precChecks[r.PrecisionCheckOf] = append(precChecks[r.PrecisionCheckOf], r)
			continue
		}
		if _, ok := byExp[r.Experiment]; !ok {
			order = append(order, r.Experiment)
		}
		byExp[r.Experiment] = append(byExp[r.Experiment], r)
	}
	// Suite order first; runs from different suites keep the order in
	// which they were first recorded.
	sort.SliceStable(order, func(i, j int) bool { return byExp[order[i]][0].Order < byExp[order[j]][0].Order })
	var out []Analysis
	for _, id := range order {
		pc, runs := checkPrecision(precChecks[id], byExp[id])
		a := analyze(id, runs)
		a.Precision = pc
		if a.Theorem.ID != "" {
			a.DataCheck = a.checkData(checks[id])
		}
		out = append(out, a)
	}
	return out
}

func analyze(id string, runs []Run) Analysis {
	a := Analysis{Experiment: id}
	latest := runs[len(runs)-1].ConfigHash
	var cur []Run
	for _, r := range runs {
		if r.ConfigHash == latest {
			cur = append(cur, r)
		} else {
			a.Stale++
		}
	}
	sort.SliceStable(cur, func(i, j int) bool {
		if cur[i].Size != cur[j].Size {
			return cur[i].Size < cur[j].Size
		}
		return cur[i].Seed < cur[j].Seed
	})
	a.First, a.runs = cur[0], cur
	a.Group = runs[len(runs)-1].Group // the latest recorded
	th, err := bounds.Lookup(a.First.Theorem)
	if err != nil {
		a.FitErr = err
		return a
	}
	a.Theorem = th
	a.Dims = bounds.Dims{D1: a.First.D1, D2: a.First.D2, BU: a.First.BU}
	if g := a.First.Regression; g != nil {
		a.Dims.D = g.D // the intrinsic d, not the ambient D
	}
	a.Metric = "mean squared L2 error"
	if th.Quantity == bounds.SupError {
		a.Metric = "mean sup error"
	}
	if th.Swept == bounds.ModelSize {
		a.Aggregate = Best
	}

	var points []Point
	for i := 0; i < len(cur); {
		j := i
		row := SizeRow{Size: cur[i].Size, Params: cur[i].Params, X: a.x(&cur[i])}
		var errs []float64
		var seeds []uint64
		for ; j < len(cur) && cur[j].Size == cur[i].Size; j++ {
			r := &cur[j]
			if r.Train.Diverged {
				row.Diverged++
				continue
			}
			row.Seeds++
			errs = append(errs, metricOf(th.Quantity, r))
			seeds = append(seeds, r.Seed)
			row.RelL2 += r.Metrics.MeanRelL2
			row.Sup += r.Metrics.MeanSup
			row.Steps += float64(r.Train.BestStep)
			row.WallSec += r.WallSec
		}
		if row.Seeds > 0 {
			row.Err = a.Aggregate.of(errs)
			if len(errs) > 1 {
				row.ErrSD = stat.StdDev(errs, nil)
			}
			row.RelL2 /= float64(row.Seeds)
			row.Sup /= float64(row.Seeds)
			row.Steps /= float64(row.Seeds)
			points = append(points, Point{Size: row.X, Values: errs, Seeds: seeds})
		}
		a.Rows = append(a.Rows, row)
		i = j
	}

	a.OldN = a.First.Validation == nil && a.First.Setup.Training.Validation > 0 && th.Swept == bounds.DataSize
	a.Fit, a.FitErr = FitPowerLaw(points, a.Aggregate)
	a.Alpha, a.AlphaErr = th.Exponent(a.Dims)
	if a.FitErr != nil || a.AlphaErr != nil {
		return a
	}
	k := 0
	for i := range a.Rows {
		if a.Rows[i].Seeds > 0 {
			a.Rows[i].InTail = k >= a.Fit.First && k <= a.Fit.Last
			k++
		}
	}
	a.alphaAtMeasuredDim()
	a.AtDims = alphasAtDims(a.Theorem, a.Dims, a.First.InputDim)
	f := a.Fit
	if a.Range, a.AlphaErr = th.JudgeRange(a.Dims, f.Lo, f.Hi, f.Exponent, f.CILo, f.CIHi); a.AlphaErr != nil {
		return a
	}
	a.AlphaLog, a.Verdict = a.Range.Alpha, a.Range.Verdict
	if th.Form == bounds.PowerLaw {
		if a.VerdictAsym, a.FitErr = bounds.Judge(f.CILo, f.CIHi, a.Alpha); a.FitErr != nil {
			return a
		}
	}
	// A tail that cannot be told from flat and whose interval also holds the
	// bound's exponent could not have been judged otherwise: "at the bound"
	// would be no verdict (docs/METHOD.md, "Verdicts").
	if f.Flat && a.Verdict == bounds.AtBound {
		a.Verdict, a.FlatTail = bounds.Uninformative, true
	}
	if f.Flat && a.VerdictAsym == bounds.AtBound && th.Form == bounds.PowerLaw {
		a.VerdictAsym, a.FlatTail = bounds.Uninformative, true
	}
	xs, es := make([]float64, len(points)), make([]float64, len(points))
	for i, p := range points {
		xs[i], es[i] = p.Size, a.Aggregate.of(p.Values)
	}
	a.Envelope, a.AlphaErr = th.Envelope(a.Dims, xs, es)
	a.EnvelopeGrows = f.CIHi < a.AlphaLog
	return a
}

func (a *Analysis) alphaAtMeasuredDim() {
	d := a.First.InputDim
	if d == nil || d.MLE == nil || a.Theorem.Form == bounds.LogRate {
		return
	}
	f := a.Dims.Float()
	switch {
	case slices.Contains(a.Theorem.Reads, bounds.DimBU):
		f.BU, a.DimUsed = *d.MLE, "b_U"
	case slices.Contains(a.Theorem.Reads, bounds.DimD):
		f.D, a.DimUsed = *d.MLE, "d"
	default:
		return
	}
	if alpha, err := a.Theorem.ExponentAt(f); err == nil {
		a.AlphaDim = alpha
	} else {
		a.DimUsed = ""
	}
}

// x returns the value of the swept variable of a run.
func (a *Analysis) x(r *Run) float64 {
	if a.Theorem.Swept == bounds.ModelSize {
		return float64(r.Params)
	}
	return float64(r.NTrain)
}

// Seeds returns the distinct seeds the analysis's runs used.
func (a *Analysis) Seeds() int {
	return slices.Max(rowSeeds(a.Rows))
}

func rowSeeds(rows []SizeRow) []int {
	s := []int{0}
	for _, r := range rows {
		s = append(s, r.Seeds+r.Diverged)
	}
	return s
}

// Discussion returns the sentences that say where the measurement and the
// theory part, chosen by the numbers, not written in advance. The method
// behind each is in docs/METHOD.md.
func (a *Analysis) Discussion() []string {
	if a.FitErr != nil || a.AlphaErr != nil {
		return []string{fmt.Sprintf("No verdict: %v", errors2(a.FitErr, a.AlphaErr))}
	}
	f := a.Fit
	x := a.Theorem.Swept
	var out []string
	if a.OldN {
		out = append(out, fmt.Sprintf("These runs predate separate validation functions: their n counted a %.0f%% validation share, so each trained on about %.0f%% of the n shown. Re-run the suite to measure with n counting training pairs alone.",
			100*a.First.Setup.Training.Validation, 100*(1-a.First.Setup.Training.Validation)))
	}
	span := fmt.Sprintf("%s = %g…%g", x, f.Lo, f.Hi)
	switch a.Verdict {
	case bounds.Uninformative:
		if a.FlatTail && a.Range.Verdict != bounds.Uninformative {
			out = append(out, fmt.Sprintf("Uninformative over this range: the tail's interval [%.3f, %.3f] holds both 0 (a floor) and the bound's slope %.3f, so these sizes and seeds cannot tell a decay at the bound from no decay at all.",
				f.CILo, f.CIHi, a.AlphaLog))
			break
		}
		from, _ := a.Theorem.DecreasingFrom(a.Dims)
		out = append(out, fmt.Sprintf("Uninformative over this range: the bound with its factor (log %s)^%g rises until %s ≈ %.0f, so over the tail %s it does not decrease and no measured decay can be held against it. Only sizes past %.0f can test it.",
			x, a.Theorem.LogPower, x, from, span, from))
	case bounds.FasterThanBound:
		out = append(out, fmt.Sprintf("Over the tail %s the error falls by a factor %.3g [%.3g, %.3g], more than the bound's %.3g: faster than the bound. "+
			"An upper bound over a class need not be attained by one member of it: an operator smoother than Lipschitz, or errors still in a pre-asymptotic regime, can decay faster.",
			span, a.Range.MeasuredRatio, a.Range.MeasuredLo, a.Range.MeasuredHi, a.Range.BoundRatio))
	case bounds.AtBound:
		out = append(out, fmt.Sprintf("Over the tail %s the error falls by a factor %.3g [%.3g, %.3g] and the bound by %.3g: within the interval, the measurement cannot tell the error's decay from the bound's.",
			span, a.Range.MeasuredRatio, a.Range.MeasuredLo, a.Range.MeasuredHi, a.Range.BoundRatio))
	case bounds.SlowerThanBound:
		out = append(out, fmt.Sprintf("Over the tail %s the error falls by a factor %.3g [%.3g, %.3g], less than the bound's %.3g: slower than the bound. The bound is for the empirical risk minimiser; "+
			"a finite Adam budget, or a network that does not grow with %s, does not reach it, so this measures the training, not a failure of the theorem.",
			span, a.Range.MeasuredRatio, a.Range.MeasuredLo, a.Range.MeasuredHi, a.Range.BoundRatio, x))
	}
	if a.Theorem.Form == bounds.LogRate {
		out = append(out, fmt.Sprintf("A log-rate is judged on its own scale: over the tail it falls like %s^{−%.3f}, the exponent the verdict uses, not the 0 of its asymptotic power-law exponent.", x, a.AlphaLog))
	}
	if d := f.Exponent - f.Whole.Exponent; math.Abs(d) > 0 && (f.CIHi < f.Whole.Exponent || f.CILo > f.Whole.Exponent) {
		dir := "slower"
		if d > 0 {
			dir = "faster"
		}
		out = append(out, fmt.Sprintf("The slope depends on the range (de Hoop et al.): the whole range gives α̂ = %.3f, the tail %.3f, whose interval excludes it; the decay is %s at the largest sizes. The local slopes under the plot show where it changes.",
			f.Whole.Exponent, f.Exponent, dir))
	}
	if f.Flat {
		out = append(out, fmt.Sprintf("Floor: the tail's interval [%.3f, %.3f] contains 0, so the tail cannot be told from flat: the error has met a floor (optimisation, precision, the network's capacity or solver accuracy), not a property of the operator. No point was dropped; the slopes above the floor are in the local-slope panel.", f.CILo, f.CIHi))
	}
	env := a.Envelope
	first, last := env.Ratios[f.First], env.Ratios[f.Last]
	if a.EnvelopeGrows {
		out = append(out, fmt.Sprintf("Envelope: e/rate (log factor included) grows over the tail, from %.3g at %s = %g to %.3g at %g; the tail's interval lies below the rate's slope, so it does not stay bounded on these sizes.", first, x, f.Lo, last, f.Hi))
	} else {
		out = append(out, fmt.Sprintf("Envelope: e/rate (log factor included) goes from %.3g at %s = %g to %.3g at %g over the tail; the tail slope is not significantly below the rate's, so it stays bounded there (smallest C over all sizes %.3g, at %s = %g).", first, x, f.Lo, last, f.Hi, env.C, x, env.At))
	}
	if x == bounds.DataSize {
		if a.Kind() == KindPrescribed {
			out = append(out, "Regime: the network grows with n as the proof prescribes (constants calibrated at the smallest size), so the tail measures the estimator the bound is about, as far as the training reaches its minimiser.")
		} else {
			out = append(out, fmt.Sprintf("Regime: the network is fixed (N = %d at every n), so at large n the error approaches this network's own capacity or training floor, or the variance-limited slope 1 of an estimator of fixed size, not the bound's rate, which assumes a network grown with n.", a.First.Params))
		}
	}
	if x == bounds.DataSize && f.CILo <= 1 && 1 <= f.CIHi {
		// An interval wide enough to hold 1 and the bound's exponent (or 0)
		// names no regime: say so rather than pick one.
		var also []string
		if f.CILo <= 0 {
			also = append(also, "0 (a floor)")
		}
		if a.Theorem.Form == bounds.PowerLaw && f.CILo <= a.Alpha && a.Alpha <= f.CIHi {
			also = append(also, fmt.Sprintf("α_T = %.3f", a.Alpha))
		}
		if len(also) > 0 {
			out = append(out, fmt.Sprintf("The tail's interval [%.3f, %.3f] holds the variance-limited slope 1 (Bahri et al.) but also %s: these sizes and seeds cannot tell those regimes apart.", f.CILo, f.CIHi, strings.Join(also, " and ")))
		} else {
			out = append(out, "The tail slope is consistent with −1, the variance-limited regime (Bahri et al.), and not with the bound's exponent: the noise on the targets, not the dimension of the inputs, sets the decay.")
		}
	}
	if x == bounds.DataSize && f.CILo > 1 {
		out = append(out, "The tail falls faster even than the variance-limited slope −1 of an estimator of fixed capacity: these sizes are pre-asymptotic (too few functions for the network to fit the operator at all), a regime that no rate of the theory describes.")
	}
	if f.Short > 0 {
		out = append(out, fmt.Sprintf("In %d of %d bootstrap replicates some slope had fewer than two sizes with a drawn seed (runs missing or diverged) and was left out of that slope's interval.", f.Short, bootstrapReps))
	}
	if a.Seeds() < 5 {
		out = append(out, fmt.Sprintf("The intervals come from a cluster bootstrap over only %d seeds, widened for so few (docs/METHOD.md); treat them as indicative.", a.Seeds()))
	}
	if f.Whole.Hi/f.Whole.Lo < math.Pow(10, 1.5) {
		out = append(out, fmt.Sprintf("The sizes span only %.1f decades; the method asks for at least 1.5.", math.Log10(f.Whole.Hi/f.Whole.Lo)))
	}
	return out
}

func errors2(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
