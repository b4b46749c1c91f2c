package nets

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"opscale/nets/internal/gemm"
)

// stepCase is one reference network of the throughput comparison with
// PyTorch: a full training step on synthetic data, as the peer script
// torch_train.py times it.
type stepCase struct {
	name string
	// deeponet: n functions at m sensors, p points; dense: batch rows.
	don     *DeepONetConfig
	n, m, p int
	dense   []int
	batch   int
	big     bool // skipped under -short
}

func stepCases() []stepCase {
	var cs []stepCase
	for _, w := range []int{40, 128, 512} {
		cs = append(cs, stepCase{
			name: fmt.Sprintf("deeponet-w%d", w),
			don:  &DeepONetConfig{Sensors: 100, OutDim: 1, Branch: []int{w, w, w}, Trunk: []int{w, w, w}, P: w, TrunkLastReLU: true},
			n:    1000, m: 100, p: 100, big: w == 512,
		})
	}
	cs = append(cs,
		stepCase{name: "antiderivative", don: &DeepONetConfig{Sensors: 100, OutDim: 1, Branch: []int{40}, Trunk: []int{40}, P: 40, TrunkLastReLU: true}, n: 150, m: 100, p: 100},
		stepCase{name: "mlp", dense: []int{8, 256, 256, 256, 256, 1}, batch: 4096, big: true},
	)
	return cs
}

// stepper builds the network of c with synthetic data and returns one
// training step (loss and gradient, then an Adam update), the parameters,
// and the floating-point operations of the step.
func stepper[T Float](c stepCase, seed uint64) (step func() float64, params []T, flops float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	fill := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(rng.NormFloat64())
		}
		return s
	}
	if c.don != nil {
		d, err := NewDeepONet[T](*c.don, rng)
		if err != nil {
			panic(err)
		}
		u, v := fill(c.n*c.m), fill(c.n*c.p)
		y := make([]T, c.p)
		for j := range y {
			y[j] = T(float64(j) / float64(c.p-1))
		}
		adam := NewAdam[T](d.NumParams())
		return func() float64 {
			loss := d.LossGrad(u, c.n, y, c.p, v)
			adam.Step(d.Params(), d.Grads(), 1e-3)
			return loss
		}, d.Params(), 3 * d.Flops(c.n, c.p)
	}
	d, err := NewDense[T](c.dense, rng)
	if err != nil {
		panic(err)
	}
	x, y := fill(c.batch*c.dense[0]), fill(c.batch*c.dense[len(c.dense)-1])
	adam := NewAdam[T](d.NumParams())
	return func() float64 {
		loss := d.LossGrad(x, c.batch, y)
		adam.Step(d.Params(), d.Grads(), 1e-3)
		return loss
	}, d.Params(), 3 * d.Flops(c.batch)
}

// BenchmarkTrainStep times a full training step of every reference network;
// run it with -cpu 1,2 for one and two threads.
func BenchmarkTrainStep(b *testing.B) {
	for _, c := range stepCases() {
		b.Run(c.name+"/f32", func(b *testing.B) { benchStep[float32](b, c) })
		b.Run(c.name+"/f64", func(b *testing.B) { benchStep[float64](b, c) })
	}
}

func benchStep[T Float](b *testing.B, c stepCase) {
	step, _, flops := stepper[T](c, 1)
	step()
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/s, "steps/s")
	b.ReportMetric(flops*float64(b.N)/s/1e9, "GFLOP/s")
}

// A training step in steady state allocates nothing, GEMM included, on one
// thread and on two: every workspace is kept from the first step.
func TestTrainStepAllocs(t *testing.T) {
	cases := append(stepCases(), stepCase{name: "small dense", dense: []int{8, 16, 16, 1}, batch: 64})
	for _, threads := range []int{1, 2} {
		prev := SetThreads(threads)
		for _, c := range cases {
			if c.big && testing.Short() {
				continue
			}
			t.Run(fmt.Sprintf("%s/%dthreads/f32", c.name, threads), func(t *testing.T) {
				step, _, _ := stepper[float32](c, 1)
				step()
				if a := testing.AllocsPerRun(2, func() { step() }); a != 0 {
					t.Errorf("%v allocations per step", a)
				}
			})
			t.Run(fmt.Sprintf("%s/%dthreads/f64", c.name, threads), func(t *testing.T) {
				step, _, _ := stepper[float64](c, 1)
				step()
				if a := testing.AllocsPerRun(2, func() { step() }); a != 0 {
					t.Errorf("%v allocations per step", a)
				}
			})
		}
		SetThreads(prev)
	}
}

