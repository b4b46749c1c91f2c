package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Data is a training set in the aligned layout: n inputs at m sensors
// (U, n×m), P points (Y, P×d2) and the targets there (V, n×P).
type Data[T Float] struct {
	N, M, P, D2 int
	U, Y, V     []T
}

// ConvertData copies float64 data into the network's precision.
func ConvertData[T Float](n, m, p, d2 int, u, y, v []float64) Data[T] {
	return Data[T]{N: n, M: m, P: p, D2: d2, U: convert[T](u), Y: convert[T](y), V: convert[T](v)}
}

func convert[T Float](s []float64) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = T(v)
	}
	return out
}

// TrainConfig sets up a training run. The zero value of each field means the
// default given beside it.
type TrainConfig struct {
	Steps     int     // Adam steps; default 1000
	BatchSize int     // functions per step; 0 or ≥ the training functions: full batch
	LR        float64 // initial learning rate; default 1e-3
	// FinalLR is the fraction of LR that the cosine schedule ends at;
	// default 0.01.
	FinalLR float64
	// Validation is, for TrainDense only, the fraction of the samples held
	// out to choose the best step and stop early; 0 trains on all and keeps
	// the last step. Train takes its validation functions as a set of their
	// own instead, so that the training set counts training pairs alone.
	Validation float64
	EvalEvery  int // steps between validation checks; default 100
	// Patience is the number of checks without improvement after which
	// training stops; 0 never stops early.
	Patience int
	Seed     uint64 // batch order
}

