package nets

import (
	"math"

	"opscale/nets/internal/gemm"
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

// biasReLUBackward is the backward pass of addBiasReLU in one sweep over the
// rows×cols gradient dz: where relu is set it zeroes dz wherever the layer's
// output h was clamped, and it writes the column sums of the result, the bias
// gradient, into db.
func biasReLUBackward[T Float](dz, h, db []T, rows, cols int, relu bool) {
	clear(db[:cols])
	for i := range rows {
		row := dz[i*cols : (i+1)*cols]
		if relu {
			switch row := any(row).(type) {
			case []float64:
				maskRow64(row, any(h[i*cols:(i+1)*cols]).([]float64))
			case []float32:
				maskRow32(row, any(h[i*cols:(i+1)*cols]).([]float32))
			}
		}
		db := db[:len(row)]
		for j, g := range row {
			db[j] += g
		}
	}
}

// maskRow64 zeroes dz where h, a ReLU output and so ≥ 0 or NaN, is +0. It
// selects by bit mask rather than by branch: which units are active is as
// good as random, and a mispredicted branch per element cost more than the
// rest of the layer's elementwise work.
func maskRow64(dz, h []float64) {
	h = h[:len(dz)]
	for i, v := range h {
		b := math.Float64bits(v)
		keep := uint64(int64(b|-b) >> 63) // all ones unless b == 0
		dz[i] = math.Float64frombits(math.Float64bits(dz[i]) & keep)
	}
}

// maskRow32 is maskRow64 for float32.
func maskRow32(dz, h []float32) {
	h = h[:len(dz)]
	for i, v := range h {
		b := math.Float32bits(v)
		keep := uint32(int32(b|-b) >> 31)
		dz[i] = math.Float32frombits(math.Float32bits(dz[i]) & keep)
	}
}

// grow returns s resized to n elements, reusing its storage when it can.
func grow[T Float](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// mseGrad returns the mean squared error of out against v and the sum of its
// gradient, and writes that gradient, 2·(out − v)/len(out), into dst.
func mseGrad[T Float](dst, out, v []T) (loss, sum float64) {
	scale := 2 / T(len(out))
	v = v[:len(out)]
	dst = dst[:len(out)]
	for i, o := range out {
		r := o - v[i]
		loss += float64(r) * float64(r)
		g := scale * r
		dst[i] = g
		sum += float64(g)
	}
	return loss / float64(len(out)), sum
}
