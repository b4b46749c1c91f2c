// Command asm generates the AVX2 elementwise kernels of package vec:
//
//	go run . -out ../vec_amd64.s -stubs ../vec_amd64.go -pkg vec
//
// Every kernel walks its slices a YMM register at a time and finishes the
// last len mod lanes elements with the scalar form of the same instructions,
// so each element gets exactly the operations of the Go loop in its doc
// comment, in the same order: the kernels and the Go fallbacks agree bit for
// bit except in the order of the sums of LossGrad.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// typ holds the instructions of one element type. Arithmetic follows the Go
// assembler's operand order: op(src2, src1, dst) sets dst = src1 op src2.
type typ struct {
	suffix, goType string
	size, lanes    int

	load, store   func(packed bool, src, dst Op)
	bcast         func(Mem, VecVirtual)
	add, sub      func(packed bool, src2, src1, dst Op)
	mul, div, max func(packed bool, src2, src1, dst Op)
	sqrt          func(packed bool, src, dst Op)
	cmpGT         func(packed bool, src2, src1, dst Op) // dst = src1 > src2 ? ones : 0
	and           func(src2, src1, dst Op)
	hsum          func(y VecVirtual) // the sum of the lanes into the low lane
	zero          func(VecVirtual)
}

func pick(packed bool, p, s func(...Op)) func(...Op) {
	if packed {
		return p
	}
	return s
}

var f32 = typ{
	suffix: "F32", goType: "float32", size: 4, lanes: 8,
	load: func(packed bool, src, dst Op) {
		if packed {
			VMOVUPS(src, dst)
		} else {
			VMOVSS(src, dst)
		}
	},
	store: func(packed bool, src, dst Op) {
		if packed {
			VMOVUPS(src, dst)
		} else {
			VMOVSS(src, dst)
		}
	},
	bcast: func(m Mem, r VecVirtual) { VBROADCASTSS(m, r) },
	add:   func(p bool, a, b, c Op) { pick(p, VADDPS, VADDSS)(a, b, c) },
	sub:   func(p bool, a, b, c Op) { pick(p, VSUBPS, VSUBSS)(a, b, c) },
	mul:   func(p bool, a, b, c Op) { pick(p, VMULPS, VMULSS)(a, b, c) },
	div:   func(p bool, a, b, c Op) { pick(p, VDIVPS, VDIVSS)(a, b, c) },
	max:   func(p bool, a, b, c Op) { pick(p, VMAXPS, VMAXSS)(a, b, c) },
	sqrt: func(p bool, a, b Op) {
		if p {
			VSQRTPS(a, b)
		} else {
			VSQRTSS(a, b, b)
		}
	},
	cmpGT: func(p bool, a, b, c Op) {
		if p {
			VCMPPS(U8(0x1e), a, b, c) // GT_OQ
		} else {
			VCMPSS(U8(0x1e), a, b, c)
		}
	},
	and: func(a, b, c Op) { VANDPS(a, b, c) },
	hsum: func(y VecVirtual) {
		hi := XMM()
		VEXTRACTF128(U8(1), y, hi)
		VADDPS(hi, y.AsX(), y.AsX())
		VHADDPS(y.AsX(), y.AsX(), y.AsX())
		VHADDPS(y.AsX(), y.AsX(), y.AsX())
	},
	zero: func(r VecVirtual) { VXORPS(r, r, r) },
}

var f64 = typ{
	suffix: "F64", goType: "float64", size: 8, lanes: 4,
	load: func(packed bool, src, dst Op) {
		if packed {
			VMOVUPD(src, dst)
		} else {
			VMOVSD(src, dst)
		}
	},
	store: func(packed bool, src, dst Op) {
		if packed {
			VMOVUPD(src, dst)
		} else {
			VMOVSD(src, dst)
		}
	},
	bcast: func(m Mem, r VecVirtual) { VBROADCASTSD(m, r) },
	add:   func(p bool, a, b, c Op) { pick(p, VADDPD, VADDSD)(a, b, c) },
	sub:   func(p bool, a, b, c Op) { pick(p, VSUBPD, VSUBSD)(a, b, c) },
	mul:   func(p bool, a, b, c Op) { pick(p, VMULPD, VMULSD)(a, b, c) },
	div:   func(p bool, a, b, c Op) { pick(p, VDIVPD, VDIVSD)(a, b, c) },
	max:   func(p bool, a, b, c Op) { pick(p, VMAXPD, VMAXSD)(a, b, c) },
	sqrt: func(p bool, a, b Op) {
		if p {
			VSQRTPD(a, b)
		} else {
			VSQRTSD(a, b, b)
		}
	},
	cmpGT: func(p bool, a, b, c Op) {
		if p {
			VCMPPD(U8(0x1e), a, b, c)
		} else {
			VCMPSD(U8(0x1e), a, b, c)
		}
	},
	and: func(a, b, c Op) { VANDPD(a, b, c) },
	hsum: func(y VecVirtual) {
		hi := XMM()
		VEXTRACTF128(U8(1), y, hi)
		VADDPD(hi, y.AsX(), y.AsX())
		VHADDPD(y.AsX(), y.AsX(), y.AsX())
	},
	zero: func(r VecVirtual) { VXORPD(r, r, r) },
}

