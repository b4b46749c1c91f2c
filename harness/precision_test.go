package harness

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"opscale/bounds"
)

var autoSuite = strings.Replace(tinySuite, `precision = "float64"`, `precision = "auto"`, 1)

func TestChoosePrecision(t *testing.T) {
	run := func(sq, sup float64, diverged bool) *Run {
		r := &Run{}
		r.Metrics.MeanSqL2, r.Metrics.MeanSup, r.Train.Diverged = sq, sup, diverged
		return r
	}
	for _, tc := range []struct {
		name     string
		q        bounds.Quantity
		r64, r32 *Run
		want     string
	}{
		{"equal", bounds.SquaredL2, run(1, 1, false), run(1, 1, false), "float32"},
		{"float32 better", bounds.SquaredL2, run(1, 1, false), run(0.5, 1, false), "float32"},
		{"5% worse", bounds.SquaredL2, run(2, 1, false), run(2.1, 1, false), "float32"},
		{"just over 5%", bounds.SquaredL2, run(2, 1, false), run(2.1001, 1, false), "float64"},
		{"much worse", bounds.SquaredL2, run(1, 1, false), run(3, 1, false), "float64"},
		// The theorem's quantity decides, not the other error.
		{"sup within", bounds.SupError, run(1, 1, false), run(3, 1.01, false), "float32"},
		{"sup over", bounds.SupError, run(1, 1, false), run(1, 1.2, false), "float64"},
		{"float32 diverged", bounds.SquaredL2, run(1, 1, false), run(0.5, 0.5, true), "float64"},
		{"float64 diverged", bounds.SquaredL2, run(1, 1, true), run(0.5, 0.5, false), "float64"},
		{"float64 not finite", bounds.SquaredL2, run(math.MaxFloat64, 1, false), run(1, 1, false), "float64"},
		{"float32 not finite", bounds.SquaredL2, run(1, 1, false), run(math.MaxFloat64, 1, false), "float64"},
	} {
		if got := choosePrecision(tc.q, tc.r64, tc.r32); got != tc.want {
			t.Errorf("%s: chose %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestPrecisionFieldIsChecked(t *testing.T) {
	if _, err := LoadSuite(writeSuite(t, autoSuite)); err != nil {
		t.Fatalf("precision = \"auto\" rejected: %v", err)
	}
	_, err := LoadSuite(writeSuite(t, strings.Replace(tinySuite, `precision = "float64"`, `precision = "float16"`, 1)))
	if err == nil || !strings.Contains(err.Error(), "field precision") || !strings.Contains(err.Error(), `"auto"`) {
		t.Errorf("precision = float16: error %v does not name the field and the allowed values", err)
	}
	for _, id := range []string{"tiny+f64", "tiny+f32"} {
		_, err := LoadSuite(writeSuite(t, strings.Replace(autoSuite, `id = "tiny"`, fmt.Sprintf("id = %q", id), 1)))
		if err == nil || !strings.Contains(err.Error(), "field id") {
			t.Errorf("id %s: error %v; such ids name precision checks", id, err)
		}
	}
	s, _ := LoadSuite(writeSuite(t, autoSuite))
	if _, err := TrainRun(&s.Experiments[0], 8, 1); err == nil || !strings.Contains(err.Error(), "precision") {
		t.Errorf("a single run in precision auto: error %v", err)
	}
	if _, err := LoadSuite(writeSuite(t, strings.Replace(denseSuite, `precision = "float64"`, `precision = "auto"`, 1))); err != nil {
		t.Errorf("a regression in precision auto rejected: %v", err)
	}
}

// trainings records the runs a sweep trains.
type trainings struct {
	mu   sync.Mutex
	list []string
}

func (tr *trainings) take() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	l := tr.list
	tr.list = nil
	slices.Sort(l)
	return l
}

// fakeErrors replaces the sweep's trainer for the test: every run still
// trains, in its own precision, and is counted, but when f32 > 0 its errors
// are set to a figure of its size and seed alone, times f32 in float32 (and
// the float32 runs marked diverged if asked), so that the check's ratio on
// the squared L² error is f32 exactly.
func fakeErrors(t *testing.T, f32 float64, diverge32 bool) *trainings {
	tr := &trainings{}
	old, oldGroup := runJobFunc, runGroupFunc
	t.Cleanup(func() { runJobFunc, runGroupFunc = old, oldGroup })
	shape := func(j job, r Run) Run {
		if f32 > 0 {
			e := (1 + float64(j.seed)/10) / float64(j.size)
			if r.Precision == "float32" {
				e *= f32
				r.Train.Diverged = diverge32
			}
			r.Metrics.MeanSqL2, r.Metrics.MeanSup = e, math.Sqrt(e)
		}
		tr.mu.Lock()
		tr.list = append(tr.list, fmt.Sprintf("%s %s %d/%d", j.e.ID, r.Precision, j.size, j.seed))
		tr.mu.Unlock()
		return r
	}
	runJobFunc = func(j job) (Run, error) {
		r, err := runJob(j)
		if err != nil {
			return r, err
		}
		return shape(j, r), nil
	}
	runGroupFunc = func(js []job) ([]Run, error) {
		rs, err := runDenseGroup(js)
		if err != nil {
			return nil, err
		}
		for k := range rs {
			rs[k] = shape(js[k], rs[k])
		}
		return rs, nil
	}
	return tr
}

// dropLines removes the recorded runs that drop selects from the runs file,
// as a sweep interrupted before it recorded them would have left it, and
// returns them.
func dropLines(t *testing.T, path string, drop func(r *Run) bool) []Run {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var keep bytes.Buffer
	var gone []Run
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		if line == "" {
			continue
		}
		rs, err := ParseRuns(path, []byte(line))
		if err != nil {
			t.Fatal(err)
		}
		if drop(&rs[0]) {
			gone = append(gone, rs[0])
			continue
		}
		keep.WriteString(line)
	}
	if err := os.WriteFile(path, keep.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return gone
}

// An "auto" experiment trains its check pair, chooses by the rule, trains
// its runs in the precision chosen and records each run once; a resumed
// sweep reads the pair from the store, trains only what is missing and
// chooses the same.
func TestAutoPrecisionChoosesAndResumes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		f32     float64
		diverge bool
		want    string
		report  string
	}{
		{"within", 1.04, false, "float32", "within the 5% allowed"},
		// The sup error's ratio is √1.06 < 1.05: the squared L² error, the
		// one T-don-gen-low bounds, decides.
		{"over", 1.06, false, "float64", "more than the 5% allowed"},
		{"diverged", 0.5, true, "float64", "the float32 run diverged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := fakeErrors(t, tc.f32, tc.diverge)
			dir := t.TempDir()
			path := filepath.Join(dir, "runs.jsonl")
			store := sweepInto(t, dir, autoSuite)
			s, _ := LoadSuite(writeSuite(t, autoSuite))
			e := &s.Experiments[0]

			// Six runs and the check pair, the float32 half of which is
			// one of the six if float32 was chosen.
			wantTrained := []string{"tiny+f64 float64 32/1", "tiny float32 32/1"}
			for _, n := range e.Sizes {
				for _, seed := range e.Seeds {
					if n != 32 || seed != 1 || tc.want != "float32" {
						wantTrained = append(wantTrained, fmt.Sprintf("tiny %s %d/%d", tc.want, n, seed))
					}
				}
			}
			slices.Sort(wantTrained)
			if got := tr.take(); !slices.Equal(got, wantTrained) {
				t.Errorf("trained\n%q\nwant\n%q", got, wantTrained)
			}
			byID := map[string][]Run{}
			for _, r := range store.Runs() {
				byID[r.Experiment] = append(byID[r.Experiment], r)
			}
			for _, r := range byID["tiny"] {
				if r.Precision != tc.want || r.ConfigHash != e.hash() || r.PrecisionCheckOf != "" {
					t.Errorf("run %d/%d: precision %s, hash %s, check of %q; want %s, %s, none", r.Size, r.Seed, r.Precision, r.ConfigHash, r.PrecisionCheckOf, tc.want, e.hash())
				}
			}
			c64, c32 := byID["tiny+f64"], byID["tiny+f32"]
			if len(byID["tiny"]) != 6 || len(c64) != 1 || (len(c32) == 1) != (tc.want == "float64") || len(c32) > 1 {
				t.Fatalf("recorded %d runs of tiny, %d of tiny+f64, %d of tiny+f32", len(byID["tiny"]), len(c64), len(c32))
			}
			if r := c64[0]; r.Precision != "float64" || r.PrecisionCheckOf != "tiny" || r.Size != 32 || r.Seed != 1 || r.ConfigHash == e.hash() {
				t.Errorf("float64 check run %+v", r)
			}
			if len(c32) == 1 {
				if r := c32[0]; r.Precision != "float32" || r.PrecisionCheckOf != "tiny" || r.ConfigHash == e.hash() || r.ConfigHash == c64[0].ConfigHash {
					t.Errorf("float32 check run %+v", r)
				}
			}
			if picked, other, missing := s.pick(store.Runs()); len(picked) != len(store.Runs()) || other != 0 || missing != 0 {
				t.Errorf("the suite picks %d of %d runs, %d other, %d missing", len(picked), len(store.Runs()), other, missing)
			}

			as := Analyze(store.Runs())
			if len(as) != 1 {
				t.Fatalf("%d analyses; the check runs are no experiment", len(as))
			}
			pc := as[0].Precision
			if pc == nil || pc.Chosen != tc.want || math.Abs(pc.Ratio-tc.f32) > 1e-12 || pc.Diverged32 != tc.diverge || pc.Other != 0 || pc.Size != 32 || pc.Seed != 1 {
				t.Errorf("analysis's check %+v: want %s at ratio %g", pc, tc.want, tc.f32)
			}
			report := filepath.Join(dir, "REPORT.md")
			if err := WriteReport(ReportOptions{Results: dir, Report: report}); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(report)
			if !strings.Contains(string(b), fmt.Sprintf("**%s**, chosen by a check at the largest size (n = 32) on seed 1", tc.want)) || !strings.Contains(string(b), tc.report) {
				t.Errorf("the report does not state the check's choice of %s (%q)", tc.want, tc.report)
			}

			// A second sweep trains nothing.
			sweepInto(t, dir, autoSuite)
			if got := tr.take(); len(got) != 0 {
				t.Errorf("a complete sweep trained %q again", got)
			}

			// Interrupted before it recorded the check's float32 run and an
			// ordinary run: those two alone train again, with the same
			// bits, and the choice is the same.
			lost := dropLines(t, path, func(r *Run) bool {
				return (r.Size == 32 && r.Seed == 1 && r.Precision == "float32") || (r.Experiment == "tiny" && r.Size == 8 && r.Seed == 2)
			})
			if len(lost) != 2 {
				t.Fatalf("dropped %d runs, want 2", len(lost))
			}
			store = sweepInto(t, dir, autoSuite)
			want := []string{"tiny float32 32/1", fmt.Sprintf("tiny %s 8/2", tc.want)}
			slices.Sort(want)
			if got := tr.take(); !slices.Equal(got, want) {
				t.Errorf("resume trained %q, want %q", got, want)
			}
			for _, l := range lost {
				k := l.key()
				r, ok := store.lookup(k)
				if !ok || !sameRun(&r, &l) || r.Precision != l.Precision {
					t.Errorf("%s: not recorded again as it was", k)
				}
			}
			if a := Analyze(store.Runs())[0]; a.Precision == nil || a.Precision.Chosen != tc.want {
				t.Errorf("after the resume the check chose %+v", a.Precision)
			}

			// Interrupted between the pair's two records: the float64 run
			// alone trains again.
			dropLines(t, path, func(r *Run) bool { return r.Experiment == "tiny+f64" })
			store = sweepInto(t, dir, autoSuite)
			if got := tr.take(); !slices.Equal(got, []string{"tiny+f64 float64 32/1"}) {
				t.Errorf("resume without the float64 check run trained %q", got)
			}
			if n := len(store.Runs()); n != 7+len(c32) {
				t.Errorf("%d runs recorded after the resumes, want %d", n, 7+len(c32))
			}
		})
	}
}

