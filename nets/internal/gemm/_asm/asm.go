// Command asm generates the AVX2/FMA and AVX-512 micro-kernels of package
// gemm and the inner loops of packing full panels:
//
//	go run . -out ../kernel_amd64.s -stubs ../kernel_amd64.go -pkg gemm
//
// Only the register-blocked inner product and the copies and transposes of
// full panels are assembly. Partial panels, cache blocking, edge tiles and the
// goroutine split stay in Go, where they are easy to test.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// kernel describes one register-blocked micro-kernel: an mr×nr tile of C held
// in mr·nr/lanes vector accumulators while the k loop streams packed panels of A
// (mr values per step) and B (nr values per step).
type kernel struct {
	name   string
	typ    string // Go element type
	size   int    // bytes per element
	lanes  int    // elements per vector register
	mr, nr int
	// rows and cols, when set, make a part kernel: it computes only the
	// top-left rows×cols of the mr×nr tile, from the same packed panels
	// (A steps mr apart, B steps nr apart), for the edges of C.
	rows, cols int
	unroll     int                   // k steps per loop iteration
	vec        func(int) VecPhysical // the i-th vector register
	// direct kernels read A in place, row i of the tile at a[i·lda+p],
	// instead of from a packed panel; directT kernels read Aᵀ in place,
	// step p of the panel at a[p·lda+i].
	direct, directT bool
	// bdirect kernels read B in place too, step p of the tile's columns at
	// b[p·ldb+j], instead of from a packed panel.
	bdirect bool
	// masked part kernels (AVX-512 only) compute cols−lanes+m columns, m
	// the number of bits of their last argument, mask: the last vector of
	// each row of B, C and the bias is loaded and stored under that mask,
	// so that a tile of any width computes in place.
	masked bool

	zero  func(VecPhysical)
	bcast func(Mem, VecPhysical)
	load  func(Mem, VecPhysical)
	store func(VecPhysical, Mem)
	// loadZ and storeK are load and store under the mask in K1 (masked
	// kernels), lanes outside it loaded as zero and left unwritten.
	loadZ  func(Mem, VecPhysical)
	storeK func(VecPhysical, Mem)
	mul    func(VecPhysical, VecPhysical, VecPhysical)
	fma    func(Op, VecPhysical, VecPhysical) // dst += src1·src2
	add    func(Op, VecPhysical, VecPhysical) // dst = src1 + src2
	max    func(Op, VecPhysical, VecPhysical) // dst = src1 > op ? src1 : op, op if either is NaN
	// keep zeroes the lanes of r where h is not above zero (or is NaN);
	// it may overwrite h.
	keep func(h, zero, r VecPhysical)
}

