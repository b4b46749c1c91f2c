package problems

import (
	"math"
	"runtime"
	"slices"
	"testing"
)

func testSpec(t *testing.T) Spec {
	t.Helper()
	op, err := NewOperator("poisson1d", Params{Grid: 256})
	if err != nil {
		t.Fatal(err)
	}
	fam, err := NewFamily("subspace", Params{BU: 2})
	if err != nil {
		t.Fatal(err)
	}
	return Spec{Operator: op, Family: fam, Sensors: 17, Points: 9}
}

func TestGenerateIsPureAndNested(t *testing.T) {
	s := testSpec(t)
	a, err := Generate(s, 40, 7, Train, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	b, err := Generate(s, 40, 7, Train, 0.01)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.U, b.U) || !slices.Equal(a.V, b.V) {
		t.Fatal("same seed, different data across thread counts")
	}
	small, _ := Generate(s, 10, 7, Train, 0.01)
	if !slices.Equal(small.U, a.U[:10*a.M]) || !slices.Equal(small.V, a.V[:10*a.P]) {
		t.Error("the set of 10 functions is not a prefix of the set of 40")
	}
	other, _ := Generate(s, 10, 8, Train, 0.01)
	if slices.Equal(other.U, small.U) {
		t.Error("seeds 7 and 8 gave the same functions")
	}
	test, _ := Generate(s, 10, 7, Test, 0)
	if slices.Equal(test.U, small.U) {
		t.Error("test split repeats the training functions")
	}
	val, _ := Generate(s, 10, 7, Validation, 0.01)
	for i := range 10 {
		for j := range 10 {
			if slices.Equal(val.U[i*val.M:(i+1)*val.M], small.U[j*small.M:(j+1)*small.M]) ||
				slices.Equal(val.U[i*val.M:(i+1)*val.M], test.U[j*test.M:(j+1)*test.M]) {
				t.Fatalf("validation function %d repeats a training or test function", i)
			}
		}
	}
}

// GenerateInputs gives the inputs of Generate, bit for bit, whatever the
// noise and split, and whatever operator shares the family.
func TestGenerateInputsMatchesGenerate(t *testing.T) {
	s := testSpec(t)
	other, err := NewOperator("antiderivative", Params{})
	if err != nil {
		t.Fatal(err)
	}
	for _, split := range []Split{Train, Validation, Test} {
		sigma := 0.05
		if split == Test {
			sigma = 0
		}
		full, err := Generate(s, 23, 5, split, sigma)
		if err != nil {
			t.Fatal(err)
		}
		u, m, err := GenerateInputs(s, 23, 5, split)
		if err != nil || m != full.M || !slices.Equal(u, full.U) {
			t.Fatalf("split %v: inputs differ from Generate's (err %v)", split, err)
		}
		s2 := s
		s2.Operator = other
		if u2, _, err := GenerateInputs(s2, 23, 5, split); err != nil || !slices.Equal(u2, u) {
			t.Fatalf("split %v: another operator on the same family drew other inputs (err %v)", split, err)
		}
	}
	if _, _, err := GenerateInputs(s, 0, 5, Train); err == nil {
		t.Error("GenerateInputs of 0 functions: no error")
	}
}

func TestGenerateNoiseOnTargetsOnly(t *testing.T) {
	s := testSpec(t)
	clean, _ := Generate(s, 200, 3, Train, 0)
	noisy, _ := Generate(s, 200, 3, Train, 0.05)
	if !slices.Equal(clean.U, noisy.U) {
		t.Fatal("noise changed the inputs")
	}
	var sum, sq float64
	for i := range clean.V {
		d := noisy.V[i] - clean.V[i]
		sum += d
		sq += d * d
	}
	n := float64(len(clean.V))
	sd := math.Sqrt(sq/n - (sum/n)*(sum/n))
	// 1800 draws: the sample sd is within 10% of σ with overwhelming odds.
	if math.Abs(sd-0.05) > 0.005 {
		t.Errorf("noise sd %.4f, want 0.05", sd)
	}
	if _, err := Generate(s, 5, 3, Test, 0.1); err == nil {
		t.Error("noisy test set accepted")
	}
}

func TestGenerateRejectsBadInput(t *testing.T) {
	s := testSpec(t)
	for name, tc := range map[string]struct {
		s Spec
		n int
	}{
		"n=0":       {s, 0},
		"n<0":       {s, -3},
		"sensors=1": {Spec{s.Operator, s.Family, 1, 9}, 5},
		"points=0":  {Spec{s.Operator, s.Family, 9, 0}, 5},
		"no family": {Spec{s.Operator, nil, 9, 9}, 5},
	} {
		if _, err := Generate(tc.s, tc.n, 1, Train, 0); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestGrid(t *testing.T) {
	g := Grid(3, 2)
	want := []float64{0, 0, 0, 0.5, 0, 1, 0.5, 0, 0.5, 0.5, 0.5, 1, 1, 0, 1, 0.5, 1, 1}
	if !slices.Equal(g, want) {
		t.Errorf("Grid(3,2) = %v, want %v", g, want)
	}
}
