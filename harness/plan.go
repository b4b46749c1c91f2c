package harness

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"opscale/nets"
	"opscale/problems"
)

// PlanData is a dataset in the aligned layout that `opscale gen` writes and
// that NumPy users save: U (n×m inputs at the sensors), Y (P×d2 output
// points), V (n×P outputs there), all row-major.
type PlanData struct {
	N, M, P, D2 int
	U, Y, V     []float64
	Source      string
}

// Planner sizes. The smallest data size of a sweep trains on
// planMinSubset functions (a fifth of them held out for early stopping);
// four halvings make the fewest data sizes a slope can be read from, and
// the test split holds at least planMinTest functions.
const (
	planMinSubset = 16
	planMinSizes  = 4
	planMaxSizes  = 6
	planMinTest   = 32
	planTestShare = 0.2
	planMaxTest   = 500
	planMinSeeds  = 3
	planBatch     = 32
	planLR        = 1e-3
)

// PlanMinFunctions is the fewest functions a proof of concept needs: the
// training split must hold planMinSubset·2^(planMinSizes−1) functions and
// the test split planMinTest.
func PlanMinFunctions() int {
	train := planMinSubset << (planMinSizes - 1)
	return planTrainTestSplit(train)
}

// planTrainTestSplit returns the fewest total functions whose training split
// (after the test share is taken) holds train functions.
func planTrainTestSplit(train int) int {
	for n := train; ; n++ {
		if tr, _ := planSplitSizes(n); tr >= train {
			return n
		}
	}
}

// planSplitSizes divides n functions into a training and a test split.
func planSplitSizes(n int) (train, test int) {
	test = max(planMinTest, int(math.Round(planTestShare*float64(n))))
	test = min(test, planMaxTest, n)
	return n - test, test
}

// LoadPlanData reads U.npy, Y.npy and V.npy (and X.npy if present) from dir
// and checks them. Every error names the file and the shapes.
func LoadPlanData(dir string) (*PlanData, error) {
	type mat struct {
		v    []float64
		r, c int
	}
	read := func(name string, optional bool) (*mat, error) {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				if optional {
					return nil, nil
				}
				return nil, fmt.Errorf("%s: file not found: the planner needs U.npy (n×m inputs at the sensors), Y.npy (P×d2 output points) and V.npy (n×P outputs) in %s, saved with np.save", path, dir)
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		v, r, c, err := planReadNPY(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if i := firstNonFinite(v); i >= 0 {
			return nil, fmt.Errorf("%s (%d×%d): value at [%d, %d] is %g: remove or repair the functions with NaN or Inf values", path, r, c, i/c, i%c, v[i])
		}
		return &mat{v, r, c}, nil
	}
	u, err := read("U.npy", false)
	if err != nil {
		return nil, err
	}
	y, err := read("Y.npy", false)
	if err != nil {
		return nil, err
	}
	v, err := read("V.npy", false)
	if err != nil {
		return nil, err
	}
	x, err := read("X.npy", true)
	if err != nil {
		return nil, err
	}
	switch {
	case u.r != v.r:
		return nil, fmt.Errorf("%s: U.npy is %d×%d but V.npy is %d×%d: both need one row per function", dir, u.r, u.c, v.r, v.c)
	case v.c != y.r:
		return nil, fmt.Errorf("%s: V.npy is %d×%d but Y.npy is %d×%d: V needs one column per output point, a row of Y", dir, v.r, v.c, y.r, y.c)
	case x != nil && x.r != u.c:
		return nil, fmt.Errorf("%s: U.npy is %d×%d but X.npy is %d×%d: X needs one row per sensor, a column of U", dir, u.r, u.c, x.r, x.c)
	}
	return &PlanData{N: u.r, M: u.c, P: y.r, D2: y.c, U: u.v, Y: y.v, V: v.v, Source: dir}, nil
}

func firstNonFinite(v []float64) int {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i
		}
	}
	return -1
}

