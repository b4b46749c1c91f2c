package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/montanaflynn/stats"

	"opscale/harness"
	"opscale/nets"
	"opscale/problems"
)

func init() {
	commands["train"] = command{run: runTrain, summary: "train one DeepONet on a problem and report test errors and steps/s"}
	commands["benchtrain"] = command{run: runBenchTrain, summary: "time training steps of the reference networks beside PyTorch"}
}

// runTrain trains one DeepONet. Its defaults are the antiderivative benchmark
// of the DeepONet paper: GRF inputs of length scale 0.2 at 100 sensors,
// branch [100, 40, 40], trunk [1, 40, 40] with ReLU on its output too, 150
// training functions at 100 points, full batch, Adam at a constant 1e-3 for
// 10,000 steps.
func runTrain(args []string, stdout io.Writer) error {
	fs := newFlagSet("train", os.Stderr)
	var p problems.Params
	paramFlags(fs, &p)
	// The benchmark's length scale, as the default here only.
	if f := fs.Lookup("length"); f != nil {
		f.DefValue = "0.2"
		p.Length = 0.2
	}
	problem := fs.String("problem", "antiderivative", "operator: "+strings.Join(problems.Operators, ", "))
	family := fs.String("family", "grf", "input family: "+strings.Join(problems.Families, ", "))
	sensors := fs.Int("sensors", 100, "sensors per axis at which inputs are sampled")
	points := fs.Int("points", 100, "output points per axis")
	n := fs.Int("n", 150, "training functions")
	nTest := fs.Int("ntest", 1000, "test functions")
	branch := fs.String("branch", "40,40", "branch widths after the input, the last being p")
	trunk := fs.String("trunk", "40,40", "trunk widths after the input, the last being p")
	trunkReLU := fs.Bool("trunk-relu", true, "ReLU on the trunk's output too, as DeepXDE does")
	steps := fs.Int("train-steps", 10000, "Adam steps (-steps is the advection solver's)")
	batch := fs.Int("batch", 0, "functions per step (0: full batch)")
	lr := fs.Float64("lr", 1e-3, "learning rate")
	finalLR := fs.Float64("final-lr", 1, "fraction of -lr the cosine schedule ends at (1: constant)")
	precision := fs.String("precision", "float32", "float32 or float64")
	threads := fs.Int("threads", 0, "threads (0: GOMAXPROCS)")
	seed := fs.Uint64("seed", 1, "seed of the data, the initialisation and the batch order")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	bw, err := parseWidths("-branch", *branch)
	if err != nil {
		return err
	}
	tw, err := parseWidths("-trunk", *trunk)
	if err != nil {
		return err
	}
	if bw[len(bw)-1] != tw[len(tw)-1] {
		return fmt.Errorf("-branch %s and -trunk %s must end in the same width p", *branch, *trunk)
	}
	if *threads < 0 {
		return fmt.Errorf("-threads %d: must be ≥ 0", *threads)
	}
	if *precision != "float32" && *precision != "float64" {
		return fmt.Errorf("-precision %q: use float32 or float64", *precision)
	}
	if *threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*threads))
	}
	spec, err := problems.NewSpec(*problem, *family, p, *sensors, *points)
	if err != nil {
		return err
	}
	train, err := problems.Generate(spec, *n, *seed, problems.Train, 0)
	if err != nil {
		return err
	}
	test, err := problems.Generate(spec, *nTest, *seed, problems.Test, 0)
	if err != nil {
		return err
	}
	cfg := nets.DeepONetConfig{
		Sensors: train.M, OutDim: train.D2,
		Branch: bw[:len(bw)-1], Trunk: tw[:len(tw)-1], P: bw[len(bw)-1],
		TrunkLastReLU: *trunkReLU,
	}
	tc := nets.TrainConfig{Steps: *steps, BatchSize: *batch, LR: *lr, FinalLR: *finalLR, EvalEvery: max(*steps/10, 1), Seed: *seed}
	fmt.Fprintf(stdout, "%s on %s: %d training and %d test functions, m=%d sensors, P=%d points\n",
		spec.Operator.Name(), spec.Family.Name(), train.N, test.N, train.M, train.P)
	if *precision == "float32" {
		return trainAndTest[float32](stdout, cfg, tc, train, test)
	}
	return trainAndTest[float64](stdout, cfg, tc, train, test)
}

