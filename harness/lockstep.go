package harness

import "opscale/nets"

// runGroupFunc trains a unit of several jobs; tests replace it, as they do
// runJobFunc, to count or shape trainings.
var runGroupFunc = runDenseGroup

// lockstepUnits splits a sweep's jobs into the units a worker trains at once:
// the runs of a dense regression experiment at one size and precision,
// which differ in their seed alone, go together when training them in
// lockstep pays (nets.LockstepPays; the results are those of each run
// alone, bit for bit), in as few groups as LockstepPays allows; every other
// job is a unit of its own. A group takes the place of its first job, so
// the order of the work is kept. Only jobs still to do are grouped, so an
// interrupted sweep resumes with the seeds it lacks, and a shard groups its
// own jobs.
func lockstepUnits(jobs []job) [][]job {
	type key struct {
		e    *Experiment
		size int
		prec string
	}
	var units [][]job
	at := map[key]int{}
	for _, j := range jobs {
		e := j.e
		if e.Regression != nil && e.Training.Patience == 0 && e.precisionOf == "" {
			k := key{e, j.size, j.precision()}
			if u, ok := at[k]; ok {
				units[u] = append(units[u], j)
				continue
			}
			at[k] = len(units)
		}
		units = append(units, []job{j})
	}
	var out [][]job
	for _, u := range units {
		s := len(u)
		for s > 1 && !lockstepPays(u[0], s) {
			s--
		}
		for len(u) > 0 {
			n := min(s, len(u))
			out = append(out, u[:n:n])
			u = u[n:]
		}
	}
	return out
}

// lockstepPays reports whether s runs of the dense job j gain by training in
// lockstep.
func lockstepPays(j job, s int) bool {
	reg, err := j.e.regressionProblem()
	if err != nil {
		return false // the run itself will report the error
	}
	sizes := denseSizes(j.e, reg.Ambient, j.size)
	if j.precision() == "float32" {
		return nets.LockstepPays[float32](sizes, s)
	}
	return nets.LockstepPays[float64](sizes, s)
}