// PlanDataFrom wraps a generated dataset.
func PlanDataFrom(ds *problems.Dataset, source string) *PlanData {
	return &PlanData{N: ds.N, M: ds.M, P: ds.P, D2: ds.D2, U: ds.U, Y: ds.Y, V: ds.V, Source: source}
}

// Check fails when the data cannot hold a proof of concept, saying how many
// functions it needs.
func (d *PlanData) Check() error {
	if need := PlanMinFunctions(); d.N < need {
		tr, te := planSplitSizes(need)
		return fmt.Errorf("%s: U.npy and V.npy hold %d functions: a proof of concept needs at least %d (%d to train at %d data sizes from %d up, %d to test)",
			d.Source, d.N, need, tr, planMinSizes, planMinSubset, te)
	}
	if d.M < 1 || d.P < 1 || d.D2 < 1 {
		return fmt.Errorf("%s: U.npy has %d columns, Y.npy is %d×%d: each needs at least one", d.Source, d.M, d.P, d.D2)
	}
	return nil
}

// Metric names the error the planner fits.
type Metric string

const (
	MetricRelL2 Metric = "rel_l2" // mean relative L² error, scale-free
	MetricSqL2  Metric = "sq_l2"  // mean squared L² error, the generalization theorems'
	MetricSup   Metric = "sup"    // mean sup error, the approximation theorems'
)

func (m Metric) of(x nets.Metrics) float64 {
	switch m {
	case MetricSqL2:
		return x.MeanSqL2
	case MetricSup:
		return x.MeanSup
	}
	return x.MeanRelL2
}

// squared reports whether the metric is a squared error, whose exponents are
// twice those of the error itself.
func (m Metric) squared() bool { return m == MetricSqL2 }

// ParseMetric checks a metric name.
func ParseMetric(s string) (Metric, error) {
	switch m := Metric(s); m {
	case MetricRelL2, MetricSqL2, MetricSup:
		return m, nil
	}
	return "", fmt.Errorf("metric %q: use rel_l2, sq_l2 or sup", s)
}

// PlanConfig sets up a plan.
type PlanConfig struct {
	Budget time.Duration // wall time for the whole plan
	Target float64       // error to reach; 0 skips that question
	Seeds  int           // at least 3
	Metric Metric
	Seed   uint64 // the test split, the subsets, initialisations and batches
	// Steps fixes the Adam steps of every run; 0 sizes them to the budget.
	Steps int
	// Widths fixes the model sweep; nil chooses it with the budget.
	Widths []int
	Log    io.Writer
}

func (c *PlanConfig) defaults() {
	if c.Seeds == 0 {
		c.Seeds = planMinSeeds
	}
	if c.Metric == "" {
		c.Metric = MetricRelL2
	}
}

// Validate names the first setting that cannot be used.
func (c *PlanConfig) Validate() error {
	switch {
	case c.Budget <= 0:
		return fmt.Errorf("budget %v: give a positive duration such as 10m", c.Budget)
	case c.Seeds < planMinSeeds:
		return fmt.Errorf("seeds = %d: intervals over seeds need at least %d", c.Seeds, planMinSeeds)
	case c.Target < 0 || math.IsNaN(c.Target) || math.IsInf(c.Target, 0):
		return fmt.Errorf("target = %g: give a positive error, or 0 for none", c.Target)
	case c.Steps < 0:
		return fmt.Errorf("steps = %d: must be ≥ 0 (0: sized to the budget)", c.Steps)
	}
	if _, err := ParseMetric(string(c.Metric)); err != nil {
		return err
	}
	for _, w := range c.Widths {
		if w < 1 {
			return fmt.Errorf("width %d: widths must be positive", w)
		}
	}
	if c.Widths != nil && len(c.Widths) < planMinSizes-1 {
		return fmt.Errorf("%d widths: a model sweep needs at least %d", len(c.Widths), planMinSizes-1)
	}
	return nil
}

