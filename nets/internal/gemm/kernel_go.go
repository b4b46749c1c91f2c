package gemm

import "unsafe"

const pureMR, pureNR = 4, 4

// kernelGo is the pure-Go micro-kernel: the 4×4 tile at c becomes
// α·Σₚ a[p·4+i]·b[p·4+j] + β·c, with c unread when β is zero, and then, if
// bias is not nil, gets the 4 values at bias added to each row and, if relu,
// negatives clamped to zero, and then, if keep is not nil, is zeroed wherever
// the 4×4 block at keep (row stride ldk) is not positive.
//
// It does tiles such tiles, each 4 rows below the last: the next panel of A,
// 4 rows on in C and keep.
func kernelGo[T Float](k int, a, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int) {
	for t := range tiles {
		var kt *T
		if keep != nil {
			kt = &unsafe.Slice(keep, (4*tiles-1)*ldk+4)[4*t*ldk]
		}
		kernelGoTile(k, a[4*t*k:], b, c[4*t*ldc:], ldc, alpha, beta, bias, relu, kt, ldk)
	}
}

func kernelGoTile[T Float](k int, a, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk int) {
	var c00, c01, c02, c03 T
	var c10, c11, c12, c13 T
	var c20, c21, c22, c23 T
	var c30, c31, c32, c33 T
	a = a[:4*k]
	b = b[:4*k]
	for p := 0; p < len(a); p += 4 {
		ap := a[p : p+4 : p+4]
		bp := b[p : p+4 : p+4]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	acc := [4][4]T{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	var bs, ks []T
	if bias != nil {
		bs = unsafe.Slice(bias, 4)
	}
	if keep != nil {
		ks = unsafe.Slice(keep, 3*ldk+4)
	}
	for i := range 4 {
		row := c[i*ldc : i*ldc+4]
		for j := range row {
			z := alpha * acc[i][j]
			if beta != 0 {
				z += beta * row[j]
			}
			if bs != nil {
				z += bs[j]
				if relu && 0 > z {
					z = 0
				}
			}
			if ks != nil && !(ks[i*ldk+j] > 0) {
				z = 0
			}
			row[j] = z
		}
	}
}
