package gemm

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestMain keeps the tests' measurements out of the user's cache.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "opscale-gemm-test")
	if err != nil {
		panic(err)
	}
	cacheDir = func() (string, error) { return dir, nil }
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// withCacheDir points the cache at a fresh folder for one test.
func withCacheDir(t *testing.T) string {
	dir := t.TempDir()
	saved := cacheDir
	cacheDir = func() (string, error) { return dir, nil }
	t.Cleanup(func() { cacheDir = saved })
	return dir
}

// checkValid fails unless every class of s has a set of this build and CPU,
// the same for both element types' lists.
func checkValid(t *testing.T, s *selection) {
	t.Helper()
	for c := range numClasses {
		if !slices.Contains(impls[float64](), s.f64[c]) || !slices.Contains(impls[float32](), s.f32[c]) {
			t.Fatalf("%s: class %s has a set this build does not offer", s.source, classNames[c])
		}
	}
}

// TestOverride checks that OPSCALE_GEMM, when it names a set this build and
// CPU have, is used for every product, and that any other value leaves the
// choice to measurement (or to the only candidate).
func TestOverride(t *testing.T) {
	withCacheDir(t)
	for _, want := range append([]string{"purego"}, setNames()...) {
		s := selectKernels(want)
		if s.source != EnvVar {
			t.Errorf("%s=%s: chosen by %q", EnvVar, want, s.source)
		}
		for c := range numClasses {
			if s.f64[c].name != want || s.f32[c].name != want {
				t.Errorf("%s=%s: class %s uses %s and %s", EnvVar, want, classNames[c], s.f64[c].name, s.f32[c].name)
			}
		}
	}
	for _, bad := range []string{"", "avx1024", "AVX2"} {
		s := selectKernels(bad)
		if s.source == EnvVar {
			t.Errorf("%s=%q taken as a set", EnvVar, bad)
		}
		checkValid(t, s)
	}
}

// TestPath checks that the selection in use is the one the environment
// calls for, and that Path names it.
func TestPath(t *testing.T) {
	env := os.Getenv(EnvVar)
	s := selected()
	checkValid(t, s)
	forced := env == "purego" || slices.Contains(setNames(), env)
	if forced && (Path() != env || s.source != EnvVar) {
		t.Fatalf("%s=%q: Path() = %q, chosen by %q", EnvVar, env, Path(), s.source)
	}
	if len(setNames()) == 0 && Path() != "purego" {
		t.Fatalf("no assembly: Path() = %q", Path())
	}
	if Selection() == "" {
		t.Fatal("Selection() is empty")
	}
}

// TestMeasurePicksAmongSets runs the measurement and checks that it chose,
// for every class, a set this CPU has, and that it recorded a time for every
// candidate, within the budget's order of magnitude.
func TestMeasurePicksAmongSets(t *testing.T) {
	if len(asmF64) < 2 {
		t.Skip("fewer than two assembly sets: nothing to measure")
	}
	s := measure()
	checkValid(t, s)
	if want := 2 * int(numClasses) * len(asmF64); len(s.micros) != want {
		t.Fatalf("%d timings, want %d: %v", len(s.micros), want, s.micros)
	}
	for k, us := range s.micros {
		if !(us > 0) || us > 1e6 {
			t.Errorf("timing %s = %v µs", k, us)
		}
	}
	t.Log(Selection())
}

// TestCache checks that a measured selection round-trips through the cache,
// and that a corrupt, foreign or outdated cache file is ignored.
func TestCache(t *testing.T) {
	if len(asmF64) < 2 {
		t.Skip("fewer than two assembly sets: nothing is cached")
	}
	withCacheDir(t)
	key := cacheKey()
	if key == "" {
		t.Skip("no CPU name on this system: nothing is cached")
	}
	// A selection no measurement is likely to make: the last set for small
	// products, the first for large ones.
	s := &selection{source: "measured", micros: map[string]float64{"float64/small/avx2": 1.5}}
	last := len(asmF64) - 1
	s.f64 = [numClasses]*impl[float64]{small: asmF64[last], large: asmF64[0]}
	s.f32 = [numClasses]*impl[float32]{small: asmF32[last], large: asmF32[0]}
	saveCache(key, s)
	got := loadCache(key)
	if got == nil {
		t.Fatal("saved selection not loaded back")
	}
	if got.source != "cached" || got.f64 != s.f64 || got.f32 != s.f32 || got.micros["float64/small/avx2"] != 1.5 {
		t.Fatalf("loaded %+v, saved %+v", got, s)
	}
	if sel := selectKernels(""); sel.source != "cached" || sel.f64 != s.f64 {
		t.Fatalf("selectKernels ignored the cache: %s", sel.source)
	}
	if loadCache(key+" other") != nil {
		t.Fatal("another key's file was taken")
	}

	path := cachePath(key)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"truncated":   good[:len(good)/2],
		"garbage":     []byte("\x00\xffnot json"),
		"empty":       nil,
		"foreign key": []byte(`{"key":"gemm kernels v0; elsewhere","choice":{}}`),
		"unknown set": []byte(`{"key":` + quote(key) + `,"choice":{"float64/small":"avx9000","float64/large":"avx2","float32/small":"avx2","float32/large":"avx2"}}`),
		"missing":     []byte(`{"key":` + quote(key) + `,"choice":{"float64/small":"avx2"}}`),
	} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if loadCache(key) != nil {
			t.Errorf("%s cache file accepted", name)
		}
		sel := selectKernels("")
		if sel.source != "measured" {
			t.Errorf("%s cache file: chosen by %q, want a fresh measurement", name, sel.source)
		}
		checkValid(t, sel)
		if sel.unsure {
			// Too loaded to decide: rightly not cached.
			if loadCache(key) != nil {
				t.Errorf("%s cache file: an unsure measurement was cached", name)
			}
		} else if loadCache(key) == nil {
			t.Errorf("%s cache file not replaced by the measurement", name)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".gemm-*")); len(matches) > 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}
}

