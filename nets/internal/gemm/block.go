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
	ep             Epilogue[T]
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
	// panel) + β·c, not reading c when β is zero, and then, when bias is
	// not nil, adds the nr values at bias to every row and clamps negatives
	// to zero if relu: a layer's epilogue done in registers.
	kernel func(k int, a, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int)
	// kernelDirect, when not nil, is kernel reading a full panel of A in
	// place, row i at a[i·lda:], for op(A) = A.
	kernelDirect func(k int, a []T, lda int, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int)
	// kernelDirectT is the same for op(A) = Aᵀ, step p of the panel at
	// a[p·lda:].
	kernelDirectT func(k int, a []T, lda int, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int)
	// kernelDirectB and kernelDirectTB, when not nil, are kernelDirect and
	// kernelDirectT reading B in place as well, step p of the tile's
	// columns at b[p·ldb:].
	kernelDirectB, kernelDirectTB func(k int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int)
	// copyA and copyB, when not nil, copy k runs of mr (copyA) or nr
	// (copyB) elements, ld apart in src, end to end into dst: the packing
	// of a full panel of Aᵀ or of B.
	copyA, copyB func(k int, src []T, ld int, dst []T)
	// transB, when not nil, interleaves nr runs of k elements, run j at
	// src[j·ld:], into dst (step p of run j at p·nr+j): the packing of a
	// full panel of Bᵀ, gatherRuns with n = w = nr.
	transB func(k int, src []T, ld int, dst []T)
	// parts are kernels for the top-left rows×cols of a tile, reading the
	// same panels, for edge tiles that a full tile would overrun or mostly
	// waste.
	parts []part[T]
	// masked, when not empty, are part kernels whose last vector of
	// columns is masked, for edges of widths no part has.
	masked []maskedPart[T]
}

// part is a kernel computing only the top-left rows×cols of an mr×nr tile,
// in its five forms: from packed panels, with op(A) = A or Aᵀ read in place,
// and with B read in place as well. An element gets the same operations in
// the same order as from the full kernel.
type part[T Float] struct {
	rows, cols        int
	kernel            func(k int, a, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int)
	direct, directT   func(k int, a []T, lda int, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int)
	directB, directTB func(k int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int)
}

// maskedPart is a part kernel computing the top rows and the left
// cols−lanes+m columns of a tile, m the number of bits of its mask (the
// lowest set): the last vector of each row of B, C and the bias goes through
// the mask, so that nothing past the edge is read or written. An element
// gets the same operations in the same order as from the full kernel.
type maskedPart[T Float] struct {
	rows, cols        int
	kernel            func(k int, a, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int, mask int)
	direct, directT   func(k int, a []T, lda int, b, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int, mask int)
	directB, directTB func(k int, a []T, lda int, b []T, ldb int, c []T, ldc int, alpha, beta T, bias *T, relu bool, keep *T, ldk, tiles int, mask int)
}

// edgeKernel is the kernel for an edge tile: a part kernel (pt), a masked
// one with its mask (mp, mask), or the full one (both nil), with its rows and
// whether it is exactly the tile's size, so that it may write into C.
type edgeKernel[T Float] struct {
	pt    *part[T]
	mp    *maskedPart[T]
	mask  int
	rows  int
	exact bool
}

// edge returns the kernel for an mt×nt edge tile: fit's, unless that is
// wider than the tile and a masked kernel is exactly as wide.
func (im *impl[T]) edge(mt, nt int) edgeKernel[T] {
	pt, exact := im.fit(mt, nt)
	e := edgeKernel[T]{pt: pt, rows: im.mr, exact: exact}
	if pt != nil {
		e.rows = pt.rows
		if pt.cols == nt {
			return e
		}
	} else if nt == im.nr {
		return e
	}
	best := smallest(im.masked, func(q *maskedPart[T]) (int, int) { return q.rows, q.cols }, mt, nt)
	if best == nil {
		return e
	}
	lanes := im.masked[0].cols
	return edgeKernel[T]{mp: best, mask: 1<<(nt-best.cols+lanes) - 1, rows: best.rows, exact: best.rows == mt}
}

