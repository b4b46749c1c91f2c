package harness

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"opscale/bounds"
	"opscale/nets"
)

// The new suite fields left out keep the settings' hash of every experiment
// written before them, so that their recorded runs are still found: this is
// tinySuite's hash before train_points and data_check existed.
func TestNewFieldsKeepOldHashes(t *testing.T) {
	s, err := LoadSuite(writeSuite(t, tinySuite))
	if err != nil {
		t.Fatal(err)
	}
	if h := s.Experiments[0].hash(); h != tinyHash {
		t.Errorf("tinySuite's settings hash is %s, was %s", h, tinyHash)
	}
	e := s.Experiments[0]
	e.TrainPoints = 4
	if e.hash() == tinyHash {
		t.Error("train_points did not change the run identity")
	}
}

const tinyHash = "2bba2f9a2b15"

func TestTrainPointsFieldIsChecked(t *testing.T) {
	model := strings.NewReplacer(
		`theorem = "T-don-gen-low"`, `theorem = "T-don-approx-low"`,
		`sweep = "n"`, "sweep = \"N\"\ntrain_functions = 24\ntrain_points = 2",
	).Replace(tinySuite)
	for name, body := range map[string]string{
		"negative":    strings.Replace(tinySuite, `noise = 0.01`, "noise = 0.01\ntrain_points = -1", 1),
		"model sweep": model,
	} {
		_, err := LoadSuite(writeSuite(t, body))
		if err == nil || !strings.Contains(err.Error(), "train_points") {
			t.Errorf("%s: error %v does not name train_points", name, err)
		}
	}
}

