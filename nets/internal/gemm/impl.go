package gemm

import (
	"os"

	"opscale/nets/internal/kernelenv"
)

// caches holds the per-core cache sizes that block sizes are derived from.
type caches struct{ l1, l2, l3 int }

var (
	// zen3 is the target core of the AVX2 kernels: 32 KiB L1d, 512 KiB
	// L2, and half of the 32 MiB L3 that two cores share.
	zen3 = caches{32 << 10, 512 << 10, 16 << 20}
	// zen5 is the core the AVX-512 kernels were measured on (no Zen 3 has
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
// For the AVX2 kernels on Zen 3 this gives kc = 256, mc = 126 and nc = 2048
// for 6×8 float64, and kc = 256, mc = 252 and nc = 4096 for 6×16 float32.
func blockSizes(c caches, size, mr, nr int) (kc, mc, nc int) {
	kc = c.l1 / 2 / (nr * size)
	mc = max(mr, c.l2/2/(kc*size)/mr*mr)
	nc = max(nr, c.l3/4/(kc*size)/nr*nr)
	return kc, mc, nc
}

func newImpl[T Float](name string, c caches, mr, nr int, kernel func(k int, a, b, c []T, ldc int, alpha, beta T)) *impl[T] {
	var z T
	size := 8
	if _, ok := any(z).(float32); ok {
		size = 4
	}
	kc, mc, nc := blockSizes(c, size, mr, nr)
	return &impl[T]{name: name, mr: mr, nr: nr, kc: kc, mc: mc, nc: nc, kernel: kernel}
}

// The pure-Go path: 4×4 tiles keep the 16 accumulators within the 16 SSE
// registers the compiler may use.
var (
	pureF64 = newImpl("purego", zen3, pureMR, pureNR, kernelGo[float64])
	pureF32 = newImpl("purego", zen3, pureMR, pureNR, kernelGo[float32])
)

// The assembly paths this build and CPU can run, fastest first.
var asmF64, asmF32 = asmImpls()

// EnvVar names the environment variable that picks the path when set:
// "purego" for the pure-Go kernel, "avx2" or "avx512" for that kernel where
// the CPU has it. Any other value, or a path the CPU lacks, leaves the
// fastest available.
const EnvVar = kernelenv.Var

// The implementations Gemm uses, chosen once at start-up.
var (
	useF64 = choose(pureF64, asmF64, os.Getenv(EnvVar))
	useF32 = choose(pureF32, asmF32, os.Getenv(EnvVar))
)

func choose[T Float](pure *impl[T], asm []*impl[T], want string) *impl[T] {
	if want == pure.name {
		return pure
	}
	for _, im := range asm {
		if im.name == want {
			return im
		}
	}
	if len(asm) > 0 {
		return asm[0]
	}
	return pure
}

// Path reports which implementation Gemm uses: "avx512", "avx2" or "purego".
func Path() string { return useF64.name }

func active[T Float]() *impl[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(useF32).(*impl[T])
	}
	return any(useF64).(*impl[T])
}
