package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// impls lists every implementation this build can run on this CPU, so that
// the same suite checks each of them.
func impls[T Float]() []*impl[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(append([]*impl[float32]{pureF32}, asmF32...)).([]*impl[T])
	}
	return any(append([]*impl[float64]{pureF64}, asmF64...)).([]*impl[T])
}

// eps is the unit roundoff of T.
func eps[T Float]() float64 {
	var z T
	if _, ok := any(z).(float32); ok {
		return 0x1p-24
	}
	return 0x1p-53
}

// pad is the width of the NaN guard bands around every matrix.
const pad = 3

// matrix is an r×c row-major matrix inside a slice with guard bands: pad
// NaNs before and after, and ld−c NaN columns after each row.
type matrix[T Float] struct {
	r, c, ld int
	data     []T // including the bands
}

func (x matrix[T]) view() []T { return x.data[pad : len(x.data)-pad] }

func (x matrix[T]) at(i, j int) T { return x.view()[i*x.ld+j] }

func newMatrix[T Float](rnd *rand.Rand, r, c, extra int) matrix[T] {
	ld := max(1, c) + extra
	n := 0
	if r > 0 {
		n = ld*(r-1) + c
	}
	x := matrix[T]{r: r, c: c, ld: ld, data: make([]T, n+2*pad)}
	nan := T(math.NaN())
	for i := range x.data {
		x.data[i] = nan
	}
	v := x.view()
	for i := range r {
		for j := range c {
			v[i*ld+j] = T(rnd.Float64()*2 - 1)
		}
	}
	return x
}

// checkBands fails if anything outside the r×c region of x is no longer NaN.
func checkBands[T Float](t *testing.T, name string, x matrix[T]) {
	t.Helper()
	for i, v := range x.data {
		p := i - pad
		inside := p >= 0 && p < len(x.view()) && p%x.ld < x.c
		if !inside && !math.IsNaN(float64(v)) {
			t.Fatalf("%s: guard element %d overwritten with %v", name, i, v)
		}
	}
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	extra          int // leading dimensions exceed rows by this much
}

