package nets

import (
	"fmt"
	"math"

	"github.com/montanaflynn/stats"
)

// Metrics aggregates the per-function errors of predictions on a test set,
// each function's error taken over its P output points.
type Metrics struct {
	MeanRelL2   float64 `json:"mean_rel_l2"`   // mean of ‖v̂ − v‖₂/‖v‖₂
	MedianRelL2 float64 `json:"median_rel_l2"` // median of the same
	MeanSup     float64 `json:"mean_sup"`      // mean of max|v̂ − v|: the approximation theorems' quantity
	MeanSqL2    float64 `json:"mean_sq_l2"`    // mean of mean((v̂ − v)²): the generalization theorems' quantity
}

// Evaluate compares n×P predictions with the truth, function by function.
func Evaluate(pred, truth []float64, n, p int) (Metrics, error) {
	if n <= 0 || p <= 0 || len(pred) != n*p || len(truth) != n*p {
		return Metrics{}, fmt.Errorf("nets: evaluate %d×%d: got %d predictions and %d targets", n, p, len(pred), len(truth))
	}
	rel := make([]float64, n)
	var m Metrics
	for i := range n {
		var se, sv, sup float64
		for j := range p {
			r := pred[i*p+j] - truth[i*p+j]
			se += r * r
			sv += truth[i*p+j] * truth[i*p+j]
			sup = max(sup, math.Abs(r))
		}
		rel[i] = math.Sqrt(se / sv)
		m.MeanRelL2 += rel[i]
		m.MeanSup += sup
		m.MeanSqL2 += se / float64(p)
	}
	m.MeanRelL2 /= float64(n)
	m.MeanSup /= float64(n)
	m.MeanSqL2 /= float64(n)
	m.MedianRelL2, _ = stats.Median(rel) // n > 0, so it cannot fail
	return m, nil
}
