package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"opscale/nets/internal/kernelenv"
)

// EnvVar names the environment variable that picks the kernels when set:
// "purego" for the pure-Go kernel, "avx2" or "avx512" for that kernel set
// where the CPU has it. Unset, or naming a set the CPU lacks, it leaves the
// choice to measurement.
const EnvVar = kernelenv.Var

// sizeClass sorts products by their cost: the fastest kernel set for the
// small products of a narrow network need not be the fastest for large ones
// (on a CPU that executes AVX-512 as two 256-bit halves, AVX2 can win the
// small ones, where the wider tiles are mostly edge).
type sizeClass int

const (
	small sizeClass = iota
	large
	numClasses
)

var classNames = [numClasses]string{"small", "large"}

// largeFlops is where large products start: 2·m·n·k ≥ 16 Mi. A layer of
// width 40 on a batch of 1000 (3 MFLOP) is small, one of width 128 (33 MFLOP)
// large.
const largeFlops = 16 << 20

func classOf(m, n, k int) sizeClass {
	if 2*float64(m)*float64(n)*float64(k) >= largeFlops {
		return large
	}
	return small
}

// benchProduct is one product the selection times: op(A) m×k, op(B) k×n.
type benchProduct struct {
	transA, transB bool
	m, n, k        int
}

// lds returns the leading dimensions of A and B stored without padding.
func (p benchProduct) lds() (lda, ldb int) {
	lda, ldb = p.k, p.n
	if p.transA {
		lda = p.m
	}
	if p.transB {
		ldb = p.k
	}
	return lda, ldb
}

// classProducts are the products each class is timed on: the forward,
// weight-gradient and input-gradient products of training, and the DeepONet's
// output product, at the sizes of the reference networks (the antiderivative
// DeepONet of width 40, on 150 functions at 100 sensors and points, for the
// small class; layers of width 128 and 256 at the foot of the large class for
// the large one: products of a few hundred microseconds, short enough to
// run uninterrupted between the time slices of other processes on a busy
// machine, so that the least of several timings is the kernel's own).
var classProducts = [numClasses][]benchProduct{
	small: {
		{false, false, 150, 40, 100}, // first branch layer, forward
		{true, false, 40, 40, 150},   // hidden layer, weight gradient
		{false, true, 150, 40, 40},   // hidden layer, input gradient
		{false, true, 150, 100, 40},  // branch·trunkᵀ
	},
	large: {
		{false, false, 256, 256, 128},
		{true, false, 128, 256, 256},
	},
}

// selection is the kernel set used for each element type and size class,
// and how it was chosen.
type selection struct {
	f64 [numClasses]*impl[float64]
	f32 [numClasses]*impl[float32]
	// source says how: "OPSCALE_GEMM", "only" (one candidate), "measured"
	// or "cached".
	source string
	// micros holds the timings the choice was made from, in µs for all
	// the products of a class on one thread, keyed "float64/small/avx2".
	micros map[string]float64
	// unsure is set when the two halves of the measurement chose
	// differently for some class: that class then keeps the preferred set,
	// and the selection is not cached, so that the next process measures
	// again.
	unsure bool
}

var (
	selOnce sync.Once
	sel     *selection
)

// selected returns the selection, making it on first use: the first product
// of the process may wait for the measurement, about a tenth of a second,
// unless a cached result for this CPU is found.
func selected() *selection {
	selOnce.Do(func() { sel = selectKernels(os.Getenv(EnvVar)) })
	return sel
}

// active returns the implementation for an m×n×k product of T.
func active[T Float](m, n, k int) *impl[T] {
	s, c := selected(), classOf(m, n, k)
	var z T
	if _, ok := any(z).(float32); ok {
		return any(s.f32[c]).(*impl[T])
	}
	return any(s.f64[c]).(*impl[T])
}

// setNames lists the assembly kernel sets this build and CPU can run,
// preferred first.
func setNames() []string {
	var names []string
	for _, im := range asmF64 {
		names = append(names, im.name)
	}
	return names
}

func byName[T Float](ims []*impl[T], name string) *impl[T] {
	for _, im := range ims {
		if im.name == name {
			return im
		}
	}
	return nil
}

// uniform returns the selection of one set for everything.
func uniform(f64 *impl[float64], f32 *impl[float32], source string) *selection {
	s := &selection{source: source}
	for c := range numClasses {
		s.f64[c], s.f32[c] = f64, f32
	}
	return s
}

// selectKernels makes the selection: the set named by want (the value of
// EnvVar) if this build and CPU have it; the only candidate if there is one;
// else the cached choice for this CPU and kernel version, or, failing that, a
// fresh measurement, which is then cached. The assembly sets give the same
// bits (see asmKC), so neither the cache nor the noise of the measurement can
// change a result, only its speed.
func selectKernels(want string) *selection {
	if want == pureF64.name {
		return uniform(pureF64, pureF32, EnvVar)
	}
	if f64 := byName(asmF64, want); f64 != nil {
		return uniform(f64, byName(asmF32, want), EnvVar)
	}
	switch len(asmF64) {
	case 0:
		return uniform(pureF64, pureF32, "only")
	case 1:
		return uniform(asmF64[0], asmF32[0], "only")
	}
	key := cacheKey()
	if s := loadCache(key); s != nil {
		return s
	}
	s := measure()
	if !s.unsure {
		saveCache(key, s)
	}
	return s
}

// Timing budget of the measurement, per element type and class; each
// candidate runs at least minReps times (an even number: half go to each
// half of the measurement).
const (
	classBudget = 20 * time.Millisecond
	minReps     = 8
	maxReps     = 200
)

