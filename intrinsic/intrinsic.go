package intrinsic

import (
	"fmt"
	"math"
)

// MLENeighbours is the k of the Levina–Bickel estimator.
const MLENeighbours = 20

// Estimate holds three estimates of the intrinsic dimension of a sample
// of n points in R^D.
type Estimate struct {
	N, D int
	// PCA99 and PCA999 are the numbers of principal components needed to hold
	// 99% and 99.9% of the centred sample's energy (sum of squared singular
	// values). For a linear family they equal its dimension; for a curved
	// manifold they exceed it.
	PCA99, PCA999 int
	// Spectrum is the energy of each principal component, descending.
	Spectrum []float64
	// TwoNN is the estimate of Facco et al. (2017).
	TwoNN float64
	// MLE is the Levina–Bickel estimate with k = MLENeighbours, aggregated
	// by the harmonic mean of the per-point estimates (MacKay–Ghahramani).
	MLE float64
	// Duplicates counts points left out of the nearest-neighbour estimates
	// because another point coincides with them.
	Duplicates int
	// Warnings explain estimates that are NaN because the sample does not
	// support them.
	Warnings []string
}

// Measure estimates the intrinsic dimension of the rows of the n×d
// row-major matrix x. It needs at least MLENeighbours+2 points; an estimate
// the sample cannot support (duplicates, a lattice) is NaN with a warning.
func Measure(x []float64, n, d int) (Estimate, error) {
	if err := checkSample(x, n, d); err != nil {
		return Estimate{}, err
	}
	est := Estimate{N: n, D: d}
	est.Spectrum, _ = PCASpectrum(x, n, d) // x was checked above
	est.PCA99 = componentsFor(est.Spectrum, 0.99)
	est.PCA999 = componentsFor(est.Spectrum, 0.999)
	nn := nearestDistances(x, n, d, MLENeighbours)
	var err error
	if est.TwoNN, est.Duplicates, err = twoNN(nn); err != nil {
		est.TwoNN = math.NaN()
		est.Warnings = append(est.Warnings, err.Error())
	}
	if est.MLE, err = levinaBickel(nn, MLENeighbours); err != nil {
		est.MLE = math.NaN()
		est.Warnings = append(est.Warnings, err.Error())
	}
	return est, nil
}

func checkSample(x []float64, n, d int) error {
	if err := checkShape(x, n, d); err != nil {
		return err
	}
	if n < MLENeighbours+2 {
		return fmt.Errorf("intrinsic: %d points are too few for a dimension estimate: need at least %d", n, MLENeighbours+2)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("intrinsic: sample value %d (row %d, column %d) is %g", i, i/d, i%d, v)
		}
	}
	return nil
}
