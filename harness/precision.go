package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"opscale/bounds"
	"opscale/nets"
)

// An experiment with precision = "auto" trains in float32 only where float32
// is safe for it: the sweep first trains its largest size on its first seed
// in both precisions, the check pair, and keeps float32 if its error there is
// within precisionTolerance of float64's. The float64 run of the pair is
// recorded as the experiment Float64CheckID(id); the float32 one is an
// ordinary run of the experiment when float32 is chosen, so that it is not
// trained twice, and is recorded as Float32CheckID(id) otherwise. The
// experiment's settings hash says "auto" whatever the choice, and each run
// records the precision it trained in.
const (
	PrecisionAuto      = "auto"
	Float64CheckSuffix = "+f64"
	Float32CheckSuffix = "+f32"
	// precisionTolerance is how much larger than float64's the float32
	// error of the check may be, as a factor, for float32 to be chosen.
	precisionTolerance = 1.05
)

// Float64CheckID is the id under which the float64 run of experiment id's
// precision check is recorded.
func Float64CheckID(id string) string { return id + Float64CheckSuffix }

// Float32CheckID is the id under which the float32 run of experiment id's
// precision check is recorded when float32 is not chosen.
func Float32CheckID(id string) string { return id + Float32CheckSuffix }

// checkPrecisionField names the allowed values of the field precision.
func checkPrecisionField(p string) error {
	switch p {
	case "float64", "float32", PrecisionAuto:
		return nil
	}
	return fmt.Errorf("field precision = %q: use \"float64\", \"float32\" or %q (float32 if a check at the largest size finds its error within %.0f%% of float64's, float64 otherwise)",
		p, PrecisionAuto, 100*(precisionTolerance-1))
}

// precisionCheck returns the experiment under which the run of e's check
// pair in precision prec is recorded when it is not one of e's own runs: e
// at its largest size and first seed, under an id and a hash of its own.
func (e *Experiment) precisionCheck(prec string) *Experiment {
	c := *e
	c.ID = map[string]string{"float64": Float64CheckID(e.ID), "float32": Float32CheckID(e.ID)}[prec]
	c.Precision = prec
	c.Sizes, c.Seeds = []int{e.Sizes[len(e.Sizes)-1]}, []uint64{e.Seeds[0]}
	c.DataCheck, c.checkOf, c.precisionOf = false, "", e.ID
	return &c
}

// adopt returns r, trained with the settings of e, as a run of e: only its
// identity changes, since e's settings differ from those it was trained
// under by the id alone.
func (e *Experiment) adopt(r Run) Run {
	r.Experiment, r.ConfigHash = e.ID, e.hash()
	r.PrecisionCheckOf, r.DataCheckOf = e.precisionOf, e.checkOf
	return r
}

// choosePrecision applies the rule of precision "auto" to the check pair:
// float32 if its error, in the theorem's quantity q, is at most
// precisionTolerance times float64's. A diverged run on either side, or an
// error that is not a finite number, leaves float64, the precision the
// check measures float32 against.
func choosePrecision(q bounds.Quantity, r64, r32 *Run) string {
	if r32.Train.Diverged || r64.Train.Diverged {
		return "float64"
	}
	e64, e32 := metricOf(q, r64), metricOf(q, r32)
	// finite() wrote a NaN or an infinity as the largest float.
	if e64 >= math.MaxFloat64 || e32 >= math.MaxFloat64 || !(e32 <= precisionTolerance*e64) {
		return "float64"
	}
	return "float32"
}

// autoPlan is what a sweep knows of an "auto" experiment when it has planned
// its jobs: whether this shard has runs of it to do, whether it owns the
// job the check's float32 run may become (the experiment's largest size and
// first seed) and so records the check pair, and the inputs' dimension.
type autoPlan struct {
	pending, owner bool
	dim            *InputDim
}

// lookup returns the recorded run of key k.
func (s *Store) lookup(k runKey) (Run, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.src[k]; !ok {
		return Run{}, false
	}
	return s.runs[s.index(k)], true
}

