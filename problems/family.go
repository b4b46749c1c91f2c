package problems

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Func is one sampled input function; At evaluates it at a point x of its
// domain [0,1]^d, given as a slice of d coordinates.
type Func func(x []float64) float64

// Family is a seeded distribution over input functions.
type Family interface {
	// Name identifies the family and its parameters, as in a results file.
	Name() string
	// Dim is d1, the dimension of the functions' domain.
	Dim() int
	// NominalDim is the dimension of the set the functions fill: b_U for a
	// subspace, d for a manifold, 0 when it is infinite-dimensional.
	NominalDim() int
	// Sample draws one function using rng alone.
	Sample(rng *rand.Rand) Func
}

// Subspace is the paper's low-dimensional input family on [0,1]:
// u = Σ_{k≤BU} c_k·√2·sin(kπx) with c ~ U[−1,1]^BU, so u lies in a BU-dimensional
// span of orthonormal functions.
//
// Its functions are bounded by √2·BU and Lipschitz with constant
// √2·π·BU(BU+1)/2.
type Subspace struct {
	BU int
}

// NewSubspace returns the sine subspace family of dimension bU.
func NewSubspace(bU int) (*Subspace, error) {
	if bU <= 0 {
		return nil, fmt.Errorf("problems: subspace dimension b_U = %d: it must be a positive integer", bU)
	}
	return &Subspace{BU: bU}, nil
}

func (s *Subspace) Name() string    { return fmt.Sprintf("subspace(b_U=%d)", s.BU) }
func (s *Subspace) Dim() int        { return 1 }
func (s *Subspace) NominalDim() int { return s.BU }

func (s *Subspace) Sample(rng *rand.Rand) Func {
	c := make([]float64, s.BU)
	for k := range c {
		c[k] = 2*rng.Float64() - 1
	}
	return s.Func(c)
}

// Func returns the member of the span with coefficients c.
func (s *Subspace) Func(c []float64) Func {
	return func(x []float64) float64 {
		var u float64
		for k, ck := range c {
			u += ck * math.Sin(float64(k+1)*math.Pi*x[0])
		}
		return math.Sqrt2 * u
	}
}
