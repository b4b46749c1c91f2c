package problems

import "fmt"

// Antiderivative is the operator u ↦ w with w(x) = ∫₀ˣ u(s) ds, the first
// benchmark of the DeepONet paper. It integrates by the composite trapezoid
// rule on Intervals equal cells and interpolates linearly between nodes: both
// errors are O(h²).
type Antiderivative struct {
	Intervals int
}

// NewAntiderivative returns the integrator on a grid of the given number of
// cells.
func NewAntiderivative(intervals int) (*Antiderivative, error) {
	if intervals < 1 {
		return nil, fmt.Errorf("problems: antiderivative grid of %d intervals: use at least 1", intervals)
	}
	return &Antiderivative{Intervals: intervals}, nil
}

func (a *Antiderivative) Name() string { return fmt.Sprintf("antiderivative(grid=%d)", a.Intervals) }
func (a *Antiderivative) InDim() int   { return 1 }
func (a *Antiderivative) OutDim() int  { return 1 }

func (a *Antiderivative) Apply(dst []float64, u Func, y []float64) error {
	m := a.Intervals
	h := 1 / float64(m)
	w := make([]float64, m+1)
	x := []float64{0}
	prev := u(x)
	for i := 1; i <= m; i++ {
		x[0] = float64(i) * h
		cur := u(x)
		w[i] = w[i-1] + h*(prev+cur)/2
		prev = cur
	}
	return interpolate1D(dst, w, y)
}
