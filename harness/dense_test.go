package harness

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"opscale/problems"
)

const denseSuite = `
name = "dense"

[[experiment]]
id = "dense-gen"
theorem = "T-relu-gen"
sweep = "n"
sizes = [32, 64, 128]
seeds = [1, 2]
noise = 0.1
precision = "float64"

[experiment.regression]
target = "lipschitz"
domain = "sphere"
d = 2
ambient = 16
depth = 2
width = 16
test_points = 500
target_seed = 3

[experiment.training]
steps = 200
batch = 32
lr = 3e-3
validation = 0.25
eval_every = 20
`

// Every bad or missing field of a regression experiment is refused with an
// error that names it.
func TestDenseSuiteNamesBadFields(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{`target = "lipschitz"`, `target = "rough"`, "regression.target"},
		{`target = "lipschitz"`, ``, "regression.target"},
		{`domain = "sphere"`, `domain = "ball"`, "regression.domain"},
		{`d = 2`, `d = 0`, "regression.d"},
		{`ambient = 16`, `ambient = 2`, "regression.ambient"},
		{`ambient = 16`, ``, "regression.ambient"},
		{`domain = "sphere"`, `domain = "cube"`, "regression.ambient"},
		{`depth = 2`, ``, "regression.depth"},
		{`width = 16`, ``, "regression.width"},
		{`width = 16`, "width = 16\ntrain_points = 100", "regression.train_points"},
		{`test_points = 500`, ``, "regression.test_points"},
		{`test_points = 500`, "test_points = 500\ntest_pionts = 5", "test_pionts"},
		{`theorem = "T-relu-gen"`, `theorem = "T-relu-approx"`, "sweep"},
		{`theorem = "T-relu-gen"`, `theorem = "T-don-gen-low"`, "theorem"},
		{`theorem = "T-relu-gen"`, `theorem = "R-holder-minimax"`, "theorem"},
		{`sweep = "n"`, `sweep = "x"`, "sweep"},
		{`sizes = [32, 64, 128]`, `sizes = [32]`, "sizes"},
		{`sizes = [32, 64, 128]`, `sizes = [64, 32]`, "sizes"},
		{`seeds = [1, 2]`, `seeds = [1, 1]`, "seeds"},
		{`noise = 0.1`, `noise = -0.1`, "noise"},
		{`noise = 0.1`, `noise = nan`, "noise"},
		{`precision = "float64"`, `precision = "half"`, "precision"},
		{`steps = 200`, `steps = 0`, "training.steps"},
		{`noise = 0.1`, "noise = 0.1\nproblem = \"poisson1d\"", "problem"},
		{`noise = 0.1`, "noise = 0.1\nsensors = 8", "sensors"},
		{`noise = 0.1`, "noise = 0.1\ntest_functions = 8", "test_functions"},
		{`noise = 0.1`, "noise = 0.1\ntrain_functions = 8", "train_functions"},
		{`noise = 0.1`, "noise = 0.1\n[experiment.network]\np = 4", "network"},
	} {
		body := strings.Replace(denseSuite, tc.old, tc.new, 1)
		if body == denseSuite {
			t.Fatalf("case %q: the suite does not contain %q", tc.want, tc.old)
		}
		_, err := LoadSuite(writeSuite(t, body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q → %q: error %v, want one naming %q", tc.old, tc.new, err, tc.want)
		}
	}
	if _, err := LoadSuite(writeSuite(t, denseSuite)); err != nil {
		t.Fatalf("the valid suite is refused: %v", err)
	}
	// A model-size sweep names its own fields.
	model := strings.NewReplacer(`theorem = "T-relu-gen"`, `theorem = "T-relu-approx"`, `sweep = "n"`, `sweep = "N"`).Replace(denseSuite)
	for _, tc := range []struct{ old, new, want string }{
		{`width = 16`, `train_points = 1`, "regression.train_points"},
		{`width = 16`, "width = 16\ntrain_points = 100", "regression.width"},
	} {
		_, err := LoadSuite(writeSuite(t, strings.Replace(model, tc.old, tc.new, 1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("model sweep %q → %q: error %v, want one naming %q", tc.old, tc.new, err, tc.want)
		}
	}
	if _, err := LoadSuite(writeSuite(t, strings.Replace(model, `width = 16`, `train_points = 100`, 1))); err != nil {
		t.Errorf("the valid model sweep is refused: %v", err)
	}
}

// A DeepONet experiment's settings, and so its identity, are those it had
// before regression experiments existed: the new table is absent from its
// JSON, not null.
func TestDeepONetHashKeepsItsFields(t *testing.T) {
	s, err := LoadSuite(writeSuite(t, tinySuite))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(&s.Experiments[0])
	if strings.Contains(strings.ToLower(string(b)), "regression") {
		t.Errorf("a DeepONet experiment marshals a regression field: %s", b)
	}
}

// n counts training points: validation points follow them from a stream of
// their own, and nets holds out exactly those.
func TestDenseValidationApart(t *testing.T) {
	s, err := LoadSuite(writeSuite(t, denseSuite))
	if err != nil {
		t.Fatal(err)
	}
	e := &s.Experiments[0]
	reg, err := e.regressionProblem()
	if err != nil {
		t.Fatal(err)
	}
	const n = 37
	x, y, cfg, err := e.denseData(nil, reg, n, 5)
	if err != nil {
		t.Fatal(err)
	}
	nv := int(math.Round(0.25 * n))
	if len(y) != n+nv || len(x) != (n+nv)*reg.Ambient {
		t.Fatalf("got %d rows, want %d training and %d validation", len(y), n, nv)
	}
	if held := int(math.Round(cfg.Validation * float64(len(y)))); held != nv {
		t.Errorf("nets would hold out %d rows, want the %d validation points", held, nv)
	}
	train, _ := reg.Sample(n, 5, problems.Train, e.Noise)
	if !slices.Equal(x[:n*reg.Ambient], train.X) || !slices.Equal(y[:n], train.Y) {
		t.Error("the first n rows are not the n training points")
	}
	more, _ := reg.Sample(n+nv, 5, problems.Train, e.Noise)
	if slices.Equal(y[n:], more.Y[n:]) {
		t.Error("the validation points are the next training points: a larger n would train on them")
	}
}

// A dense sweep records its runs with their setup and intrinsic dimension,
// counts n as training points, scores on the test set, and gives the same
// bits when run again.
func TestDenseSweep(t *testing.T) {
	dir := t.TempDir()
	store := sweepInto(t, dir, denseSuite)
	runs := store.Runs()
	if len(runs) != 6 {
		t.Fatalf("%d runs, want 6", len(runs))
	}
	reg, _ := problems.NewRegression("sphere", 2, 16, "lipschitz", 3)
	test, _ := reg.Sample(500, problems.DefaultTestSeed, problems.Test, 0)
	var meanSq float64
	for _, v := range test.Y {
		meanSq += v * v / float64(len(test.Y))
	}
	for _, r := range runs {
		if r.Regression == nil || r.Regression.Ambient != 16 || r.Regression.D != 2 {
			t.Fatalf("run %d/%d: regression setup %+v", r.Size, r.Seed, r.Regression)
		}
		if r.NTrain != r.Size {
			t.Errorf("run n=%d records %d training points", r.Size, r.NTrain)
		}
		// Input 16, two hidden layers of 16, one output.
		if want := 16*16 + 16 + 16*16 + 16 + 16 + 1; r.Params != want {
			t.Errorf("N = %d, want %d", r.Params, want)
		}
		d := r.InputDim
		if d == nil || d.MLE == nil || math.Abs(*d.MLE-2) > 0.3 || d.Sample != denseDimSample {
			t.Errorf("input dimension %+v: want the MLE near the intrinsic 2 on %d points", d, denseDimSample)
		}
		// Predicting zero scores meanSq; a trained network must do better,
		// and the sup error bounds the root mean square error.
		m := r.Metrics
		if !(m.MeanSqL2 < meanSq) || m.MeanSup*m.MeanSup < m.MeanSqL2 {
			t.Errorf("n=%d seed=%d: squared L2 %g (zero predictor %g), sup %g", r.Size, r.Seed, m.MeanSqL2, meanSq, m.MeanSup)
		}
	}
	// Runs finish in any order; compare them by size and seed.
	first := map[[2]uint64]Run{}
	for _, r := range runs {
		first[[2]uint64{uint64(r.Size), r.Seed}] = r
	}
	for _, r := range sweepInto(t, t.TempDir(), denseSuite).Runs() {
		f := first[[2]uint64{uint64(r.Size), r.Seed}]
		ft, rt := f.Train, r.Train
		if ft.ValLoss == nil || rt.ValLoss == nil || *ft.ValLoss != *rt.ValLoss {
			t.Errorf("n=%d seed=%d: validation loss %v then %v", r.Size, r.Seed, ft.ValLoss, rt.ValLoss)
		}
		ft.ValLoss, rt.ValLoss = nil, nil
		if f.Metrics != r.Metrics || ft != rt {
			t.Errorf("n=%d seed=%d: %+v then %+v", r.Size, r.Seed, f.Metrics, r.Metrics)
		}
	}
	// The report carries the deep-ReLU section and its plot.
	report := filepath.Join(dir, "REPORT.md")
	if err := WriteReport(ReportOptions{Results: dir, Report: report}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	b := string(raw)
	for _, want := range []string{"## " + reluTitle, "relu-dimension.svg", "sphere, d=2, D=16", "T-relu-gen, intrinsic against ambient"} {
		if !strings.Contains(b, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
