package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"opscale/nets/internal/gemm"
)

// The hand-written backward pass on scattered points must match central
// differences of the loss (see checkGradient for the tolerance), at one
// point per function as well as at several, in one and two output
// dimensions.
func TestDeepONetScatteredGradient(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  DeepONetConfig
		n, k int
	}{
		{"one point", DeepONetConfig{Sensors: 5, OutDim: 1, Branch: []int{7, 6}, Trunk: []int{4}, P: 3}, 4, 1},
		{"four points", DeepONetConfig{Sensors: 5, OutDim: 1, Branch: []int{7}, Trunk: []int{6, 5}, P: 4}, 3, 4},
		{"2d trunk relu out", DeepONetConfig{Sensors: 3, OutDim: 2, Branch: []int{5}, Trunk: []int{5, 4}, P: 4, TrunkLastReLU: true}, 3, 5},
		{"no hidden", DeepONetConfig{Sensors: 4, OutDim: 1, P: 2}, 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 3))
			d, err := NewDeepONet[float64](tc.cfg, rng)
			if err != nil {
				t.Fatal(err)
			}
			for i := range d.params {
				if d.params[i] == 0 {
					d.params[i] = 0.1 * rng.NormFloat64()
				}
			}
			u := randSlice(rng, tc.n*tc.cfg.Sensors)
			y := randSlice(rng, tc.n*tc.k*tc.cfg.OutDim)
			v := randSlice(rng, tc.n*tc.k)
			checkGradient(t, d.params, func() float64 { return d.LossGradScattered(u, tc.n, y, tc.k, v) }, d.Grads())
		})
	}
}

