package harness

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"opscale/bounds"
	"opscale/intrinsic"
	"opscale/nets"
	"opscale/problems"
)

// hash identifies the settings that decide a run's outcome: all of the
// experiment's but its lists of sizes and seeds and its data_check, which
// say which runs to do, not how any one of them goes, and its group, which
// says only where the report shows it. Adding a size, a seed
// or a data check then trains only the new runs; the store key adds the size
// and the seed. A data check's runs have settings of their own (its id and
// doubled training functions), hence a hash of their own. Precision "auto"
// is hashed as "auto", whichever precision the check chooses: the choice
// follows from the settings and is recorded in each run.
func (e *Experiment) hash() string {
	c := *e
	c.Sizes, c.Seeds, c.DataCheck, c.Group = nil, nil, false, ""
	if c.Network.Kind == "" {
		c.Network.Kind = KindFixed // the default, spelled out or not
	}
	b, _ := json.Marshal(c)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

func (e *Experiment) trainConfig(seed uint64) nets.TrainConfig {
	t := e.Training
	return nets.TrainConfig{
		Steps: t.Steps, BatchSize: t.Batch, LR: t.LR, FinalLR: t.FinalLR,
		EvalEvery: t.EvalEvery, Patience: t.Patience, Seed: seed,
	}
}

// validationSize is the number of validation functions of a run with n
// training functions: the suite's fraction of n, at least one when the
// fraction is positive. They come from their own stream, outside n.
func (e *Experiment) validationSize(n int) int {
	v := e.Training.Validation
	if v == 0 {
		return 0
	}
	return max(int(math.Round(v*float64(n))), 1)
}

// netConfig sizes the network of a run: the suite's network for a data
// sweep, grown with n when network.kind is "prescribed"; or the suite's
// depths at width size for a model sweep.
func (e *Experiment) netConfig(s problems.Spec, m, size int) (nets.DeepONetConfig, *Prescribed, error) {
	c := nets.DeepONetConfig{
		Sensors: m, OutDim: s.Operator.OutDim(),
		Branch: e.Network.Branch, Trunk: e.Network.Trunk, P: e.Network.P,
		TrunkLastReLU: e.Network.TrunkLastReLU,
	}
	if e.Sweep == "N" {
		c.Branch, c.Trunk, c.P = fill(len(c.Branch), size), fill(len(c.Trunk), size), size
		return c, nil, nil
	}
	if e.Network.Kind != KindPrescribed {
		return c, nil, nil
	}
	pr, err := e.prescribe(m, size)
	if err != nil {
		return c, nil, err
	}
	c.Branch = fill(pr.BranchDepth, pr.BranchWidth)
	c.Trunk = fill(pr.TrunkDepth, pr.TrunkWidth)
	c.P = pr.P
	return c, pr, nil
}

func fill(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// trainSize is the number of training functions of a run.
func (e *Experiment) trainSize(size int) int {
	if e.Sweep == "N" {
		return e.TrainSize
	}
	return size
}

// SweepOptions tunes a sweep. The zero value runs GOMAXPROCS runs at once
// and logs nothing.
type SweepOptions struct {
	Workers int
	Log     io.Writer
	// Shard and Shards split a suite across machines: this sweep runs the
	// jobs whose index modulo Shards is Shard. Zero Shards runs all.
	Shard, Shards int
}

type job struct {
	e     *Experiment
	order int
	size  int
	seed  uint64
	dim   *InputDim
	// prec is the precision the run trains in, decided by the check of an
	// "auto" experiment; empty when the experiment fixes it.
	prec string
	// data is the sweep's cache of generated sets; nil generates afresh.
	data *dataCache
}

// precision returns the precision the job trains in.
func (j job) precision() string {
	if j.prec != "" {
		return j.prec
	}
	return j.e.Precision
}

// dimSample is the number of input functions the intrinsic dimension is
// measured on: the Levina–Bickel estimate of an 8-dimensional cube is within
// 15% from about 4000 points (see problems' tests); 4000 keeps the
// all-pairs neighbour search to a second or two.
const dimSample = 4000

// measureInputDim estimates the intrinsic dimension of the experiment's
// inputs as the branch net sees them, on training functions of the first
// seed.
func measureInputDim(e *Experiment) (*InputDim, error) {
	spec, err := e.Spec()
	if err != nil {
		return nil, err
	}
	u, m, err := problems.GenerateInputs(spec, dimSample, e.Seeds[0], problems.Train)
	if err != nil {
		return nil, err
	}
	return inputDims.of(u, dimSample, m)
}

// dimCache keeps the dimension estimates of the input samples measured so
// far, by the samples' bits: experiments that differ only in their operator,
// noise or network (the noise and observed-points sweeps of one family)
// draw the same inputs, and the estimate, pairwise distances of thousands of
// functions, took most of the time before the first run started.
type dimCache struct {
	mu sync.Mutex
	m  map[[32]byte]*InputDim
}

var inputDims = &dimCache{m: map[[32]byte]*InputDim{}}

// of returns inputDimOf(x, n, d), measured once for equal x, n and d.
func (c *dimCache) of(x []float64, n, d int) (*InputDim, error) {
	h := sha256.New()
	binary.Write(h, binary.LittleEndian, []int64{int64(n), int64(d)})
	binary.Write(h, binary.LittleEndian, x)
	var key [32]byte
	h.Sum(key[:0])
	c.mu.Lock()
	dim, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return dim, nil
	}
	dim, err := inputDimOf(x, n, d)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.m[key] = dim
	c.mu.Unlock()
	return dim, nil
}

// inputDimOf measures the intrinsic dimension of n points in R^d, the rows
// of x, keeping only the estimates the sample supports.
func inputDimOf(x []float64, n, d int) (*InputDim, error) {
	est, err := intrinsic.Measure(x, n, d)
	if err != nil {
		return nil, err
	}
	dim := &InputDim{Sample: n, PCA99: est.PCA99, PCA999: est.PCA999}
	if !math.IsNaN(est.TwoNN) {
		dim.TwoNN = &est.TwoNN
	}
	if !math.IsNaN(est.MLE) {
		dim.MLE = &est.MLE
	}
	return dim, nil
}

// Sweep runs every (experiment, size, seed) of the suite that the store does
// not hold yet, several at a time, and records each as it finishes. A run
// that diverges is recorded as diverged; the sweep goes on.
func Sweep(s *Suite, store *Store, opt SweepOptions) error {
	start := time.Now()
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	logf := func(format string, a ...any) {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, format, a...)
		}
	}
	if opt.Shards < 0 || (opt.Shards > 0 && (opt.Shard < 0 || opt.Shard >= opt.Shards)) {
		return fmt.Errorf("harness: shard %d of %d: need 0 ≤ shard < shards", opt.Shard, opt.Shards)
	}
	var jobs []job
	cache := newDataCache()
	skipped, index := 0, -1
	autos := map[int]*autoPlan{}
	for i := range s.Experiments {
		// A data check draws its inputs as its sweep does: one
		// measurement of their dimension serves both.
		var dim *InputDim
		auto := s.Experiments[i].Precision == PrecisionAuto
		if auto {
			autos[i] = &autoPlan{}
		}
		for _, e := range s.Experiments[i].planned() {
			for _, n := range e.Sizes {
				for _, seed := range e.Seeds {
					index++
					owned := opt.Shards == 0 || index%opt.Shards == opt.Shard
					// The shard that owns the job the check's float32 run
					// may become records the check pair.
					if auto && owned && e.checkOf == "" && n == e.Sizes[len(e.Sizes)-1] && seed == e.Seeds[0] {
						autos[i].owner = true
					}
					if !owned {
						continue
					}
					r := Run{Experiment: e.ID, ConfigHash: e.hash(), Size: n, Seed: seed}
					if store.Has(&r) {
						skipped++
						continue
					}
					if dim == nil {
						var err error
						if dim, err = measureDim(e); err != nil {
							return fmt.Errorf("%s: measuring the input dimension: %w", e.ID, err)
						}
					}
					jobs = append(jobs, job{e: e, order: i, size: n, seed: seed, dim: dim, data: cache})
					if auto {
						autos[i].pending, autos[i].dim = true, dim
					}
				}
			}
		}
	}
	var trainedMu sync.Mutex
	var trained []Run
	if len(autos) > 0 {
		prec, checked, err := decidePrecisions(s, store, autos, workers, cache, logf)
		if err != nil {
			return err
		}
		trained = checked
		// The check's float32 run may now be recorded as one of the jobs.
		jobs = slices.DeleteFunc(jobs, func(j job) bool {
			done := store.Has(&Run{Experiment: j.e.ID, ConfigHash: j.e.hash(), Size: j.size, Seed: j.seed})
			if done {
				skipped++
			}
			return done
		})
		for k := range jobs {
			if p, ok := prec[jobs[k].order]; ok {
				jobs[k].prec = p
			}
		}
	}
	logf("sweep %s: %d runs to do, %d already recorded\n", s.Name, len(jobs), skipped)
	// The FMA peak is measured in the same run as the training, with every
	// core busy, so that the suite's efficiency is a ratio of two figures
	// from one machine at one time.
	peak := nets.FMAPeak(runtime.GOMAXPROCS(0))
	// Runs in parallel share the cores: each product gets its share, so the
	// products' goroutines do not oversubscribe them. Results are the same
	// bits for any split.
	defer nets.SetThreads(nets.SetThreads(max(1, runtime.GOMAXPROCS(0)/min(workers, max(len(jobs), 1)))))
	// Large runs first, so that the last ones to finish are short.
	next := make(chan []job)
	errs := make(chan error, len(jobs))
	var wg sync.WaitGroup
	prog := newProgress(opt.Log, jobs, time.Now)
	defer prog.close()
	units := lockstepUnits(jobs)
	var probeMu sync.Mutex
	var probes, kernels []float64
	for range workers {
		wg.Go(func() {
			for unit := range next {
				// Another sweep sharing the folder may have recorded a
				// run since this one planned its jobs.
				refreshed := store.Refresh() == nil
				unit = slices.DeleteFunc(unit, func(j job) bool {
					probe := Run{Experiment: j.e.ID, ConfigHash: j.e.hash(), Size: j.size, Seed: j.seed}
					if refreshed && store.Has(&probe) {
						prog.finished(j, "recorded meanwhile by another sweep")
						return true
					}
					return false
				})
				if len(unit) == 0 {
					continue
				}
				var runs []Run
				var err error
				if len(unit) == 1 {
					var r Run
					r, err = runJobFunc(unit[0])
					runs = []Run{r}
				} else {
					runs, err = runGroupFunc(unit)
				}
				for k, j := range unit {
					err := err // a failed training fails every run of the unit; a failed append only its own
					if err == nil {
						err = store.Append(runs[k])
					}
					if err != nil {
						errs <- fmt.Errorf("%s %s seed=%d: %w", j.e.ID, sizeLabel(j), j.seed, err)
						prog.printf("error: %s %s seed=%d: %v\n", j.e.ID, sizeLabel(j), j.seed, err)
						continue
					}
					trainedMu.Lock()
					trained = append(trained, runs[k])
					trainedMu.Unlock()
					prog.finished(j, runStatus(j.e, &runs[k]))
				}
				// The peak beside the work just done, on this
				// worker's core, and the kernel's own rate: a few
				// milliseconds per unit.
				if p := nets.FMAPeak(1); p > 0 {
					k := nets.KernelRate()
					probeMu.Lock()
					probes, kernels = append(probes, p), append(kernels, k)
					probeMu.Unlock()
				}
			}
		})
	}
	for i := len(units) - 1; i >= 0; i-- {
		next <- units[i]
	}
	close(next)
	wg.Wait()
	prog.close()
	if len(trained) > 0 {
		// The peak again after the training, and the larger of the two: a
		// measurement of a few milliseconds can catch the machine busy or
		// slow, and an understated peak overstates the efficiency.
		wall := time.Since(start)
		peak = max(peak, nets.FMAPeak(runtime.GOMAXPROCS(0)))
		eff, err := SuiteEfficiency(trained, wall, runtime.GOMAXPROCS(0), peak)
		eff = eff.withProbes(probes, kernels)
		if err == nil {
			eff.Suite, eff.Runs, eff.Shard = s.Name, len(trained), opt.Shards > 0
			logf("suite efficiency: %s\n", eff)
			err = eff.write(filepath.Join(filepath.Dir(store.path), efficiencyFile))
		}
		if err != nil {
			logf("suite efficiency: %v\n", err)
		}
	}
	close(errs)
	var first error
	for err := range errs {
		if first == nil {
			first = err
		}
	}
	return first
}

