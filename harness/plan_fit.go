package harness

import (
	"math"

	"opscale/internal/npy"
	"opscale/intrinsic"
)

// This file is the planner's one door to the harness's fitting, to the
// intrinsic-dimension estimators and to the .npy reader. When those move or
// change shape, only this file follows them.

// planSlope is a power-law fit of one sweep of the proof of concept, as the
// planner shows it.
type planSlope struct {
	Alpha, Lo, Hi float64 // exponent with its 95% interval
	// Tail is the exponent over the tail (the largest decade or the last 4
	// sizes, docs/METHOD.md), the part of the range a prediction
	// extrapolates from; NaN when the sweep has 4 sizes or fewer, where the
	// tail is the whole range.
	Tail float64
	// OnFloor is set when the tail cannot be told from flat.
	OnFloor bool
	Err     error
}

// planFitSlope fits the mean-over-seeds errors of a sweep.
func planFitSlope(points []Point) planSlope {
	f, err := FitPowerLaw(points, Mean)
	if err != nil {
		return planSlope{Err: err, Alpha: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Tail: math.NaN()}
	}
	s := planSlope{Alpha: f.Whole.Exponent, Lo: f.Whole.CILo, Hi: f.Whole.CIHi, Tail: math.NaN(), OnFloor: f.Flat}
	if f.First > 0 {
		s.Tail = f.Exponent
	}
	return s
}

// planDim is the intrinsic dimension of the inputs by each estimator; NaN
// where the sample does not support one.
type planDim struct {
	PCA99, PCA999 int
	TwoNN, MLE    float64
	Warnings      []string
}

func planEstimateDim(u []float64, n, m int) (planDim, error) {
	est, err := intrinsic.Measure(u, n, m)
	if err != nil {
		return planDim{}, err
	}
	return planDim{PCA99: est.PCA99, PCA999: est.PCA999, TwoNN: est.TwoNN, MLE: est.MLE, Warnings: est.Warnings}, nil
}

// planMinDimSample is the fewest points the estimators accept.
const planMinDimSample = intrinsic.MLENeighbours + 2

// planReadNPY reads one .npy matrix (a 1D array comes back as n×1).
func planReadNPY(path string) (data []float64, rows, cols int, err error) {
	return npy.Read(path)
}

// planWriteNPY writes a rows×cols matrix as a .npy file.
func planWriteNPY(path string, rows, cols int, data []float64) error {
	return npy.Write(path, rows, cols, data)
}
