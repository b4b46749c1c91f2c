package harness

import (
	"fmt"
	"math"
	"time"

	"opscale/bounds"
)

// PlanResult is everything a plan shows.
type PlanResult struct {
	Source         string
	N, M, P, D2    int
	Train, Test    int
	Metric         Metric
	Budget         time.Duration
	Target         float64
	Grid           planGrid
	Runs           []planRun
	Dim            planDim
	DimSample      int
	DimErr         error
	Theory         []TheoryRow
	SlopeN, SlopeD planSlope // α_N over the model sweep, α_n over the data sweep
	Law            JointLaw
	LawReps        int
	LawErr         error
	AlphaN, AlphaD Interval
	Floor          Interval
	Now            Interval // the law at the proof of concept's largest sizes
	Measured       float64  // the measured mean error there
	Predictions    []Prediction
	HalveData      Interval // factor of data that halves the error
	HalveModel     Interval // factor of parameters that does
	TargetPlan     *TargetPlan
	Warnings       []string
	Elapsed        time.Duration
	reps           []JointLaw // the bootstrap replicates of Law
}

// TheoryRow is the theorems' exponents, in the plan's metric, at one
// estimate of the inputs' intrinsic dimension.
type TheoryRow struct {
	Estimator string
	Dim       float64
	Model     float64 // T-don-approx-low: 1/(b_U + d2) for an error
	Data      float64 // T-don-gen-low: 2/(2 + b_U + d2) for a squared error
}

// Prediction is the law's error at a larger size, with its interval.
type Prediction struct {
	Label  string
	N, D   float64 // parameters and training functions
	Err    Interval
	Factor float64 // the error's ratio to the law's at the current sizes
}

// TargetPlan answers "what reaches the target?".
type TargetPlan struct {
	Reachable bool
	Floor     Interval
	// Balanced sizes split the margin above the floor evenly between the two
	// terms; DataOnly and ModelOnly grow one resource alone (+Inf: cannot).
	N, D                float64
	NLo, NHi, DLo, DHi  float64
	Width               float64
	DataOnly, ModelOnly float64 // training functions, parameters
	// Share is the fraction of bootstrap replicates in which the target is
	// reachable at all.
	Share float64
}

