package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"opscale/problems"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"opscale/nets"
)

const tinySuite = `
name = "tiny"

[[experiment]]
id = "tiny"
theorem = "T-don-gen-low"
problem = "poisson1d"
family = "subspace"
b_u = 2
sweep = "n"
sizes = [8, 16, 32]
seeds = [1, 2]
noise = 0.01
sensors = 8
points = 8
grid = 64
test_functions = 20
precision = "float64"

[experiment.network]
branch = [8]
trunk = [8]
p = 4

[experiment.training]
steps = 30
batch = 4
lr = 1e-3
validation = 0.25
eval_every = 10
`

func writeSuite(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "suite.toml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sweepInto runs the suite in body into a fresh runs file in dir and
// returns its store.
func sweepInto(t *testing.T, dir, body string) *Store {
	t.Helper()
	s, err := LoadSuite(writeSuite(t, body))
	if err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(filepath.Join(dir, "runs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Sweep(s, store, SweepOptions{}); err != nil {
		t.Fatal(err)
	}
	return store
}

func TestLoadSuiteNamesBadFields(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{`noise = 0.01`, "noise = 0.01\nnoize = 1", "noize"},
		{`theorem = "T-don-gen-low"`, `theorem = "T-nope"`, "theorem"},
		{`problem = "poisson1d"`, `problem = "heat"`, "problem"},
		{`family = "subspace"`, `family = "grf9"`, "family"},
		{`b_u = 2`, `b_u = 0`, "b_U"},
		{`sweep = "n"`, `sweep = "N"`, "sweep"},
		{`sizes = [8, 16, 32]`, `sizes = [8]`, "sizes"},
		{`sizes = [8, 16, 32]`, `sizes = [16, 8]`, "sizes"},
		{`seeds = [1, 2]`, `seeds = []`, "seeds"},
		{`seeds = [1, 2]`, `seeds = [1, 1]`, "seeds"},
		{`noise = 0.01`, `noise = -1`, "noise"},
		{`precision = "float64"`, `precision = "half"`, "precision"},
		{`p = 4`, `p = 0`, "network.p"},
		{`steps = 30`, `steps = 0`, "steps"},
		{`validation = 0.25`, `validation = 1.5`, "validation"},
		{`lr = 1e-3`, `lr = "fast"`, "lr"},
		{`[experiment.network]`, "[experiment.params]\nlenght = 0.2\n\n[experiment.network]", "lenght"},
		{`[experiment.network]`, "[experiment.params]\nbu = 3\n\n[experiment.network]", "params"},
		{`family = "subspace"`, "family = \"grf\"", "Length"},
		// Non-finite numbers would train and then fail to be written as
		// JSON; negative seeds the TOML decoder wraps round into uint64.
		{`noise = 0.01`, `noise = nan`, "noise"},
		{`noise = 0.01`, `noise = inf`, "noise"},
		{`lr = 1e-3`, `lr = nan`, "training.lr"},
		{`lr = 1e-3`, `lr = inf`, "training.lr"},
		{`lr = 1e-3`, "lr = 1e-3\nfinal_lr = nan", "training.final_lr"},
		{`lr = 1e-3`, "lr = 1e-3\nfinal_lr = -inf", "training.final_lr"},
		{`validation = 0.25`, `validation = nan`, "training.validation"},
		{`validation = 0.25`, `validation = -inf`, "training.validation"},
		{`seeds = [1, 2]`, `seeds = [1, -1]`, "field seeds: seed -1 is negative"},
		{`seeds = [1, 2]`, `seeds = [-9223372036854775808]`, "field seeds"},
		{`precision = "float64"`, "precision = \"float64\"\ntest_seed = -5", "test_seed"},
		{`[experiment.network]`, "[experiment.params]\nprobeseed = -2\n\n[experiment.network]", "probe_seed"},
	} {
		body := strings.Replace(tinySuite, tc.old, tc.new, 1)
		_, err := LoadSuite(writeSuite(t, body))
		if err == nil {
			t.Errorf("%s: accepted", tc.new)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "suite.toml") {
			t.Errorf("%s: error %q does not name %q and the file", tc.new, err, tc.want)
		}
	}
	if _, err := LoadSuite(writeSuite(t, tinySuite)); err != nil {
		t.Fatalf("valid suite rejected: %v", err)
	}
}

func TestSweepResumesAndIsReproducible(t *testing.T) {
	s, err := LoadSuite(writeSuite(t, tinySuite))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "runs.jsonl")
	store, _ := OpenStore(path)
	if err := Sweep(s, store, SweepOptions{}); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	if n := bytes.Count(first, []byte("\n")); n != 6 {
		t.Fatalf("%d runs recorded, want 6", n)
	}

	// A second sweep finds everything done.
	var log bytes.Buffer
	store, _ = OpenStore(path)
	if err := Sweep(s, store, SweepOptions{Log: &log}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "0 runs to do, 6 already recorded") {
		t.Errorf("rerun did work again: %s", log.String())
	}

	// Losing a run (an interrupted sweep) reruns exactly that one, with the
	// same result bit for bit, on one worker instead of several.
	lines := strings.SplitAfter(string(first), "\n")
	lost := lines[2]
	kept := strings.Join(append(lines[:2:2], lines[3:]...), "")
	os.WriteFile(path, []byte(kept), 0o644)
	store, _ = OpenStore(path)
	log.Reset()
	if err := Sweep(s, store, SweepOptions{Workers: 1, Log: &log}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "1 runs to do, 5 already recorded") {
		t.Errorf("resume: %s", log.String())
	}
	redo := store.Runs()[5]
	var orig []Run
	orig, err = ParseRuns("lost", []byte(lost))
	if err != nil {
		t.Fatal(err)
	}
	if redo.Metrics != orig[0].Metrics || redo.Train.TrainLoss != orig[0].Train.TrainLoss {
		t.Errorf("rerun differs: %+v vs %+v", redo.Metrics, orig[0].Metrics)
	}

	// A change of settings reruns everything under the new hash.
	s.Experiments[0].Noise = 0.02
	log.Reset()
	if err := Sweep(s, store, SweepOptions{Log: &log}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "6 runs to do, 0 already recorded") {
		t.Errorf("changed settings reused runs: %s", log.String())
	}
	as := Analyze(store.Runs())
	if len(as) != 1 || as[0].Stale != 6 || as[0].First.Noise != 0.02 {
		t.Errorf("analysis did not keep the latest settings only: %d analyses, stale %d", len(as), as[0].Stale)
	}
}

