package bounds

import (
	"fmt"
	"math"
)

// The proofs build, for a target accuracy ε, networks whose depth, width and
// number of nonzero weights are O(·) of ε. The constants of those O(·) are
// unknown, so every one is set to 1 here: the prescriptions give the scaling
// (powers of ε and log factors), not real sizes. log ε⁻¹ is taken as
// 1 + ln(1/ε), of the same order, so that depths stay at least 1 as ε → 1.
//
// Plain ReLU network for a Lipschitz function of d variables (the construction
// the paper uses for T-relu-*; also Chen, Jiang, Liao, Zhao 2019):
//
//	depth L = log ε⁻¹, width ε^{−d}, nonzero weights K = ε^{−d}·log ε⁻¹.
//
// DeepONet G_NN(u)(y) = Σ_{k≤p} ã_k(u)·q̃_k(y): p = ε^{−d2} basis terms, one
// trunk network q̃_k and one branch network ã_k per term, so
// N(ε) = p·(K_trunk + K_branch).
//
//	trunk:               depth log ε⁻¹, width 1, K = log ε⁻¹
//	low-dim branch:      depth log ε⁻¹, width ε^{−b_U}, K = ε^{−b_U}·(log ε⁻¹ + n_x)
//	general branch:      c_U = ε^{−d1} points cover Ω_U, and the branch
//	                     approximates a Lipschitz function of c_U variables
//	                     with constant ∝ √c_U:
//	                     depth c_U²·log ε⁻¹, width (√c_U)^{c_U}·ε^{−c_U},
//	                     K = width·(depth + n_x)
//
// The general branch's K is not stated in the sources available here; it
// follows the pattern of the low-dimensional one (width times depth plus the
// sensor layer). Only its leading behaviour, ln N ≈ (1 + d1/2)·ε^{−d1}·ln ε⁻¹,
// matters for the rate, and that comes from the width.

// Net is the size of one ReLU network of a prescription. A size beyond
// float64 is +Inf; LogWeights is finite whenever ε is in (0, 1).
type Net struct {
	Depth      float64 // L, the number of layers
	Width      float64 // the largest layer width
	Weights    float64 // K, the number of nonzero weights and biases
	LogWeights float64 // ln K
}

// Prescription is the network a proof builds for accuracy Eps, with the
// constants of its O(·) set to 1.
type Prescription struct {
	Eps float64
	// Net is the network of a plain ReLU theorem; zero for a DeepONet.
	Net Net
	// Basis is p, the number of basis terms of a DeepONet: there are p trunk
	// and p branch networks of the sizes below. Zero for a plain network.
	Basis         float64
	Trunk, Branch Net
	// LogParams is ln N(ε), the natural log of the parameter count: N(ε)
	// overflows float64 for the general DeepONet at moderate ε.
	LogParams float64
}

// Params returns N(ε), +Inf if it exceeds float64.
func (p Prescription) Params() float64 { return math.Exp(p.LogParams) }

// logInv returns log ε⁻¹ as the prescriptions use it, 1 + u with u = ln(1/ε).
func logInv(u float64) float64 { return 1 + u }

// logAddExp returns ln(eᵃ + eᵇ) without overflow.
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

func netOf(depth, logWidth, logWeights float64) Net {
	return Net{Depth: depth, Width: math.Exp(logWidth), Weights: math.Exp(logWeights), LogWeights: logWeights}
}

// reluNet is the plain network for a Lipschitz function of d variables; u is
// ln(1/ε).
func reluNet(d Dims, u float64) Prescription {
	k := float64(d.D)
	l := logInv(u)
	n := netOf(l, k*u, k*u+math.Log(l))
	return Prescription{Eps: math.Exp(-u), Net: n, LogParams: n.LogWeights}
}

func trunkNet(u float64) Net {
	l := logInv(u)
	return netOf(l, 0, math.Log(l))
}

func deepONet(d Dims, u float64, branch Net) Prescription {
	trunk := trunkNet(u)
	logBasis := float64(d.D2) * u
	return Prescription{
		Eps:       math.Exp(-u),
		Basis:     math.Exp(logBasis),
		Trunk:     trunk,
		Branch:    branch,
		LogParams: logBasis + logAddExp(trunk.LogWeights, branch.LogWeights),
	}
}

