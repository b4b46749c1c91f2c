package harness

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"opscale/bounds"
)

// synthExp describes the runs of one synthetic experiment: its error and
// final training loss at each size and seed.
type synthExp struct {
	id, theorem, family, group string
	sweep                      string // "n" (default) or "N"
	bu                         int
	noise                      float64
	points                     int
	dim                        *InputDim
	err                        func(n float64) float64
	loss                       func(n float64) float64 // nil: no training loss recorded
	jitter                     float64                 // per-run log scatter of the error; 0 means 0.05
}

var synthSizes = []int{64, 128, 256, 512, 1024, 2048, 4096}

// runs makes the experiment's runs: five seeds at every size, each error
// scattered by a factor exp(jitter·z) drawn from the seed and size.
func (s synthExp) runs(order int) []Run {
	sweep, th := s.sweep, s.theorem
	if sweep == "" {
		sweep = "n"
	}
	if th == "" {
		th = "T-don-gen-low"
	}
	j := s.jitter
	if j == 0 {
		j = 0.05
	}
	var out []Run
	for _, n := range synthSizes {
		for seed := uint64(1); seed <= 5; seed++ {
			rng := rand.New(rand.NewPCG(seed, uint64(n)))
			e := s.err(float64(n)) * math.Exp(j*rng.NormFloat64())
			r := Run{Experiment: s.id, Order: order, ConfigHash: "h", Theorem: th, Problem: "tightness(K=2)", Family: s.family,
				D1: 1, D2: 1, BU: s.bu, Sweep: sweep, Size: n, Params: 1000, NTrain: n, Seed: seed, Precision: "float64",
				Noise: s.noise, TrainPoints: s.points, Group: s.group, InputDim: s.dim}
			if sweep == "N" {
				r.Params, r.NTrain = n*10, 1000
			}
			r.Setup.Points, r.Setup.TestSize = 64, 100
			r.Metrics.MeanSqL2, r.Metrics.MeanSup = e, e
			if s.loss != nil {
				r.Train.TrainLoss = s.loss(float64(n)) * math.Exp(0.02*rng.NormFloat64())
			}
			out = append(out, r)
		}
	}
	return out
}

func analyzeSynth(exps ...synthExp) []Analysis {
	var runs []Run
	for i, e := range exps {
		runs = append(runs, e.runs(i)...)
	}
	return Analyze(runs)
}

func ptr(v float64) *float64 { return &v }

func subspace2Dim() *InputDim {
	return &InputDim{Sample: 4000, PCA99: 2, PCA999: 2, TwoNN: ptr(2.03), MLE: ptr(1.96)}
}

// The noise group's sentences follow the ratios to the noiseless baseline:
// an error three times the baseline's is noise-limited, one equal to it is
// hidden by a floor, and the tail slope is compared with the baseline's.
func TestNoiseBaselineFollowsTheNumbers(t *testing.T) {
	base := synthExp{id: "noise0", family: "subspace(b_U=2)", group: "noise", bu: 2, dim: subspace2Dim(),
		err: func(n float64) float64 { return math.Pow(n, -0.5) }}
	for _, tc := range []struct {
		name   string
		factor func(n float64) float64
		want   []string
		not    string
	}{
		{"noise-limited", func(float64) float64 { return 3 }, []string{"raised at n = 64, 128, 256, 512, 1024, 2048, 4096", "limits the error there (variance-limited)", "overlap: the exponent did not move"}, "no measurable"},
		{"hidden", func(float64) float64 { return 1 }, []string{"no measurable effect at n = ", "made no measurable difference", "hides it"}, "variance-limited"},
		{"grows with n", func(n float64) float64 { return 1 + n/64 }, []string{"raised at n = ", "limits the error there", "shallower than the baseline's"}, "did not move"},
	} {
		noisy := synthExp{id: "noise1", family: "subspace(b_U=2)", group: "noise", bu: 2, noise: 0.1, dim: subspace2Dim(),
			err: func(n float64) float64 { return tc.factor(n) * math.Pow(n, -0.5) }}
		// The same seed gives both experiments the same scatter, as the
		// same training functions and weights do.
		as := analyzeSynth(base, noisy)
		c := compareToBaseline([]*Analysis{&as[0], &as[1]})
		if c == nil || c.varied != "noise" || c.base != &as[0] {
			t.Fatalf("%s: no noise baseline found: %+v", tc.name, c)
		}
		got := strings.Join(c.findings(), " ")
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		if strings.Contains(got, tc.not) {
			t.Errorf("%s: %q has %q", tc.name, got, tc.not)
		}
	}
}

