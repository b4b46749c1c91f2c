package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"opscale/nets/internal/gemm"
)

// TrainDenseLockstep trains each network ds[k] on its own samples (the n rows
// of xs[k] with targets ys[k]) under cfgs[k], with exactly the results, bit
// for bit, that TrainDense gives each alone, but as one network when that
// is possible: the networks become the diagonal blocks of a network S times
// as wide, whose off-diagonal weights stay zero, so that a step of all S
// costs one pass of products instead of S. Small networks are all overhead
// (a step of a 2→4→4→4→1 network on 256 samples takes about as long as one
// of width 16), and S of them in one product cost little more than one.
//
// The blocks leave each network's arithmetic unchanged: every element of a
// product is summed in k order, in one k block while k stays within
// gemm.UnsplitDepth, so the zero products of the other blocks add exact
// zeros to a sum that starts at +0 and does not depend on how many columns
// the product has; the loss and its gradient are computed on each network's
// own outputs as TrainDense computes them; Adam is elementwise and moves a
// weight with zero gradient and zero moments by exactly nothing.
//
// Lockstep needs networks of one architecture and settings that differ in
// the seed alone, no early stopping (a stopped network would have to leave
// the block), and every stacked width within gemm.UnsplitDepth. Otherwise, and
// if any network's loss, gradient or validation error stops being finite or
// its loss diverges (an infinite activation times a zero weight is NaN, which
// would reach the other blocks), each network is trained alone from its
// initial weights. The
// second result says whether the lockstep ran to the end.
func TrainDenseLockstep[T Float](ds []*Dense[T], xs, ys [][]T, n int, cfgs []TrainConfig) ([]TrainResult, bool, error) {
	if len(ds) == 0 || len(xs) != len(ds) || len(ys) != len(ds) || len(cfgs) != len(ds) {
		return nil, false, fmt.Errorf("nets: lockstep of %d networks got %d input sets, %d target sets and %d configurations",
			len(ds), len(xs), len(ys), len(cfgs))
	}
	if len(ds) == 1 {
		r, err := TrainDense(ds[0], xs[0], ys[0], n, cfgs[0])
		return []TrainResult{r}, false, err
	}
	for k, d := range ds {
		in, out := d.Net.Sizes[0], d.Net.Sizes[len(d.Net.Sizes)-1]
		if len(xs[k]) != n*in || len(ys[k]) != n*out {
			return nil, false, fmt.Errorf("nets: lockstep network %d: %d samples need %d inputs and %d targets, got %d and %d",
				k, n, n*in, n*out, len(xs[k]), len(ys[k]))
		}
		if err := cfgs[k].Validate(); err != nil {
			return nil, false, fmt.Errorf("nets: lockstep network %d: %w", k, err)
		}
	}
	if lockstepPossible(ds, cfgs) {
		init := make([][]T, len(ds))
		for k, d := range ds {
			init[k] = slices.Clone(d.params)
		}
		if res, ok := lockstepDense(ds, xs, ys, n, cfgs); ok {
			return res, true, nil
		}
		for k, d := range ds {
			copy(d.params, init[k])
		}
	}
	res := make([]TrainResult, len(ds))
	for k, d := range ds {
		var err error
		if res[k], err = TrainDense(d, xs[k], ys[k], n, cfgs[k]); err != nil {
			return nil, false, err
		}
	}
	return res, false, nil
}

// LockstepWidth is the widest stacked layer, the sum of the networks' widths,
// for which a lockstep pays on one core. BenchmarkLockstep (200 steps of three
// 2→w→w→w→1 networks on batches of 256, one thread) puts the lockstep at
// 1.1–1.3× the speed of training alone for w = 4 to 8, 1.0× at 12, 0.65× at
// 16 and 0.35–0.5× from 24 up, where the work of the zero blocks outgrows the
// overhead saved. Since the kernels compute tiles of any width in place
// (masked parts), a small network alone has less overhead to save: the
// lockstep paid 1.3× at 16 before them.
const LockstepWidth = 24

// LockstepPays reports whether training s networks of the layer widths sizes
// in lockstep is both possible (every stacked width within the GEMM's
// unsplit depth) and faster than one by one (hidden widths stacked within
// LockstepWidth).
func LockstepPays[T Float](sizes []int, s int) bool {
	if s < 2 || len(sizes) < 2 || !unsplit[T](sizes, s) {
		return false
	}
	for _, w := range sizes[1 : len(sizes)-1] {
		if s*w > LockstepWidth {
			return false
		}
	}
	return true
}

