package harness

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"opscale/bounds"
	"opscale/problems"
)

// Suite is a list of experiments, read from a TOML file.
type Suite struct {
	Name        string       `toml:"name"`
	Experiments []Experiment `toml:"experiment"`
}

// Experiment ties a theorem to a problem, an input family and a sweep.
type Experiment struct {
	ID      string `toml:"id"`
	Theorem string `toml:"theorem"`
	Problem string `toml:"problem"`
	Family  string `toml:"family"`
	BU      int    `toml:"b_u"`
	// Sweep is "n" to vary the number of training functions with a fixed
	// network, or "N" to vary the model: then Sizes are hidden widths w,
	// every hidden layer of Network and the number of basis functions p
	// become w, and TrainSize functions train every size.
	Sweep     string   `toml:"sweep"`
	Sizes     []int    `toml:"sizes"`
	TrainSize int      `toml:"train_functions"`
	Seeds     []uint64 `toml:"seeds"`
	Noise     float64  `toml:"noise"`
	Sensors   int      `toml:"sensors"`
	Points    int      `toml:"points"`
	Grid      int      `toml:"grid"`
	TestSize  int      `toml:"test_functions"`
	TestSeed  uint64   `toml:"test_seed"`
	// Precision is "float64", "float32", or "auto": float32 if a check at
	// the largest size on the first seed finds its error within 5% of
	// float64's, float64 otherwise (harness/precision.go).
	Precision string `toml:"precision"`
	// Params sets any other parameter of the family or the operator, by
	// the field names of problems.Params (case-insensitive): for example
	// length = 0.2 and kernel = "matern" for a Gaussian field.
	Params   problems.Params `toml:"params"`
	Network  Network         `toml:"network"`
	Training Training        `toml:"training"`
	// Regression makes the experiment a plain deep-ReLU regression (see
	// harness/dense.go) in place of a DeepONet one.
	Regression *Regression `toml:"regression" json:",omitempty"`
	// TrainPoints, in a data sweep, observes each training function at
	// this many random points of its own (problems.GenerateScattered)
	// instead of at the aligned grid of Points per axis; 0 keeps the grid.
	// Validation and test functions stay on the grid, so the metric is the
	// same. It is omitted from the settings' hash when 0, so that
	// experiments without it keep their runs.
	TrainPoints int `toml:"train_points" json:",omitempty"`
	// DataCheck, in a model sweep, adds for every seed one run at the
	// largest width on twice TrainSize functions, recorded as the
	// experiment DataCheckID and kept out of the fit: the report compares
	// its error with the sweep's there, to show whether data limited it.
	DataCheck bool `toml:"data_check" json:",omitempty"`
	// Group names the regime study the experiment belongs to ("noise",
	// "points", "grf", "manifold", ...): the report sets a group's
	// experiments side by side. It is presentation alone, so it stays out
	// of the settings' hash: regrouping retrains nothing. Several groups
	// are separated by commas ("noise,points"): one experiment may be a
	// member of one study and the baseline of another.
	Group string `toml:"group" json:",omitempty"`

	// checkOf is the id of the model sweep whose data this experiment
	// checks; empty for an experiment of the suite.
	checkOf string
	// precisionOf is the id of the "auto" experiment whose precision this
	// experiment checks; empty for an experiment of the suite.
	precisionOf string
}

// DataCheckSuffix ends the id of an experiment's data check.
const DataCheckSuffix = "+2n"

// DataCheckID is the id under which the data check of experiment id is
// recorded.
func DataCheckID(id string) string { return id + DataCheckSuffix }

// dataCheck returns the experiment that checks e's data: e at its largest
// width alone, on twice the training functions; nil when e asks for none.
func (e *Experiment) dataCheck() *Experiment {
	if !e.DataCheck {
		return nil
	}
	c := *e
	c.ID, c.checkOf = DataCheckID(e.ID), e.ID
	c.Sizes = []int{e.Sizes[len(e.Sizes)-1]}
	c.TrainSize = 2 * e.TrainSize
	c.DataCheck = false
	return &c
}

