package problems

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Periodic inputs. The advection operators read their input on the periodic
// unit interval, u(x mod 1). An input with u(0) ≠ u(1) has a jump there: the
// linear map transports the jump into its output, and the velocity map's
// fixed-step RK4 and velocity table step across a jump in the velocity,
// which caps them at first order. A kink at the wrap (u(0) = u(1) but
// u'(0) ≠ u'(1), as for sin kπx with k odd) caps them at second order. So
// such operators declare that they need periodic inputs, and NewSpec builds
// the periodic form of the family asked for.

// PeriodicOperator is implemented by operators that read their inputs on the
// periodic unit interval.
type PeriodicOperator interface {
	// PeriodicInputs reports whether the inputs must be 1-periodic, with
	// no jump or kink at the wrap, for the solver to reach its stated order.
	PeriodicInputs() bool
}

// PeriodicFamily is implemented by families whose functions, extended
// 1-periodically, are as smooth across the wrap as inside (0,1): C^∞ for
// the field, the sines and the bumps; Lipschitz with kinks for rough.
type PeriodicFamily interface {
	Periodic() bool
}

// needsPeriodic reports whether op asks for periodic inputs.
func needsPeriodic(op Operator) bool {
	p, ok := op.(PeriodicOperator)
	return ok && p.PeriodicInputs()
}

// isPeriodic reports whether fam's functions are 1-periodic.
func isPeriodic(fam Family) bool {
	p, ok := fam.(PeriodicFamily)
	return ok && p.Periodic()
}

// PeriodicFamilies lists the families that have a periodic form.
var PeriodicFamilies = []string{"grf", "subspace (sine basis)", "manifold", "rough"}

// NewPeriodicFamily returns the periodic form of the input family called
// kind, for operators on the periodic unit interval: a Gaussian field on the
// circle (PeriodicGRF) for "grf", the sines sin 2πkx (PeriodicSines) for
// "subspace" with the sine basis, wrapped bumps (PeriodicManifold) for
// "manifold", slopes that add to zero (PeriodicRough) for "rough". Families
// with no periodic form (the Karhunen–Loève subspace, any 2D family) are
// rejected.
func NewPeriodicFamily(kind string, p Params) (Family, error) {
	dim := orDefault(p.Dim, 1)
	if dim != 1 {
		return nil, fmt.Errorf("problems: periodic %s family Dim = %d: periodic inputs live on the unit interval only (Dim = 1)", kind, dim)
	}
	switch kind {
	case "grf":
		return NewPeriodicGRF(orDefault(p.Kernel, "se"), orDefault(p.Nu, 1.5), p.Length, p.Modes)
	case "manifold":
		return NewPeriodicManifold(p.Intrinsic)
	case "rough":
		return NewPeriodicRough(orDefault(p.Pieces, 32), orDefault(p.Slope, 4.0))
	case "subspace":
		if p.Basis == "" || p.Basis == "sine" {
			return NewPeriodicSines(p.BU)
		}
		return nil, fmt.Errorf("problems: subspace Basis %q has no periodic form: use Basis \"sine\" (the sines sin 2πkx on the circle)", p.Basis)
	}
	// An unknown name is reported; a family with no periodic form would be
	// rejected by Spec.Validate.
	return NewFamily(kind, p)
}

// checkPeriodic rejects a spec whose operator needs periodic inputs and
// whose family does not provide them.
func checkPeriodic(s Spec) error {
	if needsPeriodic(s.Operator) && !isPeriodic(s.Family) {
		return fmt.Errorf("problems: family %s is not periodic, but %s reads its inputs on the periodic unit interval, where a jump or kink at the wrap caps the solver's order: "+
			"build the spec with NewSpec or NewPeriodicFamily, which use a periodic form (%s)",
			s.Family.Name(), s.Operator.Name(), strings.Join(PeriodicFamilies, ", "))
	}
	return nil
}

// maxPeriodicFreq caps the frequencies of a PeriodicGRF, as the 513-node
// grid of the GRF on [0,1] caps its modes: frequencies up to the Nyquist
// limit of 512 equispaced nodes.
const maxPeriodicFreq = 256

