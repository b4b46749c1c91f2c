package intrinsic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// The brute-force neighbour search against a plain sort of all distances.
func TestNearestDistances(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n, d, k = 57, 3, 5
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.Float64()
	}
	nn := nearestDistances(x, n, d, k)
	for i := range n {
		var all []float64
		for j := range n {
			if j != i {
				var s float64
				for a := range d {
					s += (x[i*d+a] - x[j*d+a]) * (x[i*d+a] - x[j*d+a])
				}
				all = append(all, math.Sqrt(s))
			}
		}
		slices.Sort(all)
		for a := range k {
			if nn[i*k+a] != all[a] {
				t.Fatalf("point %d neighbour %d: %g, want %g", i, a, nn[i*k+a], all[a])
			}
		}
	}
}

// PCASpectrum against the eigenvalues of the centred Gram matrix XᵀX,
// computed the plain way, on shapes wider than tall, taller than wide, a
// single row and a single column. Both are backward stable, so they agree to
// a few ulps of the largest energy times the size.
func TestPCASpectrumAgainstGram(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range [][2]int{{7, 3}, {3, 7}, {1, 5}, {5, 1}, {33, 33}, {40, 2}} {
		n, d := s[0], s[1]
		x := make([]float64, n*d)
		for i := range x {
			x[i] = rng.NormFloat64() * float64(1+i%d)
		}
		got, err := PCASpectrum(x, n, d)
		if err != nil {
			t.Fatal(err)
		}
		c := slices.Clone(x)
		for j := range d {
			var m float64
			for i := range n {
				m += x[i*d+j]
			}
			for i := range n {
				c[i*d+j] -= m / float64(n)
			}
		}
		g := mat.NewSymDense(d, nil)
		for a := range d {
			for b := a; b < d; b++ {
				var v float64
				for i := range n {
					v += c[i*d+a] * c[i*d+b]
				}
				g.SetSym(a, b, v)
			}
		}
		var e mat.EigenSym
		if !e.Factorize(g, false) {
			t.Fatal("reference eigendecomposition failed")
		}
		want := e.Values(nil)
		slices.Reverse(want)
		if len(got) != min(n, d) {
			t.Fatalf("%d×%d: %d energies, want %d", n, d, len(got), min(n, d))
		}
		tol := 64 * float64(n+d) * 0x1p-52 * max(want[0], 1e-300)
		for k := range got {
			if math.Abs(got[k]-want[k]) > tol {
				t.Errorf("%d×%d: energy %d = %g, want %g ± %g", n, d, k, got[k], want[k], tol)
			}
		}
	}
	for _, s := range [][3]int{{0, 3, 0}, {3, 0, 0}, {2, 2, 3}, {-1, 2, 0}, {1 << 32, 1 << 32, 0}, {1 << 62, 4, 0}} {
		if _, err := PCASpectrum(make([]float64, s[2]), s[0], s[1]); err == nil {
			t.Errorf("%d×%d with %d values accepted", s[0], s[1], s[2])
		}
	}
}

// BenchmarkPCA is the measurement behind PCASpectrum's choice of the
// values-only SVD over stat.PC.
func BenchmarkPCA(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][2]int{{2000, 100}, {200, 1000}} {
		n, d := s[0], s[1]
		x := make([]float64, n*d)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		name := func(impl string) string { return fmt.Sprintf("%dx%d/%s", n, d, impl) }
		b.Run(name("values"), func(b *testing.B) {
			for b.Loop() {
				PCASpectrum(x, n, d)
			}
		})
		b.Run(name("statPC"), func(b *testing.B) {
			for b.Loop() {
				var pc stat.PC
				pc.PrincipalComponents(mat.NewDense(n, d, x), nil)
				pc.VarsTo(nil)
			}
		})
	}
}