// planned returns the experiments that e makes runs of: e, then its data
// check if it has one.
func (e *Experiment) planned() []*Experiment {
	if c := e.dataCheck(); c != nil {
		return []*Experiment{e, c}
	}
	return []*Experiment{e}
}

// Network sizes the DeepONet of an experiment.
type Network struct {
	Branch        []int `toml:"branch"`
	Trunk         []int `toml:"trunk"`
	P             int   `toml:"p"`
	TrunkLastReLU bool  `toml:"trunk_last_relu"`
	// Kind is "fixed" (the default) to train this network at every n, or
	// "prescribed" to grow it with n as the theorem's proof does, equal to
	// this network at n = CalibratedAt (see Prescribed). Data sweeps only.
	Kind         string `toml:"kind"`
	CalibratedAt int    `toml:"calibrated_at"`
}

// Training sets up each run's optimisation.
type Training struct {
	Steps   int     `toml:"steps" json:"steps"`
	Batch   int     `toml:"batch" json:"batch"`
	LR      float64 `toml:"lr" json:"lr"`
	FinalLR float64 `toml:"final_lr" json:"final_lr"`
	// Validation is the number of validation functions as a fraction of
	// the training functions n, drawn from a stream of their own and not
	// counted in n (runs recorded before this held them out of n).
	Validation float64 `toml:"validation" json:"validation"`
	EvalEvery  int     `toml:"eval_every" json:"eval_every"`
	Patience   int     `toml:"patience" json:"patience"`
	// ScaleTargets trains a DeepONet on its targets divided by their root
	// mean square over the training set, and multiplies its predictions
	// back: the same class of networks (the output layer scaled), but
	// Adam's steps no longer have to shrink the output layer to the scale
	// of outputs near 0.05 (Poisson, Darcy), which left a floor a few
	// percent of the output's size. Losses are recorded in the targets'
	// own units. Omitted from the settings' hash when false.
	ScaleTargets bool `toml:"scale_targets" json:"scale_targets,omitempty"`
}

// LoadSuite reads and checks a suite file. Unknown keys and invalid values
// are errors that name the file, the experiment and the field.
func LoadSuite(path string) (*Suite, error) {
	var s Suite
	md, err := toml.DecodeFile(path, &s)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s: %s", path, perr.ErrorWithPosition())
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("%s: unknown field %s (see harness/suite.go for the fields a suite may set)", path, strings.Join(keys, ", "))
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// Validate names the first field of the suite that cannot be run.
func (s *Suite) Validate() error {
	if len(s.Experiments) == 0 {
		return fmt.Errorf("no [[experiment]] tables")
	}
	seen := map[string]bool{}
	for i := range s.Experiments {
		e := &s.Experiments[i]
		if e.ID == "" {
			return fmt.Errorf("experiment %d: field id is empty", i+1)
		}
		if seen[e.ID] {
			return fmt.Errorf("experiment %q: id used twice", e.ID)
		}
		seen[e.ID] = true
		// A data check is recorded under its sweep's id and this suffix;
		// no experiment may take such an id and mix its runs with one.
		if strings.HasSuffix(e.ID, DataCheckSuffix) {
			return fmt.Errorf("experiment %q: field id: ids ending in %q name data checks (field data_check)", e.ID, DataCheckSuffix)
		}
		for _, suf := range []string{Float64CheckSuffix, Float32CheckSuffix} {
			if strings.HasSuffix(e.ID, suf) {
				return fmt.Errorf("experiment %q: field id: ids ending in %q name precision checks (precision = %q)", e.ID, suf, PrecisionAuto)
			}
		}
		if err := e.validate(); err != nil {
			return fmt.Errorf("experiment %q: %w", e.ID, err)
		}
		if err := checkGroup(e.Group); err != nil {
			return fmt.Errorf("experiment %q: %w", e.ID, err)
		}
	}
	return nil
}

// checkGroup accepts an empty group or comma-separated names of letters,
// digits, '-' and '_': the report names a group's plots after it.
func checkGroup(g string) error {
	if g == "" {
		return nil
	}
	for _, name := range groupNames(g) {
		if name == "" {
			return fmt.Errorf("field group = %q: a name is empty; separate names by single commas, without spaces", g)
		}
		for _, c := range name {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("field group = %q: use letters, digits, '-' and '_' only (it names the group's plots), commas between names, or leave it out", g)
			}
		}
	}
	return nil
}

