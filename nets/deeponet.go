package nets

import (
	"fmt"
	"math/rand/v2"
)

// DeepONetConfig sizes an unstacked DeepONet.
type DeepONetConfig struct {
	Sensors int   // m, the branch input width
	OutDim  int   // d2, the trunk input width
	Branch  []int // hidden widths of the branch net
	Trunk   []int // hidden widths of the trunk net
	P       int   // number of basis functions, the width both nets end in
	// TrunkLastReLU applies ReLU to the trunk's output too, as DeepXDE does.
	TrunkLastReLU bool
}

// DeepONet is G(u)(y) = Σ_k branch(u)_k·trunk(y)_k + b₀ with ReLU branch and
// trunk networks. For n functions at m sensors (U, n×m) and P points (Y, P×d2)
// the output is the n×P matrix branch(U)·trunk(Y)ᵀ + b₀.
type DeepONet[T Float] struct {
	Config        DeepONetConfig
	Branch, Trunk *MLP[T]

	params, grads []T

	out, dOut []T // n×P workspaces
	dB, dT    []T // gradients at the branch and trunk outputs
}

// NewDeepONet returns a He-initialised DeepONet drawn from rng.
func NewDeepONet[T Float](cfg DeepONetConfig, rng *rand.Rand) (*DeepONet[T], error) {
	bs := append(append([]int{cfg.Sensors}, cfg.Branch...), cfg.P)
	ts := append(append([]int{cfg.OutDim}, cfg.Trunk...), cfg.P)
	if err := checkSizes("branch", bs); err != nil {
		return nil, err
	}
	if err := checkSizes("trunk", ts); err != nil {
		return nil, err
	}
	nb, nt := mlpParams(bs), mlpParams(ts)
	d := &DeepONet[T]{
		Config: cfg,
		Branch: &MLP[T]{Sizes: bs},
		Trunk:  &MLP[T]{Sizes: ts, LastReLU: cfg.TrunkLastReLU},
		params: make([]T, nb+nt+1),
		grads:  make([]T, nb+nt+1),
	}
	d.Branch.bind(d.params[:nb], d.grads[:nb])
	d.Trunk.bind(d.params[nb:nb+nt], d.grads[nb:nb+nt])
	// The output sums P products of branch and trunk features; a branch
	// output layer of variance 1/(fan_in·P) keeps that sum of order one at
	// the start instead of order P.
	d.Branch.initHe(rng, 1/float64(cfg.P))
	d.Trunk.initHe(rng, 1)
	return d, nil
}

// NumParams returns N, the number of trainable parameters: every weight and
// bias of both nets and the output bias b₀.
func (d *DeepONet[T]) NumParams() int { return len(d.params) }

// Params returns the parameter vector; Grads the gradient vector of the same
// layout. Both are the network's own storage.
func (d *DeepONet[T]) Params() []T { return d.params }
func (d *DeepONet[T]) Grads() []T  { return d.grads }

func (d *DeepONet[T]) bias() *T { return &d.params[len(d.params)-1] }

// Forward returns the n×P predictions for the n inputs U (n×m) at the P
// points Y (P×d2), in a workspace that the next call reuses.
func (d *DeepONet[T]) Forward(u []T, n int, y []T, p int) []T {
	out := d.forward(u, n, y, p)
	b0 := *d.bias()
	for i := range out {
		out[i] += b0
	}
	return out
}

// forward is Forward without the output bias, which LossGrad adds in the
// same pass as it takes the residuals.
func (d *DeepONet[T]) forward(u []T, n int, y []T, p int) []T {
	q := d.Config.P
	b := d.Branch.forward(u, n)
	t := d.Trunk.forward(y, p)
	d.out = grow(d.out, n*p)
	out := d.out[:n*p]
	matmul(false, true, n, p, q, 1, b, t, 0, out)
	return out
}

// LossGrad runs the forward pass, returns the mean squared error over all
// n×P outputs against V and leaves its gradient in Grads.
func (d *DeepONet[T]) LossGrad(u []T, n int, y []T, p int, v []T) float64 {
	out := d.forward(u, n, y, p)
	q := d.Config.P
	d.dOut = grow(d.dOut, n*p)
	dOut := d.dOut[:n*p]
	loss, db0 := mseGrad(dOut, out, v, *d.bias())
	d.grads[len(d.grads)-1] = T(db0)

	d.dB = grow(d.dB, n*q)
	d.dT = grow(d.dT, p*q)
	dB, dT := d.dB[:n*q], d.dT[:p*q]
	tOut := d.Trunk.h[len(d.Trunk.Sizes)-1][:p*q]
	bOut := d.Branch.h[len(d.Branch.Sizes)-1][:n*q]
	matmul(false, false, n, q, p, 1, dOut, tOut, 0, dB)
	matmul(true, false, p, q, n, 1, dOut, bOut, 0, dT)
	d.Branch.backward(dB, n)
	d.Trunk.backward(dT, p)
	return loss
}

// Flops returns the floating-point operations of one forward pass on n
// functions at P points; a training step costs about three times that.
func (d *DeepONet[T]) Flops(n, p int) float64 {
	return d.Branch.flops(n) + d.Trunk.flops(p) + 2*float64(n)*float64(p)*float64(d.Config.P)
}

// String describes the architecture as branch [m, …, p] trunk [d2, …, p].
func (d *DeepONet[T]) String() string {
	return fmt.Sprintf("branch %v trunk %v", d.Branch.Sizes, d.Trunk.Sizes)
}