// runJobFunc trains one job; tests replace it to count or shape trainings.
var runJobFunc = runJob

// decidePrecisions decides the precision of every "auto" experiment that
// this shard trains runs of, or whose check pair it owns: from the check
// pair in the store, or by training what of the pair is missing. Only the
// owner records the pair, so that shards never record a run twice; any
// other shard trains it too, if the store does not hold it, and gets the
// same bits, hence the same choice. It returns the precision per
// experiment index and the runs it trained.
func decidePrecisions(s *Suite, store *Store, plans map[int]*autoPlan, workers int, cache *dataCache, logf func(string, ...any)) (map[int]string, []Run, error) {
	type pair struct {
		i        int
		e        *Experiment
		r64, r32 *Run
		trained  [2]bool
	}
	var pairs []*pair
	var todo []job
	var slot []**Run
	for _, i := range slices.Sorted(func(yield func(int) bool) {
		for i := range plans {
			if !yield(i) {
				return
			}
		}
	}) {
		pl := plans[i]
		e := &s.Experiments[i]
		if !pl.pending && !pl.owner {
			continue
		}
		p := &pair{i: i, e: e}
		size, seed := e.Sizes[len(e.Sizes)-1], e.Seeds[0]
		c64, c32 := e.precisionCheck("float64"), e.precisionCheck("float32")
		store.Refresh() // a shard sharing the folder may have recorded it
		if r, ok := store.lookup(runKey{c64.ID, c64.hash(), size, seed}); ok {
			p.r64 = &r
		}
		if r, ok := store.lookup(runKey{e.ID, e.hash(), size, seed}); ok && r.Precision == "float32" {
			p.r32 = &r
		} else if r, ok := store.lookup(runKey{c32.ID, c32.hash(), size, seed}); ok {
			p.r32 = &r
		}
		if p.r64 == nil || p.r32 == nil {
			dim := pl.dim
			if dim == nil {
				var err error
				if dim, err = measureDim(e); err != nil {
					return nil, nil, fmt.Errorf("%s: measuring the input dimension: %w", e.ID, err)
				}
			}
			if p.r64 == nil {
				todo, slot = append(todo, job{e: c64, order: i, size: size, seed: seed, dim: dim, prec: "float64", data: cache}), append(slot, &p.r64)
				p.trained[0] = true
			}
			if p.r32 == nil {
				todo, slot = append(todo, job{e: e, order: i, size: size, seed: seed, dim: dim, prec: "float32", data: cache}), append(slot, &p.r32)
				p.trained[1] = true
			}
		}
		pairs = append(pairs, p)
	}
	if len(todo) > 0 {
		logf("precision checks: training %d runs (largest size, first seed, float64 and float32) before the runs they choose the precision of\n", len(todo))
	}
	// Each pair is decided and recorded as soon as both its runs are in,
	// so that an interrupted check phase keeps every pair it finished.
	// The float64 run is recorded first: a sweep interrupted between the
	// two appends finds it and trains the float32 run alone.
	pairOf := map[**Run]*pair{}
	for _, p := range pairs {
		pairOf[&p.r64], pairOf[&p.r32] = p, p
	}
	prec := map[int]string{}
	var recordErr error
	finish := func(p *pair) {
		th, err := bounds.Lookup(p.e.Theorem)
		if err != nil {
			recordErr = errors2(recordErr, fmt.Errorf("%s: %w", p.e.ID, err))
			return
		}
		choice := choosePrecision(th.Quantity, p.r64, p.r32)
		prec[p.i] = choice
		how := "read from the store"
		if p.trained[0] || p.trained[1] {
			how = "trained here, not recorded: another shard records it"
			if plans[p.i].owner {
				how = "trained and recorded"
			}
		}
		logf("precision check of %s (%s, seed %d; %s): %s %.4e in float64, %.4e in float32 (ratio %.4f%s): trains in %s\n",
			p.e.ID, sizeLabel(job{e: p.e, size: p.r64.Size}), p.r64.Seed, how, th.Quantity,
			metricOf(th.Quantity, p.r64), metricOf(th.Quantity, p.r32), metricOf(th.Quantity, p.r32)/metricOf(th.Quantity, p.r64),
			divergedNote(p.r64, p.r32), choice)
		if !plans[p.i].owner {
			return
		}
		if p.trained[0] {
			if err := store.Append(*p.r64); err != nil {
				recordErr = errors2(recordErr, err)
				return
			}
		}
		if p.trained[1] {
			r := *p.r32
			own := runKey{p.e.ID, p.e.hash(), r.Size, r.Seed}
			if choice != "float32" || store.Has(&Run{Experiment: own.experiment, ConfigHash: own.hash, Size: own.size, Seed: own.seed}) {
				r = p.e.precisionCheck("float32").adopt(r)
			}
			if err := store.Append(r); err != nil {
				recordErr = errors2(recordErr, err)
			}
		}
	}
	for _, p := range pairs {
		if p.r64 != nil && p.r32 != nil {
			finish(p)
		}
	}
	finished := 0
	runs, err := trainJobs(todo, workers, func(k int, r *Run) {
		*slot[k] = r
		j := todo[k]
		finished++
		logf("[precision check %d/%d] %s %s seed=%d in %s: %s\n", finished, len(todo), j.e.ID, sizeLabel(j), j.seed, j.prec, runStatus(j.e, r))
		if p := pairOf[slot[k]]; p.r64 != nil && p.r32 != nil {
			finish(p)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	if recordErr != nil {
		return nil, nil, recordErr
	}
	return prec, runs, nil
}

func divergedNote(r64, r32 *Run) string {
	switch {
	case r64.Train.Diverged && r32.Train.Diverged:
		return "; both diverged"
	case r64.Train.Diverged:
		return "; float64 diverged"
	case r32.Train.Diverged:
		return "; float32 diverged"
	}
	return ""
}

// trainJobs trains jobs on up to workers goroutines, sharing the cores as a
// sweep does, and returns their runs in the order of jobs. done, if not nil,
// is called with each run as it finishes, one call at a time.
func trainJobs(jobs []job, workers int, done func(k int, r *Run)) ([]Run, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	defer nets.SetThreads(nets.SetThreads(max(1, runtime.GOMAXPROCS(0)/min(workers, len(jobs)))))
	runs := make([]Run, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for k := range next {
				runs[k], errs[k] = runJobFunc(jobs[k])
				if errs[k] == nil && done != nil {
					mu.Lock()
					done(k, &runs[k])
					mu.Unlock()
				}
			}
		})
	}
	for k := range jobs {
		next <- k
	}
	close(next)
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			j := jobs[k]
			return nil, fmt.Errorf("%s %s seed=%d in %s (precision check): %w", j.e.ID, sizeLabel(j), j.seed, j.prec, err)
		}
	}
	return runs, nil
}

