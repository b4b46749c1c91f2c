package gemm

import (
	"fmt"
	"testing"
)

// gatherRunsRef is the plain definition gatherRuns must equal: lanes past z
// keep what they held.
func gatherRunsRef[T Float](panel, src []T, ld, n, w, z, kb int) {
	for p := range kb {
		for i := range z {
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
				for _, z := range []int{w, max(n, (n+w)/2)} {
					got, want := make([]float64, kb*w), make([]float64, kb*w)
					for i := range got {
						got[i], want[i] = float64(-1-i), float64(-1-i) // stale values before z must be overwritten, past it kept
					}
					gatherRuns(got, src, ld, n, w, z, kb)
					gatherRunsRef(want, src, ld, n, w, z, kb)
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("w=%d n=%d z=%d kb=%d: panel[%d] = %v, want %v", w, n, z, kb, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestTransBMatchesReference checks every kernel set's transposing pack of a
// full B panel against the definition: k around and across the assembly's
// blocks of 8 (4 for doubles), run strides just above k and far from it, and
// a panel full of stale values with a guard past its end.
func TestTransBMatchesReference(t *testing.T) {
	f64s, f32s := asmImpls()
	for _, im := range f64s {
		checkTransB(t, im)
	}
	for _, im := range f32s {
		checkTransB(t, im)
	}
}

func checkTransB[T Float](t *testing.T, im *impl[T]) {
	t.Helper()
	if im.transB == nil {
		return
	}
	w := im.nr
	const guard = 9
	for _, kb := range []int{1, 3, 7, 8, 9, 15, 16, 17, 64, 67, 192} {
		for _, ld := range []int{kb, kb + 1, kb + 3, 1000} {
			// Exactly the elements the panel covers, so that a read
			// past the last run trips the bounds check.
			src := make([]T, (w-1)*ld+kb)
			for i := range src {
				src[i] = T(i) + 0.5
			}
			got, want := make([]T, kb*w+guard), make([]T, kb*w+guard)
			for i := range got {
				got[i], want[i] = -1, -1 // stale values must be overwritten
			}
			im.transB(kb, src, ld, got[:kb*w])
			gatherRunsRef(want, src, ld, w, w, w, kb)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s %T w=%d kb=%d ld=%d: panel[%d] = %v, want %v", im.name, got[0], w, kb, ld, i, got[i], want[i])
				}
			}
		}
	}
}

// BenchmarkGatherRuns packs a transposed B panel of a training product
// (128 steps of the kernels' widths): the Go loop against its definition and
// against each kernel set's transB.
func BenchmarkGatherRuns(b *testing.B) {
	f64s, f32s := asmImpls()
	for _, w := range []int{16, 32} {
		benchGather[float32](b, w, f32s)
	}
	for _, w := range []int{8, 16} {
		benchGather[float64](b, w, f64s)
	}
}

func benchGather[T Float](b *testing.B, w int, ims []*impl[T]) {
	const kb, ld = 128, 128
	src := make([]T, w*ld)
	panel := make([]T, kb*w)
	var z T
	name := fmt.Sprintf("%T/w%d", z, w)
	b.Run(name+"/go", func(b *testing.B) {
		for b.Loop() {
			gatherRuns(panel, src, ld, w, w, w, kb)
		}
	})
	b.Run(name+"/ref", func(b *testing.B) {
		for b.Loop() {
			gatherRunsRef(panel, src, ld, w, w, w, kb)
		}
	})
	for _, im := range ims {
		if im.nr != w || im.transB == nil {
			continue
		}
		b.Run(name+"/"+im.name, func(b *testing.B) {
			for b.Loop() {
				im.transB(kb, src, ld, panel)
			}
		})
	}
}