// groupNames splits a group field into its names; none for "".
func groupNames(g string) []string {
	if g == "" {
		return nil
	}
	return strings.Split(g, ",")
}

func (e *Experiment) validate() error {
	if e.Regression != nil {
		switch {
		case e.TrainPoints != 0:
			return fmt.Errorf("field train_points: a regression has no output points; remove it")
		case e.Training.ScaleTargets:
			return fmt.Errorf("field training.scale_targets: only DeepONet experiments scale their targets; remove it from the regression")
		case e.DataCheck:
			return fmt.Errorf("field data_check: only a DeepONet model sweep has a data check; remove it")
		}
		return e.validateRegression()
	}
	if _, err := bounds.Lookup(e.Theorem); err != nil {
		return fmt.Errorf("field theorem: %w", err)
	}
	if err := e.validateRun(); err != nil {
		return err
	}
	th, _ := bounds.Lookup(e.Theorem)
	switch e.Sweep {
	case "n":
		if th.Swept != bounds.DataSize {
			return fmt.Errorf("field sweep = \"n\": theorem %s is a function of the model size N; use sweep = \"N\"", th.ID)
		}
		if e.TrainSize != 0 {
			return fmt.Errorf("field train_functions: a data-size sweep takes n from sizes; remove it")
		}
		if e.DataCheck {
			return fmt.Errorf("field data_check: a data sweep varies the data itself; only a model sweep (sweep = \"N\") checks that data did not limit it")
		}
	case "N":
		if th.Swept != bounds.ModelSize {
			return fmt.Errorf("field sweep = \"N\": theorem %s is a function of the data size n; use sweep = \"n\"", th.ID)
		}
		if e.TrainSize < 2 {
			return fmt.Errorf("field train_functions = %d: a model-size sweep trains every width on this many functions; give at least 2", e.TrainSize)
		}
		if e.TrainPoints != 0 {
			return fmt.Errorf("field train_points: only a data sweep (sweep = \"n\") observes its training functions at random points; a model sweep uses the aligned grid")
		}
	default:
		return fmt.Errorf("field sweep = %q: use \"n\" (training functions) or \"N\" (model size)", e.Sweep)
	}
	if len(e.Sizes) < 2 {
		return fmt.Errorf("field sizes: need at least 2 sizes to fit a slope, got %d", len(e.Sizes))
	}
	for _, n := range e.Sizes {
		if n < 2 {
			return fmt.Errorf("field sizes: size %d is too small (at least 2)", n)
		}
	}
	if !slices.IsSorted(e.Sizes) || len(slices.Compact(slices.Clone(e.Sizes))) != len(e.Sizes) {
		return fmt.Errorf("field sizes: list them increasing and without repeats, got %v", e.Sizes)
	}
	if len(e.Seeds) == 0 {
		return fmt.Errorf("field seeds: give at least one seed")
	}
	for _, v := range e.Seeds {
		if err := checkSeed("seeds", v); err != nil {
			return err
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(e.Seeds)))) != len(e.Seeds) {
		return fmt.Errorf("field seeds: %v repeats a seed", e.Seeds)
	}
	return nil
}

