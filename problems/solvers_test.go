package problems

import (
	"math"
	"testing"
)

// convergence runs err(n) over the sizes, logs the observed orders
// log2(e(n)/e(2n)) and checks each lies within tol of the theoretical order.
func convergence(t *testing.T, name string, sizes []int, order, tol float64, err func(n int) float64) {
	t.Helper()
	prev := 0.0
	for _, n := range sizes {
		e := err(n)
		if prev > 0 {
			got := math.Log2(prev / e)
			t.Logf("%s: n=%5d  error %.3e  order %.3f", name, n, e, got)
			if math.Abs(got-order) > tol {
				t.Errorf("%s: n=%d: observed order %.3f, want %g ± %g", name, n, got, order, tol)
			}
		} else {
			t.Logf("%s: n=%5d  error %.3e", name, n, e)
		}
		prev = e
	}
}

// Manufactured solution w = e^{x+y}·sin πx·sin πy (not an eigenfunction of
// the discrete Laplacian, so the test exercises the whole transform). The
// 5-point scheme's error is h²/12·(w_xxxx + w_yyyy) + O(h⁴): the observed
// order is 2 up to O(h²), and ±0.1 rejects anything of order 1 or 3.
func TestPoisson2DSecondOrder(t *testing.T) {
	w := func(x, y float64) float64 {
		return math.Exp(x+y) * math.Sin(math.Pi*x) * math.Sin(math.Pi*y)
	}
	// −Δw with g(s) = e^s sin πs, g'' = e^s((1−π²) sin πs + 2π cos πs).
	f := func(p []float64) float64 {
		x, y := p[0], p[1]
		gx, gy := math.Exp(x)*math.Sin(math.Pi*x), math.Exp(y)*math.Sin(math.Pi*y)
		gxx := math.Exp(x) * ((1-math.Pi*math.Pi)*math.Sin(math.Pi*x) + 2*math.Pi*math.Cos(math.Pi*x))
		gyy := math.Exp(y) * ((1-math.Pi*math.Pi)*math.Sin(math.Pi*y) + 2*math.Pi*math.Cos(math.Pi*y))
		return -(gxx*gy + gx*gyy)
	}
	convergence(t, "poisson2d", []int{16, 32, 64, 128, 256}, 2, 0.1, func(m int) float64 {
		p, err := NewPoisson2D(m)
		if err != nil {
			t.Fatal(err)
		}
		got := p.Solve(f)
		var e float64
		for i := range m + 1 {
			for j := range m + 1 {
				e = max(e, math.Abs(got[i*(m+1)+j]-w(float64(i)/float64(m), float64(j)/float64(m))))
			}
		}
		return e
	})
}

// Sine modes are eigenvectors of the discrete operator: the solve must
// reproduce its eigenvalue to rounding, and Apply must interpolate.
func TestPoisson2DApply(t *testing.T) {
	const m = 64
	p, _ := NewPoisson2D(m)
	f := func(x []float64) float64 { return math.Sin(math.Pi*x[0]) * math.Sin(2*math.Pi*x[1]) }
	h := 1.0 / m
	lam := 4/(h*h)*math.Pow(math.Sin(math.Pi*h/2), 2) + 4/(h*h)*math.Pow(math.Sin(math.Pi*h), 2)
	w := p.Solve(f)
	for i := range m + 1 {
		for j := range m + 1 {
			want := f([]float64{float64(i) * h, float64(j) * h}) / lam
			if d := math.Abs(w[i*(m+1)+j] - want); d > 1e-14 {
				t.Fatalf("node (%d,%d): %.17g, want %.17g", i, j, w[i*(m+1)+j], want)
			}
		}
	}
	y := []float64{0.3, 0.7, 0.5, 0.25, 1, 1}
	got := make([]float64, 3)
	if err := p.Apply(got, f, y); err != nil {
		t.Fatal(err)
	}
	// Exact w = f/5π², |w| ≤ 1/5π². The discrete eigenvalue is
	// 5π² − 17π⁴h²/12 + O(h⁴), a relative error 17π²h²/60; bilinear
	// interpolation adds h²/8·(|w_xx| + |w_yy|) ≤ h²/8.
	tol := 17*math.Pi*math.Pi*h*h/60/(5*math.Pi*math.Pi) + h*h/8
	for j := range got {
		exact := f(y[2*j:2*j+2]) / (5 * math.Pi * math.Pi)
		if d := math.Abs(got[j] - exact); d > tol {
			t.Errorf("w(%v) = %g, want %g", y[2*j:2*j+2], got[j], exact)
		}
	}
	if err := p.Apply(got, f, []float64{0.5, 1.5}); err == nil {
		t.Error("point outside the square accepted")
	}
}