// runOne generates the data, trains and scores one run.
func runOne(j job) (Run, error) {
	start := time.Now()
	e := j.e
	spec, err := e.Spec()
	if err != nil {
		return Run{}, err
	}
	var train *problems.Dataset
	var scattered *problems.Scattered
	if e.TrainPoints > 0 {
		scattered, err = j.data.scattered(e, spec, e.trainSize(j.size), e.TrainPoints, j.seed, problems.Train, e.Noise)
	} else {
		train, err = j.data.dataset(e, spec, e.trainSize(j.size), j.seed, problems.Train, e.Noise)
	}
	if err != nil {
		return Run{}, err
	}
	nVal := e.validationSize(e.trainSize(j.size))
	var val *problems.Dataset
	if nVal > 0 {
		if val, err = j.data.dataset(e, spec, nVal, j.seed, problems.Validation, e.Noise); err != nil {
			return Run{}, err
		}
	}
	testSeed := e.TestSeed
	if testSeed == 0 {
		testSeed = problems.DefaultTestSeed
	}
	test, err := j.data.dataset(e, spec, e.TestSize, testSeed, problems.Test, 0)
	if err != nil {
		return Run{}, err
	}
	dims, err := e.Dims()
	if err != nil {
		return Run{}, err
	}
	r := Run{
		Experiment: e.ID, Order: j.order, ConfigHash: e.hash(), Theorem: e.Theorem,
		Problem: spec.Operator.Name(), Family: spec.Family.Name(),
		D1: dims.D1, D2: dims.D2, BU: dims.BU, Sweep: e.Sweep, Size: j.size,
		NTrain: e.trainSize(j.size), Validation: &nVal, Seed: j.seed, InputDim: j.dim, Precision: j.precision(), Noise: e.Noise,
		TrainPoints: e.TrainPoints, DataCheckOf: e.checkOf, Group: e.Group, PrecisionCheckOf: e.precisionOf,
	}
	switch r.Precision {
	case "float32":
		err = trainAndScore[float32](&r, e, spec, train, scattered, val, test)
	default:
		err = trainAndScore[float64](&r, e, spec, train, scattered, val, test)
	}
	if err != nil {
		return Run{}, err
	}
	r.WallSec = math.Round(time.Since(start).Seconds()*1000) / 1000
	r.Env = CurrentEnv()
	return r, nil
}