func (tc gemmCase) String() string {
	tr := func(t bool) string {
		if t {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s/m=%d/n=%d/k=%d/α=%g/β=%g/ld+%d", tr(tc.transA), tr(tc.transB), tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.extra)
}

var scalars = []float64{0, 1, -0.7}

// testCase runs one product with im on nt threads and compares it with a
// triple loop evaluated in float64. The bound is the classical one for a
// length-k dot product, γ·(|α|·Σₚ|a||b| + |β|·|c|) with γ = (k+2)·u summed for
// the computed product (u of T) and for the reference (u of float64): k
// roundings in the sum, one for α and one for β. Any summation order meets
// it, so it holds for every kernel, block size and split.
func testCase[T Float](t *testing.T, rnd *rand.Rand, im *impl[T], nt int, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = ac, ar
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = bc, br
	}
	a := newMatrix[T](rnd, ar, ac, tc.extra)
	b := newMatrix[T](rnd, br, bc, tc.extra)
	c := newMatrix[T](rnd, tc.m, tc.n, tc.extra)
	c0 := append([]T(nil), c.data...)
	if tc.beta == 0 {
		// C must not be read: NaNs inside it would leak into the result.
		for i := range tc.m {
			for j := range tc.n {
				c.view()[i*c.ld+j] = T(math.NaN())
			}
		}
	}
	opA := func(i, p int) float64 {
		if tc.transA {
			return float64(a.at(p, i))
		}
		return float64(a.at(i, p))
	}
	opB := func(p, j int) float64 {
		if tc.transB {
			return float64(b.at(j, p))
		}
		return float64(b.at(p, j))
	}

	gemm(im, nt, tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a.view(), a.ld, b.view(), b.ld, T(tc.beta), c.view(), c.ld, Epilogue[T]{})

	checkBands(t, "a", a)
	checkBands(t, "b", b)
	checkBands(t, "c", c)
	gamma := float64(tc.k+2) * (eps[T]() + eps[float64]())
	for i := range tc.m {
		for j := range tc.n {
			var s, mag float64
			for p := range tc.k {
				x := opA(i, p) * opB(p, j)
				s += x
				mag += math.Abs(x)
			}
			want := tc.alpha * s
			bound := math.Abs(tc.alpha) * mag
			if tc.beta != 0 {
				old := float64(c0[pad+i*c.ld+j])
				want += tc.beta * old
				bound += math.Abs(tc.beta * old)
			}
			got := float64(c.at(i, j))
			if math.IsNaN(got) || math.Abs(got-want) > gamma*bound {
				t.Fatalf("%v on %s, %d threads: c[%d][%d] = %v, want %v ± %.3g", tc, im.name, nt, i, j, got, want, gamma*bound)
			}
		}
	}
}

func runSuite[T Float](t *testing.T, f func(t *testing.T, im *impl[T])) {
	for _, im := range impls[T]() {
		t.Run(im.name, func(t *testing.T) { f(t, im) })
	}
}

// TestSmallShapes runs every m and n from 0 to two tiles and three, and every
// k to two unrolled k steps and three, so
// that every mix of full and edge tiles and every remainder of the unrolled k
// loop occurs. Transpose pairs, α, β and padding cycle through the sweep so
// each combination is met many times.
func TestSmallShapes(t *testing.T) {
	t.Run("float64", func(t *testing.T) { runSuite(t, testSmallShapes[float64]) })
	t.Run("float32", func(t *testing.T) { runSuite(t, testSmallShapes[float32]) })
}

func testSmallShapes[T Float](t *testing.T, im *impl[T]) {
	rnd := rand.New(rand.NewPCG(1, 2))
	count := 0
	for m := range 2*im.mr + 4 {
		for n := range 2*im.nr + 4 {
			for k := range 2*4 + 4 { // the k loop is unrolled by 4
				tc := gemmCase{
					transA: count&1 != 0, transB: count&2 != 0,
					m: m, n: n, k: k,
					alpha: scalars[count/4%3], beta: scalars[count/12%3],
					extra: count / 36 % 2 * 2,
				}
				testCase(t, rnd, im, 1, tc)
				count++
			}
		}
	}
}

// TestBlockEdges straddles every cache block (kc, mc, nc) and takes
// tall-skinny, 1×1 and k = 1 shapes, on one thread and on several, with
// every transpose pair and every α, β.
func TestBlockEdges(t *testing.T) {
	t.Run("float64", func(t *testing.T) { runSuite(t, testBlockEdges[float64]) })
	t.Run("float32", func(t *testing.T) { runSuite(t, testBlockEdges[float32]) })
}

func testBlockEdges[T Float](t *testing.T, im *impl[T]) {
	type shape struct{ m, n, k int }
	shapes := []shape{
		{1, 1, 1}, {1, 1, 300}, {1000, 1, 1}, {1, 1000, 1}, {500, 3, 1},
		{3, 500, 17}, {200, 2, 200}, {2, 200, 200},
		{7, 9, im.kc - 1}, {7, 9, im.kc}, {7, 9, im.kc + 1}, {13, 17, 2*im.kc + 3},
		{im.mc - 1, 9, 5}, {im.mc, 9, 5}, {im.mc + 1, 9, 5}, {2*im.mc + im.mr + 1, 11, 9},
		{3, im.nc - 1, 3}, {3, im.nc, 3}, {3, im.nc + 1, 3}, {im.mr + 1, 2*im.nc + 5, 2},
		{im.mc + 5, im.nr*3 + 1, im.kc + 7},
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, s := range shapes {
		for tr := range 4 {
			for _, alpha := range scalars {
				for _, beta := range scalars {
					tc := gemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: s.m, n: s.n, k: s.k, alpha: alpha, beta: beta, extra: 1}
					testCase(t, rnd, im, 1+tr%3, tc)
				}
			}
		}
	}
}

// TestThreadsBitIdentical checks that 1, 2 and 3 threads give the same bits,
// with bands of rows (m ≥ n) and of columns (n > m), edge tiles included, and
// with bands narrow enough to read A in place where the whole is not.
func TestThreadsBitIdentical(t *testing.T) {
	t.Run("float64", func(t *testing.T) { runSuite(t, testThreads[float64]) })
	t.Run("float32", func(t *testing.T) { runSuite(t, testThreads[float32]) })
}

func testThreads[T Float](t *testing.T, im *impl[T]) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, s := range []struct{ m, n, k int }{{301, 77, 290}, {45, 409, 333}, {120, 100, 700}, {60, 2*directMaxN*im.nr - 8, 700}, {2*im.mc + 7, 67, im.kc + 9}} {
		if 2*float64(s.m*s.n*s.k) < 3*minFlopsPerThread {
			t.Fatalf("%v too small to be split", s)
		}
		for tr := range 4 {
			tA, tB := tr&1 != 0, tr&2 != 0
			ar, ac := s.m, s.k
			if tA {
				ar, ac = ac, ar
			}
			br, bc := s.k, s.n
			if tB {
				br, bc = bc, br
			}
			a := newMatrix[T](rnd, ar, ac, 0)
			b := newMatrix[T](rnd, br, bc, 0)
			c := newMatrix[T](rnd, s.m, s.n, 0)
			var first []T
			for _, nt := range []int{1, 2, 3} {
				cc := append([]T(nil), c.view()...)
				gemm(im, nt, tA, tB, s.m, s.n, s.k, 0.9, a.view(), a.ld, b.view(), b.ld, 0.5, cc, c.ld, Epilogue[T]{})
				if first == nil {
					first = cc
					continue
				}
				for i := range cc {
					if math.Float64bits(float64(cc[i])) != math.Float64bits(float64(first[i])) {
						t.Fatalf("%v tr=%d: %d threads give c[%d] = %v, 1 thread %v", s, tr, nt, i, cc[i], first[i])
					}
				}
			}
		}
	}
}