// PrecisionCheck is the outcome of an "auto" experiment's precision check:
// its largest size on its first seed, trained in float64 and in float32.
type PrecisionCheck struct {
	Sweep string // the experiment's sweep, "n" or "N", to name the size
	Size  int
	Seed  uint64
	// Err64 and Err32 are the error the theorem bounds, in each precision;
	// Ratio is Err32/Err64.
	Err64, Err32, Ratio    float64
	Diverged64, Diverged32 bool
	// Chosen is the precision the experiment trains in, by
	// choosePrecision; empty while the pair is incomplete.
	Chosen string
	// Other counts runs of the experiment's settings recorded in the
	// precision not chosen, kept out of the fit so that it is of one
	// precision.
	Other int
}

// checkPrecision pairs the latest float64 check run of an experiment with
// its float32 one (a run of the experiment in float32 at the same size and
// seed, or its Float32CheckID run), and returns the outcome with the runs
// of the experiment in the chosen precision; runs under older settings pass
// through, for analyze to count. Check runs do not carry the experiment's
// hash, so a check run recorded under older settings is told apart by what
// the runs record of their settings (sameSettings).
func checkPrecision(checks, runs []Run) (*PrecisionCheck, []Run) {
	if len(checks) == 0 {
		return nil, runs
	}
	latest := runs[len(runs)-1].ConfigHash
	// own returns the experiment's run under its latest settings at the
	// size and seed of c, if any.
	own := func(c *Run) *Run {
		for i := range runs {
			if r := &runs[i]; r.ConfigHash == latest && r.Size == c.Size && r.Seed == c.Seed {
				return r
			}
		}
		return nil
	}
	var r64, r32 *Run
	for i := range checks {
		c := &checks[i]
		if o := own(c); c.Precision == "float64" && (o == nil || sameSettings(c, o)) {
			r64 = c
		}
	}
	if r64 == nil {
		return nil, runs
	}
	pc := &PrecisionCheck{Sweep: r64.Sweep, Size: r64.Size, Seed: r64.Seed}
	if o := own(r64); o != nil && o.Precision == "float32" {
		r32 = o
	} else {
		for i := range checks {
			if c := &checks[i]; c.Precision == "float32" && c.Size == pc.Size && c.Seed == pc.Seed && sameSettings(c, r64) {
				r32 = c
			}
		}
	}
	th, err := bounds.Lookup(r64.Theorem)
	if r32 == nil || err != nil {
		return pc, runs
	}
	pc.Err64, pc.Err32 = metricOf(th.Quantity, r64), metricOf(th.Quantity, r32)
	pc.Ratio = pc.Err32 / pc.Err64
	pc.Diverged64, pc.Diverged32 = r64.Train.Diverged, r32.Train.Diverged
	pc.Chosen = choosePrecision(th.Quantity, r64, r32)
	var kept []Run
	for _, r := range runs {
		if r.ConfigHash == latest && r.Precision != pc.Chosen {
			pc.Other++
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		return pc, runs
	}
	return pc, kept
}

// sameSettings reports whether two runs at one size and seed record the same
// settings, precision aside.
func sameSettings(a, b *Run) bool {
	settings := func(r *Run) []byte {
		b, _ := json.Marshal([]any{r.Theorem, r.Problem, r.Family, r.Sweep, r.Size, r.Seed, r.Params, r.NTrain, r.Validation,
			r.Noise, r.Setup, r.Prescribed, r.Regression, r.TrainPoints, r.InputDim})
		return b
	}
	return bytes.Equal(settings(a), settings(b))
}

// Sentence says what the check found and chose, plainly.
func (pc *PrecisionCheck) Sentence(metric string) string {
	name := "n"
	if pc.Sweep == "N" {
		name = "w"
	}
	at := fmt.Sprintf("at the largest size (%s = %d) on seed %d", name, pc.Size, pc.Seed)
	if pc.Chosen == "" {
		return fmt.Sprintf("Precision check (precision = \"auto\") %s: its float64 run is recorded, its float32 run not yet; no precision chosen.", at)
	}
	s := fmt.Sprintf("Precision (precision = \"auto\"): **%s**, chosen by a check %s: %s %.4e in float32 against %.4e in float64, ratio %.4f", pc.Chosen, at, metric, pc.Err32, pc.Err64, pc.Ratio)
	switch {
	case pc.Diverged32 || pc.Diverged64:
		what := "float64"
		if pc.Diverged32 {
			what = "float32"
		}
		s += fmt.Sprintf("; the %s run diverged, so float64.", what)
	case pc.Chosen == "float32":
		s += fmt.Sprintf(", within the %.0f%% allowed.", 100*(precisionTolerance-1))
	default:
		s += fmt.Sprintf(", more than the %.0f%% allowed, so float64.", 100*(precisionTolerance-1))
	}
	if pc.Other > 0 {
		s += fmt.Sprintf(" (%d runs in the other precision were left out of the fit.)", pc.Other)
	}
	return s
}