func trainAndTest[T nets.Float](w io.Writer, cfg nets.DeepONetConfig, tc nets.TrainConfig, train, test *problems.Dataset) error {
	d, err := nets.NewDeepONet[T](cfg, rand.New(rand.NewPCG(tc.Seed, 0x696e6974))) // "init"
	if err != nil {
		return err
	}
	data := nets.ConvertData[T](train.N, train.M, train.P, train.D2, train.U, train.Y, train.V)
	start := time.Now()
	res, err := nets.Train(d, data, nets.Data[T]{}, tc)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	td := nets.ConvertData[T](test.N, test.M, test.P, test.D2, test.U, test.Y, test.V)
	m, err := nets.Evaluate(d.Predict(td.U, td.N, td.Y, td.P), test.V, test.N, test.P)
	if err != nil {
		return err
	}
	var z T
	fmt.Fprintf(w, "DeepONet %s, N = %d parameters, %T, %d threads\n", d, d.NumParams(), z, runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "%d steps in %.2f s: %.0f steps/s; final training MSE %.3e", res.Steps, wall.Seconds(), float64(res.Steps)/wall.Seconds(), res.TrainLoss)
	if res.Diverged {
		fmt.Fprint(w, " (diverged)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "test: mean relative L2 %.3e, median relative L2 %.3e, mean sup %.3e, mean squared L2 %.3e\n",
		m.MeanRelL2, m.MedianRelL2, m.MeanSup, m.MeanSqL2)
	return nil
}

// parseWidths reads a comma-separated list of positive layer widths.
func parseWidths(flag, s string) ([]int, error) {
	var ws []int
	for f := range strings.SplitSeq(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("%s %q: want positive widths separated by commas, like 40,40", flag, s)
		}
		ws = append(ws, v)
	}
	return ws, nil
}

// refNet is one reference network of ../shared/peers/torch_train.py, which
// names it by -model and -width.
type refNet struct {
	name, model string
	width       int
	target      float64 // the speed-up over PyTorch to reach
	torchSteps  int     // steps per PyTorch run before its speed is known
}

var refNets = []refNet{
	{"DeepONet w=40", "deeponet", 40, 1.5, 100},
	{"DeepONet w=128", "deeponet", 128, 1.0, 30},
	{"DeepONet w=512", "deeponet", 512, 1.0, 8},
	{"antiderivative", "antiderivative", 40, 1.5, 200},
	{"MLP 8→4×256→1", "mlp", 256, 1.0, 8},
}

// stepFunc builds the reference network r in precision T on synthetic data
// of the peer script's shapes, and returns one full training step: forward,
// backward and Adam update.
func stepFunc[T nets.Float](r refNet) (func(), error) {
	rng := rand.New(rand.NewPCG(1, 1))
	fill := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(rng.NormFloat64())
		}
		return s
	}
	if r.model == "mlp" {
		d, err := nets.NewDense[T]([]int{8, 256, 256, 256, 256, 1}, rng)
		if err != nil {
			return nil, err
		}
		const batch = 4096
		x, y := fill(batch*8), fill(batch)
		adam := nets.NewAdam[T](d.NumParams())
		return func() {
			d.LossGrad(x, batch, y)
			adam.Step(d.Params(), d.Grads(), 1e-3)
		}, nil
	}
	n, m, p, w, hidden := 1000, 100, 100, r.width, 3
	if r.model == "antiderivative" {
		n, hidden = 150, 1
	}
	hw := slices.Repeat([]int{w}, hidden)
	d, err := nets.NewDeepONet[T](nets.DeepONetConfig{Sensors: m, OutDim: 1, Branch: hw, Trunk: hw, P: w, TrunkLastReLU: true}, rng)
	if err != nil {
		return nil, err
	}
	u, v := fill(n*m), fill(n*p)
	y := make([]T, p)
	for j := range y {
		y[j] = T(float64(j) / float64(p-1))
	}
	adam := nets.NewAdam[T](d.NumParams())
	return func() {
		d.LossGrad(u, n, y, p, v)
		adam.Step(d.Params(), d.Grads(), 1e-3)
	}, nil
}