// smallest returns the kernel of ks, of the rows and columns size gives,
// that covers an mt×nt tile with the fewest rows and then columns, or nil.
func smallest[K any](ks []K, size func(*K) (int, int), mt, nt int) *K {
	var best *K
	br, bc := 0, 0
	for i := range ks {
		r, c := size(&ks[i])
		if r >= mt && c >= nt && (best == nil || r < br || r == br && c < bc) {
			best, br, bc = &ks[i], r, c
		}
	}
	return best
}

// fit returns the part kernel that covers an mt×nt edge tile with the fewest
// rows and then columns, or nil if only the full kernel does, and whether
// the kernel it leaves (that part or the full one) is exactly mt×nt, so that
// it may write into C.
func (im *impl[T]) fit(mt, nt int) (*part[T], bool) {
	best := smallest(im.parts, func(q *part[T]) (int, int) { return q.rows, q.cols }, mt, nt)
	if best == nil {
		return nil, mt == im.mr && nt == im.nr
	}
	return best, best.rows == mt && best.cols == nt
}

// readWidth returns how many columns of a B panel the kernel computing an
// edge nt columns wide reads: the narrowest part kernel's width that covers
// it (fit chooses that), or the full nr.
func (im *impl[T]) readWidth(nt int) int {
	if len(im.masked) > 0 {
		return nt // a masked kernel, if not a part, reads exactly nt
	}
	w := im.nr
	for i := range im.parts {
		if c := im.parts[i].cols; c >= nt && c < w {
			w = c
		}
	}
	return w
}

