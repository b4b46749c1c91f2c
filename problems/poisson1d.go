package problems

import (
	"fmt"
)

// Poisson1D is the operator f ↦ w with −w” = f on (0,1), w(0) = w(1) = 0.
// It solves the second-order finite-difference scheme on Intervals equal
// cells by a tridiagonal (Thomas) solve, that of Darcy1D with a ≡ 1, and
// interpolates linearly between nodes, so both errors are O(h²) with h = 1/Intervals.
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

// Solve returns w at the Intervals+1 grid nodes, end points included. It is
// SolveDarcy1D with a ≡ 1: the same rows and the same Thomas sweep, to the
// bit (with a ≡ 1 every product by a is exact).
func (p *Poisson1D) Solve(f Func) []float64 {
	x := []float64{0}
	w, _ := SolveDarcy1D(p.Intervals, func(float64) float64 { return 1 }, func(s float64) float64 {
		x[0] = s
		return f(x)
	}) // a ≡ 1 is positive and Intervals ≥ 2, so it cannot fail
	return w
}

// interpolate1D writes the piecewise-linear interpolant of the nodal values
// w (on an equispaced grid of [0,1]) at the points y into dst.
func interpolate1D(dst, w, y []float64) error {
	if len(dst) < len(y) {
		return fmt.Errorf("problems: output buffer holds %d values, need %d", len(dst), len(y))
	}
	for j, yj := range y {
		if yj < 0 || yj > 1 {
			return fmt.Errorf("problems: output point y[%d] = %g lies outside [0,1]", j, yj)
		}
		dst[j] = lerp(w, yj)
	}
	return nil
}
