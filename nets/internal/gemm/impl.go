package gemm

import "os"

// The cache sizes of the target core (AMD Zen 3): the block sizes below are
// derived from them rather than tuned.
const (
	l1Bytes = 32 << 10  // L1d per core
	l2Bytes = 512 << 10 // L2 per core
	l3Bytes = 16 << 20  // each core's half of the shared 32 MiB L3
)

// blockSizes derives the cache blocks for an mr×nr micro-kernel on elements
// of the given size, following Goto's and BLIS's analysis:
//
//   - kc: the kc×nr panel of B stays in L1 while the kernel sweeps the panels
//     of A past it, so it takes half of L1, leaving the rest for the streaming
//     A panel and the C tile (256 for both 6×8 float64 and 6×16 float32).
//   - mc: the mc×kc block of A stays in L2 across every panel of B, so it
//     takes half of L2, leaving room for the B panel passing through
//     (126 rows of float64, 252 of float32).
//   - nc: the kc×nc block of B stays in L3 across every block of A; a quarter
//     of the core's share of L3 keeps it clear of the A blocks and of C
//     (2048 columns of float64, 4096 of float32).
func blockSizes(size, mr, nr int) (kc, mc, nc int) {
	kc = l1Bytes / 2 / (nr * size)
	mc = max(mr, l2Bytes/2/(kc*size)/mr*mr)
	nc = max(nr, l3Bytes/4/(kc*size)/nr*nr)
	return kc, mc, nc
}

func newImpl[T Float](name string, mr, nr int, kernel func(k int, a, b, c []T, ldc int, alpha, beta T)) *impl[T] {
	var z T
	size := 8
	if _, ok := any(z).(float32); ok {
		size = 4
	}
	kc, mc, nc := blockSizes(size, mr, nr)
	return &impl[T]{name: name, mr: mr, nr: nr, kc: kc, mc: mc, nc: nc, kernel: kernel}
}

// The pure-Go path: 4×4 tiles keep the 16 accumulators within the 16 SSE
// registers the compiler may use.
var (
	pureF64 = newImpl("purego", pureMR, pureNR, kernelGo[float64])
	pureF32 = newImpl("purego", pureMR, pureNR, kernelGo[float32])
)

// The assembly paths this build and CPU can run, fastest first.
var asmF64, asmF32 = asmImpls()

// EnvVar names the environment variable that picks the path when set:
// "purego" for the pure-Go kernel, "avx2" or "avx512" for that kernel where
// the CPU has it. Any other value, or a path the CPU lacks, leaves the
// fastest available.
const EnvVar = "OPSCALE_GEMM"

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