func (c TrainConfig) withDefaults() TrainConfig {
	if c.Steps == 0 {
		c.Steps = 1000
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.FinalLR == 0 {
		c.FinalLR = 0.01
	}
	if c.EvalEvery == 0 {
		c.EvalEvery = 100
	}
	return c
}

// Validate names the first field that cannot be used.
func (c TrainConfig) Validate() error {
	switch {
	case c.Steps < 0:
		return fmt.Errorf("nets: steps = %d: must be positive", c.Steps)
	case c.BatchSize < 0:
		return fmt.Errorf("nets: batch size = %d: must be ≥ 0 (0 = full batch)", c.BatchSize)
	case c.LR < 0 || math.IsNaN(c.LR):
		return fmt.Errorf("nets: learning rate = %g: must be positive", c.LR)
	case c.FinalLR < 0 || c.FinalLR > 1:
		return fmt.Errorf("nets: final learning-rate fraction = %g: must lie in (0, 1]", c.FinalLR)
	case c.Validation < 0 || c.Validation >= 1:
		return fmt.Errorf("nets: validation fraction = %g: must lie in [0, 1)", c.Validation)
	case c.EvalEvery < 0 || c.Patience < 0:
		return fmt.Errorf("nets: eval interval %d and patience %d must be ≥ 0", c.EvalEvery, c.Patience)
	}
	return nil
}

// TrainResult says how a run ended.
type TrainResult struct {
	Steps     int     // steps taken
	TrainLoss float64 // mean squared error of the last step's batch
	ValLoss   float64 // best validation error, NaN without validation
	BestStep  int     // the step whose parameters were kept
	// Diverged is set when the loss became NaN or infinite, or grew past
	// divergeFactor times its first value; the parameters are then those of
	// the best check before it.
	Diverged bool
	Stopped  bool    // stopped early for lack of improvement
	Flops    float64 // floating-point operations spent, about 3× forward
}

// divergeFactor is how far above its first value the training loss may
// climb before the run counts as diverged. Adam's steps are bounded by the
// learning rate, so a run with far too large a rate can grow its loss
// without bound yet stay finite in float64 for thousands of steps.
const divergeFactor = 1e8

// Train fits d to data with Adam on mini-batches of functions, under a
// cosine learning-rate schedule. The best step is chosen, and training
// stopped early, on the functions of val, which must be sampled apart from
// data (at the same output points); an empty val (N = 0) trains on all and
// keeps the last step. A diverging run is reported in the result, not as an
// error; errors are for unusable arguments.
func Train[T Float](d *DeepONet[T], data, val Data[T], cfg TrainConfig) (TrainResult, error) {
	if data.M != d.Config.Sensors || data.D2 != d.Config.OutDim {
		return TrainResult{}, fmt.Errorf("nets: data has %d sensors and %d output dimensions, the network takes %d and %d",
			data.M, data.D2, d.Config.Sensors, d.Config.OutDim)
	}
	if cfg.Validation != 0 {
		return TrainResult{}, fmt.Errorf("nets: validation fraction %g: Train takes an explicit validation set, not a fraction of the training functions", cfg.Validation)
	}
	if val.N > 0 {
		if val.M != data.M || val.P != data.P || val.D2 != data.D2 || len(val.U) != val.N*val.M || len(val.V) != val.N*val.P {
			return TrainResult{}, fmt.Errorf("nets: validation set of %d functions at %d sensors and %d points does not match the training set's %d sensors and %d points",
				val.N, val.M, val.P, data.M, data.P)
		}
		for i, y := range val.Y {
			if y != data.Y[i] {
				return TrainResult{}, fmt.Errorf("nets: validation set's output point %d differs from the training set's: both must use the same points", i/max(data.D2, 1))
			}
		}
	}
	p := data.P
	return fit(model[T]{
		params: d.params, grads: d.grads,
		lossGrad: func(u []T, n int, v []T) float64 { return d.LossGrad(u, n, data.Y, p, v) },
		forward:  func(u []T, n int) []T { return d.Forward(u, n, data.Y, p) },
		flops:    func(n int) float64 { return d.Flops(n, p) },
	}, "functions", data.N, data.M, p, data.U, data.V, val.N, val.U, val.V, cfg)
}

// TrainDense fits d to n samples, the rows of x (n×in) with targets the
// rows of y (n×out), as Train does a DeepONet: mini-batches of samples, Adam,
// the cosine schedule, validation, early stopping and divergence detection.
func TrainDense[T Float](d *Dense[T], x, y []T, n int, cfg TrainConfig) (TrainResult, error) {
	in, out := d.Net.Sizes[0], d.Net.Sizes[len(d.Net.Sizes)-1]
	if n < 1 || len(x) != n*in || len(y) != n*out {
		return TrainResult{}, fmt.Errorf("nets: %d samples need %d inputs and %d targets for network %v, got %d and %d",
			n, n*in, n*out, d.Net.Sizes, len(x), len(y))
	}
	if err := cfg.Validate(); err != nil {
		return TrainResult{}, err
	}
	nVal := int(math.Round(cfg.Validation * float64(n)))
	if cfg.Validation > 0 {
		nVal = max(nVal, 1)
	}
	nTrain := n - nVal
	if nTrain < 1 {
		return TrainResult{}, fmt.Errorf("nets: %d samples leave none to train on after %d for validation", n, nVal)
	}
	return fit(model[T]{
		params: d.params, grads: d.grads,
		lossGrad: d.LossGrad,
		forward:  d.Forward,
		flops:    d.Flops,
	}, "samples", nTrain, in, out, x[:nTrain*in], y[:nTrain*out], nVal, x[nTrain*in:], y[nTrain*out:], cfg)
}

// model is what the training loop needs of a network: its parameter and
// gradient vectors, the loss and gradient on a batch of input rows u against
// target rows v, the predictions for input rows, and the flops of a forward
// pass.
type model[T Float] struct {
	params, grads []T
	lossGrad      func(u []T, n int, v []T) float64
	forward       func(u []T, n int) []T
	flops         func(n int) float64
	// valFlops is the flops of a forward pass on validation rows when they
	// differ from the training rows' (scattered training, aligned
	// validation); nil means flops.
	valFlops func(n int) float64
}

// fit trains on the nTrain rows of U (nTrain×m) with targets the rows of V
// (nTrain×p), choosing the best step on the nVal rows of valU and valV; what
// names the rows in errors.
func fit[T Float](d model[T], what string, nTrain, m, p int, U, V []T, nVal int, valU, valV []T, cfg TrainConfig) (TrainResult, error) {
	if err := cfg.Validate(); err != nil {
		return TrainResult{}, err
	}
	cfg = cfg.withDefaults()
	if nTrain < 1 || len(U) != nTrain*m || len(V) != nTrain*p {
		return TrainResult{}, fmt.Errorf("nets: %d training %s with %d inputs and %d targets: need at least one, of %d and %d values", nTrain, what, len(U), len(V), m, p)
	}
	batch := cfg.BatchSize
	if batch == 0 || batch > nTrain {
		batch = nTrain
	}

	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6261746368)) // "batch"
	perm := make([]int, nTrain)
	for i := range perm {
		perm[i] = i
	}
	bu, bv := make([]T, batch*m), make([]T, batch*p)
	adam := NewAdam[T](len(d.params))
	best := append([]T(nil), d.params...)
	res := TrainResult{ValLoss: math.NaN()}
	bestLoss, firstLoss := math.Inf(1), 0.0
	sinceBest := 0
	pos := nTrain // forces a shuffle on the first step
	for step := 1; step <= cfg.Steps; step++ {
		u, v := U[:nTrain*m], V[:nTrain*p]
		if batch < nTrain {
			for i := range batch {
				if pos == nTrain {
					rng.Shuffle(nTrain, func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
					pos = 0
				}
				j := perm[pos]
				pos++
				copy(bu[i*m:(i+1)*m], U[j*m:(j+1)*m])
				copy(bv[i*p:(i+1)*p], V[j*p:(j+1)*p])
			}
			u, v = bu, bv
		}
		loss := d.lossGrad(u, batch, v)
		res.Steps, res.TrainLoss = step, loss
		res.Flops += 3 * d.flops(batch)
		if step == 1 {
			firstLoss = loss
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) || loss > divergeFactor*firstLoss {
			res.Diverged = true
			break
		}
		lr := cfg.LR * (cfg.FinalLR + (1-cfg.FinalLR)*0.5*(1+math.Cos(math.Pi*float64(step-1)/float64(cfg.Steps))))
		adam.Step(d.params, d.grads, lr)

		if step%cfg.EvalEvery != 0 && step != cfg.Steps {
			continue
		}
		check := loss
		if nVal > 0 {
			check = mse(d.forward(valU, nVal), valV)
			if d.valFlops != nil {
				res.Flops += d.valFlops(nVal)
			} else {
				res.Flops += d.flops(nVal)
			}
		}
		if math.IsNaN(check) || math.IsInf(check, 0) {
			res.Diverged = true
			break
		}
		if nVal == 0 || check < bestLoss {
			bestLoss, res.BestStep, sinceBest = check, step, 0
			copy(best, d.params)
		} else if sinceBest++; cfg.Patience > 0 && sinceBest >= cfg.Patience {
			res.Stopped = true
			break
		}
	}
	copy(d.params, best)
	if nVal > 0 && !math.IsInf(bestLoss, 1) {
		res.ValLoss = bestLoss
	}
	return res, nil
}

func mse[T Float](a, b []T) float64 {
	var s float64
	for i, x := range a {
		r := float64(x) - float64(b[i])
		s += r * r
	}
	return s / float64(len(a))
}

// Predict returns the n×P predictions as float64, for metrics.
func (d *DeepONet[T]) Predict(u []T, n int, y []T, p int) []float64 {
	out := d.Forward(u, n, y, p)
	pred := make([]float64, len(out))
	for i, v := range out {
		pred[i] = float64(v)
	}
	return pred
}