// PeriodicGRF is a centred Gaussian random field on the circle [0,1) of unit
// variance whose covariance is the kernel of GRF (squared exponential or
// Matérn of length ℓ) wrapped around the circle, k_p(r) = Σ_n k(r + n),
// normalised to k_p(0) = 1. A stationary field on the circle has the
// Fourier modes as its Karhunen–Loève basis, with eigenvalues the Fourier
// coefficients of k_p, which are the kernel's spectral density at 2πk
// (Poisson summation): λ_k ∝ ℓ√(2π)·exp(−2π²k²ℓ²) for the squared
// exponential, λ_k ∝ (2ν/ℓ² + 4π²k²)^{−(ν+½)} for Matérn-ν. So
//
//	u(x) = σ₀ξ₀ + Σ_{k=1..K} √2·σ_k·(ξ_k cos 2πkx + η_k sin 2πkx),
//
// σ_k² = λ_k/Σ_{j∈ℤ}λ_j, ξ, η ~ N(0,1), with K the least frequency whose
// modes hold 99.99% of the variance, at most 256 (the Nyquist limit of the
// GRF's 513-node grid). A sample is a trigonometric polynomial evaluated
// exactly, hence smooth and exactly periodic: u(0) = u(1) bit for bit.
//
// Its pointwise law and length scale are those of GRF (for ℓ well below 1);
// its Lipschitz constant is random, of order 1/ℓ, as for GRF.
type PeriodicGRF struct {
	Kernel string
	Nu     float64
	Length float64

	sigma []float64 // √2·σ_k for k ≥ 1, σ₀ at 0
}

// NewPeriodicGRF returns the field on the circle with the named kernel ("se"
// or "matern"), Matérn smoothness nu (ignored for "se") and length scale ell.
// maxModes > 0 caps the number of real modes 1 + 2K (the frequencies are
// kept whole, so K = ⌊(maxModes−1)/2⌋).
func NewPeriodicGRF(kernel string, nu, ell float64, maxModes int) (*PeriodicGRF, error) {
	if !(ell > 0) || math.IsInf(ell, 0) {
		return nil, fmt.Errorf("problems: grf length scale Length = %g: it must be positive and finite (e.g. 0.1)", ell)
	}
	if minL := 2.0 / (2 * maxPeriodicFreq); ell < minL {
		return nil, fmt.Errorf("problems: periodic grf length scale Length = %g is below twice the spacing of the %d-node grid its frequencies resolve: use ℓ ≥ %g",
			ell, 2*maxPeriodicFreq, minL)
	}
	if maxModes < 0 {
		return nil, fmt.Errorf("problems: grf Modes = %d: it must be ≥ 0 (0 keeps 99.99%% of the variance)", maxModes)
	}
	g := &PeriodicGRF{Kernel: kernel, Length: ell}
	var spec func(w float64) float64 // spectral density at angular frequency w
	switch kernel {
	case "se":
		spec = func(w float64) float64 { return ell * math.Sqrt(2*math.Pi) * math.Exp(-ell*ell*w*w/2) }
	case "matern":
		if nu != 0.5 && nu != 1.5 && nu != 2.5 {
			return nil, fmt.Errorf("problems: grf Matérn smoothness Nu = %g: use 0.5, 1.5 or 2.5", nu)
		}
		g.Nu = nu
		c := 2 * math.Sqrt(math.Pi) * math.Gamma(nu+0.5) / math.Gamma(nu) * math.Pow(2*nu/(ell*ell), nu)
		spec = func(w float64) float64 { return c * math.Pow(2*nu/(ell*ell)+w*w, -(nu+0.5)) }
	default:
		return nil, fmt.Errorf("problems: grf Kernel %q: use \"se\" or \"matern\"", kernel)
	}
	total := g.wrappedVariance()
	kmax := maxPeriodicFreq
	if maxModes > 0 {
		kmax = min(kmax, (maxModes-1)/2)
	}
	var sum float64
	for k := 0; k <= kmax; k++ {
		v := spec(2 * math.Pi * float64(k))
		if k > 0 {
			v *= 2 // cos and sin
		}
		g.sigma = append(g.sigma, math.Sqrt(v/total))
		if sum += v; sum >= klEnergy*total {
			break
		}
	}
	return g, nil
}

// wrappedVariance is k_p(0) = Σ_n k(n) of the unnormalised wrapped kernel.
func (g *PeriodicGRF) wrappedVariance() float64 {
	k := (&GRF{Kernel: g.Kernel, Nu: g.Nu, Length: g.Length}).kernel
	sum := 1.0
	for n := 1; n < 1<<20; n++ {
		t := 2 * k(float64(n))
		sum += t
		if t < 1e-17*sum {
			break
		}
	}
	return sum
}

// Modes returns the number of real modes, 1 + 2K.
func (g *PeriodicGRF) Modes() int { return 2*len(g.sigma) - 1 }

