package harness

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"opscale/bounds"
	"opscale/nets"
)

func synthetic(sizes []float64, seeds int, f func(x float64) float64, noise float64, rng *rand.Rand) []Point {
	pts := make([]Point, len(sizes))
	for i, x := range sizes {
		pts[i].Size = x
		for range seeds {
			v := f(x)
			if noise > 0 {
				v *= math.Exp(noise * rng.NormFloat64())
			}
			pts[i].Values = append(pts[i].Values, v)
		}
	}
	return pts
}

var sizes = []float64{32, 64, 128, 256, 512, 1024, 2048}

// clustered draws errors whose mean over seeds is exactly A·x^{−α}, with a
// per-seed factor shared across sizes: a level c_s and a tilt a_s·h(x), h
// running from −1 at the smallest size to 1 at the largest, so that each
// seed has its own slope, as runs that share data, initialisation and batch
// order do. An independent log-normal factor per run comes on top. Every
// factor has mean 1, so the true exponent of the expected error is α.
func clustered(sizes []float64, seeds int, A, alpha float64, rng *rand.Rand) []Point {
	const level, tilt, noise = 0.3, 0.4, 0.1
	lo, hi := math.Log(sizes[0]), math.Log(sizes[len(sizes)-1])
	pts := make([]Point, len(sizes))
	for i := range pts {
		pts[i].Size = sizes[i]
	}
	for s := range seeds {
		c := math.Exp(level*rng.NormFloat64() - level*level/2)
		a := tilt * (2*rng.Float64() - 1)
		for i, x := range sizes {
			h := 2*(math.Log(x)-lo)/(hi-lo) - 1
			v := A * math.Pow(x, -alpha) * c * (1 + a*h) * math.Exp(noise*rng.NormFloat64()-noise*noise/2)
			pts[i].Values = append(pts[i].Values, v)
			pts[i].Seeds = append(pts[i].Seeds, uint64(s))
		}
	}
	return pts
}

func TestFitClusterBootstrapCovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const trials, alpha = 200, 0.6
	whole, tail, local := 0, 0, 0
	for range trials {
		f, err := FitPowerLaw(clustered(sizes, 5, 3, alpha, rng), Mean)
		if err != nil {
			t.Fatal(err)
		}
		if f.Whole.CILo <= alpha && alpha <= f.Whole.CIHi {
			whole++
		}
		if f.CILo <= alpha && alpha <= f.CIHi {
			tail++
		}
		if l := f.Local[len(f.Local)/2]; l.CILo <= alpha && alpha <= l.CIHi {
			local++
		}
		if f.Flat {
			t.Errorf("a power law of exponent %g called flat: tail [%g, %g]", alpha, f.CILo, f.CIHi)
		}
	}
	t.Logf("95%% intervals, 5 seeds with a per-seed level and slope shared across sizes, %d trials: "+
		"whole range covered the true exponent in %.1f%%, tail in %.1f%%, middle local slope in %.1f%%",
		trials, 100*float64(whole)/trials, 100*float64(tail)/trials, 100*float64(local)/trials)
	for name, hits := range map[string]int{"whole-range": whole, "tail": tail, "local": local} {
		if hits < trials*9/10 {
			t.Errorf("%s interval covered the true exponent in %d of %d trials, want at least 90%%", name, hits, trials)
		}
	}
}

func TestFitExactPowerLaw(t *testing.T) {
	pts := synthetic(sizes, 3, func(x float64) float64 { return 2 * math.Pow(x, -0.4) }, 0, nil)
	f, err := FitPowerLaw(pts, Mean)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append([]Slope{f.Whole, f.Slope}, f.Local...) {
		if math.Abs(s.Exponent-0.4) > 1e-12 || math.Abs(s.LogA-math.Log(2)) > 1e-12 {
			t.Errorf("sizes %g…%g: exponent %.15f, ln A %.15f; want 0.4, ln 2", s.Lo, s.Hi, s.Exponent, s.LogA)
		}
		if math.Abs(s.CILo-0.4) > 1e-12 || math.Abs(s.CIHi-0.4) > 1e-12 {
			t.Errorf("sizes %g…%g: noiseless CI [%g, %g], want a point at 0.4", s.Lo, s.Hi, s.CILo, s.CIHi)
		}
	}
	if f.Whole.Lo != 32 || f.Whole.Hi != 2048 {
		t.Errorf("whole range [%g, %g]", f.Whole.Lo, f.Whole.Hi)
	}
	// The largest decade, 204.8…2048, holds 256…2048: four sizes.
	if f.Lo != 256 || f.Hi != 2048 {
		t.Errorf("tail [%g, %g], want [256, 2048]", f.Lo, f.Hi)
	}
	if len(f.Local) != len(sizes)-2 || f.Local[0].Lo != 32 || f.Local[0].Hi != 128 {
		t.Errorf("local windows %+v", f.Local)
	}
	if f.Flat {
		t.Error("a pure power law called flat")
	}
}

