package problems

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func mustFamily(t *testing.T, kind string, p Params) Family {
	t.Helper()
	f, err := NewFamily(kind, p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Every family with documented hard bounds obeys them on a fine grid; the
// Lipschitz check uses neighbouring grid points, a lower estimate of the
// true constant, so it can only catch a bound that is too small.
func TestFamiliesObeyTheirBounds(t *testing.T) {
	cases := map[string]Family{
		"subspace 1D":        mustFamily(t, "subspace", Params{BU: 5}),
		"subspace 2D":        mustFamily(t, "subspace", Params{BU: 6, Dim: 2}),
		"subspace KL 1D":     mustFamily(t, "subspace", Params{BU: 4, Basis: "kl", Length: 0.2}),
		"subspace KL 2D":     mustFamily(t, "subspace", Params{BU: 4, Dim: 2, Basis: "kl", Length: 0.3}),
		"manifold(2) 1D":     mustFamily(t, "manifold", Params{Intrinsic: 2}),
		"manifold(5) 1D":     mustFamily(t, "manifold", Params{Intrinsic: 5}),
		"manifold(3) 2D":     mustFamily(t, "manifold", Params{Intrinsic: 3, Dim: 2}),
		"rough":              mustFamily(t, "rough", Params{}),
		"rough(8 pieces)":    mustFamily(t, "rough", Params{Pieces: 8, Slope: 10}),
		"manifold(1) 1D":     mustFamily(t, "manifold", Params{Intrinsic: 1}),
		"subspace KL Matérn": mustFamily(t, "subspace", Params{BU: 3, Basis: "kl", Kernel: "matern", Nu: 2.5, Length: 0.2}),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for name, fam := range cases {
		b, ok := fam.(Bounded)
		if !ok {
			t.Errorf("%s: no documented bounds", name)
			continue
		}
		q := 201
		if fam.Dim() == 2 {
			q = 41
		}
		pts := Grid(q, fam.Dim())
		d := fam.Dim()
		h := 1 / float64(q-1)
		var sup, lip float64
		for range 50 {
			u := fam.Sample(rng)
			vals := make([]float64, len(pts)/d)
			for i := range vals {
				vals[i] = u(pts[i*d : (i+1)*d])
				sup = max(sup, math.Abs(vals[i]))
			}
			for i := range vals {
				if d == 1 && i+1 < len(vals) {
					lip = max(lip, math.Abs(vals[i+1]-vals[i])/h)
				}
				if d == 2 && i%q+1 < q && i+q < len(vals) {
					gx, gy := (vals[i+q]-vals[i])/h, (vals[i+1]-vals[i])/h
					lip = max(lip, math.Hypot(gx, gy)/math.Sqrt2) // each difference is ≤ L·h
				}
			}
		}
		t.Logf("%-20s sup %.3g ≤ %.3g, slope %.3g ≤ %.3g", name, sup, b.SupBound(), lip, b.Lipschitz())
		if sup > b.SupBound()*(1+1e-12) || lip > b.Lipschitz()*(1+1e-12) {
			t.Errorf("%s: observed sup %g, slope %g beyond bounds %g, %g", name, sup, lip, b.SupBound(), b.Lipschitz())
		}
		if sup == 0 {
			t.Errorf("%s: every sample is zero", name)
		}
	}
}

// The KL field has unit variance at every point (up to the 10⁻⁴ of variance
// left out); with 1500 samples the sample variance at a point has standard
// error √(2/1500) ≈ 0.037, so ±0.17 is a 4.6σ band.
func TestGRFUnitVariance(t *testing.T) {
	for _, p := range []Params{
		{Length: 0.1},
		{Length: 0.05, Kernel: "matern", Nu: 0.5},
		{Length: 0.2, Dim: 2},
		{Length: 0.2, Dim: 2, Kernel: "matern", Nu: 1.5},
	} {
		f := mustFamily(t, "grf", p)
		rng := rand.New(rand.NewPCG(3, 4))
		pt := []float64{0.37, 0.61}
		var sq float64
		const n = 1500
		for range n {
			v := f.Sample(rng)(pt)
			sq += v * v
		}
		t.Logf("%s: %d modes, variance at %v: %.3f", f.Name(), f.(*GRF).Modes(), pt[:f.Dim()], sq/n)
		if math.Abs(sq/n-1) > 0.17 {
			t.Errorf("%s: variance %.3f, want 1", f.Name(), sq/n)
		}
	}
}

// Shorter length scales need more modes: the effective dimension of the
// family grows as ℓ shrinks.
func TestGRFModesGrowAsLengthShrinks(t *testing.T) {
	prev := 0
	for _, ell := range []float64{0.4, 0.2, 0.1, 0.05} {
		g := mustFamily(t, "grf", Params{Length: ell}).(*GRF)
		t.Logf("ℓ = %.2f: %d modes", ell, g.Modes())
		if g.Modes() <= prev {
			t.Errorf("ℓ = %g: %d modes, not more than %d at twice the length", ell, g.Modes(), prev)
		}
		prev = g.Modes()
	}
}

// KL basis functions are orthonormal in L²: the trapezoid Gram matrix on the
// fine grid is the identity up to the end-point weights, O(h).
func TestSubspaceKLOrthonormal(t *testing.T) {
	s := mustFamily(t, "subspace", Params{BU: 4, Basis: "kl", Length: 0.2}).(*Subspace)
	q := 513
	pts := Grid(q, 1)
	for a := range 4 {
		for b := range 4 {
			ca, cb := make([]float64, 4), make([]float64, 4)
			ca[a], cb[b] = 1, 1
			fa, fb := s.Func(ca), s.Func(cb)
			var g float64
			for i := range q {
				w := 1.0 / float64(q-1)
				if i == 0 || i == q-1 {
					w /= 2
				}
				g += w * fa(pts[i:i+1]) * fb(pts[i:i+1])
			}
			want := 0.0
			if a == b {
				want = 1
			}
			if math.Abs(g-want) > 0.01 {
				t.Errorf("⟨φ%d, φ%d⟩ = %.4f, want %g", a, b, g, want)
			}
		}
	}
}

func TestFamilyBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		kind  string
		p     Params
		field string
	}{
		"unknown":           {"nope", Params{}, "subspace, grf"},
		"b_U = 0":           {"subspace", Params{}, "BU"},
		"b_U < 0":           {"subspace", Params{BU: -2}, "BU"},
		"dim 3":             {"subspace", Params{BU: 2, Dim: 3}, "Dim"},
		"basis":             {"subspace", Params{BU: 2, Basis: "cosine"}, "Basis"},
		"KL b_U too large":  {"subspace", Params{BU: 500, Basis: "kl", Length: 0.5}, "BU"},
		"KL without length": {"subspace", Params{BU: 2, Basis: "kl"}, "Length"},
		"ℓ = 0":             {"grf", Params{}, "Length"},
		"ℓ < 0":             {"grf", Params{Length: -0.1}, "Length"},
		"ℓ NaN":             {"grf", Params{Length: math.NaN()}, "Length"},
		"ℓ tiny":            {"grf", Params{Length: 1e-4}, "Length"},
		"kernel":            {"grf", Params{Length: 0.1, Kernel: "rbf"}, "Kernel"},
		"nu":                {"grf", Params{Length: 0.1, Kernel: "matern", Nu: 2}, "Nu"},
		"modes":             {"grf", Params{Length: 0.1, Modes: -1}, "Modes"},
		"manifold d = 0":    {"manifold", Params{}, "Intrinsic"},
		"rough pieces":      {"rough", Params{Pieces: -1}, "Pieces"},
		"rough slope":       {"rough", Params{Slope: -1}, "Slope"},
		"rough 2D":          {"rough", Params{Dim: 2}, "Dim"},
	} {
		_, err := NewFamily(tc.kind, tc.p)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: error %q does not name %s", name, err, tc.field)
		}
	}
}

func TestOperatorBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		kind  string
		p     Params
		field string
	}{
		"unknown":             {"heat", Params{}, "poisson2d, advection"},
		"grid":                {"poisson1d", Params{Grid: -4}, "poisson1d"},
		"poisson2d grid":      {"poisson2d", Params{Grid: 1}, "Grid"},
		"velocity":            {"advection", Params{Velocity: -1}, "Velocity"},
		"epsilon":             {"advection", Params{Epsilon: 1}, "Epsilon"},
		"time":                {"advection", Params{T: -1}, "T ="},
		"steps":               {"advection", Params{Steps: -1}, "Steps"},
		"nonlinear velocity":  {"advection-velocity", Params{Velocity: -2}, "Velocity"},
		"darcy coefficient":   {"darcy1d", Params{Coefficient: -1}, "Coefficient"},
		"darcy amplitude":     {"darcy1d", Params{Amplitude: math.Inf(1)}, "Amplitude"},
		"pendulum gravity":    {"pendulum", Params{Gravity: -9.81}, "Gravity"},
		"pendulum steps":      {"pendulum", Params{Grid: -1}, "Grid"},
		"advection-vel steps": {"advection-velocity", Params{Grid: 2}, "Grid"},
	} {
		_, err := NewOperator(tc.kind, tc.p)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: error %q does not name %s", name, err, tc.field)
		}
	}
}

