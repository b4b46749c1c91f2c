package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"opscale/nets/internal/gemm"
)

// lockstepCase builds s networks of the layer widths sizes, each with its
// own initial weights and its own n samples of a smooth target.
func lockstepCase[T Float](sizes []int, s, n int) (ds []*Dense[T], xs, ys [][]T) {
	in, out := sizes[0], sizes[len(sizes)-1]
	for k := range s {
		rng := rand.New(rand.NewPCG(uint64(k)+11, 3))
		d, err := NewDense[T](sizes, rng)
		if err != nil {
			panic(err)
		}
		x, y := make([]T, n*in), make([]T, n*out)
		for i := range n {
			var sum float64
			for j := range in {
				v := rng.Float64()*2 - 1
				x[i*in+j] = T(v)
				sum += v * float64(j+1)
			}
			for c := range out {
				y[i*out+c] = T(math.Sin(sum + float64(c)))
			}
		}
		ds, xs, ys = append(ds, d), append(xs, x), append(ys, y)
	}
	return ds, xs, ys
}

func clones[T Float](ds []*Dense[T]) []*Dense[T] {
	var out []*Dense[T]
	for _, d := range ds {
		c, err := NewDense[T](d.Net.Sizes, rand.New(rand.NewPCG(0, 0)))
		if err != nil {
			panic(err)
		}
		copy(c.params, d.params)
		out = append(out, c)
	}
	return out
}

// sameResult compares two training results field by field, NaN equal to NaN.
func sameResult(a, b TrainResult) bool {
	eq := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	return a.Steps == b.Steps && eq(a.TrainLoss, b.TrainLoss) && eq(a.ValLoss, b.ValLoss) &&
		a.BestStep == b.BestStep && a.Diverged == b.Diverged && a.Stopped == b.Stopped && a.Flops == b.Flops
}

// lockstepMatchesAlone trains the networks alone and in lockstep and
// requires the same parameters and results bit for bit, and that the
// lockstep ran (or not) as wantLockstep says: an equality reached by falling
// back to training alone would prove nothing.
func lockstepMatchesAlone[T Float](t *testing.T, sizes []int, s, n int, cfg TrainConfig, wantLockstep bool, spoil func(ys [][]T)) {
	t.Helper()
	ds, xs, ys := lockstepCase[T](sizes, s, n)
	if spoil != nil {
		spoil(ys)
	}
	alone := clones(ds)
	cfgs := make([]TrainConfig, s)
	want := make([]TrainResult, s)
	for k := range s {
		cfgs[k] = cfg
		cfgs[k].Seed = uint64(100 + k)
		var err error
		if want[k], err = TrainDense(alone[k], xs[k], ys[k], n, cfgs[k]); err != nil {
			t.Fatal(err)
		}
	}
	got, ran, err := TrainDenseLockstep(ds, xs, ys, n, cfgs)
	if err != nil {
		t.Fatal(err)
	}
	if ran != wantLockstep {
		t.Fatalf("lockstep ran = %v, want %v", ran, wantLockstep)
	}
	for k := range s {
		if !slices.Equal(ds[k].params, alone[k].params) {
			t.Errorf("network %d: parameters differ from training alone", k)
		}
		if !sameResult(got[k], want[k]) {
			t.Errorf("network %d: result %+v, alone %+v", k, got[k], want[k])
		}
	}
}

