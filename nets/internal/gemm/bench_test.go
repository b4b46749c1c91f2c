package gemm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// benchShape is one product: op(A) is m×k, op(B) is k×n.
type benchShape struct {
	kind           string
	transA, transB bool
	m, n, k        int
}

// benchShapes are the square sizes and the products of training: the forward
// product of a batch through a layer, (batch×width)·(width×width), and the
// weight gradient Xᵀ·δ, (width×batch)·(batch×width), whose k is the batch.
func benchShapes() []benchShape {
	var s []benchShape
	for _, n := range []int{64, 128, 256, 512, 1024, 2048} {
		s = append(s, benchShape{"square", false, false, n, n, n})
	}
	for _, batch := range []int{1024, 8192} {
		for _, width := range []int{64, 512} {
			s = append(s, benchShape{"fwd", false, false, batch, width, width})
		}
	}
	for _, batch := range []int{1024, 8192} {
		for _, width := range []int{64, 512} {
			s = append(s, benchShape{"wgrad", true, false, width, width, batch})
		}
	}
	return s
}

// BenchmarkGemm times each assembly path this CPU has (avx512, avx2; Gemm
// uses the first) and gonum's blas64/blas32 on every shape; run it with
// -cpu 1,2 to compare one and two threads (both follow GOMAXPROCS).
func BenchmarkGemm(b *testing.B) {
	b.Run("f64", func(b *testing.B) { benchGemm[float64](b) })
	b.Run("f32", func(b *testing.B) { benchGemm[float32](b) })
}

func benchGemm[T Float](b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 1))
	for _, s := range benchShapes() {
		ar, ac := s.m, s.k
		if s.transA {
			ar, ac = ac, ar
		}
		x := make([]T, ar*ac)
		y := make([]T, s.k*s.n)
		z := make([]T, s.m*s.n)
		for _, v := range [][]T{x, y, z} {
			for i := range v {
				v[i] = T(rnd.Float64()*2 - 1)
			}
		}
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		name := fmt.Sprintf("%s/%dx%dx%d", s.kind, s.m, s.n, s.k)
		report := func(b *testing.B, isa string) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			if pk := measurePeak(isa, numThreads()); pk > 0 {
				if _, ok := any(x).([]float32); ok {
					pk *= 2
				}
				b.ReportMetric(pk, "peak-GFLOP/s")
			}
		}
		for _, im := range impls[T]()[1:] {
			b.Run(name+"/"+im.name, func(b *testing.B) {
				for b.Loop() {
					gemm(im, numThreads(), s.transA, s.transB, s.m, s.n, s.k, 1, x, ac, y, s.n, 0, z, s.n, Epilogue[T]{})
				}
				report(b, im.name)
			})
		}
		b.Run(name+"/gonum", func(b *testing.B) {
			tA := blas.NoTrans
			if s.transA {
				tA = blas.Trans
			}
			switch x := any(x).(type) {
			case []float64:
				ga := blas64.General{Rows: ar, Cols: ac, Stride: ac, Data: x}
				gb := blas64.General{Rows: s.k, Cols: s.n, Stride: s.n, Data: any(y).([]float64)}
				gc := blas64.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: any(z).([]float64)}
				for b.Loop() {
					blas64.Gemm(tA, blas.NoTrans, 1, ga, gb, 0, gc)
				}
			case []float32:
				ga := blas32.General{Rows: ar, Cols: ac, Stride: ac, Data: x}
				gb := blas32.General{Rows: s.k, Cols: s.n, Stride: s.n, Data: any(y).([]float32)}
				gc := blas32.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: any(z).([]float32)}
				for b.Loop() {
					blas32.Gemm(tA, blas.NoTrans, 1, ga, gb, 0, gc)
				}
			}
			report(b, "")
		})
	}
}

// fmaLoops holds the FMA-throughput loops of each assembly path, with the
// float64 lanes of one instruction; empty without assembly.
var fmaLoops = map[string]fmaLoop{}

type fmaLoop struct {
	loop  func(n int) // n iterations of 12 independent vector FMAs
	lanes int
}