func TestTailWindow(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want int
	}{
		{[]float64{1, 2, 4}, 0},                                 // fewer than 4: all
		{[]float64{10, 20, 40, 80, 160, 320}, 2},                // decade holds 40…320: 4 = last 4
		{[]float64{10, 100, 200, 400, 800, 1000, 1200}, 2},      // decade 120…1200 holds 5 sizes
		{[]float64{1, 10, 100, 1000, 10000}, 1},                 // decade holds 2: the last 4 win
		{[]float64{100, 150, 200, 300, 400, 600, 800, 1000}, 0}, // all within a decade
	} {
		if got := tailWindow(tc.xs); got != tc.want {
			t.Errorf("tail of %v starts at index %d, want %d", tc.xs, got, tc.want)
		}
	}
}

func TestFitDetectsFloor(t *testing.T) {
	// The error falls as 1/x until it meets a floor at x = 200: the tail,
	// 256…2048, is flat and noisy. Its interval should contain 0 as often as
	// the intervals cover (at least 90%, TestFitClusterBootstrapCovers);
	// 40 of 50 leaves 3 binomial standard deviations below 45.
	rng := rand.New(rand.NewPCG(3, 3))
	const trials = 50
	found := 0
	for range trials {
		pts := synthetic(sizes, 5, func(x float64) float64 { return max(1/x, 5e-3) }, 0.2, rng)
		f, err := FitPowerLaw(pts, Mean)
		if err != nil {
			t.Fatal(err)
		}
		if f.Flat {
			found++
		}
		if f.Whole.CILo <= 0 {
			t.Errorf("whole range, which falls by a factor 6, called flat: [%g, %g]", f.Whole.CILo, f.Whole.CIHi)
		}
	}
	if found < 40 {
		t.Errorf("floor found in %d of %d trials, want at least 40", found, trials)
	}
}

func TestFitBrokenPowerLawIsNoFloor(t *testing.T) {
	// Slope 1, then 0.4 past x = 256, continuous, noiseless: concave on
	// log–log axes but never flat.
	broken := func(x float64) float64 {
		if x <= 256 {
			return 1 / x
		}
		return math.Pow(256, -0.6) * math.Pow(x, -0.4)
	}
	f, err := FitPowerLaw(synthetic(sizes, 3, broken, 0, nil), Mean)
	if err != nil {
		t.Fatal(err)
	}
	if f.Flat {
		t.Errorf("broken power law called a floor: tail %+v", f.Slope)
	}
	if math.Abs(f.Exponent-0.4) > 1e-12 {
		t.Errorf("tail exponent %.15f, want 0.4", f.Exponent)
	}
	if math.Abs(f.Local[0].Exponent-1) > 1e-12 || math.Abs(f.Local[len(f.Local)-1].Exponent-0.4) > 1e-12 {
		t.Errorf("local slopes %g … %g, want 1 … 0.4", f.Local[0].Exponent, f.Local[len(f.Local)-1].Exponent)
	}
	if !(f.Whole.Exponent > 0.4 && f.Whole.Exponent < 1) {
		t.Errorf("whole-range exponent %g, want between the two", f.Whole.Exponent)
	}
}

func TestFitMatchesSeedsAcrossMissingSizes(t *testing.T) {
	// Seed 3 is missing at the largest size (it diverged). The fit keeps
	// the size, with the seeds it has, and the interval stays finite.
	pts := clustered(sizes, 4, 1, 0.5, rand.New(rand.NewPCG(5, 5)))
	last := &pts[len(pts)-1]
	last.Values, last.Seeds = last.Values[:3], last.Seeds[:3]
	f, err := FitPowerLaw(pts, Mean)
	if err != nil {
		t.Fatal(err)
	}
	if f.Hi != 2048 || f.Clusters != 4 || math.IsInf(f.CIHi, 0) || !(f.CILo <= f.Exponent && f.Exponent <= f.CIHi) {
		t.Errorf("tail %+v over %d clusters", f.Slope, f.Clusters)
	}
	// Only replicates that drew seed 3 alone (4⁻⁴ of them) lack the size,
	// and the tail keeps three others then.
	if f.Short != 0 {
		t.Errorf("%d short replicates, want 0 (every slope keeps two sizes)", f.Short)
	}
	one, err := FitPowerLaw(synthetic(sizes, 1, func(x float64) float64 { return 1 / x }, 0, nil), Mean)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(one.CILo, -1) || !math.IsInf(one.CIHi, 1) {
		t.Errorf("one seed gave the interval [%g, %g], want no interval (±Inf)", one.CILo, one.CIHi)
	}
	if one.Flat {
		t.Error("one seed, with no interval, called flat")
	}
}

func TestFitBestAggregate(t *testing.T) {
	pts := []Point{{Size: 10, Values: []float64{5, 1, 3}}, {Size: 100, Values: []float64{0.2, 0.1, 0.9}}}
	f, err := FitPowerLaw(pts, Best)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.Exponent-1) > 1e-12 {
		t.Errorf("best-of-seeds exponent %g, want 1", f.Exponent)
	}
}

