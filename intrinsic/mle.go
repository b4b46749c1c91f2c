package intrinsic

import (
	"fmt"
	"math"
)

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
		return 0, fmt.Errorf("intrinsic: Levina–Bickel MLE: no point has %d distinct neighbours", k)
	}
	return float64(used) / sum, nil
}