// BenchmarkFMAPeak measures the float64 FMA throughput of this machine, the
// ceiling against which GEMM rates are read: 12 independent vector FMAs an
// iteration, no memory traffic, on GOMAXPROCS goroutines at once, with YMM
// (avx2) and ZMM (avx512) registers. Single precision does twice the flops
// per instruction.
func BenchmarkFMAPeak(b *testing.B) {
	for _, isa := range []string{"avx2", "avx512"} {
		b.Run(isa, func(b *testing.B) {
			l, ok := fmaLoops[isa]
			if !ok {
				b.Skip("no " + isa + " loop on this CPU or build")
			}
			const iters = 1 << 16
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					l.loop(iters)
				}
			})
			b.ReportMetric(float64(iters)*12*float64(l.lanes)*2*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// measurePeak returns the float64 FMA throughput of the isa path on nt
// goroutines, measured over a few milliseconds, or 0 if there is no such
// loop. Measured right after each benchmark, it is the ceiling under the same
// load from other processes, which on a shared machine moves from minute to
// minute.
func measurePeak(isa string, nt int) float64 {
	l, ok := fmaLoops[isa]
	if !ok {
		return 0
	}
	const iters, reps = 1 << 12, 100
	start := time.Now()
	var wg sync.WaitGroup
	for range nt {
		wg.Go(func() {
			for range reps {
				l.loop(iters)
			}
		})
	}
	wg.Wait()
	return float64(nt*reps*iters*12*l.lanes*2) / time.Since(start).Seconds() / 1e9
}

// BenchmarkInputGradient times the input-gradient product of training,
// δ·Wᵀ with δ batch×width and W width×width, on one thread, packing the
// panels of Wᵀ as each kernel set does (transB) and as it did before
// (gatherRuns alone). The two alternate within every iteration and are
// reported as transB-µs and gather-µs: on a shared machine, timings taken a
// second apart differ by more than the packing costs. The packing is a
// larger share at small batches, where each packed panel serves fewer rows.
func BenchmarkInputGradient(b *testing.B) {
	b.Run("f64", func(b *testing.B) { benchInputGradient[float64](b) })
	b.Run("f32", func(b *testing.B) { benchInputGradient[float32](b) })
}

func benchInputGradient[T Float](b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 1))
	for _, width := range []int{40, 128} {
		for _, batch := range []int{128, 1000} {
			d := make([]T, batch*width)
			w := make([]T, width*width)
			z := make([]T, batch*width)
			for _, v := range [][]T{d, w} {
				for i := range v {
					v[i] = T(rnd.Float64()*2 - 1)
				}
			}
			for _, im := range impls[T]()[1:] {
				if im.transB == nil {
					continue
				}
				old := *im
				old.transB = nil
				product := func(im *impl[T]) time.Duration {
					start := time.Now()
					gemm(im, 1, false, true, batch, width, width, 1, d, width, w, width, 0, z, width, Epilogue[T]{})
					return time.Since(start)
				}
				b.Run(fmt.Sprintf("w%d/batch%d/%s", width, batch, im.name), func(b *testing.B) {
					alternate(b, func() time.Duration { return product(im) }, func() time.Duration { return product(&old) }, "transB-µs", "gather-µs")
				})
			}
		}
	}
}

// stepProducts are the products of one training step of the suite's largest
// DeepONet (branch 32→128→128→128→64, trunk 1→128→128→128→64, 128
// functions at 64 points): forward with bias and ReLU, weight gradient and
// input gradient of each layer, and the output product and its two
// gradients. Their 128- and 64-row sides leave edge rows below 6-row tiles.
func stepProducts() []benchProduct {
	var s []benchProduct
	mlp := func(sizes []int, batch int) {
		for l := 0; l+1 < len(sizes); l++ {
			s = append(s, benchProduct{false, false, batch, sizes[l+1], sizes[l]})
			s = append(s, benchProduct{true, false, sizes[l], sizes[l+1], batch})
			if l > 0 {
				s = append(s, benchProduct{false, true, batch, sizes[l], sizes[l+1]})
			}
		}
	}
	mlp([]int{32, 128, 128, 128, 64}, 128)
	mlp([]int{1, 128, 128, 128, 64}, 64)
	return append(s, benchProduct{false, true, 128, 64, 64}, benchProduct{false, false, 128, 64, 64}, benchProduct{true, false, 64, 64, 128})
}

// BenchmarkPartKernels times the products of a training step (stepProducts)
// on one thread with each set's part kernels and without them (edge tiles
// computed aside by the full kernel, as before they existed), the two
// alternating within every iteration: reported as parts-µs, full-µs and their
// ratio, speedup. The forward products carry a bias and ReLU.
func BenchmarkPartKernels(b *testing.B) {
	without := func(im *impl[float64]) { im.parts = nil }
	without32 := func(im *impl[float32]) { im.parts = nil }
	b.Run("f64", func(b *testing.B) { benchStepWithout(b, without, "parts-µs", "full-µs") })
	b.Run("f32", func(b *testing.B) { benchStepWithout(b, without32, "parts-µs", "full-µs") })
}

