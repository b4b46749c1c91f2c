package harness

import (
	"math"
	"reflect"
	"slices"
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

// The sample suite that make bench-ab times builds on is the full suite cut
// down: each of its experiments is full.toml's of the same id with only the
// sizes, seeds, steps, precision and data check changed, so that a speed-up
// measured on it is one on the full suite's own networks and problems.
func TestABSuiteSamplesFull(t *testing.T) {
	full, err := LoadSuite("suites/full.toml")
	if err != nil {
		t.Fatal(err)
	}
	ab, err := LoadSuite("suites/ab.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(ab.Experiments) == 0 {
		t.Fatal("suites/ab.toml: no experiments")
	}
	for _, e := range ab.Experiments {
		i := slices.IndexFunc(full.Experiments, func(f Experiment) bool { return f.ID == e.ID })
		if i < 0 {
			t.Errorf("suites/ab.toml: %s is not an experiment of suites/full.toml", e.ID)
			continue
		}
		want := full.Experiments[i]
		want.Sizes, want.Seeds, want.Training.Steps, want.Precision, want.DataCheck = e.Sizes, e.Seeds, e.Training.Steps, e.Precision, e.DataCheck
		if !reflect.DeepEqual(e, want) {
			t.Errorf("suites/ab.toml: %s differs from suites/full.toml's in more than sizes, seeds, steps, precision and data check:\n%+v\n%+v", e.ID, e, want)
		}
		if e.Precision == PrecisionAuto {
			t.Errorf("suites/ab.toml: %s has precision auto; fix it, so that both builds train the same runs", e.ID)
		}
	}
}