func TestFitRejectsBadPoints(t *testing.T) {
	for name, pts := range map[string][]Point{
		"one size":   {{Size: 10, Values: []float64{1}}},
		"zero error": {{Size: 10, Values: []float64{1}}, {Size: 20, Values: []float64{0}}},
		"no values":  {{Size: 10, Values: []float64{1}}, {Size: 20, Values: nil}},
		"decreasing": {{Size: 20, Values: []float64{1}}, {Size: 10, Values: []float64{1}}},
		"seeds":      {{Size: 10, Values: []float64{1}, Seeds: []uint64{1, 2}}, {Size: 20, Values: []float64{1}}},
	} {
		if _, err := FitPowerLaw(pts, Mean); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestDimensionSummaryComparesExponents(t *testing.T) {
	th, _ := bounds.Lookup("T-don-gen-low")
	mk := func(bu int, alphaHat float64) Analysis {
		alpha, _ := th.Exponent(bounds.Dims{BU: bu, D2: 1})
		return Analysis{Theorem: th, Dims: bounds.Dims{D1: 1, D2: 1, BU: bu}, Alpha: alpha,
			First: Run{Problem: fmt.Sprintf("tightness(K=%d)", bu)},
			Fit:   Fit{Slope: Slope{Exponent: alphaHat, CILo: alphaHat - 0.05, CIHi: alphaHat + 0.05}}}
	}
	var b bytes.Buffer
	dir := t.TempDir()
	rel := func(p string) string { return p }
	if err := writeDimensionSummary(&b, []Analysis{mk(4, 0.6), mk(2, 0.9), {Theorem: th, FitErr: fmt.Errorf("no fit")}}, dir, rel); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// 0.6/0.9 = 0.67 measured; (2/7)/(2/5) = 0.71 in theory.
	for _, want := range []string{"T-don-gen-low on tightness", "from b_U = 2 to 4", "factor 0.67", "by 0.71"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// The figures are the summary's: every fitted experiment stands beside
	// its theorem's curve, even one with nothing to compare with in the
	// table.
	b.Reset()
	if err := writeDimensionFigure(&b, []Analysis{mk(4, 0.6), mk(2, 0.9)}, dir, rel); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"exponent-dimension.svg", "exponent-measured-dimension.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not drawn: %v", f, err)
		}
	}
	b.Reset()
	writeDimensionSummary(&b, []Analysis{mk(2, 0.9)}, t.TempDir(), rel)
	if out := b.String(); strings.Contains(out, "from b_U") || strings.Contains(out, "α̂/α_T") {
		t.Errorf("a single experiment: want no table:\n%s", out)
	}
	// With no experiment on low-dimensional inputs there is nothing to say.
	b.Reset()
	writeDimensionSummary(&b, []Analysis{{Theorem: th, FitErr: fmt.Errorf("no fit")}}, t.TempDir(), rel)
	if b.Len() != 0 {
		t.Errorf("no fitted experiment got a dimension summary:\n%s", b.String())
	}
}

// A flat tail whose interval also holds the bound's exponent gets no verdict
// of "at the bound": it could not have come out otherwise. A tail that falls
// clearly keeps its verdict.
func TestFlatTailIsNoVerdict(t *testing.T) {
	mk := func(slope float64) []Run {
		var runs []Run
		for i, w := range []int{4, 8, 16, 32, 64, 128} {
			for s, f := range []float64{1, 8, 0.15} {
				// Seeds scatter by a factor up to 50 at every size, and
				// the order of the scatter changes with the size, so that
				// the tail's interval is wide.
				f = []float64{f, 1 / f, 3}[(i+s)%3]
				runs = append(runs, Run{Experiment: "e", Theorem: "T-don-approx-low", Sweep: "N", D1: 1, D2: 1, BU: 2,
					Size: w, Params: w * w * 10, Seed: uint64(s + 1),
					Metrics: nets.Metrics{MeanSup: f * math.Pow(float64(w*w*10), -slope), MeanSqL2: 1}})
			}
		}
		return runs
	}
	a := Analyze(mk(0))[0]
	if !a.Fit.Flat || a.Verdict != bounds.Uninformative || !a.FlatTail {
		t.Fatalf("flat tail %v [%v, %v]: flat %v, verdict %v", a.Fit.Exponent, a.Fit.CILo, a.Fit.CIHi, a.Fit.Flat, a.Verdict)
	}
	if d := strings.Join(a.Discussion(), " "); !strings.Contains(d, "cannot tell a decay at the bound from no decay") {
		t.Errorf("discussion does not say why: %s", d)
	}
	a = Analyze(mk(1))[0]
	if a.Fit.Flat || a.Verdict != bounds.FasterThanBound || a.FlatTail {
		t.Errorf("falling tail %v [%v, %v]: flat %v, verdict %v", a.Fit.Exponent, a.Fit.CILo, a.Fit.CIHi, a.Fit.Flat, a.Verdict)
	}
}