func main() {
	ConstraintExpr("!purego")
	for _, t := range []typ{f32, f64} {
		add(t)
		reluBias(t)
		maskSum(t)
		lossGrad(t)
		adam(t)
		biasRows(t, false)
		biasRows(t, true)
		maskRows(t)
		sumRows(t)
	}
	Generate()
}

// reg returns r itself for the packed loop and its low 128 bits for the
// scalar tail, where VEX scalar instructions must name XMM registers.
func reg(packed bool, r VecVirtual) Register {
	if packed {
		return r
	}
	return r.AsX()
}

// elementwise emits the loop over n elements: body(true, i) handles lanes
// elements from index i, body(false, i) one, for the last n mod lanes. The
// packed loop runs first and between the two afterPacked runs, so that a
// reduction can fold its vector accumulators before the scalar tail (VEX
// scalar instructions clear the upper half of their YMM register).
func elementwise(t typ, name string, n Register, body func(packed bool, i Register), afterPacked func()) {
	i, lim := GP64(), GP64()
	XORQ(i, i)
	MOVQ(n, lim)
	ANDQ(I32(-t.lanes), lim)
	Label(name + "_packed")
	CMPQ(i, lim)
	JAE(LabelRef(name + "_tail"))
	body(true, i)
	ADDQ(U8(t.lanes), i)
	JMP(LabelRef(name + "_packed"))
	Label(name + "_tail")
	if afterPacked != nil {
		afterPacked()
	}
	Label(name + "_scalar")
	CMPQ(i, n)
	JAE(LabelRef(name + "_done"))
	body(false, i)
	INCQ(i)
	JMP(LabelRef(name + "_scalar"))
	Label(name + "_done")
}

func at(base, i Register, t typ) Mem { return Mem{Base: base, Index: i, Scale: uint8(t.size)} }

