package harness

import (
	"strings"
	"testing"

	"opscale/bounds"
)

// fakeRelu is a fitted dense regression experiment with the given interval.
func fakeRelu(t *testing.T, theorem, target, domain string, d, ambient int, est, lo, hi float64) reluPoint {
	t.Helper()
	th, err := bounds.Lookup(theorem)
	if err != nil {
		t.Fatal(err)
	}
	if domain == "cube" {
		ambient = d
	}
	g := &Regression{Target: target, Domain: domain, D: d, Ambient: ambient}
	a := &Analysis{Experiment: theorem + "-" + target + "-" + domain, Theorem: th, Fit: Fit{Slope: Slope{Exponent: est, CILo: lo, CIHi: hi}}}
	a.First.Regression = g
	ad, _ := th.Exponent(bounds.Dims{D: d})
	aD, _ := th.Exponent(bounds.Dims{D: ambient})
	return reluPoint{a, g, ad, aD}
}

// The sentence on intrinsic against ambient dimension follows the numbers:
// α_T at d = 2 is 0.5 and at D = 16, 64 it is 1/16, 1/64 for T-relu-approx.
func TestIntrinsicFindingsFollowTheNumbers(t *testing.T) {
	for _, tc := range []struct {
		name              string
		e16, lo16, hi16   float64
		e64, lo64, hi64   float64
		want, mustNotHave string
	}{
		{"supported", 0.45, 0.40, 0.50, 0.47, 0.42, 0.52, "support the claim that the exponent follows the intrinsic d", "only in part"},
		{"moves with D", 0.45, 0.40, 0.50, 0.25, 0.20, 0.30, "only in part", "do not support"},
		{"at the ambient rate", 0.45, 0.40, 0.50, 0.03, 0.01, 0.05, "do not support", "support the claim that"},
	} {
		pts := []reluPoint{
			fakeRelu(t, "T-relu-approx", "lipschitz", "sphere", 2, 16, tc.e16, tc.lo16, tc.hi16),
			fakeRelu(t, "T-relu-approx", "lipschitz", "sphere", 2, 64, tc.e64, tc.lo64, tc.hi64),
		}
		got := strings.Join(intrinsicFindings(pts), " ")
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.mustNotHave) {
			t.Errorf("%s: %q\nwant %q, not %q", tc.name, got, tc.want, tc.mustNotHave)
		}
	}
}

// Smooth targets are judged against the Lipschitz-class rate 1/d and the
// piecewise-linear 2/d by their intervals.
func TestSmoothFindingsFollowTheNumbers(t *testing.T) {
	for _, tc := range []struct {
		lo, est, hi float64
		want        []string
	}{
		{0.9, 1.0, 1.1, []string{"beats the Lipschitz-class rate", "contains the piecewise-linear prediction 2/d = 1.000", "smooth one decays faster"}},
		{0.6, 0.7, 0.8, []string{"beats the Lipschitz-class rate", "falls short of the piecewise-linear"}},
		{0.4, 0.5, 0.55, []string{"does not beat the Lipschitz-class rate measurably", "cannot be told apart"}},
		{0.1, 0.2, 0.3, []string{"does not even reach the Lipschitz-class rate"}},
	} {
		pts := []reluPoint{
			fakeRelu(t, "T-relu-approx", "smooth", "cube", 2, 0, tc.est, tc.lo, tc.hi),
			fakeRelu(t, "T-relu-approx", "lipschitz", "cube", 2, 0, 0.45, 0.42, 0.48),
		}
		got := strings.Join(smoothFindings(pts), " ")
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("α̂ = %g [%g, %g]: %q lacks %q", tc.est, tc.lo, tc.hi, got, w)
			}
		}
	}
}

// The trend with d is reported against the theorem's own factor.
func TestDimensionTrend(t *testing.T) {
	flat := []reluPoint{
		fakeRelu(t, "T-relu-approx", "lipschitz", "cube", 1, 0, 0.5, 0.4, 0.6),
		fakeRelu(t, "T-relu-approx", "lipschitz", "cube", 4, 0, 0.6, 0.5, 0.7),
	}
	if got := strings.Join(dimensionTrend(flat), " "); !strings.Contains(got, "does not fall with d") || !strings.Contains(got, "theorem's from 1.000 to 0.250 (divided by 4.00)") {
		t.Errorf("flat exponents: %q", got)
	}
	falling := []reluPoint{
		fakeRelu(t, "T-relu-approx", "lipschitz", "cube", 1, 0, 1.0, 0.9, 1.1),
		fakeRelu(t, "T-relu-approx", "lipschitz", "cube", 4, 0, 0.25, 0.2, 0.3),
	}
	if got := strings.Join(dimensionTrend(falling), " "); !strings.Contains(got, "about as the theorem says") {
		t.Errorf("falling exponents: %q", got)
	}
}

// An exponent whose tail cannot be told from flat is flagged, one with a
// falling tail is not.
func TestSpanCaveat(t *testing.T) {
	p := fakeRelu(t, "T-relu-approx", "smooth", "cube", 1, 0, 1.2, 0.1, 1.3)
	p.a.Fit.Lo, p.a.Fit.Hi, p.a.Fit.Flat = 1273, 8513, true
	if got := spanCaveat(p); !strings.Contains(got, "cannot be told from flat") || !strings.Contains(got, "N = 1273…8513") {
		t.Errorf("flat tail: %q", got)
	}
	p.a.Fit.Flat = false
	if got := spanCaveat(p); got != "" {
		t.Errorf("falling tail: %q", got)
	}
}

// A verdict on the manifolds that rests on flat tails says so.
func TestIntrinsicFindingsFlagShortFits(t *testing.T) {
	a := fakeRelu(t, "T-relu-gen", "lipschitz", "torus", 2, 16, 0.6, 0.55, 0.65)
	b := fakeRelu(t, "T-relu-gen", "lipschitz", "torus", 2, 64, 0.6, 0.55, 0.65)
	b.a.Fit.Flat = true
	got := strings.Join(intrinsicFindings([]reluPoint{a, b}), " ")
	if !strings.Contains(got, "1 of 2 manifold tails cannot be told from flat") {
		t.Errorf("%q does not flag the flat tail", got)
	}
}