// exact reports whether an edge of mt rows and nt columns (0: none) has
// kernels of exactly its height and width, so that no tile of it computes
// aside or reads past its rows of A or columns of B.
func (im *impl[T]) exact(mt, nt int) bool {
	rows, cols := mt == 0, nt == 0 || len(im.masked) > 0
	for i := range im.parts {
		rows = rows || im.parts[i].rows == mt
		cols = cols || im.parts[i].cols == nt
	}
	return rows && cols
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
	ws := getSpace[T]()
	defer putSpace(ws)
	ws.a = grow(ws.a, kc*min(roundUp(i1-i0, mr), im.mc))
	ws.b = grow(ws.b, kc*min(roundUp(j1-j0, nr), im.nc))
	ws.tile = grow(ws.tile, mr*nr)
	ap, bp, tmp := ws.a, ws.b, ws.tile
	// Narrow bands read full panels of op(A) in place.
	direct := im.kernelDirect
	if p.transA {
		direct = im.kernelDirectT
	}
	if j1-j0 > directMaxN*nr {
		direct = nil
	}
	// Such a band reads B in place as well when every tile of it has a
	// kernel of exactly its size that reads A in place: B is then a
	// weight matrix or a gradient of a few panels, which packing would
	// copy at every call for a few uses (5–7% of a 128-wide layer's
	// forward product; BenchmarkDirectB).
	directB := im.kernelDirectB
	if p.transA {
		directB = im.kernelDirectTB
	}
	bIn := direct != nil && directB != nil && !p.transB && im.exact((i1-i0)%mr, (j1-j0)%nr)
	epilogue := p.ep.active()
	// The last edge's kernel: a narrow band's tiles are all edges of one
	// size.
	fitM, fitN, fitEdge := -1, -1, edgeKernel[T]{}

	for jc := j0; jc < j1; jc += im.nc {
		nb := min(im.nc, j1-jc)
		for pc := 0; pc < p.k; pc += im.kc {
			kb := min(im.kc, p.k-pc)
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			last := pc+kb == p.k
			if !bIn {
				im.packB(bp, p.b, p.ldb, p.transB, pc, jc, kb, nb)
			}
			for ic := i0; ic < i1; ic += im.mc {
				mb := min(im.mc, i1-ic)
				full := 0 // rows read in place
				if direct != nil {
					full = mb / mr * mr
					// A part kernel as high as the last rows reads
					// them in place too.
					if full < mb {
						if e := im.edge(mb-full, nr); e.rows == mb-full {
							full = mb
						}
					}
				}
				if full < mb {
					im.packA(ap[full*kb:], p.a, p.lda, p.transA, ic+full, pc, mb-full, kb)
				}
				for jr := 0; jr < nb; jr += nr {
					bPanel := bp[jr*kb : (jr+nr)*kb]
					nt := min(nr, nb-jr)
					for ir := 0; ir < mb; {
						mt := min(mr, mb-ir)
						off := (ic+ir)*p.ldc + jc + jr
						dst, ldd := p.c[off:], p.ldc
						kernel, kdirect, kdirectB, rows := im.kernel, direct, directB, mr
						var mp *maskedPart[T]
						mask := 0
						aside := false
						if mt < mr || nt < nr {
							// Edge tile: the smallest kernel that covers
							// it, a part kernel or the full one. One that
							// would overrun C computes aside, with the
							// part inside C copied in when it is read, so
							// that every element gets the kernel's own
							// arithmetic whatever the tile size.
							if mt != fitM || nt != fitN {
								fitM, fitN = mt, nt
								fitEdge = im.edge(mt, nt)
							}
							e := fitEdge
							if pt := e.pt; pt != nil {
								kernel, kdirect, kdirectB = pt.kernel, pt.direct, pt.directB
								if p.transA {
									kdirect, kdirectB = pt.directT, pt.directTB
								}
							}
							mp, mask, rows = e.mp, e.mask, e.rows
							if aside = !e.exact; aside {
								if beta != 0 {
									for i := range mt {
										copy(tmp[i*nr:i*nr+nt], p.c[off+i*p.ldc:])
									}
								}
								dst, ldd = tmp, nr
							}
						}
						// A column of full tiles that read A the same
						// way is one call: the kernel steps down it.
						tiles, span := 1, rows
						if mt == mr && !aside {
							end := mb / mr * mr
							if ir < full {
								end = min(end, full)
							}
							tiles = (end - ir) / mr
							span = (tiles-1)*mr + rows
						}
						// Tiles written in place in the last k block
						// take bias, ReLU and mask in the kernel, the
						// others from apply.
						var bias, keep *T
						if last && !aside && p.ep.Bias != nil {
							bias = &p.ep.Bias[jc+jr]
						}
						if last && !aside && p.ep.Mask != nil {
							keep = &p.ep.Mask[(ic+ir)*p.ep.LDMask+jc+jr]
						}
						if ir < full {
							var a []T
							if p.transA {
								a = p.a[pc*p.lda+ic+ir:]
								a = a[:(kb-1)*p.lda+span]
							} else {
								a = p.a[(ic+ir)*p.lda+pc:]
								a = a[:(span-1)*p.lda+kb]
							}
							switch {
							case bIn && mp != nil:
								b := p.b[pc*p.ldb+jc+jr:]
								b = b[:(kb-1)*p.ldb+nt]
								if p.transA {
									mp.directTB(kb, a, p.lda, b, p.ldb, dst, ldd, p.alpha, beta, bias, p.ep.ReLU, keep, p.ep.LDMask, tiles, mask)
								} else {
									mp.directB(kb, a, p.lda, b, p.ldb, dst, ldd, p.alpha, beta, bias, p.ep.ReLU, keep, p.ep.LDMask, tiles, mask)
								}
							case bIn:
								b := p.b[pc*p.ldb+jc+jr:]
								b = b[:(kb-1)*p.ldb+nt]
								kdirectB(kb, a, p.lda, b, p.ldb, dst, ldd, p.alpha, beta, bias, p.ep.ReLU, keep, p.ep.LDMask, tiles)
							case mp != nil && p.transA:
								mp.directT(kb, a, p.lda, bPanel, dst, ldd, p.alpha, beta, bias, p.ep.ReLU, keep, p.ep.LDMask, tiles, mask)
							case mp != nil:
								mp.direct(kb, a, p.lda, bPanel, dst, ldd, p.alpha, beta, bias, p.ep.ReLU, keep, p.ep.LDMask, tiles, mask)
							default:
								kdirect(kb, a, p.lda, bPanel, dst, ldd, p.alpha, beta, bias, p.ep.ReLU, keep, p.ep.LDMask, tiles)
							}
						} else if mp != nil {
							mp.kernel(kb, ap[ir*kb:(ir+tiles*mr)*kb], bPanel, dst, ldd, p.alpha, beta, bias, p.ep.ReLU, keep, p.ep.LDMask, tiles, mask)
						} else {
							kernel(kb, ap[ir*kb:(ir+tiles*mr)*kb], bPanel, dst, ldd, p.alpha, beta, bias, p.ep.ReLU, keep, p.ep.LDMask, tiles)
						}
						if aside {
							for i := range mt {
								copy(p.c[off+i*p.ldc:off+i*p.ldc+nt], tmp[i*nr:i*nr+nt])
							}
						}
						h := mt
						if tiles > 1 {
							h = tiles * mr
						}
						if last && epilogue && (bias == nil && p.ep.Bias != nil || keep == nil && p.ep.Mask != nil) {
							p.ep.apply(p.c, p.ldc, ic+ir, jc+jr, h, nt, bias == nil, keep == nil)
						}
						ir += h
					}
				}
			}
		}
	}
}