// For constant velocity RK4 is exact: the foot is x − A·T up to rounding.
func TestAdvectionConstantIsExactShift(t *testing.T) {
	const a, T = 0.7, 0.9
	op, err := NewAdvection(a, 0, T, 7)
	if err != nil {
		t.Fatal(err)
	}
	u := func(x []float64) float64 { return math.Sin(2*math.Pi*x[0]) + 0.3*math.Cos(6*math.Pi*x[0]) }
	y := Grid(101, 1)
	got := make([]float64, len(y))
	if err := op.Apply(got, u, y); err != nil {
		t.Fatal(err)
	}
	for j, x := range y {
		want := u([]float64{wrap(x - a*T)})
		// 7 steps of rounding in x, times |u'| ≤ 2π + 1.8π.
		if d := math.Abs(got[j] - want); d > 7*4*1e-16*4*math.Pi {
			t.Errorf("w(%g, T) = %.17g, exact shift %.17g", x, got[j], want)
		}
	}
}

// flowFoot is the closed-form foot of the characteristic of
// dx/dt = 1 + ε sin 2πx through (x, T): with s = √(1−ε²) the phase
// ψ(x) = 2πk + 2·atan((tan πr + ε)/s), x = k + r, r ∈ [−½, ½), advances at the
// constant rate 2πs.
func flowFoot(x, eps, T float64) float64 {
	s := math.Sqrt(1 - eps*eps)
	k := math.Floor(x + 0.5)
	r := x - k
	psi := 2*math.Pi*k + 2*math.Atan((math.Tan(math.Pi*r)+eps)/s)
	psi -= 2 * math.Pi * s * T
	k = math.Floor((psi + math.Pi) / (2 * math.Pi))
	phi := psi - 2*math.Pi*k
	return wrap(k + math.Atan(s*math.Tan(phi/2)-eps)/math.Pi)
}

// RK4 on the characteristics of a(x) = 1 + ε sin 2πx converges at order 4
// to the closed-form flow. The observed order is 4 + O(h): ±0.25 is wide
// enough for that and rejects order 3 or 5.
func TestAdvectionRK4FourthOrder(t *testing.T) {
	const eps, T = 0.5, 0.8
	a := func(x float64) float64 { return 1 + eps*math.Sin(2*math.Pi*x) }
	xs := Grid(41, 1)
	convergence(t, "advection characteristics", []int{8, 16, 32, 64, 128}, 4, 0.25, func(steps int) float64 {
		c := Characteristics{T: T, Steps: steps}
		var e float64
		for _, x := range xs {
			d := math.Abs(c.Foot(x, a) - flowFoot(x, eps, T))
			e = max(e, min(d, 1-d))
		}
		return e
	})
	// The operator, with its fine step count, matches the flow to within
	// the RK4 error of 256 steps (about 1e-10 from the table above).
	op, _ := NewAdvection(1, eps, T, 256)
	u := func(x []float64) float64 { return math.Sin(2 * math.Pi * x[0]) }
	got := make([]float64, len(xs))
	if err := op.Apply(got, u, xs); err != nil {
		t.Fatal(err)
	}
	for j, x := range xs {
		if d := math.Abs(got[j] - u([]float64{flowFoot(x, eps, T)})); d > 1e-9 {
			t.Errorf("w(%g,T) off the closed form by %.2e", x, d)
		}
	}
}

// The nonlinear map tabulates the velocity: against the closed-form flow
// for u = sin 2πx with a = exp(u) it is not closed-form, so the velocity is
// given directly through SolveVelocity and the interpolation error
// (O(Grid⁻⁴)) and RK4 error (O(Steps⁻⁴)) must both be small.
func TestAdvectionVelocityAgainstFlow(t *testing.T) {
	const eps, T = 0.4, 0.6
	op, err := NewAdvectionVelocity(1, 0.5, T, 256, 2048)
	if err != nil {
		t.Fatal(err)
	}
	xs := Grid(33, 1)
	got := make([]float64, len(xs))
	a := func(x float64) float64 { return 1 + eps*math.Sin(2*math.Pi*x) }
	if err := op.SolveVelocity(got, a, xs); err != nil {
		t.Fatal(err)
	}
	for j, x := range xs {
		want := op.Initial(flowFoot(x, eps, T))
		if d := math.Abs(got[j] - want); d > 1e-9 {
			t.Errorf("w(%g,T) = %.12f, closed form %.12f", x, got[j], want)
		}
	}
	if err := op.SolveVelocity(got, func(x float64) float64 { return x - 0.5 }, xs); err == nil {
		t.Error("non-positive velocity accepted")
	}
	// Apply with u ≡ 0 is a pure shift of the initial state by A·T.
	if err := op.Apply(got, func([]float64) float64 { return 0 }, xs); err != nil {
		t.Fatal(err)
	}
	for j, x := range xs {
		if d := math.Abs(got[j] - op.Initial(x-T)); d > 1e-12 {
			t.Errorf("u = 0: w(%g,T) off the shift by %.2e", x, d)
		}
	}
}

