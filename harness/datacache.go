package harness

import (
	"encoding/json"
	"fmt"
	"sync"

	"opscale/problems"
)

// dataCache keeps the datasets a sweep has generated, so that the runs which
// train on the same functions generate them once. Every width of a model
// sweep trains on the same TrainSize functions of its seed, every run of an
// experiment is scored on the same test set, and function i of a split comes
// from a stream of its own (problems/streams.go), so the n functions of a
// data sweep's smaller sizes are the first n of its largest: a cached set
// serves any request for as many functions or fewer, as its prefix. Jobs run
// largest first, so the first request of a seed is usually the largest.
//
// Generating the data took about as long as training the small networks of
// a model sweep (a width-4 DeepONet on 8000 Poisson functions: 0.6 s of
// solves against 0.3 s of training), once per width and seed.
//
// A nil cache generates every request afresh.
type dataCache struct {
	mu      sync.Mutex
	limit   int64 // bytes of data kept; the least recently used go first
	used    int64
	clock   int64
	entries map[string]*cachedSet
}

type cachedSet struct {
	ready chan struct{} // closed when set and err are final
	n     int           // functions (or points) held
	set   any           // *problems.Dataset, *problems.Scattered or *problems.RegressionSet
	err   error
	bytes int64
	last  int64 // clock of the last use
}

// dataCacheLimit bounds the cache: the largest suite's sets of one
// experiment (five seeds of 8000 functions at 32 sensors and 64 points,
// 6 MB each, with their validation sets) fit many times over, and the
// machines have 24 GiB.
const dataCacheLimit = 2 << 30

func newDataCache() *dataCache {
	return &dataCache{limit: dataCacheLimit, entries: map[string]*cachedSet{}}
}

// get returns a set of at least n items under key, generating it with gen
// (which returns the set and its size in bytes) when no set of n or more is
// held. Two workers asking for one key at once generate it once.
func (c *dataCache) get(key string, n int, gen func() (any, int64, error)) (any, error) {
	c.mu.Lock()
	for {
		e, ok := c.entries[key]
		if !ok {
			break
		}
		if e.n < n {
			// Too few: generate the larger set in its place. (A set
			// still being generated with fewer is let finish; it is
			// no longer in the map, so it is dropped when done.)
			c.drop(key, e)
			break
		}
		c.clock++
		e.last = c.clock
		c.mu.Unlock()
		<-e.ready
		if e.err != nil {
			return nil, e.err
		}
		return e.set, nil
	}
	e := &cachedSet{ready: make(chan struct{}), n: n}
	c.clock++
	e.last = c.clock
	c.entries[key] = e
	c.mu.Unlock()

	set, bytes, err := gen()
	c.mu.Lock()
	e.set, e.err, e.bytes = set, err, bytes
	close(e.ready)
	if err != nil {
		c.drop(key, e)
	} else if c.entries[key] == e {
		c.used += bytes
		c.evict()
	}
	c.mu.Unlock()
	return set, err
}

// drop removes key's entry e if it is still the one held; the caller holds
// c.mu.
func (c *dataCache) drop(key string, e *cachedSet) {
	if c.entries[key] != e {
		return
	}
	delete(c.entries, key)
	select {
	case <-e.ready:
		c.used -= e.bytes
	default:
		// Still being generated: its bytes were never counted.
	}
}

// evict drops the least recently used finished sets until the cache is
// within its limit; the caller holds c.mu.
func (c *dataCache) evict() {
	for c.used > c.limit {
		var oldKey string
		var old *cachedSet
		for k, e := range c.entries {
			select {
			case <-e.ready:
			default:
				continue
			}
			if old == nil || e.last < old.last {
				oldKey, old = k, e
			}
		}
		if old == nil {
			return
		}
		c.drop(oldKey, old)
	}
}

