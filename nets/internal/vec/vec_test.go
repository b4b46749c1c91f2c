package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// lengths straddle the 8 float32 and 4 float64 lanes of a YMM register.
var lengths = []int{0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100}

// guard is the width of the bands around every slice, filled with a value
// that no kernel writes, so that a stray read shows as NaN and a stray write
// as a changed band.
const guard = 8

// guarded returns a slice of n values drawn by gen, inside guard bands of
// sentinel, and the backing array to check the bands on.
func guarded[T Float](n int, gen func() T) (s, all []T) {
	all = make([]T, n+2*guard)
	for i := range all {
		all[i] = T(math.NaN())
	}
	s = all[guard : guard+n]
	for i := range s {
		s[i] = gen()
	}
	return s, all
}

func checkBands[T Float](t *testing.T, name string, all []T, n int) {
	t.Helper()
	for i, v := range all {
		if (i < guard || i >= guard+n) && !math.IsNaN(float64(v)) {
			t.Errorf("%s: wrote %v at offset %d outside its %d elements", name, v, i-guard, n)
		}
	}
}

// values draws normals with exact zeros of both signs, infinities and NaN
// mixed in, the cases where max, compare and mask semantics differ.
func values[T Float](rng *rand.Rand) func() T {
	return func() T {
		switch rng.IntN(12) {
		case 0:
			return 0
		case 1:
			return T(math.Copysign(0, -1))
		case 2:
			return T(math.Inf(1 - 2*rng.IntN(2)))
		case 3:
			if rng.IntN(4) == 0 {
				return T(math.NaN())
			}
		}
		return T(rng.NormFloat64())
	}
}

func sameBits[T Float](a, b []T) bool {
	return slices.EqualFunc(a, b, func(x, y T) bool {
		if math.IsNaN(float64(x)) {
			return math.IsNaN(float64(y))
		}
		return x == y && math.Signbit(float64(x)) == math.Signbit(float64(y))
	})
}

// withPath runs f on the assembly path, if there is one, and on the Go path.
func withPath(t *testing.T, f func(asm bool)) {
	if !haveAsm() {
		t.Log("no assembly on this CPU or build: testing the Go path alone")
	}
	saved := useAsm
	defer func() { useAsm = saved }()
	useAsm = false
	f(false)
	if haveAsm() {
		useAsm = true
		f(true)
	}
}

func TestKernelsMatchLoops(t *testing.T) {
	t.Run("f32", func(t *testing.T) { testKernels[float32](t) })
	t.Run("f64", func(t *testing.T) { testKernels[float64](t) })
}

func testKernels[T Float](t *testing.T) {
	for _, n := range lengths {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			type result struct {
				outs    [][]T
				sq, sum T
			}
			var res [2]result
			withPath(t, func(asm bool) {
				rng := rand.New(rand.NewPCG(uint64(n), 1))
				gen := values[T](rng)
				normal := func() T { return T(rng.NormFloat64()) }
				r := &res[0]
				if asm {
					r = &res[1]
				}
				x, xa := guarded(n, gen)
				y, ya := guarded(n, gen)
				Add(x, y)
				checkBands(t, "Add", xa, n)
				checkBands(t, "Add y", ya, n)

				h, ha := guarded(n, gen)
				b, _ := guarded(n, gen)
				ReLUBias(h, b)
				checkBands(t, "ReLUBias", ha, n)

				dz, dza := guarded(n, normal)
				db, dba := guarded(n, normal)
				MaskSum(dz, h, db)
				checkBands(t, "MaskSum dz", dza, n)
				checkBands(t, "MaskSum db", dba, n)

				out, _ := guarded(n, normal)
				v, _ := guarded(n, normal)
				dst, dsta := guarded(n, normal)
				r.sq, r.sum = LossGrad(dst, out, v, 0.25, 2/T(max(n, 1)))
				checkBands(t, "LossGrad", dsta, n)

				p, pa := guarded(n, normal)
				g, _ := guarded(n, normal)
				m, ma := guarded(n, normal)
				vv, va := guarded(n, func() T { return T(math.Abs(rng.NormFloat64())) })
				Adam(p, g, m, vv, 0.9, 0.999, 1-T(0.9), 1-T(0.999), 1e-3, 1e-8)
				checkBands(t, "Adam p", pa, n)
				checkBands(t, "Adam m", ma, n)
				checkBands(t, "Adam v", va, n)
				r.outs = [][]T{x, h, dz, db, dst, p, m, vv}
			})
			if !haveAsm() {
				return
			}
			names := []string{"Add", "ReLUBias", "MaskSum dz", "MaskSum db", "LossGrad dst", "Adam p", "Adam m", "Adam v"}
			for i, name := range names {
				if !sameBits(res[0].outs[i], res[1].outs[i]) {
					t.Errorf("%s: assembly %v, Go %v", name, res[1].outs[i], res[0].outs[i])
				}
			}
			// The sums differ only in their order: n terms of size about
			// one, each rounding error at most ε·|partial sum|.
			eps := 1e-7
			if _, ok := any(T(0)).(float64); ok {
				eps = 2e-16
			}
			tol := float64(n) * eps * float64(n+1)
			if d := math.Abs(float64(res[0].sq - res[1].sq)); d > tol*4 {
				t.Errorf("LossGrad squares: assembly %v, Go %v", res[1].sq, res[0].sq)
			}
			if d := math.Abs(float64(res[0].sum - res[1].sum)); d > tol*4 {
				t.Errorf("LossGrad sum: assembly %v, Go %v", res[1].sum, res[0].sum)
			}
		})
	}
}