// The output-point group's baseline is the experiment that observes every
// point; a group that varies both the noise and the points, or has no
// baseline, gets no comparison.
func TestBaselineChoice(t *testing.T) {
	mk := func(id string, noise float64, points int) synthExp {
		return synthExp{id: id, family: "subspace(b_U=2)", group: "g", bu: 2, noise: noise, points: points,
			err: func(n float64) float64 { return math.Pow(n, -0.5) }}
	}
	ptrs := func(as []Analysis) []*Analysis {
		var out []*Analysis
		for i := range as {
			out = append(out, &as[i])
		}
		return out
	}
	as := analyzeSynth(mk("p1", 0.1, 1), mk("pall", 0.1, 0), mk("p4", 0.1, 4))
	c := compareToBaseline(ptrs(as))
	if c == nil || c.varied != "points" || c.base.Experiment != "pall" || len(c.others) != 2 {
		t.Fatalf("points group: %+v", c)
	}
	if got := strings.Join(c.findings(), " "); !strings.Contains(got, "p1 (1 point)") || !strings.Contains(got, "p4 (4 points)") {
		t.Errorf("points findings do not name the points: %q", got)
	}
	// Without the aligned grid, the most points are the baseline.
	if c := compareToBaseline(ptrs(analyzeSynth(mk("p1", 0.1, 1), mk("p64", 0.1, 64), mk("p16", 0.1, 16)))); c == nil || c.base.Experiment != "p64" {
		t.Errorf("points group without the grid: %+v", c)
	}
	if c := compareToBaseline(ptrs(analyzeSynth(mk("a", 0.1, 1), mk("b", 0, 0)))); c != nil {
		t.Errorf("a group varying noise and points got a baseline: %+v", c)
	}
	if c := compareToBaseline(ptrs(analyzeSynth(mk("a", 0.1, 0), mk("b", 0.3, 0)))); c != nil {
		t.Errorf("a noise group without σ = 0 got a baseline: %+v", c)
	}
	other := mk("b", 0, 0)
	other.family = "grf(l=0.1)"
	if c := compareToBaseline(ptrs(analyzeSynth(mk("a", 0.1, 0), other))); c != nil {
		t.Errorf("a group varying noise and the family got a baseline: %+v", c)
	}
}

// The training loss is read against σ²: below it the network fits the
// noise, around it the signal, above it the training leaves a fit error.
func TestTrainLossFindingsFollowTheNumbers(t *testing.T) {
	for _, tc := range []struct {
		factor float64
		want   string
	}{
		{0.5, "fits part of the noise itself"},
		{1, "holds σ²: the network fits the signal down to the noise's level"},
		{1.3, "lies above σ², by a fit error of about loss − σ² ≈ 0.00287, 0.29 times the noise's level: the network fits the signal to below"},
		{3, "lies above σ²: the fit error left by the training, about loss − σ² ≈ 0.0197, is 2 times"},
	} {
		s := synthExp{id: "noisy", family: "subspace(b_U=2)", group: "noise", bu: 2, noise: 0.1,
			err:  func(n float64) float64 { return math.Pow(n, -0.5) },
			loss: func(float64) float64 { return tc.factor * 0.01 }}
		as := analyzeSynth(s)
		got := strings.Join(trainLossFindings([]*Analysis{&as[0]}), " ")
		if !strings.Contains(got, tc.want) {
			t.Errorf("loss %g σ²: %q lacks %q", tc.factor, got, tc.want)
		}
	}
	// A noiseless experiment has no noise level to be read against.
	as := analyzeSynth(synthExp{id: "clean", family: "subspace(b_U=2)", bu: 2, err: func(n float64) float64 { return 1 / n }, loss: func(float64) float64 { return 1e-4 }})
	if got := trainLossFindings([]*Analysis{&as[0]}); len(got) != 0 {
		t.Errorf("noiseless experiment: %q", got)
	}
}