func add(t typ) {
	name := "add" + t.suffix
	TEXT(name, NOSPLIT, fmt.Sprintf("func(x, y []%s)", t.goType))
	Pragma("noescape")
	Doc(name+" adds y to x, element by element:", "",
		"\tfor i := range x {", "\t\tx[i] += y[i]", "\t}", "",
		"y must be at least as long as x; it is not checked.")
	x := Load(Param("x").Base(), GP64())
	y := Load(Param("y").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	a := YMM()
	elementwise(t, name, n, func(p bool, i Register) {
		t.load(p, at(x, i, t), reg(p, a))
		t.add(p, at(y, i, t), reg(p, a), reg(p, a))
		t.store(p, reg(p, a), at(x, i, t))
	}, nil)
	VZEROUPPER()
	RET()
}

func reluBias(t typ) {
	name := "reluBias" + t.suffix
	TEXT(name, NOSPLIT, fmt.Sprintf("func(x, b []%s)", t.goType))
	Pragma("noescape")
	Doc(name+" adds b to x and clamps negative sums to zero, keeping NaNs:", "",
		"\tfor i := range x {", "\t\tz := x[i] + b[i]", "\t\tif 0 > z {", "\t\t\tz = 0", "\t\t}", "\t\tx[i] = z", "\t}", "",
		"b must be at least as long as x; it is not checked.")
	x := Load(Param("x").Base(), GP64())
	b := Load(Param("b").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	zero, z := YMM(), YMM()
	t.zero(zero)
	elementwise(t, name, n, func(p bool, i Register) {
		t.load(p, at(x, i, t), reg(p, z))
		t.add(p, at(b, i, t), reg(p, z), reg(p, z))
		// max returns its second source when the two compare equal or
		// either is NaN: z itself then.
		t.max(p, reg(p, z), reg(p, zero), reg(p, z))
		t.store(p, reg(p, z), at(x, i, t))
	}, nil)
	VZEROUPPER()
	RET()
}

func maskSum(t typ) {
	name := "maskSum" + t.suffix
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dz, h, db []%s)", t.goType))
	Pragma("noescape")
	Doc(name+" zeroes dz where h is not positive and adds the result to db:", "",
		"\tfor i := range dz {", "\t\tif !(h[i] > 0) {", "\t\t\tdz[i] = 0", "\t\t}", "\t\tdb[i] += dz[i]", "\t}", "",
		"h and db must be at least as long as dz; it is not checked.")
	dz := Load(Param("dz").Base(), GP64())
	h := Load(Param("h").Base(), GP64())
	db := Load(Param("db").Base(), GP64())
	n := Load(Param("dz").Len(), GP64())
	zero, m, g, s := YMM(), YMM(), YMM(), YMM()
	t.zero(zero)
	elementwise(t, name, n, func(p bool, i Register) {
		t.load(p, at(h, i, t), reg(p, m))
		t.cmpGT(p, reg(p, zero), reg(p, m), reg(p, m))
		t.load(p, at(dz, i, t), reg(p, g))
		t.and(reg(p, m), reg(p, g), reg(p, g))
		t.store(p, reg(p, g), at(dz, i, t))
		t.load(p, at(db, i, t), reg(p, s))
		t.add(p, reg(p, g), reg(p, s), reg(p, s))
		t.store(p, reg(p, s), at(db, i, t))
	}, nil)
	VZEROUPPER()
	RET()
}

func lossGrad(t typ) {
	name := "lossGrad" + t.suffix
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst, out, v []%s, b0, scale %s) (sq, sum %s)", t.goType, t.goType, t.goType))
	Pragma("noescape")
	Doc(name+" writes the scaled residuals of out + b0 against v into dst and",
		"returns the sum of the squared residuals and the sum of dst:", "",
		"\tfor i := range out {", "\t\tr := out[i] + b0 - v[i]", "\t\tdst[i] = scale * r",
		"\t\tsq += r * r", "\t\tsum += dst[i]", "\t}", "",
		"It sums lane by lane and then across the lanes, not in the loop's order.",
		"dst and v must be at least as long as out; it is not checked.")
	dst := Load(Param("dst").Base(), GP64())
	out := Load(Param("out").Base(), GP64())
	v := Load(Param("v").Base(), GP64())
	n := Load(Param("out").Len(), GP64())
	b0, scale, r, g, accSq, accSum := YMM(), YMM(), YMM(), YMM(), YMM(), YMM()
	t.bcast(paramAddr("b0"), b0)
	t.bcast(paramAddr("scale"), scale)
	t.zero(accSq)
	t.zero(accSum)
	elementwise(t, name, n, func(p bool, i Register) {
		t.load(p, at(out, i, t), reg(p, r))
		t.add(p, reg(p, b0), reg(p, r), reg(p, r))
		t.sub(p, at(v, i, t), reg(p, r), reg(p, r))
		t.mul(p, reg(p, r), reg(p, scale), reg(p, g))
		t.store(p, reg(p, g), at(dst, i, t))
		t.mul(p, reg(p, r), reg(p, r), reg(p, r))
		t.add(p, reg(p, r), reg(p, accSq), reg(p, accSq))
		t.add(p, reg(p, g), reg(p, accSum), reg(p, accSum))
	}, func() {
		t.hsum(accSq)
		t.hsum(accSum)
	})
	VZEROUPPER()
	Store(accSq.AsX(), ReturnIndex(0))
	Store(accSum.AsX(), ReturnIndex(1))
	RET()
}