func main() {
	flag.Parse()
	ConstraintExpr("!purego")

	// 6×8 doubles and 6×16 singles use 12 accumulators, two B registers
	// and one broadcast register: 15 of the 16 YMM registers. Twelve
	// independent FMA chains cover the 4-cycle latency of two FMA pipes
	// (8 chains needed), and 8 loads per 12 FMAs stay within two loads a
	// cycle.
	f64 := kernel{
		name: "kernelF64", typ: "float64", size: 8, lanes: 4, mr: 6, nr: 8, unroll: 4, vec: ymm,
		zero:  func(r VecPhysical) { VXORPD(r, r, r) },
		bcast: func(m Mem, r VecPhysical) { VBROADCASTSD(m, r) },
		load:  func(m Mem, r VecPhysical) { VMOVUPD(m, r) },
		store: func(r VecPhysical, m Mem) { VMOVUPD(r, m) },
		mul:   func(a, b, d VecPhysical) { VMULPD(a, b, d) },
		fma:   func(a Op, b, d VecPhysical) { VFMADD231PD(a, b, d) },
		add:   func(a Op, b, d VecPhysical) { VADDPD(a, b, d) },
		max:   func(a Op, b, d VecPhysical) { VMAXPD(a, b, d) },
		// 0x1e: greater than, ordered (false for NaN), quiet.
		keep: func(h, zero, r VecPhysical) { VCMPPD(U8(0x1e), zero, h, h); VANDPD(h, r, r) },
	}
	f32 := kernel{
		name: "kernelF32", typ: "float32", size: 4, lanes: 8, mr: 6, nr: 16, unroll: 4, vec: ymm,
		zero:  func(r VecPhysical) { VXORPS(r, r, r) },
		bcast: func(m Mem, r VecPhysical) { VBROADCASTSS(m, r) },
		load:  func(m Mem, r VecPhysical) { VMOVUPS(m, r) },
		store: func(r VecPhysical, m Mem) { VMOVUPS(r, m) },
		mul:   func(a, b, d VecPhysical) { VMULPS(a, b, d) },
		fma:   func(a Op, b, d VecPhysical) { VFMADD231PS(a, b, d) },
		add:   func(a Op, b, d VecPhysical) { VADDPS(a, b, d) },
		max:   func(a Op, b, d VecPhysical) { VMAXPS(a, b, d) },
		keep:  func(h, zero, r VecPhysical) { VCMPPS(U8(0x1e), zero, h, h); VANDPS(h, r, r) },
	}
	f64.generate()
	f32.generate()

	// AVX-512 forms for CPUs that have it (Zen 4 and 5, Intel since
	// Skylake-SP): 6×32 doubles and 6×64 singles in 24 ZMM accumulators,
	// four B registers and a broadcast register, 29 of 32. Each k step
	// loads 4 B vectors and broadcasts 6 values of A for 24 FMAs, where the
	// 12×16 and 12×32 tiles used before took 2 and 12: on a core whose other
	// hardware thread is busy (a shared cloud machine) the loads compete
	// with it, and the tile with fewer ran 9% faster at k = 128 (82.6% of
	// the FMA peak against 75.5%; the same, 97%, on an idle core). It also
	// reads 6 rows of A in place instead of 12. Zeroing goes through the
	// YMM alias, whose VEX encoding clears the upper half and needs no
	// AVX512DQ.
	z64, z32 := f64, f32
	z64.name, z64.lanes, z64.mr, z64.nr, z64.vec = "kernelF64x512", 8, 6, 32, zmm
	z64.zero = func(r VecPhysical) { VXORPD(r.AsY(), r.AsY(), r.AsY()) }
	z32.name, z32.lanes, z32.mr, z32.nr, z32.vec = "kernelF32x512", 16, 6, 64, zmm
	z32.zero = func(r VecPhysical) { VXORPS(r.AsY(), r.AsY(), r.AsY()) }
	// AVX-512 compares write a mask register (K2; K1 is the lane mask of
	// masked parts), and the zeroing move applies it: VANDPS on ZMM would
	// need AVX512DQ.
	z64.keep = func(h, zero, r VecPhysical) { VCMPPD(U8(0x1e), zero, h, K2); VMOVUPD_Z(r, K2, r) }
	z32.keep = func(h, zero, r VecPhysical) { VCMPPS(U8(0x1e), zero, h, K2); VMOVUPS_Z(r, K2, r) }
	z64.loadZ = func(m Mem, r VecPhysical) { VMOVUPD_Z(m, K1, r) }
	z64.storeK = func(r VecPhysical, m Mem) { VMOVUPD(r, K1, m) }
	z32.loadZ = func(m Mem, r VecPhysical) { VMOVUPS_Z(m, K1, r) }
	z32.storeK = func(r VecPhysical, m Mem) { VMOVUPS(r, K1, m) }
	z64.generate()
	z32.generate()
	for _, kn := range []kernel{f64, f32, z64, z32} {
		kn.direct = true
		kn.generate()
	}
	for _, kn := range []kernel{f64, f32, z64, z32} {
		kn.directT = true
		kn.generate()
	}
	// B read in place as well, for the narrow bands whose A is read in
	// place: a training product's B is a weight matrix or a gradient of
	// at most a few panels, packed anew at every call.
	for _, kn := range []kernel{f64, f32, z64, z32} {
		kn.direct, kn.bdirect = true, true
		kn.generate()
		kn.direct, kn.directT = false, true
		kn.generate()
	}
	var table strings.Builder
	for _, kn := range []kernel{f64, f32, z64, z32} {
		table.WriteString(kn.parts())
	}

	for _, c := range []struct {
		typ         string
		size, width int
	}{{"float64", 8, 8}, {"float64", 8, 6}, {"float32", 4, 16}, {"float32", 4, 6},
		{"float64", 8, 32}, {"float32", 4, 64}} {
		copyRows(c.typ, c.size, c.width)
	}
	// The panel widths of B in use: nr of the AVX2 sets (8 doubles, 16
	// singles) and of the AVX-512 sets (16, 32). The transposes need only
	// AVX2, so the AVX-512 sets use them too.
	for _, c := range []struct {
		typ         string
		size, width int
	}{{"float64", 8, 8}, {"float32", 4, 16}, {"float64", 8, 32}, {"float32", 4, 64}} {
		transRows(c.typ, c.size, c.width)
	}
	peak("fmaPeakF64", ymm, func(r VecPhysical) { VXORPD(r, r, r) }, func(a, b, d VecPhysical) { VFMADD231PD(a, b, d) })
	peak("fmaPeakF64x512", zmm, func(r VecPhysical) { VXORPD(r.AsY(), r.AsY(), r.AsY()) }, func(a, b, d VecPhysical) { VFMADD231PD(a, b, d) })
	Generate()
	if *partsOut != "" {
		src := "// Code generated by command: go run . -parts " + *partsOut + ". DO NOT EDIT.\n\n//go:build !purego\n\npackage gemm\n" + table.String()
		if err := os.WriteFile(*partsOut, []byte(src), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

var partsOut = flag.String("parts", "", "file to write the table of part kernels to (Go source)")

// parts generates the part kernels of a full one, in each of its five
// forms (packed A; A or Aᵀ in place, with B packed or in place), and returns the Go table that
// lists them. Their heights are thirds of mr and their widths nr halved
// down to one vector: the rows of C left over by the suite's batches and
// widths (128, 64 and 32 rows leave 2, 4 and 2 below 6-row tiles) and the
// columns of narrow layers (16 and 32 of 64). Each has the full kernel's unroll and order of
// operations, so an element's bits do not depend on which one computed it.
func (kn kernel) parts() string {
	var b strings.Builder
	base := strings.TrimPrefix(kn.name, "kernel")
	fmt.Fprintf(&b, "\n// parts%s are the part kernels of %s.\nvar parts%s = []part[%s]{\n", base, kn.name, base, kn.typ)
	for _, r := range []int{kn.mr / 3, 2 * kn.mr / 3, kn.mr} {
		for c := kn.lanes; c <= kn.nr; c *= 2 {
			if r == kn.mr && c == kn.nr {
				continue
			}
			p := kn
			p.rows, p.cols = r, c
			p.generate()
			p.direct = true
			p.generate()
			p.direct, p.directT = false, true
			p.generate()
			p.bdirect = true
			p.generate()
			p.direct, p.directT = true, false
			p.generate()
			sfx := fmt.Sprintf("_%dx%d", r, c)
			fmt.Fprintf(&b, "\t{rows: %d, cols: %d, kernel: %s, direct: %s, directT: %s, directB: %s, directTB: %s},\n", r, c,
				kn.name+sfx, kn.name+"Direct"+sfx, kn.name+"DirectT"+sfx, kn.name+"DirectB"+sfx, kn.name+"DirectTB"+sfx)
		}
	}
	b.WriteString("}\n")
	if kn.loadZ == nil {
		return b.String()
	}
	// Masked parts: every height, and every number of vectors with the
	// last one masked, so that a band of any width has a kernel of exactly
	// its edge's size (layers 4, 6, 12, 24 or 48 wide, inputs of 1 or 2).
	fmt.Fprintf(&b, "\n// masked%s are the masked part kernels of %s.\nvar masked%s = []maskedPart[%s]{\n", base, kn.name, base, kn.typ)
	for _, r := range []int{kn.mr / 3, 2 * kn.mr / 3, kn.mr} {
		for c := kn.lanes; c <= kn.nr; c += kn.lanes {
			p := kn
			p.rows, p.cols, p.masked = r, c, true
			for _, f := range [][3]bool{{false, false, false}, {true, false, false}, {false, true, false}, {true, false, true}, {false, true, true}} {
				p.direct, p.directT, p.bdirect = f[0], f[1], f[2]
				p.generate()
			}
			sfx := fmt.Sprintf("_%dx%dm", r, c)
			fmt.Fprintf(&b, "\t{rows: %d, cols: %d, kernel: %s, direct: %s, directT: %s, directB: %s, directTB: %s},\n", r, c,
				kn.name+sfx, kn.name+"Direct"+sfx, kn.name+"DirectT"+sfx, kn.name+"DirectB"+sfx, kn.name+"DirectTB"+sfx)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// signature is the Go signature of the kernel's form, with extra appended
// to its arguments.
func (kn kernel) signature(extra string) string {
	a := "a []%[1]s"
	if kn.direct || kn.directT {
		a += ", lda int"
	}
	b := "b []%[1]s"
	if kn.bdirect {
		b += ", ldb int"
	}
	args := "k int, " + a + ", " + b + ", c []%[1]s, ldc int, alpha, beta %[1]s, bias *%[1]s, relu bool, keep *%[1]s, ldk, tiles int"
	return "func(" + fmt.Sprintf(args, kn.typ) + extra + ")"
}

func (kn kernel) generate() {
	if kn.rows == 0 {
		kn.rows, kn.cols = kn.mr, kn.nr
	}
	part := kn.rows != kn.mr || kn.cols != kn.nr || kn.masked
	suffix := ""
	if part {
		suffix = fmt.Sprintf("_%dx%d", kn.rows, kn.cols)
	}
	mask := ""
	if kn.masked {
		suffix += "m"
		mask = ", mask int"
	}
	full := kn.name
	if kn.direct {
		full += "Direct"
	} else if kn.directT {
		full += "DirectT"
	}
	if kn.bdirect {
		full += "B"
		kn.name = full + suffix
		TEXT(kn.name, NOSPLIT, kn.signature(mask))
		Pragma("noescape")
		Doc(
			fmt.Sprintf("%s is %s%s with the columns of B read in place, step p at", kn.name, strings.TrimSuffix(full, "B"), suffix),
			fmt.Sprintf("b[p·ldb:], instead of from a packed panel: b[p*%d+j] becomes b[p*ldb+j].", kn.nr),
			"The operations and their order are the same, and so are the results.",
		)
	} else if part {
		kn.name = full + suffix
		TEXT(kn.name, NOSPLIT, kn.signature(mask))
		Pragma("noescape")
		if kn.masked {
			Doc(
				fmt.Sprintf("%s is %s computing only the top %d rows and the left", kn.name, full, kn.rows),
				fmt.Sprintf("%d+m columns of its %d×%d tile, m the number of bits of mask (1 to %d, the", kn.cols-kn.lanes, kn.mr, kn.nr, kn.lanes),
				"lowest set): the last vector of each row of B, C and the bias is loaded",
				"under the mask, other lanes as zero, and stored under it, so that a tile",
				"of any width is written in place and nothing past it is read or written.",
				"Each element gets the same operations in the same order, so the results",
				"are the full kernel's.",
			)
		} else {
			Doc(
				fmt.Sprintf("%s is %s computing only the top %d rows and left %d columns", kn.name, full, kn.rows, kn.cols),
				fmt.Sprintf("of its %d×%d tile, from the same panels: the edges of C that a full tile", kn.mr, kn.nr),
				"would overrun, written in place. Each element gets the same operations in",
				"the same order, so the results are the full kernel's.",
			)
		}
	} else if kn.direct {
		kn.name += "Direct"
		TEXT(kn.name, NOSPLIT, kn.signature(""))
		Pragma("noescape")
		Doc(
			fmt.Sprintf("%s is %s with the %d rows of A read in place, row i at", kn.name, strings.TrimSuffix(kn.name, "Direct"), kn.mr),
			fmt.Sprintf("a[i·lda:], instead of from a packed panel: a[p*%d+i] becomes a[i*lda+p].", kn.mr),
			"It saves packing A where the copy would cost about as much as the multiply.",
			"The operations and their order are the same, and so are the results.",
		)
	} else if kn.directT {
		kn.name += "DirectT"
		TEXT(kn.name, NOSPLIT, kn.signature(""))
		Pragma("noescape")
		Doc(
			fmt.Sprintf("%s is %s with the %d columns of Aᵀ read in place, step p at", kn.name, strings.TrimSuffix(kn.name, "DirectT"), kn.mr),
			fmt.Sprintf("a[p·lda:], instead of from a packed panel: a[p*%d+i] becomes a[p*lda+i].", kn.mr),
			"The operations and their order are the same, and so are the results.",
		)
	} else {
		TEXT(kn.name, NOSPLIT, kn.signature(""))
		Pragma("noescape")
	}
	if !part && !kn.direct && !kn.directT {
		Doc(
			fmt.Sprintf("%s sets the %d×%d tile at c (row stride ldc) to α·Σₚ a[p·%d+i]·b[p·%d+j] + β·c,", kn.name, kn.mr, kn.nr, kn.mr, kn.nr),
			"not reading c when β is zero, then adds the bias and applies ReLU if asked.",
			"It is the assembly form of this loop, except that products are fused and",
			"summed in registers and α·s + β·c is one fused operation:",
			"",
			fmt.Sprintf("\tfor i := range %d {", kn.mr),
			fmt.Sprintf("\t\tfor j := range %d {", kn.nr),
			"\t\t\tvar s T",
			"\t\t\tfor p := range k {",
			fmt.Sprintf("\t\t\t\ts += a[p*%d+i] * b[p*%d+j]", kn.mr, kn.nr),
			"\t\t\t}",
			"\t\t\tz := alpha * s",
			"\t\t\tif beta != 0 {",
			"\t\t\t\tz += beta * c[i*ldc+j]",
			"\t\t\t}",
			"\t\t\tif bias != nil {",
			"\t\t\t\tz += bias[j]",
			"\t\t\t\tif relu && 0 > z {",
			"\t\t\t\t\tz = 0",
			"\t\t\t\t}",
			"\t\t\t}",
			"\t\t\tif keep != nil && !(keep[i*ldk+j] > 0) {",
			"\t\t\t\tz = 0",
			"\t\t\t}",
			"\t\t\tc[i*ldc+j] = z",
			"\t\t}",
			"\t}",
			"",
			"where bias[j] is the j-th value from the pointer bias and keep[i*ldk+j]",
			"from the pointer keep: the epilogues of a layer's forward product and of",
			"the product that makes the gradient at its input (the ReLU's mask), done",
			"on the tile in registers. relu needs bias.",
			fmt.Sprintf("a must hold %d·k values, b %d·k, and c a full tile; none is checked.", kn.mr, kn.nr),
		)
	}

	cols := kn.cols / kn.lanes
	acc := make([][]VecPhysical, kn.rows)
	next := 0
	for i := range acc {
		acc[i] = make([]VecPhysical, cols)
		for j := range acc[i] {
			acc[i][j] = kn.vec(next)
			next++
		}
	}
	bv := make([]VecPhysical, cols)
	for j := range bv {
		bv[j] = kn.vec(next)
		next++
	}
	av := kn.vec(next)

	if kn.masked {
		KMOVW(Load(Param("mask"), GP64()).(GPVirtual).As32(), K1)
	}
	last := func(j int) bool { return kn.masked && j == kn.cols/kn.lanes-1 }
	// tmp takes a masked load that an unmasked kernel folds into an
	// arithmetic operand.
	var tmp VecPhysical
	if kn.masked {
		tmp = kn.vec(31)
	}
	// eachVector calls f for every accumulator with its vector of the
	// block at base (the next row ld bytes on; the same row for all if ld is
	// nil), as a memory operand, or loaded under the mask into tmp for the
	// last vector of a masked kernel.
	eachVector := func(base, ld Register, f func(r VecPhysical, m Op)) {
		for i := range acc {
			for j, r := range acc[i] {
				m := Mem{Base: base, Disp: j * kn.lanes * kn.size}
				if last(j) {
					kn.loadZ(m, tmp)
					f(r, tmp)
				} else {
					f(r, m)
				}
			}
			if ld != nil && i < kn.rows-1 {
				ADDQ(ld, base)
			}
		}
	}
	// The kernel does tiles tiles, each mr rows below the last (their A,
	// C and keep advanced in the argument slots, which belong to the
	// callee), so that a column of tiles costs one call from Go.
	Label(kn.name + "_tile")
	k := Load(Param("k"), GP64())
	a := Load(Param("a").Base(), GP64())
	b := Load(Param("b").Base(), GP64())
	// Direct kernels address row 3g+r of A as bases[g] + r·lda.
	var bases []Register
	var lda, lda3 Register
	if kn.directT {
		lda = Load(Param("lda"), GP64())
		SHLQ(U8(log2(kn.size)), lda)
		lda3 = GP64()
		LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)
	}
	if kn.direct {
		lda = Load(Param("lda"), GP64())
		SHLQ(U8(log2(kn.size)), lda)
		bases = []Register{a}
		for g := 1; g < (kn.rows+2)/3; g++ {
			r := GP64()
			LEAQ(Mem{Base: bases[g-1], Index: lda, Scale: 2}, r)
			ADDQ(lda, r)
			bases = append(bases, r)
		}
	}
	var ldb, ldb3 Register
	if kn.bdirect {
		ldb = Load(Param("ldb"), GP64())
		SHLQ(U8(log2(kn.size)), ldb)
		ldb3 = GP64()
		LEAQ(Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	}
	bAt := func(u, j int) Mem {
		if !kn.bdirect {
			return Mem{Base: b, Disp: (u*kn.nr + j*kn.lanes) * kn.size}
		}
		return stepAt(b, j*kn.lanes*kn.size, ldb, ldb3, u)
	}
	advanceB := func(steps int) {
		switch {
		case !kn.bdirect:
			ADDQ(U32(steps*kn.nr*kn.size), b)
		case steps == 4:
			LEAQ(Mem{Base: b, Index: ldb, Scale: 4}, b)
		default:
			ADDQ(ldb, b)
		}
	}
	aAt := func(u, i int) Mem {
		if kn.directT {
			return stepAt(a, i*kn.size, lda, lda3, u)
		}
		if !kn.direct {
			return Mem{Base: a, Disp: (u*kn.mr + i) * kn.size}
		}
		m := Mem{Base: bases[i/3], Disp: u * kn.size}
		if i%3 > 0 {
			m.Index, m.Scale = lda, uint8(i%3)
		}
		return m
	}
	advanceA := func(steps int) {
		if kn.directT {
			if steps == 4 {
				LEAQ(Mem{Base: a, Index: lda, Scale: 4}, a)
			} else {
				ADDQ(lda, a)
			}
			return
		}
		if !kn.direct {
			ADDQ(U32(steps*kn.mr*kn.size), a)
			return
		}
		for _, r := range bases {
			ADDQ(U32(steps*kn.size), r)
		}
	}
	c := Load(Param("c").Base(), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(log2(kn.size)), ldc)

	Comment("Bring the C tile towards L1 while the k loop runs.")
	row := GP64()
	MOVQ(c, row)
	for i := 0; i < kn.rows; i++ {
		PREFETCHT0(Mem{Base: row})
		PREFETCHT0(Mem{Base: row, Disp: kn.cols*kn.size - 1})
		if i < kn.rows-1 {
			ADDQ(ldc, row)
		}
	}

	for i := range acc {
		for _, r := range acc[i] {
			kn.zero(r)
		}
	}

	step := func(u int) {
		for j := range bv {
			if last(j) {
				kn.loadZ(bAt(u, j), bv[j])
			} else {
				kn.load(bAt(u, j), bv[j])
			}
		}
		for i := range acc {
			kn.bcast(aAt(u, i), av)
			for j := range bv {
				kn.fma(bv[j], av, acc[i][j])
			}
		}
	}

	n := GP64()
	MOVQ(k, n)
	SHRQ(U8(log2(kn.unroll)), n)
	JZ(LabelRef(kn.name + "_tail"))
	Label(kn.name + "_loop")
	for u := 0; u < kn.unroll; u++ {
		step(u)
	}
	advanceA(kn.unroll)
	advanceB(kn.unroll)
	DECQ(n)
	JNZ(LabelRef(kn.name + "_loop"))

	Label(kn.name + "_tail")
	ANDQ(U32(kn.unroll-1), k)
	JZ(LabelRef(kn.name + "_store"))
	Label(kn.name + "_tailloop")
	step(0)
	advanceA(1)
	advanceB(1)
	DECQ(k)
	JNZ(LabelRef(kn.name + "_tailloop"))

	Label(kn.name + "_store")
	// The B and broadcast registers are free now: reuse them for α, β and
	// the zero of ReLU.
	alpha, beta := bv[0], av
	zero := kn.vec(next + 1)
	if len(bv) > 1 {
		zero = bv[1]
	}
	kn.bcast(paramAddr("alpha"), alpha)
	for i := range acc {
		for _, r := range acc[i] {
			kn.mul(alpha, r, r)
		}
	}
	// β = ±0 means "do not read C", so test its bits with the sign shifted
	// out rather than comparing floats.
	bits := GP64()
	if kn.size == 8 {
		MOVQ(paramAddr("beta"), bits)
		SHLQ(U8(1), bits)
	} else {
		MOVL(paramAddr("beta"), bits.As32())
		SHLL(U8(1), bits.As32())
	}
	JZ(LabelRef(kn.name + "_bias"))
	kn.bcast(paramAddr("beta"), beta)
	MOVQ(c, row)
	eachVector(row, ldc, func(r VecPhysical, m Op) { kn.fma(m, beta, r) })

	// The epilogue: the bias row added to every row of the tile, then the
	// ReLU, whose max returns its second source (the sum itself) when that
	// is NaN, as package vec's ReLUBias does.
	Label(kn.name + "_bias")
	bias := Load(Param("bias"), GP64())
	TESTQ(bias, bias)
	JZ(LabelRef(kn.name + "_keep"))
	eachVector(bias, nil, func(r VecPhysical, m Op) { kn.add(m, r, r) })
	relu := Load(Param("relu"), GP32())
	TESTL(relu, relu)
	JZ(LabelRef(kn.name + "_keep"))
	kn.zero(zero)
	for i := range acc {
		for _, r := range acc[i] {
			kn.max(r, zero, r)
		}
	}

	// The mask of a ReLU's gradient: an element is kept where its
	// counterpart in keep is positive (not NaN) and zeroed elsewhere, as
	// package vec's MaskRows does. α is spent, so its register holds the
	// row of keep.
	Label(kn.name + "_keep")
	keep := Load(Param("keep"), GP64())
	TESTQ(keep, keep)
	JZ(LabelRef(kn.name + "_write"))
	ldk := Load(Param("ldk"), GP64())
	SHLQ(U8(log2(kn.size)), ldk)
	kn.zero(zero)
	h := alpha
	for i := range acc {
		for j, r := range acc[i] {
			m := Mem{Base: keep, Disp: j * kn.lanes * kn.size}
			if last(j) {
				kn.loadZ(m, h)
			} else {
				kn.load(m, h)
			}
			kn.keep(h, zero, r)
		}
		if i < kn.rows-1 {
			ADDQ(ldk, keep)
		}
	}

	Label(kn.name + "_write")
	MOVQ(c, row)
	for i := range acc {
		for j, r := range acc[i] {
			m := Mem{Base: row, Disp: j * kn.lanes * kn.size}
			if last(j) {
				kn.storeK(r, m)
			} else {
				kn.store(r, m)
			}
		}
		if i < kn.rows-1 {
			ADDQ(ldc, row)
		}
	}

	// The next tile: A panel, C and keep mr rows on.
	adv := GP64()
	switch {
	case kn.direct:
		MOVQ(paramAddr("lda"), adv)
		IMUL3Q(U32(kn.mr*kn.size), adv, adv)
	case kn.directT:
		MOVQ(U32(kn.mr*kn.size), adv)
	default:
		MOVQ(paramAddr("k"), adv)
		IMUL3Q(U32(kn.mr*kn.size), adv, adv)
	}
	ADDQ(adv, baseAddr("a"))
	MOVQ(paramAddr("ldc"), adv)
	IMUL3Q(U32(kn.mr*kn.size), adv, adv)
	ADDQ(adv, baseAddr("c"))
	MOVQ(paramAddr("keep"), adv)
	TESTQ(adv, adv)
	JZ(LabelRef(kn.name + "_next"))
	MOVQ(paramAddr("ldk"), adv)
	IMUL3Q(U32(kn.mr*kn.size), adv, adv)
	ADDQ(adv, paramAddr("keep"))
	Label(kn.name + "_next")
	DECQ(paramAddr("tiles"))
	JNZ(LabelRef(kn.name + "_tile"))
	VZEROUPPER()
	RET()
}

// copyRows generates the inner loop of packing: k runs of width elements,
// ld apart in src, laid end to end in dst. It packs a panel of B (rows of
// op(B) are contiguous when B is not transposed) and a panel of A when A is
// transposed, where the per-element Go loop would cost as much as the
// multiply on thin products.
func copyRows(typ string, size, width int) {
	name := fmt.Sprintf("copyRows%sx%d", map[string]string{"float64": "F64", "float32": "F32"}[typ], width)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, src []%s, ld int, dst []%s)", typ, typ))
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s copies k runs of %d elements, ld apart in src, to dst end to end:", name, width),
		"",
		"	for p := range k {",
		fmt.Sprintf("		copy(dst[p*%d:p*%d+%d], src[p*ld:p*ld+%d])", width, width, width, width),
		"	}",
		"",
		"The lengths are not checked.",
	)
	k := Load(Param("k"), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst").Base(), GP64())
	SHLQ(U8(log2(size)), ld)
	TESTQ(k, k)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	bytes := width * size
	off := 0
	for bytes-off >= 32 {
		y := YMM()
		VMOVUPS(Mem{Base: src, Disp: off}, y)
		VMOVUPS(y, Mem{Base: dst, Disp: off})
		off += 32
	}
	if bytes-off >= 16 {
		x := XMM()
		VMOVUPS(Mem{Base: src, Disp: off}, x)
		VMOVUPS(x, Mem{Base: dst, Disp: off})
		off += 16
	}
	if bytes-off >= 8 {
		r := GP64()
		MOVQ(Mem{Base: src, Disp: off}, r)
		MOVQ(r, Mem{Base: dst, Disp: off})
		off += 8
	}
	if off != bytes {
		panic("copyRows: width not a multiple of 8 bytes")
	}
	ADDQ(ld, src)
	ADDQ(U32(bytes), dst)
	DECQ(k)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// transRows generates the packing of a full panel of Bᵀ: width runs of k
// elements, run i at src[i·ld:], interleaved so that step p of run i lands at
// dst[p·width+i]. It is a transpose of width×k to k×width, done in blocks of
// one YMM register square (8×8 singles, 4×4 doubles): each block is loaded a
// half row at a time, the halves of rows r and r+4 (r+2 for doubles) paired
// in one register by VINSERTF128 from memory, which costs no shuffle, so
// that in-lane unpacks and shuffles finish the transpose: 16 shuffles per 64
// singles, 4 per 16 doubles, where the Go loop moves about one element a
// cycle. k must be a multiple of the block; the rest of a panel is left to
// the caller.
func transRows(typ string, size, width int) {
	name := fmt.Sprintf("transRows%sx%d", map[string]string{"float64": "F64", "float32": "F32"}[typ], width)
	blk := 32 / size
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, src []%s, ld int, dst []%s)", typ, typ))
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s interleaves %d runs of k elements, run i at src[i·ld:], into dst:", name, width),
		"",
		"	for p := range k {",
		fmt.Sprintf("		for i := range %d {", width),
		fmt.Sprintf("			dst[p*%d+i] = src[i*ld+p]", width),
		"		}",
		"	}",
		"",
		fmt.Sprintf("k must be a multiple of %d; the lengths are not checked.", blk),
	)
	k := Load(Param("k"), GP64())
	src := Load(Param("src").Base(), GP64())
	ld := Load(Param("ld"), GP64())
	dst := Load(Param("dst").Base(), GP64())
	SHLQ(U8(log2(size)), ld)
	// Run 8g+r is read at bases[g] + r·ld, r·ld an addressing mode of ld,
	// 3·ld, 5·ld or 7·ld: one pointer per eight runs keeps the 32 runs
	// of the widest panel within the general registers.
	ld3, ld5, ld7 := GP64(), GP64(), GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	LEAQ(Mem{Base: ld, Index: ld, Scale: 4}, ld5)
	LEAQ(Mem{Base: ld3, Index: ld, Scale: 4}, ld7)
	bases := []Register{src}
	for g := 1; g < (width+7)/8; g++ {
		r := GP64()
		LEAQ(Mem{Base: bases[g-1], Index: ld, Scale: 8}, r)
		bases = append(bases, r)
	}
	run := func(i, disp int) Mem {
		m := Mem{Base: bases[i/8], Disp: disp}
		switch i % 8 {
		case 1, 2, 4:
			m.Index, m.Scale = ld, uint8(i%8)
		case 3:
			m.Index, m.Scale = ld3, 1
		case 5:
			m.Index, m.Scale = ld5, 1
		case 6:
			m.Index, m.Scale = ld3, 2
		case 7:
			m.Index, m.Scale = ld7, 1
		}
		return m
	}
	out := func(p, i int) Mem { return Mem{Base: dst, Disp: (p*width + i) * size} }
	// The vector registers are named, not allocated: with virtual ones
	// avo's allocator fails on the widest panel, though no block needs
	// more than 16. Renaming makes the reuse from block to block free.

	SHRQ(U8(log2(blk)), k)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	for i0 := 0; i0 < width; i0 += blk {
		if size == 8 {
			// a[2h+r] holds steps 2h and 2h+1 of run i0+r (lower
			// lane) and of run i0+r+2 (upper lane): unpacking
			// a[2h] with a[2h+1] gives steps 2h and 2h+1 of the
			// four runs.
			var a [4]VecPhysical
			for h := range 2 {
				for r := range 2 {
					v := ymm(2*h + r)
					VMOVUPD(run(i0+r, 16*h), v.AsX())
					VINSERTF128(U8(1), run(i0+r+2, 16*h), v, v)
					a[2*h+r] = v
				}
			}
			for h := range 2 {
				lo, hi := ymm(4+2*h), ymm(5+2*h)
				VUNPCKLPD(a[2*h+1], a[2*h], lo)
				VUNPCKHPD(a[2*h+1], a[2*h], hi)
				VMOVUPD(lo, out(2*h, i0))
				VMOVUPD(hi, out(2*h+1, i0))
			}
			continue
		}
		// a[4h+r] holds steps 4h…4h+3 of run i0+r (lower lane) and of
		// run i0+r+4 (upper lane); each lane is then a 4×4 transpose.
		var a [8]VecPhysical
		for h := range 2 {
			for r := range 4 {
				v := ymm(4*h + r)
				VMOVUPS(run(i0+r, 16*h), v.AsX())
				VINSERTF128(U8(1), run(i0+r+4, 16*h), v, v)
				a[4*h+r] = v
			}
		}
		for h := range 2 {
			a0, a1, a2, a3 := a[4*h], a[4*h+1], a[4*h+2], a[4*h+3]
			t0, t1, t2, t3 := ymm(8), ymm(9), ymm(10), ymm(11)
			VUNPCKLPS(a1, a0, t0) // steps 0, 1 of runs 0, 1
			VUNPCKLPS(a3, a2, t1) // steps 0, 1 of runs 2, 3
			VUNPCKHPS(a1, a0, t2) // steps 2, 3 of runs 0, 1
			VUNPCKHPS(a3, a2, t3) // steps 2, 3 of runs 2, 3
			for q, s := range []struct {
				imm    uint8
				lo, hi VecPhysical
			}{{0x44, t0, t1}, {0xee, t0, t1}, {0x44, t2, t3}, {0xee, t2, t3}} {
				o := ymm(12 + q)
				VSHUFPS(U8(s.imm), s.hi, s.lo, o)
				VMOVUPS(o, out(4*h+q, i0))
			}
		}
	}
	for _, b := range bases {
		ADDQ(U32(blk*size), b)
	}
	ADDQ(U32(blk*width*size), dst)
	DECQ(k)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// paramAddr is the frame address of a scalar argument, so that it can be
// broadcast straight from memory.
func paramAddr(name string) Mem {
	p, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return p.Addr
}

// stepAt addresses step u (0…3) of an operand read in place, ld bytes
// from step to step (ld3 = 3·ld), at disp bytes into the step.
func stepAt(base Register, disp int, ld, ld3 Register, u int) Mem {
	m := Mem{Base: base, Disp: disp}
	switch u {
	case 1, 2:
		m.Index, m.Scale = ld, uint8(u)
	case 3:
		m.Index, m.Scale = ld3, 1
	}
	return m
}

// baseAddr is the address of the data pointer of the slice parameter name.
func baseAddr(name string) Mem {
	p, err := Param(name).Base().Resolve()
	if err != nil {
		panic(err)
	}
	return p.Addr
}

// peak generates a loop of n iterations, each 12 independent FMAs on YMM
// registers with no memory traffic, to measure the FMA throughput the core
// sustains.
func peak(name string, vec func(int) VecPhysical, zero func(VecPhysical), fma func(a, b, d VecPhysical)) {
	TEXT(name, NOSPLIT, "func(n int)")
	Doc(name+" runs n iterations of 12 independent vector FMAs, so that a",
		"benchmark can measure the FMA peak of the core.")
	n := Load(Param("n"), GP64())
	for i := 0; i < 14; i++ {
		zero(vec(i))
	}
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	for i := 0; i < 12; i++ {
		fma(vec(12), vec(13), vec(i))
	}
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

func ymm(i int) VecPhysical {
	return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}[i]
}

func zmm(i int) VecPhysical {
	return []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
		Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}[i]
}

func log2(x int) int {
	n := 0
	for x > 1 {
		x >>= 1
		n++
	}
	return n
}
