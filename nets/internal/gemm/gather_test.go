package gemm

import (
	"fmt"
	"testing"
)

// gatherRunsRef is the plain definition gatherRuns must equal.
func gatherRunsRef[T Float](panel, src []T, ld, n, w, kb int) {
	for p := range kb {
		for i := range w {
			var v T
			if i < n {
				v = src[i*ld+p]
			}
			panel[p*w+i] = v
		}
	}
}

// TestGatherRunsMatchesReference covers the awkward shapes: kb not a
// multiple of the unroll, partial panels (n < w), ld just above kb.
func TestGatherRunsMatchesReference(t *testing.T) {
	for _, w := range []int{4, 8, 16, 32} {
		for _, n := range []int{1, 3, w - 1, w} {
			for _, kb := range []int{1, 3, 4, 5, 7, 8, 13, 64, 67} {
				ld := kb + 3
				src := make([]float64, n*ld)
				for i := range src {
					src[i] = float64(i) + 0.5
				}
				got, want := make([]float64, kb*w), make([]float64, kb*w)
				for i := range got {
					got[i], want[i] = -1, -2 // stale values must be overwritten
				}
				gatherRuns(got, src, ld, n, w, kb)
				gatherRunsRef(want, src, ld, n, w, kb)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("w=%d n=%d kb=%d: panel[%d] = %v, want %v", w, n, kb, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// BenchmarkGatherRuns packs a transposed B panel of a training product
// (128 steps of 16 and 32 lanes).
func BenchmarkGatherRuns(b *testing.B) {
	for _, w := range []int{16, 32} {
		const kb, ld = 128, 128
		src := make([]float32, w*ld)
		panel := make([]float32, kb*w)
		b.Run(fmt.Sprintf("w%d/new", w), func(b *testing.B) {
			for b.Loop() {
				gatherRuns(panel, src, ld, w, w, kb)
			}
		})
		b.Run(fmt.Sprintf("w%d/ref", w), func(b *testing.B) {
			for b.Loop() {
				gatherRunsRef(panel, src, ld, w, w, kb)
			}
		})
	}
}
