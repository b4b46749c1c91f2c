package nets

import (
	"opscale/nets/internal/gemm"
	"opscale/nets/internal/vec"
)

// Float is the element type of a network.
type Float interface{ float32 | float64 }

// matmul computes C = α·op(A)·op(B) + β·C for row-major, densely packed
// operands: op(A) is m×k, op(B) is k×n, C is m×n. It is the one entry to the
// GEMM, so that replacing the kernel touches no network code.
func matmul[T Float](transA, transB bool, m, n, k int, alpha T, a, b []T, beta T, c []T) {
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	gemm.Gemm(transA, transB, m, n, k, alpha, a, max(lda, 1), b, max(ldb, 1), beta, c, max(n, 1))
}

// matmulBias computes C = op(A)·op(B) + bias, with ReLU applied when relu is
// set: the forward product of a layer, with bias and ReLU fused into the
// product so that each tile of C gets them while it is still in cache. The
// results are those of matmul and then, on each row, vec.ReLUBias (or
// vec.Add without ReLU).
func matmulBias[T Float](transA, transB bool, m, n, k int, a, b, bias []T, relu bool, c []T) {
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	gemm.GemmEpilogue(transA, transB, m, n, k, 1, a, max(lda, 1), b, max(ldb, 1), 0, c, max(n, 1),
		gemm.Epilogue[T]{Bias: bias, ReLU: relu})
}

// matmulMask computes C = op(A)·op(B) and zeroes it wherever the m×n matrix h
// is not positive: the gradient at a ReLU layer's input, with the mask of
// biasReLUBackward fused into the product that makes the gradient.
func matmulMask[T Float](transA, transB bool, m, n, k int, a, b, h, c []T) {
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	gemm.GemmEpilogue(transA, transB, m, n, k, 1, a, max(lda, 1), b, max(ldb, 1), 0, c, max(n, 1),
		gemm.Epilogue[T]{Mask: h, LDMask: max(n, 1)})
}

// fuseEpilogue sends the bias, ReLU and ReLU mask of every layer through the
// products' epilogue. Off, they take separate passes over the activations,
// as they did before the epilogue existed; tests compare the two paths bit
// for bit, and benchmarks for speed.
var fuseEpilogue = true

// addBiasReLU adds the bias row to every row of the rows×cols matrix h and,
// if relu, clamps negatives to zero, in one pass: the separate pass that
// matmulBias's epilogue replaces.
func addBiasReLU[T Float](h []T, bias []T, rows, cols int, relu bool) {
	for i := range rows {
		row := h[i*cols : (i+1)*cols]
		if relu {
			vec.ReLUBias(row, bias)
		} else {
			vec.Add(row, bias)
		}
	}
}

// biasReLUBackward is the backward pass of bias and ReLU in one sweep over the
// rows×cols gradient dz: where relu is set it zeroes dz wherever the layer's
// output h was clamped, and it writes the column sums of the result, the bias
// gradient, into db.
func biasReLUBackward[T Float](dz, h, db []T, rows, cols int, relu bool) {
	if !relu {
		columnSums(dz, db, rows, cols)
		return
	}
	clear(db[:cols])
	for i := range rows {
		vec.MaskSum(dz[i*cols:(i+1)*cols], h[i*cols:(i+1)*cols], db)
	}
}

// columnSums writes the column sums of the rows×cols matrix dz into db,
// adding the rows in order as biasReLUBackward does: the bias gradient of a
// layer whose ReLU mask is already applied.
func columnSums[T Float](dz, db []T, rows, cols int) {
	clear(db[:cols])
	vec.SumRows(db, dz, rows, cols)
}

// grow returns s resized to n elements, reusing its storage when it can.
func grow[T Float](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// lossChunk is how many outputs mseGrad sums in the network's precision
// before it adds the partial sums in float64.
const lossChunk = 256

// mseGrad returns the mean squared error of out + b0 against v and the sum of
// its gradient, and writes that gradient, 2·(out + b0 − v)/len(out), into dst.
func mseGrad[T Float](dst, out, v []T, b0 T) (loss, sum float64) {
	scale := 2 / T(len(out))
	for i := 0; i < len(out); i += lossChunk {
		j := min(i+lossChunk, len(out))
		sq, s := vec.LossGrad(dst[i:j], out[i:j], v[i:j], b0, scale)
		loss += float64(sq)
		sum += float64(s)
	}
	return loss / float64(len(out)), sum
}

// GEMMPath names the matrix-product kernels in use: "avx512", "avx2" or
// "purego", or which serves which products when the measurement chose
// different sets for small and large ones.
func GEMMPath() string { return gemm.Path() }

// GEMMSelection says how the kernels were chosen (measured, cached, or set
// by OPSCALE_GEMM) and from which timings. The assembly sets give the same
// bits, so the choice changes speed alone.
func GEMMSelection() string { return gemm.Selection() }

// SetThreads sets how many goroutines one matrix product may use and returns
// the previous setting; n ≤ 0 means GOMAXPROCS. Results do not depend on it.
// Callers that train several networks at once set it so that networks times
// threads does not exceed the cores.
func SetThreads(n int) (prev int) { return gemm.SetThreads(n) }

// FMAPeak measures the float64 FMA throughput of one core in GFLOP/s, with
// threads cores busy at once, over a few milliseconds; 0 where the GEMM has
// no assembly. Float32 does twice as many flops per instruction.
func FMAPeak(threads int) float64 { return gemm.FMAPeak(threads) }

// KernelRate measures the float64 GFLOP/s of the matrix product's
// micro-kernel on one core, on panels that stay in cache: what the products
// could reach at that moment, to read beside FMAPeak (0 without assembly).
func KernelRate() float64 { return gemm.KernelRate() }