// Every registered family and operator pairs up into a dataset whose values
// are finite.
func TestRegistryRoundTrip(t *testing.T) {
	fams := map[int][]Family{
		1: {mustFamily(t, "subspace", Params{BU: 3}), mustFamily(t, "grf", Params{Length: 0.2}),
			mustFamily(t, "manifold", Params{Intrinsic: 2}), mustFamily(t, "rough", Params{}),
			mustPeriodic(t, "subspace", Params{BU: 3}), mustPeriodic(t, "grf", Params{Length: 0.2})},
		2: {mustFamily(t, "subspace", Params{BU: 3, Dim: 2}), mustFamily(t, "grf", Params{Length: 0.2, Dim: 2}),
			mustFamily(t, "manifold", Params{Intrinsic: 3, Dim: 2})},
	}
	for _, kind := range Operators {
		op, err := NewOperator(kind, Params{Grid: 64})
		if err != nil {
			t.Fatal(err)
		}
		for _, fam := range fams[op.InDim()] {
			if needsPeriodic(op) && !isPeriodic(fam) {
				continue // rejected: TestPeriodicSpecs
			}
			spec := Spec{Operator: op, Family: fam, Sensors: 9, Points: 7}
			ds, err := Generate(spec, 4, 1, Train, 0)
			if err != nil {
				t.Fatalf("%s on %s: %v", kind, fam.Name(), err)
			}
			prev := runtime.GOMAXPROCS(1)
			one, _ := Generate(spec, 4, 1, Train, 0)
			runtime.GOMAXPROCS(prev)
			if !slices.Equal(one.U, ds.U) || !slices.Equal(one.V, ds.V) {
				t.Errorf("%s on %s: data depend on the thread count", kind, fam.Name())
			}
			for _, v := range ds.V {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s on %s: non-finite output", kind, fam.Name())
				}
			}
		}
	}
}

// The sine recurrence against math.Sin, for the frequencies it serves.
func TestSinesRecurrence(t *testing.T) {
	dst := make([]float64, maxSineRecurrence+1)
	for _, x := range []float64{0, 1e-9, 0.1234, 0.5, 0.777, 1 - 1e-9, 1} {
		sines(dst, x)
		for k, v := range dst {
			// The recurrence error grows like k·ε·|1/sin πx| near the ends,
			// bounded here by k·k·ε (Chebyshev polynomials of the second kind).
			if d := math.Abs(v - math.Sin(float64(k)*math.Pi*x)); d > float64(k*k+1)*1e-15 {
				t.Errorf("sin(%dπ·%g): %.17g, want %.17g", k, x, v, math.Sin(float64(k)*math.Pi*x))
			}
		}
	}
}

// The product-form sampler of a 2D squared-exponential field agrees with the
// generic sum over its modes, drawing the same ξ in the same order.
func TestGRFSeparableMatchesGeneric(t *testing.T) {
	g := mustFamily(t, "grf", Params{Dim: 2, Length: 0.1}).(*GRF)
	if g.sep == nil {
		t.Fatal("2D squared-exponential field without the product sampler")
	}
	a := g.sep.sample(rand.New(rand.NewPCG(1, 1)), g.nodes)
	rng := rand.New(rand.NewPCG(1, 1))
	size := len(g.modes) / g.k
	b := make([]float64, size)
	for k := range g.k {
		xi := rng.NormFloat64()
		for i, v := range g.modes[k*size : (k+1)*size] {
			b[i] += xi * v
		}
	}
	// Both sum the same ~200 terms of size ≤ 1 in different orders.
	for i := range a {
		if d := math.Abs(a[i] - b[i]); d > 200*1e-16*4 {
			t.Fatalf("node %d: %.17g vs %.17g", i, a[i], b[i])
		}
	}
}