// unsplit reports whether every product of s stacked networks of the layer
// widths sizes sums each element in one k block.
func unsplit[T Float](sizes []int, s int) bool {
	for _, w := range sizes {
		if s*w > gemm.UnsplitDepth[T]() {
			return false
		}
	}
	return true
}

func lockstepPossible[T Float](ds []*Dense[T], cfgs []TrainConfig) bool {
	sizes := ds[0].Net.Sizes
	c0 := cfgs[0]
	c0.Seed = 0
	for k, d := range ds {
		c := cfgs[k]
		c.Seed = 0
		if !slices.Equal(d.Net.Sizes, sizes) || d.Net.LastReLU != ds[0].Net.LastReLU || c != c0 {
			return false
		}
	}
	return c0.Patience == 0 && len(ds) >= 2 && unsplit[T](sizes, len(ds))
}

// stack returns the block-diagonal network of the S networks ds: layer l's
// weight matrix holds network k's at rows k·in…, columns k·out…, its bias
// network k's at k·out….
func stack[T Float](ds []*Dense[T]) *Dense[T] {
	S, sizes := len(ds), ds[0].Net.Sizes
	wide := make([]int, len(sizes))
	for l, w := range sizes {
		wide[l] = S * w
	}
	n := mlpParams(wide)
	st := &Dense[T]{Net: &MLP[T]{Sizes: wide, LastReLU: ds[0].Net.LastReLU}, params: make([]T, n), grads: make([]T, n)}
	st.Net.bind(st.params, st.grads)
	for k, d := range ds {
		blockCopy(st.Net, d.Net, k, true)
	}
	return st
}

// blockCopy copies network k's weights and biases between the stacked
// network st and one network d of its blocks: into st if in, out of it
// otherwise.
func blockCopy[T Float](st, d *MLP[T], k int, in bool) {
	S := st.Sizes[0] / d.Sizes[0]
	for l := range d.w {
		ni, no := d.Sizes[l], d.Sizes[l+1]
		for i := range ni {
			row := st.w[l][(k*ni+i)*S*no+k*no:]
			row = row[:no]
			if in {
				copy(row, d.w[l][i*no:(i+1)*no])
			} else {
				copy(d.w[l][i*no:(i+1)*no], row)
			}
		}
		if in {
			copy(st.b[l][k*no:(k+1)*no], d.b[l])
		} else {
			copy(d.b[l], st.b[l][k*no:(k+1)*no])
		}
	}
}

// clearOffDiagonal zeroes the weight gradients outside the diagonal blocks,
// where the product Xᵀ·δ of the stacked network pairs one network's inputs
// with another's errors.
func clearOffDiagonal[T Float](st *MLP[T], S int) {
	for l := range st.gw {
		ni, no := st.Sizes[l]/S, st.Sizes[l+1]/S
		for r := range S * ni {
			row := st.gw[l][r*S*no : (r+1)*S*no]
			k := r / ni
			clear(row[:k*no])
			clear(row[(k+1)*no:])
		}
	}
}

