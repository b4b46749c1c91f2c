package nets

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The same central-difference check as the DeepONet's (see
// TestDeepONetGradient for the choice of h and the 1e-6 bound), on plain
// networks: one layer, several, and several outputs.
func TestDenseGradient(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []int
		batch int
	}{
		{"linear", []int{3, 2}, 5},
		{"deep", []int{4, 6, 5, 7, 1}, 9},
		{"wide out", []int{2, 8, 3}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			d, err := NewDense[float64](tc.sizes, rng)
			if err != nil {
				t.Fatal(err)
			}
			for i := range d.params {
				if d.params[i] == 0 {
					d.params[i] = 0.1 * rng.NormFloat64()
				}
			}
			out := tc.sizes[len(tc.sizes)-1]
			x := randSlice(rng, tc.batch*tc.sizes[0])
			y := randSlice(rng, tc.batch*out)
			d.LossGrad(x, tc.batch, y)
			g := append([]float64(nil), d.Grads()...)
			const h = 1e-5
			var num, den float64
			for i := range d.params {
				orig := d.params[i]
				d.params[i] = orig + h
				lp := d.LossGrad(x, tc.batch, y)
				d.params[i] = orig - h
				lm := d.LossGrad(x, tc.batch, y)
				d.params[i] = orig
				fd := (lp - lm) / (2 * h)
				num += (fd - g[i]) * (fd - g[i])
				den += g[i] * g[i]
			}
			rel := math.Sqrt(num / den)
			t.Logf("%d parameters, relative gradient error %.2e", len(d.params), rel)
			if rel > 1e-6 {
				t.Errorf("relative gradient error %.2e > 1e-6", rel)
			}
		})
	}
}

func TestDenseParamCountAndErrors(t *testing.T) {
	// The reference regression network 8→4×256→1:
	// 8·256+256 + 3·(256·256+256) + 256+1 = 199,937.
	d, err := NewDense[float32]([]int{8, 256, 256, 256, 256, 1}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.NumParams(); got != 199937 {
		t.Errorf("NumParams = %d, want 199937", got)
	}
	for name, sizes := range map[string][]int{"one width": {3}, "zero width": {3, 0, 1}} {
		if _, err := NewDense[float64](sizes, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}