func adam(t typ) {
	name := "adam" + t.suffix
	TEXT(name, NOSPLIT, fmt.Sprintf("func(p, g, m, v []%s, b1, b2, c1, c2, step, eps %s)", t.goType, t.goType))
	Pragma("noescape")
	Doc(name+" is Adam's update with moment decays b1, b2 and c1 = 1 − b1,",
		"c2 = 1 − b2:", "",
		"\tfor i := range p {", "\t\tm[i] = b1*m[i] + c1*g[i]", "\t\tv[i] = b2*v[i] + c2*g[i]*g[i]",
		"\t\tp[i] -= step * m[i] / (sqrt(v[i]) + eps)", "\t}", "",
		"g, m and v must be at least as long as p; it is not checked.",
		"",
		"It runs with subnormals flushed to zero (MXCSR FTZ and DAZ), restoring",
		"the caller's MXCSR before it returns: moments of weights whose gradients",
		"stay tiny decay into the subnormal range, where every operation takes a",
		"microcode assist, and one update then cost forty times its normal time",
		"(BenchmarkAdam). A flushed moment is below 1.2e-38 (float32), so the",
		"step it would have made is lost against eps.")
	saved, mode := AllocLocal(4), AllocLocal(4)
	STMXCSR(saved)
	csr := GP32()
	MOVL(saved, csr)
	ORL(U32(0x8040), csr) // FTZ (bit 15) and DAZ (bit 6)
	MOVL(csr, mode)
	LDMXCSR(mode)
	pp := Load(Param("p").Base(), GP64())
	gp := Load(Param("g").Base(), GP64())
	mp := Load(Param("m").Base(), GP64())
	vp := Load(Param("v").Base(), GP64())
	n := Load(Param("p").Len(), GP64())
	b1, b2, c1, c2, step, eps := YMM(), YMM(), YMM(), YMM(), YMM(), YMM()
	for _, c := range []struct {
		name string
		r    VecVirtual
	}{{"b1", b1}, {"b2", b2}, {"c1", c1}, {"c2", c2}, {"step", step}, {"eps", eps}} {
		t.bcast(paramAddr(c.name), c.r)
	}
	g, m, v, a, b := YMM(), YMM(), YMM(), YMM(), YMM()
	elementwise(t, name, n, func(p bool, i Register) {
		R := func(r VecVirtual) Register { return reg(p, r) }
		t.load(p, at(gp, i, t), R(g))
		t.load(p, at(mp, i, t), R(m))
		t.mul(p, R(m), R(b1), R(m))
		t.mul(p, R(g), R(c1), R(a))
		t.add(p, R(a), R(m), R(m))
		t.store(p, R(m), at(mp, i, t))
		t.load(p, at(vp, i, t), R(v))
		t.mul(p, R(v), R(b2), R(v))
		t.mul(p, R(g), R(c2), R(a))
		t.mul(p, R(g), R(a), R(a))
		t.add(p, R(a), R(v), R(v))
		t.store(p, R(v), at(vp, i, t))
		t.sqrt(p, R(v), R(b))
		t.add(p, R(eps), R(b), R(b))
		t.mul(p, R(m), R(step), R(a))
		t.div(p, R(b), R(a), R(a))
		t.load(p, at(pp, i, t), R(m))
		t.sub(p, R(a), R(m), R(m))
		t.store(p, R(m), at(pp, i, t))
	}, nil)
	LDMXCSR(saved)
	VZEROUPPER()
	RET()
}

func paramAddr(name string) Mem {
	p, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return p.Addr
}

// rowsLoop emits the loop over the rows of a block: body runs once per row,
// with x at the row's start, then x advances by ldx bytes and y, when not
// nil, by ldy bytes.
func rowsLoop(name string, x, ldx, y, ldy Register, body func()) {
	r := Load(Param("rows"), GP64())
	TESTQ(r, r)
	JZ(LabelRef(name + "_end"))
	Label(name + "_row")
	body()
	ADDQ(ldx, x)
	if y != nil {
		ADDQ(ldy, y)
	}
	DECQ(r)
	JNZ(LabelRef(name + "_row"))
	Label(name + "_end")
}