// Steps on one and on two threads give the same bits.
func TestTrainStepThreads(t *testing.T) {
	for _, c := range stepCases() {
		if c.big && testing.Short() {
			continue
		}
		t.Run(c.name+"/f32", func(t *testing.T) { sameOnThreads[float32](t, c) })
		t.Run(c.name+"/f64", func(t *testing.T) { sameOnThreads[float64](t, c) })
	}
}

func sameOnThreads[T Float](t *testing.T, c stepCase) {
	run := func(threads int) ([]float64, []T) {
		prev := runtime.GOMAXPROCS(threads)
		defer runtime.GOMAXPROCS(prev)
		prevT := gemm.SetThreads(threads)
		defer gemm.SetThreads(prevT)
		step, params, _ := stepper[T](c, 7)
		var losses []float64
		for range 3 {
			losses = append(losses, step())
		}
		return losses, params
	}
	l1, p1 := run(1)
	l2, p2 := run(2)
	if !slices.Equal(l1, l2) || !slices.Equal(p1, p2) {
		t.Error("one and two threads differ")
	}
}

// The fused epilogue moves bias, ReLU and mask into the products without
// changing an operation: a few steps with it and without give the same bits.
func TestFusedEpilogueSameBits(t *testing.T) {
	for _, c := range stepCases() {
		if c.big && testing.Short() {
			continue
		}
		t.Run(c.name+"/f32", func(t *testing.T) { sameFused[float32](t, c) })
		t.Run(c.name+"/f64", func(t *testing.T) { sameFused[float64](t, c) })
	}
}

func sameFused[T Float](t *testing.T, c stepCase) {
	run := func(fused bool) ([]float64, []T) {
		defer func(prev bool) { fuseEpilogue = prev }(fuseEpilogue)
		fuseEpilogue = fused
		step, params, _ := stepper[T](c, 9)
		var losses []float64
		for range 3 {
			losses = append(losses, step())
		}
		return losses, params
	}
	l1, p1 := run(true)
	l2, p2 := run(false)
	if !slices.Equal(l1, l2) || !slices.Equal(p1, p2) {
		t.Errorf("fused and separate epilogues differ: losses %v and %v", l1, l2)
	}
}

// BenchmarkEpilogue compares training steps with the fused epilogue and with
// separate passes, step for step in one loop, so that both see the same load
// from the rest of the machine: each iteration times one step of each, and
// the metrics are steps/s from the median step time of each and their
// ratio. Run it with -cpu 1,2 for one and two threads.
func BenchmarkEpilogue(b *testing.B) {
	for _, c := range stepCases() {
		b.Run(c.name+"/f32", func(b *testing.B) { benchEpilogue[float32](b, c) })
		b.Run(c.name+"/f64", func(b *testing.B) { benchEpilogue[float64](b, c) })
	}
}

func benchEpilogue[T Float](b *testing.B, c stepCase) {
	defer func(prev bool) { fuseEpilogue = prev }(fuseEpilogue)
	fused, _, _ := stepper[T](c, 1)
	separate, _, _ := stepper[T](c, 1)
	timed := func(step func() float64, fuse bool) time.Duration {
		fuseEpilogue = fuse
		t0 := time.Now()
		step()
		return time.Since(t0)
	}
	timed(fused, true)
	timed(separate, false)
	var tf, ts []time.Duration
	for i := 0; b.Loop(); i++ {
		// Alternate which goes first, so that neither always follows the
		// other's cache state.
		if i%2 == 0 {
			tf = append(tf, timed(fused, true))
			ts = append(ts, timed(separate, false))
		} else {
			ts = append(ts, timed(separate, false))
			tf = append(tf, timed(fused, true))
		}
	}
	slices.Sort(tf)
	slices.Sort(ts)
	mf, ms := tf[len(tf)/2].Seconds(), ts[len(ts)/2].Seconds()
	b.ReportMetric(1/mf, "fused-steps/s")
	b.ReportMetric(1/ms, "separate-steps/s")
	b.ReportMetric(ms/mf, "speedup")
}
