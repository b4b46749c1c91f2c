package problems

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Tightness is a synthetic operator that is Lipschitz and no better at every
// scale, to test whether the bounds are tight: G(u)(y) = g(z) with
// z = (c₁, …, c_K, y), c_k = ⟨u, √2 sin kπx⟩ the first K sine coefficients
// of u, and
//
//	g(z) = Σ_{j=0..J} 2^{−j}·|sin(2^j·π·⟨a_j, z⟩ + b_j)|
//
// with unit vectors a_j ∈ R^{K+1} and b_j ∈ [0, π) drawn from Seed. Each term
// has slope π and kinks 2^{−j} apart, so g is Lipschitz with constant
// (J+1)·π and not smoother at any scale above 2^{−J}. By Bessel's inequality
// |c(u₁) − c(u₂)| ≤ ‖u₁ − u₂‖_{L²}, so L_G ≤ (J+1)·π; |G| ≤ 2.
//
// The coefficients are computed by the discrete sine transform of u at
// Grid−1 interior nodes, exact for sine inputs of frequency below Grid; for a
// Subspace input of dimension K they are its coordinates.
type Tightness struct {
	K, J, Grid int
	Seed       uint64

	g lipschitzSines // on K+1 coordinates, J+1 terms
}

// NewTightness returns the probe on K sine coefficients with J+1 levels.
func NewTightness(k, j, grid int, seed uint64) (*Tightness, error) {
	if k <= 0 || k > maxSineRecurrence {
		return nil, fmt.Errorf("problems: tightness probe ProbeModes = %d: use 1 … %d", k, maxSineRecurrence)
	}
	if j < 0 || j > 50 {
		return nil, fmt.Errorf("problems: tightness probe Levels = %d: use 0 … 50", j)
	}
	if grid <= k {
		return nil, fmt.Errorf("problems: tightness probe Grid = %d: it must exceed the %d coefficients", grid, k)
	}
	t := &Tightness{K: k, J: j, Grid: grid, Seed: seed}
	t.g = newLipschitzSines(rand.New(rand.NewPCG(seed, probeStream)), j+1, k+1)
	return t, nil
}

func (t *Tightness) Name() string {
	return fmt.Sprintf("tightness(K=%d,J=%d,grid=%d,seed=%d)", t.K, t.J, t.Grid, t.Seed)
}
func (t *Tightness) InDim() int  { return 1 }
func (t *Tightness) OutDim() int { return 1 }

// Lipschitz is the operator's constant L_G from L²(0,1) to L∞.
func (t *Tightness) Lipschitz() float64 { return t.g.lipschitz() }

// Coefficients returns c_k = ⟨u, √2 sin kπx⟩, k = 1..K, by the discrete sine
// sums (√2/M)·Σ_{i<M} u(i/M)·sin(kπi/M), exact for frequencies below M.
func (t *Tightness) Coefficients(u Func) []float64 {
	m := t.Grid
	c := make([]float64, t.K)
	s := make([]float64, t.K+1)
	x := []float64{0}
	for i := 1; i < m; i++ {
		x[0] = float64(i) / float64(m)
		v := u(x)
		sines(s, x[0])
		for k := range c {
			c[k] += v * s[k+1]
		}
	}
	for k := range c {
		c[k] *= math.Sqrt2 / float64(m)
	}
	return c
}

func (t *Tightness) Apply(dst []float64, u Func, y []float64) error {
	if err := checkOut(dst, y); err != nil {
		return err
	}
	z := append(t.Coefficients(u), 0)
	for i, yi := range y {
		z[t.K] = yi
		dst[i] = t.G(z)
	}
	return nil
}

// G evaluates g at z = (c, y).
func (t *Tightness) G(z []float64) float64 { return t.g.eval(z) }
