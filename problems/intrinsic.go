package problems

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// MLENeighbours is the k of the Levina–Bickel estimator.
const MLENeighbours = 20

// twoNNDiscard is the share of the largest neighbour ratios TwoNN leaves out
// of its fit: the tail is dominated by the sampling noise of r₁.
const twoNNDiscard = 0.1

// DimEstimate holds three estimates of the intrinsic dimension of a sample
// of n points in R^D.
type DimEstimate struct {
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

// EstimateDim measures the intrinsic dimension of the rows of the n×d
// row-major matrix x. It needs at least MLENeighbours+2 points; an estimate
// the sample cannot support (duplicates, a lattice) is NaN with a warning.
func EstimateDim(x []float64, n, d int) (DimEstimate, error) {
	if err := checkSample(x, n, d); err != nil {
		return DimEstimate{}, err
	}
	est := DimEstimate{N: n, D: d}
	est.Spectrum = PCASpectrum(x, n, d)
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
	switch {
	case n <= 0 || d <= 0:
		return fmt.Errorf("problems: sample of %d×%d points: both sizes must be positive", n, d)
	case len(x) != n*d:
		return fmt.Errorf("problems: sample holds %d values, want %d×%d = %d", len(x), n, d, n*d)
	case n < MLENeighbours+2:
		return fmt.Errorf("problems: %d points are too few for a dimension estimate: need at least %d", n, MLENeighbours+2)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("problems: sample value %d (row %d, column %d) is %g", i, i/d, i%d, v)
		}
	}
	return nil
}

// PCASpectrum returns the energies (squared singular values) of the
// column-centred n×d matrix x, descending. It decomposes the smaller of the
// two Gram matrices, which share their nonzero eigenvalues.
func PCASpectrum(x []float64, n, d int) []float64 {
	c := make([]float64, len(x))
	copy(c, x)
	for j := range d {
		var m float64
		for i := range n {
			m += c[i*d+j]
		}
		m /= float64(n)
		for i := range n {
			c[i*d+j] -= m
		}
	}
	a := mat.NewDense(n, d, c)
	k := min(n, d)
	g := mat.NewSymDense(k, nil)
	if n <= d {
		g.SymOuterK(1, a)
	} else {
		g.SymOuterK(1, a.T())
	}
	var e mat.EigenSym
	if !e.Factorize(g, false) {
		panic("problems: Gram eigendecomposition failed")
	}
	vals := e.Values(nil)
	slices.Reverse(vals)
	for i := range vals {
		vals[i] = max(vals[i], 0)
	}
	return vals
}

// componentsFor returns how many leading energies hold the share frac of the
// total.
func componentsFor(spec []float64, frac float64) int {
	var total float64
	for _, v := range spec {
		total += v
	}
	if total == 0 {
		return 0
	}
	var sum float64
	for i, v := range spec {
		sum += v
		if sum >= frac*total {
			return i + 1
		}
	}
	return len(spec)
}

// nearestDistances returns, for every point, the Euclidean distances to its
// k nearest other points in ascending order (n×k, row-major), by brute force.
// Rows are split over the workers, each row computed alone, so the result
// does not depend on the number of threads.
func nearestDistances(x []float64, n, d, k int) []float64 {
	k = min(k, n-1)
	out := make([]float64, n*k)
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			dist := make([]float64, n)
			for i := w; i < n; i += workers {
				xi := x[i*d : (i+1)*d]
				for j := range n {
					if j == i {
						dist[j] = math.Inf(1)
						continue
					}
					var s float64
					for a, v := range x[j*d : (j+1)*d] {
						t := xi[a] - v
						s += t * t
					}
					dist[j] = s
				}
				best := out[i*k : (i+1)*k]
				smallest(best, dist)
				for a := range best {
					best[a] = math.Sqrt(best[a])
				}
			}
		})
	}
	wg.Wait()
	return out
}

// smallest writes the len(dst) smallest values of v into dst, ascending.
func smallest(dst, v []float64) {
	k := len(dst)
	for a := range dst {
		dst[a] = math.Inf(1)
	}
	for _, s := range v {
		if s >= dst[k-1] {
			continue
		}
		a := k - 1
		for a > 0 && dst[a-1] > s {
			dst[a] = dst[a-1]
			a--
		}
		dst[a] = s
	}
}

// twoNN fits −log(1 − F(μ)) = d·log μ through the origin, where μ = r₂/r₁ is
// the ratio of the second to the first neighbour distance and F its empirical
// distribution, leaving out the largest twoNNDiscard of the ratios.
func twoNN(nn []float64) (float64, int, error) {
	k := MLENeighbours
	n := len(nn) / k
	mu := make([]float64, 0, n)
	dup, ties := 0, 0
	for i := range n {
		r1, r2 := nn[i*k], nn[i*k+1]
		if r1 == 0 {
			dup++
			continue
		}
		if r2 == r1 {
			ties++
		}
		mu = append(mu, r2/r1)
	}
	// On a lattice the two nearest neighbours are equidistant and the ratio
	// carries no information about the dimension.
	if ties > len(mu)/10 {
		return 0, dup, fmt.Errorf("problems: TwoNN: %d of %d points have equidistant first and second neighbours (lattice-like data): the estimate is undefined", ties, len(mu))
	}
	if len(mu) < 10 {
		return 0, dup, fmt.Errorf("problems: TwoNN: only %d of %d points are distinct from their neighbours", len(mu), n)
	}
	sort.Float64s(mu)
	m := len(mu)
	keep := int(math.Floor(float64(m) * (1 - twoNNDiscard)))
	var sxy, sxx float64
	for i := range keep {
		x := math.Log(mu[i])
		y := -math.Log(1 - float64(i+1)/float64(m))
		sxy += x * y
		sxx += x * x
	}
	if sxx == 0 {
		return 0, dup, fmt.Errorf("problems: TwoNN: all neighbour ratios are 1 (a lattice?): the dimension is undefined")
	}
	return sxy / sxx, dup, nil
}

// levinaBickel averages the inverse per-point estimates
// m̂_k(x)⁻¹ = (1/(k−1))·Σ_{j<k} log(T_k/T_j) and returns the inverse of the
// mean (the harmonic mean of the m̂_k(x)).
func levinaBickel(nn []float64, k int) (float64, error) {
	n := len(nn) / MLENeighbours
	var sum float64
	used := 0
	for i := range n {
		t := nn[i*MLENeighbours : i*MLENeighbours+k]
		if t[0] == 0 {
			continue
		}
		var s float64
		for j := range k - 1 {
			s += math.Log(t[k-1] / t[j])
		}
		sum += s / float64(k-1)
		used++
	}
	if used == 0 || sum == 0 {
		return 0, fmt.Errorf("problems: Levina–Bickel MLE: no point has %d distinct neighbours", k)
	}
	return float64(used) / sum, nil
}