// planParams is the parameter count of the planner's DeepONet of width w:
// branch [m, w, w, w], trunk [d2, w, w, w] (p = w) and the output bias.
func planParams(m, d2, w int) int {
	return 4*w*w + (m+d2+6)*w + 1
}

// planWidthFor returns the real width whose network has n parameters.
func planWidthFor(m, d2 int, n float64) float64 {
	b := float64(m + d2 + 6)
	return (-b + math.Sqrt(b*b+16*(n-1))) / 8
}

func planNetConfig(m, d2, w int) nets.DeepONetConfig {
	return nets.DeepONetConfig{Sensors: m, OutDim: d2, Branch: []int{w, w}, Trunk: []int{w, w}, P: w}
}

// planRun is one training run of the grid.
type planRun struct {
	Width, N int // hidden width and training functions
	SeedIdx  int
	Params   int
	Err      float64 // the plan's metric on the test split
	RelL2    float64
	Diverged bool
	Sec      float64
}

// planGrid is the proof of concept: a model sweep over Widths at the full
// training split and a data sweep over DataSizes at the largest width.
type planGrid struct {
	Widths, DataSizes []int
	Seeds             int
	Steps             int
	Test              int
}

func (g planGrid) runs() []planRun {
	var rs []planRun
	wMax, nMax := g.Widths[len(g.Widths)-1], g.DataSizes[len(g.DataSizes)-1]
	for s := range g.Seeds {
		for _, n := range g.DataSizes[:len(g.DataSizes)-1] {
			rs = append(rs, planRun{Width: wMax, N: n, SeedIdx: s})
		}
		for _, w := range g.Widths {
			rs = append(rs, planRun{Width: w, N: nMax, SeedIdx: s})
		}
	}
	return rs
}

// planCost predicts the wall time of runs from a per-step cost model:
// seconds = Overhead + PerFlop·flops, measured on the machine.
type planCost struct {
	Overhead, PerFlop float64
}

func (c planCost) run(m, p, d2, w, n, steps, test int) float64 {
	d := planFlops(m, p, d2, w)
	batch := min(planBatch, n)
	flops := float64(steps)*3*d(batch) + d(test)
	return float64(steps)*c.Overhead + flops*c.PerFlop
}

func (c planCost) grid(d *PlanData, g planGrid) float64 {
	var t float64
	for _, r := range g.runs() {
		t += c.run(d.M, d.P, d.D2, r.Width, r.N, g.Steps, g.Test)
	}
	return t
}

// planFlops returns the forward flops of a batch, as nets counts them.
func planFlops(m, p, d2, w int) func(n int) float64 {
	return func(n int) float64 {
		fn, fp, fw := float64(n), float64(p), float64(w)
		branch := 2 * fn * (float64(m)*fw + 2*fw*fw)
		trunk := 2 * fp * (float64(d2)*fw + 2*fw*fw)
		return branch + trunk + 2*fn*fp*fw
	}
}

// measureCost times a few Adam steps at two widths and solves for the
// per-step overhead and the time per flop. The probe trains throwaway
// networks on a handful of functions; the grid has not started.
func measureCost(d *PlanData, wSmall, wBig int) planCost {
	const probeSteps = 12
	t := func(w int) (sec, flops float64) {
		n := min(planBatch, d.N)
		data := nets.ConvertData[float64](n, d.M, d.P, d.D2, d.U[:n*d.M], d.Y, d.V[:n*d.P])
		net, err := nets.NewDeepONet[float64](planNetConfig(d.M, d.D2, w), rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			return 0, 0
		}
		start := time.Now()
		res, err := nets.Train(net, data, nets.Data[float64]{}, nets.TrainConfig{Steps: probeSteps, LR: planLR, EvalEvery: probeSteps})
		if err != nil {
			return 0, 0
		}
		return time.Since(start).Seconds() / probeSteps, res.Flops / probeSteps
	}
	s1, f1 := t(wSmall)
	s2, f2 := t(wBig)
	c := planCost{}
	if f2 > f1 {
		c.PerFlop = max((s2-s1)/(f2-f1), 0)
	}
	c.Overhead = max(s1-c.PerFlop*f1, 0)
	if c.PerFlop == 0 {
		c.PerFlop = s2 / max(f2, 1)
	}
	return c
}

