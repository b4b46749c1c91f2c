package problems

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Regression domains and targets NewRegression knows.
var (
	RegressionDomains = []string{"cube", "sphere", "torus"}
	RegressionTargets = []string{"lipschitz", "smooth"}
)

// Regression is a function-regression problem for the deep-ReLU theorems:
// a target f on a d-dimensional domain, seen through points x ∈ R^Ambient.
//
//   - "cube": z ~ U[0,1]^d and x = z (Ambient = d).
//   - "sphere": z uniform on the unit sphere S^d ⊂ R^{d+1} and x = Q·z.
//   - "torus": angles φ ~ U[0,2π)^d, z = (cos φ₁, sin φ₁, …, cos φ_d, sin φ_d)/√d
//     (a flat torus on the unit sphere of R^{2d}) and x = Q·z.
//
// Q is a random Ambient×k matrix with orthonormal columns (QR of a Gaussian
// matrix), an isometry, so distances on the embedded manifold are those of
// z. The target is a function of z = Qᵀx:
//
//   - "lipschitz": g(z) = Σ_{j<J} 2^{−j}·|sin(2^j·π·⟨a_j, z⟩ + b_j)| with unit a_j
//     and b_j ~ U[0,π): each term has slope π and kinks 2^{−j} apart, so g is
//     Lipschitz with constant ≤ J·π, bounded by 2, and no smoother at any
//     scale above 2^{−J}.
//   - "smooth": g(z) = (1/K)·Σ_k sin(⟨w_k, z⟩ + c_k) with w_k ~ N(0, 36·I), K = 8:
//     analytic, bounded by 1. Frequencies of about 6 per unit length give a
//     term one period or so across the cube: with much lower ones a network
//     of width 8 already fits the target to its training floor, and a
//     model-size sweep sees no decay.
//
// The embedding and the target are drawn from the problem's seed and are part
// of its definition; sample points come from their own streams.
type Regression struct {
	Domain  string
	D       int
	Ambient int
	Target  string
	Seed    uint64

	k     int            // dimension of z
	q     []float64      // Ambient×k, orthonormal columns (nil for the cube)
	lip   lipschitzSines // the "lipschitz" target
	dirs  []float64      // the "smooth" target's K vectors of length k
	shift []float64
}

// regressionTerms is J for the Lipschitz target and K for the smooth one.
const regressionTerms = 8

// NewRegression returns the problem on the named domain of intrinsic
// dimension d embedded in R^ambient (ambient is ignored for the cube).
func NewRegression(domain string, d, ambient int, target string, seed uint64) (*Regression, error) {
	if d <= 0 {
		return nil, fmt.Errorf("problems: regression dimension d = %d: it must be a positive integer", d)
	}
	r := &Regression{Domain: domain, D: d, Ambient: ambient, Target: target, Seed: seed}
	switch domain {
	case "cube":
		r.k, r.Ambient = d, d
	case "sphere":
		r.k = d + 1
	case "torus":
		r.k = 2 * d
	default:
		return nil, fmt.Errorf("problems: unknown regression domain %q (known: %s)", domain, strings.Join(RegressionDomains, ", "))
	}
	if r.Ambient < r.k {
		return nil, fmt.Errorf("problems: %s of dimension %d needs an ambient dimension ≥ %d, got Ambient = %d", domain, d, r.k, ambient)
	}
	if domain != "cube" {
		rng := rand.New(rand.NewPCG(seed, embeddingStream))
		g := mat.NewDense(r.Ambient, r.k, nil)
		for i := range r.Ambient {
			for j := range r.k {
				g.Set(i, j, rng.NormFloat64())
			}
		}
		var qr mat.QR
		qr.Factorize(g)
		var qf mat.Dense
		qr.QTo(&qf)
		r.q = make([]float64, r.Ambient*r.k)
		for i := range r.Ambient {
			for j := range r.k {
				r.q[i*r.k+j] = qf.At(i, j)
			}
		}
	}
	// The target is drawn apart from the embedding, so that the same
	// target lives on the sphere or torus in every ambient dimension.
	rng := rand.New(rand.NewPCG(seed, regressionStream))
	switch target {
	case "lipschitz":
		r.lip = newLipschitzSines(rng, regressionTerms, r.k)
	case "smooth":
		r.dirs = make([]float64, regressionTerms*r.k)
		r.shift = make([]float64, regressionTerms)
		for j := range regressionTerms {
			for i := range r.k {
				r.dirs[j*r.k+i] = 6 * rng.NormFloat64()
			}
			r.shift[j] = 2 * math.Pi * rng.Float64()
		}
	default:
		return nil, fmt.Errorf("problems: unknown regression target %q (known: %s)", target, strings.Join(RegressionTargets, ", "))
	}
	return r, nil
}