// deepONetLow is the DeepONet for inputs in a b_U-dimensional span.
func deepONetLow(d Dims, u float64) Prescription {
	b := float64(d.BU)
	l := logInv(u)
	return deepONet(d, u, netOf(l, b*u, b*u+math.Log(l+float64(d.NX))))
}

// deepONetGeneral is the DeepONet for a general Lipschitz operator.
func deepONetGeneral(d Dims, u float64) Prescription {
	d1 := float64(d.D1)
	l := logInv(u)
	logC := d1 * u                  // ln c_U
	cU := math.Exp(logC)            // c_U, +Inf past ε^{−d1} ≈ 1e308
	logWidth := cU * u * (1 + d1/2) // ln((√c_U)^{c_U}·ε^{−c_U})
	logDepth := 2*logC + math.Log(l)
	logWeights := logWidth + logAddExp(logDepth, math.Log(float64(d.NX)))
	return deepONet(d, u, netOf(math.Exp(logDepth), logWidth, logWeights))
}

// prescriptionChecks validates what a prescription needs.
func (t Theorem) prescriptionChecks(d Dims) error {
	if t.params == nil {
		return fmt.Errorf("bounds: %s is a reference rate: it prescribes no network", t.ID)
	}
	if err := t.checkInt(d, t.Reads); err != nil {
		return err
	}
	return t.checkInt(d, t.paramReads)
}

// Prescribe returns the network the proof builds for accuracy eps in (0, 1):
// sup error eps for an approximation theorem, and the same network for the
// generalization theorem that uses it. It fails for references, for eps out
// of range, and for invalid dimensions, naming them.
func (t Theorem) Prescribe(d Dims, eps float64) (Prescription, error) {
	if err := t.prescriptionChecks(d); err != nil {
		return Prescription{}, err
	}
	if !(eps > 0 && eps < 1) {
		return Prescription{}, fmt.Errorf("bounds: %s: accuracy ε = %g: it must lie in (0, 1)", t.ID, eps)
	}
	return t.params(d, -math.Log(eps)), nil
}

// PrescribedError returns the error the proof's own construction gives at
// size x, constants set to 1. For an approximation theorem x is N and the
// result is the ε whose prescription has N(ε) = x parameters. For a
// generalization theorem x is n and the result is the risk of Balance.
// Its log–log slope approaches the theorem's exponent as x grows; the tests
// check that.
func (t Theorem) PrescribedError(d Dims, x float64) (float64, error) {
	if t.Swept == DataSize {
		_, risk, err := t.Balance(d, x)
		return risk, err
	}
	if err := t.prescriptionChecks(d); err != nil {
		return 0, err
	}
	lp := func(u float64) float64 { return t.params(d, u).LogParams }
	if !(x > math.Exp(lp(0))) || math.IsInf(x, 1) {
		return 0, fmt.Errorf("bounds: %s: size N = %g: the smallest prescribed network has %.4g parameters", t.ID, x, math.Exp(lp(0)))
	}
	return math.Exp(-invertLog(lp, math.Log(x))), nil
}

// Balance returns, for a generalization theorem and n training pairs, the
// accuracy ε that minimises the bias–variance sum of docs/METHOD.md, "Regimes",
//
//	risk(ε) = ε² + N(ε)·log n / n,
//
// with N(ε) the parameter count of the theorem's prescription, and that
// minimal risk. The minimiser is the network size the theorem prescribes for
// n; the risk decays as the theorem's rate up to log factors.
func (t Theorem) Balance(d Dims, n float64) (eps, risk float64, err error) {
	return t.BalanceWeighted(d, n, 1)
}

// BalanceWeighted is Balance with the variance term weighted by kappa > 0:
// it minimises ε² + κ·N(ε)·log n/n. The proofs' O(·) constants put an
// unknown weight between the two terms; with κ = 1 (Balance) the minimiser
// sits at ε = 1 up to n of a few hundred for the low-dimensional DeepONet,
// far from any network that can be trained. CalibrateBalance finds κ.
func (t Theorem) BalanceWeighted(d Dims, n, kappa float64) (eps, risk float64, err error) {
	if !(kappa > 0) || math.IsInf(kappa, 1) {
		return 0, 0, fmt.Errorf("bounds: %s: variance weight κ = %g: it must be positive and finite", t.ID, kappa)
	}
	if err := t.balanceChecks(d, n); err != nil {
		return 0, 0, err
	}
	lk := math.Log(kappa)
	lp := func(u float64) float64 { return t.params(d, u).LogParams + lk }
	u, lr := balanceLog(lp, math.Log(n))
	return math.Exp(-u), math.Exp(lr), nil
}

