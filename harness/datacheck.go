package harness

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
)

// DataCheck compares a model sweep's error at its largest width, on its n
// training functions, with the error of its data check there, on 2n. A model
// sweep measures approximation only if data does not limit it: then doubling
// n leaves the error where it was.
type DataCheck struct {
	Size   int // the width checked: the sweep's largest
	N, N2  int // training functions of the sweep and of the check
	Params int
	// Err and Err2 are the error at n and at 2n, aggregated over seeds as
	// the sweep is (the best seed for an approximation theorem).
	Err, Err2 float64
	// Seeds is the number of seeds with both runs finished; Ratio is the
	// geometric mean over them of each seed's error at 2n over its error at
	// n, and [Lo, Hi] its 95% t interval over the seeds (NaN with one).
	// A seed's two runs share their first n functions, initial weights and
	// batch stream, so the pairing takes the seed's own luck out.
	Seeds         int
	Ratio, Lo, Hi float64
	// Spread is the seeds' standard deviation of the log error at n, in
	// the same units as the log ratio: the scatter the check is read
	// against.
	Spread float64
	// Limited says that data limited the error: the interval lies below 1,
	// so that twice the data lowered the error beyond what the pairs'
	// scatter explains. The report also says whether the drop exceeds
	// Spread, the seeds' own scatter.
	Limited bool
	// Stale counts check runs recorded under other settings, or at another
	// width than the sweep's largest, which were left out.
	Stale int
}

// checkData pairs a model sweep's runs at its largest width with the runs of
// its data check, by seed. It returns nil when no pair finished.
func (a *Analysis) checkData(checks []Run) *DataCheck {
	if len(checks) == 0 || len(a.Rows) == 0 {
		return nil
	}
	size := a.Rows[len(a.Rows)-1].Size
	latest := checks[len(checks)-1].ConfigHash
	at := map[uint64]*Run{}
	dc := &DataCheck{Size: size}
	for i := range checks {
		r := &checks[i]
		if r.ConfigHash != latest || r.Size != size {
			dc.Stale++
			continue
		}
		at[r.Seed] = r
	}
	q := a.Theorem.Quantity
	var e1, e2, logs, logE []float64
	for i := range a.runs {
		r := &a.runs[i]
		c := at[r.Seed]
		if r.Size != size || c == nil || r.Train.Diverged || c.Train.Diverged {
			continue
		}
		dc.N, dc.N2, dc.Params = r.NTrain, c.NTrain, r.Params
		x, y := metricOf(q, r), metricOf(q, c)
		e1, e2 = append(e1, x), append(e2, y)
		logs = append(logs, math.Log(y/x))
		logE = append(logE, math.Log(x))
	}
	dc.Seeds = len(logs)
	if dc.Seeds == 0 {
		return dc
	}
	dc.Err, dc.Err2 = a.Aggregate.of(e1), a.Aggregate.of(e2)
	dc.Ratio, dc.Lo, dc.Hi = geoMeanInterval(logs)
	dc.Spread = math.NaN()
	if dc.Seeds > 1 {
		dc.Spread = stat.StdDev(logE, nil)
		dc.Limited = dc.Hi < 1
	}
	return dc
}

// dataCheckMargin is the change in the error, as a factor, that a data
// check must rule out before it says the data did not limit the error: an
// interval of no change as wide as [0.1, 4] rules out nothing.
const dataCheckMargin = 1.25

// Sentence says what the check found, plainly.
func (dc *DataCheck) Sentence(metric string) string {
	if dc.Seeds == 0 {
		return fmt.Sprintf("Data check: no seed has finished both its run at width %d and its run on twice the data; nothing to compare.", dc.Size)
	}
	s := fmt.Sprintf("Data check at the largest width w = %d (N = %d), %s: %.3e with n = %d training functions, %.3e with 2n = %d; per seed the error at 2n is %.3g times that at n (geometric mean over %d seeds",
		dc.Size, dc.Params, metric, dc.Err, dc.N, dc.Err2, dc.N2, dc.Ratio, dc.Seeds)
	if dc.Seeds < 2 {
		return s + "; one seed gives no interval, so the check cannot say whether data limited the error)."
	}
	s += fmt.Sprintf(", 95%% t interval [%.3g, %.3g]; the seeds scatter the log error at n by %.2g). ", dc.Lo, dc.Hi, dc.Spread)
	drop := 100 * (1 - dc.Ratio)
	scatter := 100 * (math.Exp(dc.Spread) - 1)
	switch {
	case dc.Limited && drop > scatter:
		s += fmt.Sprintf("**Data limited the error**: twice the data lowered it by %.0f%%, more than the seeds scatter (%.0f%%), so this sweep measures the data as well as the network, not approximation alone.", drop, scatter)
	case dc.Limited:
		s += fmt.Sprintf("**Data limited the error slightly**: twice the data lowered it at every seed, consistently, but by %.0f%%, less than the seeds scatter (%.0f%%).", drop, scatter)
	case dc.Lo > 1:
		s += "Data did not limit the error: twice the data did not lower it (it rose beyond the interval of no change, which points at training noise rather than data)."
	case dc.Lo >= 1/dataCheckMargin && dc.Hi <= dataCheckMargin:
		s += fmt.Sprintf("Data did not limit the error: the interval holds no change and excludes a change by more than a factor %.2g either way.", dataCheckMargin)
	default:
		s += fmt.Sprintf("These seeds cannot tell whether data limited the error: the interval holds no change, but also changes by more than a factor %.2g; more seeds would.", dataCheckMargin)
	}
	if dc.Stale > 0 {
		s += fmt.Sprintf(" (%d check runs under other settings or at another width were left out.)", dc.Stale)
	}
	return s
}