func quote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestSetsBitIdentical checks what makes the choice of assembly set a matter
// of speed alone: every set gives the same bits, on shapes with edge tiles
// of every set's tile sizes, k beyond one k block, in-place and packed A,
// every transpose pair and general α and β, with and without an epilogue.
func TestSetsBitIdentical(t *testing.T) {
	if len(asmF64) < 2 {
		t.Skip("fewer than two assembly sets")
	}
	t.Run("float64", func(t *testing.T) { testSetsIdentical(t, asmF64) })
	t.Run("float32", func(t *testing.T) { testSetsIdentical(t, asmF32) })
}

func testSetsIdentical[T Float](t *testing.T, sets []*impl[T]) {
	rnd := rand.New(rand.NewPCG(11, 12))
	shapes := [][3]int{{1, 1, 1}, {7, 9, 5}, {13, 40, 100}, {150, 40, 40}, {37, 53, asmKC + 1}, {100, 130, 2*asmKC + 7}, {25, 300, 450}, {400, 17, 3}}
	for _, sh := range shapes {
		for tr := range 4 {
			for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-0.7, 0.3}} {
				m, n, k := sh[0], sh[1], sh[2]
				tA, tB := tr&1 != 0, tr&2 != 0
				ar, ac := m, k
				if tA {
					ar, ac = ac, ar
				}
				br, bc := k, n
				if tB {
					br, bc = bc, br
				}
				a := newMatrix[T](rnd, ar, ac, 1)
				b := newMatrix[T](rnd, br, bc, 2)
				c := newMatrix[T](rnd, m, n, 0)
				bias := newMatrix[T](rnd, 1, n, 0)
				for e, ep := range []Epilogue[T]{{}, {Bias: bias.view(), ReLU: true}} {
					var first []T
					for _, im := range sets {
						cc := slices.Clone(c.view())
						gemm(im, 1+tr%2, tA, tB, m, n, k, T(ab[0]), a.view(), a.ld, b.view(), b.ld, T(ab[1]), cc, c.ld, ep)
						if first == nil {
							first = cc
							continue
						}
						for i := range cc {
							if math.Float64bits(float64(cc[i])) != math.Float64bits(float64(first[i])) {
								t.Fatalf("%v tr=%d α,β=%v epilogue %d: %s gives c[%d] = %v, %s %v", sh, tr, ab, e, im.name, i, cc[i], sets[0].name, first[i])
							}
						}
					}
				}
			}
		}
	}
}

// FMAPeak must report a positive rate where there is an FMA loop, and one no
// core reaches by far: 8 lanes × 2 flops × 2 pipes at 10 GHz = 320 GFLOP/s.
func TestFMAPeak(t *testing.T) {
	pk := FMAPeak(1)
	if l, _ := widestFMALoop(); l == nil {
		if pk != 0 {
			t.Fatalf("no loop but FMAPeak = %v", pk)
		}
		return
	}
	if !(pk > 0) || pk > 320 {
		t.Fatalf("FMAPeak(1) = %v GFLOP/s", pk)
	}
	t.Logf("FMA peak: %.1f GFLOP/s per core", pk)
}

// decide keeps the preferred set unless another is clearly faster in both
// halves of the measurement.
func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		halves [2][]float64
		want   int
		sure   bool
	}{
		{[2][]float64{{100, 120}, {100, 130}}, 0, true}, // preferred faster
		{[2][]float64{{100, 80}, {100, 85}}, 1, true},   // other faster in both
		{[2][]float64{{100, 98}, {100, 99}}, 0, true},   // within the margin
		{[2][]float64{{100, 80}, {100, 130}}, 0, false}, // halves disagree
		{[2][]float64{{100, 80, 70}, {90, 85, 60}}, 2, true},
		{[2][]float64{{100, 80, 70}, {90, 60, 85}}, 0, false},
		{[2][]float64{{100}, {100}}, 0, true},
	} {
		got, sure := decide(tc.halves)
		if got != tc.want || sure != tc.sure {
			t.Errorf("decide(%v) = %d, %v; want %d, %v", tc.halves, got, sure, tc.want, tc.sure)
		}
	}
}