func TestSweepRecordsDivergenceAndGoesOn(t *testing.T) {
	store := sweepInto(t, t.TempDir(), strings.Replace(tinySuite, "lr = 1e-3", "lr = 1e9", 1))
	runs := store.Runs()
	if len(runs) != 6 {
		t.Fatalf("%d runs recorded, want all 6", len(runs))
	}
	for _, r := range runs {
		if !r.Train.Diverged {
			t.Errorf("n=%d seed=%d: learning rate 1e9 not recorded as diverged", r.Size, r.Seed)
		}
	}
	a := Analyze(runs)[0]
	if a.FitErr == nil {
		t.Error("a fit was made from diverged runs only")
	}
}

func TestReportFromRunsAlone(t *testing.T) {
	dir := t.TempDir()
	store := sweepInto(t, dir, tinySuite)
	report := filepath.Join(dir, "REPORT.md")
	if err := WriteReport(ReportOptions{Results: dir, Report: report}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(report)
	a := Analyze(store.Runs())[0]
	for _, want := range []string{
		"## tiny", "T-don-gen-low", "**Verdict on the tail**", a.Verdict.String(), "Slopes (cluster bootstrap", "Envelope: the error in units",
		"plots/tiny.svg", "tables/tiny.md",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, f := range []string{"tables/tiny.md", "plots/tiny.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if err := WriteReport(ReportOptions{Results: t.TempDir(), Report: report}); err == nil {
		t.Error("report from a folder without runs accepted")
	}
}

func TestParseRunsNamesBadLine(t *testing.T) {
	_, err := ParseRuns("runs.jsonl", []byte("{\"experiment\":\"x\",\"size\":4}\n{not json\n"))
	if err == nil || !strings.Contains(err.Error(), "runs.jsonl:2") {
		t.Errorf("error %v does not name runs.jsonl:2", err)
	}
}

func TestModelSizeSweep(t *testing.T) {
	body := strings.NewReplacer(
		`theorem = "T-don-gen-low"`, `theorem = "T-don-approx-low"`,
		`sweep = "n"`, "sweep = \"N\"\ntrain_functions = 24",
		`noise = 0.01`, `noise = 0`,
	).Replace(tinySuite)
	store := sweepInto(t, t.TempDir(), body)
	a := Analyze(store.Runs())[0]
	if len(a.Rows) != 3 {
		t.Fatalf("%d sizes analysed, want 3", len(a.Rows))
	}
	// Width w with one hidden layer in each net and p = w, 8 sensors, d2 = 1:
	// branch 8w+w + w·w+w, trunk w+w + w·w+w, plus b₀.
	for _, row := range a.Rows {
		w := row.Size
		want := 8*w + w + w*w + w + w + w + w*w + w + 1
		if row.Params != want || row.X != float64(want) {
			t.Errorf("width %d: N = %d (x = %g), want %d", w, row.Params, row.X, want)
		}
	}
	for _, r := range store.Runs() {
		if r.NTrain != 24 {
			t.Errorf("width %d trained on %d functions, want 24", r.Size, r.NTrain)
		}
	}
	if a.Aggregate != Best || a.Metric != "mean sup error" {
		t.Errorf("model sweep fitted the %s of the %v seed", a.Metric, a.Aggregate)
	}
	bad := strings.Replace(body, "train_functions = 24", "", 1)
	if _, err := LoadSuite(writeSuite(t, bad)); err == nil || !strings.Contains(err.Error(), "train_functions") {
		t.Errorf("model sweep without train_functions: %v", err)
	}
}

func TestSweepShardsPartitionTheJobs(t *testing.T) {
	s, _ := LoadSuite(writeSuite(t, tinySuite))
	seen := map[string]int{}
	for shard := range 3 {
		store, _ := OpenStore(filepath.Join(t.TempDir(), "runs.jsonl"))
		if err := Sweep(s, store, SweepOptions{Shard: shard, Shards: 3}); err != nil {
			t.Fatal(err)
		}
		for _, r := range store.Runs() {
			seen[fmt.Sprint(r.Size, "/", r.Seed)]++
		}
	}
	if len(seen) != 6 {
		t.Errorf("3 shards ran %d distinct runs, want 6", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("run %s ran in %d shards", k, n)
		}
	}
	store, _ := OpenStore(filepath.Join(t.TempDir(), "runs.jsonl"))
	if err := Sweep(s, store, SweepOptions{Shard: 3, Shards: 3}); err == nil {
		t.Error("shard 3 of 3 accepted")
	}
}

func TestSuiteParamsReachTheFamily(t *testing.T) {
	body := strings.NewReplacer(
		`family = "subspace"`, `family = "grf"`,
		`[experiment.network]`, "[experiment.params]\nlength = 0.3\nkernel = \"matern\"\n\n[experiment.network]",
	).Replace(tinySuite)
	s, err := LoadSuite(writeSuite(t, body))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := s.Experiments[0].Spec()
	if err != nil {
		t.Fatal(err)
	}
	if name := spec.Family.Name(); !strings.Contains(name, "0.3") || !strings.Contains(strings.ToLower(name), "mat") {
		t.Errorf("family %q does not carry length 0.3 and the Matérn kernel", name)
	}
}

func TestAddingASizeOrSeedTrainsOnlyTheNewRuns(t *testing.T) {
	dir := t.TempDir()
	store := sweepInto(t, dir, tinySuite)
	before := store.Runs()
	grown := strings.NewReplacer("sizes = [8, 16, 32]", "sizes = [8, 16, 32, 40]", "seeds = [1, 2]", "seeds = [1, 2, 3]").Replace(tinySuite)
	s, err := LoadSuite(writeSuite(t, grown))
	if err != nil {
		t.Fatal(err)
	}
	store, err = OpenStore(filepath.Join(dir, "runs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Sweep(s, store, SweepOptions{}); err != nil {
		t.Fatal(err)
	}
	after := store.Runs()
	// 4 sizes × 3 seeds: the 6 old runs kept, 6 new ones trained.
	if len(after) != 12 {
		t.Fatalf("%d runs after adding a size and a seed to 6, want 12 (retrained %d)", len(after), len(after)-12)
	}
	seen := map[string]bool{}
	for i, r := range after {
		k := fmt.Sprint(r.Size, "/", r.Seed)
		if seen[k] {
			t.Errorf("run %s trained twice", k)
		}
		seen[k] = true
		if r.ConfigHash != before[0].ConfigHash {
			t.Errorf("run %s has hash %s, want the unchanged %s", k, r.ConfigHash, before[0].ConfigHash)
		}
		if i < len(before) && r.Metrics != before[i].Metrics {
			t.Errorf("run %s changed", k)
		}
	}
	if a := Analyze(after); a[0].Stale != 0 || len(a[0].Rows) != 4 {
		t.Errorf("analysis: %d stale runs, %d sizes; want 0 and 4", a[0].Stale, len(a[0].Rows))
	}
}

func TestValidationFunctionsAreOutsideN(t *testing.T) {
	store := sweepInto(t, t.TempDir(), tinySuite)
	for _, r := range store.Runs() {
		// validation = 0.25 of n, from its own stream.
		if r.NTrain != r.Size || r.Validation == nil || *r.Validation != r.Size/4 {
			t.Errorf("n = %d: trained on %d with %v validation functions, want %d and %d", r.Size, r.NTrain, r.Validation, r.Size, r.Size/4)
		}
		if r.Train.ValLoss == nil {
			t.Errorf("n = %d: no validation loss recorded", r.Size)
		}
	}
}

func TestPrescribedNetworkGrowsWithN(t *testing.T) {
	body := strings.Replace(tinySuite, "p = 4", "p = 4\nkind = \"prescribed\"\ncalibrated_at = 8", 1)
	store := sweepInto(t, t.TempDir(), body)
	a := Analyze(store.Runs())[0]
	if a.Kind() != KindPrescribed {
		t.Fatalf("kind %s", a.Kind())
	}
	runs := store.Runs()
	slices.SortStableFunc(runs, func(a, b Run) int { return a.Size - b.Size })
	var first *Prescribed
	prev := 0
	for _, r := range runs {
		pr := r.Prescribed
		if pr == nil {
			t.Fatalf("n = %d: no prescription recorded", r.Size)
		}
		if r.Size == 8 {
			// At the calibration size the network is the suite's.
			if pr.BranchWidth != 8 || pr.TrunkWidth != 8 || pr.P != 4 || pr.BranchDepth != 1 || pr.TrunkDepth != 1 {
				t.Errorf("at n = 8: %+v, want the suite's network", pr)
			}
			if want := deepONetParams(8, 1, []int{8}, []int{8}, 4); r.Params != want {
				t.Errorf("at n = 8: %d parameters, the calibration counted %d", r.Params, want)
			}
			first = pr
		}
		if first != nil && (pr.CBranch != first.CBranch || pr.CP != first.CP || pr.Eps0 != first.Eps0) {
			t.Errorf("n = %d: constants %+v differ from the calibration's %+v", r.Size, pr, first)
		}
		if r.Params < prev {
			t.Errorf("n = %d: %d parameters, fewer than at a smaller n (%d)", r.Size, r.Params, prev)
		}
		prev = r.Params
	}
	// ε(n) falls about as n^{−1/5} for b_U = 2, d2 = 1 (risk n^{−2/5}), so
	// the branch width, ∝ ε^{−2}, grows with n.
	last := runs[len(runs)-1].Prescribed
	if !(last.BranchWidth > 8 && last.Eps < first.Eps) {
		t.Errorf("at n = 32: %+v; want a wider branch than at 8", last)
	}
	for _, tc := range []struct{ old, new, want string }{
		{"calibrated_at = 8", "calibrated_at = 0", "calibrated_at"},
		{"kind = \"prescribed\"", "kind = \"grown\"", "network.kind"},
	} {
		if _, err := LoadSuite(writeSuite(t, strings.Replace(body, tc.old, tc.new, 1))); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v does not name %s", tc.new, err, tc.want)
		}
	}
}

func TestReportSetsFixedBesidePrescribed(t *testing.T) {
	grown := strings.NewReplacer(`id = "tiny"`, `id = "tiny-prescribed"`, "p = 4", "p = 4\nkind = \"prescribed\"\ncalibrated_at = 8").Replace(tinySuite)
	body := tinySuite + strings.Replace(grown, `name = "tiny"`, "", 1)
	dir := t.TempDir()
	sweepInto(t, dir, body)
	report := filepath.Join(dir, "REPORT.md")
	if err := WriteReport(ReportOptions{Results: dir, Report: report}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(report)
	out := string(b)
	i := strings.Index(out, "## Fixed against prescribed network")
	if i < 0 {
		t.Fatalf("report lacks the comparison of the fixed and prescribed networks")
	}
	section := out[i : i+strings.Index(out[i+3:], "\n## ")+3]
	for _, want := range []string{"| fixed ", "| prescribed ", "tiny-prescribed", "fixed capacity", "grown with n"} {
		if !strings.Contains(section, want) {
			t.Errorf("comparison lacks %q:\n%s", want, section)
		}
	}
	if !strings.Contains(out, "calibrated once, at n = 8") {
		t.Error("report does not state the prescription's calibration")
	}
}

func TestReportRendersRunsFromBeforeTheValidationStream(t *testing.T) {
	dir := t.TempDir()
	store := sweepInto(t, dir, tinySuite)
	// Runs recorded before validation had its own stream carry no count.
	var lines []string
	for _, r := range store.Runs() {
		r.Validation = nil
		b, _ := json.Marshal(r)
		lines = append(lines, string(b))
	}
	os.WriteFile(filepath.Join(dir, "runs.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	report := filepath.Join(dir, "REPORT.md")
	if err := WriteReport(ReportOptions{Results: dir, Report: report}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(report)
	if !strings.Contains(string(b), "predate separate validation functions") || !strings.Contains(string(b), "n included them") {
		t.Error("report does not say that old runs counted validation functions in n")
	}
	runs, _ := ParseRuns("runs", []byte(strings.Join(lines, "\n")))
	if a := Analyze(runs)[0]; !a.OldN {
		t.Error("analysis did not flag runs without a validation count")
	}
	if a := Analyze(store.Runs())[0]; a.OldN {
		t.Error("analysis flagged new runs as old")
	}
}

func TestRunIdentityIgnoresOnlySizesAndSeeds(t *testing.T) {
	s, err := LoadSuite(writeSuite(t, tinySuite))
	if err != nil {
		t.Fatal(err)
	}
	e := s.Experiments[0]
	h := e.hash()
	same := e
	same.Sizes, same.Seeds = []int{8, 16, 32, 64}, []uint64{7}
	same.Network.Kind = KindFixed
	if same.hash() != h {
		t.Error("sizes, seeds or spelling out the default network kind changed the run identity")
	}
	grouped := e
	grouped.Group = "noise"
	if grouped.hash() != h {
		t.Error("a group, which only places the experiment in the report, changed the run identity")
	}
	for name, change := range map[string]func(*Experiment){
		"noise":      func(e *Experiment) { e.Noise = 0.02 },
		"steps":      func(e *Experiment) { e.Training.Steps++ },
		"validation": func(e *Experiment) { e.Training.Validation = 0.5 },
		"network":    func(e *Experiment) { e.Network.Kind, e.Network.CalibratedAt = KindPrescribed, 8 },
		"test seed":  func(e *Experiment) { e.TestSeed = 3 },
	} {
		c := e
		change(&c)
		if c.hash() == h {
			t.Errorf("changing %s kept the run identity", name)
		}
	}
}

// A sweep leaves its efficiency beside its runs: the training work of the
// runs it trained, against its wall time and the FMA peak it measured, and
// the report shows it. A resumed sweep that trains nothing leaves it alone.
func TestSweepRecordsItsEfficiency(t *testing.T) {
	if nets.FMAPeak(1) == 0 {
		t.Skip("no assembly FMA loop in this build: no peak to compare with")
	}
	dir := t.TempDir()
	store := sweepInto(t, dir, tinySuite)
	eff, err := readEfficiency(filepath.Join(dir, efficiencyFile))
	if err != nil || eff == nil {
		t.Fatalf("no efficiency recorded: %v", err)
	}
	var gflop float64
	for _, r := range store.Runs() {
		gflop += r.Train.GFlop
	}
	if eff.Runs != 6 || eff.Suite != "tiny" || eff.Shard || math.Abs(eff.GFlop64-gflop) > 1e-9*gflop {
		t.Errorf("efficiency %+v: want 6 runs of suite tiny, %g GFLOP", eff, gflop)
	}
	if want := eff.GFlop64 / (eff.WallSec * float64(eff.Cores) * eff.PeakGFlops); (gflop > 0 && !(eff.Share > 0)) || math.Abs(eff.Share-want) > 1e-12 {
		t.Errorf("share %g, want %g", eff.Share, want)
	}
	// One peak measured beside each of the 6 runs, each trained alone.
	if eff.PeakProbes != 6 || !(eff.PeakMedian > 0) || math.Abs(eff.ShareMedian-eff.Share*eff.PeakGFlops/eff.PeakMedian) > 1e-12 {
		t.Errorf("peaks beside the runs: %d, median %g, share %g", eff.PeakProbes, eff.PeakMedian, eff.ShareMedian)
	}
	if !(eff.KernelMedian > 0) || math.Abs(eff.ShareKernel-eff.Share*eff.PeakGFlops/eff.KernelMedian) > 1e-12 {
		t.Errorf("kernel rates beside the runs: median %g, share %g", eff.KernelMedian, eff.ShareKernel)
	}
	report := filepath.Join(dir, "REPORT.md")
	if err := WriteReport(ReportOptions{Results: dir, Report: report}); err != nil {
		t.Fatal(err)
	}
	// The median of the peaks beside the runs leads; the two-point peak
	// follows.
	b, _ := os.ReadFile(report)
	lead := regexp.MustCompile(fmt.Sprintf(`\| suite efficiency +\| %.1f%% of the FMA peak: .* the median of 6 measurements`, 100*eff.ShareMedian))
	second := regexp.MustCompile(fmt.Sprintf(`\| suite efficiency, two-point peak +\| %.1f%% against`, 100*eff.Share))
	third := regexp.MustCompile(fmt.Sprintf(`\| suite efficiency, kernel rate +\| %.1f%% against`, 100*eff.ShareKernel))
	if !lead.Match(b) || !second.Match(b) || !third.Match(b) {
		t.Errorf("report does not lead with the efficiency against the median peak and follow with the two-point one:\n%s", b)
	}
	before, _ := os.ReadFile(filepath.Join(dir, efficiencyFile))
	sweepInto(t, dir, tinySuite)
	if after, _ := os.ReadFile(filepath.Join(dir, efficiencyFile)); !bytes.Equal(before, after) {
		t.Error("a sweep that trained nothing rewrote the efficiency")
	}
}

// scale_targets divides the training targets by their root mean square and
// multiplies the predictions back: the run records that scale (the RMS of
// the very targets it trained on), its losses come back in the targets'
// units, and the scaled problem is no harder: after the same steps its test
// error is no worse than the unscaled run's on these small outputs.
func TestScaleTargets(t *testing.T) {
	// A scattered set (train_points) scales its targets too.
	sc := strings.Replace(tinySuite, "eval_every = 10", "eval_every = 10\nscale_targets = true", 1)
	sc = strings.Replace(sc, `precision = "float64"`, "precision = \"float64\"\ntrain_points = 2", 1)
	for _, r := range sweepInto(t, t.TempDir(), sc).Runs() {
		if r.Train.TargetScale == 0 || r.TrainPoints != 2 {
			t.Errorf("scattered run %d/%d: target_scale %g, train_points %d", r.Size, r.Seed, r.Train.TargetScale, r.TrainPoints)
		}
	}
	scaled := strings.Replace(tinySuite, "eval_every = 10", "eval_every = 10\nscale_targets = true", 1)
	scaled = strings.Replace(scaled, "steps = 30", "steps = 300", 1)
	plain := strings.Replace(tinySuite, "steps = 30", "steps = 300", 1)
	sRuns := sweepInto(t, t.TempDir(), scaled).Runs()
	pRuns := sweepInto(t, t.TempDir(), plain).Runs()
	e, spec := firstExperiment(t, scaled)
	plainErr, plainLoss := map[[2]uint64]float64{}, map[[2]uint64]float64{}
	for _, r := range pRuns {
		plainLoss[[2]uint64{uint64(r.Size), r.Seed}] = r.Train.TrainLoss
		if r.Train.TargetScale != 0 {
			t.Errorf("unscaled run %d/%d records target_scale %g", r.Size, r.Seed, r.Train.TargetScale)
		}
		plainErr[[2]uint64{uint64(r.Size), r.Seed}] = r.Metrics.MeanSqL2
	}
	better := 0
	for _, r := range sRuns {
		ds, err := problems.Generate(spec, r.Size, r.Seed, problems.Train, e.Noise)
		if err != nil {
			t.Fatal(err)
		}
		if want := rootMeanSquare(ds.V); r.Train.TargetScale != want {
			t.Errorf("run %d/%d: target_scale %g, want the training targets' RMS %g", r.Size, r.Seed, r.Train.TargetScale, want)
		}
		// The final loss is that of noisy targets: at least about σ², in
		// the targets' units, not σ²/scale².
		if r.Train.TrainLoss < 0.3*e.Noise*e.Noise {
			t.Errorf("run %d/%d: training loss %g below the noise's own level %g: not in the targets' units", r.Size, r.Seed, r.Train.TrainLoss, e.Noise*e.Noise)
		}
		if pl := plainLoss[[2]uint64{uint64(r.Size), r.Seed}]; r.Train.TrainLoss > 10*pl {
			t.Errorf("run %d/%d: training loss %g, %g unscaled: not in the targets' units", r.Size, r.Seed, r.Train.TrainLoss, pl)
		}
		if r.Metrics.MeanSqL2 <= plainErr[[2]uint64{uint64(r.Size), r.Seed}] {
			better++
		}
	}
	if better < len(sRuns)/2 {
		t.Errorf("scaled targets lowered the test error in %d of %d runs", better, len(sRuns))
	}
}

// scale_targets belongs to DeepONets; a regression names it and says why.
func TestScaleTargetsRejectedOnRegressions(t *testing.T) {
	body := strings.Replace(denseSuite, "eval_every = 20", "eval_every = 20\nscale_targets = true", 1)
	if body == denseSuite {
		t.Fatal("the dense suite changed: no eval_every = 20 to add the field after")
	}
	_, err := LoadSuite(writeSuite(t, body))
	if err == nil || !strings.Contains(err.Error(), "training.scale_targets") {
		t.Errorf("scale_targets on a regression: error %v, want one naming training.scale_targets", err)
	}
}
