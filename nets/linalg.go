package nets

import "opscale/nets/internal/gemm"

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

// addBiasReLU adds the bias row to every row of the rows×cols matrix h and,
// if relu, clamps negatives to zero.
func addBiasReLU[T Float](h []T, bias []T, rows, cols int, relu bool) {
	for i := range rows {
		row := h[i*cols : (i+1)*cols]
		if relu {
			for j, b := range bias {
				row[j] = max(row[j]+b, 0)
			}
		} else {
			for j, b := range bias {
				row[j] += b
			}
		}
	}
}

// maskReLU zeroes the gradient dz where the layer's output h was clamped.
func maskReLU[T Float](dz, h []T) {
	for i, v := range h {
		if v <= 0 {
			dz[i] = 0
		}
	}
}

// colSums writes the column sums of the rows×cols matrix a into dst.
func colSums[T Float](dst, a []T, rows, cols int) {
	clear(dst[:cols])
	for i := range rows {
		row := a[i*cols : (i+1)*cols]
		for j, v := range row {
			dst[j] += v
		}
	}
}

// grow returns s resized to n elements, reusing its storage when it can.
func grow[T Float](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
