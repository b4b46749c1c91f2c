package harness

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressEstimatesTheTimeLeft(t *testing.T) {
	e := &Experiment{ID: "e", Sweep: "N"}
	e.Network.Branch, e.Network.Trunk = []int{0}, []int{0}
	e.Training.Steps, e.Training.Batch = 10, 1
	// Widths 20, 10, 10: costs 800, 200, 200 (2 layers of width²).
	jobs := []job{{e: e, size: 20}, {e: e, size: 10}, {e: e, size: 10, seed: 1}}
	clock := time.Unix(0, 0)
	var out bytes.Buffer
	p := newProgress(&out, jobs, func() time.Time { return clock })
	clock = clock.Add(40 * time.Second)
	p.finished(jobs[0], "ok")
	clock = clock.Add(10 * time.Second)
	p.finished(jobs[1], "ok")
	clock = clock.Add(10 * time.Second)
	p.finished(jobs[2], "ok")
	p.close()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	// After 40 s for 800 units of work, 400 are left: about 20 s. After
	// 50 s for 1000, 200 are left: about 10 s.
	want := []string{
		"[1/3] e width=20 seed=0: ok | 40s elapsed, about 20s left",
		"[2/3] e width=10 seed=0: ok | 50s elapsed, about 10s left",
		"[3/3] e width=10 seed=1: ok | 1m0s elapsed, none left",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i, lines[i], want[i])
		}
	}
}

// A dense network's cost comes from its own widths: a model sweep of depth 2
// at widths 20, 10, 10 costs as the DeepONet above does, so the estimates
// are the same (before, dense runs cost nothing and the estimate ran to
// thousands of hours).
func TestProgressCostsDenseRuns(t *testing.T) {
	e := &Experiment{ID: "e", Sweep: "N", Regression: &Regression{Depth: 2}}
	e.Training.Steps, e.Training.Batch = 10, 1
	jobs := []job{{e: e, size: 20}, {e: e, size: 10}, {e: e, size: 10, seed: 1}}
	if c := []float64{jobCost(jobs[0]), jobCost(jobs[1])}; c[0] != 10*800 || c[1] != 10*200 {
		t.Errorf("costs %v, want 8000 and 2000", c)
	}
	clock := time.Unix(0, 0)
	var out bytes.Buffer
	p := newProgress(&out, jobs, func() time.Time { return clock })
	clock = clock.Add(40 * time.Second)
	p.finished(jobs[0], "ok")
	if got := out.String(); !strings.Contains(got, "about 20s left") {
		t.Errorf("got %q, want about 20s left", got)
	}
}
