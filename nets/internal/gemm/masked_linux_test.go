//go:build !purego

package gemm

import (
	"syscall"
	"testing"
	"unsafe"
)

// pageEnd returns n elements of T that end where an unreadable page begins,
// so that reading one element past them faults.
func pageEnd[T Float](t *testing.T, n int) []T {
	t.Helper()
	page := syscall.Getpagesize()
	var z T
	size := int(unsafe.Sizeof(z))
	span := (n*size + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, span+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[span:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[span-n*size])), n)
}

// TestMaskedPartsReadNothingPastTheEdge runs every masked part kernel with B
// read in place, the bias, the ReLU mask and C each ending at an unreadable page: a load of
// the last vector that ignored the mask would fault.
func TestMaskedPartsReadNothingPastTheEdge(t *testing.T) {
	t.Run("float64", func(t *testing.T) { testMaskedEdge(t, asmF64) })
	t.Run("float32", func(t *testing.T) { testMaskedEdge(t, asmF32) })
}

func testMaskedEdge[T Float](t *testing.T, sets []*impl[T]) {
	for _, im := range sets {
		if len(im.masked) == 0 {
			continue
		}
		lanes := im.masked[0].cols
		for _, mp := range im.masked {
			cols := mp.cols - lanes + 1
			const k = 5
			a := make([]T, mp.rows*k)
			for i := range a {
				a[i] = 1
			}
			b := pageEnd[T](t, k*cols)
			bias := pageEnd[T](t, cols)
			keep := pageEnd[T](t, mp.rows*cols)
			c := pageEnd[T](t, mp.rows*cols)
			for i := range b {
				b[i] = 1
			}
			for i := range keep {
				keep[i] = 1
			}
			mp.directB(k, a, k, b, cols, c, cols, 1, 1, &bias[0], true, &keep[0], cols, 1, 1)
			mp.directTB(k, a, mp.rows, b, cols, c, cols, 1, 1, &bias[0], true, &keep[0], cols, 1, 1)
			if c[len(c)-1] != 2*k {
				t.Fatalf("%s masked %d×%d: last element %v, want %v", im.name, mp.rows, mp.cols, c[len(c)-1], 2*k)
			}
		}
	}
}