// timeSteps runs step on the given number of threads, a few times to warm up
// and then for about budget, timing each step, and returns steps/s from the
// median step time, as the peer script does.
func timeSteps(step func(), threads int, budget time.Duration) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
	start := time.Now()
	for i := 0; i < 3 || time.Since(start) < budget/10; i++ {
		step()
	}
	var ts []time.Duration
	start = time.Now()
	for len(ts) < 5 || time.Since(start) < budget {
		t0 := time.Now()
		step()
		ts = append(ts, time.Since(t0))
	}
	slices.Sort(ts)
	return 1 / ts[len(ts)/2].Seconds()
}

// torchRun is the JSON line the peer script prints.
type torchRun struct {
	StepsPerS float64 `json:"steps_per_s"`
	Params    int     `json:"params"`
}

// runTorch runs the peer script once and returns its steps/s.
func runTorch(python, script string, r refNet, dtype string, threads, steps int) (torchRun, error) {
	cmd := exec.Command(python, script, "--model", r.model, "--width", strconv.Itoa(r.width),
		"--dtype", dtype, "--threads", strconv.Itoa(threads),
		"--steps", strconv.Itoa(steps), "--warmup", strconv.Itoa(max(3, steps/10)))
	t := strconv.Itoa(threads)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+t, "OPENBLAS_NUM_THREADS="+t)
	if threads > 1 {
		// The peer README: PyTorch's OpenMP pool and OpenBLAS's threads spin
		// against each other on two cores unless OpenMP waits passively.
		cmd.Env = append(cmd.Env, "OMP_WAIT_POLICY=PASSIVE")
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return torchRun{}, fmt.Errorf("%s %s: %v: %s", python, script, err, strings.TrimSpace(errb.String()))
	}
	var res torchRun
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &res); err != nil {
		return torchRun{}, fmt.Errorf("%s: unreadable output %q: %v", script, out.String(), err)
	}
	return res, nil
}

// median is the median of x, 0 for none.
func median(x []float64) float64 {
	m, err := stats.Median(x)
	if err != nil {
		return 0
	}
	return m
}

