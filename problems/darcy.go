package problems

import (
	"fmt"
	"math"
)

// Darcy1D is the nonlinear operator u ↦ w with −(a·w')' = 1 on (0,1),
// w(0) = w(1) = 0, for the permeability a(x) = A·exp(Amplitude·u(x)):
// log-normal when u is a Gaussian field, positive for every input. The
// conservative scheme on Grid cells takes a at the cell midpoints,
// −(a_{i+½}(w_{i+1} − w_i) − a_{i−½}(w_i − w_{i−1}))/h² = f(x_i), and is solved
// by the Thomas algorithm; scheme and linear interpolation are both O(h²)
// for smooth a.
type Darcy1D struct {
	Grid         int
	A, Amplitude float64
}

// NewDarcy1D returns the solver on grid cells with permeability
// a·exp(amplitude·u).
func NewDarcy1D(grid int, a, amplitude float64) (*Darcy1D, error) {
	if grid < 2 {
		return nil, fmt.Errorf("problems: darcy1d Grid = %d intervals: use at least 2", grid)
	}
	if !(a > 0) || math.IsInf(a, 0) {
		return nil, fmt.Errorf("problems: darcy1d coefficient Coefficient = %g: the permeability scale must be positive and finite", a)
	}
	if math.IsNaN(amplitude) || math.IsInf(amplitude, 0) {
		return nil, fmt.Errorf("problems: darcy1d Amplitude = %g: it must be finite", amplitude)
	}
	return &Darcy1D{Grid: grid, A: a, Amplitude: amplitude}, nil
}

func (d *Darcy1D) Name() string {
	return fmt.Sprintf("darcy1d(grid=%d,a=%g,amp=%g)", d.Grid, d.A, d.Amplitude)
}
func (d *Darcy1D) InDim() int  { return 1 }
func (d *Darcy1D) OutDim() int { return 1 }

func (d *Darcy1D) Apply(dst []float64, u Func, y []float64) error {
	if err := checkOut(dst, y); err != nil {
		return err
	}
	x := []float64{0}
	w, err := SolveDarcy1D(d.Grid, func(s float64) float64 {
		x[0] = s
		return d.A * math.Exp(d.Amplitude*u(x))
	}, func(float64) float64 { return 1 })
	if err != nil {
		return err
	}
	return interpolate1D(dst, w, y)
}

// SolveDarcy1D solves −(a·w')' = f, w(0) = w(1) = 0 on m cells and returns w
// at the m+1 nodes. It fails, naming the point, if a is not positive at a
// cell midpoint. Poisson1D solves through it with a ≡ 1. The Thomas sweep is
// written out rather than taken from gonum's mat.Tridiag, which is 5 to 7
// times slower here (BenchmarkTridiag1024).
func SolveDarcy1D(m int, a, f func(float64) float64) ([]float64, error) {
	if m < 2 {
		return nil, fmt.Errorf("problems: darcy1d grid of %d intervals: use at least 2", m)
	}
	h := 1 / float64(m)
	mid := make([]float64, m) // a at x_{i+½}, i = 0..m−1
	for i := range mid {
		x := (float64(i) + 0.5) * h
		mid[i] = a(x)
		if !(mid[i] > 0) || math.IsInf(mid[i], 0) {
			return nil, fmt.Errorf("problems: darcy1d coefficient a(%g) = %g: it must be positive and finite", x, mid[i])
		}
	}
	// Row i (1..m−1): −a_{i−½} w_{i−1} + (a_{i−½} + a_{i+½}) w_i − a_{i+½} w_{i+1} = h² f_i.
	w := make([]float64, m+1)
	c := make([]float64, m)
	prevC := 0.0
	for i := 1; i < m; i++ {
		lo, hi := mid[i-1], mid[i]
		den := lo + hi + lo*prevC
		c[i] = -hi / den
		w[i] = (h*h*f(float64(i)*h) + lo*w[i-1]) / den
		prevC = c[i]
	}
	for i := m - 2; i >= 1; i-- {
		w[i] -= c[i] * w[i+1]
	}
	return w, nil
}

