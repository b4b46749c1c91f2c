package problems

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// klEnergy is the share of the field's variance (the trace of its covariance
// on the fine grid) that the retained Karhunen–Loève modes must hold.
const klEnergy = 1 - 1e-4

// grfCache holds the fields built so far: their modes depend only on the
// key, and decomposing a 2D Matérn covariance takes seconds. A GRF is
// read-only once built, so one value serves every caller.
var grfCache sync.Map

type grfKey struct {
	dim      int
	kernel   string
	nu, ell  float64
	maxModes int
}

// GRF is a centred Gaussian random field on [0,1]^D (D = 1 or 2) of unit
// variance with a squared-exponential kernel exp(−r²/2ℓ²) or a Matérn kernel
// of smoothness ν ∈ {1/2, 3/2, 5/2} and length scale ℓ. It is sampled by
// Karhunen–Loève: the covariance is tabulated on a fine grid, its leading
// eigenpairs (gonum mat.EigenSym) holding 99.99% of the variance are kept,
// u = Σ_k √μ_k ξ_k v_k with ξ ~ N(0,1), and u is interpolated (bi)linearly
// between grid nodes. The squared-exponential kernel is a product over the
// axes, so in 2D its modes are products of 1D modes; the Matérn kernel is
// not, and its 2D covariance is decomposed whole on a coarser grid.
//
// A Gaussian field has no hard sup bound: u(x) ~ N(0,1) at every x, so
// |u(x)| ≤ 4 except with probability 6·10⁻⁵, and the sup over the domain
// grows like √(2 log(1/ℓ^D)). Its Lipschitz constant is likewise random, of
// order 1/ℓ: E|∂u|² = 1/ℓ² for the squared-exponential kernel, 3/ℓ² for
// Matérn-3/2, 5/(3ℓ²) for Matérn-5/2; Matérn-1/2 paths are not Lipschitz, and
// only their grid interpolant is (with constant of order 1/√(ℓh)). The family
// is infinite-dimensional (NominalDim 0); its effective dimension, the number
// of retained modes, grows like ℓ^{−D}.
type GRF struct {
	D      int
	Kernel string
	Nu     float64
	Length float64

	sep   *separable // product-form sampler of a 2D squared-exponential field
	nodes int        // fine-grid nodes per axis
	modes []float64  // √μ_k·v_k, one grid vector of nodes^D values per mode
	k     int        // number of modes
}

// NewGRF returns the field on [0,1]^dim with the named kernel ("se" or
// "matern"), Matérn smoothness nu (ignored for "se") and length scale ell.
// maxModes > 0 caps the number of Karhunen–Loève modes.
func NewGRF(dim int, kernel string, nu, ell float64, maxModes int) (*GRF, error) {
	if err := checkDim("grf", dim); err != nil {
		return nil, err
	}
	if !(ell > 0) || math.IsInf(ell, 0) {
		return nil, fmt.Errorf("problems: grf length scale Length = %g: it must be positive and finite (e.g. 0.1)", ell)
	}
	if maxModes < 0 {
		return nil, fmt.Errorf("problems: grf Modes = %d: it must be ≥ 0 (0 keeps 99.99%% of the variance)", maxModes)
	}
	g := &GRF{D: dim, Kernel: kernel, Nu: nu, Length: ell}
	switch kernel {
	case "se":
		g.Nu = 0
		nu = 0
	case "matern":
		if nu != 0.5 && nu != 1.5 && nu != 2.5 {
			return nil, fmt.Errorf("problems: grf Matérn smoothness Nu = %g: use 0.5, 1.5 or 2.5", nu)
		}
	default:
		return nil, fmt.Errorf("problems: grf Kernel %q: use \"se\" or \"matern\"", kernel)
	}
	switch {
	case dim == 1:
		g.nodes = 513
	case kernel == "se":
		g.nodes = 65
	default:
		g.nodes = 33
	}
	if h := 1 / float64(g.nodes-1); ell < 2*h {
		return nil, fmt.Errorf("problems: grf length scale Length = %g is below twice the fine grid's spacing %g: use ℓ ≥ %g", ell, h, 2*h)
	}
	key := grfKey{dim, kernel, nu, ell, maxModes}
	if c, ok := grfCache.Load(key); ok {
		return c.(*GRF), nil
	}
	defer func() { grfCache.Store(key, g) }()
	switch {
	case dim == 1:
		vals, vecs := klModes1D(g.nodes, g.kernel)
		g.keep(vals, func(k int) []float64 { return vecs[k] }, maxModes)
	case kernel == "se":
		// Product modes: eigenpairs (μ_a μ_b, v_a ⊗ v_b) of the 2D covariance.
		vals, vecs := klModes1D(g.nodes, g.kernel)
		type pair struct {
			a, b int
			mu   float64
		}
		var pairs []pair
		for a := range vals {
			for b := range vals {
				pairs = append(pairs, pair{a, b, vals[a] * vals[b]})
			}
		}
		sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].mu > pairs[j].mu })
		mu := make([]float64, len(pairs))
		for i, p := range pairs {
			mu[i] = p.mu
		}
		q := g.nodes
		g.keep(mu, func(k int) []float64 {
			va, vb := vecs[pairs[k].a], vecs[pairs[k].b]
			v := make([]float64, q*q)
			for i := range q {
				for j := range q {
					v[i*q+j] = va[i] * vb[j]
				}
			}
			return v
		}, maxModes)
		// Sampling by the product structure: u = V·C·Vᵀ with C holding
		// √μ_ab·ξ_ab at (a, b), O(q²·k₁) instead of O(q²·modes).
		sp := &separable{}
		for _, p := range pairs[:g.k] {
			sp.k1 = max(sp.k1, p.a+1, p.b+1)
			sp.pa = append(sp.pa, p.a)
			sp.pb = append(sp.pb, p.b)
			sp.smu = append(sp.smu, math.Sqrt(p.mu))
		}
		for a := range sp.k1 {
			sp.v = append(sp.v, vecs[a]...)
		}
		g.sep = sp
	default:
		pts := Grid(g.nodes, 2)
		vals, vecs := eigenDescending(len(pts)/2, func(i, j int) float64 {
			dx, dy := pts[2*i]-pts[2*j], pts[2*i+1]-pts[2*j+1]
			return g.kernel(math.Hypot(dx, dy))
		})
		g.keep(vals, func(k int) []float64 { return vecs[k] }, maxModes)
	}
	return g, nil
}

