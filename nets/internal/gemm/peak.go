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
