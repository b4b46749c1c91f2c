package gemm

// caches holds the per-core cache sizes that block sizes are derived from.
type caches struct{ l1, l2, l3 int }

var (
	// zen3 is the target core of the AVX2 kernels: 32 KiB L1d, 512 KiB
	// L2, and half of the 32 MiB L3 that two cores share.
	zen3 = caches{32 << 10, 512 << 10, 16 << 20}
	// zen5 is the core the AVX-512 kernels were first measured on (no Zen 3 has
	// AVX-512): 48 KiB L1d, 1 MiB L2, and the same share of L3.
	zen5 = caches{48 << 10, 1 << 20, 16 << 20}
)

// blockSizes derives the cache blocks for an mr×nr micro-kernel on elements
// of the given size, following Goto's and BLIS's analysis:
//
//   - kc: the kc×nr panel of B stays in L1 while the kernel sweeps the panels
//     of A past it, so it takes half of L1, leaving the rest for the streaming
//     A panel and the C tile.
//   - mc: the mc×kc block of A stays in L2 across every panel of B, so it
//     takes half of L2, leaving room for the B panel passing through.
//   - nc: the kc×nc block of B stays in L3 across every block of A; a quarter
//     of the core's share of L3 keeps it clear of the A blocks and of C.
//
// A positive kc is taken as given instead, and mc and nc are derived from it.
func blockSizes(c caches, size, mr, nr, kc int) (int, int, int) {
	if kc <= 0 {
		kc = c.l1 / 2 / (nr * size)
	}
	mc := max(mr, c.l2/2/(kc*size)/mr*mr)
	nc := max(nr, c.l3/4/(kc*size)/nr*nr)
	return kc, mc, nc
}

// asmKC is the depth of the k blocks of every assembly kernel set: 256 is
// what blockSizes derives for the 6×8 and 6×16 AVX2 kernels on Zen 3, 192
// what it derived for the 12×16 and 12×32 AVX-512 kernels on Zen 5 that the
// 6×32 and 6×64 ones replaced (for these it would give 96, but a change of
// depth changes results). The k blocks are where a partial sum is rounded into C, so with one
// depth for all, and the same operations on each element (FMAs in k order,
// then α·s + β·c fused), the sets give the same bits: which one runs is a
// matter of speed alone. A shallower block costs the AVX2 kernels one more
// pass over C per 192 steps of k instead of 256.
const asmKC = 192

// newImpl returns the implementation named name for an mr×nr kernel with
// blocks derived from the caches c, and k blocks kc deep (0: from c too).
func newImpl[T Float](name string, c caches, mr, nr, kc int, kernel func(k int, a, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int)) *impl[T] {
	var z T
	size := 8
	if _, ok := any(z).(float32); ok {
		size = 4
	}
	kc, mc, nc := blockSizes(c, size, mr, nr, kc)
	return &impl[T]{name: name, mr: mr, nr: nr, kc: kc, mc: mc, nc: nc, kernel: kernel}
}

// The pure-Go path: 4×4 tiles keep the 16 accumulators within the 16 SSE
// registers the compiler may use.
var (
	pureF64 = newImpl("purego", zen3, pureMR, pureNR, 0, kernelGo[float64])
	pureF32 = newImpl("purego", zen3, pureMR, pureNR, 0, kernelGo[float32])
)

// The assembly paths this build and CPU can run, fastest on the CPUs they
// were written for first.
var asmF64, asmF32 = asmImpls()

// UnsplitDepth returns the largest k for which every implementation that a
// product of T may run sums each element in one k block: the shallowest kc of
// the assembly sets and the Go path. Up to it, an element's result depends
// only on its own row of op(A) and column of op(B), in k order, and not on
// how many other columns or rows the product has, which is what lets several
// networks train as one block-diagonal network with the bits of each alone.
func UnsplitDepth[T Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return minKC(append([]*impl[float32]{pureF32}, asmF32...))
	}
	return minKC(append([]*impl[float64]{pureF64}, asmF64...))
}

func minKC[T Float](ims []*impl[T]) int {
	kc := ims[0].kc
	for _, im := range ims[1:] {
		kc = min(kc, im.kc)
	}
	return kc
}
