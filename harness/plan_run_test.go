package harness

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"opscale/nets"
	"opscale/problems"
)

// syntheticPlan builds a plan whose runs follow law exactly, times a
// per-seed factor, on the planner's usual grid.
func syntheticPlan(law JointLaw, target float64, factors []float64) *PlanResult {
	const m, d2 = 32, 1
	g := planGrid{Widths: []int{8, 16, 32, 64, 128}, DataSizes: []int{25, 50, 100, 200, 400, 800}, Seeds: len(factors), Steps: 1}
	law.N0, law.D0 = float64(planParams(m, d2, 128)), 800
	r := &PlanResult{Source: "synthetic", N: 1000, M: m, P: 64, D2: d2, Metric: MetricRelL2, Target: target, Grid: g}
	for _, run := range g.runs() {
		run.Params = planParams(m, d2, run.Width)
		run.Err = law.At(float64(run.Params), float64(run.N)) * factors[run.SeedIdx]
		run.RelL2 = run.Err
		r.Runs = append(r.Runs, run)
	}
	return r
}

func TestPlanAnswersOnAFloor(t *testing.T) {
	r := syntheticPlan(JointLaw{A: 0.002, AlphaN: 0.6, B: 0.003, AlphaD: 0.5, C: 0.02}, 1e-3, []float64{0.97, 1, 1.04})
	r.analyse(1)
	if r.LawErr != nil {
		t.Fatal(r.LawErr)
	}
	text := strings.Join(r.answers(), "\n")
	if !strings.Contains(text, "not reachable: floor at c = 0.02") {
		t.Errorf("target under the floor: answers say\n%s", text)
	}
	if !strings.Contains(text, "no growth of data or parameters halves it") {
		t.Errorf("floor above half the error: answers say\n%s", text)
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "sits on a floor") {
		t.Errorf("no floor warning: %q", r.Warnings)
	}
}

func TestPlanAnswersReachable(t *testing.T) {
	truth := JointLaw{A: 0.02, AlphaN: 0.5, B: 0.01, AlphaD: 0.4, C: 0}
	r := syntheticPlan(truth, 2e-3, []float64{0.95, 1, 1.05})
	r.analyse(1)
	if r.LawErr != nil {
		t.Fatal(r.LawErr)
	}
	tp := r.TargetPlan
	if tp == nil || !tp.Reachable {
		t.Fatalf("target 2e-3 with no floor: %+v", tp)
	}
	// The fitted law, evaluated at the sizes it proposes, gives the target.
	if got := r.Law.At(tp.N, tp.D); math.Abs(got-2e-3) > 1e-9 {
		t.Errorf("proposed sizes give %g", got)
	}
	// The model term is twice the data term at the largest sizes, so more
	// parameters halve the error for a smaller factor here.
	if !(r.HalveModel.V < r.HalveData.V) || !strings.Contains(strings.Join(r.answers(), "\n"), "**More parameters** halve it") {
		t.Errorf("halving factors data %g, parameters %g; answers %q", r.HalveData.V, r.HalveModel.V, r.answers())
	}
	for _, p := range r.Predictions {
		e := truth
		e.N0, e.D0 = r.Law.N0, r.Law.D0
		if want := e.At(p.N, p.D); math.Abs(p.Err.V-want)/want > 0.02 || !(p.Err.Lo <= want*1.02 && want <= p.Err.Hi*1.02) {
			t.Errorf("%s: predicted %+v, law %g", p.Label, p.Err, want)
		}
	}
	for _, w := range r.Warnings {
		if strings.Contains(w, "sits on a floor") {
			t.Errorf("floor warning without a floor: %s", w)
		}
	}
}

func TestPlanWarnsOnFlatSweeps(t *testing.T) {
	r := syntheticPlan(JointLaw{A: 0, AlphaN: 1, B: 0, AlphaD: 1, C: 0.05}, 0, []float64{0.9, 1, 1.1})
	// Seed noise on a flat curve: exponents indistinguishable from 0.
	for i := range r.Runs {
		r.Runs[i].Err *= 1 + 0.05*math.Sin(float64(7*i))
	}
	r.analyse(1)
	all := strings.Join(r.Warnings, "\n")
	if !strings.Contains(all, "cannot tell whether the error decreases") {
		t.Errorf("flat sweeps: warnings %q", r.Warnings)
	}
}

