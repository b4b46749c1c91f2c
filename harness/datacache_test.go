package harness

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"opscale/problems"
)

// firstExperiment loads the suite in body and returns its first experiment
// and that experiment's problem spec.
func firstExperiment(t *testing.T, body string) (*Experiment, problems.Spec) {
	t.Helper()
	s, err := LoadSuite(writeSuite(t, body))
	if err != nil {
		t.Fatal(err)
	}
	e := &s.Experiments[0]
	spec, err := e.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return e, spec
}

// A set served from the cache, whole or as the prefix of a larger one, is
// the set Generate returns for that many functions, and a caller cannot
// write past its end into the cached functions.
func TestDataCacheServesWhatGenerateDoes(t *testing.T) {
	e, spec := firstExperiment(t, tinySuite)
	c := newDataCache()
	for _, n := range []int{30, 12, 30, 7} {
		got, err := c.dataset(e, spec, n, 3, problems.Train, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		want, err := problems.Generate(spec, n, 3, problems.Train, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		if got.N != n || !slices.Equal(got.U, want.U) || !slices.Equal(got.V, want.V) ||
			!slices.Equal(got.X, want.X) || !slices.Equal(got.Y, want.Y) {
			t.Errorf("n = %d: cached set differs from a generated one", n)
		}
		if cap(got.U) != len(got.U) || cap(got.V) != len(got.V) {
			t.Errorf("n = %d: the prefix can grow into the cached functions", n)
		}
	}
	if len(c.entries) != 1 {
		t.Errorf("%d entries for one seed and split, want 1", len(c.entries))
	}

	sc, err := c.scattered(e, spec, 5, 3, 3, problems.Train, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.scattered(e, spec, 9, 3, 3, problems.Train, 0.01); err != nil {
		t.Fatal(err)
	}
	sc, err = c.scattered(e, spec, 5, 3, 3, problems.Train, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	want, err := problems.GenerateScattered(spec, 5, 3, 3, problems.Train, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if sc.N != 5 || !slices.Equal(sc.U, want.U) || !slices.Equal(sc.Y, want.Y) || !slices.Equal(sc.V, want.V) {
		t.Error("scattered prefix differs from a generated set")
	}

	// Other seeds, splits, noise levels and points per function are other
	// sets.
	for _, k := range []string{
		e.dataKey("aligned", 4, problems.Train, 0.01),
		e.dataKey("aligned", 3, problems.Validation, 0.01),
		e.dataKey("aligned", 3, problems.Train, 0.02),
		e.dataKey("scattered 3", 3, problems.Train, 0.01),
	} {
		if k == e.dataKey("aligned", 3, problems.Train, 0.01) {
			t.Errorf("key %s collides", k)
		}
	}
	// The network and the training are not part of the data.
	f := *e
	f.ID, f.Training.Steps, f.Network.Branch = "other", 99, []int{3}
	if f.dataKey("aligned", 3, problems.Train, 0.01) != e.dataKey("aligned", 3, problems.Train, 0.01) {
		t.Error("the network or training settings changed the data key")
	}
	f = *e
	f.BU = 3
	if f.dataKey("aligned", 3, problems.Train, 0.01) == e.dataKey("aligned", 3, problems.Train, 0.01) {
		t.Error("another input family has the same data key")
	}
}

func TestDataCacheRegressionPrefix(t *testing.T) {
	e := &Experiment{Regression: &Regression{Target: "smooth", Domain: "cube", D: 2, TargetSeed: 1}}
	reg, err := e.regressionProblem()
	if err != nil {
		t.Fatal(err)
	}
	c := newDataCache()
	if _, err := c.regression(e, reg, 40, 2, problems.Train, 0.1); err != nil {
		t.Fatal(err)
	}
	got, err := c.regression(e, reg, 15, 2, problems.Train, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	want, err := reg.Sample(15, 2, problems.Train, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if got.N != 15 || !slices.Equal(got.X, want.X) || !slices.Equal(got.Y, want.Y) {
		t.Error("regression prefix differs from a sampled set")
	}
}

// Workers asking for one set at once generate it once; a request for more
// functions than are held generates the larger set; an error is returned
// and not kept.
func TestDataCacheGeneratesOnce(t *testing.T) {
	c := newDataCache()
	var calls atomic.Int32
	gen := func() (any, int64, error) {
		calls.Add(1)
		return "set", 8, nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.get("k", 10, gen); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("generated %d times, want once", n)
	}
	c.get("k", 5, gen)
	if n := calls.Load(); n != 1 {
		t.Errorf("a smaller request generated again (%d calls)", n)
	}
	c.get("k", 11, gen)
	if n := calls.Load(); n != 2 {
		t.Errorf("a larger request did not generate (%d calls)", n)
	}
	if c.used != 8 {
		t.Errorf("%d bytes counted after a replacement, want 8", c.used)
	}

	boom := errors.New("boom")
	if _, err := c.get("bad", 1, func() (any, int64, error) { return nil, 0, boom }); !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	if _, ok := c.entries["bad"]; ok {
		t.Error("a failed generation was kept")
	}
}

// Past its limit the cache lets go of the sets used longest ago.
func TestDataCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newDataCache()
	c.limit = 20
	gen := func() (any, int64, error) { return "set", 8, nil }
	c.get("a", 1, gen)
	c.get("b", 1, gen)
	c.get("a", 1, gen) // a is now the more recent
	c.get("c", 1, gen) // 24 bytes: b goes
	if _, ok := c.entries["b"]; ok {
		t.Error("b, the least recently used, was kept")
	}
	if _, ok := c.entries["a"]; !ok {
		t.Error("a was dropped")
	}
	if c.used != 16 {
		t.Errorf("%d bytes held, want 16", c.used)
	}
}