// validateRun checks what a single run of e uses: the problem, the data
// sizes, the network and the training. Numbers must be finite, since a NaN
// would train and then fail to be written as JSON.
func (e *Experiment) validateRun() error {
	if _, err := e.Spec(); err != nil {
		return err
	}
	if err := checkSeed("test_seed", e.TestSeed); err != nil {
		return err
	}
	if err := checkSeed("params.probe_seed", e.Params.ProbeSeed); err != nil {
		return err
	}
	if e.TrainPoints < 0 {
		return fmt.Errorf("field train_points = %d: give the random output points per training function, or 0 for the aligned grid", e.TrainPoints)
	}
	if !(e.Noise >= 0) || math.IsInf(e.Noise, 1) {
		return fmt.Errorf("field noise = %g: must be finite and ≥ 0", e.Noise)
	}
	if e.TestSize < 1 {
		return fmt.Errorf("field test_functions = %d: must be positive", e.TestSize)
	}
	if err := checkPrecisionField(e.Precision); err != nil {
		return err
	}
	if e.Network.P < 1 {
		return fmt.Errorf("field network.p = %d: must be positive", e.Network.P)
	}
	for _, w := range append(slices.Clone(e.Network.Branch), e.Network.Trunk...) {
		if w < 1 {
			return fmt.Errorf("field network: hidden width %d must be positive", w)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"lr", e.Training.LR}, {"final_lr", e.Training.FinalLR}, {"validation", e.Training.Validation}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("field training.%s = %g: must be a finite number", f.name, f.v)
		}
	}
	switch e.Network.Kind {
	case "", KindFixed:
		if e.Network.CalibratedAt != 0 {
			return fmt.Errorf("field network.calibrated_at: only a prescribed network is calibrated; remove it or set network.kind = %q", KindPrescribed)
		}
	case KindPrescribed:
		if e.Sweep != "n" {
			return fmt.Errorf("field network.kind = %q: only a data sweep grows its network with n; a model sweep sets the width itself", KindPrescribed)
		}
		if e.Network.CalibratedAt < 3 {
			return fmt.Errorf("field network.calibrated_at = %d: a prescribed network needs the n (at least 3, usually the smallest size) at which it is the network given", e.Network.CalibratedAt)
		}
		if len(e.Network.Branch) == 0 || len(e.Network.Trunk) == 0 {
			return fmt.Errorf("field network: a prescribed network needs at least one hidden layer in branch and trunk to calibrate")
		}
		spec, _ := e.Spec()
		m := int(math.Round(math.Pow(float64(e.Sensors), float64(spec.Operator.InDim()))))
		for _, n := range e.Sizes {
			if _, err := e.prescribe(m, n); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("field network.kind = %q: use %q or %q", e.Network.Kind, KindFixed, KindPrescribed)
	}
	if e.Training.Validation < 0 || e.Training.Validation > 1 || math.IsNaN(e.Training.Validation) {
		return fmt.Errorf("field training.validation = %g: the validation functions as a fraction of n must lie in [0, 1]", e.Training.Validation)
	}
	if err := e.trainConfig(0).Validate(); err != nil {
		return fmt.Errorf("table training: %w", err)
	}
	if e.Training.Steps < 1 {
		return fmt.Errorf("field training.steps = %d: must be positive", e.Training.Steps)
	}
	return nil
}

// checkSeed rejects a seed written negative. TOML integers are signed 64-bit,
// so a seed of 2⁶³ or more cannot be written in a suite: it is a negative
// number that the decoder wrapped round into uint64 (−1 becomes 2⁶⁴−1).
func checkSeed(field string, v uint64) error {
	if v >= 1<<63 {
		return fmt.Errorf("field %s: seed %d is negative; seeds are integers ≥ 0", field, int64(v))
	}
	return nil
}

// Spec returns the dataset specification of the experiment.
func (e *Experiment) Spec() (problems.Spec, error) {
	if e.Params.BU != 0 || e.Params.Grid != 0 {
		return problems.Spec{}, fmt.Errorf("table params: set b_u and grid at the experiment level, not in params")
	}
	p := e.Params
	p.BU, p.Grid = e.BU, e.Grid
	return problems.NewSpec(e.Problem, e.Family, p, e.Sensors, e.Points)
}

// Dims returns the dimensions the theorem's exponent depends on.
func (e *Experiment) Dims() (bounds.Dims, error) {
	s, err := e.Spec()
	if err != nil {
		return bounds.Dims{}, err
	}
	return bounds.Dims{D1: s.Operator.InDim(), D2: s.Operator.OutDim(), BU: s.Family.NominalDim()}, nil
}
