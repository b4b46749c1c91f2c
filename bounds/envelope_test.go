package bounds

import (
	"math"
	"testing"
)

func TestEnvelopeHandValues(t *testing.T) {
	th, _ := Lookup("R-variance-limited") // rate 1/n
	// Ratios e·n: 5, 2, 4; the smallest constant is 5, at n = 10.
	env, err := th.Envelope(Dims{}, []float64{10, 100, 1000}, []float64{0.5, 0.02, 0.004})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{5, 2, 4}
	// Rate is exp(−ln n): a few roundings, amplified by |ln rate| < 7.
	if math.Abs(env.C-5) > 1e-14*5 || env.At != 10 || env.Index != 0 {
		t.Errorf("envelope C = %g at %g (index %d), want 5 at 10 (index 0)", env.C, env.At, env.Index)
	}
	for i, r := range env.Ratios {
		if math.Abs(r-want[i]) > 1e-14*want[i] {
			t.Errorf("ratio[%d] = %g, want %g", i, r, want[i])
		}
	}
}

// TestEnvelopeShape: errors that fall faster than the rate are bounded by
// the constant at the smallest size, slower ones at the largest; errors that
// follow it exactly give their own constant.
func TestEnvelopeShape(t *testing.T) {
	th, _ := Lookup("T-don-gen-low")
	d := Dims{BU: 2, D2: 1}
	x := []float64{64, 128, 256, 512, 1024, 2048}
	for _, tc := range []struct {
		name  string
		extra float64 // e = 3·Rate·(x/64)^{−extra}
		index int
	}{{"faster", 0.2, 0}, {"slower", -0.2, len(x) - 1}, {"exact", 0, -1}} {
		e := make([]float64, len(x))
		for i := range x {
			r, _ := th.Rate(d, x[i])
			e[i] = 3 * r * math.Pow(x[i]/64, -tc.extra)
		}
		env, err := th.Envelope(d, x, e)
		if err != nil {
			t.Fatal(err)
		}
		if tc.index >= 0 && env.Index != tc.index {
			t.Errorf("%s: attained at index %d, want %d", tc.name, env.Index, tc.index)
		}
		for i := range x {
			r, _ := th.Rate(d, x[i])
			if e[i] > env.C*r*(1+1e-15) {
				t.Errorf("%s: e[%d] = %g above C·Rate = %g", tc.name, i, e[i], env.C*r)
			}
		}
		if tc.index < 0 && math.Abs(env.C-3) > 1e-14*3 {
			t.Errorf("exact: C = %.17g, want 3", env.C)
		}
	}
}

func TestEnvelopeRejects(t *testing.T) {
	th, _ := Lookup("T-don-gen-low")
	d := Dims{BU: 2, D2: 1}
	for name, tc := range map[string]struct{ x, e []float64 }{
		"length":   {[]float64{10, 20}, []float64{1}},
		"empty":    {nil, nil},
		"negative": {[]float64{10}, []float64{-1}},
		"NaN":      {[]float64{10}, []float64{math.NaN()}},
		"Inf":      {[]float64{10}, []float64{math.Inf(1)}},
		"size":     {[]float64{1}, []float64{0.1}},
	} {
		if _, err := th.Envelope(d, tc.x, tc.e); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := th.Envelope(Dims{BU: 0, D2: 1}, []float64{10}, []float64{1}); err == nil {
		t.Error("b_U = 0 accepted")
	}
}
