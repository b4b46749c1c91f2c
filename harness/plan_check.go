package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"opscale/internal/atomicfile"
	"opscale/internal/table"
	"opscale/problems"
)

// CheckConfig sets up a validation of the planner on a built-in problem.
type CheckConfig struct {
	Spec      problems.Spec
	Functions int     // functions generated; the proof of concept uses a quarter of the training split
	Sigma     float64 // noise on the targets
	// Plan gives the seeds, metric, seed and steps (0: 1000); its budget is
	// not used, the grid being fixed.
	Plan PlanConfig
	// Widths is the proof of concept's model sweep; nil means {4, 8, 16, 32}.
	Widths []int
}

// CheckPoint compares one prediction with the error measured there.
type CheckPoint struct {
	Label     string  `json:"label"`
	Width     int     `json:"width"`
	Params    int     `json:"params"`
	Functions int     `json:"functions"`
	Predicted float64 `json:"predicted"`
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	Measured  float64 `json:"measured"` // mean over seeds
	// RelErr is (predicted − measured)/measured.
	RelErr  float64 `json:"rel_err"`
	Covered bool    `json:"covered"` // measured inside [Lo, Hi]
}

// CheckResult is one validation of the planner.
type CheckResult struct {
	Problem   string       `json:"problem"`
	Metric    Metric       `json:"metric"`
	Seeds     int          `json:"seeds"`
	Steps     int          `json:"steps"`
	Widths    []int        `json:"poc_widths"`
	DataSizes []int        `json:"poc_data_sizes"`
	Law       JointLaw     `json:"law"`
	Points    []CheckPoint `json:"points"`
	Warnings  []string     `json:"warnings,omitempty"`
	Seconds   float64      `json:"seconds"`
}

// Summary returns the median absolute relative prediction error and the
// number of points whose measured error the interval covered.
func (c *CheckResult) Summary() (medAbs float64, covered, total int) {
	var abs []float64
	for _, p := range c.Points {
		abs = append(abs, math.Abs(p.RelErr))
		if p.Covered {
			covered++
		}
	}
	sort.Float64s(abs)
	if len(abs) == 0 {
		return math.NaN(), 0, 0
	}
	mid := len(abs) / 2
	medAbs = abs[mid]
	if len(abs)%2 == 0 {
		medAbs = (abs[mid-1] + abs[mid]) / 2
	}
	return medAbs, covered, len(c.Points)
}

// PlanCheck runs a proof of concept on the smaller half of a sweep (the
// data sizes up to a quarter of the training split, the widths of
// cfg.Widths), predicts the errors at 2× and 4× its data and at about 2×
// and 4× its parameters, trains there, and compares. The held-out runs use
// the same seeds, subsets and test split as the proof of concept, as a user
// who grows the model or the data would.
func PlanCheck(cfg CheckConfig) (*CheckResult, error) {
	start := time.Now()
	pc := cfg.Plan
	pc.defaults()
	if pc.Steps == 0 {
		pc.Steps = 1000
	}
	pc.Budget = time.Hour // unused; Validate wants one
	if err := pc.Validate(); err != nil {
		return nil, err
	}
	widths := cfg.Widths
	if widths == nil {
		widths = []int{4, 8, 16, 32}
	}
	if len(widths) < planMinSizes {
		return nil, fmt.Errorf("check: %d widths: the proof of concept needs %d", len(widths), planMinSizes)
	}
	ds, err := problems.Generate(cfg.Spec, cfg.Functions, pc.Seed, problems.Train, cfg.Sigma)
	if err != nil {
		return nil, err
	}
	name := cfg.Spec.Operator.Name() + " on " + cfg.Spec.Family.Name()
	d := PlanDataFrom(ds, name)
	trainIdx, testIdx := planSplit(d.N, pc.Seed)
	sc := newPlanScale(d, trainIdx)
	nPoc := len(trainIdx) / 4
	var sizes []int
	for n := nPoc; n >= planMinSubset && len(sizes) < planMinSizes; n /= 2 {
		sizes = append([]int{n}, sizes...)
	}
	if len(sizes) < planMinSizes {
		need := planTrainTestSplit(4 * (planMinSubset << (planMinSizes - 1)))
		return nil, fmt.Errorf("check: %d functions: the proof of concept on a quarter of the training split needs at least %d", cfg.Functions, need)
	}
	logf := func(format string, a ...any) {
		if pc.Log != nil {
			fmt.Fprintf(pc.Log, format, a...)
		}
	}
	grid := planGrid{Widths: widths, DataSizes: sizes, Seeds: pc.Seeds, Steps: pc.Steps, Test: len(testIdx)}
	res := &PlanResult{Source: name, N: d.N, M: d.M, P: d.P, D2: d.D2, Train: len(trainIdx), Test: len(testIdx), Metric: pc.Metric, Grid: grid}
	runs := grid.runs()
	wPoc := widths[len(widths)-1]
	held := []struct {
		label string
		w, n  int
	}{
		{"2× data", wPoc, 2 * nPoc}, {"4× data", wPoc, 4 * nPoc},
		{"≈2× parameters", int(math.Round(math.Sqrt2 * float64(wPoc))), nPoc}, {"≈4× parameters", 2 * wPoc, nPoc},
	}
	var heldRuns []planRun
	for s := range pc.Seeds {
		for _, h := range held {
			heldRuns = append(heldRuns, planRun{Width: h.w, N: h.n, SeedIdx: s})
		}
	}
	all := append(append([]planRun(nil), runs...), heldRuns...)
	for i := range all {
		r := &all[i]
		if err := trainPlanRun(d, sc, trainIdx, testIdx, r, pc.Steps, pc.Metric, pc.Seed); err != nil {
			return nil, fmt.Errorf("check run width %d, n=%d, seed %d: %w", r.Width, r.N, r.SeedIdx+1, err)
		}
		logf("check [%d/%d] width %d (N=%d), n=%d, seed %d: %s %.3e, %.1fs\n", i+1, len(all), r.Width, r.Params, r.N, r.SeedIdx+1, pc.Metric, r.Err, r.Sec)
	}
	res.Runs = all[:len(runs)]
	res.analyse(pc.Seed)
	if res.LawErr != nil {
		return nil, fmt.Errorf("check: %w", res.LawErr)
	}
	reps := res.reps
	out := &CheckResult{Problem: name, Metric: pc.Metric, Seeds: pc.Seeds, Steps: pc.Steps, Widths: widths, DataSizes: sizes, Law: res.Law, Warnings: res.Warnings}
	for _, h := range held {
		var vals []float64
		params := 0
		for _, r := range all[len(runs):] {
			if r.Width == h.w && r.N == h.n {
				vals = append(vals, r.Err)
				params = r.Params
			}
		}
		N, D := float64(params), float64(h.n)
		iv := intervalOf(res.Law.At(N, D), reps, func(b JointLaw) float64 { return b.At(N, D) })
		meas := meanOf(vals)
		out.Points = append(out.Points, CheckPoint{
			Label: h.label, Width: h.w, Params: params, Functions: h.n,
			Predicted: iv.V, Lo: iv.Lo, Hi: iv.Hi, Measured: meas,
			RelErr: (iv.V - meas) / meas, Covered: iv.Lo <= meas && meas <= iv.Hi,
		})
	}
	out.Seconds = math.Round(time.Since(start).Seconds())
	return out, nil
}