// lockstepDense is TrainDense for every network at once; it returns false
// if a network's loss left the finite range or diverged, the case where the
// blocks could have mixed.
func lockstepDense[T Float](ds []*Dense[T], xs, ys [][]T, n int, cfgs []TrainConfig) ([]TrainResult, bool) {
	S := len(ds)
	in, outd := ds[0].Net.Sizes[0], ds[0].Net.Sizes[len(ds[0].Net.Sizes)-1]
	cfg := cfgs[0].withDefaults()
	nVal := int(math.Round(cfg.Validation * float64(n)))
	if cfg.Validation > 0 {
		nVal = max(nVal, 1)
	}
	nTrain := n - nVal
	if nTrain < 1 {
		return nil, false // TrainDense names the error
	}
	batch := cfg.BatchSize
	if batch == 0 || batch > nTrain {
		batch = nTrain
	}
	st := stack(ds)
	adam := NewAdam[T](len(st.params))

	type seedState struct {
		rng       *rand.Rand
		perm      []int
		pos       int
		bv        []T // the batch's targets, batch×out
		out, dOut []T // this network's outputs and their gradient
		best      []T
		res       TrainResult
		bestLoss  float64
		firstLoss float64
	}
	seeds := make([]*seedState, S)
	for k := range seeds {
		s := &seedState{
			rng:  rand.New(rand.NewPCG(cfgs[k].Seed, 0x6261746368)), // as fit's
			perm: make([]int, nTrain),
			pos:  nTrain,
			bv:   make([]T, batch*outd),
			out:  make([]T, batch*outd),
			dOut: make([]T, batch*outd),
			best: slices.Clone(ds[k].params),
			res:  TrainResult{ValLoss: math.NaN()},
		}
		s.bestLoss = math.Inf(1)
		for i := range s.perm {
			s.perm[i] = i
		}
		seeds[k] = s
	}
	bu := make([]T, batch*S*in)
	dOut := make([]T, batch*S*outd)
	var valU []T
	var valOut []T
	if nVal > 0 {
		valU = make([]T, nVal*S*in)
		for k := range S {
			scatterColumns(valU, xs[k][nTrain*in:], nVal, in, S, k)
		}
		valOut = make([]T, nVal*outd)
	}

	for step := 1; step <= cfg.Steps; step++ {
		for k, s := range seeds {
			U, V := xs[k], ys[k]
			if batch < nTrain {
				for i := range batch {
					if s.pos == nTrain {
						s.rng.Shuffle(nTrain, func(a, b int) { s.perm[a], s.perm[b] = s.perm[b], s.perm[a] })
						s.pos = 0
					}
					j := s.perm[s.pos]
					s.pos++
					copy(bu[(i*S+k)*in:(i*S+k+1)*in], U[j*in:(j+1)*in])
					copy(s.bv[i*outd:(i+1)*outd], V[j*outd:(j+1)*outd])
				}
			} else if step == 1 {
				// The full batch is the same every step.
				scatterColumns(bu, U, batch, in, S, k)
				copy(s.bv, V[:batch*outd])
			}
		}
		out := st.Net.forward(bu, batch)
		for k, s := range seeds {
			gatherColumns(s.out, out, batch, outd, S, k)
			loss, _ := mseGrad(s.dOut, s.out, s.bv, 0)
			scatterColumns(dOut, s.dOut, batch, outd, S, k)
			s.res.Steps, s.res.TrainLoss = step, loss
			s.res.Flops += 3 * ds[k].Flops(batch)
			if step == 1 {
				s.firstLoss = loss
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) || loss > divergeFactor*s.firstLoss {
				return nil, false
			}
		}
		st.Net.backward(dOut, batch)
		clearOffDiagonal(st.Net, S)
		// An infinite gradient in one block reaches the others through
		// the zero weights as NaN, and a network alone may end its
		// training with such a step: stop while it can be redone.
		if !allFinite(st.grads) {
			return nil, false
		}
		lr := cfg.LR * (cfg.FinalLR + (1-cfg.FinalLR)*0.5*(1+math.Cos(math.Pi*float64(step-1)/float64(cfg.Steps))))
		adam.Step(st.params, st.grads, lr)

		if step%cfg.EvalEvery != 0 && step != cfg.Steps {
			continue
		}
		var vout []T
		if nVal > 0 {
			vout = st.Net.forward(valU, nVal)
		}
		for k, s := range seeds {
			check := s.res.TrainLoss
			if nVal > 0 {
				gatherColumns(valOut, vout, nVal, outd, S, k)
				check = mse(valOut, ys[k][nTrain*outd:])
				s.res.Flops += ds[k].Flops(nVal)
			}
			if math.IsNaN(check) || math.IsInf(check, 0) {
				return nil, false
			}
			if nVal == 0 || check < s.bestLoss {
				s.bestLoss, s.res.BestStep = check, step
				blockCopy(st.Net, ds[k].Net, k, false)
				copy(s.best, ds[k].params)
			}
		}
	}
	res := make([]TrainResult, S)
	for k, s := range seeds {
		copy(ds[k].params, s.best)
		if nVal > 0 && !math.IsInf(s.bestLoss, 1) {
			s.res.ValLoss = s.bestLoss
		}
		res[k] = s.res
	}
	return res, true
}

// scatterColumns writes the rows×w matrix src into block k of the rows×(S·w)
// matrix dst.
func scatterColumns[T Float](dst, src []T, rows, w, S, k int) {
	for i := range rows {
		copy(dst[(i*S+k)*w:(i*S+k+1)*w], src[i*w:(i+1)*w])
	}
}

// gatherColumns copies block k of the rows×(S·w) matrix src into the rows×w
// matrix dst.
func gatherColumns[T Float](dst, src []T, rows, w, S, k int) {
	for i := range rows {
		copy(dst[i*w:(i+1)*w], src[(i*S+k)*w:(i*S+k+1)*w])
	}
}

func allFinite[T Float](v []T) bool {
	for _, x := range v {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}
