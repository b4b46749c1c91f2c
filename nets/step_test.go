package nets

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"opscale/nets/internal/gemm"
)

// stepper is ReferenceStep for tests, where a reference network that does
// not build is a bug.
func stepper[T Float](c Reference, seed uint64) (step func() float64, params []T, flops float64) {
	step, params, flops, err := ReferenceStep[T](c, seed)
	if err != nil {
		panic(err)
	}
	return step, params, flops
}

// BenchmarkTrainStep times a full training step of every reference network;
// run it with -cpu 1,2 for one and two threads.
func BenchmarkTrainStep(b *testing.B) {
	for _, c := range References() {
		b.Run(c.Name+"/f32", func(b *testing.B) { benchStep[float32](b, c) })
		b.Run(c.Name+"/f64", func(b *testing.B) { benchStep[float64](b, c) })
	}
}

func benchStep[T Float](b *testing.B, c Reference) {
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
	cases := append(References(), Reference{Name: "small dense", Dense: []int{8, 16, 16, 1}, Batch: 64})
	for _, threads := range []int{1, 2} {
		prev := SetThreads(threads)
		for _, c := range cases {
			if c.Big && testing.Short() {
				continue
			}
			t.Run(fmt.Sprintf("%s/%dthreads/f32", c.Name, threads), func(t *testing.T) {
				step, _, _ := stepper[float32](c, 1)
				step()
				if a := testing.AllocsPerRun(2, func() { step() }); a != 0 {
					t.Errorf("%v allocations per step", a)
				}
			})
			t.Run(fmt.Sprintf("%s/%dthreads/f64", c.Name, threads), func(t *testing.T) {
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
	for _, c := range References() {
		if c.Big && testing.Short() {
			continue
		}
		t.Run(c.Name+"/f32", func(t *testing.T) { sameOnThreads[float32](t, c) })
		t.Run(c.Name+"/f64", func(t *testing.T) { sameOnThreads[float64](t, c) })
	}
}

func sameOnThreads[T Float](t *testing.T, c Reference) {
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
	for _, c := range References() {
		if c.Big && testing.Short() {
			continue
		}
		t.Run(c.Name+"/f32", func(t *testing.T) { sameFused[float32](t, c) })
		t.Run(c.Name+"/f64", func(t *testing.T) { sameFused[float64](t, c) })
	}
}

func sameFused[T Float](t *testing.T, c Reference) {
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
	for _, c := range References() {
		b.Run(c.Name+"/f32", func(b *testing.B) { benchEpilogue[float32](b, c) })
		b.Run(c.Name+"/f64", func(b *testing.B) { benchEpilogue[float64](b, c) })
	}
}

func benchEpilogue[T Float](b *testing.B, c Reference) {
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

// suiteDeepONet is the network that takes most of the full suite's training
// time (REPORT.md, "Where the training time went"): branch 32→128→128→128→64
// and trunk 1→128→128→128→64 on 128 functions at 64 points.
var suiteDeepONet = Reference{
	Name:     "suite-deeponet-w128",
	DeepONet: &DeepONetConfig{Sensors: 32, OutDim: 1, Branch: []int{128, 128, 128}, Trunk: []int{128, 128, 128}, P: 64},
	N:        128, M: 32, P: 64,
}

// BenchmarkStepShare measures how much of the FMA peak a training step can
// reach on one thread, which bounds the suite efficiency from above whatever
// the harness does: each iteration times the loss and gradient (all the
// step's products), the Adam update, and the FMA loop (FMAPeak on one
// thread, float32 counted at twice the float64 rate), and the metrics are
// medians over the iterations: the step's flop rate over the peak with and
// without the update, and the update's share of the step's time. The
// suite's own largest DeepONet comes first, then the reference networks.
func BenchmarkStepShare(b *testing.B) {
	defer SetThreads(SetThreads(1))
	for _, c := range append([]Reference{suiteDeepONet}, References()...) {
		b.Run(c.Name+"/f32", func(b *testing.B) { benchStepShare[float32](b, c, 2) })
		b.Run(c.Name+"/f64", func(b *testing.B) { benchStepShare[float64](b, c, 1) })
	}
}

func benchStepShare[T Float](b *testing.B, c Reference, wide float64) {
	lossGrad, update, _, flops, err := ReferenceParts[T](c, 1)
	if err != nil {
		b.Fatal(err)
	}
	lossGrad()
	update()
	var grad, step, adam []float64
	for b.Loop() {
		start := time.Now()
		lossGrad()
		tg := time.Since(start).Seconds()
		start = time.Now()
		update()
		tu := time.Since(start).Seconds()
		peak := wide * FMAPeak(1) * 1e9
		grad = append(grad, flops/tg/peak)
		step = append(step, flops/(tg+tu)/peak)
		adam = append(adam, tu/(tg+tu))
	}
	med := func(x []float64) float64 {
		slices.Sort(x)
		return 100 * x[len(x)/2]
	}
	b.ReportMetric(med(grad), "%peak-lossgrad")
	b.ReportMetric(med(step), "%peak-step")
	b.ReportMetric(med(adam), "%adam")
}