// balanceChecks names what keeps a theorem and data size from a balance.
func (t Theorem) balanceChecks(d Dims, n float64) error {
	if t.Swept != DataSize {
		return fmt.Errorf("bounds: %s is an approximation bound: Balance needs a generalization theorem", t.ID)
	}
	if err := t.prescriptionChecks(d); err != nil {
		return err
	}
	if !(n > math.E) || math.IsInf(n, 1) {
		return fmt.Errorf("bounds: %s: data size n = %g: it must be finite and above e", t.ID, n)
	}
	return nil
}

// CalibrateBalance returns the accuracy ε whose prescription has params
// parameters, and the weight κ with which BalanceWeighted at n chooses that
// ε: the two O(1) constants that make a given network at size n the
// prescribed one. From the first-order condition of ε² + κ·N(ε)·log n/n in
// u = ln(1/ε): κ = 2ε²·n / (N(ε)·(d ln N/du)·ln n).
func (t Theorem) CalibrateBalance(d Dims, n, params float64) (eps, kappa float64, err error) {
	if err := t.balanceChecks(d, n); err != nil {
		return 0, 0, err
	}
	lp := func(u float64) float64 { return t.params(d, u).LogParams }
	if !(params > math.Exp(lp(0))) || math.IsInf(params, 1) {
		return 0, 0, fmt.Errorf("bounds: %s: %g parameters: the smallest prescribed network has %.4g", t.ID, params, math.Exp(lp(0)))
	}
	u := invertLog(lp, math.Log(params))
	// ln N is smooth in u; a central difference with step 1e-5 is accurate
	// to about 1e-10 relative, far below what sizes rounded to integers see.
	h := 1e-5 * math.Max(1, u)
	slope := (lp(u+h) - lp(u-h)) / (2 * h)
	lnn := math.Log(n)
	kappa = 2 * math.Exp(-2*u+lnn-lp(u)) / (slope * lnn)
	return math.Exp(-u), kappa, nil
}

// invertLog returns u = ln(1/ε) with lp(u) = lx, for lp increasing with
// lp(0) < lx. Bisection: lp may be +Inf far out, which only moves the upper
// end.
func invertLog(lp func(float64) float64, lx float64) float64 {
	lo, hi := 0.0, 1.0
	for lp(hi) < lx {
		lo, hi = hi, 2*hi
	}
	for i := 0; i < 200 && hi-lo > 1e-15*hi; i++ {
		m := (lo + hi) / 2
		if lp(m) < lx {
			lo = m
		} else {
			hi = m
		}
	}
	return (lo + hi) / 2
}

// balanceLog minimises ln(e^{−2u} + e^{lp(u)}·ln n/n) over u = ln(1/ε) ≥ 0,
// given ln n = lnn > 1, and returns the minimiser and the minimum. The sum is
// convex in u for the prescriptions here (each N(ε) is a sum of products of
// positive, increasing, convex functions of u), so a golden-section search
// on a bracket finds the minimum.
func balanceLog(lp func(float64) float64, lnn float64) (u, logRisk float64) {
	c := math.Log(lnn) - lnn
	g := func(u float64) float64 { return logAddExp(-2*u, lp(u)+c) }
	// The minimiser lies below any u where the variance term alone exceeds
	// the risk at u = 0.
	g0 := g(0)
	hi := 1.0
	for lp(hi)+c <= g0 {
		hi *= 2
	}
	const invPhi = 0.6180339887498949
	a, b := 0.0, hi
	x1, x2 := b-invPhi*(b-a), a+invPhi*(b-a)
	f1, f2 := g(x1), g(x2)
	for i := 0; i < 300 && b-a > 1e-13*math.Max(1, b); i++ {
		if f1 <= f2 {
			b, x2, f2 = x2, x1, f1
			x1 = b - invPhi*(b-a)
			f1 = g(x1)
		} else {
			a, x1, f1 = x1, x2, f2
			x2 = a + invPhi*(b-a)
			f2 = g(x2)
		}
	}
	u = (a + b) / 2
	return u, g(u)
}
