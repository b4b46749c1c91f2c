package harness

import "fmt"

// TrainRun generates the data of one run of e (size training functions for
// a data sweep, width size for a model sweep), trains the network on seed
// and scores it on the test set: the pipeline every sweep runs, for a caller
// that wants a single run, such as `opscale train`. e needs no theorem or
// list of sizes and seeds, only what one run uses; that part is checked
// before any data is made.
func TrainRun(e *Experiment, size int, seed uint64) (Run, error) {
	if size < 1 {
		return Run{}, fmt.Errorf("size %d: must be positive", size)
	}
	if err := e.validateRun(); err != nil {
		return Run{}, err
	}
	if e.Precision == PrecisionAuto {
		return Run{}, fmt.Errorf("field precision = %q: a single run has no check pair to choose its precision; give \"float32\" or \"float64\"", e.Precision)
	}
	return runOne(job{e: e, size: size, seed: seed})
}
