package problems

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func mustPeriodic(t *testing.T, kind string, p Params) Family {
	t.Helper()
	f, err := NewPeriodicFamily(kind, p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The covariance of the sampled expansion, Σ_k σ_k²·cos 2πkr (σ₀² once,
// the others for cos and sin), against the wrapped kernel Σ_n k(r + n)
// normalised to 1 at r = 0, summed directly. The dropped frequencies hold
// 1 − Σσ² of the variance and bound the difference at every r; the kept
// ones must hold 99.99% unless the frequency cap binds. This checks the
// spectral densities against the kernels they come from.
func TestPeriodicGRFCovariance(t *testing.T) {
	for _, c := range []struct {
		kernel string
		nu     float64
		ell    float64
	}{{"se", 0, 0.1}, {"se", 0, 0.5}, {"se", 0, 0.02}, {"matern", 0.5, 0.3}, {"matern", 1.5, 0.1}, {"matern", 2.5, 0.2}, {"matern", 2.5, 1}} {
		g, err := NewPeriodicGRF(c.kernel, c.nu, c.ell, 0)
		if err != nil {
			t.Fatal(err)
		}
		k := (&GRF{Kernel: c.kernel, Nu: c.nu, Length: c.ell}).kernel
		wrapped := func(r float64) float64 {
			var s float64
			for n := -2000; n <= 2000; n++ {
				s += k(math.Abs(r + float64(n)))
			}
			return s
		}
		norm := wrapped(0)
		kept := 0.0
		for _, s := range g.sigma {
			kept += s * s // for k ≥ 1, s = √2·σ_k: σ_k² for cos plus σ_k² for sin
		}
		capped := len(g.sigma) == maxPeriodicFreq+1
		if kept < klEnergy && !capped {
			t.Errorf("%s: kept modes hold %.6f of the variance", g.Name(), kept)
		}
		if kept > 1+1e-12 {
			t.Errorf("%s: kept modes hold %.15f > 1 of the variance", g.Name(), kept)
		}
		var worst float64
		for _, r := range []float64{0, 0.013, 0.05, 0.1, 0.25, 0.5, 0.77} {
			var cov float64
			for j, s := range g.sigma {
				cov += s * s * math.Cos(2*math.Pi*float64(j)*r)
			}
			worst = max(worst, math.Abs(cov-wrapped(r)/norm))
		}
		t.Logf("%s: variance kept %.6f, covariance off by %.2e", g.Name(), kept, worst)
		if worst > 1-kept+1e-12 {
			t.Errorf("%s: covariance off the wrapped kernel by %.2e, more than the dropped variance %.2e", g.Name(), worst, 1-kept)
		}
	}
}

// Samples are exactly periodic, smooth across the wrap (the one-sided
// difference quotients at 0 and 1 agree), reproducible, and have unit
// pointwise variance up to sampling error.
func TestPeriodicGRFSamples(t *testing.T) {
	g, err := NewPeriodicGRF("matern", 2.5, 0.1, 0)
	if err != nil {
		t.Fatal(err)
	}
	const n = 4000
	var sq float64
	for i := range n {
		u := g.Sample(rand.New(rand.NewPCG(5, uint64(i))))
		v := g.Sample(rand.New(rand.NewPCG(5, uint64(i))))
		if u([]float64{0.3}) != v([]float64{0.3}) {
			t.Fatal("same seed, different function")
		}
		if u([]float64{0}) != u([]float64{1}) {
			t.Fatalf("u(0) = %.17g ≠ u(1) = %.17g", u([]float64{0}), u([]float64{1}))
		}
		const h = 1e-5
		left := (u([]float64{1}) - u([]float64{1 - h})) / h
		right := (u([]float64{h}) - u([]float64{0})) / h
		// Both are u'(0) ± h·max|u''|/2. For Matérn-5/2, E u''² = k''''(0)
		// = 25/ℓ⁴: |u''| ≤ 50/ℓ² is ten standard deviations.
		if math.Abs(left-right) > h*50/(0.1*0.1) {
			t.Fatalf("slope jumps at the wrap: %g vs %g", left, right)
		}
		x := u([]float64{0.37})
		sq += x * x
	}
	// Var of the sample variance of N(0,1): 2/n; allow 4 standard errors.
	if v := sq / n; math.Abs(v-1) > 4*math.Sqrt(2.0/n) {
		t.Errorf("pointwise variance %.4f, want 1", v)
	}
}

// The periodic sines: the formula, the bounds (on a dense grid) and the
// coefficients Subspace draws from the same seed.
func TestPeriodicSines(t *testing.T) {
	s, err := NewPeriodicSines(4)
	if err != nil {
		t.Fatal(err)
	}
	c := []float64{0.3, -1, 0.7, 0.25}
	u := s.Func(c)
	var sup, lip float64
	prev := u([]float64{0})
	const m = 20000
	for i := range m + 1 {
		x := float64(i) / m
		var want float64
		for k, ck := range c {
			want += ck * math.Sqrt2 * math.Sin(2*math.Pi*float64(k+1)*x)
		}
		got := u([]float64{x})
		if math.Abs(got-want) > 1e-13 {
			t.Fatalf("u(%g) = %.17g, want %.17g", x, got, want)
		}
		sup = max(sup, math.Abs(got))
		if i > 0 {
			lip = max(lip, math.Abs(got-prev)*m)
		}
		prev = got
	}
	if sup > s.SupBound() || lip > s.Lipschitz() {
		t.Errorf("sup %g > %g or slope %g > %g", sup, s.SupBound(), lip, s.Lipschitz())
	}
	if u([]float64{0}) != u([]float64{1}) {
		t.Error("not periodic")
	}
	sub, _ := NewSubspace(4)
	a := sub.Sample(rand.New(rand.NewPCG(2, 2)))
	b := s.Sample(rand.New(rand.NewPCG(2, 2)))
	// sin kπx at x = 1/4 and sin 2πkx at x = 1/8 are the same numbers.
	if d := math.Abs(a([]float64{0.25}) - b([]float64{0.125})); d > 1e-14 {
		t.Errorf("coefficients differ from Subspace's: %g", d)
	}
}

// The periodic operators get periodic families from NewSpec, reject the
// families with no periodic form by name, and reject a non-periodic family
// in a spec built by hand; the other operators keep their families.
func TestPeriodicSpecs(t *testing.T) {
	for _, op := range []string{"advection", "advection-velocity"} {
		for fam, want := range map[string]string{"grf": "periodic", "subspace": "sin2pikx"} {
			s, err := NewSpec(op, fam, Params{Length: 0.1, BU: 2}, 16, 16)
			if err != nil {
				t.Fatalf("%s on %s: %v", op, fam, err)
			}
			if !strings.Contains(s.Family.Name(), want) {
				t.Errorf("%s on %s: family %s", op, fam, s.Family.Name())
			}
		}
		for fam, want := range map[string]string{"rough": "periodic", "manifold": "periodic"} {
			s, err := NewSpec(op, fam, Params{Intrinsic: 2}, 16, 16)
			if err != nil || !strings.Contains(s.Family.Name(), want) {
				t.Errorf("%s on %s: %v", op, fam, err)
			}
		}
		for fam, p := range map[string]Params{"subspace": {BU: 2, Basis: "kl", Length: 0.1}, "grf": {Length: 0.1, Dim: 2}, "manifold": {Intrinsic: 2, Dim: 2}} {
			_, err := NewSpec(op, fam, p, 16, 16)
			if err == nil || !strings.Contains(err.Error(), fam) {
				t.Errorf("%s on %s: error %v does not name the family", op, fam, err)
			}
		}
		o, _ := NewOperator(op, Params{})
		g, _ := NewFamily("grf", Params{Length: 0.1})
		err := Spec{Operator: o, Family: g, Sensors: 16, Points: 16}.Validate()
		if err == nil || !strings.Contains(err.Error(), "not periodic") || !strings.Contains(err.Error(), g.Name()) {
			t.Errorf("%s on a non-periodic field: %v", op, err)
		}
	}
	s, err := NewSpec("poisson1d", "grf", Params{Length: 0.1}, 16, 16)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Family.(*GRF); !ok {
		t.Errorf("poisson1d got %s", s.Family.Name())
	}
}

// Wrapped bumps: periodic, the sum of Manifold's function over the nearest
// images, smooth across the wrap.
func TestPeriodicManifold(t *testing.T) {
	p, err := NewPeriodicManifold(4)
	if err != nil {
		t.Fatal(err)
	}
	theta := []float64{0.1, 0.9, 0.5, 0.0} // bump 1 near the left end, wide
	u, m := p.Func(theta), p.M.Func(theta)
	if u([]float64{0}) != u([]float64{1}) {
		t.Error("not periodic")
	}
	// The images at distance ≥ 2 are below e^{−100}: u is the sum over
	// x − 1, x, x + 1 to rounding.
	for _, x := range []float64{0, 0.05, 0.3, 0.6, 0.97} {
		want := m([]float64{x - 1}) + m([]float64{x}) + m([]float64{x + 1})
		if d := math.Abs(u([]float64{x}) - want); d > 1e-15 {
			t.Errorf("u(%g) off the sum of images by %g", x, d)
		}
	}
	// The first bump (centre 0.15, width 0.132) reaches the wrap: the
	// one-sided slopes there must agree.
	const h = 1e-6
	left := (u([]float64{1}) - u([]float64{1 - h})) / h
	right := (u([]float64{h}) - u([]float64{0})) / h
	// Each is u'(0) ± h·max|u''|/2, |u''| ≤ b/w² = 2/0.06².
	if math.Abs(left-right) > h*2/(0.06*0.06) {
		t.Errorf("slope jumps at the wrap: %g vs %g", left, right)
	}
	if math.Abs(m([]float64{0})-m([]float64{1})) < 0.01 {
		t.Error("test needs a bump whose unwrapped form is not periodic")
	}
	checkBounds(t, p, 200)
}

// Rough on the circle: periodic, and within its bounds.
func TestPeriodicRough(t *testing.T) {
	p, err := NewPeriodicRough(16, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		u := p.Sample(rand.New(rand.NewPCG(4, uint64(i))))
		if u([]float64{0}) != u([]float64{1}) {
			t.Fatal("not periodic")
		}
	}
	checkBounds(t, p, 200)
}

// checkBounds samples n functions on a dense grid and checks the sup and
// the slopes against the family's bounds.
func checkBounds(t *testing.T, f interface {
	Family
	Bounded
}, n int) {
	t.Helper()
	const m = 4096
	for i := range n {
		u := f.Sample(rand.New(rand.NewPCG(11, uint64(i))))
		prev := u([]float64{0})
		for j := range m + 1 {
			v := u([]float64{float64(j) / m})
			if math.Abs(v) > f.SupBound() {
				t.Fatalf("%s: |u| = %g > %g", f.Name(), math.Abs(v), f.SupBound())
			}
			if s := math.Abs(v-prev) * m; s > f.Lipschitz()*(1+1e-12) {
				t.Fatalf("%s: slope %g > %g", f.Name(), s, f.Lipschitz())
			}
			prev = v
		}
	}
}

// The rotation recurrence of trigSum against math.Cos and math.Sin, one
// frequency at a time up to the cap. Each rotation carries the angle's
// error (2πx rounded: 2π·ε) plus a few roundings: at most 10·ε per
// frequency. The reference reduces k·x exactly (FMA) before the cosine.
func TestTrigSum(t *testing.T) {
	const eps = 0x1p-53
	c := make([]float64, 2*(maxPeriodicFreq+1))
	for _, k := range []int{0, 1, 7, 64, 255, maxPeriodicFreq} {
		for _, x := range []float64{0, 0.1, 0.3333, 0.5, 0.91, 1 - 1e-12, 1, 1.25, -0.25} {
			xw, kf := wrap(x), float64(k)
			p := kf * xw
			frac := (p - math.Floor(p)) + math.FMA(kf, xw, -p)
			for part := range 2 {
				clear(c)
				c[2*k+part] = 1
				want := math.Cos(2 * math.Pi * frac)
				if part == 1 {
					want = math.Sin(2 * math.Pi * frac)
				}
				if d := math.Abs(trigSum(c, x) - want); d > 10*float64(k+1)*eps {
					t.Errorf("k = %d, x = %g, part %d: off by %.2e", k, x, part, d)
				}
			}
		}
	}
}