// switchMargin is how much faster than the preferred set (the first of
// asmImpls) another must measure to be chosen: a few per cent, so that noise
// between near-equal sets does not flip the choice from run to run.
const switchMargin = 0.03

// measure times every assembly set on the products of each class, on one
// thread, and picks the fastest.
func measure() *selection {
	s := &selection{source: "measured", micros: map[string]float64{}}
	for c := range numClasses {
		s.f64[c] = pick(s, c, asmF64)
		s.f32[c] = pick(s, c, asmF32)
	}
	return s
}

func typeName[T Float]() string {
	var z T
	if _, ok := any(z).(float32); ok {
		return "float32"
	}
	return "float64"
}

// pick times the candidates on class c's products and returns the one to use,
// recording the timings in s. Each product's time is the least over
// repetitions, the candidates taking turns, so that a burst of load from
// elsewhere on the machine is not charged to one of them. The repetitions
// alternate between two halves, each making its own choice (decide); if the
// halves disagree, the load was too uneven to tell, and the preferred set
// is kept and s marked unsure.
func pick[T Float](s *selection, c sizeClass, cands []*impl[T]) *impl[T] {
	prods := classProducts[c]
	size := 0
	for _, p := range prods {
		size = max(size, p.m*p.k, p.k*p.n, p.m*p.n)
	}
	rnd := rand.New(rand.NewPCG(1, uint64(c)))
	a, b, out := make([]T, size), make([]T, size), make([]T, size)
	for i := range a {
		a[i], b[i] = T(rnd.Float64()*2-1), T(rnd.Float64()*2-1)
	}
	// best[h][i][j]: least time of product j on candidate i in half h.
	var best [2][][]time.Duration
	for h := range best {
		best[h] = make([][]time.Duration, len(cands))
		for i := range cands {
			best[h][i] = make([]time.Duration, len(prods))
			for j := range prods {
				best[h][i][j] = time.Hour
			}
		}
	}
	start := time.Now()
	for rep := 0; rep < maxReps && (rep < minReps || time.Since(start) < classBudget); rep++ {
		h := rep % 2
		for o := range cands {
			i := (o + rep/2) % len(cands)
			for j, p := range prods {
				lda, ldb := p.lds()
				t0 := time.Now()
				gemm(cands[i], 1, p.transA, p.transB, p.m, p.n, p.k, 1, a, lda, b, ldb, 0, out, p.n, Epilogue[T]{})
				best[h][i][j] = min(best[h][i][j], time.Since(t0))
			}
		}
	}
	var halves [2][]float64
	for h := range halves {
		halves[h] = make([]float64, len(cands))
		for i := range cands {
			for _, d := range best[h][i] {
				halves[h][i] += float64(d.Nanoseconds()) / 1e3
			}
		}
	}
	for i := range cands {
		var total float64
		for j := range prods {
			total += float64(min(best[0][i][j], best[1][i][j]).Nanoseconds()) / 1e3
		}
		s.micros[typeName[T]()+"/"+classNames[c]+"/"+cands[i].name] = math.Round(total*10) / 10
	}
	choice, sure := decide(halves)
	if !sure {
		s.unsure = true
	}
	return cands[choice]
}

// decide returns the candidate to use from each half's times of the
// candidates (the preferred one first), and whether the halves agree: each
// half takes the fastest, unless it is within switchMargin of the preferred
// one; when the halves differ, the preferred one is kept.
func decide(halves [2][]float64) (int, bool) {
	var choice [2]int
	for h, t := range halves {
		for i := range t {
			if t[i] < t[choice[h]] {
				choice[h] = i
			}
		}
		if t[choice[h]] > (1-switchMargin)*t[0] {
			choice[h] = 0
		}
	}
	if choice[0] != choice[1] {
		return 0, false
	}
	return choice[0], true
}

// names returns the set of each class for T, "small:avx2 large:avx512".
func (s *selection) names() (f64, f32 string) {
	var a, b []string
	for c := range numClasses {
		a = append(a, classNames[c]+":"+s.f64[c].name)
		b = append(b, classNames[c]+":"+s.f32[c].name)
	}
	return strings.Join(a, " "), strings.Join(b, " ")
}

// Path reports the kernel sets Gemm uses: "avx512", "avx2" or "purego" when
// one serves every product, else which one serves which element type and
// size class, as "float64 small:avx2 large:avx512, float32 small:avx2
// large:avx512". It makes the selection if no product has yet.
func Path() string {
	s := selected()
	all := map[string]bool{}
	for c := range numClasses {
		all[s.f64[c].name], all[s.f32[c].name] = true, true
	}
	if len(all) == 1 {
		return s.f64[0].name
	}
	f64, f32 := s.names()
	return "float64 " + f64 + ", float32 " + f32
}

// Selection describes how the kernel sets were chosen, with the timings of a
// measurement: "measured on this CPU (µs for each class's products on one
// thread): float64/small avx512 80.1 avx2 61.3, …", "cached …", "set by
// OPSCALE_GEMM" or "the only set this build and CPU have".
func Selection() string {
	s := selected()
	var how string
	switch s.source {
	case EnvVar:
		return "set by " + EnvVar
	case "only":
		return "the only set this build and CPU have"
	case "cached":
		how = "cached from an earlier measurement on this CPU"
	default:
		how = "measured on this CPU"
		if s.unsure {
			how += ", too unevenly loaded to tell some sets apart (the preferred set kept there, nothing cached)"
		}
	}
	keys := make([]string, 0, len(s.micros))
	for k := range s.micros {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.1f", k, s.micros[k]))
	}
	return how + " (µs for each class's products on one thread): " + strings.Join(parts, ", ")
}