// trainAndScore trains on train, or on scattered when the training functions
// have points of their own (train is then nil), and scores on test.
func trainAndScore[T nets.Float](r *Run, e *Experiment, spec problems.Spec, train *problems.Dataset, scattered *problems.Scattered, val, test *problems.Dataset) error {
	// The network's initial weights come from the run's seed on a stream of
	// their own, apart from the data's and the batch order's.
	rng := rand.New(rand.NewPCG(r.Seed, problems.InitStream))
	// The sensors are the same in every split; the test set always has them.
	cfg, pr, err := e.netConfig(spec, test.M, r.Size)
	if err != nil {
		return err
	}
	d, err := nets.NewDeepONet[T](cfg, rng)
	if err != nil {
		return err
	}
	r.Params = d.NumParams()
	r.Prescribed = pr
	r.Setup = Setup{Network: d.String(), Sensors: e.Sensors, Points: e.Points, TestSize: e.TestSize, Training: e.Training}
	var trainV []float64
	if scattered != nil {
		trainV = scattered.V
	} else {
		trainV = train.V
	}
	scale := 1.0
	if e.Training.ScaleTargets {
		scale = rootMeanSquare(trainV)
	}
	var valData nets.Data[T]
	if val != nil {
		valData = nets.ConvertData[T](val.N, val.M, val.P, val.D2, val.U, val.Y, divided(val.V, scale))
	}
	var res nets.TrainResult
	if scattered != nil {
		s := scattered
		data := nets.ConvertScattered[T](s.N, s.M, s.K, s.D2, s.U, s.Y, divided(s.V, scale))
		res, err = nets.TrainScattered(d, data, valData, e.trainConfig(r.Seed))
	} else {
		data := nets.ConvertData[T](train.N, train.M, train.P, train.D2, train.U, train.Y, divided(train.V, scale))
		res, err = nets.Train(d, data, valData, e.trainConfig(r.Seed))
	}
	if err != nil {
		return err
	}
	// Losses in the targets' own units, whatever the scaling.
	r.Train = TrainRecord{
		Steps: res.Steps, BestStep: res.BestStep, TrainLoss: finite(res.TrainLoss * scale * scale),
		Diverged: res.Diverged, Stopped: res.Stopped, GFlop: math.Round(res.Flops/1e6) / 1e3,
	}
	if e.Training.ScaleTargets {
		r.Train.TargetScale = scale
	}
	if !math.IsNaN(res.ValLoss) {
		v := res.ValLoss * scale * scale
		r.Train.ValLoss = &v
	}
	testData := nets.ConvertData[T](test.N, test.M, test.P, test.D2, test.U, test.Y, test.V)
	pred := d.Predict(testData.U, test.N, testData.Y, test.P)
	for i := range pred {
		pred[i] *= scale
	}
	m, err := nets.Evaluate(pred, test.V, test.N, test.P)
	if err != nil {
		return err
	}
	// A diverged run keeps the parameters of its best check before the
	// divergence; its metrics are recorded but kept out of fits.
	r.Metrics = sanitize(m)
	return nil
}

