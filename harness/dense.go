package harness

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"opscale/bounds"
	"opscale/nets"
	"opscale/problems"
)

// Regression sets up a plain deep-ReLU regression experiment, the setting of
// T-relu-approx and T-relu-gen: a target f on a d-dimensional domain seen
// through points of R^D, learned by a dense ReLU network. An experiment with
// this table trains dense networks instead of DeepONets; it is recorded in
// each run as well, so that a report can describe the experiment from the
// runs file alone.
type Regression struct {
	// Target is "lipschitz" (Lipschitz and no better at every scale above
	// 2^-8) or "smooth" (analytic); see problems.Regression.
	Target string `toml:"target" json:"target"`
	// Domain is "cube" ([0,1]^d), "sphere" (S^d) or "torus" (T^d).
	Domain string `toml:"domain" json:"domain"`
	// D is the intrinsic dimension d of the domain.
	D int `toml:"d" json:"d"`
	// Ambient is D, the dimension of the space the network's inputs live
	// in: the sphere and torus are embedded in R^Ambient by a random
	// isometry. For the cube it is d and may be left out.
	Ambient int `toml:"ambient" json:"ambient"`
	// Depth is the number of hidden layers.
	Depth int `toml:"depth" json:"depth"`
	// Width is the hidden width of a data-size sweep; a model-size sweep
	// takes its widths from the experiment's sizes and must leave it out.
	Width int `toml:"width" json:"width,omitempty"`
	// TrainPoints is the number of training points of a model-size sweep,
	// the same at every width; a data-size sweep takes n from sizes.
	TrainPoints int `toml:"train_points" json:"train_points,omitempty"`
	// TestPoints is the size of the noiseless test set, drawn uniformly on
	// the domain from its own stream: the sup error is the largest error
	// on it, the squared L² error the mean of the squared errors.
	TestPoints int `toml:"test_points" json:"test_points"`
	// TargetSeed draws the target's coefficients and the embedding; it
	// is part of the problem, the same for every run of the experiment.
	TargetSeed uint64 `toml:"target_seed" json:"target_seed"`
}

// denseDimSample is the number of inputs the intrinsic dimension of a
// regression experiment is measured on. Its intrinsic dimensions are at most
// 4, for which the Levina–Bickel and TwoNN estimates settle well below 2000
// points (problems' tests hold TwoNN within 15% at 2000), and the neighbour
// search on 2000 points in R^64 takes a fraction of a second.
const denseDimSample = 2000

