package gemm

import (
	"sync"
	"time"
)

// FMAPeak measures the float64 FMA throughput of one core, in GFLOP/s, with
// threads goroutines running the widest FMA loop this build and CPU have at
// once (so that cores sharing power or a pipe are measured as they run a
// suite), for a few milliseconds: the best of several trials, each core's
// share. Single precision does twice as many flops per instruction. It
// returns 0 without assembly. It is the ceiling against which a suite's
// training rate is read, measured in the same run because the load from
// other processes on a shared machine moves from minute to minute.
func FMAPeak(threads int) float64 {
	loop, lanes := widestFMALoop()
	if loop == nil {
		return 0
	}
	threads = max(threads, 1)
	const iters, reps, trials = 1 << 12, 50, 5
	best := 0.0
	// One untimed trial first: a core that was idle takes a few
	// milliseconds to reach its wide-vector clock, about one trial's time.
	for t := -1; t < trials; t++ {
		start := time.Now()
		var wg sync.WaitGroup
		for range threads {
			wg.Go(func() {
				for range reps {
					loop(iters)
				}
			})
		}
		wg.Wait()
		flops := float64(reps * iters * 12 * lanes * 2) // per goroutine: 12 FMAs an iteration
		if t >= 0 {
			best = max(best, flops/time.Since(start).Seconds()/1e9)
		}
	}
	return best
}

// KernelRate measures, in float64 GFLOP/s, the float64 micro-kernel of the
// set chosen for a 128×128×128 product (a layer of training) on one core: the
// full kernel on panels that stay in cache, k = 128 deep, with the bias and
// ReLU epilogue, the best of five trials of about 20 MFLOP. Beside FMAPeak it
// says how much of the peak the kernel itself could reach at that moment: on
// an idle core nearly all (BenchmarkKernelShare), on a core whose other
// hardware thread runs someone else's work less, since the kernel also loads
// and the FMA loop does not. It returns 0 without assembly.
func KernelRate() float64 {
	if loop, _ := widestFMALoop(); loop == nil {
		return 0
	}
	const k, trials = 128, 5
	run, flops := hotKernel(active[float64](k, k, k), k)
	reps := max(1, int(2e7/flops))
	best := 0.0
	// An untimed trial first, as in FMAPeak.
	for t := -1; t < trials; t++ {
		start := time.Now()
		run(reps)
		if t >= 0 {
			best = max(best, flops*float64(reps)/time.Since(start).Seconds()/1e9)
		}
	}
	return best
}

// hotKernel returns a function that runs im's full kernel reps times on the
// same panels, k deep, small enough to stay in cache, with the bias and ReLU
// epilogue, and the flops of one run.
func hotKernel[T Float](im *impl[T], k int) (run func(reps int), flops float64) {
	a, b := make([]T, im.mr*k), make([]T, im.nr*k)
	c, bias := make([]T, im.mr*im.nr), make([]T, im.nr)
	for i := range a {
		a[i] = T(i%7) / 8
	}
	for i := range b {
		b[i] = T(i%5) / 8
	}
	return func(reps int) {
		for range reps {
			im.kernel(k, a, b, c, im.nr, 1, 0, &bias[0], true, nil, 0, 1)
		}
	}, float64(2 * im.mr * im.nr * k)
}
