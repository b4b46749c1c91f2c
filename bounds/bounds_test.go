package bounds

import (
	"math"
	"testing"
)

func TestDonGenLowHandValues(t *testing.T) {
	th, err := Lookup("T-don-gen-low")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		bu, d2 int
		want   float64
	}{
		{2, 1, 2.0 / 5}, // the walking-skeleton experiment
		{1, 1, 1.0 / 2},
		{4, 2, 1.0 / 4},
	} {
		got, err := th.Exponent(Dims{BU: tc.bu, D2: tc.d2})
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("b_U=%d d2=%d: exponent %g, want %g", tc.bu, tc.d2, got, tc.want)
		}
	}
	// n = 1000, b_U = 2, d2 = 1: 1000^{−0.4}·(ln 1000)³ = 0.0630957·329.6 = 20.797…
	r, err := th.Rate(Dims{BU: 2, D2: 1}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := math.Pow(1000, -0.4) * math.Pow(math.Log(1000), 3)
	if math.Abs(r-20.7967) > 1e-3 || math.Abs(r-want) > 1e-12*want {
		t.Errorf("rate(1000) = %.6f, want %.6f", r, want)
	}
}

func TestExponentRejectsBadDims(t *testing.T) {
	th, _ := Lookup("T-don-gen-low")
	for _, d := range []Dims{{BU: 0, D2: 1}, {BU: 2, D2: 0}, {BU: -1, D2: 1}} {
		if _, err := th.Exponent(d); err == nil {
			t.Errorf("%+v accepted", d)
		}
	}
	if _, err := Lookup("T-nope"); err == nil {
		t.Error("unknown id accepted")
	}
}

func TestEffectiveExponentMatchesSecant(t *testing.T) {
	th, _ := Lookup("T-don-gen-low")
	d := Dims{BU: 2, D2: 1}
	lo, hi := 32.0, 2048.0
	got, err := th.EffectiveExponent(d, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	rlo, _ := th.Rate(d, lo)
	rhi, _ := th.Rate(d, hi)
	want := -(math.Log(rhi) - math.Log(rlo)) / (math.Log(hi) - math.Log(lo))
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("effective exponent %g, secant %g", got, want)
	}
}

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		lo, hi, a float64
		want      Verdict
	}{
		{0.5, 0.7, 0.4, FasterThanBound},
		{0.3, 0.5, 0.4, AtBound},
		{0.1, 0.3, 0.4, SlowerThanBound},
		{0.4, 0.4, 0.4, AtBound},
	} {
		got, err := Judge(tc.lo, tc.hi, tc.a)
		if err != nil || got != tc.want {
			t.Errorf("Judge(%g, %g, %g) = %v, %v; want %v", tc.lo, tc.hi, tc.a, got, err, tc.want)
		}
	}
	if _, err := Judge(0.5, 0.3, 0.4); err == nil {
		t.Error("empty CI accepted")
	}
	if _, err := Judge(math.NaN(), 0.3, 0.4); err == nil {
		t.Error("NaN CI accepted")
	}
	if _, err := Judge(0.3, 0.5, math.NaN()); err == nil {
		t.Error("NaN exponent accepted")
	}
	// A log-rate's exponent is 0: any CI wholly above 0 beats it.
	th, _ := Lookup("T-don-gen")
	a, err := th.Exponent(Dims{D1: 1})
	if v, _ := Judge(0.05, 0.2, a); err != nil || v != FasterThanBound {
		t.Errorf("log-rate: verdict %v, %v", v, err)
	}
}