// packA copies the mb×kb block of op(A) at (i0, p0) into panels of mr rows:
// panel r holds op(A)[i0+r·mr+i][p0+p] at r·mr·kb + p·mr + i, the order the
// micro-kernel reads it. Rows past mb are zero, so edge tiles need no special
// kernel. Packing A is the one pass over A that is not multiply-adds, so full
// panels of the kernels' heights take unrolled paths.
func (im *impl[T]) packA(dst, a []T, lda int, trans bool, i0, p0, mb, kb int) {
	mr := im.mr
	if trans {
		full := 0
		if im.copyA != nil {
			full = mb / mr * mr
			for r := 0; r < full; r += mr {
				src := a[p0*lda+i0+r:]
				im.copyA(kb, src[:(kb-1)*lda+mr], lda, dst[r*kb:(r+mr)*kb])
			}
		}
		if full < mb {
			packAT(dst[full*kb:], a, lda, i0+full, p0, mb-full, kb, mr)
		}
		return
	}
	for r := 0; r < mb; r += mr {
		panel := dst[r*kb : (r+mr)*kb]
		rows := min(mr, mb-r)
		switch {
		case rows == mr && mr%6 == 0:
			// Six rows at a time read in step and written six to a
			// step.
			for h := 0; h < mr; h += 6 {
				interleave6(panel[h:], mr, a[(i0+r+h)*lda+p0:], lda, kb)
			}
		case rows == 4 && mr == 4:
			base := (i0+r)*lda + p0
			r0 := a[base : base+kb]
			r1 := a[base+lda : base+lda+kb]
			r2 := a[base+2*lda : base+2*lda+kb]
			r3 := a[base+3*lda : base+3*lda+kb]
			d := panel[:4*kb]
			for p := range r0 {
				q := d[p*4 : p*4+4 : p*4+4]
				q[0], q[1], q[2], q[3] = r0[p], r1[p], r2[p], r3[p]
			}
		default:
			gatherRuns(panel, a[(i0+r)*lda+p0:], lda, rows, mr, mr, kb)
		}
	}
}

