package gemm

import "opscale/nets/internal/vec"

// Epilogue is what happens to each element of C once its sum is complete, in
// this order: Bias is added to every row, ReLU clamps negative elements to
// zero (keeping NaNs), and Mask zeroes the elements whose counterpart in the
// mask matrix is not positive. GemmEpilogue applies it to each tile of C as
// soon as the tile's last k block is done, instead of in another pass over
// C: the micro-kernel adds the bias, applies ReLU and the mask to a tile of
// its own size in registers before storing it, and the rest (tiles computed
// aside, other kernels) is done on the tile while it is still in L1. The zero Epilogue does nothing.
type Epilogue[T Float] struct {
	// Bias, when not nil, holds n values: c[i][j] += Bias[j]. A layer's
	// forward product.
	Bias []T
	// ReLU clamps c[i][j] to max(c[i][j], 0), NaN kept; it needs Bias.
	ReLU bool
	// Mask, when not nil, is an m×n matrix with leading dimension LDMask:
	// c[i][j] = 0 wherever !(Mask[i·LDMask+j] > 0). The backward product
	// of a layer whose ReLU output Mask is.
	Mask   []T
	LDMask int
}

func (ep *Epilogue[T]) active() bool { return ep.Bias != nil || ep.Mask != nil }

// apply runs the epilogue on the rows×cols block of C at (i0, j0), without
// its bias and ReLU unless withBias and without its mask unless withMask (the
// kernel did them).
func (ep *Epilogue[T]) apply(c []T, ldc, i0, j0, rows, cols int, withBias, withMask bool) {
	x := c[i0*ldc+j0:]
	if ep.Bias != nil && withBias {
		b := ep.Bias[j0 : j0+cols]
		if ep.ReLU {
			vec.ReLUBiasRows(x, rows, cols, ldc, b)
		} else {
			vec.AddRows(x, rows, cols, ldc, b)
		}
	}
	if ep.Mask != nil && withMask {
		vec.MaskRows(x, rows, cols, ldc, ep.Mask[i0*ep.LDMask+j0:], ep.LDMask)
	}
}

// checkEpilogue validates ep for an m×n product.
func checkEpilogue[T Float](ep *Epilogue[T], m, n int) {
	if ep.ReLU && ep.Bias == nil {
		panic(errReLUNoBias)
	}
	if ep.Bias != nil && len(ep.Bias) < n {
		panic(errShortBias)
	}
	if ep.Mask != nil {
		if ep.LDMask < max(1, n) {
			panic(errBadLdMask)
		}
		if m > 0 && n > 0 && len(ep.Mask) < ep.LDMask*(m-1)+n {
			panic(errShortMask)
		}
	}
}
