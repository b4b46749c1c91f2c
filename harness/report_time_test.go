package harness

import (
	"bytes"
	"strings"
	"testing"
)

// The time table groups runs by the shape of their step, largest run time
// first, counts float32 work half against the peak, folds the shapes past
// 90% of the run time into one row, and says what share of the cores' time
// the runs took.
func TestTimeShare(t *testing.T) {
	run := func(network string, batch int, prec string, gflop, wall float64) Run {
		r := Run{Precision: prec, WallSec: wall}
		r.Setup.Network, r.Setup.Training.Batch = network, batch
		r.Train.GFlop = gflop
		return r
	}
	var runs []Run
	// wide: 2 runs, 60 s, 2400 GFLOP of float32 = 1200 float64-equivalent:
	// 20 GFLOP/s, 50% of a 40 GFLOP/s peak.
	runs = append(runs, run("wide", 128, "float32", 1200, 30), run("wide", 128, "float32", 1200, 30))
	// mid: 30 s at 10 GFLOP/s of float64, 25%.
	runs = append(runs, run("mid", 128, "float64", 300, 30))
	// The same network at another batch is another shape, and so is the
	// small one: 10 s together, the last 10% of the run time, folded.
	runs = append(runs, run("mid", 8, "float64", 10, 5), run("tiny", 128, "float64", 10, 5))
	eff := &Efficiency{WallSec: 80, Cores: 2, PeakGFlops: 30, PeakProbes: 5, PeakMedian: 40, Runs: 5}

	var doc bytes.Buffer
	if err := writeTimeShare(&doc, runs, eff); err != nil {
		t.Fatal(err)
	}
	got := doc.String()
	var rows []string
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "| ") && !strings.Contains(l, "network") {
			rows = append(rows, strings.Join(strings.Fields(l), " "))
		}
	}
	want := []string{
		"| wide | 128 | float32 | 2 | 60 s | 60.0% | 20.0 | 50.0% |",
		"| mid | 128 | float64 | 1 | 30 s | 30.0% | 10.0 | 25.0% |",
		"| the other 2 shapes | | | 2 | 10 s | 10.0% | 2.0 | 5.0% |",
		"| all runs | | | 5 | 100 s | 100.0% | 15.2 | 38.0% |",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{"median FMA peak measured beside the runs (40.0 GFLOP/s per core)", "the runs took 62.5% of the sweep's wall time on 2 cores"} {
		if !strings.Contains(got, s) {
			t.Errorf("missing %q in\n%s", s, got)
		}
	}

	// A shard's wall time is not the merged runs', nor a resumed sweep's
	// the runs it found done, so no share of it is claimed; without a peak
	// there is no peak column.
	for _, e := range []*Efficiency{{WallSec: 80, Cores: 2, Shard: true, Runs: 5}, {WallSec: 80, Cores: 2, Runs: 3}} {
		doc.Reset()
		if err := writeTimeShare(&doc, runs, e); err != nil {
			t.Fatal(err)
		}
		if s := doc.String(); strings.Contains(s, "wall time on") || strings.Contains(s, "share of the FMA peak") {
			t.Errorf("%+v:\n%s", *e, s)
		}
	}
}
