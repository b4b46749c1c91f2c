package problems

import (
	"math"
	"math/rand/v2"
	"testing"
)

// On a subspace input the probe reads the coordinates exactly (discrete
// orthogonality of the sines), and the operator obeys its Lipschitz bound.
func TestTightnessProbe(t *testing.T) {
	op, err := NewOperator("tightness", Params{BU: 3, Grid: 256})
	if err != nil {
		t.Fatal(err)
	}
	p := op.(*Tightness)
	fam := mustFamily(t, "subspace", Params{BU: 3}).(*Subspace)
	rng := rand.New(rand.NewPCG(5, 5))
	y := Grid(65, 1)
	g1, g2 := make([]float64, len(y)), make([]float64, len(y))
	var worst float64
	for range 200 {
		c1, c2 := make([]float64, 3), make([]float64, 3)
		for k := range c1 {
			c1[k] = 2*rng.Float64() - 1
			// Nearby pairs probe the small scales where |sin| has its kinks.
			c2[k] = c1[k] + 1e-3*(2*rng.Float64()-1)
		}
		got := p.Coefficients(fam.Func(c1))
		for k := range c1 {
			if math.Abs(got[k]-c1[k]) > 1e-13 {
				t.Fatalf("coefficient %d: %.17g, want %.17g", k, got[k], c1[k])
			}
		}
		p.Apply(g1, fam.Func(c1), y)
		p.Apply(g2, fam.Func(c2), y)
		var dc float64
		for k := range c1 {
			dc += (c1[k] - c2[k]) * (c1[k] - c2[k])
		}
		for j := range y {
			if math.Abs(g1[j]) > 2 {
				t.Fatalf("|G| = %g > 2", g1[j])
			}
			worst = max(worst, math.Abs(g1[j]-g2[j])/math.Sqrt(dc))
		}
	}
	t.Logf("largest observed slope %.3f, bound %.3f", worst, p.Lipschitz())
	if worst > p.Lipschitz() {
		t.Errorf("observed slope %g above L_G = %g", worst, p.Lipschitz())
	}
	// Every level contributes slope π somewhere: the observed slope over
	// nearby pairs must exceed that of the coarsest term alone.
	if worst < math.Pi {
		t.Errorf("observed slope %g: the fine levels add no roughness", worst)
	}
	for _, bad := range []Params{{ProbeModes: -1}, {Levels: -1}, {BU: 2, Grid: 2}} {
		if _, err := NewOperator("tightness", bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