// Plan measures the inputs' intrinsic dimension, runs the proof-of-concept
// grid within the budget, fits the exponents and the joint law, and prices
// the next step. Bad data and a budget too small for the minimal grid are
// errors returned before any training.
func Plan(d *PlanData, cfg PlanConfig) (*PlanResult, error) {
	start := time.Now()
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	logf := func(format string, a ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format, a...)
		}
	}
	trainIdx, testIdx := planSplit(d.N, cfg.Seed)
	sc := newPlanScale(d, trainIdx)
	res := &PlanResult{Source: d.Source, N: d.N, M: d.M, P: d.P, D2: d.D2, Train: len(trainIdx), Test: len(testIdx),
		Metric: cfg.Metric, Budget: cfg.Budget, Target: cfg.Target}

	// Sizing comes first so that a budget too small fails before anything
	// long runs; the dimension step's cost is measured on a small sample
	// and set aside.
	cost := measureCost(d, 8, 64)
	dimN := min(len(trainIdx), dimSample)
	dimU, _ := d.rows(trainIdx[:dimN])
	dimCost := 0.0
	if dimN >= planMinDimSample {
		probe := min(dimN, 200)
		t0 := time.Now()
		_, _ = planEstimateDim(dimU[:probe*d.M], probe, d.M)
		dimCost = time.Since(t0).Seconds() * math.Pow(float64(dimN)/float64(probe), 2)
	}
	const fitCost = 5 // seconds for the fits and the bootstrap, measured at about 2
	// The probe lasts a fraction of a second; a quarter of the budget is
	// kept back for the machine being slower over minutes than in it
	// (other work, frequency scaling).
	left := 0.75*cfg.Budget.Seconds() - time.Since(start).Seconds() - dimCost - fitCost
	grid, gridCost, err := sizeGrid(d, &cfg, cost, left)
	if err != nil {
		return nil, err
	}
	res.Grid = grid
	if used := grid.DataSizes[len(grid.DataSizes)-1]; used < len(trainIdx) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("to fit the budget the proof of concept trained on up to %d of the %d training functions; a larger -budget uses more of them", used, len(trainIdx)))
	}
	runs := grid.runs()
	logf("plan: %d functions (%d train, %d test), m=%d sensors, P=%d points, d2=%d; budget %v\n",
		d.N, len(trainIdx), len(testIdx), d.M, d.P, d.D2, cfg.Budget)
	logf("plan: grid of %d runs (widths %v at n=%d; data sizes %v at width %d; %d seeds; %d steps each), about %s\n",
		len(runs), grid.Widths, grid.DataSizes[len(grid.DataSizes)-1], grid.DataSizes, grid.Widths[len(grid.Widths)-1], grid.Seeds, grid.Steps, fmtDur(gridCost))

	// Step 1: intrinsic dimension and the theorems' exponents there.
	logf("[1/4] intrinsic dimension of %d training inputs in R^%d (about %s; %s left in all)\n", dimN, d.M, fmtDur(dimCost), fmtDur(dimCost+gridCost+fitCost))
	res.DimSample = dimN
	if dimN >= planMinDimSample {
		res.Dim, res.DimErr = planEstimateDim(dimU, dimN, d.M)
	} else {
		res.DimErr = fmt.Errorf("%d inputs: the estimators need at least %d", dimN, planMinDimSample)
	}
	if res.DimErr == nil {
		res.Theory = theoryRows(res.Dim, d.D2, cfg.Metric)
		logf("      PCA 99%%: %d, PCA 99.9%%: %d, TwoNN: %.2f, MLE: %.2f\n", res.Dim.PCA99, res.Dim.PCA999, res.Dim.TwoNN, res.Dim.MLE)
	} else {
		logf("      no estimate: %v\n", res.DimErr)
	}

	// Step 2: the grid.
	logf("[2/4] proof of concept: %d runs, about %s\n", len(runs), fmtDur(gridCost))
	predicted, spent := 0.0, 0.0
	for i := range runs {
		r := &runs[i]
		if err := trainPlanRun(d, sc, trainIdx, testIdx, r, grid.Steps, cfg.Metric, cfg.Seed); err != nil {
			return nil, fmt.Errorf("run width %d, n=%d, seed %d: %w", r.Width, r.N, r.SeedIdx+1, err)
		}
		predicted += cost.run(d.M, d.P, d.D2, r.Width, r.N, grid.Steps, grid.Test)
		spent += r.Sec
		remaining := (gridCost - predicted) * spent / max(predicted, 1e-9)
		status := fmt.Sprintf("%s %.3e", cfg.Metric, r.Err)
		if r.Diverged {
			status += " (diverged)"
		}
		logf("      [%d/%d] width %d (N=%d), n=%d, seed %d: %s, %.1fs; about %s left\n",
			i+1, len(runs), r.Width, r.Params, r.N, r.SeedIdx+1, status, r.Sec, fmtDur(remaining+fitCost))
	}
	res.Runs = runs

	// Steps 3 and 4: the fits.
	logf("[3/4] fitting α_N and α_n with intervals\n")
	logf("[4/4] fitting the joint law e(N, n) = A·N^−αN + B·n^−αn + c, %d bootstrap replicates over seeds\n", lawReps)
	res.analyse(cfg.Seed)
	res.Elapsed = time.Since(start)
	return res, nil
}

// theoryRows converts the theorems' exponents at each estimate to the
// plan's metric: the approximation theorem bounds an error, the
// generalization theorem a squared one.
func theoryRows(dim planDim, d2 int, metric Metric) []TheoryRow {
	approx, _ := bounds.Lookup("T-don-approx-low")
	gen, _ := bounds.Lookup("T-don-gen-low")
	var rows []TheoryRow
	for _, e := range []struct {
		name string
		v    float64
	}{{"PCA 99%", float64(dim.PCA99)}, {"PCA 99.9%", float64(dim.PCA999)}, {"TwoNN", dim.TwoNN}, {"MLE", dim.MLE}} {
		f := bounds.DimsF{BU: e.v, D2: float64(d2)}
		a, err1 := approx.ExponentAt(f)
		g, err2 := gen.ExponentAt(f)
		if err1 != nil || err2 != nil {
			continue
		}
		if metric.squared() {
			a *= 2
		} else {
			g /= 2
		}
		rows = append(rows, TheoryRow{Estimator: e.name, Dim: e.v, Model: a, Data: g})
	}
	return rows
}