func (g *PeriodicGRF) Name() string {
	kern := "se"
	if g.Kernel == "matern" {
		kern = fmt.Sprintf("matern(nu=%g)", g.Nu)
	}
	return fmt.Sprintf("grf(d=1,kernel=%s,l=%g,modes=%d,periodic)", kern, g.Length, g.Modes())
}
func (g *PeriodicGRF) Dim() int        { return 1 }
func (g *PeriodicGRF) NominalDim() int { return 0 }
func (g *PeriodicGRF) Periodic() bool  { return true }

func (g *PeriodicGRF) Sample(rng *rand.Rand) Func {
	// c[2k], c[2k+1]: coefficients of cos 2πkx and sin 2πkx.
	c := make([]float64, 2*len(g.sigma))
	c[0] = g.sigma[0] * rng.NormFloat64()
	for k := 1; k < len(g.sigma); k++ {
		c[2*k] = g.sigma[k] * rng.NormFloat64()
		c[2*k+1] = g.sigma[k] * rng.NormFloat64()
	}
	return func(x []float64) float64 { return trigSum(c, x[0]) }
}

// trigSum evaluates Σ_k c[2k]·cos 2πkx + c[2k+1]·sin 2πkx by rotating
// (cos 2πkx, sin 2πkx) one frequency at a time: one sincos per point, and a
// rounding error growing like k·ε, under 3·10⁻¹³ for k ≤ 256. x is reduced to
// [0,1) first, so that the sum is periodic bit for bit.
func trigSum(c []float64, x float64) float64 {
	s1, c1 := math.Sincos(2 * math.Pi * wrap(x))
	ck, sk := 1.0, 0.0
	var u float64
	for k := 0; 2*k < len(c); k++ {
		u += c[2*k]*ck + c[2*k+1]*sk
		ck, sk = ck*c1-sk*s1, sk*c1+ck*s1
	}
	return u
}

// PeriodicSines is the periodic form of the sine subspace:
// u = Σ_{k≤BU} c_k·√2·sin 2πkx, c ~ U[−1,1]^BU, orthonormal in L²([0,1])
// and smooth on the circle. (The sine basis √2·sin kπx of Subspace has
// u(0) = u(1) = 0, but for odd k its slope differs at the two ends, a kink
// at the wrap.) The coefficients are drawn as Subspace draws them, so the
// same seed gives the same c.
//
// Bounds: |u| ≤ √2·BU, Lipschitz constant √2·π·BU(BU+1).
type PeriodicSines struct {
	BU int
}

// NewPeriodicSines returns the periodic sine family of dimension bU.
func NewPeriodicSines(bU int) (*PeriodicSines, error) {
	if bU <= 0 {
		return nil, fmt.Errorf("problems: subspace dimension BU = %d: it must be a positive integer (b_U ≥ 1)", bU)
	}
	return &PeriodicSines{BU: bU}, nil
}

func (s *PeriodicSines) Name() string       { return fmt.Sprintf("subspace(b_U=%d,basis=sin2pikx)", s.BU) }
func (s *PeriodicSines) Dim() int           { return 1 }
func (s *PeriodicSines) NominalDim() int    { return s.BU }
func (s *PeriodicSines) Periodic() bool     { return true }
func (s *PeriodicSines) SupBound() float64  { return math.Sqrt2 * float64(s.BU) }
func (s *PeriodicSines) Lipschitz() float64 { return math.Sqrt2 * math.Pi * float64(s.BU*(s.BU+1)) }

func (s *PeriodicSines) Sample(rng *rand.Rand) Func {
	c := make([]float64, s.BU)
	for k := range c {
		c[k] = 2*rng.Float64() - 1
	}
	return s.Func(c)
}

// Func returns the member of the span with coefficients c.
func (s *PeriodicSines) Func(c []float64) Func {
	tc := make([]float64, 2*(len(c)+1))
	for k, ck := range c {
		tc[2*(k+1)+1] = math.Sqrt2 * ck
	}
	return func(x []float64) float64 { return trigSum(tc, x[0]) }
}

// PeriodicManifold is the periodic form of the 1D Manifold family: each
// Gaussian bump is wrapped around the circle, summed over its images
// x + n, |n| ≤ 2. The images left out lie at distance ≥ 2 from [0,1), where
// a bump of width ≤ 0.14 is below e^{−100}: the sum is the exactly periodic,
// smooth function to rounding. The parameters, their law and the intrinsic
// dimension are those of Manifold.
//
// Bounds: a bump's images add at most 2·e^{−1/(2·0.14²)} < 10⁻¹⁰ to it and
// to its slope, so |u| ≤ b·(1 + 10⁻¹⁰) and the Lipschitz constant is
// Manifold's times 1 + 10⁻¹⁰.
type PeriodicManifold struct {
	M *Manifold
}