// tinyPlanData is poisson1d on a 2-dimensional subspace at few sensors
// and points, small enough to train in well under a second per run.
func tinyPlanData(t *testing.T, n int) *PlanData {
	t.Helper()
	spec, err := problems.NewSpec("poisson1d", "subspace", problems.Params{BU: 2, Grid: 64}, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := problems.Generate(spec, n, 1, problems.Train, 0)
	if err != nil {
		t.Fatal(err)
	}
	return PlanDataFrom(ds, "tiny poisson1d")
}

func TestPlanTinyEndToEnd(t *testing.T) {
	d := tinyPlanData(t, 300)
	cfg := PlanConfig{Budget: time.Hour, Target: 1e-3, Steps: 40, Widths: []int{2, 4, 8}, Seed: 3}
	var log bytes.Buffer
	cfg.Log = &log
	r, err := Plan(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * (len(cfg.Widths) + len(r.Grid.DataSizes) - 1); len(r.Runs) != want {
		t.Errorf("%d runs, want %d", len(r.Runs), want)
	}
	for _, step := range []string{"[1/4]", "[2/4]", "[3/4]", "[4/4]", "left"} {
		if !strings.Contains(log.String(), step) {
			t.Errorf("progress lacks %q:\n%s", step, log.String())
		}
	}
	// Same seed, same results, whatever the number of threads.
	prev := nets.SetThreads(1)
	cfg.Log = nil
	r2, err := Plan(d, cfg)
	nets.SetThreads(prev)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Runs {
		if r.Runs[i].Err != r2.Runs[i].Err {
			t.Fatalf("run %d: %v then %v", i, r.Runs[i].Err, r2.Runs[i].Err)
		}
	}
	dir := t.TempDir()
	if err := WritePlanFiles(dir, r); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "plan.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"## Answer", "2× data", "4× parameters", "theory at", "plan.svg", "Target 0.001"} {
		if !strings.Contains(string(md), w) {
			t.Errorf("plan.md lacks %q", w)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "plan.svg"))
	if err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("plan.svg: %v, %.40q", err, svg)
	}
	var text bytes.Buffer
	if err := WritePlanText(&text, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "predicted rel_l2") {
		t.Errorf("terminal table:\n%s", text.String())
	}
}

func TestPlanCheckTiny(t *testing.T) {
	spec, err := problems.NewSpec("poisson1d", "subspace", problems.Params{BU: 2, Grid: 64}, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PlanCheck(CheckConfig{Spec: spec, Functions: 300, Plan: PlanConfig{Steps: 30}}); err == nil || !strings.Contains(err.Error(), "needs at least") {
		t.Fatalf("300 functions: got %v", err)
	}
	c, err := PlanCheck(CheckConfig{Spec: spec, Functions: 660, Plan: PlanConfig{Steps: 30}, Widths: []int{2, 3, 4, 6}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Points) != 4 {
		t.Fatalf("%d check points, want 4", len(c.Points))
	}
	for _, p := range c.Points {
		if !(p.Measured > 0 && p.Predicted > 0 && p.Lo <= p.Hi) {
			t.Errorf("%+v", p)
		}
		if got := (p.Predicted - p.Measured) / p.Measured; got != p.RelErr {
			t.Errorf("%s: relative error %g, recomputed %g", p.Label, p.RelErr, got)
		}
		if p.Covered != (p.Lo <= p.Measured && p.Measured <= p.Hi) {
			t.Errorf("%s: covered %v for %g in [%g, %g]", p.Label, p.Covered, p.Measured, p.Lo, p.Hi)
		}
	}
	if c.Points[1].Functions != 2*c.Points[0].Functions || c.Points[3].Width != 2*c.Widths[len(c.Widths)-1] {
		t.Errorf("held-out sizes %+v", c.Points)
	}
	dir := t.TempDir()
	if err := WritePlanCheckFiles(filepath.Join(dir, "plancheck-poisson1d"), c); err != nil {
		t.Fatal(err)
	}
	sec, err := PlannerCheckSection(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, cov, n := c.Summary()
	for _, w := range []string{"## Planner check", "prediction error", "intervals covered", "4× data"} {
		if !strings.Contains(sec, w) {
			t.Errorf("section lacks %q:\n%s", w, sec)
		}
	}
	if !strings.Contains(sec, fmt.Sprintf("covered %d of %d", cov, n)) {
		t.Errorf("section does not state coverage %d of %d:\n%s", cov, n, sec)
	}
	if s, err := PlannerCheckSection(t.TempDir()); s != "" || err != nil {
		t.Errorf("no checks: %q, %v", s, err)
	}
}

func TestPlanWarnsOnNonMonotoneSweep(t *testing.T) {
	truth := JointLaw{A: 0.02, AlphaN: 0.5, B: 0.01, AlphaD: 0.4, C: 0}
	r := syntheticPlan(truth, 0, []float64{0.98, 1, 1.02})
	// The widest network does twice as badly as the law: under-trained.
	for i := range r.Runs {
		if r.Runs[i].Width == 128 && r.Runs[i].N == 800 {
			r.Runs[i].Err *= 2
		}
	}
	r.analyse(1)
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "model sweep is not monotone") {
		t.Errorf("warnings %q", r.Warnings)
	}
	clean := syntheticPlan(truth, 0, []float64{0.98, 1, 1.02})
	clean.analyse(1)
	if strings.Contains(strings.Join(clean.Warnings, "\n"), "not monotone") {
		t.Errorf("monotone sweeps flagged: %q", clean.Warnings)
	}
}