// validateRegression checks a dense regression experiment: the fields it
// needs, and the DeepONet fields it must leave out.
func (e *Experiment) validateRegression() error {
	g := e.Regression
	unused := []struct {
		set  bool
		name string
	}{
		{e.Problem != "", "problem"}, {e.Family != "", "family"}, {e.BU != 0, "b_u"},
		{e.Sensors != 0, "sensors"}, {e.Points != 0, "points"}, {e.Grid != 0, "grid"},
		{e.TrainSize != 0, "train_functions"}, {e.TestSize != 0, "test_functions"},
		{e.Params != (problems.Params{}), "params"},
		{len(e.Network.Branch) != 0 || len(e.Network.Trunk) != 0 || e.Network.P != 0 || e.Network.TrunkLastReLU, "network"},
	}
	for _, u := range unused {
		if u.set {
			return fmt.Errorf("field %s: a regression experiment trains a dense network on points, not a DeepONet; remove it (the [experiment.regression] table sets the problem and the network)", u.name)
		}
	}
	th, err := bounds.Lookup(e.Theorem)
	if err != nil {
		return fmt.Errorf("field theorem: %w", err)
	}
	if !slices.Contains(th.Reads, bounds.DimD) || th.Reference {
		return fmt.Errorf("field theorem = %q: a regression experiment tests T-relu-approx or T-relu-gen", e.Theorem)
	}
	if !slices.Contains(problems.RegressionTargets, g.Target) {
		return fmt.Errorf("field regression.target = %q: use one of %s", g.Target, strings.Join(problems.RegressionTargets, ", "))
	}
	if !slices.Contains(problems.RegressionDomains, g.Domain) {
		return fmt.Errorf("field regression.domain = %q: use one of %s", g.Domain, strings.Join(problems.RegressionDomains, ", "))
	}
	if g.D < 1 {
		return fmt.Errorf("field regression.d = %d: the intrinsic dimension must be a positive integer", g.D)
	}
	if g.Domain == "cube" && g.Ambient != 0 && g.Ambient != g.D {
		return fmt.Errorf("field regression.ambient = %d: the cube is not embedded, its ambient dimension is d = %d; leave ambient out", g.Ambient, g.D)
	}
	if g.Domain != "cube" {
		need := map[string]int{"sphere": g.D + 1, "torus": 2 * g.D}[g.Domain]
		if g.Ambient < need {
			return fmt.Errorf("field regression.ambient = %d: a %d-dimensional %s is embedded in R^D with D ≥ %d", g.Ambient, g.D, g.Domain, need)
		}
	}
	if g.Depth < 1 {
		return fmt.Errorf("field regression.depth = %d: give the number of hidden layers, at least 1", g.Depth)
	}
	if g.TestPoints < 1 {
		return fmt.Errorf("field regression.test_points = %d: must be positive", g.TestPoints)
	}
	switch e.Sweep {
	case "N":
		if th.Swept != bounds.ModelSize {
			return fmt.Errorf("field sweep = \"N\": theorem %s is a function of the data size n; use sweep = \"n\"", th.ID)
		}
		if g.Width != 0 {
			return fmt.Errorf("field regression.width = %d: a model-size sweep takes its hidden widths from sizes; remove it", g.Width)
		}
		if g.TrainPoints < 2 {
			return fmt.Errorf("field regression.train_points = %d: a model-size sweep trains every width on this many points; give at least 2", g.TrainPoints)
		}
	case "n":
		if th.Swept != bounds.DataSize {
			return fmt.Errorf("field sweep = \"n\": theorem %s is a function of the model size N; use sweep = \"N\"", th.ID)
		}
		if g.Width < 1 {
			return fmt.Errorf("field regression.width = %d: a data-size sweep trains a fixed network; give its hidden width", g.Width)
		}
		if g.TrainPoints != 0 {
			return fmt.Errorf("field regression.train_points: a data-size sweep takes n from sizes; remove it")
		}
	default:
		return fmt.Errorf("field sweep = %q: use \"n\" (training points) or \"N\" (model size)", e.Sweep)
	}
	if err := e.validateCommon(); err != nil {
		return err
	}
	_, err = e.regressionProblem()
	return err
}

// validateCommon checks the fields a regression experiment shares with a
// DeepONet one.
func (e *Experiment) validateCommon() error {
	if len(e.Sizes) < 2 {
		return fmt.Errorf("field sizes: need at least 2 sizes to fit a slope, got %d", len(e.Sizes))
	}
	for _, n := range e.Sizes {
		if n < 2 {
			return fmt.Errorf("field sizes: size %d is too small (at least 2)", n)
		}
	}
	if !slices.IsSorted(e.Sizes) || len(slices.Compact(slices.Clone(e.Sizes))) != len(e.Sizes) {
		return fmt.Errorf("field sizes: list them increasing and without repeats, got %v", e.Sizes)
	}
	if len(e.Seeds) == 0 {
		return fmt.Errorf("field seeds: give at least one seed")
	}
	if len(slices.Compact(slices.Sorted(slices.Values(e.Seeds)))) != len(e.Seeds) {
		return fmt.Errorf("field seeds: %v repeats a seed", e.Seeds)
	}
	if !(e.Noise >= 0) || math.IsInf(e.Noise, 0) {
		return fmt.Errorf("field noise = %g: must be finite and ≥ 0", e.Noise)
	}
	if err := checkPrecisionField(e.Precision); err != nil {
		return err
	}
	if err := e.trainConfig(0).Validate(); err != nil {
		return fmt.Errorf("table training: %w", err)
	}
	if e.Training.Steps < 1 {
		return fmt.Errorf("field training.steps = %d: must be positive", e.Training.Steps)
	}
	return nil
}