// biasRows generates addRows or reluBiasRows: add or reluBias applied to
// each row of a strided block, the epilogue of a matrix product applied to a
// tile of C while it is still in L1.
func biasRows(t typ, relu bool) {
	name := "addRows" + t.suffix
	doc := []string{name + " adds b to every row of the rows×cols block at x (row stride ld):", "",
		"\tfor i := range rows {", "\t\tfor j := range cols {", "\t\t\tx[i*ld+j] += b[j]", "\t\t}", "\t}"}
	if relu {
		name = "reluBiasRows" + t.suffix
		doc = []string{name + " adds b to every row of the rows×cols block at x (row stride ld)",
			"and clamps negative sums to zero, keeping NaNs:", "",
			"\tfor i := range rows {", "\t\tfor j := range cols {", "\t\t\tz := x[i*ld+j] + b[j]",
			"\t\t\tif 0 > z {", "\t\t\t\tz = 0", "\t\t\t}", "\t\t\tx[i*ld+j] = z", "\t\t}", "\t}"}
	}
	TEXT(name, NOSPLIT, fmt.Sprintf("func(x []%s, rows, cols, ld int, b []%s)", t.goType, t.goType))
	Pragma("noescape")
	Doc(append(doc, "", "The lengths are not checked.")...)
	x := Load(Param("x").Base(), GP64())
	b := Load(Param("b").Base(), GP64())
	n := Load(Param("cols"), GP64())
	ld := Load(Param("ld"), GP64())
	SHLQ(U8(log2(t.size)), ld)
	zero, z := YMM(), YMM()
	t.zero(zero)
	rowsLoop(name, x, ld, nil, nil, func() {
		elementwise(t, name, n, func(p bool, i Register) {
			t.load(p, at(x, i, t), reg(p, z))
			t.add(p, at(b, i, t), reg(p, z), reg(p, z))
			if relu {
				// As in reluBias: max returns z itself for NaN.
				t.max(p, reg(p, z), reg(p, zero), reg(p, z))
			}
			t.store(p, reg(p, z), at(x, i, t))
		}, nil)
	})
	VZEROUPPER()
	RET()
}

// maskRows generates the backward pass of reluBiasRows' clamp on a strided
// block: the gradient x is zeroed wherever the layer's output h is not
// positive.
func maskRows(t typ) {
	name := "maskRows" + t.suffix
	TEXT(name, NOSPLIT, fmt.Sprintf("func(x []%s, rows, cols, ld int, h []%s, ldh int)", t.goType, t.goType))
	Pragma("noescape")
	Doc(name+" zeroes the rows×cols block at x (row stride ld) wherever the block",
		"at h (row stride ldh) is not positive:", "",
		"\tfor i := range rows {", "\t\tfor j := range cols {", "\t\t\tif !(h[i*ldh+j] > 0) {",
		"\t\t\t\tx[i*ld+j] = 0", "\t\t\t}", "\t\t}", "\t}", "",
		"The lengths are not checked.")
	x := Load(Param("x").Base(), GP64())
	h := Load(Param("h").Base(), GP64())
	n := Load(Param("cols"), GP64())
	ld := Load(Param("ld"), GP64())
	SHLQ(U8(log2(t.size)), ld)
	ldh := Load(Param("ldh"), GP64())
	SHLQ(U8(log2(t.size)), ldh)
	zero, m, g := YMM(), YMM(), YMM()
	t.zero(zero)
	rowsLoop(name, x, ld, h, ldh, func() {
		elementwise(t, name, n, func(p bool, i Register) {
			t.load(p, at(h, i, t), reg(p, m))
			t.cmpGT(p, reg(p, zero), reg(p, m), reg(p, m))
			t.load(p, at(x, i, t), reg(p, g))
			t.and(reg(p, m), reg(p, g), reg(p, g))
			t.store(p, reg(p, g), at(x, i, t))
		}, nil)
	})
	VZEROUPPER()
	RET()
}

// sumRows generates sumRows: the rows of a block added into one row, in
// order, as repeated calls of add would, without a call per row.
func sumRows(t typ) {
	name := "sumRows" + t.suffix
	TEXT(name, NOSPLIT, fmt.Sprintf("func(s, x []%s, rows, cols int)", t.goType))
	Pragma("noescape")
	Doc(name+" adds the rows of the rows×cols matrix x (row stride cols) to s, in",
		"order:", "",
		"\tfor i := range rows {", "\t\tfor j := range cols {", "\t\t\ts[j] += x[i*cols+j]", "\t\t}", "\t}", "",
		"A layer's bias gradient, row by row as Add gives it, where a call per",
		"row of a narrow layer cost more than the sums. The lengths are not checked.")
	sp := Load(Param("s").Base(), GP64())
	x := Load(Param("x").Base(), GP64())
	n := Load(Param("cols"), GP64())
	ld := GP64()
	MOVQ(n, ld)
	SHLQ(U8(log2(t.size)), ld)
	a := YMM()
	rowsLoop(name, x, ld, nil, nil, func() {
		elementwise(t, name, n, func(p bool, i Register) {
			t.load(p, at(sp, i, t), reg(p, a))
			t.add(p, at(x, i, t), reg(p, a), reg(p, a))
			t.store(p, reg(p, a), at(sp, i, t))
		}, nil)
	})
	VZEROUPPER()
	RET()
}

func log2(x int) int {
	n := 0
	for x > 1 {
		x >>= 1
		n++
	}
	return n
}