// planStepChoices are the Adam step counts the planner tries, most first.
var planStepChoices = []int{3000, 2000, 1500, 1000, 700, 500, 300, 200}

// planMinSteps is the fewest steps worth a run; fewer and the proof of
// concept measures the optimiser, not the law.
const planMinSteps = 200

// planWidthLadders are the model sweeps the planner tries, widest first.
var planWidthLadders = [][]int{{8, 16, 32, 64, 128}, {8, 16, 32, 64}, {4, 8, 16, 32}}

// ErrBudget marks a budget too small for the minimal grid.
var ErrBudget = errors.New("budget too small")

// sizeGrid chooses the grid that fits the budget left: the widest model
// sweep whose runs get at least 1000 steps on all the training split, else
// on the largest share of it (halving) that allows that, else the most
// steps any grid can have. It fails with ErrBudget, naming the budget the
// minimal grid needs, when not even planMinSteps fit.
func sizeGrid(d *PlanData, cfg *PlanConfig, cost planCost, left float64) (planGrid, float64, error) {
	train, test := planSplitSizes(d.N)
	var all []int // every halving of the training split down to planMinSubset
	for n := train; n >= planMinSubset; n /= 2 {
		all = append([]int{n}, all...)
	}
	ladders := planWidthLadders
	if cfg.Widths != nil {
		ladders = [][]int{cfg.Widths}
	}
	steps := planStepChoices
	if cfg.Steps > 0 {
		steps = []int{cfg.Steps}
	}
	var best planGrid
	var bestCost float64
	for top := len(all); top >= planMinSizes; top-- {
		sizes := all[max(0, top-planMaxSizes):top]
		for _, l := range ladders {
			for _, s := range steps {
				g := planGrid{Widths: l, DataSizes: sizes, Seeds: cfg.Seeds, Steps: s, Test: test}
				c := cost.grid(d, g)
				if c > left {
					continue
				}
				if s >= 1000 || cfg.Steps > 0 {
					return g, c, nil
				}
				if s > best.Steps {
					best, bestCost = g, c
				}
				break
			}
		}
	}
	if best.Steps > 0 {
		return best, bestCost, nil
	}
	minimal := planGrid{Widths: ladders[len(ladders)-1], DataSizes: all[:planMinSizes], Seeds: cfg.Seeds, Steps: steps[len(steps)-1], Test: test}
	if cfg.Steps == 0 {
		minimal.Steps = planMinSteps
	}
	need := cost.grid(d, minimal)
	return planGrid{}, 0, fmt.Errorf("-budget %v: %w: the minimal grid (%d runs of %d steps, widths %v, data sizes %v, %d seeds) needs about %s here, and %s are left after the other steps; use -budget %s or more",
		cfg.Budget, ErrBudget, len(minimal.runs()), minimal.Steps, minimal.Widths, minimal.DataSizes, cfg.Seeds, fmtDur(need), fmtDur(left), fmtDur(math.Ceil(1.5*need+(cfg.Budget.Seconds()-left))))
}

func fmtDur(sec float64) string {
	return time.Duration(math.Round(max(sec, 0)) * float64(time.Second)).String()
}

// planSplit permutes the functions with the plan's seed and returns the
// test rows and the training rows.
func planSplit(n int, seed uint64) (train, test []int) {
	rng := rand.New(rand.NewPCG(seed, 0x73706c6974)) // "split"
	perm := rng.Perm(n)
	tr, _ := planSplitSizes(n)
	return perm[:tr], perm[tr:]
}

