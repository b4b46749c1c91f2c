package nets

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

// The hand-written backward pass must match central differences of the
// loss (see checkGradient for the tolerance).
func TestDeepONetGradient(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  DeepONetConfig
		n, p int
	}{
		{"small", DeepONetConfig{Sensors: 5, OutDim: 1, Branch: []int{7, 6}, Trunk: []int{4}, P: 3}, 4, 6},
		{"trunk relu out", DeepONetConfig{Sensors: 3, OutDim: 2, Branch: []int{5}, Trunk: []int{5, 4}, P: 4, TrunkLastReLU: true}, 3, 5},
		{"no hidden", DeepONetConfig{Sensors: 4, OutDim: 1, P: 2}, 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			d, err := NewDeepONet[float64](tc.cfg, rng)
			if err != nil {
				t.Fatal(err)
			}
			// A nonzero output bias and biases exercise their gradients too.
			for i := range d.params {
				if d.params[i] == 0 {
					d.params[i] = 0.1 * rng.NormFloat64()
				}
			}
			u := randSlice(rng, tc.n*tc.cfg.Sensors)
			y := randSlice(rng, tc.p*tc.cfg.OutDim)
			v := randSlice(rng, tc.n*tc.p)
			checkGradient(t, d.params, func() float64 { return d.LossGrad(u, tc.n, y, tc.p, v) }, d.Grads())
		})
	}
}

// checkGradient compares the gradient that loss leaves in grads with central
// differences of loss in every parameter. With step h the difference
// quotient is off by O(h²·f‴) plus O(ε/h) rounding: h = 1e-5 puts both near
// 1e-10 relative, far below the 1e-6 required, unless a ReLU kink lies within
// h of some pre-activation, which a Gaussian draw makes unlikely at these
// sizes and a fixed seed makes reproducible.
func checkGradient(t *testing.T, params []float64, loss func() float64, grads []float64) {
	t.Helper()
	loss()
	g := append([]float64(nil), grads...)
	const h = 1e-5
	var num, den float64
	for i := range params {
		orig := params[i]
		params[i] = orig + h
		lp := loss()
		params[i] = orig - h
		lm := loss()
		params[i] = orig
		fd := (lp - lm) / (2 * h)
		num += (fd - g[i]) * (fd - g[i])
		den += g[i] * g[i]
	}
	rel := math.Sqrt(num / den)
	t.Logf("%d parameters, relative gradient error %.2e", len(params), rel)
	if rel > 1e-6 {
		t.Errorf("relative gradient error %.2e > 1e-6", rel)
	}
}

func TestDeepONetParamCount(t *testing.T) {
	// The DeepONet paper's antiderivative network: branch [100, 40, 40],
	// trunk [1, 40, 40]: 100·40+40 + 40·40+40 + 1·40+40 + 40·40+40 + 1 = 7401.
	d, err := NewDeepONet[float32](DeepONetConfig{Sensors: 100, OutDim: 1, Branch: []int{40}, Trunk: []int{40}, P: 40}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.NumParams(); got != 7401 {
		t.Errorf("NumParams = %d, want 7401", got)
	}
}

func TestDeepONetRejectsBadWidths(t *testing.T) {
	for name, cfg := range map[string]DeepONetConfig{
		"p=0":        {Sensors: 3, OutDim: 1, P: 0},
		"sensors=0":  {Sensors: 0, OutDim: 1, P: 2},
		"neg hidden": {Sensors: 3, OutDim: 1, Branch: []int{-4}, P: 2},
	} {
		if _, err := NewDeepONet[float64](cfg, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
