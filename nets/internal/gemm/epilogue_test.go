package gemm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refEpilogue is the plain loop an epilogue stands for, applied to C after
// the product.
func refEpilogue[T Float](ep Epilogue[T], m, n int, c []T, ldc int) {
	for i := range m {
		for j := range n {
			z := c[i*ldc+j]
			if ep.Bias != nil {
				z += ep.Bias[j]
				if ep.ReLU && 0 > z {
					z = 0
				}
			}
			if ep.Mask != nil && !(ep.Mask[i*ep.LDMask+j] > 0) {
				z = 0
			}
			c[i*ldc+j] = z
		}
	}
}

// TestEpilogue checks every implementation's fused epilogue against the
// product followed by the plain loop, bit for bit (the epilogue's operations
// are the same, only where they happen moves), on shapes with edge tiles,
// several k blocks, bands on several threads, strided C and mask, α = 0 and
// k = 0, with NaN guard bands around C, the bias and the mask.
func TestEpilogue(t *testing.T) {
	t.Run("float64", func(t *testing.T) { runSuite(t, testEpilogue[float64]) })
	t.Run("float32", func(t *testing.T) { runSuite(t, testEpilogue[float32]) })
}

func testEpilogue[T Float](t *testing.T, im *impl[T]) {
	rnd := rand.New(rand.NewPCG(21, 22))
	shapes := [][3]int{
		{1, 1, 1}, {im.mr + 1, im.nr - 1, 3}, {2*im.mr + 3, 2*im.nr + 5, 9}, {150, 40, 100},
		{33, 3*im.nr + 1, im.kc + 5}, {im.mc + 7, 21, 4}, {301, 77, 290}, {5, 6, 0},
	}
	for si, sh := range shapes {
		m, n, k := sh[0], sh[1], sh[2]
		for v := range 8 {
			tA, tB := v&1 != 0, v&2 != 0
			alpha, beta := 1.0, 0.0
			if v&4 != 0 {
				alpha, beta = -0.7, 0.5
			}
			if si == 0 && v == 7 {
				alpha = 0
			}
			ar, ac := m, k
			if tA {
				ar, ac = ac, ar
			}
			br, bc := k, n
			if tB {
				br, bc = bc, br
			}
			a := newMatrix[T](rnd, ar, ac, v%3)
			b := newMatrix[T](rnd, br, bc, 1)
			c0 := newMatrix[T](rnd, m, n, v%2*3)
			bias := newMatrix[T](rnd, 1, n, 0)
			mask := newMatrix[T](rnd, m, n, 2)
			for i := range m {
				if i%5 == 0 {
					// Zeros of both signs and NaN, which mask too.
					mask.view()[i*mask.ld] = T(math.Copysign(0, -1))
					mask.view()[i*mask.ld+n-1] = T(math.NaN())
				}
			}
			for _, ep := range []Epilogue[T]{
				{Bias: bias.view()},
				{Bias: bias.view(), ReLU: true},
				{Mask: mask.view(), LDMask: mask.ld},
				{Bias: bias.view(), ReLU: true, Mask: mask.view(), LDMask: mask.ld},
			} {
				nt := 1 + v%3
				want := slices.Clone(c0.data)
				wv := want[pad : len(want)-pad]
				gemm(im, nt, tA, tB, m, n, k, T(alpha), a.view(), a.ld, b.view(), b.ld, T(beta), wv, c0.ld, Epilogue[T]{})
				refEpilogue(ep, m, n, wv, c0.ld)

				c := matrix[T]{r: m, c: n, ld: c0.ld, data: slices.Clone(c0.data)}
				gemm(im, nt, tA, tB, m, n, k, T(alpha), a.view(), a.ld, b.view(), b.ld, T(beta), c.view(), c.ld, ep)
				checkBands(t, "c", c)
				checkBands(t, "bias", bias)
				checkBands(t, "mask", mask)
				for i := range c.data {
					if math.Float64bits(float64(c.data[i])) != math.Float64bits(float64(want[i])) {
						t.Fatalf("%d×%d×%d v=%d relu=%v mask=%v, %d threads: c[%d] = %v, want %v",
							m, n, k, v, ep.ReLU, ep.Mask != nil, nt, i-pad, c.data[i], want[i])
					}
				}
			}
		}
	}
}

func TestEpiloguePanics(t *testing.T) {
	c := make([]float64, 6)
	for _, tc := range []struct {
		want string
		ep   Epilogue[float64]
	}{
		{errReLUNoBias, Epilogue[float64]{ReLU: true}},
		{errShortBias, Epilogue[float64]{Bias: make([]float64, 2)}},
		{errBadLdMask, Epilogue[float64]{Mask: c, LDMask: 2}},
		{errShortMask, Epilogue[float64]{Mask: c[:5], LDMask: 3}},
	} {
		func() {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic %v, want %q", r, tc.want)
				}
			}()
			GemmEpilogue(false, false, 2, 3, 1, 1, c, 1, c, 3, 0, c, 3, tc.ep)
		}()
	}
}
