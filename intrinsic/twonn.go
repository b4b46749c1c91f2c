package intrinsic

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// twoNNDiscard is the share of the largest neighbour ratios TwoNN leaves out
// of its fit: the tail is dominated by the sampling noise of r₁.
const twoNNDiscard = 0.1

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
		return 0, dup, fmt.Errorf("intrinsic: TwoNN: %d of %d points have equidistant first and second neighbours (lattice-like data): the estimate is undefined", ties, len(mu))
	}
	if len(mu) < 10 {
		return 0, dup, fmt.Errorf("intrinsic: TwoNN: only %d of %d points are distinct from their neighbours", len(mu), n)
	}
	sort.Float64s(mu)
	m := len(mu)
	keep := int(math.Floor(float64(m) * (1 - twoNNDiscard)))
	x, y := make([]float64, keep), make([]float64, keep)
	lattice := true
	for i := range keep {
		x[i] = math.Log(mu[i])
		y[i] = -math.Log(1 - float64(i+1)/float64(m))
		lattice = lattice && x[i] == 0
	}
	if lattice {
		return 0, dup, fmt.Errorf("intrinsic: TwoNN: all neighbour ratios are 1 (a lattice?): the dimension is undefined")
	}
	_, d := stat.LinearRegression(x, y, nil, true)
	return d, dup, nil
}
