package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Float is the element type of the matrices gemm multiplies.
type Float interface{ float32 | float64 }

// threads is the SetThreads setting; 0 means GOMAXPROCS.
var threads atomic.Int64

// SetThreads sets how many goroutines a product may use and returns the
// previous setting. n ≤ 0 means GOMAXPROCS, the default. Results do not
// depend on it: every element of C is summed in the same order whatever the
// split.
func SetThreads(n int) (prev int) {
	return int(threads.Swap(int64(max(n, 0))))
}

func numThreads() int {
	if n := int(threads.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// Gemm computes C = α·op(A)·op(B) + β·C, where op(A) is m×k, op(B) is k×n and
// C is m×n, all row-major with leading dimensions lda, ldb and ldc. op(X) is
// Xᵀ when the matching transpose flag is set. When β is zero C is not read, so
// it may hold NaNs. It panics on negative sizes, leading dimensions too small
// for their rows, or slices too short for the shapes.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	gemm(active[T](m, n, k), numThreads(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Epilogue[T]{})
}

// GemmEpilogue is Gemm followed by the epilogue ep on every element of C,
// applied tile by tile as the tiles are finished: the bias and ReLU of a
// layer's forward product, or the ReLU mask of its backward product, without
// another pass over C. The results are those of Gemm and then ep in a loop.
// Besides Gemm's panics it panics on an epilogue that does not fit C.
func GemmEpilogue[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, ep Epilogue[T]) {
	gemm(active[T](m, n, k), numThreads(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep)
}

// gemm is GemmEpilogue with the implementation and the thread count given,
// so that tests can run every implementation through the same checks.
func gemm[T Float](im *impl[T], nt int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, ep Epilogue[T]) {
	check(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	checkEpilogue(&ep, m, n)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		if ep.active() {
			ep.apply(c, ldc, 0, 0, m, n, true, true)
		}
		return
	}
	p := problem[T]{
		transA: transA, transB: transB,
		m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda,
		b: b, ldb: ldb,
		beta: beta, c: c, ldc: ldc,
		ep: ep,
	}
	run(im, &p, nt)
}

// scale sets C = β·C, writing zeros without reading C when β is zero.
func scale[T Float](m, n int, beta T, c []T, ldc int) {
	switch beta {
	case 1:
	case 0:
		for i := range m {
			clear(c[i*ldc : i*ldc+n])
		}
	default:
		for i := range m {
			row := c[i*ldc : i*ldc+n]
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// minFlopsPerThread is the smallest share of a product worth a goroutine of
// its own: about 25 µs of work, far above the cost of starting and joining it.
const minFlopsPerThread = 1 << 20

// run splits C into at most nt bands of whole micro-tiles, along the longer of
// its two sides, and computes the bands on the calling goroutine and on
// persistent workers. A band repacks
// the operand it shares with the others (all of B for bands of rows), which is
// cheapest when the bands cut the longer side. Bands start on tile boundaries
// and the k loop is never split, so every element gets exactly the sum it
// would get on one thread.
func run[T Float](im *impl[T], p *problem[T], nt int) {
	flops := 2 * float64(p.m) * float64(p.n) * float64(p.k)
	nt = min(nt, int(flops/minFlopsPerThread))
	byRows := p.m >= p.n
	tiles := (p.n + im.nr - 1) / im.nr
	if byRows {
		tiles = (p.m + im.mr - 1) / im.mr
	}
	nt = min(nt, tiles)
	if nt <= 1 {
		im.compute(p, 0, p.m, 0, p.n)
		return
	}
	// Workers, when free, compute the bands while the caller waits; a band
	// that finds no free worker is computed by the caller itself. The bands
	// are independent, so who computes one does not change its bits. The
	// caller hands off every band rather than keeping one: a worker it wakes
	// is queued on the caller's own processor, and would wait there while the
	// caller computed.
	var busy [maxThreads]*worker[T]
	nt = min(nt, maxThreads)
	for t := range nt {
		b := band[T]{im: im, p: *p, byRows: byRows, lo: t * tiles / nt, hi: (t + 1) * tiles / nt}
		if w := takeWorker[T](); w != nil {
			busy[t] = w
			w.in <- b
		} else {
			b.compute()
		}
	}
	for t := range nt {
		if w := busy[t]; w != nil {
			<-w.done
			releaseWorker(w)
		}
	}
}

// maxThreads caps the bands of one product.
const maxThreads = 64

// band is a share of a product: tiles [lo, hi) of its rows or columns.
type band[T Float] struct {
	im     *impl[T]
	p      problem[T]
	byRows bool
	lo, hi int
}

func (b band[T]) compute() {
	im, p := b.im, &b.p
	if b.byRows {
		im.compute(p, b.lo*im.mr, min(b.hi*im.mr, p.m), 0, p.n)
	} else {
		im.compute(p, 0, p.m, b.lo*im.nr, min(b.hi*im.nr, p.n))
	}
}

// worker is a goroutine that computes bands. Workers persist and are reused,
// because starting a goroutine per band allocates, and training calls the
// product thousands of times a second.
type worker[T Float] struct {
	in   chan band[T]
	done chan struct{}
}

func (w *worker[T]) loop() {
	for b := range w.in {
		b.compute()
		w.done <- struct{}{}
	}
}

var workers struct {
	mu      sync.Mutex
	f32     []*worker[float32]
	f64     []*worker[float64]
	started int
}

func idle[T Float]() *[]*worker[T] {
	var z T
	switch any(z).(type) {
	case float32:
		return any(&workers.f32).(*[]*worker[T])
	default:
		return any(&workers.f64).(*[]*worker[T])
	}
}

// takeWorker returns an idle worker, starting one while fewer than twice
// GOMAXPROCS run, or nil when none can be had.
func takeWorker[T Float]() *worker[T] {
	workers.mu.Lock()
	defer workers.mu.Unlock()
	l := idle[T]()
	if n := len(*l); n > 0 {
		w := (*l)[n-1]
		*l = (*l)[:n-1]
		return w
	}
	if workers.started >= 2*runtime.GOMAXPROCS(0) {
		return nil
	}
	workers.started++
	w := &worker[T]{in: make(chan band[T], 1), done: make(chan struct{}, 1)}
	go w.loop()
	return w
}

func releaseWorker[T Float](w *worker[T]) {
	workers.mu.Lock()
	defer workers.mu.Unlock()
	l := idle[T]()
	*l = append(*l, w)
}

// check validates the arguments of Gemm in the order gonum's Dgemm does, so
// that the first problem found is the one reported.
func check(transA, transB bool, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) {
	if m < 0 {
		panic(errNegM)
	}
	if n < 0 {
		panic(errNegN)
	}
	if k < 0 {
		panic(errNegK)
	}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	if lda < max(1, colsA) {
		panic(errBadLdA)
	}
	if ldb < max(1, colsB) {
		panic(errBadLdB)
	}
	if ldc < max(1, n) {
		panic(errBadLdC)
	}
	if rowsA > 0 && colsA > 0 && lenA < lda*(rowsA-1)+colsA {
		panic(errShortA)
	}
	if rowsB > 0 && colsB > 0 && lenB < ldb*(rowsB-1)+colsB {
		panic(errShortB)
	}
	if m > 0 && n > 0 && lenC < ldc*(m-1)+n {
		panic(errShortC)
	}
}
