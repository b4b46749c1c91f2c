package harness

import (
	"math"
	"testing"
)

// The committed suites load, and their regression experiments meet the
// protocol of DESIGN.md §5: at least 6 sizes over at least 1.5 decades of
// the swept variable (n, or N for a model sweep), and at least 3 seeds. A bad
// field would otherwise stop `make bench` only when it reached it.
func TestCommittedSuitesLoad(t *testing.T) {
	for _, p := range []string{"suites/full.toml", "suites/quick.toml"} {
		s, err := LoadSuite(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range s.Experiments {
			g := e.Regression
			if g == nil {
				continue
			}
			if len(e.Sizes) < 6 || len(e.Seeds) < 3 {
				t.Errorf("%s: %s has %d sizes and %d seeds, want ≥ 6 and ≥ 3", p, e.ID, len(e.Sizes), len(e.Seeds))
			}
			x := func(size int) float64 { return float64(size) }
			if e.Sweep == "N" {
				in := g.Ambient
				if in == 0 {
					in = g.D
				}
				// Dense ReLU network: input, Depth hidden layers of width w, one output.
				x = func(w int) float64 { return float64((in+1)*w + (g.Depth-1)*(w+1)*w + w + 1) }
			}
			if span := math.Log10(x(e.Sizes[len(e.Sizes)-1]) / x(e.Sizes[0])); span < 1.5 {
				t.Errorf("%s: %s spans %.2f decades of %s, want ≥ 1.5", p, e.ID, span, e.Sweep)
			}
		}
	}
}
