package harness

import (
	"math"

	"opscale/problems"
)

// This file is the planner's one door to the harness's fitting, to the
// intrinsic-dimension estimators and to the .npy reader. When those move or
// change shape, only this file follows them.

// planSlope is a power-law fit of one sweep of the proof of concept, as the
// planner shows it.
type planSlope struct {
	Alpha, Lo, Hi float64 // exponent with its 95% interval
	// Tail is the exponent over the last three sizes, the part of the range
	// a prediction extrapolates from; NaN when the sweep has fewer.
	Tail float64
	// OnFloor is set when the fit found the largest sizes on a floor.
	OnFloor bool
	Err     error
}

// planFitSlope fits the mean-over-seeds errors of a sweep.
func planFitSlope(points []Point) planSlope {
	f, err := FitPowerLaw(points, Mean)
	if err != nil {
		return planSlope{Err: err, Alpha: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Tail: math.NaN()}
	}
	s := planSlope{Alpha: f.Exponent, Lo: f.CILo, Hi: f.CIHi, Tail: math.NaN()}
	s.OnFloor = f.Saturated[len(f.Saturated)-1]
	if len(points) >= 4 {
		if t, err := FitPowerLaw(points[len(points)-3:], Mean); err == nil {
			s.Tail = t.Exponent
		}
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
	est, err := problems.EstimateDim(u, n, m)
	if err != nil {
		return planDim{}, err
	}
	return planDim{PCA99: est.PCA99, PCA999: est.PCA999, TwoNN: est.TwoNN, MLE: est.MLE, Warnings: est.Warnings}, nil
}

// planMinDimSample is the fewest points the estimators accept.
const planMinDimSample = problems.MLENeighbours + 2

// planReadNPY reads one .npy matrix (a 1D array comes back as n×1).
func planReadNPY(path string) (data []float64, rows, cols int, err error) {
	return problems.ReadNPY(path)
}

// planWriteNPY writes a rows×cols matrix as a .npy file.
func planWriteNPY(path string, rows, cols int, data []float64) error {
	return problems.WriteNPY(path, rows, cols, data)
}