// sweepPoints returns the grid's two sweeps as fit points, mean over seeds
// taken by the fit; diverged runs count with their recorded error, as they
// would in the user's own training.
func (r *PlanResult) sweepPoints() (model, data []Point, pts []lawPoint) {
	g := r.Grid
	wMax, nMax := g.Widths[len(g.Widths)-1], g.DataSizes[len(g.DataSizes)-1]
	vals := map[[2]int][]float64{}
	params := map[int]int{}
	for _, run := range r.Runs {
		k := [2]int{run.Width, run.N}
		vals[k] = append(vals[k], run.Err)
		params[run.Width] = run.Params
	}
	for _, w := range g.Widths {
		v := vals[[2]int{w, nMax}]
		model = append(model, Point{Size: float64(params[w]), Values: v})
		pts = append(pts, lawPoint{N: float64(params[w]), D: float64(nMax), Values: v})
	}
	for _, n := range g.DataSizes {
		v := vals[[2]int{wMax, n}]
		data = append(data, Point{Size: float64(n), Values: v})
		if n != nMax {
			pts = append(pts, lawPoint{N: float64(params[wMax]), D: float64(n), Values: v})
		}
	}
	return model, data, pts
}

// analyse fits the slopes and the law and derives the predictions.
func (r *PlanResult) analyse(seed uint64) {
	model, data, pts := r.sweepPoints()
	r.SlopeN, r.SlopeD = planFitSlope(model), planFitSlope(data)
	n0, d0 := model[len(model)-1].Size, data[len(data)-1].Size
	r.Measured = meanOf(model[len(model)-1].Values)
	r.Law, r.LawErr = fitJointLaw(pts, n0, d0)
	if r.LawErr != nil {
		r.Warnings = append(r.Warnings, "no joint law: "+r.LawErr.Error())
		r.warnSweeps(model, data)
		return
	}
	reps := bootstrapLaw(pts, r.Grid.Seeds, n0, d0, seed)
	r.reps, r.LawReps = reps, len(reps)
	l := r.Law
	r.AlphaN = intervalOf(l.AlphaN, reps, func(b JointLaw) float64 { return b.AlphaN })
	r.AlphaD = intervalOf(l.AlphaD, reps, func(b JointLaw) float64 { return b.AlphaD })
	r.Floor = intervalOf(l.C, reps, func(b JointLaw) float64 { return b.C })
	now := l.At(n0, d0)
	r.Now = intervalOf(now, reps, func(b JointLaw) float64 { return b.At(n0, d0) })
	for _, p := range []struct {
		label  string
		kN, kD float64
	}{{"2× data", 1, 2}, {"4× data", 1, 4}, {"2× parameters", 2, 1}, {"4× parameters", 4, 1}} {
		N, D := p.kN*n0, p.kD*d0
		r.Predictions = append(r.Predictions, Prediction{
			Label: p.label, N: N, D: D,
			Err:    intervalOf(l.At(N, D), reps, func(b JointLaw) float64 { return b.At(N, D) }),
			Factor: l.At(N, D) / now,
		})
	}
	r.HalveData = intervalOf(l.halvingFactor(true), reps, func(b JointLaw) float64 { return b.halvingFactor(true) })
	r.HalveModel = intervalOf(l.halvingFactor(false), reps, func(b JointLaw) float64 { return b.halvingFactor(false) })
	if r.Target > 0 {
		r.TargetPlan = r.targetPlan(reps)
	}
	r.warnSweeps(model, data)
	if l.C >= now/2 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the proof of concept sits on a floor: c = %.3g is %.0f%% of the error at its largest sizes; neither more data nor more parameters lowers the error below c (look at the optimiser, the precision or the noise in the data)", l.C, 100*l.C/now))
	}
}

