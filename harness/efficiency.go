package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"opscale/internal/atomicfile"
)

// efficiencyFile is where a sweep leaves its efficiency, beside runs.jsonl,
// for the report: the wall time of a sweep is not in any one run.
const efficiencyFile = "efficiency.json"

// Efficiency is how busy a suite's training kept the machine: the floating-
// point operations of every run's training, against what the cores could
// have done at their FMA peak in the same wall time.
type Efficiency struct {
	GFlop32    float64 `json:"gflop_float32"` // training work of the float32 runs
	GFlop64    float64 `json:"gflop_float64"` // and of the float64 runs
	WallSec    float64 `json:"wall_seconds"`  // the suite's wall time
	Cores      int     `json:"cores"`         // cores the suite ran on
	PeakGFlops float64 `json:"fma_peak"`      // float64 FMA peak of one core, GFLOP/s
	// Share is (GFlop64 + GFlop32/2) / (WallSec·Cores·PeakGFlops): a float32
	// FMA instruction does twice the flops of a float64 one, so float32
	// work counts half against the float64 peak. 1 is every core doing
	// nothing but FMAs on full vectors for the whole wall time.
	Share float64 `json:"share"`
	// PeakProbes is how many times the peak was measured again beside the
	// runs, on one core after each unit of work while the other workers
	// trained, and PeakMedian is their median: a denominator that a slow
	// moment of a shared host at the start or end of the sweep does not
	// move (two sweeps of the same code read 79 and 85 GFLOP/s there, and
	// short sweeps 62 to 88). ShareMedian is Share against it.
	PeakProbes  int     `json:"peak_probes,omitempty"`
	PeakMedian  float64 `json:"fma_peak_median,omitempty"`
	ShareMedian float64 `json:"share_median_peak,omitempty"`
	// KernelMedian is the median of the micro-kernel's own rate
	// (nets.KernelRate: float64, panels in cache) measured with each peak
	// probe, and ShareKernel the share against it: the part of the gap to
	// the peak that is not the machine's, since the kernel, unlike the FMA
	// loop, loses speed when the core's other hardware thread is busy.
	KernelMedian float64 `json:"kernel_rate_median,omitempty"`
	ShareKernel  float64 `json:"share_kernel_rate,omitempty"`
	// Suite and Runs say which sweep this was and how many runs it trained;
	// Shard is set when it ran one shard of a suite, so that its wall time
	// is not the suite's.
	Suite string `json:"suite,omitempty"`
	Runs  int    `json:"runs,omitempty"`
	Shard bool   `json:"shard,omitempty"`
}

func (e Efficiency) write(path string) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}

// readEfficiency reads what the last sweep into a results folder left; nil
// when it left nothing.
func readEfficiency(path string) (*Efficiency, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var e Efficiency
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("%s: %w (delete it, or sweep again)", path, err)
	}
	return &e, nil
}

// SuiteEfficiency returns the efficiency of the runs of one suite that took
// wall on cores, with peak the float64 FMA peak of one core measured in the
// same run (nets.FMAPeak, with all cores busy: the larger of a measurement
// before the training and one after it).
// Only the runs trained in that wall time belong in runs: not those a
// resumed sweep found already done.
func SuiteEfficiency(runs []Run, wall time.Duration, cores int, peak float64) (Efficiency, error) {
	switch {
	case len(runs) == 0:
		return Efficiency{}, fmt.Errorf("suite efficiency: no runs")
	case wall <= 0:
		return Efficiency{}, fmt.Errorf("suite efficiency: wall time %v, must be positive", wall)
	case cores < 1:
		return Efficiency{}, fmt.Errorf("suite efficiency: %d cores, must be at least 1", cores)
	case !(peak > 0):
		return Efficiency{}, fmt.Errorf("suite efficiency: FMA peak %v GFLOP/s, must be positive (no assembly FMA loop on this build?)", peak)
	}
	e := Efficiency{WallSec: wall.Seconds(), Cores: cores, PeakGFlops: peak}
	for _, r := range runs {
		if r.Precision == "float32" {
			e.GFlop32 += r.Train.GFlop
		} else {
			e.GFlop64 += r.Train.GFlop
		}
	}
	e.Share = (e.GFlop64 + e.GFlop32/2) / (e.WallSec * float64(cores) * peak)
	return e, nil
}

// withProbes adds the peaks and kernel rates measured beside the runs; none
// leaves e as it is.
func (e Efficiency) withProbes(peaks, kernels []float64) Efficiency {
	if m := median(peaks); m > 0 {
		e.PeakProbes, e.PeakMedian = len(peaks), m
		e.ShareMedian = e.Share * e.PeakGFlops / m
	}
	if m := median(kernels); m > 0 && e.PeakProbes > 0 {
		e.KernelMedian = m
		e.ShareKernel = e.Share * e.PeakGFlops / m
	}
	return e
}

// median returns the median of xs, or 0 if there are none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	return m
}

// String reads "412.3 GFLOP of training (float32 300.0, float64 112.3) in
// 61.2 s on 2 cores at a peak of 40.0 GFLOP/s each: 12.3% of the FMA peak".
func (e Efficiency) String() string {
	s := fmt.Sprintf("%.1f GFLOP of training (float32 %.1f, float64 %.1f) in %.1f s on %d cores at a float64 FMA peak of %.1f GFLOP/s each: %.1f%% of the FMA peak",
		e.GFlop32+e.GFlop64, e.GFlop32, e.GFlop64, e.WallSec, e.Cores, e.PeakGFlops, 100*e.Share)
	if e.PeakProbes > 0 {
		s += fmt.Sprintf("; %.1f%% of the median peak of %d measurements beside the runs, %.1f GFLOP/s", 100*e.ShareMedian, e.PeakProbes, e.PeakMedian)
	}
	if e.KernelMedian > 0 {
		s += fmt.Sprintf("; %.1f%% of the micro-kernel's median rate beside them, %.1f GFLOP/s (%.1f%% of the peak)", 100*e.ShareKernel, e.KernelMedian, 100*e.KernelMedian/e.PeakMedian)
	}
	return s
}