func (d *PlanData) rows(idx []int) (u, v []float64) {
	u = make([]float64, 0, len(idx)*d.M)
	v = make([]float64, 0, len(idx)*d.P)
	for _, i := range idx {
		u = append(u, d.U[i*d.M:(i+1)*d.M]...)
		v = append(v, d.V[i*d.P:(i+1)*d.P]...)
	}
	return u, v
}

// planScale standardises the data the networks see: U and V by their
// training split's mean and standard deviation (one of each for the whole
// matrix, so the functions' shapes are kept), each column of Y to mean 0
// and deviation 1. Users' data come in any units; Adam's step and the He
// initialisation assume order-one values. Predictions are mapped back
// before scoring, so the errors are in the user's units.
type planScale struct {
	uMean, uStd, vMean, vStd float64
	y                        []float64 // standardised Y
}

func newPlanScale(d *PlanData, trainIdx []int) planScale {
	u, v := d.rows(trainIdx)
	s := planScale{}
	s.uMean, s.uStd = meanStd(u)
	s.vMean, s.vStd = meanStd(v)
	s.y = make([]float64, len(d.Y))
	col := make([]float64, d.P)
	for j := range d.D2 {
		for i := range d.P {
			col[i] = d.Y[i*d.D2+j]
		}
		m, sd := meanStd(col)
		for i := range d.P {
			s.y[i*d.D2+j] = (col[i] - m) / sd
		}
	}
	return s
}

// meanStd returns the mean and the standard deviation of v, the deviation
// taken as 1 when v is constant.
func meanStd(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	std = math.Sqrt(std / float64(len(v)))
	if !(std > 0) {
		std = 1
	}
	return mean, std
}

func affine(v []float64, mean, std float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = (x - mean) / std
	}
	return out
}

// trainPlanRun trains one run of the grid: the first r.N functions of the
// seed's own order of the training split, a DeepONet of width r.Width, and
// the test split for scoring. A seed's runs share that order, their
// initialisation stream and their batch order, which is why the intervals
// resample seeds as whole clusters.
func trainPlanRun(d *PlanData, sc planScale, trainIdx, testIdx []int, r *planRun, steps int, metric Metric, seed uint64) error {
	start := time.Now()
	runSeed := seed + uint64(r.SeedIdx) + 1
	order := append([]int(nil), trainIdx...)
	rand.New(rand.NewPCG(runSeed, 0x737562736574)).Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] }) // "subset"
	u, v := d.rows(order[:r.N])
	net, err := nets.NewDeepONet[float64](planNetConfig(d.M, d.D2, r.Width), rand.New(rand.NewPCG(runSeed, problems.InitStream)))
	if err != nil {
		return err
	}
	r.Params = net.NumParams()
	data := nets.ConvertData[float64](r.N, d.M, d.P, d.D2, affine(u, sc.uMean, sc.uStd), sc.y, affine(v, sc.vMean, sc.vStd))
	// The run keeps its last step: validation functions would have to come
	// out of the user's finite data, and counting them in n or scoring on
	// the test split would bias the exponent or the test error. The cosine
	// schedule ends at a small learning rate, so the last step is settled.
	res, err := nets.Train(net, data, nets.Data[float64]{}, nets.TrainConfig{
		Steps: steps, BatchSize: planBatch, LR: planLR, Seed: runSeed,
	})
	if err != nil {
		return err
	}
	tu, tv := d.rows(testIdx)
	pred := net.Predict(affine(tu, sc.uMean, sc.uStd), len(testIdx), sc.y, d.P)
	for i := range pred {
		pred[i] = pred[i]*sc.vStd + sc.vMean
	}
	m, err := nets.Evaluate(pred, tv, len(testIdx), d.P)
	if err != nil {
		return err
	}
	r.Err, r.RelL2, r.Diverged = metric.of(m), m.MeanRelL2, res.Diverged
	r.Sec = time.Since(start).Seconds()
	return nil
}
