package problems

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// A scattered set shares its input functions and its noise with the aligned
// set of the same seed, is the same on any number of threads, nests (n
// functions are a prefix of more), and holds at each function's own points
// exactly what the operator gives there.
func TestGenerateScattered(t *testing.T) {
	s := testSpec(t)
	const n, k = 30, 4
	a, err := GenerateScattered(s, n, k, 7, Train, 0)
	if err != nil {
		t.Fatal(err)
	}
	prev := runtime.GOMAXPROCS(1)
	b, err := GenerateScattered(s, n, k, 7, Train, 0)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.U, b.U) || !slices.Equal(a.Y, b.Y) || !slices.Equal(a.V, b.V) {
		t.Fatal("same seed, different data across thread counts")
	}
	aligned, _ := Generate(s, n, 7, Train, 0)
	if !slices.Equal(a.U, aligned.U) {
		t.Error("the scattered set's input functions differ from the aligned set's")
	}
	small, _ := GenerateScattered(s, 5, k, 7, Train, 0)
	if !slices.Equal(small.Y, a.Y[:5*k]) || !slices.Equal(small.V, a.V[:5*k]) {
		t.Error("the set of 5 functions is not a prefix of the set of 30")
	}
	// Each function has points of its own, inside [0,1], spread over it.
	for i := 1; i < n; i++ {
		if slices.Equal(a.Y[i*k:(i+1)*k], a.Y[:k]) {
			t.Fatalf("function %d has the points of function 0", i)
		}
	}
	lo, hi := slices.Min(a.Y), slices.Max(a.Y)
	if lo < 0 || hi > 1 || lo > 0.1 || hi < 0.9 {
		t.Errorf("%d uniform points span [%g, %g]", len(a.Y), lo, hi)
	}
	// The targets are G(u_i) at the points: compare with the operator
	// applied to function 3, which Generate's first 3 functions skip past.
	u := s.Family.Sample(rand.New(rand.NewPCG(7, functionStream(Train, 3))))
	want := make([]float64, k)
	if err := s.Operator.Apply(want, u, a.Y[3*k:4*k]); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(want, a.V[3*k:4*k]) {
		t.Errorf("targets of function 3 are %v, the operator gives %v", a.V[3*k:4*k], want)
	}
	// The noise is the aligned set's noise on the same function: the first
	// k draws of its noise stream.
	noisy, _ := GenerateScattered(s, n, k, 7, Train, 0.05)
	noisyAligned, _ := Generate(s, n, 7, Train, 0.05)
	for i := range n {
		for j := range k {
			got := noisy.V[i*k+j] - a.V[i*k+j]
			want := noisyAligned.V[i*aligned.P+j] - aligned.V[i*aligned.P+j]
			if math.Abs(got-want) > 1e-15 {
				t.Fatalf("noise on function %d point %d is %g, the aligned set's is %g", i, j, got, want)
			}
		}
	}
	if !slices.Equal(noisy.Y, a.Y) {
		t.Error("noise moved the points")
	}
}

// Poisson 2D takes its points in the unit square: two coordinates each.
func TestGenerateScattered2D(t *testing.T) {
	op, err := NewOperator("poisson2d", Params{Grid: 16})
	if err != nil {
		t.Fatal(err)
	}
	fam, err := NewFamily("subspace", Params{BU: 2, Dim: 2})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := GenerateScattered(Spec{Operator: op, Family: fam, Sensors: 5, Points: 5}, 3, 2, 1, Train, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ds.D2 != 2 || len(ds.Y) != 3*2*2 || len(ds.V) != 3*2 {
		t.Errorf("d2 = %d, %d point coordinates and %d targets for 3 functions at 2 points", ds.D2, len(ds.Y), len(ds.V))
	}
}

func TestGenerateScatteredRejects(t *testing.T) {
	s := testSpec(t)
	for name, f := range map[string]func() error{
		"no points":  func() error { _, err := GenerateScattered(s, 3, 0, 1, Train, 0); return err },
		"no funcs":   func() error { _, err := GenerateScattered(s, 0, 2, 1, Train, 0); return err },
		"neg noise":  func() error { _, err := GenerateScattered(s, 3, 2, 1, Train, -1); return err },
		"test split": func() error { _, err := GenerateScattered(s, 3, 2, 1, Test, 0); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
