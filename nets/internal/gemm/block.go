package gemm

import "sync"

// problem holds the arguments of one Gemm call.
type problem[T Float] struct {
	transA, transB bool
	m, n, k        int
	alpha          T
	a              []T
	lda            int
	b              []T
	ldb            int
	beta           T
	c              []T
	ldc            int
}

// impl is one way of computing a product: a micro-kernel for mr×nr tiles of C
// and the cache blocks that feed it.
type impl[T Float] struct {
	name   string
	mr, nr int // micro-tile, in registers
	kc     int // depth of a packed panel pair
	mc     int // rows of the packed block of A
	nc     int // columns of the packed block of B
	// kernel sets the mr×nr tile at c to α·(packed A panel)·(packed B
	// panel) + β·c, not reading c when β is zero.
	kernel func(k int, a, b, c []T, ldc int, alpha, beta T)
}

// compute does the rows [i0, i1) and columns [j0, j1) of C with the loop nest
// of Goto's algorithm: a kc×nc block of op(B) is packed once and reused across
// every mc×kc block of op(A), each packed in turn; the micro-kernel walks
// them tile by tile. A band never splits the k sum and the k blocks always
// start at multiples of kc, so where the band starts does not change any
// element's result.
func (im *impl[T]) compute(p *problem[T], i0, i1, j0, j1 int) {
	mr, nr := im.mr, im.nr
	kc := min(im.kc, p.k)
	bufA := getBuf[T](kc * min(roundUp(i1-i0, mr), im.mc))
	bufB := getBuf[T](kc * min(roundUp(j1-j0, nr), im.nc))
	tile := getBuf[T](mr * nr)
	defer putBuf(bufA)
	defer putBuf(bufB)
	defer putBuf(tile)
	ap, bp, tmp := *bufA, *bufB, *tile

	for jc := j0; jc < j1; jc += im.nc {
		nb := min(im.nc, j1-jc)
		for pc := 0; pc < p.k; pc += im.kc {
			kb := min(im.kc, p.k-pc)
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			packB(bp, p.b, p.ldb, p.transB, pc, jc, kb, nb, nr)
			for ic := i0; ic < i1; ic += im.mc {
				mb := min(im.mc, i1-ic)
				packA(ap, p.a, p.lda, p.transA, ic, pc, mb, kb, mr)
				for jr := 0; jr < nb; jr += nr {
					bPanel := bp[jr*kb : (jr+nr)*kb]
					nt := min(nr, nb-jr)
					for ir := 0; ir < mb; ir += mr {
						aPanel := ap[ir*kb : (ir+mr)*kb]
						mt := min(mr, mb-ir)
						off := (ic+ir)*p.ldc + jc + jr
						if mt == mr && nt == nr {
							im.kernel(kb, aPanel, bPanel, p.c[off:], p.ldc, p.alpha, beta)
							continue
						}
						// Edge tile: compute the full tile aside, then
						// merge only the part inside C.
						im.kernel(kb, aPanel, bPanel, tmp, nr, p.alpha, 0)
						for i := range mt {
							row := p.c[off+i*p.ldc : off+i*p.ldc+nt]
							src := tmp[i*nr : i*nr+nt]
							if beta == 0 {
								copy(row, src)
								continue
							}
							for j := range row {
								row[j] = src[j] + beta*row[j]
							}
						}
					}
				}
			}
		}
	}
}

// packA copies the mb×kb block of op(A) at (i0, p0) into panels of mr rows:
// panel r holds op(A)[i0+r·mr+i][p0+p] at r·mr·kb + p·mr + i, the order the
// micro-kernel reads it. Rows past mb are zero, so edge tiles need no special
// kernel.
func packA[T Float](dst, a []T, lda int, trans bool, i0, p0, mb, kb, mr int) {
	for r := 0; r < mb; r += mr {
		panel := dst[r*kb : (r+mr)*kb]
		rows := min(mr, mb-r)
		if trans {
			// op(A)[i][p] = a[p·lda+i]: each step p is a contiguous run.
			for p := range kb {
				src := a[(p0+p)*lda+i0+r:]
				d := panel[p*mr : p*mr+mr]
				copy(d, src[:rows])
				clear(d[rows:])
			}
			continue
		}
		for i := range rows {
			src := a[(i0+r+i)*lda+p0:]
			src = src[:kb]
			for p, v := range src {
				panel[p*mr+i] = v
			}
		}
		for i := rows; i < mr; i++ {
			for p := range kb {
				panel[p*mr+i] = 0
			}
		}
	}
}

// packB copies the kb×nb block of op(B) at (p0, j0) into panels of nr
// columns: panel s holds op(B)[p0+p][j0+s·nr+j] at s·nr·kb + p·nr + j.
// Columns past nb are zero.
func packB[T Float](dst, b []T, ldb int, trans bool, p0, j0, kb, nb, nr int) {
	for s := 0; s < nb; s += nr {
		panel := dst[s*kb : (s+nr)*kb]
		cols := min(nr, nb-s)
		if !trans {
			for p := range kb {
				src := b[(p0+p)*ldb+j0+s:]
				d := panel[p*nr : p*nr+nr]
				copy(d, src[:cols])
				clear(d[cols:])
			}
			continue
		}
		// op(B)[p][j] = b[j·ldb+p]: each column j is a contiguous run.
		for j := range cols {
			src := b[(j0+s+j)*ldb+p0:]
			src = src[:kb]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := range kb {
				panel[p*nr+j] = 0
			}
		}
	}
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }

// Packing buffers are reused across calls: training multiplies the same
// shapes thousands of times.
var pools = struct{ f32, f64 sync.Pool }{}

func pool[T Float]() *sync.Pool {
	var z T
	if _, ok := any(z).(float32); ok {
		return &pools.f32
	}
	return &pools.f64
}

func getBuf[T Float](n int) *[]T {
	if v, ok := pool[T]().Get().(*[]T); ok && cap(*v) >= n {
		*v = (*v)[:n]
		return v
	}
	s := make([]T, n)
	return &s
}

func putBuf[T Float](s *[]T) { pool[T]().Put(s) }