func TestPanics(t *testing.T) {
	a := make([]float64, 12)
	for _, tc := range []struct {
		want string
		f    func()
	}{
		{errNegM, func() { Gemm(false, false, -1, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{errNegN, func() { Gemm(false, false, 2, -1, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{errNegK, func() { Gemm(false, false, 2, 2, -1, 1, a, 2, a, 2, 0, a, 2) }},
		{errBadLdA, func() { Gemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2) }},
		{errBadLdA, func() { Gemm(true, false, 3, 2, 2, 1, a, 2, a, 2, 0, a, 2) }},
		{errBadLdB, func() { Gemm(false, false, 2, 3, 2, 1, a, 2, a, 2, 0, a, 3) }},
		{errBadLdB, func() { Gemm(false, true, 2, 2, 3, 1, a, 3, a, 2, 0, a, 2) }},
		{errBadLdC, func() { Gemm(false, false, 2, 3, 2, 1, a, 2, a, 3, 0, a, 2) }},
		{errShortA, func() { Gemm(false, false, 4, 2, 4, 1, a, 4, a, 2, 0, a, 2) }},
		{errShortB, func() { Gemm(false, false, 2, 2, 7, 1, make([]float64, 14), 7, a, 2, 0, a, 2) }},
		{errShortC, func() { Gemm(false, false, 7, 2, 1, 1, a, 1, a, 2, 0, a, 2) }},
	} {
		func() {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// TestQuickReturns checks that empty products touch nothing and that α = 0 or
// k = 0 only scale C, without reading it when β = 0.
func TestQuickReturns(t *testing.T) {
	nan := math.NaN()
	c := []float64{nan, nan, nan, nan}
	Gemm(false, false, 0, 2, 2, 1, nil, 2, []float64{1, 2, 3, 4}, 2, 0, c, 2)
	for _, v := range c {
		if !math.IsNaN(v) {
			t.Fatal("m = 0 wrote to C")
		}
	}
	Gemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0, c, 2)
	for _, v := range c {
		if v != 0 {
			t.Fatalf("k = 0, β = 0 gave %v, want 0", c)
		}
	}
	c = []float64{1, 2, 3, 4}
	Gemm(false, false, 2, 2, 2, 0, []float64{nan, nan, nan, nan}, 2, []float64{nan, nan, nan, nan}, 2, 2, c, 2)
	if c[0] != 2 || c[3] != 8 {
		t.Fatalf("α = 0, β = 2 gave %v, want [2 4 6 8]", c)
	}
}

// FuzzGemm compares every implementation with the reference loop on shapes
// and scalars chosen by the fuzzer.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(7), uint8(17), uint8(3), uint8(0), uint8(1), uint8(2), uint64(1))
	f.Add(uint8(0), uint8(5), uint8(0), uint8(3), uint8(0), uint8(0), uint64(2))
	f.Fuzz(func(t *testing.T, m, n, k, trans, scal, extra uint8, seed uint64) {
		tc := gemmCase{
			transA: trans&1 != 0, transB: trans&2 != 0,
			m: int(m % 80), n: int(n % 80), k: int(k % 80),
			alpha: scalars[scal%3], beta: scalars[scal/3%3],
			extra: int(extra % 4),
		}
		rnd := rand.New(rand.NewPCG(seed, 7))
		nt := 1 + int(trans>>2)%2
		for _, im := range impls[float64]() {
			testCase(t, rnd, im, nt, tc)
		}
		for _, im := range impls[float32]() {
			testCase(t, rnd, im, nt, tc)
		}
	})
}

// In the steady state a product allocates nothing, on one thread or several:
// training calls it thousands of times a second.
func TestGemmDoesNotAllocate(t *testing.T) {
	for _, nt := range []int{1, 2, 3} {
		prev := SetThreads(nt)
		for _, sz := range [][3]int{{7, 5, 3}, {256, 64, 128}, {1000, 40, 100}, {64, 64, 4096}} {
			m, n, k := sz[0], sz[1], sz[2]
			a, b := make([]float32, m*k), make([]float32, k*n)
			c := make([]float32, m*n)
			a64, b64, c64 := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
			f := func() {
				Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
				Gemm(true, false, k, n, m, 1, a, k, c, n, 0, b, n)
				Gemm(false, true, m, n, k, 1, a64, k, b64, k, 1, c64, n)
			}
			f()
			if allocs := testing.AllocsPerRun(5, f); allocs != 0 {
				t.Errorf("%d threads, %d×%d×%d: %v allocations per call", nt, m, n, k, allocs)
			}
		}
		SetThreads(prev)
	}
}
