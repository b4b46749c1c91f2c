package problems

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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

// Bounded is implemented by families whose every function obeys a hard sup
// bound and a hard Lipschitz constant on its domain.
type Bounded interface {
	// SupBound bounds max |u| over the domain.
	SupBound() float64
	// Lipschitz bounds |u(x) − u(x')| / |x − x'| (Euclidean norm).
	Lipschitz() float64
}

// Subspace is the paper's low-dimensional input family:
// u = Σ_{k≤BU} c_k φ_k with c ~ U[−1,1]^BU and φ_k orthonormal in L²([0,1]^D),
// so u lies in a BU-dimensional span.
//
// The zero value of D means 1 and a nil KL means the sine basis: in 1D
// φ_k = √2·sin(kπx), in 2D φ_{kl} = 2·sin(kπx)·sin(lπy) taken in order of
// k² + l² (then k). With KL set, φ_k are the first BU Karhunen–Loève modes of
// that Gaussian field, normalised in L² and interpolated like it.
//
// Bounds (SupBound, Lipschitz): with the sine basis in 1D the functions are
// bounded by √2·BU and Lipschitz with constant √2·π·BU(BU+1)/2; in 2D by 2·BU
// and 2π·Σ√(k²+l²) over the chosen (k, l). With KL modes, Σ_k max|φ_k| and
// Σ_k (largest slope of φ_k's interpolant), computed from the modes.
type Subspace struct {
	BU int
	D  int
	KL *GRF

	freq  [][2]int  // sine basis: (k, l) of each function, l = 0 in 1D
	basis []float64 // KL basis: BU grid vectors
	sup   float64
	lip   float64
}

// NewSubspace returns the 1D sine subspace family of dimension bU.
func NewSubspace(bU int) (*Subspace, error) {
	return NewSubspaceOf(bU, 1, nil)
}

// NewSubspaceOf returns the subspace family of dimension bU on [0,1]^dim,
// spanned by sines if kl is nil and by kl's first bU modes otherwise.
func NewSubspaceOf(bU, dim int, kl *GRF) (*Subspace, error) {
	if bU <= 0 {
		return nil, fmt.Errorf("problems: subspace dimension BU = %d: it must be a positive integer (b_U ≥ 1)", bU)
	}
	if err := checkDim("subspace", dim); err != nil {
		return nil, err
	}
	if kl != nil && kl.D != dim {
		return nil, fmt.Errorf("problems: subspace on [0,1]^%d cannot use the modes of a field on [0,1]^%d", dim, kl.D)
	}
	if kl != nil && kl.Modes() < bU {
		return nil, fmt.Errorf("problems: subspace BU = %d exceeds the %d Karhunen–Loève modes of %s: lower BU or the length scale",
			bU, kl.Modes(), kl.Name())
	}
	s := &Subspace{BU: bU, D: dim, KL: kl}
	s.init()
	return s, nil
}

// init computes the basis and bounds; it is idempotent, so a Subspace
// written as a literal works too.
func (s *Subspace) init() {
	if s.freq != nil || s.basis != nil {
		return
	}
	if s.D == 0 {
		s.D = 1
	}
	if s.KL != nil {
		s.initKL()
		return
	}
	if s.D == 1 {
		for k := 1; k <= s.BU; k++ {
			s.freq = append(s.freq, [2]int{k, 0})
			s.sup += math.Sqrt2
			s.lip += math.Sqrt2 * math.Pi * float64(k)
		}
		return
	}
	// Enumerate (k, l) by increasing k² + l²; a square of side BU holds them.
	for k := 1; k <= s.BU; k++ {
		for l := 1; l <= s.BU; l++ {
			s.freq = append(s.freq, [2]int{k, l})
		}
	}
	slices.SortStableFunc(s.freq, func(a, b [2]int) int {
		return cmp.Or(cmp.Compare(a[0]*a[0]+a[1]*a[1], b[0]*b[0]+b[1]*b[1]), cmp.Compare(a[0], b[0]))
	})
	s.freq = s.freq[:s.BU]
	for _, f := range s.freq {
		s.sup += 2
		s.lip += 2 * math.Pi * math.Hypot(float64(f[0]), float64(f[1]))
	}
}

