package problems

import (
	"math"
	"testing"
)

func TestAntiderivativeClosedForm(t *testing.T) {
	c := []float64{0.3, -0.8, 0.5, 0.1}
	s := &Subspace{BU: len(c)}
	y := Grid(33, 1)
	prev := 0.0
	for _, cells := range []int{32, 64, 128, 256} {
		a, _ := NewAntiderivative(cells)
		got := make([]float64, len(y))
		if err := a.Apply(got, s.Func(c), y); err != nil {
			t.Fatal(err)
		}
		var e float64
		for j, x := range y {
			var exact float64
			for k, ck := range c {
				kp := float64(k+1) * math.Pi
				exact += math.Sqrt2 * ck * (1 - math.Cos(kp*x)) / kp
			}
			e = max(e, math.Abs(got[j]-exact))
		}
		if prev > 0 {
			ratio := prev / e
			t.Logf("cells=%4d  max error %.3e  order %.3f", cells, e, math.Log2(ratio))
			if ratio < 3.5 || ratio > 4.5 {
				t.Errorf("cells=%d: error ratio %.3f, want ≈ 4 (trapezoid rule, order 2)", cells, ratio)
			}
		}
		prev = e
	}
}