// dataKey names the functions a split draws: everything that defines them
// (the problem, the input family and its parameters, the sensors and points,
// the regression problem), the seed, the split, the noise and the training
// points per function; nothing of the network or the training.
func (e *Experiment) dataKey(kind string, seed uint64, split problems.Split, noise float64) string {
	type regressionProblem struct {
		Target, Domain string
		D, Ambient     int
		TargetSeed     uint64
	}
	var reg *regressionProblem
	if g := e.Regression; g != nil {
		reg = &regressionProblem{g.Target, g.Domain, g.D, g.Ambient, g.TargetSeed}
	}
	b, err := json.Marshal(struct {
		Problem, Family string
		BU, Grid        int
		Params          problems.Params
		Sensors, Points int
		Regression      *regressionProblem
		Kind            string
		Seed            uint64
		Split           problems.Split
		Noise           float64
		TrainPoints     int
	}{e.Problem, e.Family, e.BU, e.Grid, e.Params, e.Sensors, e.Points, reg, kind, seed, split, noise, e.TrainPoints})
	if err != nil {
		// Params holds numbers and strings only; a failure here would
		// be a programming error, and a key that matches nothing is safe.
		return fmt.Sprintf("unkeyable %p", e)
	}
	return string(b)
}

// cached returns the set that gen makes, through c when it is not nil:
// from a set of key with as many items or more if c holds one.
func cached[S any](c *dataCache, key func() string, n int, gen func() (S, int64, error)) (S, error) {
	if c == nil {
		s, _, err := gen()
		return s, err
	}
	set, err := c.get(key(), n, func() (any, int64, error) { return gen() })
	if err != nil {
		var zero S
		return zero, err
	}
	return set.(S), nil
}

// dataset returns problems.Generate(spec, n, seed, split, noise) for e, from
// the cache when it holds as many functions or more.
func (c *dataCache) dataset(e *Experiment, spec problems.Spec, n int, seed uint64, split problems.Split, noise float64) (*problems.Dataset, error) {
	set, err := cached(c, func() string { return e.dataKey("aligned", seed, split, noise) }, n,
		func() (*problems.Dataset, int64, error) {
			ds, err := problems.Generate(spec, n, seed, split, noise)
			if err != nil {
				return nil, 0, err
			}
			return ds, floatBytes(ds.X, ds.U, ds.Y, ds.V), nil
		})
	if err != nil {
		return nil, err
	}
	// The first n functions, capped so that no caller can write past them.
	ds := *set
	ds.N = n
	ds.U = ds.U[: n*ds.M : n*ds.M]
	ds.V = ds.V[: n*ds.P : n*ds.P]
	return &ds, nil
}

// scattered returns problems.GenerateScattered(spec, n, k, seed, split,
// noise) for e, from the cache when it holds as many functions or more.
func (c *dataCache) scattered(e *Experiment, spec problems.Spec, n, k int, seed uint64, split problems.Split, noise float64) (*problems.Scattered, error) {
	set, err := cached(c, func() string { return e.dataKey(fmt.Sprintf("scattered %d", k), seed, split, noise) }, n,
		func() (*problems.Scattered, int64, error) {
			ds, err := problems.GenerateScattered(spec, n, k, seed, split, noise)
			if err != nil {
				return nil, 0, err
			}
			return ds, floatBytes(ds.X, ds.U, ds.Y, ds.V), nil
		})
	if err != nil {
		return nil, err
	}
	ds := *set
	ds.N = n
	ds.U = ds.U[: n*ds.M : n*ds.M]
	ds.Y = ds.Y[: n*ds.K*ds.D2 : n*ds.K*ds.D2]
	ds.V = ds.V[: n*ds.K : n*ds.K]
	return &ds, nil
}

// regression returns reg.Sample(n, seed, split, noise) for e, from the cache
// when it holds as many points or more.
func (c *dataCache) regression(e *Experiment, reg *problems.Regression, n int, seed uint64, split problems.Split, noise float64) (*problems.RegressionSet, error) {
	got, err := cached(c, func() string { return e.dataKey("regression", seed, split, noise) }, n,
		func() (*problems.RegressionSet, int64, error) {
			set, err := reg.Sample(n, seed, split, noise)
			if err != nil {
				return nil, 0, err
			}
			return set, floatBytes(set.X, set.Y), nil
		})
	if err != nil {
		return nil, err
	}
	set := *got
	set.N = n
	set.X = set.X[: n*set.D : n*set.D]
	set.Y = set.Y[:n:n]
	return &set, nil
}

// floatBytes is the memory the float64 slices hold.
func floatBytes(vs ...[]float64) int64 {
	var n int64
	for _, v := range vs {
		n += 8 * int64(len(v))
	}
	return n
}