// Networks trained in lockstep end with the parameters and results they
// get alone, bit for bit, in both precisions, on one thread and on two,
// with mini-batches and validation or full batches without.
func TestLockstepSameBitsAsAlone(t *testing.T) {
	minibatch := TrainConfig{Steps: 150, BatchSize: 16, LR: 3e-3, Validation: 0.2, EvalEvery: 10}
	full := TrainConfig{Steps: 120, LR: 1e-2, FinalLR: 0.1, EvalEvery: 25}
	for _, threads := range []int{1, 2} {
		prev := SetThreads(threads)
		for _, c := range []struct {
			sizes []int
			s     int
			cfg   TrainConfig
		}{
			{[]int{2, 4, 4, 4, 1}, 3, minibatch},
			{[]int{3, 7, 5, 2}, 4, minibatch},
			{[]int{2, 16, 16, 1}, 5, full},
			{[]int{64, 8, 8, 1}, 3, minibatch}, // the first product 192 deep
		} {
			name := fmt.Sprintf("%v/x%d/batch%d/threads%d", c.sizes, c.s, c.cfg.BatchSize, threads)
			t.Run(name+"/f32", func(t *testing.T) { lockstepMatchesAlone[float32](t, c.sizes, c.s, 100, c.cfg, true, nil) })
			t.Run(name+"/f64", func(t *testing.T) { lockstepMatchesAlone[float64](t, c.sizes, c.s, 100, c.cfg, true, nil) })
		}
		SetThreads(prev)
	}
}

// A network whose loss overflows ends the lockstep, and every network is
// trained alone instead, with the results it gets alone; so are networks
// whose settings keep them apart (early stopping, products too deep).
func TestLockstepFallsBackToAlone(t *testing.T) {
	cfg := TrainConfig{Steps: 60, BatchSize: 16, LR: 3e-3, Validation: 0.2, EvalEvery: 10}
	huge := func(ys [][]float32) {
		for i := range ys[1] {
			ys[1][i] = 3e38
		}
	}
	lockstepMatchesAlone(t, []int{2, 4, 4, 1}, 3, 80, cfg, false, huge)

	stopping := cfg
	stopping.Patience = 2
	lockstepMatchesAlone[float64](t, []int{2, 4, 4, 1}, 3, 80, stopping, false, nil)
	deep := []int{2, gemm.UnsplitDepth[float64]() / 2, 1}
	lockstepMatchesAlone[float64](t, deep, 3, 40, cfg, false, nil)
}

func TestLockstepPays(t *testing.T) {
	for _, c := range []struct {
		sizes []int
		s     int
		want  bool
	}{
		{[]int{2, 4, 4, 4, 1}, 3, true},
		{[]int{2, 8, 8, 8, 1}, 3, true},
		{[]int{2, 12, 12, 12, 1}, 3, false},
		{[]int{2, 24, 24, 24, 1}, 3, false},
		{[]int{64, 8, 8, 1}, 3, true},
		{[]int{65, 8, 8, 1}, 3, false},
		{[]int{2, 4, 1}, 1, false},
	} {
		if got := LockstepPays[float32](c.sizes, c.s); got != c.want {
			t.Errorf("LockstepPays(%v, %d) = %v, want %v", c.sizes, c.s, got, c.want)
		}
	}
}

// BenchmarkLockstep times 200 steps of three 2→w→w→w→1 networks on 256
// samples trained alone and in lockstep; the ratio of the two sets
// LockstepWidth.
func BenchmarkLockstep(b *testing.B) {
	cfg := TrainConfig{Steps: 200, BatchSize: 256, LR: 1e-3}
	for _, w := range []int{4, 6, 8, 12, 16, 24, 32, 48, 64} {
		sizes := []int{2, w, w, w, 1}
		ds, xs, ys := lockstepCase[float32](sizes, 3, 2048)
		cfgs := []TrainConfig{cfg, cfg, cfg}
		for k := range cfgs {
			cfgs[k].Seed = uint64(k)
		}
		b.Run(fmt.Sprintf("w%d/alone", w), func(b *testing.B) {
			for b.Loop() {
				for k, d := range clones(ds) {
					TrainDense(d, xs[k], ys[k], 2048, cfgs[k])
				}
			}
		})
		b.Run(fmt.Sprintf("w%d/lockstep", w), func(b *testing.B) {
			for b.Loop() {
				if _, ran, _ := TrainDenseLockstep(clones(ds), xs, ys, 2048, cfgs); !ran && w*3 <= gemm.UnsplitDepth[float64]() {
					b.Fatal("lockstep did not run")
				}
			}
		})
	}
}