// runBenchTrain times opscale's training step on every reference network,
// precision and thread count, interleaved round by round with the PyTorch
// peer script on the same case, so that both see the same load from the
// rest of the machine, and prints the medians over rounds side by side with
// the range of the rounds' own ratios.
func runBenchTrain(args []string, stdout io.Writer) error {
	fs := newFlagSet("benchtrain", os.Stderr)
	rounds := fs.Int("rounds", 3, "measurements of each case on each side; the table shows medians")
	budget := fs.Duration("time", time.Second, "timed duration of one opscale measurement")
	python := fs.String("python", "/usr/bin/python3", "Python that has Debian's python3-torch")
	script := fs.String("peer", "../shared/peers/torch_train.py", "the PyTorch peer script")
	torch := fs.Bool("torch", true, "measure PyTorch too when it is installed")
	only := fs.String("only", "", "comma-separated subset of models: deeponet40, deeponet128, deeponet512, antiderivative, mlp")
	markdown := fs.Bool("markdown", false, "print a Markdown table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *rounds < 1 {
		return fmt.Errorf("-rounds %d: must be ≥ 1", *rounds)
	}
	nets0 := refNets
	if *only != "" {
		nets0 = nil
		for f := range strings.SplitSeq(*only, ",") {
			i := slices.IndexFunc(refNets, func(r refNet) bool {
				return f == r.model || f == r.model+strconv.Itoa(r.width)
			})
			if i < 0 {
				return fmt.Errorf("-only %q: unknown model %q", *only, f)
			}
			nets0 = append(nets0, refNets[i])
		}
	}
	haveTorch := false
	if *torch {
		if _, err := os.Stat(*script); err != nil {
			fmt.Fprintf(stdout, "PyTorch not measured: peer script %s: %v\n", *script, err)
		} else if err := exec.Command(*python, "-c", "import torch").Run(); err != nil {
			fmt.Fprintf(stdout, "PyTorch not measured: %s cannot import torch (apt-get install python3-torch)\n", *python)
		} else {
			haveTorch = true
		}
	}

	type cell struct {
		r       refNet
		dtype   string
		threads int
		step    func()
		ours    []float64
		torch   []float64
	}
	var cells []*cell
	for _, r := range nets0 {
		for _, dtype := range []string{"float32", "float64"} {
			for _, threads := range []int{1, 2} {
				cells = append(cells, &cell{r: r, dtype: dtype, threads: threads})
			}
		}
	}
	for round := range *rounds {
		for _, c := range cells {
			if c.step == nil {
				var err error
				if c.dtype == "float32" {
					c.step, err = stepFunc[float32](c.r)
				} else {
					c.step, err = stepFunc[float64](c.r)
				}
				if err != nil {
					return err
				}
			}
			c.ours = append(c.ours, timeSteps(c.step, c.threads, *budget))
			if haveTorch {
				steps := c.r.torchSteps
				if len(c.torch) > 0 {
					steps = max(5, min(1000, int(budget.Seconds()*median(c.torch))))
				}
				res, err := runTorch(*python, *script, c.r, c.dtype, c.threads, steps)
				if err != nil {
					return err
				}
				c.torch = append(c.torch, res.StepsPerS)
			}
			fmt.Fprintf(os.Stderr, "round %d/%d %s %s %d threads: opscale %.1f steps/s", round+1, *rounds, c.r.name, c.dtype, c.threads, c.ours[len(c.ours)-1])
			if haveTorch {
				fmt.Fprintf(os.Stderr, ", PyTorch %.1f", c.torch[len(c.torch)-1])
			}
			fmt.Fprintln(os.Stderr)
			if round == *rounds-1 {
				c.step = nil // let the big networks go
			}
		}
	}

	header := []string{"network", "precision", "threads", "opscale steps/s"}
	if haveTorch {
		header = append(header, "PyTorch steps/s", "ratio", "rounds' ratios", "target", "met")
	}
	var rows [][]string
	for _, c := range cells {
		ours := median(c.ours)
		row := []string{c.r.name, c.dtype, strconv.Itoa(c.threads), fmt.Sprintf("%.1f", ours)}
		if haveTorch {
			t := median(c.torch)
			ratio := ours / t
			met := "yes"
			if ratio < c.r.target {
				met = "NO"
			}
			lo, hi := math.Inf(1), 0.0
			for i := range c.ours {
				lo, hi = min(lo, c.ours[i]/c.torch[i]), max(hi, c.ours[i]/c.torch[i])
			}
			row = append(row, fmt.Sprintf("%.1f", t), fmt.Sprintf("%.2f", ratio), fmt.Sprintf("%.2f–%.2f", lo, hi), fmt.Sprintf("≥ %.1f", c.r.target), met)
		}
		rows = append(rows, row)
	}
	fmt.Fprintf(stdout, "Training steps/s (forward, backward, Adam), median of %d interleaved rounds; GEMM %s; %s/%s, GOMAXPROCS %d\n",
		*rounds, nets.GEMMPath(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	if *markdown {
		return harness.WriteMarkdownTable(stdout, header, rows)
	}
	return harness.WriteTextTable(stdout, header, rows)
}