// ReLUBias and MaskSum must follow the ReLU's definition at the edge cases:
// +0 for negative sums, NaN kept, and no gradient through a unit whose output
// is zero of either sign or NaN.
func TestReLUEdgeCases(t *testing.T) {
	withPath(t, func(asm bool) {
		nan, inf, negz := math.NaN(), math.Inf(1), math.Copysign(0, -1)
		x := []float64{-1, 2, nan, 0, -inf, inf}
		ReLUBias(x, make([]float64, len(x)))
		want := []float64{0, 2, nan, 0, 0, inf}
		if !sameBits(x, want) {
			t.Errorf("asm=%v: ReLUBias gives %v, want %v", asm, x, want)
		}
		h := []float64{0, negz, nan, 1e-300, 3}
		dz := []float64{1, 1, 1, 1, 1}
		db := make([]float64, len(h))
		MaskSum(dz, h, db)
		if want := []float64{0, 0, 0, 1, 1}; !sameBits(dz, want) || !sameBits(db, want) {
			t.Errorf("asm=%v: MaskSum gives dz %v db %v, want %v", asm, dz, db, want)
		}
	})
}

// The row kernels must do on each row of a strided block exactly what the
// one-row kernels do, and leave the gaps between rows alone. Widths straddle
// the lanes; the gap between rows holds NaNs, which a stray read would carry
// into a row and a stray write would replace.
func TestRowKernels(t *testing.T) {
	t.Run("f32", func(t *testing.T) { testRowKernels[float32](t) })
	t.Run("f64", func(t *testing.T) { testRowKernels[float64](t) })
}

func testRowKernels[T Float](t *testing.T) {
	for _, rows := range []int{0, 1, 3, 12} {
		for _, cols := range lengths {
			for _, gap := range []int{0, 1, 5} {
				ld := cols + gap
				withPath(t, func(asm bool) {
					name := fmt.Sprintf("rows=%d cols=%d ld=%d asm=%v", rows, cols, ld, asm)
					rng := rand.New(rand.NewPCG(uint64(rows*1000+cols), uint64(gap)))
					gen := values[T](rng)
					n := 0
					if rows > 0 {
						n = (rows-1)*ld + cols
					}
					block := func() ([]T, []T) {
						x, all := guarded(n, gen)
						for i := range n {
							if i%ld >= cols {
								x[i] = T(math.NaN())
							}
						}
						return x, all
					}
					b, _ := guarded(cols, gen)
					h, _ := block()
					for _, k := range []struct {
						name string
						rows func(x []T)
						row  func(x []T, i int)
					}{
						{"AddRows", func(x []T) { AddRows(x, rows, cols, ld, b) }, func(x []T, i int) { Add(x, b) }},
						{"ReLUBiasRows", func(x []T) { ReLUBiasRows(x, rows, cols, ld, b) }, func(x []T, i int) { ReLUBias(x, b) }},
						{"MaskRows", func(x []T) { MaskRows(x, rows, cols, ld, h, ld) }, func(x []T, i int) {
							MaskSum(x, h[i*ld:i*ld+cols], make([]T, cols))
						}},
					} {
						x, all := block()
						want := slices.Clone(all)
						k.rows(x)
						checkBands(t, name+" "+k.name, all, n)
						w := want[guard : guard+n]
						for i := range rows {
							k.row(w[i*ld:i*ld+cols], i)
						}
						if !sameBits(all, want) {
							t.Errorf("%s: %s gives %v, row by row %v", name, k.name, all, want)
						}
					}
				})
			}
		}
	}
}

// SumRows, assembly and Go, gives the bits of Add called on each row in
// turn, on widths around the vector width and a zero row count, with the
// rest of s left alone.
func TestSumRowsMatchesAdd(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testSumRows[float32](t) })
	t.Run("float64", func(t *testing.T) { testSumRows[float64](t) })
}

func testSumRows[T Float](t *testing.T) {
	defer func(saved bool) { useAsm = saved }(useAsm)
	for _, asm := range []bool{false, true} {
		if asm && !haveAsm() {
			continue
		}
		useAsm = asm
		for _, rows := range []int{0, 1, 3, 128} {
			for cols := 1; cols < 20; cols++ {
				rng := rand.New(rand.NewPCG(uint64(rows*cols), 3))
				x := make([]T, rows*cols)
				for i := range x {
					x[i] = T(rng.NormFloat64())
				}
				want := make([]T, cols)
				for i := range rows {
					Add(want, x[i*cols:(i+1)*cols])
				}
				s, all := guarded(cols, func() T { return 0 })
				SumRows(s, x, rows, cols)
				checkBands(t, "SumRows", all, cols)
				if !sameBits(s, want) {
					t.Fatalf("asm=%v %d×%d: SumRows %v, Add row by row %v", asm, rows, cols, s, want)
				}
			}
		}
	}
}
