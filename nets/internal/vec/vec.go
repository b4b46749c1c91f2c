package vec

import (
	"math"
	"os"

	"opscale/nets/internal/kernelenv"
)

// Float is the element type of the kernels.
type Float interface{ float32 | float64 }

// useAsm is set when the assembly kernels can run and are wanted.
var useAsm = haveAsm() && os.Getenv(kernelenv.Var) != "purego"

// Add sets x[i] += y[i] for every i < len(x).
func Add[T Float](x, y []T) {
	y = y[:len(x)]
	if useAsm {
		switch x := any(x).(type) {
		case []float32:
			addF32(x, any(y).([]float32))
		case []float64:
			addF64(x, any(y).([]float64))
		}
		return
	}
	for i := range x {
		x[i] += y[i]
	}
}

// ReLUBias sets x[i] = max(x[i] + b[i], 0) for every i < len(x), keeping NaNs
// so that a diverging run shows in its loss.
func ReLUBias[T Float](x, b []T) {
	b = b[:len(x)]
	if useAsm {
		switch x := any(x).(type) {
		case []float32:
			reluBiasF32(x, any(b).([]float32))
		case []float64:
			reluBiasF64(x, any(b).([]float64))
		}
		return
	}
	for i := range x {
		z := x[i] + b[i]
		if 0 > z {
			z = 0
		}
		x[i] = z
	}
}

// MaskSum is the backward pass of ReLUBias: it zeroes dz[i] wherever the
// output h[i] is not positive and adds the result to db[i], for every
// i < len(dz).
func MaskSum[T Float](dz, h, db []T) {
	h, db = h[:len(dz)], db[:len(dz)]
	if useAsm {
		switch dz := any(dz).(type) {
		case []float32:
			maskSumF32(dz, any(h).([]float32), any(db).([]float32))
		case []float64:
			maskSumF64(dz, any(h).([]float64), any(db).([]float64))
		}
		return
	}
	for i := range dz {
		if !(h[i] > 0) {
			dz[i] = 0
		}
		db[i] += dz[i]
	}
}

// LossGrad writes dst[i] = scale·(out[i] + b0 − v[i]) for every i < len(out)
// and returns the sum of the squared residuals out[i] + b0 − v[i] and the sum
// of dst.
func LossGrad[T Float](dst, out, v []T, b0, scale T) (sq, sum T) {
	dst, v = dst[:len(out)], v[:len(out)]
	if useAsm {
		switch out := any(out).(type) {
		case []float32:
			s, t := lossGradF32(any(dst).([]float32), out, any(v).([]float32), float32(b0), float32(scale))
			return T(s), T(t)
		case []float64:
			s, t := lossGradF64(any(dst).([]float64), out, any(v).([]float64), float64(b0), float64(scale))
			return T(s), T(t)
		}
	}
	for i := range out {
		r := out[i] + b0 - v[i]
		dst[i] = scale * r
		sq += r * r
		sum += dst[i]
	}
	return sq, sum
}

// Adam applies Adam's update to p for every i < len(p), with moments m and v,
// decays b1 and b2, c1 = 1 − b1 and c2 = 1 − b2:
//
//	m ← b1·m + c1·g,  v ← b2·v + c2·g·g,  p ← p − step·m/(√v + eps)
func Adam[T Float](p, g, m, v []T, b1, b2, c1, c2, step, eps T) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if useAsm {
		switch p := any(p).(type) {
		case []float32:
			adamF32(p, any(g).([]float32), any(m).([]float32), any(v).([]float32),
				float32(b1), float32(b2), float32(c1), float32(c2), float32(step), float32(eps))
		case []float64:
			adamF64(p, any(g).([]float64), any(m).([]float64), any(v).([]float64),
				float64(b1), float64(b2), float64(c1), float64(c2), float64(step), float64(eps))
		}
		return
	}
	for i := range p {
		m[i] = b1*m[i] + c1*g[i]
		v[i] = b2*v[i] + c2*g[i]*g[i]
		p[i] -= step * m[i] / (T(math.Sqrt(float64(v[i]))) + eps)
	}
}

// SumRows adds the rows of the rows×cols matrix x (row stride cols) to s,
// in order: s[j] += x[i·cols+j] for i = 0, 1, …, the same operations as
// Add(s, row) for each row, in one call.
func SumRows[T Float](s, x []T, rows, cols int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	s, x = s[:cols], x[:rows*cols]
	if useAsm {
		switch s := any(s).(type) {
		case []float32:
			sumRowsF32(s, any(x).([]float32), rows, cols)
		case []float64:
			sumRowsF64(s, any(x).([]float64), rows, cols)
		}
		return
	}
	for i := range rows {
		for j, v := range x[i*cols : (i+1)*cols] {
			s[j] += v
		}
	}
}

// AddRows adds b to every row of the rows×cols block at x with row stride
// ld: x[i·ld+j] += b[j]. It is Add on each row in one call, for the epilogue
// of a matrix product, applied to one tile of the result at a time.
func AddRows[T Float](x []T, rows, cols, ld int, b []T) {
	if rows == 0 || cols == 0 {
		return
	}
	x, b = x[:(rows-1)*ld+cols], b[:cols]
	if useAsm {
		switch x := any(x).(type) {
		case []float32:
			addRowsF32(x, rows, cols, ld, any(b).([]float32))
		case []float64:
			addRowsF64(x, rows, cols, ld, any(b).([]float64))
		}
		return
	}
	for i := range rows {
		row := x[i*ld : i*ld+cols]
		for j := range row {
			row[j] += b[j]
		}
	}
}

// ReLUBiasRows is ReLUBias on every row of the rows×cols block at x with row
// stride ld: x[i·ld+j] = max(x[i·ld+j] + b[j], 0), keeping NaNs.
func ReLUBiasRows[T Float](x []T, rows, cols, ld int, b []T) {
	if rows == 0 || cols == 0 {
		return
	}
	x, b = x[:(rows-1)*ld+cols], b[:cols]
	if useAsm {
		switch x := any(x).(type) {
		case []float32:
			reluBiasRowsF32(x, rows, cols, ld, any(b).([]float32))
		case []float64:
			reluBiasRowsF64(x, rows, cols, ld, any(b).([]float64))
		}
		return
	}
	for i := range rows {
		row := x[i*ld : i*ld+cols]
		for j := range row {
			z := row[j] + b[j]
			if 0 > z {
				z = 0
			}
			row[j] = z
		}
	}
}

// MaskRows is the mask of MaskSum on a strided block: it zeroes x[i·ld+j]
// wherever h[i·ldh+j] is not positive, for the rows×cols blocks at x and h.
func MaskRows[T Float](x []T, rows, cols, ld int, h []T, ldh int) {
	if rows == 0 || cols == 0 {
		return
	}
	x, h = x[:(rows-1)*ld+cols], h[:(rows-1)*ldh+cols]
	if useAsm {
		switch x := any(x).(type) {
		case []float32:
			maskRowsF32(x, rows, cols, ld, any(h).([]float32), ldh)
		case []float64:
			maskRowsF64(x, rows, cols, ld, any(h).([]float64), ldh)
		}
		return
	}
	for i := range rows {
		row, hr := x[i*ld:i*ld+cols], h[i*ldh:i*ldh+cols]
		for j := range row {
			if !(hr[j] > 0) {
				row[j] = 0
			}
		}
	}
}
