package harness

import (
	"path/filepath"
	"strings"
	"testing"
)

// A sweep trains the seeds of a small dense experiment in lockstep, records
// each run as trained in lockstep, and gets the results each run gets alone,
// bit for bit; a run lost from the file is trained again alone, with the
// same result.
func TestSweepLockstepSameAsAlone(t *testing.T) {
	dir := t.TempDir()
	store := sweepInto(t, dir, narrowDenseSuite)
	s, err := LoadSuite(writeSuite(t, narrowDenseSuite))
	if err != nil {
		t.Fatal(err)
	}
	e := &s.Experiments[0]
	runs := store.Runs()
	if len(runs) != 6 {
		t.Fatalf("%d runs, want 6", len(runs))
	}
	for _, r := range runs {
		if r.Lockstep != 2 {
			t.Errorf("size %d seed %d: lockstep %d, want 2 (both seeds together)", r.Size, r.Seed, r.Lockstep)
		}
		alone, err := runDense(job{e: e, size: r.Size, seed: r.Seed})
		if err != nil {
			t.Fatal(err)
		}
		if alone.Lockstep != 0 {
			t.Errorf("a run trained alone records lockstep %d", alone.Lockstep)
		}
		if r.Metrics != alone.Metrics || r.Train.TrainLoss != alone.Train.TrainLoss || *r.Train.ValLoss != *alone.Train.ValLoss ||
			r.Train.BestStep != alone.Train.BestStep || r.Train.GFlop != alone.Train.GFlop || r.Params != alone.Params {
			t.Errorf("size %d seed %d: lockstep %+v %+v, alone %+v %+v", r.Size, r.Seed, r.Metrics, r.Train, alone.Metrics, alone.Train)
		}
	}

	path := filepath.Join(dir, "runs.jsonl")
	lost := dropLines(t, path, func(r *Run) bool { return r.Size == 64 && r.Seed == 2 })
	if len(lost) != 1 {
		t.Fatalf("dropped %d runs, want 1", len(lost))
	}
	store = sweepInto(t, dir, narrowDenseSuite)
	for _, r := range store.Runs() {
		if r.Size == 64 && r.Seed == 2 {
			if r.Lockstep != 0 || r.Metrics != lost[0].Metrics {
				t.Errorf("resumed run: lockstep %d, metrics %+v; before %+v", r.Lockstep, r.Metrics, lost[0].Metrics)
			}
		}
	}
}

// narrowDenseSuite is denseSuite with networks narrow enough for two seeds
// to train in lockstep (nets.LockstepWidth).
var narrowDenseSuite = strings.Replace(denseSuite, "width = 16", "width = 8", 1)

// Only the seeds of a dense experiment at one size and precision are
// grouped, in groups as large as nets.LockstepPays allows; DeepONet runs,
// runs with early stopping and networks too wide stay alone.
func TestLockstepUnits(t *testing.T) {
	wide := denseSuite
	five := strings.Replace(narrowDenseSuite, "seeds = [1, 2]", "seeds = [1, 2, 3, 4, 5]", 1)
	stopping := strings.Replace(narrowDenseSuite, "eval_every = 20", "eval_every = 20\npatience = 3", 1)
	for _, c := range []struct {
		name, body string
		want       []int // unit sizes in order
	}{
		{"two seeds", narrowDenseSuite, []int{2, 2, 2}},
		{"five seeds of width 8: three and two", five, []int{3, 2, 3, 2, 3, 2}},
		{"width 16", wide, []int{1, 1, 1, 1, 1, 1}},
		{"early stopping", stopping, []int{1, 1, 1, 1, 1, 1}},
		{"DeepONet", tinySuite, []int{1, 1, 1, 1, 1, 1}},
	} {
		s, err := LoadSuite(writeSuite(t, c.body))
		if err != nil {
			t.Fatal(err)
		}
		var jobs []job
		e := &s.Experiments[0]
		for _, n := range e.Sizes {
			for _, seed := range e.Seeds {
				jobs = append(jobs, job{e: e, size: n, seed: seed})
			}
		}
		var got []int
		seen := map[[2]int]bool{}
		for _, u := range lockstepUnits(jobs) {
			got = append(got, len(u))
			for _, j := range u {
				if j.size != u[0].size {
					t.Errorf("%s: a unit mixes sizes %d and %d", c.name, u[0].size, j.size)
				}
				k := [2]int{j.size, int(j.seed)}
				if seen[k] {
					t.Errorf("%s: job %v twice", c.name, k)
				}
				seen[k] = true
			}
		}
		if len(seen) != len(jobs) {
			t.Errorf("%s: %d of %d jobs in units", c.name, len(seen), len(jobs))
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: units %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: units %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}
