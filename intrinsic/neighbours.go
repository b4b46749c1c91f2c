package intrinsic

import (
	"math"
	"runtime"
	"sync"
)

// nearestDistances returns, for every point, the Euclidean distances to its
// k nearest other points in ascending order (n×k, row-major), by brute force.
// Rows are split over the workers, each row computed alone, so the result
// does not depend on the number of threads.
func nearestDistances(x []float64, n, d, k int) []float64 {
	k = min(k, n-1)
	out := make([]float64, n*k)
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			dist := make([]float64, n)
			for i := w; i < n; i += workers {
				xi := x[i*d : (i+1)*d]
				for j := range n {
					if j == i {
						dist[j] = math.Inf(1)
						continue
					}
					var s float64
					for a, v := range x[j*d : (j+1)*d] {
						t := xi[a] - v
						s += t * t
					}
					dist[j] = s
				}
				best := out[i*k : (i+1)*k]
				smallest(best, dist)
				for a := range best {
					best[a] = math.Sqrt(best[a])
				}
			}
		})
	}
	wg.Wait()
	return out
}

// smallest writes the len(dst) smallest values of v into dst, ascending.
func smallest(dst, v []float64) {
	k := len(dst)
	for a := range dst {
		dst[a] = math.Inf(1)
	}
	for _, s := range v {
		if s >= dst[k-1] {
			continue
		}
		a := k - 1
		for a > 0 && dst[a-1] > s {
			dst[a] = dst[a-1]
			a--
		}
		dst[a] = s
	}
}