func (r *Regression) Name() string {
	return fmt.Sprintf("regression(%s,d=%d,D=%d,target=%s,seed=%d)", r.Domain, r.D, r.Ambient, r.Target, r.Seed)
}

// NominalDim is the intrinsic dimension d of the domain.
func (r *Regression) NominalDim() int { return r.D }

// SupBound bounds |f|; Lipschitz bounds its slope along the domain.
func (r *Regression) SupBound() float64 {
	if r.Target == "smooth" {
		return 1
	}
	return 2
}

func (r *Regression) Lipschitz() float64 {
	if r.Target == "smooth" {
		var l float64
		for j := range regressionTerms {
			var s float64
			for _, v := range r.dirs[j*r.k : (j+1)*r.k] {
				s += v * v
			}
			l += math.Sqrt(s)
		}
		return l / regressionTerms
	}
	return r.lip.lipschitz()
}

// F evaluates the target at a point x of the embedded domain.
func (r *Regression) F(x []float64) float64 {
	z := x
	if r.q != nil {
		z = make([]float64, r.k)
		for i := range r.Ambient {
			for j := range r.k {
				z[j] += r.q[i*r.k+j] * x[i]
			}
		}
	}
	return r.g(z)
}

func (r *Regression) g(z []float64) float64 {
	if r.Target != "smooth" {
		return r.lip.eval(z)
	}
	var f float64
	for j := range regressionTerms {
		var t float64
		for i, v := range r.dirs[j*r.k : (j+1)*r.k] {
			t += v * z[i]
		}
		f += math.Sin(t+r.shift[j]) / regressionTerms
	}
	return f
}

// RegressionSet holds n points X (n×D, row-major) and targets Y.
type RegressionSet struct {
	N, D int
	X, Y []float64
}

// Sample returns n points of the split with their targets; training targets
// carry Gaussian noise of standard deviation sigma, test sets none. Point i
// depends only on (seed, split, i), so smaller sets are prefixes of larger.
func (r *Regression) Sample(n int, seed uint64, split Split, sigma float64) (*RegressionSet, error) {
	if n <= 0 {
		return nil, fmt.Errorf("problems: n = %d points: it must be positive", n)
	}
	if !(sigma >= 0) {
		return nil, fmt.Errorf("problems: noise sigma = %g: it must be ≥ 0", sigma)
	}
	if split == Test && sigma != 0 {
		return nil, fmt.Errorf("problems: test sets are noiseless, got sigma = %g", sigma)
	}
	set := &RegressionSet{N: n, D: r.Ambient, X: make([]float64, n*r.Ambient), Y: make([]float64, n)}
	z := make([]float64, r.k)
	for i := range n {
		rng := rand.New(rand.NewPCG(seed, functionStream(split, i)))
		r.point(z, rng)
		x := set.X[i*r.Ambient : (i+1)*r.Ambient]
		if r.q == nil {
			copy(x, z)
		} else {
			for a := range r.Ambient {
				var s float64
				for j := range r.k {
					s += r.q[a*r.k+j] * z[j]
				}
				x[a] = s
			}
		}
		set.Y[i] = r.g(z)
		if sigma > 0 {
			noise := rand.New(rand.NewPCG(seed, noisePointStream(split, i)))
			set.Y[i] += sigma * noise.NormFloat64()
		}
	}
	return set, nil
}

// point draws z on the domain.
func (r *Regression) point(z []float64, rng *rand.Rand) {
	switch r.Domain {
	case "cube":
		for i := range z {
			z[i] = rng.Float64()
		}
	case "sphere":
		randomUnit(rng, z)
	case "torus":
		c := 1 / math.Sqrt(float64(r.D))
		for a := range r.D {
			phi := 2 * math.Pi * rng.Float64()
			z[2*a], z[2*a+1] = c*math.Cos(phi), c*math.Sin(phi)
		}
	}
}

// randomUnit fills a with a direction drawn uniformly from the unit sphere:
// a normalised standard Gaussian vector.
func randomUnit(rng *rand.Rand, a []float64) {
	var s float64
	for i := range a {
		a[i] = rng.NormFloat64()
		s += a[i] * a[i]
	}
	s = math.Sqrt(s)
	for i := range a {
		a[i] /= s
	}
}
