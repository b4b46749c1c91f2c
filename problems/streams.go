package problems

// Every random number opscale draws comes from a PCG generator
// rand.NewPCG(seed, stream): the seed is the user's (a suite's seeds, a
// command's -seed) and the stream says what the numbers are for, so that two
// uses of one seed never share numbers. This file lists every stream and
// fixed seed; keep new ones here, each apart from all the others.
//
//	what                               seed        stream
//	input function i of a split        seed        split<<32 | i          (functionStream)
//	noise on the targets of function i seed        (split+2²⁰)<<32 | i    (noiseStream)
//	output points of function i when   seed        (split+2²¹)<<32 | i    (pointsStream)
//	it has points of its own
//	regression target coefficients     problem's   1<<42                  (regressionStream)
//	regression embedding               problem's   1<<42 + 1              (embeddingStream)
//	tightness probe directions         probe seed  1<<41                  (probeStream)
//	network initialisation (harness)   run seed    "init" 0x696e6974      (InitStream)
//	batch order (nets/train.go)        run seed    "batch" 0x6261746368
//	reference-network data (nets)      seed        1                      (nets.ReferenceStep)
//	test functions when a suite gives  1<<40       Test<<32 | i           (DefaultTestSeed)
//	no test_seed
//	bootstrap resampling of a fit      2024        10                     (harness/fit.go)
//
// Function streams lie below 2³⁴ (splits 1 to 3), noise streams above 2⁵²
// and point streams above 2⁵³; the per-problem streams 2⁴¹ and 2⁴² lie
// between (equalling a function stream would take split 512 or 1024).
// DefaultTestSeed is a seed and used as nothing else. nets imports no opscale package, so
// the batch and reference streams are written there and listed here; the
// bootstrap's fixed generator makes a fit's interval the same on every
// machine and draws no data.

// Split names a seed stream. Training, test and validation functions never
// share one.
type Split uint64

const (
	Train Split = 1
	Test  Split = 2
	// Validation functions choose a run's best step. They are drawn with
	// the run's seed on a stream of their own, like its training functions
	// but apart from them, so that n counts training pairs alone and the
	// first n training functions are the same whatever the validation count.
	Validation Split = 3
)

const (
	// noiseStream offsets the streams of the target noise from those of the
	// functions, so that a noisy and a noiseless set share their functions.
	noiseStream = 1 << 20
	// pointsStream offsets the streams of a scattered set's output points
	// from those of the functions and the noise, so that the points do not
	// depend on how many numbers an input family draws.
	pointsStream = 1 << 21
	// regressionStream seeds a regression problem's target coefficients
	// and embeddingStream its embedding, apart from each other and from the
	// streams of its sample points: the target on z is the same whatever the
	// ambient dimension, so a sphere in R^16 and in R^64 carry the same
	// function. It was 1<<40 until that was also DefaultTestSeed.
	regressionStream = 1 << 42
	embeddingStream  = regressionStream + 1
	// probeStream seeds the tightness probe's random directions.
	probeStream = 1 << 41
)

// InitStream is the stream of a network's initial weights, drawn from the
// run's seed apart from its data and its batch order.
const InitStream = 0x696e6974 // "init"

// DefaultTestSeed is the seed of the test set when a suite gives none. Every
// run of an experiment is scored on the same test functions, so differences
// between sizes are not differences between test sets.
const DefaultTestSeed = 1 << 40

// functionStream is the stream of function (or point) i of a split.
func functionStream(split Split, i int) uint64 { return uint64(split)<<32 | uint64(i) }

// noisePointStream is the stream of the noise on the targets of function
// (or point) i of a split.
func noisePointStream(split Split, i int) uint64 {
	return (uint64(split)+noiseStream)<<32 | uint64(i)
}

// pointStream is the stream of the output points of function i of a split,
// in a set where each function has points of its own.
func pointStream(split Split, i int) uint64 {
	return (uint64(split)+pointsStream)<<32 | uint64(i)
}