// Manufactured: w = sin πx with a = 1 + x² needs
// f = −(a w')' = (1+x²)π² sin πx − 2πx cos πx.
func TestDarcy1DSecondOrder(t *testing.T) {
	a := func(x float64) float64 { return 1 + x*x }
	f := func(x float64) float64 {
		return (1+x*x)*math.Pi*math.Pi*math.Sin(math.Pi*x) - 2*math.Pi*x*math.Cos(math.Pi*x)
	}
	convergence(t, "darcy1d", []int{16, 32, 64, 128, 256}, 2, 0.1, func(m int) float64 {
		w, err := SolveDarcy1D(m, a, f)
		if err != nil {
			t.Fatal(err)
		}
		var e float64
		for i, wi := range w {
			e = max(e, math.Abs(wi-math.Sin(math.Pi*float64(i)/float64(m))))
		}
		return e
	})
	if _, err := SolveDarcy1D(16, func(x float64) float64 { return x - 0.5 }, f); err == nil {
		t.Error("non-positive coefficient accepted")
	}
}

// With a ≡ 1 (u ≡ 0) the Darcy operator is −w” = 1: w = x(1−x)/2, a
// quadratic the scheme reproduces at the nodes to rounding.
func TestDarcy1DApplyConstant(t *testing.T) {
	op, err := NewDarcy1D(64, 1, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	y := Grid(65, 1)
	got := make([]float64, len(y))
	if err := op.Apply(got, func([]float64) float64 { return 0 }, y); err != nil {
		t.Fatal(err)
	}
	for j, x := range y {
		if d := math.Abs(got[j] - x*(1-x)/2); d > 1e-14 {
			t.Errorf("w(%g) = %.17g, want %.17g", x, got[j], x*(1-x)/2)
		}
	}
}

// RK4 is fourth order: against a reference with 2^14 steps (whose own error
// is ~2^-40 relative) the error ratios approach 16.
func TestPendulumFourthOrder(t *testing.T) {
	p, _ := NewPendulum(1<<14, 9)
	u := func(t float64) float64 { return 3*math.Sin(7*t) + 2*math.Cos(3*t) }
	ref, _ := p.Solve(u)
	convergence(t, "pendulum RK4", []int{16, 32, 64, 128, 256}, 4, 0.15, func(m int) float64 {
		q, _ := NewPendulum(m, 9)
		th, _ := q.Solve(u)
		var e float64
		stride := (1 << 14) / m
		for i := range th {
			e = max(e, math.Abs(th[i]-ref[i*stride]))
		}
		return e
	})
	// Apply's Hermite interpolation keeps order 4 between the steps.
	convergence(t, "pendulum Apply", []int{16, 32, 64, 128}, 4, 0.3, func(m int) float64 {
		q, _ := NewPendulum(m, 9)
		y := []float64{0.123, 0.377, 0.5, 0.911, 1}
		got := make([]float64, len(y))
		if err := q.Apply(got, func(x []float64) float64 { return u(x[0]) }, y); err != nil {
			t.Fatal(err)
		}
		fine, _ := NewPendulum(1<<14, 9)
		want := make([]float64, len(y))
		fine.Apply(want, func(x []float64) float64 { return u(x[0]) }, y)
		var e float64
		for j := range y {
			e = max(e, math.Abs(got[j]-want[j]))
		}
		return e
	})
}

// At small amplitude sin θ ≈ θ and θ” + kθ = δ sin ωt has the closed form
// θ = δ/(k−ω²)·(sin ωt − (ω/√k) sin √k t). The neglected θ³/6 term is
// ~|θ|³, far below the comparison tolerance.
func TestPendulumLinearised(t *testing.T) {
	const k, omega, delta = 4.0, 3.0, 1e-4
	p, _ := NewPendulum(1024, k)
	th, _ := p.Solve(func(t float64) float64 { return delta * math.Sin(omega*t) })
	var amp, e float64
	for i, v := range th {
		tt := float64(i) / 1024
		exact := delta / (k - omega*omega) * (math.Sin(omega*tt) - omega/math.Sqrt(k)*math.Sin(math.Sqrt(k)*tt))
		amp = max(amp, math.Abs(exact))
		e = max(e, math.Abs(v-exact))
	}
	t.Logf("pendulum vs linearised closed form: max |θ| %.3e, max error %.3e", amp, e)
	// Nonlinear term k·θ³/6 integrated twice over [0,1]: ≤ k·amp³/12.
	if tol := k*amp*amp*amp/12 + 1e-15; e > tol {
		t.Errorf("error %.3e exceeds the nonlinear remainder %.3e", e, tol)
	}
}
