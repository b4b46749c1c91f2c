package intrinsic_test

import (
	"math"
	"testing"

	"opscale/intrinsic"
	"opscale/problems"
)

func mustFamily(t *testing.T, kind string, p problems.Params) problems.Family {
	t.Helper()
	f, err := problems.NewFamily(kind, p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// sampleMatrix returns n functions of fam at m equispaced sensors.
func sampleMatrix(t *testing.T, fam problems.Family, n, m int, seed uint64) []float64 {
	t.Helper()
	op, err := problems.NewOperator("antiderivative", problems.Params{Grid: 4})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := problems.Generate(problems.Spec{Operator: op, Family: fam, Sensors: m, Points: 2}, n, seed, problems.Train, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ds.U
}

// Both nearest-neighbour estimators recover the dimension of linear and of
// curved families within ±15%, and PCA tells the two apart: it counts b_U
// components for a subspace and many more than d for the bump manifold.
//
// Both estimators are biased low near the boundary of the parameter cube,
// and in 8 dimensions nearly every point is near it: the bias shrinks slowly
// with n (MLE 6.71, 6.86, 6.93 at n = 2000, 4000, 8000 for b_U = 8), so the
// b_U = 8 case takes 8000 points. Sine subspaces need only m > b_U sensors
// (the sampled sines stay orthogonal); bumps of width 0.06 need ~48.
func TestIntrinsicDimensionRecovered(t *testing.T) {
	if testing.Short() {
		t.Skip("dimension estimates take a few seconds")
	}
	cases := []struct {
		name string
		fam  problems.Family
		d    int
		n, m int
	}{
		{"subspace b_U=1", mustFamily(t, "subspace", problems.Params{BU: 1}), 1, 2000, 17},
		{"subspace b_U=2", mustFamily(t, "subspace", problems.Params{BU: 2}), 2, 2000, 17},
		{"subspace b_U=4", mustFamily(t, "subspace", problems.Params{BU: 4}), 4, 2000, 17},
		{"subspace b_U=8", mustFamily(t, "subspace", problems.Params{BU: 8}), 8, 8000, 17},
		{"manifold d=2", mustFamily(t, "manifold", problems.Params{Intrinsic: 2}), 2, 2000, 48},
		{"manifold d=4", mustFamily(t, "manifold", problems.Params{Intrinsic: 4}), 4, 2000, 48},
	}
	for _, c := range cases {
		n, m := c.n, c.m
		x := sampleMatrix(t, c.fam, n, m, 11)
		est, err := intrinsic.Measure(x, n, m)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-16s nominal %d: PCA99 %2d  PCA99.9 %2d  TwoNN %.2f  MLE %.2f", c.name, c.d, est.PCA99, est.PCA999, est.TwoNN, est.MLE)
		for name, v := range map[string]float64{"TwoNN": est.TwoNN, "MLE": est.MLE} {
			if math.Abs(v-float64(c.d)) > 0.15*float64(c.d) {
				t.Errorf("%s: %s estimate %.2f, want %d ± 15%%", c.name, name, v, c.d)
			}
		}
		if c.fam.NominalDim() != c.d {
			t.Errorf("%s: NominalDim %d", c.name, c.fam.NominalDim())
		}
		if _, linear := c.fam.(*problems.Subspace); linear && est.PCA999 != c.d {
			t.Errorf("%s: PCA needs %d components for 99.9%%, the span has %d", c.name, est.PCA999, c.d)
		}
		if _, curved := c.fam.(*problems.Manifold); curved && est.PCA99 <= c.d {
			t.Errorf("%s: PCA needs only %d components for 99%%: the family is not curved", c.name, est.PCA99)
		}
	}
}

// A Gaussian field's estimates grow as its length scale shrinks.
func TestIntrinsicDimensionGrowsAsLengthShrinks(t *testing.T) {
	if testing.Short() {
		t.Skip("dimension estimates take a few seconds")
	}
	const n, m = 1000, 64
	var prev intrinsic.Estimate
	for i, ell := range []float64{0.4, 0.2, 0.1} {
		x := sampleMatrix(t, mustFamily(t, "grf", problems.Params{Length: ell}), n, m, 5)
		est, err := intrinsic.Measure(x, n, m)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("grf ℓ=%.2f: PCA99 %2d  PCA99.9 %2d  TwoNN %.2f  MLE %.2f", ell, est.PCA99, est.PCA999, est.TwoNN, est.MLE)
		if i > 0 && (est.TwoNN <= prev.TwoNN || est.MLE <= prev.MLE || est.PCA99 <= prev.PCA99) {
			t.Errorf("ℓ = %g: estimates %+v did not grow from ℓ = %g's %+v", ell,
				[]float64{float64(est.PCA99), est.TwoNN, est.MLE}, 2*ell, []float64{float64(prev.PCA99), prev.TwoNN, prev.MLE})
		}
		prev = est
	}
}

func TestMeasureBadInput(t *testing.T) {
	if _, err := intrinsic.Measure(make([]float64, 10), 5, 2); err == nil {
		t.Error("5 points accepted")
	}
	if _, err := intrinsic.Measure(make([]float64, 10), 50, 2); err == nil {
		t.Error("short matrix accepted")
	}
	x := make([]float64, 100)
	x[7] = math.NaN()
	if _, err := intrinsic.Measure(x, 50, 2); err == nil {
		t.Error("NaN accepted")
	}
	est, err := intrinsic.Measure(make([]float64, 100), 50, 2)
	if err != nil || !math.IsNaN(est.TwoNN) || !math.IsNaN(est.MLE) || len(est.Warnings) != 2 {
		t.Errorf("50 identical points: %+v, %v", est, err)
	}
	est, err = intrinsic.Measure(problems.Grid(64, 1), 64, 1)
	if err != nil || !math.IsNaN(est.TwoNN) || est.PCA99 != 1 {
		t.Errorf("lattice: %+v, %v", est, err)
	}
}
