package bounds

import (
	"math"
	"testing"
)

func TestJudgeRangeUninformativeWhileTheLogFactorWins(t *testing.T) {
	th, _ := Lookup("T-don-gen-low")
	d := Dims{D1: 1, D2: 1, BU: 2}
	// n^{−2/5}·log³ n peaks at n = e^{7.5} ≈ 1808: over 256…2048 it rises
	// first, so any decay is beside the point there.
	r, err := th.JudgeRange(d, 256, 2048, 0.6, 0.5, 0.7)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != Uninformative || r.Decreasing {
		t.Errorf("over 256…2048: %+v, want uninformative", r)
	}
	// Past the peak the rate falls, and the verdict compares with its
	// secant slope, which the log factor keeps below 2/5.
	r, err = th.JudgeRange(d, 2000, 20000, 0.3, 0.25, 0.35)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.4 - 3*(math.Log(math.Log(20000))-math.Log(math.Log(2000)))/math.Log(10)
	if !r.Decreasing || math.Abs(r.Alpha-want) > 1e-12 {
		t.Errorf("over 2000…20000: %+v, want decreasing with secant exponent %g", r, want)
	}
	if v, _ := Judge(0.25, 0.35, r.Alpha); r.Verdict != v {
		t.Errorf("verdict %v, Judge says %v", r.Verdict, v)
	}
	if math.Abs(r.BoundRatio-math.Pow(10, want)) > 1e-9 || math.Abs(r.MeasuredRatio-math.Pow(10, 0.3)) > 1e-9 {
		t.Errorf("ratios %g, %g", r.BoundRatio, r.MeasuredRatio)
	}
}

func TestJudgeRangeHoldsLogRatesToTheirScale(t *testing.T) {
	th, _ := Lookup("T-don-gen")
	d := Dims{D1: 1, D2: 1}
	// (log n/log log n)^{−2} falls by ((ln 1000/ln ln 1000)/(ln 100/ln ln
	// 100))² ≈ 1.42 from n = 100 to 1000: secant exponent ≈ 0.153. An error
	// with slope in [0.05, 0.1] falls by less: slower than the bound, where
	// the exponent 0 of Exponent would have called it faster.
	ratio := math.Pow((math.Log(1000)/math.Log(math.Log(1000)))/(math.Log(100)/math.Log(math.Log(100))), 2)
	r, err := th.JudgeRange(d, 100, 1000, 0.07, 0.05, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.BoundRatio-ratio) > 1e-12 || math.Abs(r.Alpha-math.Log(ratio)/math.Log(10)) > 1e-12 {
		t.Errorf("bound ratio %g (exponent %g), want %g", r.BoundRatio, r.Alpha, ratio)
	}
	if r.Verdict != SlowerThanBound {
		t.Errorf("slope [0.05, 0.1] against a log-rate falling by %.3f: %v, want slower", ratio, r.Verdict)
	}
	if r, _ := th.JudgeRange(d, 100, 1000, 0.5, 0.4, 0.6); r.Verdict != FasterThanBound {
		t.Errorf("slope 0.5 against a log-rate: %v, want faster", r.Verdict)
	}
	if _, err := th.JudgeRange(d, 100, 1000, 0.5, 0.6, 0.4); err == nil {
		t.Error("empty interval accepted")
	}
}