// regressionProblem returns the experiment's target on its domain.
func (e *Experiment) regressionProblem() (*problems.Regression, error) {
	g := e.Regression
	r, err := problems.NewRegression(g.Domain, g.D, g.Ambient, g.Target, g.TargetSeed)
	if err != nil {
		return nil, fmt.Errorf("table regression: %w", err)
	}
	return r, nil
}

// hidden returns the hidden widths of a run's network.
func (g *Regression) hidden(sweep string, size int) []int {
	if sweep == "N" {
		return fill(g.Depth, size)
	}
	return fill(g.Depth, g.Width)
}

// measureDim measures the intrinsic dimension of an experiment's inputs: the
// input functions at the sensors for a DeepONet, the points in R^D for a
// dense regression.
func measureDim(e *Experiment) (*InputDim, error) {
	if e.Regression == nil {
		return measureInputDim(e)
	}
	reg, err := e.regressionProblem()
	if err != nil {
		return nil, err
	}
	set, err := reg.Sample(denseDimSample, e.Seeds[0], problems.Train, 0)
	if err != nil {
		return nil, err
	}
	return inputDims.of(set.X, set.N, set.D)
}

// runJob runs one job of a sweep, a DeepONet or a dense regression.
func runJob(j job) (Run, error) {
	if p := j.precision(); p != "float32" && p != "float64" {
		return Run{}, fmt.Errorf("precision %q is not decided for this run (an \"auto\" experiment trains in the precision its check chose)", p)
	}
	if j.e.Regression == nil {
		return runOne(j)
	}
	return runDense(j)
}

// runDense draws the points, trains and scores one dense regression run.
func runDense(j job) (Run, error) {
	runs, err := runDenseGroup([]job{j})
	if err != nil {
		return Run{}, err
	}
	return runs[0], nil
}

// denseRun is a dense regression run made ready to train: its record so far,
// its training points followed by its validation points, and its training
// configuration.
type denseRun struct {
	r    Run
	x, y []float64
	cfg  nets.TrainConfig
}

// runDenseGroup draws the points of jobs, runs of one experiment at one size
// and precision that differ in their seed alone, trains them together in
// lockstep when there are several (nets.TrainDenseLockstep: the results are
// those of each alone, bit for bit) and scores each.
func runDenseGroup(js []job) ([]Run, error) {
	start := time.Now()
	e, g := js[0].e, js[0].e.Regression
	reg, err := e.regressionProblem()
	if err != nil {
		return nil, err
	}
	testSeed := e.TestSeed
	if testSeed == 0 {
		testSeed = problems.DefaultTestSeed
	}
	test, err := js[0].data.regression(e, reg, g.TestPoints, testSeed, problems.Test, 0)
	if err != nil {
		return nil, err
	}
	rec := *g
	rec.Ambient = reg.Ambient
	var ps []*denseRun
	for _, j := range js {
		if j.e != e || j.size != js[0].size || j.precision() != js[0].precision() {
			return nil, fmt.Errorf("harness: a lockstep group mixes experiments, sizes or precisions (%s %s, %s %s)",
				e.ID, sizeLabel(js[0]), j.e.ID, sizeLabel(j))
		}
		n := g.TrainPoints
		if e.Sweep == "n" {
			n = j.size
		}
		x, y, cfg, err := e.denseData(j.data, reg, n, j.seed)
		if err != nil {
			return nil, err
		}
		ps = append(ps, &denseRun{
			r: Run{
				Experiment: e.ID, Order: j.order, ConfigHash: e.hash(), Theorem: e.Theorem,
				Problem: reg.Name(), Family: fmt.Sprintf("uniform points on the %s", g.Domain),
				Sweep: e.Sweep, Size: j.size, NTrain: n, Seed: j.seed, InputDim: j.dim,
				Precision: j.precision(), Noise: e.Noise, Regression: &rec, PrecisionCheckOf: e.precisionOf,
			},
			x: x, y: y, cfg: cfg,
		})
	}
	switch ps[0].r.Precision {
	case "float32":
		err = trainDense[float32](e, ps, test)
	default:
		err = trainDense[float64](e, ps, test)
	}
	if err != nil {
		return nil, err
	}
	// Runs trained together share the wall time.
	wall := time.Since(start).Seconds() / float64(len(ps))
	runs := make([]Run, len(ps))
	for k, p := range ps {
		p.r.WallSec = math.Round(wall*1000) / 1000
		p.r.Env = CurrentEnv()
		runs[k] = p.r
	}
	return runs, nil
}