// A data sweep with train_points = k trains on k random points per
// function, records k, scores on the aligned grid like the grid sweep, and
// says so in the report's setup line.
func TestTrainPointsSweep(t *testing.T) {
	dir := t.TempDir()
	body := strings.Replace(tinySuite, `noise = 0.01`, "noise = 0.01\ntrain_points = 2", 1)
	store := sweepInto(t, dir, body)
	// Runs are recorded as they finish; pair them by size and seed.
	bySizeSeed := func(runs []Run) map[[2]uint64]Run {
		m := map[[2]uint64]Run{}
		for _, r := range runs {
			m[[2]uint64{uint64(r.Size), r.Seed}] = r
		}
		return m
	}
	grid := bySizeSeed(sweepInto(t, t.TempDir(), tinySuite).Runs())
	again := bySizeSeed(sweepInto(t, t.TempDir(), body).Runs())
	runs := store.Runs()
	if len(runs) != 6 {
		t.Fatalf("%d runs, want 6", len(runs))
	}
	for _, r := range runs {
		k := [2]uint64{uint64(r.Size), r.Seed}
		g := grid[k]
		if r.TrainPoints != 2 || g.TrainPoints != 0 {
			t.Errorf("n=%d seed=%d: train_points %d recorded, want 2 (and %d on the grid, want 0)", r.Size, r.Seed, r.TrainPoints, g.TrainPoints)
		}
		if r.Setup.TestSize != 20 || r.Params != g.Params {
			t.Errorf("n=%d: scored on %d test functions with %d parameters, the grid sweep on %d with %d", r.Size, r.Setup.TestSize, r.Params, g.Setup.TestSize, g.Params)
		}
		if r.Metrics == g.Metrics {
			t.Errorf("n=%d seed=%d: 2 random points gave the grid's metrics", r.Size, r.Seed)
		}
		// Reproducible: a second sweep elsewhere gives the same bits.
		if again[k].Metrics != r.Metrics || again[k].Train.TrainLoss != r.Train.TrainLoss {
			t.Errorf("n=%d seed=%d differs between two sweeps", r.Size, r.Seed)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "runs.jsonl"))
	if !bytes.Contains(raw, []byte(`"train_points":2`)) {
		t.Error("runs.jsonl does not hold train_points")
	}
	report := filepath.Join(dir, "REPORT.md")
	if err := WriteReport(ReportOptions{Results: dir, Report: report}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(report)
	if !strings.Contains(string(b), "each training function observed at 2 random points of its own") {
		t.Error("report's setup line does not say that training functions had 2 random points")
	}
}

// dataCheckSuite is tinySuite as a model sweep with a data check.
var dataCheckSuite = strings.NewReplacer(
	`theorem = "T-don-gen-low"`, `theorem = "T-don-approx-low"`,
	`sweep = "n"`, "sweep = \"N\"\ntrain_functions = 24\ndata_check = true",
	`noise = 0.01`, `noise = 0`,
).Replace(tinySuite)

// data_check = true adds one run per seed at the largest width on twice the
// functions, recorded under its own id and kept out of the fit, which is
// that of the same sweep without it; the report states the comparison.
func TestDataCheck(t *testing.T) {
	dir := t.TempDir()
	store := sweepInto(t, dir, dataCheckSuite)
	var sweep, checks []Run
	for _, r := range store.Runs() {
		if r.DataCheckOf != "" {
			checks = append(checks, r)
		} else {
			sweep = append(sweep, r)
		}
	}
	if len(sweep) != 6 || len(checks) != 2 {
		t.Fatalf("%d sweep runs and %d check runs, want 6 and 2", len(sweep), len(checks))
	}
	for _, c := range checks {
		if c.Experiment != "tiny+2n" || c.DataCheckOf != "tiny" || c.Size != 32 || c.NTrain != 48 || c.ConfigHash == sweep[0].ConfigHash {
			t.Errorf("check run %s of %q at width %d on %d functions (hash %s, the sweep's %s): want tiny+2n of tiny at 32 on 48 under its own hash",
				c.Experiment, c.DataCheckOf, c.Size, c.NTrain, c.ConfigHash, sweep[0].ConfigHash)
		}
	}

	as := Analyze(store.Runs())
	if len(as) != 1 {
		t.Fatalf("%d analyses, want 1: the check is not an experiment", len(as))
	}
	a, plain := as[0], Analyze(sweep)[0]
	for i, row := range a.Rows {
		if row.Seeds != 2 || row != plain.Rows[i] {
			t.Errorf("width %d: the check entered the row: %+v, without it %+v", row.Size, row, plain.Rows[i])
		}
	}
	if a.Fit.Exponent != plain.Fit.Exponent || a.Fit.CILo != plain.Fit.CILo {
		t.Errorf("the check moved the fit: α̂ %g, without it %g", a.Fit.Exponent, plain.Fit.Exponent)
	}
	dc := a.DataCheck
	if dc == nil || plain.DataCheck != nil {
		t.Fatalf("data check %+v; without check runs %+v", dc, plain.DataCheck)
	}
	if dc.Size != 32 || dc.N != 24 || dc.N2 != 48 || dc.Seeds != 2 {
		t.Errorf("check compares width %d, n %d and %d, over %d seeds: want 32, 24 and 48 over 2", dc.Size, dc.N, dc.N2, dc.Seeds)
	}
	var e1, e2 []float64
	for _, r := range sweep {
		if r.Size == 32 {
			e1 = append(e1, r.Metrics.MeanSup)
		}
	}
	for _, c := range checks {
		e2 = append(e2, c.Metrics.MeanSup)
	}
	if dc.Err != min(e1[0], e1[1]) || dc.Err2 != min(e2[0], e2[1]) {
		t.Errorf("check errors %g and %g, want the best seed's %g and %g", dc.Err, dc.Err2, min(e1[0], e1[1]), min(e2[0], e2[1]))
	}

	// Resuming does nothing; the report picked by the suite shows the check.
	var log bytes.Buffer
	s, _ := LoadSuite(writeSuite(t, dataCheckSuite))
	if err := Sweep(s, store, SweepOptions{Log: &log}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "0 runs to do, 8 already recorded") {
		t.Errorf("resume: %s", log.String())
	}
	report := filepath.Join(dir, "REPORT.md")
	if err := WriteReport(ReportOptions{Results: dir, Report: report, Suite: s}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(report)
	if !strings.Contains(string(b), "Data check at the largest width w = 32") || !strings.Contains(string(b), "with 2n = 48") {
		t.Error("the report does not state the data check")
	}
	if strings.Contains(string(b), "## tiny+2n") {
		t.Error("the report gives the check a section of its own")
	}
}

// Turning data_check on for a sweep already recorded trains the check runs
// alone: the sweep's runs keep their identity.
func TestDataCheckAddedLaterTrainsOnlyTheCheck(t *testing.T) {
	dir := t.TempDir()
	sweepInto(t, dir, strings.Replace(dataCheckSuite, "data_check = true", "", 1))
	s, _ := LoadSuite(writeSuite(t, dataCheckSuite))
	store, _ := OpenStore(filepath.Join(dir, "runs.jsonl"))
	var log bytes.Buffer
	if err := Sweep(s, store, SweepOptions{Log: &log}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "2 runs to do, 6 already recorded") {
		t.Errorf("adding the check: %s", log.String())
	}
}

func TestDataCheckFieldIsChecked(t *testing.T) {
	for name, tc := range map[string]struct{ body, want string }{
		"data sweep":  {strings.Replace(tinySuite, `noise = 0.01`, "noise = 0.01\ndata_check = true", 1), "data_check"},
		"reserved id": {strings.Replace(dataCheckSuite, `id = "tiny"`, `id = "tiny+2n"`, 1), "id"},
	} {
		_, err := LoadSuite(writeSuite(t, tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v does not name %s", name, err, tc.want)
		}
	}
}

// The check says that data limited the error when every seed's error fell
// clearly at 2n, and not when the seeds scatter around no change; one seed
// gives no interval and no claim.
func TestDataCheckVerdict(t *testing.T) {
	th, err := bounds.Lookup("T-don-approx-low")
	if err != nil {
		t.Fatal(err)
	}
	at := func(errs, errs2 []float64) *DataCheck {
		a := Analysis{Theorem: th, Aggregate: Best, Rows: []SizeRow{{Size: 8}, {Size: 16}}}
		var checks []Run
		for i := range errs {
			seed := uint64(i + 1)
			a.runs = append(a.runs, Run{Size: 8, Seed: seed, NTrain: 10, Metrics: metricsSup(errs[i] * 3)},
				Run{Size: 16, Seed: seed, NTrain: 10, Metrics: metricsSup(errs[i])})
			checks = append(checks, Run{Size: 16, Seed: seed, NTrain: 20, ConfigHash: "c", Metrics: metricsSup(errs2[i])})
		}
		// A check at another width, or under old settings, is left out.
		checks = append([]Run{{Size: 8, Seed: 1, ConfigHash: "c", Metrics: metricsSup(1e-9)}, {Size: 16, Seed: 1, ConfigHash: "old", Metrics: metricsSup(1e-9)}}, checks...)
		return a.checkData(checks)
	}
	halved := at([]float64{0.10, 0.12, 0.08}, []float64{0.05, 0.061, 0.039})
	if !halved.Limited || halved.Seeds != 3 || halved.Stale != 2 || math.Abs(halved.Ratio-0.5) > 0.01 || !(halved.Hi < 1) {
		t.Errorf("errors halved at 2n: %+v", halved)
	}
	if s := halved.Sentence("mean sup error"); !strings.Contains(s, "Data limited the error") {
		t.Errorf("halved: %s", s)
	}
	slight := at([]float64{0.10, 0.12, 0.08}, []float64{0.097, 0.1165, 0.0775})
	if s := slight.Sentence("e"); !slight.Limited || !strings.Contains(s, "limited the error slightly") {
		t.Errorf("errors 3%% lower at every seed, within the seeds' 20%% scatter: %+v: %s", slight, s)
	}
	same := at([]float64{0.10, 0.12, 0.08}, []float64{0.104, 0.115, 0.081})
	if same.Limited || !(same.Lo < 1 && 1 < same.Hi) {
		t.Errorf("errors unchanged at 2n: %+v", same)
	}
	if s := same.Sentence("mean sup error"); !strings.Contains(s, "Data did not limit the error") {
		t.Errorf("unchanged: %s", s)
	}
	wide := at([]float64{0.10, 0.12, 0.08}, []float64{0.03, 0.36, 0.08})
	if s := wide.Sentence("e"); wide.Limited || strings.Contains(s, "did not limit") || !strings.Contains(s, "cannot tell") {
		t.Errorf("seeds that disagree (0.3×, 3×, 1×) rule nothing out: %+v: %s", wide, s)
	}
	one := at([]float64{0.1}, []float64{0.05})
	if one.Limited || !math.IsNaN(one.Hi) || !strings.Contains(one.Sentence("e"), "one seed") {
		t.Errorf("one seed: %+v", one)
	}
}

func metricsSup(e float64) nets.Metrics { return nets.Metrics{MeanSup: e} }