// A log-rate experiment gets its low-dimensional counterpart's exponent at
// the measured dimension: T-don-gen-low at b_U = MLE = 5, d2 = 1, is
// 2/(2+5+1) = 0.25, and the finding says where the tail lies against it.
func TestLogRateAtMeasuredDimension(t *testing.T) {
	grf := &InputDim{Sample: 4000, PCA99: 9, PCA999: 12, TwoNN: ptr(4), MLE: ptr(5)}
	for _, tc := range []struct {
		slope float64
		want  string
	}{
		{0.6, "above it"},
		{0.25, "around it"},
		{0.05, "below it"},
	} {
		as := analyzeSynth(synthExp{id: "grf", theorem: "T-don-gen", family: "grf(d=1,kernel=se,l=0.2,modes=30)", group: "grf", dim: grf,
			err: func(n float64) float64 { return math.Pow(n, -tc.slope) }, jitter: 0.01})
		a := &as[0]
		if a.AtDims == nil || a.AtDims.Theorem != "T-don-gen-low" || a.AtDims.MLE == nil || math.Abs(*a.AtDims.MLE-0.25) > 1e-12 ||
			a.AtDims.TwoNN == nil || math.Abs(*a.AtDims.TwoNN-2.0/7) > 1e-12 {
			t.Fatalf("AtDims %+v", a.AtDims)
		}
		got := strings.Join(logRateFindings([]*Analysis{a}), " ")
		if !strings.Contains(got, tc.want) || !strings.Contains(got, "T-don-gen-low would give α = 0.250") {
			t.Errorf("slope %g: %q lacks %q", tc.slope, got, tc.want)
		}
		if row := summaryRow(a); !strings.Contains(strings.Join(row, "|"), "T-don-gen-low: 0.286 / 0.250") {
			t.Errorf("summary row lacks the low-dimensional exponents: %q", row)
		}
	}
	// A power-law theorem keeps its own exponent at the measured dimension:
	// 2/(2+9+1) at the PCA count 9.
	th, _ := bounds.Lookup("T-don-gen-low")
	d := alphasAtDims(th, bounds.Dims{D1: 1, D2: 1, BU: 2}, grf)
	if d == nil || d.Theorem != "T-don-gen-low" || math.Abs(*d.PCA99-2.0/12) > 1e-12 {
		t.Errorf("power law at the PCA count 9: %+v", d)
	}
}

// The manifold sentence names which measured dimension the tail's interval
// follows: with PCA count 12 (α_T = 2/15), TwoNN 2.1 and MLE 2 (α_T about
// 0.39 and 0.4).
func TestManifoldFindingsFollowTheNumbers(t *testing.T) {
	dim := &InputDim{Sample: 4000, PCA99: 12, PCA999: 20, TwoNN: ptr(2.1), MLE: ptr(2)}
	for _, tc := range []struct {
		slope, jitter float64
		want          string
	}{
		{0.4, 0.01, "follows the intrinsic dimension, not the PCA count"},
		{2.0 / 15, 0.01, "follows the PCA count, not the intrinsic dimension"},
		{0.25, 0.3, "cannot tell the intrinsic dimension from the PCA count"},
		{0.8, 0.01, "lies above all of them"},
		{0.02, 0.01, "lies below all of them"},
		{0.25, 0.01, "lies between them"},
	} {
		as := analyzeSynth(synthExp{id: "m", family: "manifold(d=2,dim=1)", group: "manifold", bu: 2, dim: dim,
			err: func(n float64) float64 { return math.Pow(n, -tc.slope) }, jitter: tc.jitter})
		got := strings.Join(manifoldFindings([]*Analysis{&as[0]}), " ")
		if !strings.Contains(got, tc.want) {
			t.Errorf("slope %.3f: %q lacks %q", tc.slope, got, tc.want)
		}
	}
}