// Pendulum is the nonlinear operator u ↦ θ of the forced gravity pendulum
// θ” = −K·sin θ + u(t), θ(0) = θ'(0) = 0 on t ∈ [0,1], integrated by
// classical RK4 on Grid steps (global error O(h⁴)); θ between steps comes
// from the cubic Hermite interpolant of (θ, θ'), also O(h⁴). The forcing is
// evaluated exactly at the RK4 stages.
type Pendulum struct {
	Grid int
	K    float64
}

// NewPendulum returns the pendulum with gravity constant k on grid steps.
func NewPendulum(grid int, k float64) (*Pendulum, error) {
	if grid < 1 {
		return nil, fmt.Errorf("problems: pendulum Grid = %d RK4 steps: use at least 1", grid)
	}
	if !(k > 0) || math.IsInf(k, 0) {
		return nil, fmt.Errorf("problems: pendulum Gravity = %g: the constant k of −k sin θ must be positive and finite", k)
	}
	return &Pendulum{Grid: grid, K: k}, nil
}

func (p *Pendulum) Name() string { return fmt.Sprintf("pendulum(grid=%d,k=%g)", p.Grid, p.K) }
func (p *Pendulum) InDim() int   { return 1 }
func (p *Pendulum) OutDim() int  { return 1 }

func (p *Pendulum) Apply(dst []float64, u Func, y []float64) error {
	if err := checkOut(dst, y); err != nil {
		return err
	}
	x := []float64{0}
	theta, omega := p.Solve(func(t float64) float64 {
		x[0] = t
		return u(x)
	})
	hermite(dst, theta, omega, y)
	return nil
}

// hermite writes into dst the cubic Hermite interpolant at the points y of
// the values theta and derivatives omega on the equispaced grid of [0,1]. It
// is written out rather than taken from gonum's interp.PiecewiseCubic, which
// costs some 70 times as much here and rounds otherwise (BenchmarkHermite1024).
func hermite(dst, theta, omega, y []float64) {
	m := len(theta) - 1
	h := 1 / float64(m)
	for j, t := range y {
		s := t * float64(m)
		i := min(int(s), m-1)
		r := s - float64(i)
		// Cubic Hermite basis on [t_i, t_{i+1}].
		r2, r3 := r*r, r*r*r
		h00 := 2*r3 - 3*r2 + 1
		h10 := r3 - 2*r2 + r
		h01 := -2*r3 + 3*r2
		h11 := r3 - r2
		dst[j] = h00*theta[i] + h10*h*omega[i] + h01*theta[i+1] + h11*h*omega[i+1]
	}
}

// Solve integrates the pendulum under forcing u and returns θ and θ' at the
// Grid+1 times i/Grid.
func (p *Pendulum) Solve(u func(float64) float64) (theta, omega []float64) {
	m := p.Grid
	h := 1 / float64(m)
	theta = make([]float64, m+1)
	omega = make([]float64, m+1)
	k := p.K
	acc := func(th, t float64) float64 { return -k*math.Sin(th) + u(t) }
	for i := range m {
		t := float64(i) * h
		th, om := theta[i], omega[i]
		uMid := u(t + h/2) // shared by stages 2 and 3
		k1t, k1o := om, -k*math.Sin(th)+u(t)
		k2t, k2o := om+h/2*k1o, -k*math.Sin(th+h/2*k1t)+uMid
		k3t, k3o := om+h/2*k2o, -k*math.Sin(th+h/2*k2t)+uMid
		k4t, k4o := om+h*k3o, acc(th+h*k3t, t+h)
		theta[i+1] = th + h/6*(k1t+2*k2t+2*k3t+k4t)
		omega[i+1] = om + h/6*(k1o+2*k2o+2*k3o+k4o)
	}
	return theta, omega
}