// denseData returns a run's n training points followed by its validation
// points, and the training configuration that holds out exactly those.
// Validation points, noisy like the training ones, come from the run's seed
// on the validation split's streams (problems/streams.go), so that n counts training points only and a larger n does not move
// points from validation into training.
func (e *Experiment) denseData(c *dataCache, reg *problems.Regression, n int, seed uint64) (x, y []float64, cfg nets.TrainConfig, err error) {
	train, err := c.regression(e, reg, n, seed, problems.Train, e.Noise)
	if err != nil {
		return nil, nil, cfg, err
	}
	cfg = e.trainConfig(seed)
	x, y = train.X, train.Y
	if nv := e.validationSize(n); nv > 0 {
		val, err := c.regression(e, reg, nv, seed, problems.Validation, e.Noise)
		if err != nil {
			return nil, nil, cfg, err
		}
		x, y = append(slices.Clone(x), val.X...), append(slices.Clone(y), val.Y...)
		// nets holds out the last round(Validation·rows) rows.
		cfg.Validation = float64(nv) / float64(n+nv)
	}
	return x, y, cfg, nil
}

// denseSizes returns the layer widths of a dense run's network on inputs of
// the given dimension.
func denseSizes(e *Experiment, ambient, size int) []int {
	return append(append([]int{ambient}, e.Regression.hidden(e.Sweep, size)...), 1)
}

// trainDense trains and scores the runs ps, together in lockstep when there
// are several.
func trainDense[T nets.Float](e *Experiment, ps []*denseRun, test *problems.RegressionSet) error {
	g := e.Regression
	ds := make([]*nets.Dense[T], len(ps))
	xs, ys := make([][]T, len(ps)), make([][]T, len(ps))
	cfgs := make([]nets.TrainConfig, len(ps))
	for k, p := range ps {
		// The initial weights come from the run's seed on a stream of
		// their own, as a DeepONet's do.
		rng := rand.New(rand.NewPCG(p.r.Seed, problems.InitStream))
		d, err := nets.NewDense[T](denseSizes(e, test.D, p.r.Size), rng)
		if err != nil {
			return err
		}
		p.r.Params = d.NumParams()
		p.r.Setup = Setup{Network: d.String(), TestSize: g.TestPoints, Training: e.Training}
		ds[k], xs[k], ys[k], cfgs[k] = d, convert[T](p.x), convert[T](p.y), p.cfg
	}
	rows := len(ps[0].y)
	// One network alone trains as TrainDense trains it.
	res, lockstep, err := nets.TrainDenseLockstep(ds, xs, ys, rows, cfgs)
	if err != nil {
		return err
	}
	testX := convert[T](test.X)
	for k, p := range ps {
		r := &p.r
		r.Train = TrainRecord{
			Steps: res[k].Steps, BestStep: res[k].BestStep, TrainLoss: finite(res[k].TrainLoss),
			Diverged: res[k].Diverged, Stopped: res[k].Stopped, GFlop: math.Round(res[k].Flops/1e6) / 1e3,
		}
		if !math.IsNaN(res[k].ValLoss) {
			v := res[k].ValLoss
			r.Train.ValLoss = &v
		}
		if lockstep {
			r.Lockstep = len(ps)
		}
		// The whole test set is one function sampled at TestPoints
		// points: its sup error is the largest error over the domain's
		// sample, its squared L² error the Monte-Carlo estimate of
		// ‖f̂ − f‖²_L²(uniform).
		out := ds[k].Forward(testX, test.N)
		pred := make([]float64, test.N)
		for i := range pred {
			pred[i] = float64(out[i])
		}
		m, err := nets.Evaluate(pred, test.Y, 1, test.N)
		if err != nil {
			return err
		}
		r.Metrics = sanitize(m)
	}
	return nil
}

func convert[T nets.Float](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}
