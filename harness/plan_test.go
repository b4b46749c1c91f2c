package harness

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opscale/nets"
)

// writePlanDir writes U (n×m), Y (p×1), V (n×p) and, if x, X (m×1) with
// smooth finite values, then applies edit to the matrices before writing.
func writePlanDir(t *testing.T, n, m, p int, x bool, edit func(name string, v []float64)) string {
	t.Helper()
	dir := t.TempDir()
	mats := []struct {
		name string
		r, c int
	}{{"U.npy", n, m}, {"Y.npy", p, 1}, {"V.npy", n, p}}
	if x {
		mats = append(mats, struct {
			name string
			r, c int
		}{"X.npy", m, 1})
	}
	for _, mt := range mats {
		v := make([]float64, mt.r*mt.c)
		for i := range v {
			v[i] = math.Sin(float64(i) * 0.37)
		}
		if edit != nil {
			edit(mt.name, v)
		}
		if err := planWriteNPY(filepath.Join(dir, mt.name), mt.r, mt.c, v); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadPlanDataErrors(t *testing.T) {
	need := PlanMinFunctions()
	cases := []struct {
		name string
		dir  func(t *testing.T) string
		want []string // substrings the error must hold; nil: no error
	}{
		{"good, no X", func(t *testing.T) string { return writePlanDir(t, need, 5, 7, false, nil) }, nil},
		{"good, with X", func(t *testing.T) string { return writePlanDir(t, need, 5, 7, true, nil) }, nil},
		{"missing dir", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, []string{"U.npy", "not found", "np.save"}},
		{"U rows ≠ V rows", func(t *testing.T) string {
			d := writePlanDir(t, need, 5, 7, false, nil)
			if err := planWriteNPY(filepath.Join(d, "V.npy"), need-1, 7, make([]float64, (need-1)*7)); err != nil {
				t.Fatal(err)
			}
			return d
		}, []string{"U.npy is 160×5", "V.npy is 159×7", "one row per function"}},
		{"V cols ≠ Y rows", func(t *testing.T) string {
			d := writePlanDir(t, need, 5, 7, false, nil)
			if err := planWriteNPY(filepath.Join(d, "Y.npy"), 6, 1, make([]float64, 6)); err != nil {
				t.Fatal(err)
			}
			return d
		}, []string{"V.npy is 160×7", "Y.npy is 6×1"}},
		{"X rows ≠ U cols", func(t *testing.T) string {
			d := writePlanDir(t, need, 5, 7, false, nil)
			if err := planWriteNPY(filepath.Join(d, "X.npy"), 4, 1, make([]float64, 4)); err != nil {
				t.Fatal(err)
			}
			return d
		}, []string{"U.npy is 160×5", "X.npy is 4×1"}},
		{"NaN in V", func(t *testing.T) string {
			return writePlanDir(t, need, 5, 7, false, func(name string, v []float64) {
				if name == "V.npy" {
					v[3*7+5] = math.NaN()
				}
			})
		}, []string{"V.npy (160×7)", "[3, 5]", "NaN"}},
		{"Inf in U", func(t *testing.T) string {
			return writePlanDir(t, need, 5, 7, false, func(name string, v []float64) {
				if name == "U.npy" {
					v[12] = math.Inf(-1)
				}
			})
		}, []string{"U.npy (160×5)", "[2, 2]", "-Inf"}},
		{"too few functions", func(t *testing.T) string { return writePlanDir(t, need-1, 5, 7, false, nil) },
			[]string{"159 functions", "at least 160"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := LoadPlanData(c.dir(t))
			if err == nil {
				err = d.Check()
			}
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one holding %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestPlanMinFunctions(t *testing.T) {
	need := PlanMinFunctions()
	train, test := planSplitSizes(need)
	if train < planMinSubset<<(planMinSizes-1) || test < planMinTest {
		t.Fatalf("%d functions split %d/%d: too few for %d sizes from %d and %d tests", need, train, test, planMinSizes, planMinSubset, planMinTest)
	}
	if tr, _ := planSplitSizes(need - 1); tr >= planMinSubset<<(planMinSizes-1) {
		t.Fatalf("%d functions already suffice", need-1)
	}
}

// TestPlanStopsBeforeTraining: bad budgets and too few functions fail with
// errors that say what is needed, and no grid run starts.
func TestPlanStopsBeforeTraining(t *testing.T) {
	dir := writePlanDir(t, 400, 8, 16, false, nil)
	d, err := LoadPlanData(dir)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	_, err = Plan(d, PlanConfig{Budget: time.Millisecond, Log: &log})
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("budget 1ms: got %v, want ErrBudget", err)
	}
	for _, w := range []string{"-budget 1ms", "minimal grid", "use -budget"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if strings.Contains(log.String(), "[2/4]") {
		t.Errorf("training started:\n%s", log.String())
	}
	small := &PlanData{N: 100, M: d.M, P: d.P, D2: 1, U: d.U[:100*d.M], Y: d.Y, V: d.V[:100*d.P], Source: "small"}
	if _, err := Plan(small, PlanConfig{Budget: time.Hour}); err == nil || !strings.Contains(err.Error(), "needs at least 160") {
		t.Fatalf("100 functions: got %v", err)
	}
	for _, c := range []PlanConfig{{Budget: time.Hour, Seeds: 2}, {Budget: time.Hour, Target: -1}, {Budget: time.Hour, Metric: "l1"}, {}} {
		if _, err := Plan(d, c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}

func TestPlanParamsAndFlopsMatchNets(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range [][3]int{{1, 1, 1}, {32, 1, 8}, {7, 2, 13}, {100, 3, 64}} {
		m, d2, w := c[0], c[1], c[2]
		net, err := nets.NewDeepONet[float64](planNetConfig(m, d2, w), rng)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := planParams(m, d2, w), net.NumParams(); got != want {
			t.Errorf("m=%d d2=%d w=%d: planParams %d, nets %d", m, d2, w, got, want)
		}
		if got := planWidthFor(m, d2, float64(net.NumParams())); math.Abs(got-float64(w)) > 1e-9*float64(w) {
			t.Errorf("width for %d params: %g, want %d", net.NumParams(), got, w)
		}
		for _, n := range []int{1, 5, 32} {
			if got, want := planFlops(m, 17, d2, w)(n), net.Flops(n, 17); got != want {
				t.Errorf("flops m=%d d2=%d w=%d n=%d: %g, nets %g", m, d2, w, n, got, want)
			}
		}
	}
}

// lawGridPoints returns the planner's L-shaped grid (model sweep at the
// largest n, data sweep at the largest N) with the law's values times
// per-seed factors.
func lawGridPoints(l JointLaw, seedFactors []float64) []lawPoint {
	var pts []lawPoint
	for _, k := range []float64{1.0 / 64, 1.0 / 16, 1.0 / 4, 1} {
		N := k * l.N0
		pts = append(pts, lawPoint{N: N, D: l.D0, Values: scaled(l.At(N, l.D0), seedFactors)})
	}
	for _, k := range []float64{1.0 / 8, 1.0 / 4, 1.0 / 2} {
		D := k * l.D0
		pts = append(pts, lawPoint{N: l.N0, D: D, Values: scaled(l.At(l.N0, D), seedFactors)})
	}
	return pts
}

func scaled(e float64, f []float64) []float64 {
	out := make([]float64, len(f))
	for i, x := range f {
		out[i] = e * x
	}
	return out
}

func TestFitJointLawRecoversExactLaw(t *testing.T) {
	for _, truth := range []JointLaw{
		{A: 0.02, AlphaN: 0.5, B: 0.01, AlphaD: 0.35, C: 0.001, N0: 7e4, D0: 800},
		{A: 0.003, AlphaN: 1.2, B: 0.05, AlphaD: 0.8, C: 0, N0: 2e4, D0: 400},
		{A: 0.1, AlphaN: 0.3, B: 0.02, AlphaD: 1.5, C: 0.01, N0: 1e5, D0: 3000},
	} {
		got, err := fitJointLaw(lawGridPoints(truth, []float64{1, 1, 1}), truth.N0, truth.D0)
		if err != nil {
			t.Fatal(err)
		}
		// Noiseless data: only the exponent scan's resolution separates the
		// fit from the truth; a residual-optimal grid point lies within one
		// fine step of it in each exponent.
		if math.Abs(got.AlphaN-truth.AlphaN) > lawFineStep || math.Abs(got.AlphaD-truth.AlphaD) > lawFineStep {
			t.Errorf("truth %+v: fitted exponents %.4f, %.4f", truth, got.AlphaN, got.AlphaD)
		}
		// The fit's error at the 4× extrapolations follows the truth to
		// within what one fine step of exponent moves a term over a factor 4
		// (ln 4 · step, relative), plus the same for the sizes fitted.
		for _, k := range [][2]float64{{4, 1}, {1, 4}, {2, 2}} {
			e, f := truth.At(k[0]*truth.N0, k[1]*truth.D0), got.At(k[0]*truth.N0, k[1]*truth.D0)
			if tol := 3 * math.Log(64) * lawFineStep; math.Abs(f-e)/e > tol {
				t.Errorf("truth %+v at %v: law %.4g, fit %.4g (tolerance %.3g)", truth, k, e, f, tol)
			}
		}
	}
}

// TestLawNNLSIsOptimal checks the Karush–Kuhn–Tucker conditions of the
// non-negative least-squares step on random problems: zero gradient along
// the positive coefficients, a non-negative one along those at zero.
func TestLawNNLSIsOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		n := 4 + rng.IntN(6)
		lx, ly, es := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			lx[i], ly[i] = -4*rng.Float64(), -3*rng.Float64()
			es[i] = math.Exp(-5 * rng.Float64())
		}
		an, ad := 0.1+2*rng.Float64(), 0.1+2*rng.Float64()
		a, b, c, _ := lawNNLS(lx, ly, es, an, ad)
		coef := [3]float64{a, b, c}
		var g [3]float64
		var scale float64
		for i := range n {
			col := [3]float64{math.Exp(-an*lx[i]) / es[i], math.Exp(-ad*ly[i]) / es[i], 1 / es[i]}
			r := col[0]*a + col[1]*b + col[2]*c - 1
			for k := range 3 {
				g[k] += col[k] * r
				scale = max(scale, math.Abs(col[k]))
			}
		}
		// The gradient of a solution exact up to rounding is at the level of
		// ε times the Gram matrix's size times the coefficients'.
		tol := 1e-8 * scale * scale * float64(n) * (1 + a + b + c)
		for k := range 3 {
			if coef[k] < 0 || (coef[k] > 0 && math.Abs(g[k]) > tol) || (coef[k] == 0 && g[k] < -tol) {
				t.Fatalf("trial %d: coefficients %v, gradient %v (tolerance %g)", trial, coef, g, tol)
			}
		}
	}
}

func TestBootstrapLaw(t *testing.T) {
	truth := JointLaw{A: 0.02, AlphaN: 0.5, B: 0.01, AlphaD: 0.35, C: 0.001, N0: 7e4, D0: 800}
	// Identical seeds: every replicate is the point fit, so the intervals
	// collapse onto it.
	reps := bootstrapLaw(lawGridPoints(truth, []float64{1, 1, 1}), 3, truth.N0, truth.D0, 1)
	if len(reps) != lawReps {
		t.Fatalf("%d replicates, want %d", len(reps), lawReps)
	}
	point, _ := fitJointLaw(lawGridPoints(truth, []float64{1, 1, 1}), truth.N0, truth.D0)
	iv := intervalOf(point.At(2*truth.N0, truth.D0), reps, func(l JointLaw) float64 { return l.At(2*truth.N0, truth.D0) })
	if iv.Lo != iv.V || iv.Hi != iv.V {
		t.Errorf("identical seeds: interval %+v is not a point", iv)
	}
	// Seeds that differ by a common factor each: the mean-of-seeds error of a
	// replicate is the law times the replicate's mean factor, so the
	// interval of a prediction must lie within the smallest and largest
	// factor times the law.
	f := []float64{0.8, 1, 1.3}
	reps = bootstrapLaw(lawGridPoints(truth, f), 3, truth.N0, truth.D0, 1)
	e := truth.At(4*truth.N0, truth.D0)
	iv = intervalOf(e, reps, func(l JointLaw) float64 { return l.At(4*truth.N0, truth.D0) })
	slack := 1 + 3*math.Log(64)*lawFineStep
	if iv.Lo < 0.8*e/slack || iv.Hi > 1.3*e*slack || iv.Hi-iv.Lo < 0.1*e {
		t.Errorf("interval [%g, %g] for %g: want a spread within [0.8, 1.3]×", iv.Lo, iv.Hi, e)
	}
}

func TestLawAnswers(t *testing.T) {
	l := JointLaw{A: 1, AlphaN: 1, B: 0, AlphaD: 1, C: 0, N0: 10, D0: 10}
	if k := l.halvingFactor(false); math.Abs(k-2) > 1e-12 {
		t.Errorf("e = N^-1: halving factor %g, want 2", k)
	}
	if k := l.halvingFactor(true); !math.IsInf(k, 1) {
		t.Errorf("no data term: data halving factor %g, want +Inf", k)
	}
	l = JointLaw{A: 0, AlphaN: 1, B: 1, AlphaD: 0.5, C: 0, N0: 10, D0: 10}
	if k := l.halvingFactor(true); math.Abs(k-4) > 1e-12 {
		t.Errorf("e = n^-1/2: halving factor %g, want 4", k)
	}
	l = JointLaw{A: 0.02, AlphaN: 0.5, B: 0.01, AlphaD: 0.35, C: 0.001, N0: 7e4, D0: 800}
	for _, data := range []bool{false, true} {
		k := l.halvingFactor(data)
		if math.IsInf(k, 1) {
			if term := map[bool]float64{false: l.A, true: l.B}[data]; term > l.At(l.N0, l.D0)/2 {
				t.Errorf("data=%v: term %g above half the error, yet no halving factor", data, term)
			}
			continue
		}
		N, D := l.N0*k, l.D0
		if data {
			N, D = l.N0, l.D0*k
		}
		if got, want := l.At(N, D), l.At(l.N0, l.D0)/2; math.Abs(got-want) > 1e-12*want {
			t.Errorf("data=%v: error after ×%g is %g, want half, %g", data, k, got, want)
		}
	}
	target := 0.005
	kN, kD := l.sizesFor(target)
	if got := l.At(kN*l.N0, kD*l.D0); math.Abs(got-target) > 1e-12 {
		t.Errorf("sizes for %g reach %g", target, got)
	}
	if k := l.alone(target, true); !math.IsInf(k, 1) {
		t.Errorf("data alone cannot pass A + c = 0.021, got ×%g", k)
	}
	if k := l.alone(0.015, false); math.Abs(l.At(k*l.N0, l.D0)-0.015) > 1e-12 {
		t.Errorf("parameters alone ×%g give %g", k, l.At(k*l.N0, l.D0))
	}
	if kN, _ := l.sizesFor(0.0009); !math.IsInf(kN, 1) {
		t.Errorf("target under the floor reachable with ×%g", kN)
	}
}

func TestSizeGridFitsTheBudget(t *testing.T) {
	cost := planCost{Overhead: 2e-4, PerFlop: 1e-9}
	for _, n := range []int{200, 1000, 20000} {
		d := &PlanData{N: n, M: 32, P: 64, D2: 1, Source: "synthetic"}
		for _, left := range []float64{5, 30, 120, 600} {
			cfg := &PlanConfig{Budget: time.Duration(left) * time.Second, Seeds: 3}
			g, c, err := sizeGrid(d, cfg, cost, left)
			if err != nil {
				if !errors.Is(err, ErrBudget) {
					t.Fatalf("n=%d, %gs: %v", n, left, err)
				}
				// The minimal grid must indeed not fit.
				all := []int{}
				train, test := planSplitSizes(n)
				for k := train; k >= planMinSubset; k /= 2 {
					all = append([]int{k}, all...)
				}
				minimal := planGrid{Widths: planWidthLadders[len(planWidthLadders)-1], DataSizes: all[:planMinSizes], Seeds: 3, Steps: planMinSteps, Test: test}
				if cost.grid(d, minimal) <= left {
					t.Errorf("n=%d, %gs: refused, yet the minimal grid costs %g", n, left, cost.grid(d, minimal))
				}
				continue
			}
			if c > left || cost.grid(d, g) != c {
				t.Errorf("n=%d, %gs: grid %+v costs %g", n, left, g, c)
			}
			if len(g.DataSizes) < planMinSizes || g.Steps < planMinSteps || g.Seeds != 3 {
				t.Errorf("n=%d, %gs: grid %+v below the minimum", n, left, g)
			}
		}
	}
}
