package harness

import (
	"fmt"
	"math"

	"opscale/bounds"
)

// Network kinds of a data sweep (the network table's kind field).
const (
	// KindFixed trains the suite's network at every n: its capacity is
	// constant, so at large n its error meets that network's own floor.
	KindFixed = "fixed"
	// KindPrescribed grows the network with n as the theorem's proof does
	// (bounds' Balance and Prescribe): the estimator the bound is about.
	KindPrescribed = "prescribed"
)

// Prescribed records how a network grown with n was sized. The proof's
// network for accuracy ε has a branch of width W_B(ε) and depth L_B(ε), p(ε)
// basis terms and p trunk networks of depth L_T(ε), N(ε) parameters in all,
// each O(·) with unknown constants; ε(n) minimises ε² + κ·N(ε)·log n/n
// (bounds' BalanceWeighted), with κ another unknown constant. All are set
// once, at n = CalibratedAt, so that the network there is the suite's:
// ε0 is the accuracy whose prescription has as many parameters as the
// suite's network, κ the weight for which the balance at CalibratedAt
// chooses ε0 (bounds' CalibrateBalance), and then width = CBranch·W_B(ε),
// p = CP·p(ε), trunk width = CTrunk·p(ε) (the p trunk networks of width
// O(1) share one trunk of width ∝ p), depths CBranchDepth·L_B(ε) and
// CTrunkDepth·L_T(ε), rounded. See docs/METHOD.md, "Regimes".
type Prescribed struct {
	Eps          float64 `json:"eps"`           // ε(n)
	CalibratedAt int     `json:"calibrated_at"` // the n whose network is the suite's
	Eps0         float64 `json:"eps0"`          // ε there
	Kappa        float64 `json:"kappa"`         // the variance term's weight
	CBranch      float64 `json:"c_branch"`
	CTrunk       float64 `json:"c_trunk"`
	CP           float64 `json:"c_p"`
	CBranchDepth float64 `json:"c_branch_depth"`
	CTrunkDepth  float64 `json:"c_trunk_depth"`
	BranchWidth  int     `json:"branch_width"`
	BranchDepth  int     `json:"branch_depth"`
	TrunkWidth   int     `json:"trunk_width"`
	TrunkDepth   int     `json:"trunk_depth"`
	P            int     `json:"p"`
}

// maxPrescribedWidth bounds the widths a prescription may ask for: past it
// one run would take hours on the machines opscale targets.
const maxPrescribedWidth = 4096

// deepONetParams counts the parameters of a DeepONet with m sensors, output
// dimension d2 and the given hidden widths: each layer's weights and biases,
// and the output bias b₀.
func deepONetParams(m, d2 int, branch, trunk []int, p int) int {
	count := func(in int, hidden []int) int {
		total, prev := 0, in
		for _, w := range append(append([]int(nil), hidden...), p) {
			total += prev*w + w
			prev = w
		}
		return total
	}
	return count(m, branch) + count(d2, trunk) + 1
}

// prescribe sizes the network for n training functions on m sensors.
func (e *Experiment) prescribe(m, n int) (*Prescribed, error) {
	th, err := bounds.Lookup(e.Theorem)
	if err != nil {
		return nil, err
	}
	d, err := e.Dims()
	if err != nil {
		return nil, err
	}
	d.NX = m
	net := e.Network
	n0 := net.CalibratedAt
	given := deepONetParams(m, d.D2, net.Branch, net.Trunk, net.P)
	eps0, kappa, err := th.CalibrateBalance(d, float64(n0), float64(given))
	if err != nil {
		return nil, fmt.Errorf("field network.calibrated_at = %d: %w", n0, err)
	}
	p0, err := th.Prescribe(d, eps0)
	if err != nil {
		return nil, err
	}
	if p0.Basis == 0 {
		return nil, fmt.Errorf("field network.kind = %q: theorem %s prescribes no DeepONet", KindPrescribed, th.ID)
	}
	eps, _, err := th.BalanceWeighted(d, float64(n), kappa)
	if err != nil {
		return nil, fmt.Errorf("size %d: %w", n, err)
	}
	if n == n0 {
		eps = eps0 // the same ε, not the search's rounding of it
	}
	p, err := th.Prescribe(d, eps)
	if err != nil {
		return nil, err
	}
	r := &Prescribed{
		Eps: eps, CalibratedAt: n0, Eps0: eps0, Kappa: kappa,
		CBranch:      float64(net.Branch[0]) / p0.Branch.Width,
		CTrunk:       float64(net.Trunk[0]) / p0.Basis,
		CP:           float64(net.P) / p0.Basis,
		CBranchDepth: float64(len(net.Branch)) / p0.Branch.Depth,
		CTrunkDepth:  float64(len(net.Trunk)) / p0.Trunk.Depth,
	}
	round := func(v float64) int { return max(1, int(math.Round(v))) }
	r.BranchWidth = round(r.CBranch * p.Branch.Width)
	r.TrunkWidth = round(r.CTrunk * p.Basis)
	r.P = round(r.CP * p.Basis)
	r.BranchDepth = round(r.CBranchDepth * p.Branch.Depth)
	r.TrunkDepth = round(r.CTrunkDepth * p.Trunk.Depth)
	for _, w := range []int{r.BranchWidth, r.TrunkWidth, r.P} {
		if w > maxPrescribedWidth {
			return nil, fmt.Errorf("field network.kind = %q: at n = %d the prescription asks for width %d, beyond %d: use a fixed network or smaller sizes", KindPrescribed, n, w, maxPrescribedWidth)
		}
	}
	return r, nil
}
