package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"opscale/harness"
	"opscale/nets"
	"opscale/problems"
)

func init() {
	commands["plan"] = command{run: runPlan, summary: "price the next step on your data: more functions or a bigger model"}
}

// planFlags are the plan command's settings.
type planFlags struct {
	data, problem, family, out, metric string
	params                             problems.Params
	n, sensors, points, seeds, steps   int
	threads                            int
	sigma, target                      float64
	seed                               uint64
	budget                             time.Duration
	check                              bool
}

func parsePlanFlags(args []string, stderr io.Writer) (*planFlags, error) {
	fs := newFlagSet("plan", stderr)
	f := &planFlags{}
	fs.StringVar(&f.data, "data", "", "directory holding U.npy (n×m), Y.npy (P×d2), V.npy (n×P) and optionally X.npy")
	fs.StringVar(&f.problem, "problem", "", "built-in operator instead of -data: "+strings.Join(problems.Operators, ", "))
	fs.StringVar(&f.family, "family", "", "input family of the built-in problem: "+strings.Join(problems.Families, ", "))
	paramFlags(fs, &f.params)
	fs.IntVar(&f.n, "n", 1000, "functions to generate for a built-in problem")
	fs.IntVar(&f.sensors, "sensors", 32, "sensors per axis of a built-in problem")
	fs.IntVar(&f.points, "points", 64, "output points per axis of a built-in problem")
	fs.Float64Var(&f.sigma, "sigma", 0, "noise on a built-in problem's targets")
	fs.DurationVar(&f.budget, "budget", 10*time.Minute, "wall time for the whole plan, e.g. 2m or 10m")
	fs.Float64Var(&f.target, "target", 0, "error to reach (0: do not ask)")
	fs.IntVar(&f.seeds, "seeds", 3, "seeds per grid point (at least 3)")
	fs.StringVar(&f.metric, "metric", "rel_l2", "error to plan for: rel_l2 (mean relative L²), sq_l2 (mean squared L²) or sup")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the test split, subsets, initialisations and batches (and of a built-in problem's functions)")
	fs.IntVar(&f.steps, "steps", 0, "Adam steps per run (0: sized to the budget)")
	fs.IntVar(&f.threads, "threads", 0, "threads of the matrix products (0: all cores)")
	fs.StringVar(&f.out, "out", "plan", "directory for plan.md and plan.svg")
	fs.BoolVar(&f.check, "check", false, "validate the planner on the built-in problem instead: predict from the smaller half of a sweep, measure the larger half (writes check.json and check.md to -out)")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	switch {
	case f.data != "" && (f.problem != "" || f.family != ""):
		return nil, fmt.Errorf("-data and -problem/-family: give one or the other")
	case f.data == "" && (f.problem == "" || f.family == ""):
		return nil, fmt.Errorf("give -data DIR (your U.npy, Y.npy, V.npy) or -problem and -family (problems: %v; families: %v)", problems.Operators, problems.Families)
	case f.check && f.data != "":
		return nil, fmt.Errorf("-check runs on a built-in problem: give -problem and -family, not -data")
	case f.threads < 0:
		return nil, fmt.Errorf("-threads %d: must be ≥ 0", f.threads)
	}
	return f, nil
}

func (f *planFlags) config(log io.Writer) (harness.PlanConfig, error) {
	m, err := harness.ParseMetric(f.metric)
	if err != nil {
		return harness.PlanConfig{}, fmt.Errorf("-metric: %w", err)
	}
	return harness.PlanConfig{Budget: f.budget, Target: f.target, Seeds: f.seeds, Metric: m, Seed: f.seed, Steps: f.steps, Log: log}, nil
}

// loadData reads the user's files or generates the built-in problem.
func (f *planFlags) loadData() (*harness.PlanData, error) {
	if f.data != "" {
		return harness.LoadPlanData(f.data)
	}
	spec, err := problems.NewSpec(f.problem, f.family, f.params, f.sensors, f.points)
	if err != nil {
		return nil, err
	}
	ds, err := problems.Generate(spec, f.n, f.seed, problems.Train, f.sigma)
	if err != nil {
		return nil, err
	}
	return harness.PlanDataFrom(ds, fmt.Sprintf("%s on %s (n=%d, seed %d)", spec.Operator.Name(), spec.Family.Name(), f.n, f.seed)), nil
}

func runPlan(args []string, stdout io.Writer) error {
	f, err := parsePlanFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	cfg, err := f.config(stdout)
	if err != nil {
		return err
	}
	if f.threads > 0 {
		defer nets.SetThreads(nets.SetThreads(f.threads))
	}
	if f.check {
		spec, err := problems.NewSpec(f.problem, f.family, f.params, f.sensors, f.points)
		if err != nil {
			return err
		}
		res, err := harness.PlanCheck(harness.CheckConfig{Spec: spec, Functions: f.n, Sigma: f.sigma, Plan: cfg})
		if err != nil {
			return err
		}
		if err := harness.WritePlanCheckFiles(f.out, res); err != nil {
			return err
		}
		fmt.Fprintln(stdout, harness.RenderPlannerCheck([]*harness.CheckResult{res}))
		fmt.Fprintf(stdout, "wrote %s/check.json and %s/check.md\n", f.out, f.out)
		return nil
	}
	data, err := f.loadData()
	if err != nil {
		return err
	}
	res, err := harness.Plan(data, cfg)
	if err != nil {
		return err
	}
	if err := harness.WritePlanText(stdout, res); err != nil {
		return err
	}
	if err := harness.WritePlanFiles(f.out, res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s/plan.md and %s/plan.svg\n", f.out, f.out)
	return nil
}
