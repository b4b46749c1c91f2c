package problems

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Bump parameter ranges of the Manifold family. Centres range over the
// middle half of their own slot so that every parameter moves the function.
const (
	bumpWidthLo  = 0.06
	bumpWidthHi  = 0.14
	bumpWidthFix = 0.1
)

// Manifold is a nonlinear d-parameter input family on [0,1]^D: a sum of
// Gaussian bumps exp(−|x − c|²/2w²) whose centres c and widths w are the
// parameters θ ~ U[0,1]^d. The d parameters are dealt to bumps in order,
// D centre coordinates and then a width each; a bump left short keeps the
// width 0.1 and the centre of its slot. With b bumps the first axis is cut
// into b equal slots and bump j's centre ranges over the middle half of slot
// j (other axes: over [0.25, 0.75]); widths range over [0.06, 0.14]. Separate
// slots keep the bumps from swapping places, which would fold the manifold
// onto itself.
//
// The functions fill a d-dimensional manifold, but a moving bump is a
// curve that is spread over many orthogonal directions, so the PCA energy
// spectrum of the family decays slowly although its intrinsic dimension is d.
//
// Bounds: with b bumps, |u| ≤ b and u is Lipschitz with constant
// b/(w_min·√e) where w_min = 0.06 (the largest slope of one bump is 1/(w√e)).
type Manifold struct {
	D        int
	Params   int
	bumps    int
	perBump  int
	minWidth float64
}

// NewManifold returns the d-parameter bump family on [0,1]^dim.
func NewManifold(d, dim int) (*Manifold, error) {
	if d <= 0 {
		return nil, fmt.Errorf("problems: manifold dimension Intrinsic = %d: it must be a positive integer", d)
	}
	if err := checkDim("manifold", dim); err != nil {
		return nil, err
	}
	per := dim + 1
	m := &Manifold{D: dim, Params: d, perBump: per, bumps: (d + per - 1) / per, minWidth: bumpWidthLo}
	if d <= dim {
		m.minWidth = bumpWidthFix // no bump has a free width
	}
	return m, nil
}

func (m *Manifold) Name() string {
	return fmt.Sprintf("manifold(d=%d,dim=%d)", m.Params, m.D)
}
func (m *Manifold) Dim() int           { return m.D }
func (m *Manifold) NominalDim() int    { return m.Params }
func (m *Manifold) SupBound() float64  { return float64(m.bumps) }
func (m *Manifold) Lipschitz() float64 { return float64(m.bumps) / (m.minWidth * math.Sqrt(math.E)) }

func (m *Manifold) Sample(rng *rand.Rand) Func {
	theta := make([]float64, m.Params)
	for i := range theta {
		theta[i] = rng.Float64()
	}
	return m.Func(theta)
}

// Func returns the member of the family with parameters θ ∈ [0,1]^d.
func (m *Manifold) Func(theta []float64) Func {
	// centre (D coordinates) and 1/(2w²) of each bump
	b := make([]float64, m.bumps*m.perBump)
	for j := range m.bumps {
		lo, hi := [2]float64{0.25, 0.25}, [2]float64{0.75, 0.75}
		lo[0] = (float64(j) + 0.25) / float64(m.bumps)
		hi[0] = (float64(j) + 0.75) / float64(m.bumps)
		for a := range m.D {
			b[j*m.perBump+a] = (lo[a] + hi[a]) / 2
		}
		w := bumpWidthFix
		for a := range m.perBump {
			i := j*m.perBump + a
			if i >= len(theta) {
				break
			}
			if a < m.D {
				b[i] = lo[a] + (hi[a]-lo[a])*theta[i]
			} else {
				w = bumpWidthLo + (bumpWidthHi-bumpWidthLo)*theta[i]
			}
		}
		b[j*m.perBump+m.D] = 1 / (2 * w * w)
	}
	return func(x []float64) float64 {
		var u float64
		for j := range m.bumps {
			p := b[j*m.perBump : (j+1)*m.perBump]
			var r2 float64
			for a := range m.D {
				d := x[a] - p[a]
				r2 += d * d
			}
			u += math.Exp(-r2 * p[m.D])
		}
		return u
	}
}

// Rough is a family of random piecewise-linear functions on [0,1], Lipschitz
// and no better: Pieces equal cells, u(0) ~ U[−1,1] and on each cell a slope
// drawn from U[−Slope, Slope]. The functions fill a linear space of dimension
// Pieces+1 (NominalDim), but their kinks make every smooth approximation
// converge at the Lipschitz rate only.
//
// Bounds: |u| ≤ 1 + Slope, Lipschitz constant Slope.
type Rough struct {
	Pieces int
	Slope  float64
}

// NewRough returns the piecewise-linear family.
func NewRough(pieces int, slope float64) (*Rough, error) {
	if pieces <= 0 {
		return nil, fmt.Errorf("problems: rough family Pieces = %d: it must be a positive integer", pieces)
	}
	if !(slope > 0) || math.IsInf(slope, 0) {
		return nil, fmt.Errorf("problems: rough family Slope = %g: it must be positive and finite", slope)
	}
	return &Rough{Pieces: pieces, Slope: slope}, nil
}

func (r *Rough) Name() string {
	return fmt.Sprintf("rough(pieces=%d,slope=%g)", r.Pieces, r.Slope)
}
func (r *Rough) Dim() int           { return 1 }
func (r *Rough) NominalDim() int    { return r.Pieces + 1 }
func (r *Rough) SupBound() float64  { return 1 + r.Slope }
func (r *Rough) Lipschitz() float64 { return r.Slope }

func (r *Rough) Sample(rng *rand.Rand) Func {
	k := r.Pieces
	nodes := make([]float64, k+1)
	nodes[0] = 2*rng.Float64() - 1
	h := 1 / float64(k)
	for i := 1; i <= k; i++ {
		nodes[i] = nodes[i-1] + h*r.Slope*(2*rng.Float64()-1)
	}
	return gridFunc(nodes, k+1, 1)
}
