package problems

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"opscale/intrinsic"
)

// Points lie on the embedded manifold, targets obey their bounds, and the
// nearest-neighbour estimators see the intrinsic d, not the ambient D.
func TestRegressionManifolds(t *testing.T) {
	for _, c := range []struct {
		domain, target string
		d, ambient     int
	}{
		{"cube", "lipschitz", 3, 0},
		{"sphere", "lipschitz", 2, 30},
		{"sphere", "smooth", 4, 30},
		{"torus", "smooth", 2, 30},
		{"torus", "lipschitz", 3, 30},
	} {
		r, err := NewRegression(c.domain, c.d, c.ambient, c.target, 7)
		if err != nil {
			t.Fatal(err)
		}
		const n = 2000
		set, err := r.Sample(n, 1, Train, 0)
		if err != nil {
			t.Fatal(err)
		}
		D := set.D
		rng := rand.New(rand.NewPCG(2, 2))
		var slope float64
		for i := range n {
			x := set.X[i*D : (i+1)*D]
			if c.domain != "cube" {
				var s float64
				for _, v := range x {
					s += v * v
				}
				// Sphere and the scaled torus both lie on the unit sphere.
				if math.Abs(s-1) > 1e-12 {
					t.Fatalf("%s: |x|² = %.15f, want 1", r.Name(), s)
				}
			}
			if f := r.F(x); math.Abs(f-set.Y[i]) > 1e-12 || math.Abs(f) > r.SupBound() {
				t.Fatalf("%s: F(x) = %g, Y = %g, bound %g", r.Name(), f, set.Y[i], r.SupBound())
			}
			j := rng.IntN(n)
			var d2 float64
			for a := range D {
				d2 += (x[a] - set.X[j*D+a]) * (x[a] - set.X[j*D+a])
			}
			if d2 > 0 {
				slope = max(slope, math.Abs(set.Y[i]-set.Y[j])/math.Sqrt(d2))
			}
		}
		if slope > r.Lipschitz() {
			t.Errorf("%s: observed slope %g above the Lipschitz bound %g", r.Name(), slope, r.Lipschitz())
		}
		est, err := intrinsic.Measure(set.X, n, D)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-45s TwoNN %.2f  MLE %.2f  PCA99 %d (ambient %d)", r.Name(), est.TwoNN, est.MLE, est.PCA99, D)
		if math.Abs(est.TwoNN-float64(c.d)) > 0.15*float64(c.d) {
			t.Errorf("%s: TwoNN %.2f, want %d ± 15%%", r.Name(), est.TwoNN, c.d)
		}
	}
}

func TestRegressionIsPureAndNested(t *testing.T) {
	r, _ := NewRegression("sphere", 2, 10, "lipschitz", 3)
	r2, _ := NewRegression("sphere", 2, 10, "lipschitz", 3)
	a, _ := r.Sample(50, 4, Train, 0.1)
	b, _ := r2.Sample(20, 4, Train, 0.1)
	if !slices.Equal(a.X[:20*10], b.X) || !slices.Equal(a.Y[:20], b.Y) {
		t.Error("the set of 20 is not a prefix of the set of 50")
	}
	clean, _ := r.Sample(50, 4, Train, 0)
	if !slices.Equal(clean.X, a.X) || slices.Equal(clean.Y, a.Y) {
		t.Error("noise must change targets only")
	}
	test, _ := r.Sample(50, 4, Test, 0)
	if slices.Equal(test.X, clean.X) {
		t.Error("test split repeats the training points")
	}
	other, _ := NewRegression("sphere", 2, 10, "lipschitz", 4)
	o, _ := other.Sample(50, 4, Train, 0)
	if slices.Equal(o.X, clean.X) {
		t.Error("a different problem seed gave the same embedding")
	}
}

func TestRegressionBadInput(t *testing.T) {
	for name, f := range map[string]func() error{
		"domain":  func() error { _, err := NewRegression("ball", 2, 5, "smooth", 1); return err },
		"target":  func() error { _, err := NewRegression("cube", 2, 0, "rough", 1); return err },
		"d = 0":   func() error { _, err := NewRegression("cube", 0, 0, "smooth", 1); return err },
		"ambient": func() error { _, err := NewRegression("torus", 3, 5, "smooth", 1); return err },
		"n = 0": func() error {
			r, _ := NewRegression("cube", 2, 0, "smooth", 1)
			_, err := r.Sample(0, 1, Train, 0)
			return err
		},
		"noisy test": func() error {
			r, _ := NewRegression("cube", 2, 0, "smooth", 1)
			_, err := r.Sample(5, 1, Test, 0.1)
			return err
		},
	} {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The same problem seed gives the same function of z in every ambient
// dimension, so that experiments in R^16 and R^64 compare one target: the
// sample points of the same split and seed have the same z, hence the same
// noiseless targets, while the embedded points differ.
func TestRegressionTargetIndependentOfAmbient(t *testing.T) {
	for _, domain := range []string{"sphere", "torus"} {
		for _, target := range RegressionTargets {
			a, err := NewRegression(domain, 2, 16, target, 5)
			if err != nil {
				t.Fatal(err)
			}
			b, err := NewRegression(domain, 2, 64, target, 5)
			if err != nil {
				t.Fatal(err)
			}
			sa, _ := a.Sample(40, 9, Train, 0)
			sb, _ := b.Sample(40, 9, Train, 0)
			if !slices.Equal(sa.Y, sb.Y) {
				t.Errorf("%s/%s: targets differ between D = 16 and D = 64", domain, target)
			}
			if slices.Equal(sa.X[:16], sb.X[:16]) {
				t.Errorf("%s/%s: the two embeddings agree on the first point", domain, target)
			}
		}
	}
}