func (r *PlanResult) targetPlan(reps []JointLaw) *TargetPlan {
	l := r.Law
	n0, d0 := l.N0, l.D0
	t := &TargetPlan{Floor: r.Floor}
	kN, kD := l.sizesFor(r.Target)
	t.Reachable = !math.IsInf(kN, 1)
	t.N, t.D = kN*n0, kD*d0
	t.Width = planWidthFor(r.M, r.D2, t.N)
	t.DataOnly = l.alone(r.Target, true) * d0
	t.ModelOnly = l.alone(r.Target, false) * n0
	var ns, ds []float64
	reach := 0
	for _, b := range reps {
		a, c := b.sizesFor(r.Target)
		if !math.IsInf(a, 1) {
			reach++
		}
		ns, ds = append(ns, a*n0), append(ds, c*d0)
	}
	t.NLo, t.NHi = percentiles(ns)
	t.DLo, t.DHi = percentiles(ds)
	if len(reps) > 0 {
		t.Share = float64(reach) / float64(len(reps))
	}
	return t
}

// warnSweeps flags sweeps that cannot say much: too few sizes or too short
// a range, an interval that includes no decrease, a slope still steepening
// at the largest sizes (pre-asymptotic), errors near those of a network that
// has learnt nothing.
func (r *PlanResult) warnSweeps(model, data []Point) {
	for _, s := range []struct {
		name  string
		pts   []Point
		slope planSlope
	}{{"model sweep (α_N)", model, r.SlopeN}, {"data sweep (α_n)", data, r.SlopeD}} {
		lo, hi := s.pts[0].Size, s.pts[len(s.pts)-1].Size
		if dec := math.Log10(hi / lo); len(s.pts) < planMinSizes || dec < 1 {
			r.Warnings = append(r.Warnings, fmt.Sprintf("too few sizes: the %s has %d sizes over %.1f decades; exponents from less than a decade are indicative only (more functions widen the data sweep)", s.name, len(s.pts), dec))
		}
		if s.slope.Err != nil {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s: no fit: %v", s.name, s.slope.Err))
			continue
		}
		if s.slope.Lo <= 0 {
			r.Warnings = append(r.Warnings, fmt.Sprintf("the %s cannot tell whether the error decreases: its exponent's interval [%.2f, %.2f] includes 0", s.name, s.slope.Lo, s.slope.Hi))
		}
		if !math.IsNaN(s.slope.Tail) && s.slope.Tail > s.slope.Hi {
			r.Warnings = append(r.Warnings, fmt.Sprintf("pre-asymptotic: the %s still steepens (slope −%.2f over its tail, above the whole range's interval [%.2f, %.2f]); predictions from the whole range are pessimistic", s.name, s.slope.Tail, s.slope.Lo, s.slope.Hi))
		}
		if s.slope.OnFloor {
			r.Warnings = append(r.Warnings, fmt.Sprintf("the %s flattens at its largest sizes (fitted alone, it ends on a plateau): the other resource's term or the floor c limits it; the joint law says which", s.name))
		}
	}
	// The law's terms only fall with size; a sweep whose largest size does
	// worse than a smaller one by more than the seeds' spread says the
	// larger networks (or subsets) are not trained as well, which the law
	// reads as a floor.
	for _, s := range []struct {
		name, unit string
		pts        []Point
	}{{"model sweep", "N", model}, {"data sweep", "n", data}} {
		last := s.pts[len(s.pts)-1]
		eLast, sdLast := meanStd(last.Values)
		for _, p := range s.pts[:len(s.pts)-1] {
			e, sd := meanStd(p.Values)
			if e+2*(sd+sdLast)/math.Sqrt(float64(len(p.Values))) < eLast {
				r.Warnings = append(r.Warnings, fmt.Sprintf("the %s is not monotone: %s = %.0f does better (%.3g) than the largest, %s = %.0f (%.3g), beyond the seeds' spread; the largest runs are under-trained with this recipe (try more -steps), and the law reads that as a floor", s.name, s.unit, p.Size, e, s.unit, last.Size, eLast))
				break
			}
		}
	}
	var worst float64
	for _, run := range r.Runs {
		if run.Width == r.Grid.Widths[0] || run.N == r.Grid.DataSizes[0] {
			worst = max(worst, run.RelL2)
		}
	}
	if worst >= 0.5 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("pre-asymptotic: the smallest sizes barely learn (relative L² error up to %.2f); the law is fitted where the networks start to work", worst))
	}
	diverged := 0
	for _, run := range r.Runs {
		if run.Diverged {
			diverged++
		}
	}
	if diverged > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d of %d runs diverged; their errors are kept, as a user's training would keep them", diverged, len(r.Runs)))
	}
}
