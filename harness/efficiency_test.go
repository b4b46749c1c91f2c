package harness

import (
	"math"
	"strings"
	"testing"
	"time"
)

// A suite of known work: 40 GFLOP of float64 and 40 of float32 (which
// counts as 20) in 10 s on 2 cores of peak 5 GFLOP/s is 60/100 = 60%.
func TestSuiteEfficiency(t *testing.T) {
	runs := []Run{
		{Precision: "float64", Train: TrainRecord{GFlop: 30}},
		{Precision: "float64", Train: TrainRecord{GFlop: 10}},
		{Precision: "float32", Train: TrainRecord{GFlop: 40}},
	}
	e, err := SuiteEfficiency(runs, 10*time.Second, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	if e.GFlop64 != 40 || e.GFlop32 != 40 || math.Abs(e.Share-0.6) > 1e-15 {
		t.Fatalf("got %+v, want 40 + 40 GFLOP and share 0.6", e)
	}
	if s := e.String(); !strings.Contains(s, "60.0% of the FMA peak") || strings.Contains(s, "median") {
		t.Fatalf("String() = %q", s)
	}
	// Peaks measured beside the runs: their median, 4 GFLOP/s, makes the
	// same work 75% of the peak; one wild measurement does not move it.
	// The kernel's own rate beside them, median 3.75 GFLOP/s: the same
	// work is 80% of what the kernel could do.
	p := e.withProbes([]float64{4, 9, 3.5, 4, 4.5, 100, 4}, []float64{3.75, 3, 3.75, 4, 3.75, 40, 3.75})
	if p.PeakProbes != 7 || p.PeakMedian != 4 || math.Abs(p.ShareMedian-0.75) > 1e-15 || p.Share != e.Share || p.PeakGFlops != 5 {
		t.Fatalf("with probes: %+v", p)
	}
	if p.KernelMedian != 3.75 || math.Abs(p.ShareKernel-0.8) > 1e-15 {
		t.Fatalf("kernel rates: %+v", p)
	}
	if s := p.String(); !strings.Contains(s, "75.0% of the median peak of 7 measurements") || !strings.Contains(s, "80.0% of the micro-kernel's median rate beside them, 3.8 GFLOP/s (93.8% of the peak)") {
		t.Fatalf("String() = %q", s)
	}
	if q := e.withProbes([]float64{4, 6}, nil); q.PeakMedian != 5 || math.Abs(q.ShareMedian-0.6) > 1e-15 || q.KernelMedian != 0 {
		t.Fatalf("median of an even count: %+v", q)
	}
	if q := e.withProbes(nil, nil); q != e {
		t.Fatalf("no probes changed the efficiency: %+v", q)
	}
	for _, bad := range []struct {
		runs  []Run
		wall  time.Duration
		cores int
		peak  float64
		field string
	}{
		{nil, time.Second, 1, 1, "no runs"},
		{runs, 0, 1, 1, "wall time"},
		{runs, time.Second, 0, 1, "cores"},
		{runs, time.Second, 1, 0, "FMA peak"},
		{runs, time.Second, 1, math.NaN(), "FMA peak"},
	} {
		if _, err := SuiteEfficiency(bad.runs, bad.wall, bad.cores, bad.peak); err == nil || !strings.Contains(err.Error(), bad.field) {
			t.Errorf("%s: error %v", bad.field, err)
		}
	}
}
