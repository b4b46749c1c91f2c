package problems

// The measurements behind the numerical kernels kept by hand where gonum has
// one: each benchmark times ours beside gonum's on the hot path's shape.

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/interp"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkTridiag1024 is the measurement behind keeping the hand-written
// Thomas sweep of SolveDarcy1D (and so of Poisson1D) over gonum's
// mat.Tridiag, which pivots and estimates the condition number: 55–57 µs
// against 258–378 µs on 1024 cells, one core (two runs on a shared machine). The matrix is symmetric positive definite
// and diagonally dominant, so the sweep needs no pivoting.
func BenchmarkTridiag1024(b *testing.B) {
	const m = 1024
	a := func(x float64) float64 { return math.Exp(0.5 * math.Sin(3*x)) }
	f := func(float64) float64 { return 1 }
	b.Run("thomas", func(b *testing.B) {
		for b.Loop() {
			SolveDarcy1D(m, a, f)
		}
	})
	b.Run("gonum", func(b *testing.B) {
		for b.Loop() {
			h := 1 / float64(m)
			mid := make([]float64, m)
			for i := range mid {
				mid[i] = a((float64(i) + 0.5) * h)
			}
			n := m - 1
			dl, d, du, rhs := make([]float64, n-1), make([]float64, n), make([]float64, n-1), make([]float64, n)
			for i := range n {
				d[i] = mid[i] + mid[i+1]
				rhs[i] = h * h * f(float64(i+1)*h)
				if i < n-1 {
					dl[i], du[i] = -mid[i+1], -mid[i+1]
				}
			}
			t := mat.NewTridiag(n, dl, d, du)
			var x mat.VecDense
			if err := t.SolveVecTo(&x, false, mat.NewVecDense(n, rhs)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHermite1024 is the measurement behind Pendulum.Apply's cubic
// Hermite interpolation written out rather than gonum's
// interp.PiecewiseCubic: at 100 points of a 1024-step solution ours takes
// 0.6 µs, gonum's fit and predictions 44 µs, a sixth more on top of the
// 292 µs RK4 solve of every function. gonum's values also differ in the last
// bit at a third of the points (|Δ| ≤ 1.4e-17 on |θ| ≈ 0.12), which would
// change every pendulum dataset.
func BenchmarkHermite1024(b *testing.B) {
	p := &Pendulum{Grid: 1024, K: 1}
	u := func(t float64) float64 { return math.Sin(7 * t) }
	y := Grid(100, 1)
	dst := make([]float64, len(y))
	b.Run("solve", func(b *testing.B) {
		for b.Loop() {
			p.Solve(u)
		}
	})
	theta, omega := p.Solve(u)
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			hermite(dst, theta, omega, y)
		}
	})
	b.Run("gonum", func(b *testing.B) {
		xs := Grid(len(theta), 1)
		for b.Loop() {
			var pc interp.PiecewiseCubic
			pc.FitWithDerivatives(xs, theta, omega)
			for j, t := range y {
				dst[j] = pc.Predict(t)
			}
		}
	})
}