func (s *Subspace) initKL() {
	g := s.KL
	q := g.nodes
	size := len(g.modes) / g.k
	h := 1 / float64(q-1)
	for k := range s.BU {
		m := slices.Clone(g.modes[k*size : (k+1)*size])
		var sq float64
		for _, v := range m {
			sq += v * v
		}
		// The grid vector has unit Euclidean norm before scaling by √μ; the
		// L²-normalised function is that vector over √(h^D).
		scale := 1 / math.Sqrt(sq*math.Pow(h, float64(s.D)))
		var sup, lip float64
		for i := range m {
			m[i] *= scale
			sup = max(sup, math.Abs(m[i]))
		}
		// Slopes of the interpolant: differences along each axis; in 2D the
		// bilinear gradient is bounded by the hypotenuse of the largest ones.
		var gx, gy float64
		for i := range size {
			if s.D == 1 {
				if i+1 < q {
					gx = max(gx, math.Abs(m[i+1]-m[i])/h)
				}
				continue
			}
			r, c := i/q, i%q
			if r+1 < q {
				gx = max(gx, math.Abs(m[i+q]-m[i])/h)
			}
			if c+1 < q {
				gy = max(gy, math.Abs(m[i+1]-m[i])/h)
			}
		}
		lip = math.Hypot(gx, gy)
		s.basis = append(s.basis, m...)
		s.sup += sup
		s.lip += lip
	}
}

func (s *Subspace) Name() string {
	s.init()
	if s.KL != nil {
		return fmt.Sprintf("subspace(b_U=%d,basis=kl:%s)", s.BU, s.KL.Name())
	}
	if s.D == 2 {
		return fmt.Sprintf("subspace(b_U=%d,d=2)", s.BU)
	}
	return fmt.Sprintf("subspace(b_U=%d)", s.BU)
}
func (s *Subspace) Dim() int {
	s.init()
	return s.D
}
func (s *Subspace) NominalDim() int    { return s.BU }
func (s *Subspace) SupBound() float64  { s.init(); return s.sup }
func (s *Subspace) Lipschitz() float64 { s.init(); return s.lip }

func (s *Subspace) Sample(rng *rand.Rand) Func {
	c := make([]float64, s.BU)
	for k := range c {
		c[k] = 2*rng.Float64() - 1
	}
	return s.Func(c)
}

// Func returns the member of the span with coefficients c.
func (s *Subspace) Func(c []float64) Func {
	s.init()
	if s.basis != nil {
		size := len(s.basis) / s.BU
		u := make([]float64, size)
		for k, ck := range c {
			for i, v := range s.basis[k*size : (k+1)*size] {
				u[i] += ck * v
			}
		}
		return gridFunc(u, s.KL.nodes, s.D)
	}
	kmax := 0
	for _, f := range s.freq {
		kmax = max(kmax, f[0], f[1])
	}
	if s.D == 2 && kmax > maxSineRecurrence {
		freq := s.freq
		return func(x []float64) float64 {
			var u float64
			for k, ck := range c {
				f := freq[k]
				u += ck * math.Sin(float64(f[0])*math.Pi*x[0]) * math.Sin(float64(f[1])*math.Pi*x[1])
			}
			return 2 * u
		}
	}
	if s.D == 2 {
		freq := s.freq
		return func(x []float64) float64 {
			var sx, sy [maxSineRecurrence + 1]float64
			sines(sx[:kmax+1], x[0])
			sines(sy[:kmax+1], x[1])
			var u float64
			for k, ck := range c {
				f := freq[k]
				u += ck * sx[f[0]] * sy[f[1]]
			}
			return 2 * u
		}
	}
	if kmax > maxSineRecurrence {
		return func(x []float64) float64 {
			var u float64
			for k, ck := range c {
				u += ck * math.Sin(float64(k+1)*math.Pi*x[0])
			}
			return math.Sqrt2 * u
		}
	}
	return func(x []float64) float64 {
		var sx [maxSineRecurrence + 1]float64
		sines(sx[:kmax+1], x[0])
		var u float64
		for k, ck := range c {
			u += ck * sx[k+1]
		}
		return math.Sqrt2 * u
	}
}

// maxSineRecurrence bounds the frequencies computed by recurrence; the
// error of sin(kθ) from the recurrence grows like k·ε, under 10⁻¹³ here.
const maxSineRecurrence = 64

// sines writes sin(kπx) for k = 0..len(dst)−1 into dst by the Chebyshev
// recurrence sin((k+1)θ) = 2cos θ·sin kθ − sin((k−1)θ): two trigonometric
// calls per point instead of one per frequency.
func sines(dst []float64, x float64) {
	if len(dst) < 2 {
		return
	}
	s, c := math.Sincos(math.Pi * x)
	dst[0], dst[1] = 0, s
	for k := 2; k < len(dst); k++ {
		dst[k] = 2*c*dst[k-1] - dst[k-2]
	}
}
