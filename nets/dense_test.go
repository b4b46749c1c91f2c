package nets

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// The same central-difference check as the DeepONet's (see
// TestDeepONetGradient for the choice of h and the 1e-6 bound), on plain
// networks: one layer, several, and several outputs.
func TestDenseGradient(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []int
		batch int
	}{
		{"linear", []int{3, 2}, 5},
		{"deep", []int{4, 6, 5, 7, 1}, 9},
		{"wide out", []int{2, 8, 3}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			d, err := NewDense[float64](tc.sizes, rng)
			if err != nil {
				t.Fatal(err)
			}
			for i := range d.params {
				if d.params[i] == 0 {
					d.params[i] = 0.1 * rng.NormFloat64()
				}
			}
			out := tc.sizes[len(tc.sizes)-1]
			x := randSlice(rng, tc.batch*tc.sizes[0])
			y := randSlice(rng, tc.batch*out)
			checkGradient(t, d.params, func() float64 { return d.LossGrad(x, tc.batch, y) }, d.Grads())
		})
	}
}

func TestDenseParamCountAndErrors(t *testing.T) {
	// The reference regression network 8→4×256→1:
	// 8·256+256 + 3·(256·256+256) + 256+1 = 199,937.
	d, err := NewDense[float32]([]int{8, 256, 256, 256, 256, 1}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.NumParams(); got != 199937 {
		t.Errorf("NumParams = %d, want 199937", got)
	}
	for name, sizes := range map[string][]int{"one width": {3}, "zero width": {3, 0, 1}} {
		if _, err := NewDense[float64](sizes, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// absData samples f(x) = |x₀| + x₁/2 on [−1,1]², which a ReLU network of
// width ≥ 3 represents exactly (|t| = relu(t) + relu(−t)).
func absData(n int, seed uint64) (x, y []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	x, y = make([]float64, 2*n), make([]float64, n)
	for i := range n {
		x[2*i], x[2*i+1] = 2*rng.Float64()-1, 2*rng.Float64()-1
		y[i] = math.Abs(x[2*i]) + x[2*i+1]/2
	}
	return x, y
}

func TestTrainDenseLearnsAndIsDeterministic(t *testing.T) {
	x, y := absData(512, 1)
	cfg := TrainConfig{Steps: 1500, BatchSize: 32, LR: 3e-3, Validation: 0.25, EvalEvery: 50, Seed: 2}
	run := func(threads int) (TrainResult, []float64) {
		prev := runtime.GOMAXPROCS(threads)
		defer runtime.GOMAXPROCS(prev)
		d, err := NewDense[float64]([]int{2, 32, 32, 1}, rand.New(rand.NewPCG(7, 7)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := TrainDense(d, x, y, 512, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res, append([]float64(nil), d.Params()...)
	}
	res, p2 := run(2)
	// The target's variance is 1/12 + 1/12 ≈ 0.17, the error of predicting
	// its mean; a working trainer ends two decades below that.
	t.Logf("steps %d, best step %d, val MSE %.3e", res.Steps, res.BestStep, res.ValLoss)
	if res.Diverged || !(res.ValLoss < 1.7e-3) {
		t.Errorf("validation MSE %.3e (diverged %v): training does not fit |x₀| + x₁/2", res.ValLoss, res.Diverged)
	}
	res1, p1 := run(1)
	if !slices.Equal(p1, p2) || res1.ValLoss != res.ValLoss {
		t.Error("one and two threads gave different parameters")
	}
	d, _ := NewDense[float64]([]int{2, 4, 1}, rand.New(rand.NewPCG(7, 7)))
	if _, err := TrainDense(d, x[:10], y, 512, cfg); err == nil {
		t.Error("10 inputs accepted for 512 samples")
	}
}
