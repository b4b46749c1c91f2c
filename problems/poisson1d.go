package problems

import (
	"fmt"
)

// Poisson1D is the operator f ↦ w with −w” = f on (0,1), w(0) = w(1) = 0.
// It solves the second-order finite-difference scheme on Intervals equal
// cells by a tridiagonal (Thomas) solve and interpolates linearly between
// nodes, so both errors are O(h²) with h = 1/Intervals.
type Poisson1D struct {
	Intervals int
}

// NewPoisson1D returns the solver on a grid of the given number of cells.
func NewPoisson1D(intervals int) (*Poisson1D, error) {
	if intervals < 2 {
		return nil, fmt.Errorf("problems: poisson1d grid of %d intervals: use at least 2", intervals)
	}
	return &Poisson1D{Intervals: intervals}, nil
}

func (p *Poisson1D) Name() string { return fmt.Sprintf("poisson1d(grid=%d)", p.Intervals) }
func (p *Poisson1D) InDim() int   { return 1 }
func (p *Poisson1D) OutDim() int  { return 1 }

func (p *Poisson1D) Apply(dst []float64, f Func, y []float64) error {
	w := p.Solve(f)
	return interpolate1D(dst, w, y)
}

// Solve returns w at the Intervals+1 grid nodes, end points included.
func (p *Poisson1D) Solve(f Func) []float64 {
	m := p.Intervals
	h := 1 / float64(m)
	w := make([]float64, m+1)
	// The matrix is tridiag(−1, 2, −1)/h²; with constant diagonals the Thomas
	// sweep needs only the modified super-diagonal, kept in c.
	c := make([]float64, m)
	x := []float64{0}
	prevC := 0.0
	for i := 1; i < m; i++ {
		x[0] = float64(i) * h
		rhs := h * h * f(x)
		den := 2 + prevC
		c[i] = -1 / den
		w[i] = (rhs + w[i-1]) / den
		prevC = c[i]
	}
	for i := m - 2; i >= 1; i-- {
		w[i] -= c[i] * w[i+1]
	}
	return w
}

// interpolate1D writes the piecewise-linear interpolant of the nodal values
// w (on an equispaced grid of [0,1]) at the points y into dst.
func interpolate1D(dst, w, y []float64) error {
	if len(dst) < len(y) {
		return fmt.Errorf("problems: output buffer holds %d values, need %d", len(dst), len(y))
	}
	m := len(w) - 1
	for j, yj := range y {
		if yj < 0 || yj > 1 {
			return fmt.Errorf("problems: output point y[%d] = %g lies outside [0,1]", j, yj)
		}
		s := yj * float64(m)
		i := min(int(s), m-1)
		t := s - float64(i)
		dst[j] = (1-t)*w[i] + t*w[i+1]
	}
	return nil
}