// The summary's regime column and the experiment's discussion apply the same
// rules to the same tail.
func TestTailRegimeAgreesWithDiscussion(t *testing.T) {
	for _, tc := range []struct {
		slope      float64
		regime     string
		discussion string
	}{
		{0, "flat tail: a floor", "Floor: the tail's interval"},
		{1.6, "pre-asymptotic", "pre-asymptotic"},
		{1, "variance-limited (slope 1)", "consistent with −1, the variance-limited regime"},
		{0.6, "decaying, no floor", ""},
	} {
		as := analyzeSynth(synthExp{id: "e", family: "subspace(b_U=2)", bu: 2, noise: 0.1,
			err: func(n float64) float64 { return math.Pow(n, -tc.slope) }, jitter: 0.02})
		a := &as[0]
		got, disc := tailRegime(a), strings.Join(a.Discussion(), " ")
		if !strings.HasPrefix(got, tc.regime) {
			t.Errorf("slope %g: regime %q, want %q", tc.slope, got, tc.regime)
		}
		if tc.discussion != "" && !strings.Contains(disc, tc.discussion) {
			t.Errorf("slope %g: discussion lacks %q: %s", tc.slope, tc.discussion, disc)
		}
		if tc.discussion == "" && (strings.Contains(disc, "Floor:") || strings.Contains(disc, "pre-asymptotic") || strings.Contains(disc, "variance-limited regime")) {
			t.Errorf("slope %g: discussion names a regime the summary does not: %s", tc.slope, disc)
		}
	}
}

// A suite's group is checked, and a report read through the suite takes
// the group from it, not from the runs.
func TestGroupFieldIsCheckedAndTakenFromTheSuite(t *testing.T) {
	if _, err := LoadSuite(writeSuite(t, strings.Replace(tinySuite, "sweep = \"n\"", "sweep = \"n\"\ngroup = \"noise\"", 1))); err != nil {
		t.Fatalf("group = \"noise\" refused: %v", err)
	}
	_, err := LoadSuite(writeSuite(t, strings.Replace(tinySuite, "sweep = \"n\"", "sweep = \"n\"\ngroup = \"no ise\"", 1)))
	if err == nil || !strings.Contains(err.Error(), "field group") {
		t.Errorf("group with a space: %v", err)
	}
	for _, bad := range []string{"noise,", "noise, points", ",noise"} {
		_, err := LoadSuite(writeSuite(t, strings.Replace(tinySuite, "sweep = \"n\"", "sweep = \"n\"\ngroup = \""+bad+"\"", 1)))
		if err == nil || !strings.Contains(err.Error(), "field group") {
			t.Errorf("group = %q: %v", bad, err)
		}
	}
	s, err := LoadSuite(writeSuite(t, strings.Replace(tinySuite, "sweep = \"n\"", "sweep = \"n\"\ngroup = \"noise\"", 1)))
	if err != nil {
		t.Fatal(err)
	}
	e := &s.Experiments[0]
	r := Run{Experiment: e.ID, ConfigHash: e.hash(), Size: e.Sizes[0], Seed: e.Seeds[0], Group: "old"}
	picked, _, _ := s.pick([]Run{r})
	if len(picked) != 1 || picked[0].Group != "noise" {
		t.Errorf("picked %+v: want the suite's group", picked)
	}
}

