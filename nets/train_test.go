package nets

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// linearData is a toy operator that a DeepONet can fit exactly: the output at
// y is (Σ u)·y, on n random inputs at m sensors and P points in [0,1].
func linearData(n, m, p int, seed uint64) Data[float64] {
	rng := rand.New(rand.NewPCG(seed, 9))
	d := Data[float64]{N: n, M: m, P: p, D2: 1, U: make([]float64, n*m), Y: make([]float64, p), V: make([]float64, n*p)}
	for j := range p {
		d.Y[j] = float64(j) / float64(p-1)
	}
	for i := range n {
		var s float64
		for k := range m {
			d.U[i*m+k] = rng.Float64()*2 - 1
			s += d.U[i*m+k]
		}
		for j := range p {
			d.V[i*p+j] = s * d.Y[j] / float64(m)
		}
	}
	return d
}

// trainOnce trains on 192 functions, validating on nVal others drawn from a
// generator of their own.
func trainOnce(t *testing.T, cfg TrainConfig, nVal int) (TrainResult, []float64) {
	t.Helper()
	data := linearData(192, 8, 10, 3)
	var val Data[float64]
	if nVal > 0 {
		val = linearData(nVal, 8, 10, 4)
	}
	d, err := NewDeepONet[float64](DeepONetConfig{Sensors: 8, OutDim: 1, Branch: []int{32}, Trunk: []int{32}, P: 16}, rand.New(rand.NewPCG(5, 5)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(d, data, val, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res, append([]float64(nil), d.Params()...)
}

func TestTrainLearnsAndIsDeterministic(t *testing.T) {
	cfg := TrainConfig{Steps: 1500, BatchSize: 16, LR: 3e-3, EvalEvery: 50, Seed: 11}
	res, p1 := trainOnce(t, cfg, 64)
	if res.Diverged {
		t.Fatal("diverged")
	}
	// The targets have variance ≈ 1/(3m)·E[y²] ≈ 0.014, which predicting
	// zero scores; a working trainer gets the held-out error at least a
	// decade below it (it reaches ≈ 1e-4 here).
	t.Logf("steps %d, best step %d, val MSE %.3e", res.Steps, res.BestStep, res.ValLoss)
	if !(res.ValLoss < 1.4e-3) {
		t.Errorf("validation MSE %.3e: training does not learn a linear operator", res.ValLoss)
	}
	prev := runtime.GOMAXPROCS(1)
	res1, p2 := trainOnce(t, cfg, 64)
	runtime.GOMAXPROCS(prev)
	if !slices.Equal(p1, p2) || res1.ValLoss != res.ValLoss {
		t.Error("same seed gave different parameters on 1 thread")
	}
}

func TestTrainReportsDivergence(t *testing.T) {
	res, _ := trainOnce(t, TrainConfig{Steps: 200, LR: 1e12, EvalEvery: 10}, 0)
	if !res.Diverged || res.Steps == 200 {
		t.Errorf("learning rate 1e12 did not diverge: loss %g after %d steps", res.TrainLoss, res.Steps)
	}
	ok, _ := trainOnce(t, TrainConfig{Steps: 200, LR: 1e-3, EvalEvery: 10}, 0)
	if ok.Diverged {
		t.Errorf("learning rate 1e-3 reported as diverged: loss %g", ok.TrainLoss)
	}
}

func TestTrainRejectsBadConfig(t *testing.T) {
	data := linearData(8, 8, 10, 3)
	d, _ := NewDeepONet[float64](DeepONetConfig{Sensors: 8, OutDim: 1, Branch: []int{4}, Trunk: []int{4}, P: 4}, rand.New(rand.NewPCG(5, 5)))
	for name, cfg := range map[string]TrainConfig{
		"negative steps":    {Steps: -1},
		"validation = 1":    {Validation: 1},
		"a fraction":        {Validation: 0.2},
		"negative lr":       {LR: -1},
		"negative batch":    {BatchSize: -2},
		"final lr fraction": {FinalLR: 2},
	} {
		if _, err := Train(d, data, Data[float64]{}, cfg); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	wrong := linearData(8, 5, 10, 3)
	if _, err := Train(d, wrong, Data[float64]{}, TrainConfig{}); err == nil {
		t.Error("data with 5 sensors accepted by a network of 8")
	}
	if _, err := Train(d, data, linearData(4, 8, 7, 4), TrainConfig{}); err == nil {
		t.Error("validation set at 7 points accepted beside training data at 10")
	}
	shifted := linearData(4, 8, 10, 4)
	shifted.Y[3] += 0.01
	if _, err := Train(d, data, shifted, TrainConfig{}); err == nil {
		t.Error("validation set at other output points accepted")
	}
}

func TestEvaluate(t *testing.T) {
	truth := []float64{1, 0, 0, 0, 2, 0}
	pred := []float64{1, 0.5, 0, 0, 2, -1}
	m, err := Evaluate(pred, truth, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Function 0: error (0, .5, 0), ‖v‖=1: rel .5, sup .5, msq .25/3.
	// Function 1: error (0, 0, −1), ‖v‖=2: rel .5, sup 1, msq 1/3.
	want := Metrics{MeanRelL2: 0.5, MedianRelL2: 0.5, MeanSup: 0.75, MeanSqL2: (0.25/3 + 1.0/3) / 2}
	if math.Abs(m.MeanSqL2-want.MeanSqL2) > 1e-15 || m.MeanRelL2 != want.MeanRelL2 || m.MeanSup != want.MeanSup || m.MedianRelL2 != want.MedianRelL2 {
		t.Errorf("got %+v, want %+v", m, want)
	}
	if _, err := Evaluate(pred, truth, 3, 3); err == nil {
		t.Error("wrong shape accepted")
	}
}

func TestAdamFirstStepIsLR(t *testing.T) {
	// After bias correction Adam's first step is lr·g/|g| = lr·sign(g).
	a := NewAdam[float64](3)
	p := []float64{0, 0, 0}
	a.Step(p, []float64{2, -0.5, 1e-3}, 0.1)
	for i, want := range []float64{-0.1, 0.1, -0.1} {
		if math.Abs(p[i]-want) > 1e-6 {
			t.Errorf("param %d after one step: %g, want %g", i, p[i], want)
		}
	}
}
