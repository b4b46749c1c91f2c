package nets

import (
	"fmt"
	"math/rand/v2"
)

// Reference is one reference network of the throughput comparison with
// PyTorch: a full training step (loss and gradient, then an Adam update) on
// synthetic data of the shapes the peer script torch_train.py uses, which
// names the network by --model and --width. The nets tests, the benchmarks
// and `opscale benchtrain` all take their networks from References.
type Reference struct {
	Name  string // e.g. "deeponet-w40"
	Model string // the peer script's --model: deeponet, antiderivative or mlp
	Width int    // the peer script's --width
	// A DeepONet trains on N functions at M sensors and P points; a dense
	// network (MLP) on Batch rows through the layer widths Dense.
	DeepONet *DeepONetConfig
	N, M, P  int
	Dense    []int
	Batch    int
	Big      bool // slow enough that tests skip it under -short
}

// References returns the reference networks: DeepONets with three hidden
// layers of width 40, 128 and 512 on 1000 functions, the antiderivative
// network of the DeepONet paper (one hidden layer of 40, 150 functions), and
// an MLP 8→4×256→1 on batches of 4096.
func References() []Reference {
	var rs []Reference
	for _, w := range []int{40, 128, 512} {
		rs = append(rs, Reference{
			Name: fmt.Sprintf("deeponet-w%d", w), Model: "deeponet", Width: w,
			DeepONet: &DeepONetConfig{Sensors: 100, OutDim: 1, Branch: []int{w, w, w}, Trunk: []int{w, w, w}, P: w, TrunkLastReLU: true},
			N:        1000, M: 100, P: 100, Big: w == 512,
		})
	}
	return append(rs,
		Reference{
			Name: "antiderivative", Model: "antiderivative", Width: 40,
			DeepONet: &DeepONetConfig{Sensors: 100, OutDim: 1, Branch: []int{40}, Trunk: []int{40}, P: 40, TrunkLastReLU: true},
			N:        150, M: 100, P: 100,
		},
		Reference{Name: "mlp", Model: "mlp", Width: 256, Dense: []int{8, 256, 256, 256, 256, 1}, Batch: 4096, Big: true},
	)
}

// ReferenceStep builds the network r in precision T with its synthetic data,
// all drawn from seed, and returns one training step (returning the loss it
// computed), the parameters and the floating-point operations of a step.
func ReferenceStep[T Float](r Reference, seed uint64) (step func() float64, params []T, flops float64, err error) {
	lossGrad, update, params, flops, err := ReferenceParts[T](r, seed)
	if err != nil {
		return nil, nil, 0, err
	}
	return func() float64 {
		loss := lossGrad()
		update()
		return loss
	}, params, flops, nil
}

// ReferenceParts is ReferenceStep in its two parts, for timing them apart:
// the loss and its gradient (every matrix product of the step), and the
// Adam update, whose cost grows with the parameters and not the batch.
func ReferenceParts[T Float](r Reference, seed uint64) (lossGrad func() float64, update func(), params []T, flops float64, err error) {
	rng := rand.New(rand.NewPCG(seed, 1))
	fill := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(rng.NormFloat64())
		}
		return s
	}
	if r.DeepONet != nil {
		d, err := NewDeepONet[T](*r.DeepONet, rng)
		if err != nil {
			return nil, nil, nil, 0, err
		}
		u, v := fill(r.N*r.M), fill(r.N*r.P)
		y := make([]T, r.P)
		for j := range y {
			y[j] = T(float64(j) / float64(r.P-1))
		}
		adam := NewAdam[T](d.NumParams())
		return func() float64 { return d.LossGrad(u, r.N, y, r.P, v) },
			func() { adam.Step(d.Params(), d.Grads(), 1e-3) },
			d.Params(), 3 * d.Flops(r.N, r.P), nil
	}
	d, err := NewDense[T](r.Dense, rng)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	x, y := fill(r.Batch*r.Dense[0]), fill(r.Batch*r.Dense[len(r.Dense)-1])
	adam := NewAdam[T](d.NumParams())
	return func() float64 { return d.LossGrad(x, r.Batch, y) },
		func() { adam.Step(d.Params(), d.Grads(), 1e-3) },
		d.Params(), 3 * d.Flops(r.Batch), nil
}
