package bounds

import (
	"fmt"
	"math"
)

// Envelope is the smallest multiple of a rate that lies on or above every
// measured error.
type Envelope struct {
	// C is the smallest constant with e_i ≤ C·Rate(x_i) for every i.
	C float64
	// At is the size x_i where e_i = C·Rate(x_i), and Index its position.
	// When it is the largest size, the errors fall more slowly than the
	// rate over the sizes measured; when it is the smallest, faster.
	At    float64
	Index int
	// Ratios are e_i/Rate(x_i), the measured errors in units of the rate:
	// flat when the errors follow the rate's shape.
	Ratios []float64
}

// Envelope returns the smallest C with e[i] ≤ C·Rate(x[i]) for all i, and
// where it is attained. Unlike a fitted exponent it needs no unknown
// constant: a bound that holds must hold with one C for every size. It fails
// if the slices differ in length or are empty, if an error is negative or
// not finite, or if a size is outside the rate's domain, naming the index.
func (t Theorem) Envelope(d Dims, x, e []float64) (Envelope, error) {
	if len(x) != len(e) {
		return Envelope{}, fmt.Errorf("bounds: %s: envelope: %d sizes but %d errors", t.ID, len(x), len(e))
	}
	if len(x) == 0 {
		return Envelope{}, fmt.Errorf("bounds: %s: envelope: no measurements", t.ID)
	}
	env := Envelope{C: math.Inf(-1), Index: -1, Ratios: make([]float64, len(x))}
	for i := range x {
		if !(e[i] >= 0) || math.IsInf(e[i], 1) {
			return Envelope{}, fmt.Errorf("bounds: %s: envelope: error e[%d] = %g: it must be finite and non-negative", t.ID, i, e[i])
		}
		r, err := t.Rate(d, x[i])
		if err != nil {
			return Envelope{}, fmt.Errorf("envelope: x[%d]: %w", i, err)
		}
		env.Ratios[i] = e[i] / r
		if env.Ratios[i] > env.C {
			env.C, env.At, env.Index = env.Ratios[i], x[i], i
		}
	}
	return env, nil
}
