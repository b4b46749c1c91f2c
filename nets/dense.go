package nets

import (
	"fmt"
	"math/rand/v2"
)

// Dense is a plain ReLU network x ↦ f(x) for regression: ReLU after every
// layer but the last. It is the network of the deep-ReLU theorems, and the
// same layer stack as a DeepONet's branch and trunk.
type Dense[T Float] struct {
	Net *MLP[T]

	params, grads []T
	dOut          []T // batch×out gradient at the output
}

// NewDense returns a He-initialised network with layer widths sizes, from the
// input width to the output width, drawn from rng.
func NewDense[T Float](sizes []int, rng *rand.Rand) (*Dense[T], error) {
	if err := checkSizes("dense network", sizes); err != nil {
		return nil, err
	}
	n := mlpParams(sizes)
	d := &Dense[T]{
		Net:    &MLP[T]{Sizes: append([]int(nil), sizes...)},
		params: make([]T, n),
		grads:  make([]T, n),
	}
	d.Net.bind(d.params, d.grads)
	d.Net.initHe(rng, 1)
	return d, nil
}

// NumParams returns N, the number of weights and biases.
func (d *Dense[T]) NumParams() int { return len(d.params) }

// Params returns the parameter vector; Grads the gradient vector of the same
// layout. Both are the network's own storage.
func (d *Dense[T]) Params() []T { return d.params }
func (d *Dense[T]) Grads() []T  { return d.grads }

// Forward returns the batch×out outputs for the batch×in inputs x, in a
// workspace that the next call reuses.
func (d *Dense[T]) Forward(x []T, batch int) []T { return d.Net.forward(x, batch) }

// LossGrad runs the forward pass, returns the mean squared error over all
// batch×out outputs against y and leaves its gradient in Grads.
func (d *Dense[T]) LossGrad(x []T, batch int, y []T) float64 {
	out := d.Net.forward(x, batch)
	d.dOut = grow(d.dOut, len(out))
	loss, _ := mseGrad(d.dOut[:len(out)], out, y, 0)
	d.Net.backward(d.dOut[:len(out)], batch)
	return loss
}

// Flops returns the floating-point operations of one forward pass over batch
// inputs; a training step costs about three times that.
func (d *Dense[T]) Flops(batch int) float64 { return d.Net.flops(batch) }

// String describes the architecture as dense [in, …, out].
func (d *Dense[T]) String() string { return fmt.Sprintf("dense %v", d.Net.Sizes) }