// kernel is the covariance at distance r.
func (g *GRF) kernel(r float64) float64 {
	s := r / g.Length
	switch {
	case g.Kernel == "se":
		return math.Exp(-s * s / 2)
	case g.Nu == 0.5:
		return math.Exp(-s)
	case g.Nu == 1.5:
		t := math.Sqrt(3) * s
		return (1 + t) * math.Exp(-t)
	default:
		t := math.Sqrt(5) * s
		return (1 + t + t*t/3) * math.Exp(-t)
	}
}

// keep retains the leading modes whose eigenvalues (descending, vals) hold
// klEnergy of the trace, at most maxModes of them if that is positive.
func (g *GRF) keep(vals []float64, vec func(k int) []float64, maxModes int) {
	var trace float64
	for _, v := range vals {
		trace += max(v, 0)
	}
	var sum float64
	for k, v := range vals {
		if maxModes > 0 && k == maxModes || sum >= klEnergy*trace || v <= 0 {
			break
		}
		sum += v
		s := math.Sqrt(v)
		m := slices.Clone(vec(k))
		for i := range m {
			m[i] *= s
		}
		g.modes = append(g.modes, m...)
		g.k++
	}
}

// Modes returns the number of retained Karhunen–Loève modes.
func (g *GRF) Modes() int { return g.k }

func (g *GRF) Name() string {
	kern := "se"
	if g.Kernel == "matern" {
		kern = fmt.Sprintf("matern(nu=%g)", g.Nu)
	}
	return fmt.Sprintf("grf(d=%d,kernel=%s,l=%g,modes=%d)", g.D, kern, g.Length, g.k)
}
func (g *GRF) Dim() int        { return g.D }
func (g *GRF) NominalDim() int { return 0 }

// separable holds the 1D modes v (k1×q) and the kept pairs (a, b) with
// their √μ_ab of a product-form Karhunen–Loève expansion.
type separable struct {
	k1     int
	v      []float64
	pa, pb []int
	smu    []float64
}

func (g *GRF) Sample(rng *rand.Rand) Func {
	if g.sep != nil {
		return gridFunc(g.sep.sample(rng, g.nodes), g.nodes, 2)
	}
	size := len(g.modes) / g.k
	u := make([]float64, size)
	for k := range g.k {
		xi := rng.NormFloat64()
		m := g.modes[k*size : (k+1)*size]
		for i, v := range m {
			u[i] += xi * v
		}
	}
	return gridFunc(u, g.nodes, g.D)
}