// The fit is of one precision: runs of the experiment's settings in the
// precision the check did not choose are left out and counted.
func TestAutoPrecisionFitsOnePrecision(t *testing.T) {
	fakeErrors(t, 1, false)
	store := sweepInto(t, t.TempDir(), autoSuite)
	runs := store.Runs()
	clean := Analyze(runs)[0]
	if clean.Precision == nil || clean.Precision.Chosen != "float32" {
		t.Fatalf("check %+v, want float32", clean.Precision)
	}
	for _, r := range runs {
		if r.Experiment == "tiny" && r.Seed == 2 {
			r.Seed, r.Precision = 9, "float64"
			r.Metrics.MeanSqL2 *= 100
			runs = append(runs, r)
		}
	}
	mixed := Analyze(runs)[0]
	if mixed.Precision.Other != 3 {
		t.Errorf("%d runs in the other precision counted, want 3", mixed.Precision.Other)
	}
	for i, row := range mixed.Rows {
		if row.Seeds != 2 || row.Err != clean.Rows[i].Err {
			t.Errorf("size %d: %d seeds, error %g; the float64 runs entered the fit (want 2 seeds, %g)", row.Size, row.Seeds, row.Err, clean.Rows[i].Err)
		}
	}
}

// Shards make the same choice, only the shard that owns the experiment's
// largest size on its first seed records the check pair, and merged they
// equal one machine's sweep.
func TestAutoPrecisionShardsAgree(t *testing.T) {
	tr := fakeErrors(t, 0, false) // real errors: the choice is whatever the bits give
	s, err := LoadSuite(writeSuite(t, autoSuite))
	if err != nil {
		t.Fatal(err)
	}
	one := t.TempDir()
	oneStore := sweepInto(t, one, autoSuite)
	oneRuns := oneStore.Runs()
	choice := Analyze(oneRuns)[0].Precision.Chosen
	tr.take()
	var dirs []string
	checks := map[int]int{}
	for shard := range 3 {
		dir := t.TempDir()
		store, _ := OpenStore(filepath.Join(dir, "runs.jsonl"))
		var log bytes.Buffer
		if err := Sweep(s, store, SweepOptions{Shard: shard, Shards: 3, Log: &log}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
		trained := tr.take()
		// Jobs 0…5 are (8,1) (8,2) (16,1) (16,2) (32,1) (32,2): shard 1
		// owns (32,1) and records the pair; the others train it to choose.
		if shard != 1 && !strings.Contains(log.String(), "not recorded: another shard records it") {
			t.Errorf("shard %d: %q", shard, log.String())
		}
		if want := 2 + 2; shard != 1 && len(trained) != want {
			t.Errorf("shard %d trained %q, want its 2 runs and the pair", shard, trained)
		}
		for _, r := range store.Runs() {
			if r.PrecisionCheckOf != "" {
				checks[shard]++
				continue
			}
			if r.Precision != choice {
				t.Errorf("shard %d: run %d/%d in %s, one machine chose %s", shard, r.Size, r.Seed, r.Precision, choice)
			}
		}
		store.Close()
	}
	wantChecks := 1
	if choice == "float64" {
		wantChecks = 2
	}
	if checks[0] != 0 || checks[2] != 0 || checks[1] != wantChecks {
		t.Errorf("check runs recorded per shard %v, want %d in shard 1 alone", checks, wantChecks)
	}
	merged := t.TempDir()
	if _, err := Merge(merged, dirs, nil); err != nil {
		t.Fatal(err)
	}
	res, err := Merge(merged, []string{one}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != len(oneRuns) || res.Collapsed != len(oneRuns) {
		t.Errorf("merged shards and one machine: wrote %d, collapsed %d; want %d and %d", res.Written, res.Collapsed, len(oneRuns), len(oneRuns))
	}
}

// A dense regression chooses its precision through the same path.
func TestAutoPrecisionDense(t *testing.T) {
	tr := fakeErrors(t, 1.2, false)
	body := strings.NewReplacer(`precision = "float64"`, `precision = "auto"`, "steps = 200", "steps = 40").Replace(denseSuite)
	store := sweepInto(t, t.TempDir(), body)
	if n := len(tr.take()); n != 8 {
		t.Errorf("trained %d runs, want 6 and the pair", n)
	}
	a := Analyze(store.Runs())
	if len(a) != 1 || a[0].Precision == nil || a[0].Precision.Chosen != "float64" || a[0].First.Precision != "float64" {
		t.Fatalf("dense check: %d analyses, %+v", len(a), a[0].Precision)
	}
	for _, r := range store.Runs() {
		if r.Experiment == "dense-gen+f32" && (r.Regression == nil || r.Precision != "float32") {
			t.Errorf("float32 check run %+v", r)
		}
	}
}

// A check run recorded under older settings is not paired with the current
// one: after a change of noise, with the new float32 check run not yet
// recorded, the check is incomplete rather than read from the old run.
func TestAutoPrecisionIgnoresStaleChecks(t *testing.T) {
	fakeErrors(t, 1.06, false)
	dir := t.TempDir()
	sweepInto(t, dir, autoSuite)
	changed := strings.Replace(autoSuite, "noise = 0.01", "noise = 0.02", 1)
	store := sweepInto(t, dir, changed)
	if pc := Analyze(store.Runs())[0].Precision; pc == nil || pc.Chosen != "float64" {
		t.Fatalf("check under the new settings: %+v", pc)
	}
	dropLines(t, filepath.Join(dir, "runs.jsonl"), func(r *Run) bool { return r.Experiment == "tiny+f32" && r.Noise == 0.02 })
	runs, _, err := ReadRuns(filepath.Join(dir, "runs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var rs []Run
	for _, r := range runs {
		rs = append(rs, r.Run)
	}
	a := Analyze(rs)[0]
	if pc := a.Precision; pc == nil || pc.Chosen != "" || pc.Size != 32 {
		t.Errorf("check %+v: the old float32 run was paired with the new float64 one", pc)
	} else if s := pc.Sentence(a.Metric); !strings.Contains(s, "no precision chosen") {
		t.Errorf("sentence %q", s)
	}
}

// A check phase that fails part-way keeps every pair it finished: each
// pair is recorded as soon as both its runs are in, not when the phase ends.
func TestPrecisionChecksAreRecordedAsTheyFinish(t *testing.T) {
	two := autoSuite + "\n" + strings.Replace(autoSuite[strings.Index(autoSuite, "[[experiment]]"):], `id = "tiny"`, `id = "tiny2"`, 1)
	old := runJobFunc
	t.Cleanup(func() { runJobFunc = old })
	runJobFunc = func(j job) (Run, error) {
		if j.e.ID == "tiny2" && j.prec == "float32" {
			return Run{}, fmt.Errorf("interrupted")
		}
		return runJob(j)
	}
	s, err := LoadSuite(writeSuite(t, two))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	store, err := OpenStore(filepath.Join(dir, "runs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Sweep(s, store, SweepOptions{}); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("sweep error %v: want the failed check's", err)
	}
	got := map[string]int{}
	for _, r := range store.Runs() {
		got[r.Experiment]++
	}
	if got["tiny+f64"] != 1 || got["tiny"]+got["tiny+f32"] != 1 {
		t.Errorf("recorded %v: want tiny's finished pair (tiny+f64 and its float32 run) kept", got)
	}
	if got["tiny2"]+got["tiny2+f32"] != 0 {
		t.Errorf("recorded %v: tiny2's float32 check failed, so nothing of it but its float64 run may be kept", got)
	}
}
