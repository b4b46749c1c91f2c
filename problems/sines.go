package problems

import (
	"math"
	"math/rand/v2"
)

// lipschitzSines is g(z) = Σ_{l<L} 2^{−l}·|sin(2^l·π·⟨a_l, z⟩ + b_l)| with unit
// vectors a_l ∈ R^k and phases b_l ∈ [0, π): each term has slope π and kinks
// 2^{−l} apart, so g is Lipschitz with constant L·π, bounded by 2, and no
// smoother at any scale above 2^{−(L−1)}. The tightness probe (on sine
// coefficients and y) and the "lipschitz" regression target (on the point)
// are both this function.
type lipschitzSines struct {
	k     int
	dirs  []float64 // L×k
	shift []float64 // L
}

// newLipschitzSines draws the terms' directions and phases from rng, term by
// term: direction, then phase.
func newLipschitzSines(rng *rand.Rand, terms, k int) lipschitzSines {
	g := lipschitzSines{k: k, dirs: make([]float64, terms*k), shift: make([]float64, terms)}
	for l := range terms {
		randomUnit(rng, g.dirs[l*k:(l+1)*k])
		g.shift[l] = math.Pi * rng.Float64()
	}
	return g
}

func (g lipschitzSines) eval(z []float64) float64 {
	var f float64
	for l := range g.shift {
		var s float64
		for i, a := range g.dirs[l*g.k : (l+1)*g.k] {
			s += a * z[i]
		}
		sc := math.Ldexp(1, l)
		f += math.Abs(math.Sin(sc*math.Pi*s+g.shift[l])) / sc
	}
	return f
}

// lipschitz is the constant L·π.
func (g lipschitzSines) lipschitz() float64 { return float64(len(g.shift)) * math.Pi }