// interleave6 writes rows i = 0..5 of the kb columns at src (row stride
// lda) to dst[p·stride+i], the packed layout of six rows of an A panel.
func interleave6[T Float](dst []T, stride int, src []T, lda, kb int) {
	r0 := src[:kb]
	r1 := src[lda : lda+kb]
	r2 := src[2*lda : 2*lda+kb]
	r3 := src[3*lda : 3*lda+kb]
	r4 := src[4*lda : 4*lda+kb]
	r5 := src[5*lda : 5*lda+kb]
	for p := range r0 {
		q := dst[p*stride : p*stride+6 : p*stride+6]
		q[0], q[1], q[2], q[3], q[4], q[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
	}
}

// packAT is packA for op(A) = Aᵀ: op(A)[i][p] = a[p·lda+i], so step p of
// every panel comes from row p of a. Walking a row at a time reads a once,
// in order.
func packAT[T Float](dst, a []T, lda int, i0, p0, mb, kb, mr int) {
	full := mb / mr * mr
	if full < mb {
		clear(dst[full*kb : (full+mr)*kb])
	}
	for p := range kb {
		row := a[(p0+p)*lda+i0:]
		row = row[:mb]
		r := 0
		switch mr {
		case 6:
			for ; r < full; r += 6 {
				s := row[r : r+6 : r+6]
				q := dst[r*kb+p*6:]
				q = q[:6:6]
				q[0], q[1], q[2], q[3], q[4], q[5] = s[0], s[1], s[2], s[3], s[4], s[5]
			}
		case 4:
			for ; r < full; r += 4 {
				s := row[r : r+4 : r+4]
				q := dst[r*kb+p*4:]
				q = q[:4:4]
				q[0], q[1], q[2], q[3] = s[0], s[1], s[2], s[3]
			}
		}
		// Runs too short for copy's call: full panels of other heights,
		// then the partial panel, whose padding was zeroed above.
		for ; r < mb; r += mr {
			q := dst[r*kb+p*mr:]
			src := row[r:min(r+mr, mb)]
			q = q[:len(src)]
			for i, v := range src {
				q[i] = v
			}
		}
	}
}

// packB copies the kb×nb block of op(B) at (p0, j0) into panels of nr
// columns: panel s holds op(B)[p0+p][j0+s·nr+j] at s·nr·kb + p·nr + j.
// Columns past nb are zero as far as the kernel that computes them reads
// (readWidth); past that they are left as they were, never read. A layer
// of width 4 would otherwise clear 60 of every 64 values it packs.
func (im *impl[T]) packB(dst, b []T, ldb int, trans bool, p0, j0, kb, nb int) {
	nr := im.nr
	for s := 0; s < nb; s += nr {
		panel := dst[s*kb : (s+nr)*kb]
		cols := min(nr, nb-s)
		z := im.readWidth(cols)
		switch {
		case !trans && cols == nr && im.copyB != nil:
			src := b[p0*ldb+j0+s:]
			im.copyB(kb, src[:(kb-1)*ldb+nr], ldb, panel)
		case !trans && cols == nr:
			for p := range kb {
				src := b[(p0+p)*ldb+j0+s:]
				src = src[:nr]
				d := panel[p*nr : p*nr+nr]
				for j, v := range src {
					d[j] = v
				}
			}
		case !trans:
			for p := range kb {
				src := b[(p0+p)*ldb+j0+s:]
				d := panel[p*nr : p*nr+nr]
				copy(d, src[:cols])
				clear(d[cols:z])
			}
		case cols == nr && im.transB != nil:
			src := b[(j0+s)*ldb+p0:]
			im.transB(kb, src[:(nr-1)*ldb+kb], ldb, panel)
		default:
			// op(B)[p][j] = b[j·ldb+p]: each column j is a contiguous run.
			gatherRuns(panel, b[(j0+s)*ldb+p0:], ldb, cols, nr, z, kb)
		}
	}
}

// gatherRuns interleaves n runs of kb elements, run i at src[i·ld:], into
// the first n of the w lanes of panel (step p of lane i at p·w+i) and zeroes
// lanes n…z−1 (z ≤ w; lanes past z are left alone): the packing of a panel whose rows, or columns, of op(X) lie
// contiguous in memory. It reads four steps of a run at a time and writes
// them to four rows of the panel: a run-by-run loop stored one element per
// w lanes and was a sixth of a training step's time (BenchmarkGatherRuns).
func gatherRuns[T Float](panel, src []T, ld, n, w, z, kb int) {
	p := 0
	for ; p+4 <= kb; p += 4 {
		d := panel[p*w : p*w+4*w]
		d0, d1, d2, d3 := d[:n], d[w:w+n], d[2*w:2*w+n], d[3*w:3*w+n]
		for i := range d0 {
			r := src[i*ld+p : i*ld+p+4]
			d0[i], d1[i], d2[i], d3[i] = r[0], r[1], r[2], r[3]
		}
		if n < z {
			clear(d[n:z])
			clear(d[w+n : w+z])
			clear(d[2*w+n : 2*w+z])
			clear(d[3*w+n : 3*w+z])
		}
	}
	for ; p < kb; p++ {
		d := panel[p*w : p*w+w]
		for i := range n {
			d[i] = src[i*ld+p]
		}
		clear(d[n:z])
	}
}

// blockedTrans returns a transB of width w from an assembly transpose that
// takes k in multiples of step: the assembly does the whole blocks, gatherRuns
// the last k mod step steps. The assembly checks no lengths, so the bounds are
// checked here, once per panel.
func blockedTrans[T Float](asm func(k int, src []T, ld int, dst []T), w, step int) func(k int, src []T, ld int, dst []T) {
	return func(k int, src []T, ld int, dst []T) {
		if k <= 0 {
			return
		}
		_ = src[(w-1)*ld+k-1]
		_ = dst[k*w-1]
		full := k / step * step
		if full > 0 {
			asm(full, src, ld, dst)
		}
		if full < k {
			gatherRuns(dst[full*w:], src[full:], ld, w, w, w, k-full)
		}
	}
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }

// workspace holds the packing buffers of one band. Training multiplies the
// same shapes thousands of times, so workspaces are kept on a free list and
// only ever grow: in the steady state a product allocates nothing. (A
// sync.Pool would do, but the garbage collector empties it, and three sizes
// sharing one pool come back in the wrong order.)
type workspace[T Float] struct{ a, b, tile []T }

var spaces struct {
	mu  sync.Mutex
	f32 []*workspace[float32]
	f64 []*workspace[float64]
}

// freeList returns the free list for T; the caller holds spaces.mu.
func freeList[T Float]() *[]*workspace[T] {
	var z T
	switch any(z).(type) {
	case float32:
		return any(&spaces.f32).(*[]*workspace[T])
	default:
		return any(&spaces.f64).(*[]*workspace[T])
	}
}

func getSpace[T Float]() *workspace[T] {
	spaces.mu.Lock()
	defer spaces.mu.Unlock()
	l := freeList[T]()
	if n := len(*l); n > 0 {
		ws := (*l)[n-1]
		*l = (*l)[:n-1]
		return ws
	}
	return new(workspace[T])
}

func putSpace[T Float](ws *workspace[T]) {
	spaces.mu.Lock()
	defer spaces.mu.Unlock()
	l := freeList[T]()
	*l = append(*l, ws)
}

// grow returns s with length n, reusing its storage when it is large enough.
func grow[T Float](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// directMaxN is the widest band of C, in B panels, for which full panels of
// op(A) = A are read in place rather than packed. Packing an A panel pays off
// through reuse by every B panel of the band; with few of them, as in a
// forward product of a layer of width 64, the copy costs as much as a fifth of
// the multiply.
var directMaxN = 8
