package problems

import (
	"math"
	"testing"
)

// maxError returns the largest nodal error of the Poisson solve of
// f = √2·Σ c_k sin(kπx) against its exact solution w = √2·Σ c_k sin(kπx)/(kπ)².
func poissonNodalError(t *testing.T, cells int, c []float64) float64 {
	t.Helper()
	p, err := NewPoisson1D(cells)
	if err != nil {
		t.Fatal(err)
	}
	s := &Subspace{BU: len(c)}
	w := p.Solve(s.Func(c))
	var e float64
	for i, wi := range w {
		x := float64(i) / float64(cells)
		var exact float64
		for k, ck := range c {
			kp := float64(k+1) * math.Pi
			exact += math.Sqrt2 * ck * math.Sin(kp*x) / (kp * kp)
		}
		e = max(e, math.Abs(wi-exact))
	}
	return e
}

// The 3-point scheme is second order: halving h must divide the error by
// about 4. The error is c·h² + O(h⁴), so the ratio differs from 4 by O(h²):
// ±0.2 leaves room for that alone, not for a first-order scheme (ratio 2).
func TestPoisson1DSecondOrder(t *testing.T) {
	c := []float64{0.7, -0.4, 0.25}
	prev := 0.0
	for _, cells := range []int{16, 32, 64, 128, 256} {
		e := poissonNodalError(t, cells, c)
		if prev > 0 {
			ratio := prev / e
			t.Logf("cells=%4d  max error %.3e  ratio %.3f  order %.3f", cells, e, ratio, math.Log2(ratio))
			if ratio < 3.8 || ratio > 4.2 {
				t.Errorf("cells=%d: error ratio %.3f, want ≈ 4 (order 2)", cells, ratio)
			}
		}
		prev = e
	}
}

func TestPoisson1DApplyInterpolates(t *testing.T) {
	p, _ := NewPoisson1D(512)
	c := []float64{1, 0.5}
	y := []float64{0, 0.1234, 0.5, 0.987, 1}
	got := make([]float64, len(y))
	if err := p.Apply(got, (&Subspace{BU: 2}).Func(c), y); err != nil {
		t.Fatal(err)
	}
	// Solve and interpolation errors are both below (2π)²h²/12·|w| + h²/8·|w''|.
	h := 1.0 / 512
	tol := 4 * math.Pi * math.Pi * h * h
	for j, x := range y {
		exact := math.Sqrt2 * (c[0]*math.Sin(math.Pi*x)/(math.Pi*math.Pi) + c[1]*math.Sin(2*math.Pi*x)/(4*math.Pi*math.Pi))
		if d := math.Abs(got[j] - exact); d > tol {
			t.Errorf("w(%g) = %.8f, exact %.8f, error %.2e > %.2e", x, got[j], exact, d, tol)
		}
	}
	if err := p.Apply(got, (&Subspace{BU: 2}).Func(c), []float64{1.5}); err == nil {
		t.Error("point outside [0,1] accepted")
	}
}

func TestSubspaceRejectsZero(t *testing.T) {
	if _, err := NewSubspace(0); err == nil {
		t.Error("b_U = 0 accepted")
	}
	if _, err := NewFamily("nope", Params{}); err == nil {
		t.Error("unknown family accepted")
	}
}