// finite maps NaN and ±Inf, which JSON cannot hold, to the largest float.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.MaxFloat64
	}
	return x
}

func sanitize(m nets.Metrics) nets.Metrics {
	return nets.Metrics{
		MeanRelL2: finite(m.MeanRelL2), MedianRelL2: finite(m.MedianRelL2),
		MeanSup: finite(m.MeanSup), MeanSqL2: finite(m.MeanSqL2),
	}
}

// runStatus is a finished run's progress line: the error the experiment's
// theorem bounds, as the report fits it, its steps and its time.
func runStatus(e *Experiment, r *Run) string {
	status := fmt.Sprintf("sq L2 %.3e", r.Metrics.MeanSqL2)
	if th, err := bounds.Lookup(e.Theorem); err == nil && th.Quantity == bounds.SupError {
		status = fmt.Sprintf("sup %.3e", r.Metrics.MeanSup)
	}
	if r.Train.Diverged {
		status = "DIVERGED"
	}
	return fmt.Sprintf("%s, %d steps, %.1fs", status, r.Train.Steps, r.WallSec)
}

// rootMeanSquare is the scale scale_targets divides the targets by; 1 for
// all-zero targets, which need none.
func rootMeanSquare(v []float64) float64 {
	var ss float64
	for _, x := range v {
		ss += x * x
	}
	if ss == 0 || len(v) == 0 {
		return 1
	}
	return math.Sqrt(ss / float64(len(v)))
}

// divided returns v/scale, or v itself when scale is 1.
func divided(v []float64, scale float64) []float64 {
	if scale == 1 {
		return v
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x / scale
	}
	return out
}