// NewPeriodicManifold returns the d-parameter bump family on the circle.
func NewPeriodicManifold(d int) (*PeriodicManifold, error) {
	m, err := NewManifold(d, 1)
	if err != nil {
		return nil, err
	}
	return &PeriodicManifold{M: m}, nil
}

// imageSlack bounds the relative contribution of a bump's nearest images.
const imageSlack = 1e-10

func (p *PeriodicManifold) Name() string {
	return fmt.Sprintf("manifold(d=%d,dim=1,periodic)", p.M.Params)
}
func (p *PeriodicManifold) Dim() int           { return 1 }
func (p *PeriodicManifold) NominalDim() int    { return p.M.Params }
func (p *PeriodicManifold) Periodic() bool     { return true }
func (p *PeriodicManifold) SupBound() float64  { return p.M.SupBound() * (1 + imageSlack) }
func (p *PeriodicManifold) Lipschitz() float64 { return p.M.Lipschitz() * (1 + imageSlack) }

func (p *PeriodicManifold) Sample(rng *rand.Rand) Func {
	theta := make([]float64, p.M.Params)
	for i := range theta {
		theta[i] = rng.Float64()
	}
	return p.Func(theta)
}

// Func returns the member of the family with parameters θ ∈ [0,1]^d. The
// bumps of Manifold.Func are defined on the whole line, so the images are
// that function at the shifted points.
func (p *PeriodicManifold) Func(theta []float64) Func {
	u := p.M.Func(theta)
	return func(x []float64) float64 {
		x0 := wrap(x[0])
		s := []float64{0}
		var v float64
		for n := -2; n <= 2; n++ {
			s[0] = x0 + float64(n)
			v += u(s)
		}
		return v
	}
}

// PeriodicRough is the periodic form of the Rough family: a random
// piecewise-linear function on the circle, Pieces equal cells, u(0) ~ U[−1,1]
// and on cell i the slope s_i − s̄, where s_i ~ U[−Slope, Slope] are drawn as
// Rough draws them and s̄ is their mean, so that the slopes add to zero and
// u(1) = u(0). Its kinks, the wrap now one of them, keep it Lipschitz and no
// better.
//
// Bounds: |s_i − s̄| ≤ 2·Slope·(1 − 1/Pieces) = L, the Lipschitz constant;
// every point is within half a period of 0 along the circle, so
// |u| ≤ 1 + L/2.
type PeriodicRough struct {
	R *Rough
}

// NewPeriodicRough returns the piecewise-linear family on the circle.
func NewPeriodicRough(pieces int, slope float64) (*PeriodicRough, error) {
	r, err := NewRough(pieces, slope)
	if err != nil {
		return nil, err
	}
	return &PeriodicRough{R: r}, nil
}

func (p *PeriodicRough) Name() string {
	return fmt.Sprintf("rough(pieces=%d,slope=%g,periodic)", p.R.Pieces, p.R.Slope)
}
func (p *PeriodicRough) Dim() int          { return 1 }
func (p *PeriodicRough) NominalDim() int   { return p.R.Pieces } // the closing condition removes one
func (p *PeriodicRough) Periodic() bool    { return true }
func (p *PeriodicRough) SupBound() float64 { return 1 + p.Lipschitz()/2 }
func (p *PeriodicRough) Lipschitz() float64 {
	return 2 * p.R.Slope * (1 - 1/float64(p.R.Pieces))
}

func (p *PeriodicRough) Sample(rng *rand.Rand) Func {
	k := p.R.Pieces
	u0 := 2*rng.Float64() - 1
	slopes := make([]float64, k)
	var mean float64
	for i := range slopes {
		slopes[i] = p.R.Slope * (2*rng.Float64() - 1)
		mean += slopes[i]
	}
	mean /= float64(k)
	nodes := make([]float64, k+1)
	nodes[0] = u0
	h := 1 / float64(k)
	for i, s := range slopes[:k-1] {
		nodes[i+1] = nodes[i] + h*(s-mean)
	}
	nodes[k] = u0 // closes the loop exactly; the last slope is s_{k−1} − s̄ up to rounding
	f := gridFunc(nodes, k+1, 1)
	return func(x []float64) float64 { return f([]float64{wrap(x[0])}) }
}