// sample draws the field on the q×q grid: u[i][j] = Σ_ab v_a[i]·C_ab·v_b[j].
// ξ are drawn in the order of the kept modes, as the generic sampler does.
func (sp *separable) sample(rng *rand.Rand, q int) []float64 {
	k1 := sp.k1
	c := make([]float64, k1*k1)
	for p, s := range sp.smu {
		c[sp.pa[p]*k1+sp.pb[p]] = s * rng.NormFloat64()
	}
	t := make([]float64, k1*q) // T = C·V
	for a := range k1 {
		ta := t[a*q : (a+1)*q]
		for b, cab := range c[a*k1 : (a+1)*k1] {
			if cab == 0 {
				continue
			}
			for j, v := range sp.v[b*q : (b+1)*q] {
				ta[j] += cab * v
			}
		}
	}
	u := make([]float64, q*q) // U = Vᵀ·T
	for a := range k1 {
		ta := t[a*q : (a+1)*q]
		va := sp.v[a*q : (a+1)*q]
		for i, vai := range va {
			ui := u[i*q : (i+1)*q]
			for j, tj := range ta {
				ui[j] += vai * tj
			}
		}
	}
	return u
}

// gridFunc returns the (bi)linear interpolant of nodal values u on the
// equispaced grid of q nodes per axis of [0,1]^d.
func gridFunc(u []float64, q, d int) Func {
	if d == 1 {
		return func(x []float64) float64 { return lerp(u, x[0]) }
	}
	return func(x []float64) float64 {
		i, s := cell(x[0], q)
		j, t := cell(x[1], q)
		r0 := u[i*q+j]*(1-t) + u[i*q+j+1]*t
		r1 := u[(i+1)*q+j]*(1-t) + u[(i+1)*q+j+1]*t
		return (1-s)*r0 + s*r1
	}
}

// lerp is the piecewise-linear interpolant at x of the values u on the
// equispaced grid of len(u) nodes of [0,1], the one 1D interpolation of the
// package (gridded fields and solver outputs alike). gonum's
// interp.PiecewiseLinear would search for the cell (O(log n)) where the grid
// gives it at once, and forms u_i + slope·(x − x_i), which rounds otherwise
// and would change every dataset's bits.
func lerp(u []float64, x float64) float64 {
	i, t := cell(x, len(u))
	return (1-t)*u[i] + t*u[i+1]
}

// cell locates x ∈ [0,1] on a grid of q nodes: the left node of its cell and
// the position within it. Points outside [0,1] are clamped.
func cell(x float64, q int) (int, float64) {
	s := min(max(x, 0), 1) * float64(q-1)
	i := min(int(s), q-2)
	return i, s - float64(i)
}

// klModes1D returns the eigenpairs of the covariance matrix K(x_i, x_j) on
// q equispaced nodes of [0,1], eigenvalues descending.
func klModes1D(q int, kernel func(r float64) float64) ([]float64, [][]float64) {
	h := 1 / float64(q-1)
	return eigenDescending(q, func(i, j int) float64 {
		return kernel(math.Abs(float64(i-j)) * h)
	})
}

// eigenDescending decomposes the n×n symmetric matrix with entries a(i, j)
// and returns its eigenvalues in descending order with unit eigenvectors.
// The sign of each eigenvector is fixed (largest entry positive) so that the
// modes, and the functions sampled from them, do not depend on LAPACK's
// arbitrary choice.
func eigenDescending(n int, a func(i, j int) float64) ([]float64, [][]float64) {
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, a(i, j))
		}
	}
	var e mat.EigenSym
	if !e.Factorize(s, true) {
		panic("problems: covariance eigendecomposition failed")
	}
	vals := e.Values(nil)
	var q mat.Dense
	e.VectorsTo(&q)
	outV := make([]float64, n)
	outX := make([][]float64, n)
	for k := range n {
		src := n - 1 - k
		outV[k] = vals[src]
		v := mat.Col(nil, src, &q)
		big := 0
		for i := range v {
			if math.Abs(v[i]) > math.Abs(v[big])+1e-12 {
				big = i
			}
		}
		if v[big] < 0 {
			for i := range v {
				v[i] = -v[i]
			}
		}
		outX[k] = v
	}
	return outV, outX
}

// checkDim rejects domain dimensions other than 1 and 2.
func checkDim(family string, dim int) error {
	if dim != 1 && dim != 2 {
		return fmt.Errorf("problems: %s domain dimension Dim = %d: use 1 or 2", family, dim)
	}
	return nil
}
