package nets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// MLP is a dense ReLU network with layer widths Sizes: ReLU after every layer
// but the last, and after the last too when LastReLU is set.
type MLP[T Float] struct {
	Sizes    []int
	LastReLU bool

	w, b   [][]T // views into the owner's parameter vector
	gw, gb [][]T // views into the owner's gradient vector

	batch int
	h     [][]T // h[0] is the input; h[l+1] the output of layer l
	dh    [][]T // dh[l] is the gradient with respect to h[l], for l ≥ 1
}

// mlpParams returns the number of weights and biases of a network with the
// given layer widths.
func mlpParams(sizes []int) int {
	n := 0
	for l := 0; l+1 < len(sizes); l++ {
		n += sizes[l]*sizes[l+1] + sizes[l+1]
	}
	return n
}

func checkSizes(name string, sizes []int) error {
	if len(sizes) < 2 {
		return fmt.Errorf("nets: %s needs at least an input and an output width, got %v", name, sizes)
	}
	for i, s := range sizes {
		if s <= 0 {
			return fmt.Errorf("nets: %s width %d of %v is %d: widths must be positive", name, i, sizes, s)
		}
	}
	return nil
}

// bind makes the network's weights and gradients views of params and grads,
// which must hold mlpParams(Sizes) elements each.
func (m *MLP[T]) bind(params, grads []T) {
	L := len(m.Sizes) - 1
	m.w, m.b = make([][]T, L), make([][]T, L)
	m.gw, m.gb = make([][]T, L), make([][]T, L)
	off := 0
	for l := range L {
		in, out := m.Sizes[l], m.Sizes[l+1]
		m.w[l], m.gw[l] = params[off:off+in*out], grads[off:off+in*out]
		off += in * out
		m.b[l], m.gb[l] = params[off:off+out], grads[off:off+out]
		off += out
	}
	m.h = make([][]T, L+1)
	m.dh = make([][]T, L+1)
}

// initHe draws the weights of every ReLU layer from N(0, 2/fan_in), which
// keeps the activations' second moment constant through the layers (He et
// al. 2015), and those of a linear last layer from N(0, gain/fan_in). Biases
// start at zero.
func (m *MLP[T]) initHe(rng *rand.Rand, gain float64) {
	for l := range m.w {
		v := 2.0
		if !m.relu(l) {
			v = gain
		}
		sd := math.Sqrt(v / float64(m.Sizes[l]))
		for i := range m.w[l] {
			m.w[l][i] = T(sd * rng.NormFloat64())
		}
		clear(m.b[l])
	}
}

func (m *MLP[T]) reserve(batch int) {
	if batch <= m.batch {
		return
	}
	for l := 1; l < len(m.Sizes); l++ {
		m.h[l] = grow(m.h[l], batch*m.Sizes[l])
		m.dh[l] = grow(m.dh[l], batch*m.Sizes[l])
	}
	m.batch = batch
}

func (m *MLP[T]) relu(l int) bool { return l+2 < len(m.Sizes) || m.LastReLU }

// forward runs the batch×Sizes[0] input x through the network and returns the
// batch×Sizes[L] output, a view of a workspace that the next call reuses. x
// must stay unchanged until backward.
func (m *MLP[T]) forward(x []T, batch int) []T {
	m.reserve(batch)
	m.h[0] = x
	for l := range m.w {
		in, out := m.Sizes[l], m.Sizes[l+1]
		z := m.h[l+1][:batch*out]
		if fuseEpilogue {
			matmulBias(false, false, batch, out, in, m.h[l][:batch*in], m.w[l], m.b[l], m.relu(l), z)
		} else {
			matmul(false, false, batch, out, in, 1, m.h[l][:batch*in], m.w[l], 0, z)
			addBiasReLU(z, m.b[l], batch, out, m.relu(l))
		}
	}
	return m.h[len(m.w)][:batch*m.Sizes[len(m.w)]]
}

// backward takes dOut, the gradient of the loss with respect to the output
// of the last forward call, and writes the gradients of every weight and
// bias. It overwrites dOut.
func (m *MLP[T]) backward(dOut []T, batch int) {
	top := len(m.w) - 1
	for l := top; l >= 0; l-- {
		in, out := m.Sizes[l], m.Sizes[l+1]
		dz := dOut
		if l < top {
			dz = m.dh[l+1][:batch*out]
		}
		if l < top && fuseEpilogue {
			// The product that made dz applied the ReLU mask.
			columnSums(dz, m.gb[l], batch, out)
		} else {
			biasReLUBackward(dz, m.h[l+1][:batch*out], m.gb[l], batch, out, m.relu(l))
		}
		matmul(true, false, in, out, batch, 1, m.h[l][:batch*in], dz, 0, m.gw[l])
		if l > 0 {
			dh := m.dh[l][:batch*in]
			if m.relu(l-1) && fuseEpilogue {
				matmulMask(false, true, batch, in, out, dz, m.w[l], m.h[l][:batch*in], dh)
			} else {
				matmul(false, true, batch, in, out, 1, dz, m.w[l], 0, dh)
			}
		}
	}
}

// flops returns the multiply–adds ×2 of one forward pass over batch inputs.
func (m *MLP[T]) flops(batch int) float64 {
	var f float64
	for l := 0; l+1 < len(m.Sizes); l++ {
		f += 2 * float64(batch) * float64(m.Sizes[l]) * float64(m.Sizes[l+1])
	}
	return f
}
