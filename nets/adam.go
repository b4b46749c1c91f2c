package nets

import (
	"math"

	"opscale/nets/internal/vec"
)

// Adam is the optimiser of Kingma and Ba with bias correction.
type Adam[T Float] struct {
	Beta1, Beta2, Eps float64
	m, v              []T
	t                 int
}

// NewAdam returns Adam with the usual β₁ = 0.9, β₂ = 0.999, ε = 1e-8 for a
// parameter vector of n elements.
func NewAdam[T Float](n int) *Adam[T] {
	return &Adam[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, m: make([]T, n), v: make([]T, n)}
}

// Step moves params against grads with learning rate lr.
func (a *Adam[T]) Step(params, grads []T, lr float64) {
	a.t++
	b1, b2 := T(a.Beta1), T(a.Beta2)
	// The bias corrections fold into the step size and ε, as in the paper's
	// efficient form, so the loop does one division per parameter.
	c1 := 1 - math.Pow(a.Beta1, float64(a.t))
	c2 := 1 - math.Pow(a.Beta2, float64(a.t))
	step := T(lr * math.Sqrt(c2) / c1)
	eps := T(a.Eps * math.Sqrt(c2))
	vec.Adam(params, grads, a.m, a.v, b1, b2, 1-b1, 1-b2, step, eps)
}

// Reset forgets the moments, as at the start of training.
func (a *Adam[T]) Reset() {
	clear(a.m)
	clear(a.v)
	a.t = 0
}