// A report of runs with groups puts the summary first and writes a section
// for each group, with its plot, its baseline ratios, its training losses
// and the low-dimensional bound of its log-rate experiments.
func TestReportWritesSummaryAndGroups(t *testing.T) {
	dir := t.TempDir()
	var runs []Run
	pow := func(s float64) func(float64) float64 { return func(n float64) float64 { return math.Pow(n, -s) } }
	exps := []synthExp{
		{id: "tight0", family: "subspace(b_U=2)", group: "noise", bu: 2, dim: subspace2Dim(), err: pow(0.5), loss: func(float64) float64 { return 1e-4 }},
		{id: "tight1", family: "subspace(b_U=2)", group: "noise", bu: 2, noise: 0.1, dim: subspace2Dim(), err: func(n float64) float64 { return 2 * math.Pow(n, -0.5) }, loss: func(float64) float64 { return 0.011 }},
		{id: "pts1", family: "subspace(b_U=2)", group: "points", bu: 2, noise: 0.1, points: 1, dim: subspace2Dim(), err: pow(0.3), loss: func(float64) float64 { return 0.012 }},
		{id: "ptsall", family: "subspace(b_U=2)", group: "points", bu: 2, noise: 0.1, dim: subspace2Dim(), err: pow(0.5), loss: func(float64) float64 { return 0.01 }},
		{id: "grf-data", theorem: "T-don-gen", family: "grf(d=1,kernel=se,l=0.2,modes=30)", group: "grf", dim: &InputDim{Sample: 4000, PCA99: 9, TwoNN: ptr(4), MLE: ptr(5)}, err: pow(0.2)},
		{id: "grf-model", theorem: "T-don-approx", sweep: "N", family: "grf(d=1,kernel=se,l=0.2,modes=30)", group: "grf", dim: &InputDim{Sample: 4000, PCA99: 9, TwoNN: ptr(4), MLE: ptr(5)}, err: pow(0.1)},
		{id: "man2", family: "manifold(d=2,dim=1)", group: "manifold", bu: 2, dim: &InputDim{Sample: 4000, PCA99: 12, TwoNN: ptr(2.1), MLE: ptr(2)}, err: pow(0.4)},
		{id: "plain", family: "subspace(b_U=4)", bu: 4, dim: subspace2Dim(), err: pow(0.3)},
	}
	for i, e := range exps {
		runs = append(runs, e.runs(i)...)
	}
	f, err := os.Create(filepath.Join(dir, "runs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	for _, r := range runs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	report := filepath.Join(dir, "REPORT.md")
	if err := WriteReport(ReportOptions{Results: dir, Report: report}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	order := []string{"## Summary", "exponent-dimension.svg", "## Environment", "## Regimes", "### Group noise", "### Group points", "### Group grf", "### Group manifold", "## tight0"}
	last := -1
	for _, s := range order {
		i := strings.Index(doc, s)
		if i < 0 || i < last {
			t.Errorf("%q missing or out of order (at %d, after %d)", s, i, last)
		}
		last = max(last, i)
	}
	for _, s := range []string{
		"Error divided by the baseline's (tight0, σ = 0)", "Error divided by the baseline's (ptsall, all points)",
		"Final training loss", "tight1 (σ² = 0.01)", "low-dimensional bound at TwoNN / MLE", "T-don-gen-low: 0.286 / 0.250",
		"α_T at the PCA count", "follows the intrinsic dimension", "manifold d=2",
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("report lacks %q", s)
		}
	}
	if strings.Count(doc, "## Measured exponents") != 0 {
		t.Error("the old exponent table is still there beside the summary")
	}
	for _, p := range []string{"group-noise-n.svg", "group-points-n.svg", "group-grf-n.svg", "group-grf-N.svg", "group-manifold-n.svg", "exponent-measured-dimension.svg"} {
		if st, err := os.Stat(filepath.Join(dir, "plots", p)); err != nil || st.Size() == 0 {
			t.Errorf("plot %s not written: %v", p, err)
		}
	}
}

// An experiment in two groups is drawn in both: the all-points noisy
// experiment is a member of the noise study and the baseline of the points
// study.
func TestExperimentInTwoGroups(t *testing.T) {
	as := []Analysis{{Experiment: "a", Group: "noise"}, {Experiment: "b", Group: "noise,points"}, {Experiment: "c", Group: "points"}}
	gs := regimeGroups(as)
	if len(gs) != 2 || gs[0].name != "noise" || gs[1].name != "points" {
		t.Fatalf("groups %+v: want noise then points", gs)
	}
	if len(gs[0].exps) != 2 || gs[0].exps[1].Experiment != "b" || len(gs[1].exps) != 2 || gs[1].exps[0].Experiment != "b" {
		t.Errorf("b must be in both groups: noise %d, points %d experiments", len(gs[0].exps), len(gs[1].exps))
	}
}

// An experiment with a single finished run (an interrupted sweep) still
// plots: both its axes hold one value.
func TestPlotOfASingleRun(t *testing.T) {
	runs := synthExp{id: "lone", family: "subspace(b_U=2)", bu: 2, err: func(n float64) float64 { return 0.005 }}.runs(0)
	as := Analyze(runs[:1])
	if len(as) != 1 {
		t.Fatalf("%d analyses", len(as))
	}
	if _, err := PlotSVG(&as[0]); err != nil {
		t.Fatal(err)
	}
}