// WritePlanCheckFiles writes check.json (for the report) and check.md.
func WritePlanCheckFiles(dir string, c *CheckResult) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "check.json"), append(b, '\n')); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "check.md"), []byte(RenderPlannerCheck([]*CheckResult{c})))
}

// LoadPlanCheck reads a check.json.
func LoadPlanCheck(path string) (*CheckResult, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c CheckResult
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(c.Points) == 0 {
		return nil, fmt.Errorf("%s: no check points", path)
	}
	return &c, nil
}

// PlannerCheckSection renders REPORT.md's "Planner check" section from
// every results/plancheck*/check.json under resultsDir; "" when there is
// none.
func PlannerCheckSection(resultsDir string) (string, error) {
	paths, err := filepath.Glob(filepath.Join(resultsDir, "plancheck*", "check.json"))
	if err != nil || len(paths) == 0 {
		return "", err
	}
	sort.Strings(paths)
	var cs []*CheckResult
	for _, p := range paths {
		c, err := LoadPlanCheck(p)
		if err != nil {
			return "", err
		}
		cs = append(cs, c)
	}
	return RenderPlannerCheck(cs), nil
}

// RenderPlannerCheck writes the "Planner check" section: for each problem,
// the predictions of the proof of concept beside the errors measured at the
// larger sizes, the prediction errors and the interval coverage.
func RenderPlannerCheck(cs []*CheckResult) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "## Planner check\n\n")
	fmt.Fprintf(&b, "`opscale plan` fits e(N, n) = A·N^−αN + B·n^−αn + c to a proof of concept (a model sweep and a data sweep, each seed's runs resampled together for the 95%% intervals), then predicts the error at larger sizes. Here the proof of concept is the smaller half of a sweep; the larger sizes are trained with the same seeds and test split and compared with the predictions.\n\n")
	totalCov, total := 0, 0
	for _, c := range cs {
		med, cov, n := c.Summary()
		totalCov += cov
		total += n
		fmt.Fprintf(&b, "### %s (%s, %d seeds, %d steps)\n\n", c.Problem, c.Metric, c.Seeds, c.Steps)
		fmt.Fprintf(&b, "Proof of concept: widths %v at n = %d; n = %v at width %d. Law: A = %.3g, α_N = %.3f, B = %.3g, α_n = %.3f, c = %.3g.\n\n",
			c.Widths, c.DataSizes[len(c.DataSizes)-1], c.DataSizes, c.Widths[len(c.Widths)-1], c.Law.A, c.Law.AlphaN, c.Law.B, c.Law.AlphaD, c.Law.C)
		var rows [][]string
		for _, p := range c.Points {
			cv := "no"
			if p.Covered {
				cv = "yes"
			}
			rows = append(rows, []string{p.Label, fmt.Sprint(p.Width), fmt.Sprint(p.Params), fmt.Sprint(p.Functions),
				fmt.Sprintf("%.3g [%.3g, %.3g]", p.Predicted, p.Lo, p.Hi), fmt.Sprintf("%.3g", p.Measured), fmt.Sprintf("%+.0f%%", 100*p.RelErr), cv})
		}
		_ = table.Markdown(&b, []string{"step", "width", "N", "n", "predicted [95%]", "measured", "prediction error", "covered"}, rows)
		fmt.Fprintf(&b, "\nMedian |prediction error| %.0f%%; intervals covered %d of %d.\n", 100*med, cov, n)
		if len(c.Warnings) > 0 {
			fmt.Fprintf(&b, "\nPlanner warnings on this proof of concept: %s.\n", strings.Join(c.Warnings, "; "))
		}
		b.WriteString("\n")
	}
	if len(cs) > 1 {
		fmt.Fprintf(&b, "Overall coverage: %d of %d.\n\n", totalCov, total)
	}
	return b.String()
}