// BenchmarkDirectB times the products of a training step as
// BenchmarkPartKernels does, with B read in place where a band allows it and
// with every B packed, as before the kernels reading B in place existed.
func BenchmarkDirectB(b *testing.B) {
	without := func(im *impl[float64]) { im.kernelDirectB, im.kernelDirectTB = nil, nil }
	without32 := func(im *impl[float32]) { im.kernelDirectB, im.kernelDirectTB = nil, nil }
	b.Run("f64", func(b *testing.B) { benchStepWithout(b, without, "inplace-µs", "packed-µs") })
	b.Run("f32", func(b *testing.B) { benchStepWithout(b, without32, "inplace-µs", "packed-µs") })
}

// benchStepWithout times stepProducts on one thread with each assembly set
// as it is and as strip leaves a copy of it, alternating.
func benchStepWithout[T Float](b *testing.B, strip func(*impl[T]), newUnit, oldUnit string) {
	rnd := rand.New(rand.NewPCG(1, 2))
	prods := stepProducts()
	size := 0
	for _, p := range prods {
		size = max(size, p.m*p.k, p.k*p.n, p.m*p.n)
	}
	x, y, z, bias := make([]T, size), make([]T, size), make([]T, size), make([]T, size)
	for _, v := range [][]T{x, y, bias} {
		for i := range v {
			v[i] = T(rnd.Float64()*2 - 1)
		}
	}
	for _, im := range impls[T]()[1:] {
		without := *im
		strip(&without)
		step := func(im *impl[T]) time.Duration {
			start := time.Now()
			for _, p := range prods {
				lda, ldb := p.lds()
				var ep Epilogue[T]
				if !p.transA && !p.transB {
					ep = Epilogue[T]{Bias: bias[:p.n], ReLU: true}
				}
				gemm(im, 1, p.transA, p.transB, p.m, p.n, p.k, 1, x, lda, y, ldb, 0, z, p.n, ep)
			}
			return time.Since(start)
		}
		b.Run(im.name, func(b *testing.B) {
			alternate(b, func() time.Duration { return step(im) }, func() time.Duration { return step(&without) }, newUnit, oldUnit)
		})
	}
}

// alternate runs newer and older in turn in every iteration and reports
// their mean times in µs, as newUnit and oldUnit, and older's over newer's as
// speedup: on a shared machine, timings taken a second apart differ by more
// than the changes these benchmarks measure.
func alternate(b *testing.B, newer, older func() time.Duration, newUnit, oldUnit string) {
	var tNew, tOld time.Duration
	for b.Loop() {
		tNew += newer()
		tOld += older()
	}
	n := float64(b.N) * 1e3
	b.ReportMetric(float64(tNew)/n, newUnit)
	b.ReportMetric(float64(tOld)/n, oldUnit)
	b.ReportMetric(float64(tOld)/float64(tNew), "speedup")
}

// BenchmarkKernelShare measures what the micro-kernel alone reaches of the
// FMA peak on this machine at this moment: each set's full kernel on panels
// that stay in L1, k = 128 deep (training's layers) and 1024, with the bias
// and ReLU epilogue, alternating with the FMA loop of BenchmarkFMAPeak
// (about 50 µs each) and reported as the median, first and third quartile
// over the pairs of the kernel's flop rate over the loop's (float32 counted
// at twice the float64 rate). On an idle core the kernel is within a few per
// cent of the loop; where the core's other hardware thread runs someone
// else's work, it loses more than the loop does, since it also loads, and no
// product or suite can do better than this figure.
func BenchmarkKernelShare(b *testing.B) {
	b.Run("f64", func(b *testing.B) { benchKernelShare[float64](b) })
	b.Run("f32", func(b *testing.B) { benchKernelShare[float32](b) })
}

func benchKernelShare[T Float](b *testing.B) {
	var z T
	wide := 1.0 // flops of T per float64 flop of the same vector width
	if _, ok := any(z).(float32); ok {
		wide = 2
	}
	for _, im := range impls[T]()[1:] {
		l, ok := fmaLoops[im.name]
		if !ok {
			continue
		}
		for _, k := range []int{128, 1024} {
			run, flops := hotKernel(im, k)
			reps := max(1, 64*1024/(im.mr*im.nr*k/l.lanes/int(wide)))
			iters := 4096
			b.Run(fmt.Sprintf("%s/k%d", im.name, k), func(b *testing.B) {
				var shares []float64
				for b.Loop() {
					start := time.Now()
					run(reps)
					kern := flops * float64(reps) / time.Since(start).Seconds()
					start = time.Now()
					l.loop(iters)
					peak := wide * float64(iters*12*l.lanes*2) / time.Since(start).Seconds()
					shares = append(shares, kern/peak)
				}
				slices.Sort(shares)
				q := func(f float64) float64 { return 100 * shares[int(f*float64(len(shares)-1))] }
				b.ReportMetric(q(0.5), "%peak")
				b.ReportMetric(q(0.25), "%peak-q1")
				b.ReportMetric(q(0.75), "%peak-q3")
			})
		}
	}
}
