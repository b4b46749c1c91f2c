package problems

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

// travelRef is an independent reference for the characteristics of
// w_t + a(x)·w_x = 0 on the periodic unit interval, sharing nothing with the
// RK4 tracer or the velocity table. Because a > 0, a characteristic is
// monotone in x and its time of flight is the integral of 1/a: with
// F(x) = ∫₀ˣ dξ/a(ξ) and the period P = F(1), the foot X of the
// characteristic through (x, T) is the point of [0,1) with
// F(X) ≡ F(x) − T (mod P). F is tabulated at panel ends by composite
// Gauss–Legendre quadrature and inverted by safeguarded Newton inside the
// right panel. The velocity is read on [0,1] only, never across the wrap, so
// a velocity with a jump at the wrap (u(0) ≠ u(1)) is integrated exactly;
// kinks inside (0,1) must lie on panel ends, where a piecewise-linear input
// with nodes at multiples of 1/panels puts them. On each panel 1/a is then
// analytic and the quadrature is exact to rounding.
type travelRef struct {
	a      func(float64) float64
	n      int
	cum    []float64 // F at the panel ends j/n
	gx, gw []float64 // Gauss–Legendre nodes and weights on [0,1]
}

func newTravelRef(a func(float64) float64, panels int) *travelRef {
	const order = 16
	r := &travelRef{a: a, n: panels, gx: make([]float64, order), gw: make([]float64, order)}
	quad.Legendre{}.FixedLocations(r.gx, r.gw, 0, 1)
	r.cum = make([]float64, panels+1)
	for j := range panels {
		lo, hi := float64(j)/float64(panels), float64(j+1)/float64(panels)
		r.cum[j+1] = r.cum[j] + r.integral(lo, hi)
	}
	return r
}

// integral of 1/a over [lo, hi] inside one panel.
func (r *travelRef) integral(lo, hi float64) float64 {
	var s float64
	for i, x := range r.gx {
		s += r.gw[i] / r.a(lo+(hi-lo)*x)
	}
	return s * (hi - lo)
}

// panel returns the panel holding x ∈ [0,1].
func (r *travelRef) panel(x float64) int { return min(int(x*float64(r.n)), r.n-1) }

// flight is F(x) for x ∈ [0,1].
func (r *travelRef) flight(x float64) float64 {
	j := r.panel(x)
	return r.cum[j] + r.integral(float64(j)/float64(r.n), x)
}

// foot returns the foot in [0,1) of the characteristic through (x, T).
func (r *travelRef) foot(x, T float64) float64 {
	p := r.cum[r.n]
	tau := r.flight(x) - T
	tau -= math.Floor(tau/p) * p // in [0, P]
	// The panel j with cum[j] ≤ τ < cum[j+1].
	lo, hi := 0, r.n
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if r.cum[mid] <= tau {
			lo = mid
		} else {
			hi = mid
		}
	}
	j := lo
	start := float64(j) / float64(r.n)
	a, b := start, float64(j+1)/float64(r.n) // bracket of the root
	X := (a + b) / 2
	for range 60 {
		g := r.cum[j] + r.integral(start, X) - tau // increasing in X
		if g > 0 {
			b = X
		} else {
			a = X
		}
		next := X - g*r.a(X)
		if !(next > a && next < b) {
			next = (a + b) / 2
		}
		if math.Abs(next-X) <= 1e-17 {
			X = next
			break
		}
		X = next
	}
	return wrap(X)
}

// The reference itself: exact for a constant velocity, and against the
// closed-form flow of a(x) = 1 + ε sin 2πx to rounding.
func TestTravelRefAgainstClosedForms(t *testing.T) {
	const eps, T = 0.5, 0.8
	flow := newTravelRef(func(x float64) float64 { return 1 + eps*math.Sin(2*math.Pi*x) }, 64)
	shift := newTravelRef(func(float64) float64 { return 0.7 }, 8)
	var e1, e2 float64
	for _, x := range Grid(101, 1) {
		e1 = max(e1, circDist(flow.foot(x, T), flowFoot(x, eps, T)))
		e2 = max(e2, circDist(shift.foot(x, 3.3), wrap(x-0.7*3.3)))
	}
	t.Logf("reference vs closed-form flow %.2e, vs shift %.2e", e1, e2)
	// A few rounding errors in F (of size 1) and its inversion.
	if e1 > 1e-13 || e2 > 1e-13 {
		t.Errorf("reference off the closed forms: flow %.2e, shift %.2e", e1, e2)
	}
}

// circDist is the distance of two points on the unit circle.
func circDist(x, y float64) float64 {
	d := math.Abs(x - y)
	d -= math.Floor(d)
	return min(d, 1-d)
}

// velocityRelL2 returns the relative L² error (over the output points y)
// of AdvectionVelocity o applied to u, against the reference with panels
// of width 1/panels.
func velocityRelL2(t *testing.T, o *AdvectionVelocity, u Func, y []float64, panels int) float64 {
	t.Helper()
	got := make([]float64, len(y))
	if err := o.Apply(got, u, y); err != nil {
		t.Fatal(err)
	}
	xv := []float64{0}
	ref := newTravelRef(func(x float64) float64 {
		xv[0] = x
		return o.A * math.Exp(o.Amplitude*u(xv))
	}, panels)
	var num, den float64
	for j, x := range y {
		w := o.Initial(ref.foot(x, o.Char.T))
		num += (got[j] - w) * (got[j] - w)
		den += w * w
	}
	return math.Sqrt(num / den)
}
