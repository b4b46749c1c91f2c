package harness

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat"

	"opscale/bounds"
)

// SizeRow summarises the runs at one size of a sweep.
type SizeRow struct {
	Size      int     // the suite's size: n, or the width of a model sweep
	X         float64 // the swept variable: n, or N = Params
	Params    int
	Seeds     int     // runs that finished
	Diverged  int     // runs that diverged, kept out of the fit
	Err       float64 // the theorem's error quantity, aggregated over seeds
	ErrSD     float64 // its standard deviation over seeds
	RelL2     float64 // mean relative L² error, averaged over seeds
	Sup       float64 // mean sup error, averaged over seeds
	Steps     float64 // mean training steps kept (best step)
	WallSec   float64
	Saturated bool // on the detected floor, excluded from the fit
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
	Alpha      float64 // the theorem's exponent
	AlphaLog   float64 // the slope its rate, log factor included, has over the fit range
	AlphaErr   error
	Verdict    bounds.Verdict
	VerdictLog bounds.Verdict
	// Envelope is the smallest C with e ≤ C·Rate(x) at every fitted size:
	// where it is attained says, with no unknown constant, whether the
	// errors fall more slowly than the rate.
	Envelope bounds.Envelope
	// AlphaDim is the theorem's exponent at the input dimension measured by
	// the Levina–Bickel estimate instead of the nominal one; DimUsed says
	// which dimension was replaced. Zero when nothing was measured or the
	// theorem reads no input dimension.
	AlphaDim float64
	DimUsed  string
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
	var order []string
	for _, r := range runs {
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
		out = append(out, analyze(id, byExp[id]))
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
		for ; j < len(cur) && cur[j].Size == cur[i].Size; j++ {
			r := &cur[j]
			if r.Train.Diverged {
				row.Diverged++
				continue
			}
			row.Seeds++
			errs = append(errs, metricOf(th.Quantity, r))
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
			points = append(points, Point{Size: row.X, Values: errs})
		}
		a.Rows = append(a.Rows, row)
		i = j
	}

	a.Fit, a.FitErr = FitPowerLaw(points, a.Aggregate)
	a.Alpha, a.AlphaErr = th.Exponent(a.Dims)
	if a.FitErr != nil || a.AlphaErr != nil {
		return a
	}
	k := 0
	for i := range a.Rows {
		if a.Rows[i].Seeds > 0 {
			a.Rows[i].Saturated = a.Fit.Saturated[k]
			k++
		}
	}
	a.alphaAtMeasuredDim()
	a.AlphaLog, a.AlphaErr = th.EffectiveExponent(a.Dims, a.Fit.Lo, a.Fit.Hi)
	if a.AlphaErr != nil {
		return a
	}
	var xs, es []float64
	for i, p := range points {
		if a.Fit.Used[i] {
			xs, es = append(xs, p.Size), append(es, a.Aggregate.of(p.Values))
		}
	}
	if a.Envelope, a.AlphaErr = th.Envelope(a.Dims, xs, es); a.AlphaErr != nil {
		return a
	}
	a.Verdict, a.FitErr = bounds.Judge(a.Fit.CILo, a.Fit.CIHi, a.Alpha)
	if a.FitErr == nil {
		a.VerdictLog, a.FitErr = bounds.Judge(a.Fit.CILo, a.Fit.CIHi, a.AlphaLog)
	}
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
// theory part, chosen by the numbers, not written in advance.
func (a *Analysis) Discussion() []string {
	if a.FitErr != nil || a.AlphaErr != nil {
		return []string{fmt.Sprintf("No verdict: %v", errors2(a.FitErr, a.AlphaErr))}
	}
	f := a.Fit
	var out []string
	switch a.Verdict {
	case bounds.FasterThanBound:
		out = append(out, fmt.Sprintf("The error decays faster than the bound allows for the whole Lipschitz class (α̂ = %.3f against α_T = %.3f). "+
			"An upper bound over a class need not be attained by one member of it: an operator smoother than Lipschitz, or errors still in a pre-asymptotic regime, can decay faster.",
			f.Exponent, a.Alpha))
	case bounds.AtBound:
		out = append(out, fmt.Sprintf("The confidence interval [%.3f, %.3f] contains the theorem's exponent %.3f: on these sizes the measurement cannot tell the error's decay from the bound's.",
			f.CILo, f.CIHi, a.Alpha))
	case bounds.SlowerThanBound:
		out = append(out, fmt.Sprintf("The error decays more slowly than the bound (α̂ = %.3f against α_T = %.3f). The bound is for the empirical risk minimiser; "+
			"a finite Adam budget on a fixed network does not reach it, so this measures the training, not a failure of the theorem.",
			f.Exponent, a.Alpha))
	}
	if a.Theorem.LogPower != 0 {
		grows := ""
		if a.AlphaLog < 0 {
			grows = ": the bound itself grows over these sizes, so it constrains nothing here"
		}
		out = append(out, fmt.Sprintf("The bound's factor (log %s)^%g is not negligible at these sizes: over %s = %g…%g it turns the slope of the rate from %+.3f into %+.3f%s (%s against it).",
			a.Theorem.Swept, a.Theorem.LogPower, a.Theorem.Swept, f.Lo, f.Hi, -a.Alpha, -a.AlphaLog, grows, a.VerdictLog))
	}
	env := a.Envelope
	switch {
	case env.Index == len(env.Ratios)-1:
		out = append(out, fmt.Sprintf("Envelope check: the smallest C with e ≤ C·rate (log factor included) is %.3g, attained at the largest size %s = %g: there the errors fall more slowly than the rate's own shape.", env.C, a.Theorem.Swept, env.At))
	default:
		out = append(out, fmt.Sprintf("Envelope check: the smallest C with e ≤ C·rate (log factor included) is %.3g, attained at %s = %g, not at the largest size: past it the errors keep below the rate's own shape.", env.C, a.Theorem.Swept, env.At))
	}
	if a.Theorem.Swept == bounds.DataSize && f.CILo <= 1 && 1 <= f.CIHi {
		out = append(out, "A slope near −1 is the variance-limited regime (Bahri et al.): the noise on the targets, not the dimension of the inputs, sets the decay.")
	}
	if a.Theorem.Swept == bounds.DataSize && f.CILo > 1 {
		out = append(out, "The decay is faster even than the variance-limited slope −1 of an estimator of fixed capacity: the smallest sizes are pre-asymptotic (too few functions for the network to fit the operator at all), a regime that no rate of the theory describes; more sizes at the large end, below the floor, would be needed to see the asymptotic slope.")
	}
	if f.Floor.Preferred {
		n := 0
		for _, s := range f.Saturated {
			if s {
				n++
			}
		}
		floor := fmt.Sprintf("A floor c = %.2e explains the data clearly better than a pure power law (A·x^{−%.2f} + c): an optimisation or precision floor, not a property of the operator. ", f.Floor.C, f.Floor.Alpha)
		if n > 0 {
			floor += fmt.Sprintf("%d point(s) where the floor is half the error or more were left out of the fit.", n)
		} else {
			floor += "Fewer than three points lie clear of it, so all were fitted and α̂ mixes the decay with the floor: it understates the decay before the floor and says little about the theorem."
		}
		out = append(out, floor)
	}
	if a.Seeds() < 5 {
		out = append(out, fmt.Sprintf("The interval comes from a bootstrap over only %d seeds per size, which understates the spread; treat it as indicative.", a.Seeds()))
	}
	if f.Hi/f.Lo < math.Pow(10, 1.5) {
		out = append(out, fmt.Sprintf("The fit spans only %.1f decades; the design asks for at least 1.5.", math.Log10(f.Hi/f.Lo)))
	}
	return out
}

func errors2(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