// Scattered data whose functions all sit at the same points is aligned data:
// the outputs, losses and gradients of the two paths must agree to the
// rounding of sums of p products (the aligned path sums in the GEMM's
// order), which at these sizes is a few ε relative.
func TestScatteredMatchesAligned(t *testing.T) {
	cfg := DeepONetConfig{Sensors: 6, OutDim: 2, Branch: []int{9}, Trunk: []int{8}, P: 7}
	const n, k = 5, 4
	rng := rand.New(rand.NewPCG(4, 4))
	d, err := NewDeepONet[float64](cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	d.params[len(d.params)-1] = 0.3
	u := randSlice(rng, n*cfg.Sensors)
	y := randSlice(rng, k*cfg.OutDim)
	v := randSlice(rng, n*k)
	ys := make([]float64, 0, n*k*cfg.OutDim)
	for range n {
		ys = append(ys, y...)
	}
	la := d.LossGrad(u, n, y, k, v)
	ga := slices.Clone(d.Grads())
	oa := slices.Clone(d.Forward(u, n, y, k))
	ls := d.LossGradScattered(u, n, ys, k, v)
	gs := slices.Clone(d.Grads())
	os := d.ForwardScattered(u, n, ys, k)
	const tol = 1e-13
	if math.Abs(la-ls) > tol*math.Abs(la) {
		t.Errorf("loss %.17g aligned, %.17g scattered", la, ls)
	}
	for i := range oa {
		if math.Abs(oa[i]-os[i]) > tol*(1+math.Abs(oa[i])) {
			t.Errorf("output %d: %.17g aligned, %.17g scattered", i, oa[i], os[i])
		}
	}
	var num, den float64
	for i := range ga {
		num += (ga[i] - gs[i]) * (ga[i] - gs[i])
		den += ga[i] * ga[i]
	}
	if r := math.Sqrt(num / den); r > tol {
		t.Errorf("gradients differ by %.2e relative", r)
	}
}

// scatteredLinear is linearData with every function at k points of its
// own, drawn uniformly on [0,1].
func scatteredLinear(n, m, k int, seed uint64) ScatteredData[float64] {
	rng := rand.New(rand.NewPCG(seed, 9))
	d := ScatteredData[float64]{N: n, M: m, K: k, D2: 1, U: make([]float64, n*m), Y: make([]float64, n*k), V: make([]float64, n*k)}
	for i := range n {
		var s float64
		for j := range m {
			d.U[i*m+j] = rng.Float64()*2 - 1
			s += d.U[i*m+j]
		}
		for j := range k {
			y := rng.Float64()
			d.Y[i*k+j], d.V[i*k+j] = y, s*y/float64(m)
		}
	}
	return d
}

func trainScatteredOnce[T Float](t *testing.T, threads int, cfg TrainConfig) (TrainResult, []T) {
	t.Helper()
	prev := runtime.GOMAXPROCS(threads)
	defer runtime.GOMAXPROCS(prev)
	prevT := gemm.SetThreads(threads)
	defer gemm.SetThreads(prevT)
	src := scatteredLinear(192, 8, 2, 3)
	data := ConvertScattered[T](src.N, src.M, src.K, src.D2, src.U, src.Y, src.V)
	vs := linearData(64, 8, 10, 4)
	val := ConvertData[T](vs.N, vs.M, vs.P, vs.D2, vs.U, vs.Y, vs.V)
	d, err := NewDeepONet[T](DeepONetConfig{Sensors: 8, OutDim: 1, Branch: []int{32}, Trunk: []int{32}, P: 16}, rand.New(rand.NewPCG(5, 5)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := TrainScattered(d, data, val, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res, slices.Clone(d.Params())
}

// Two points per function suffice to learn the linear operator that
// TestTrainLearnsAndIsDeterministic learns from ten aligned ones, scored on
// an aligned validation set; and one and two threads give the same bits in
// both precisions.
func TestTrainScatteredLearnsAndIsDeterministic(t *testing.T) {
	cfg := TrainConfig{Steps: 1500, BatchSize: 16, LR: 3e-3, EvalEvery: 50, Seed: 11}
	res, p2 := trainScatteredOnce[float64](t, 2, cfg)
	if res.Diverged {
		t.Fatal("diverged")
	}
	t.Logf("steps %d, best step %d, val MSE %.3e, %.3g GFLOP", res.Steps, res.BestStep, res.ValLoss, res.Flops/1e9)
	// As in TestTrainLearnsAndIsDeterministic: a decade below the
	// targets' variance ≈ 0.014.
	if !(res.ValLoss < 1.4e-3) {
		t.Errorf("validation MSE %.3e: training on scattered points does not learn a linear operator", res.ValLoss)
	}
	res1, p1 := trainScatteredOnce[float64](t, 1, cfg)
	if !slices.Equal(p1, p2) || res1.ValLoss != res.ValLoss {
		t.Error("float64: one and two threads gave different parameters")
	}
	cfg.Steps = 200
	_, q1 := trainScatteredOnce[float32](t, 1, cfg)
	_, q2 := trainScatteredOnce[float32](t, 2, cfg)
	if !slices.Equal(q1, q2) {
		t.Error("float32: one and two threads gave different parameters")
	}
}

func TestTrainScatteredRejectsBadData(t *testing.T) {
	d, err := NewDeepONet[float64](DeepONetConfig{Sensors: 8, OutDim: 1, Branch: []int{4}, Trunk: []int{4}, P: 4}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	good := scatteredLinear(4, 8, 2, 1)
	short := good
	short.Y = short.Y[:len(short.Y)-1]
	sensors := scatteredLinear(4, 7, 2, 1)
	zero := good
	zero.K = 0
	val := linearData(3, 8, 5, 2)
	val.M = 7
	for name, c := range map[string]struct {
		data ScatteredData[float64]
		val  Data[float64]
	}{"short points": {short, Data[float64]{}}, "sensors": {sensors, Data[float64]{}}, "no points": {zero, Data[float64]{}}, "validation sensors": {good, val}} {
		if _, err := TrainScattered(d, c.data, c.val, TrainConfig{Steps: 1}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BenchmarkLossGradScattered times one loss-and-gradient pass on a batch of
// 32 functions at k points of their own, beside the aligned pass on a grid
// of 64 points, for a network of width 64 (branch [64, 64, 64], trunk [1,
// 64, 64], p = 64): the cost of the output-point regime per step.
func BenchmarkLossGradScattered(b *testing.B) {
	const n, m, w = 32, 64, 64
	cfg := DeepONetConfig{Sensors: m, OutDim: 1, Branch: []int{w, w}, Trunk: []int{w, w}, P: w}
	rng := rand.New(rand.NewPCG(1, 1))
	d, err := NewDeepONet[float32](cfg, rng)
	if err != nil {
		b.Fatal(err)
	}
	u := convert[float32](randSlice(rng, n*m))
	b.Run("aligned/P=64", func(b *testing.B) {
		y := convert[float32](randSlice(rng, 64))
		v := convert[float32](randSlice(rng, n*64))
		for b.Loop() {
			d.LossGrad(u, n, y, 64, v)
		}
		b.ReportMetric(3*d.Flops(n, 64)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	for _, k := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("scattered/k=%d", k), func(b *testing.B) {
			y := convert[float32](randSlice(rng, n*k))
			v := convert[float32](randSlice(rng, n*k))
			for b.Loop() {
				d.LossGradScattered(u, n, y, k, v)
			}
			b.ReportMetric(3*d.FlopsScattered(n, k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// A scattered pass in steady state allocates nothing, as an aligned step
// does not (TestTrainStepAllocs): every workspace is kept from the first.
func TestLossGradScatteredAllocs(t *testing.T) {
	cfg := DeepONetConfig{Sensors: 8, OutDim: 1, Branch: []int{16}, Trunk: []int{16}, P: 8}
	rng := rand.New(rand.NewPCG(1, 1))
	d, err := NewDeepONet[float32](cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	const n, k = 16, 4
	u, y, v := convert[float32](randSlice(rng, n*8)), convert[float32](randSlice(rng, n*k)), convert[float32](randSlice(rng, n*k))
	d.LossGradScattered(u, n, y, k, v)
	if a := testing.AllocsPerRun(3, func() { d.LossGradScattered(u, n, y, k, v) }); a != 0 {
		t.Errorf("%v allocations per pass", a)
	}
}
