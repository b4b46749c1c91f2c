package nets

import "fmt"

// ScatteredData is a training set in which every function is observed at
// points of its own: n inputs at m sensors (U, n×m), K points per function
// (Y, n·K×d2, function i's points in rows i·K to i·K+K−1) and the targets
// there (V, n×K). It is what a sensor network gives that samples each
// function where it happens to look, and it lets the number of observations
// per function be small without aligning them.
type ScatteredData[T Float] struct {
	N, M, K, D2 int
	U, Y, V     []T
}

// ConvertScattered copies float64 data into the network's precision.
func ConvertScattered[T Float](n, m, k, d2 int, u, y, v []float64) ScatteredData[T] {
	return ScatteredData[T]{N: n, M: m, K: k, D2: d2, U: convert[T](u), Y: convert[T](y), V: convert[T](v)}
}

// forwardScattered returns the n×K outputs without the output bias for the
// n inputs U at their own points Y (n·K×d2): output (i, j) is
// ⟨branch(u_i), trunk(y_ij)⟩. Each row is a dot product of length p, summed
// in a fixed order on one goroutine, and the nets' products are the same
// bits for any thread count, so the result is too.
func (d *DeepONet[T]) forwardScattered(u []T, n int, y []T, k int) []T {
	q := d.Config.P
	b := d.Branch.forward(u, n)
	t := d.Trunk.forward(y, n*k)
	d.out = grow(d.out, n*k)
	out := d.out[:n*k]
	for i := range n {
		bi := b[i*q : (i+1)*q]
		for j := range k {
			tij := t[(i*k+j)*q : (i*k+j+1)*q]
			var s T
			for l, x := range bi {
				s += x * tij[l]
			}
			out[i*k+j] = s
		}
	}
	return out
}

// ForwardScattered returns the n×K predictions for the n inputs U (n×m),
// each at its own K points (Y, n·K×d2), in a workspace that the next call
// reuses.
func (d *DeepONet[T]) ForwardScattered(u []T, n int, y []T, k int) []T {
	out := d.forwardScattered(u, n, y, k)
	b0 := *d.bias()
	for i := range out {
		out[i] += b0
	}
	return out
}

// LossGradScattered runs the forward pass on scattered data, returns the
// mean squared error over all n×K outputs against V (n×K) and leaves its
// gradient in Grads. The backward pass is that of LossGrad with the product
// B·Tᵀ replaced by its rows: dB_i = Σ_j dOut_ij·T_ij and dT_ij = dOut_ij·B_i.
func (d *DeepONet[T]) LossGradScattered(u []T, n int, y []T, k int, v []T) float64 {
	out := d.forwardScattered(u, n, y, k)
	q := d.Config.P
	d.dOut = grow(d.dOut, n*k)
	dOut := d.dOut[:n*k]
	loss, db0 := mseGrad(dOut, out, v, *d.bias())
	d.grads[len(d.grads)-1] = T(db0)

	d.dB = grow(d.dB, n*q)
	d.dT = grow(d.dT, n*k*q)
	dB, dT := d.dB[:n*q], d.dT[:n*k*q]
	tOut := d.Trunk.h[len(d.Trunk.Sizes)-1][:n*k*q]
	bOut := d.Branch.h[len(d.Branch.Sizes)-1][:n*q]
	clear(dB)
	for i := range n {
		bi, dbi := bOut[i*q:(i+1)*q], dB[i*q:(i+1)*q]
		for j := range k {
			r := i*k + j
			g := dOut[r]
			tij, dtij := tOut[r*q:(r+1)*q], dT[r*q:(r+1)*q]
			for l := range q {
				dbi[l] += g * tij[l]
				dtij[l] = g * bi[l]
			}
		}
	}
	d.Branch.backward(dB, n)
	d.Trunk.backward(dT, n*k)
	return loss
}

// FlopsScattered returns the floating-point operations of one forward pass
// on n functions at K points each: the trunk runs on all n·K points.
func (d *DeepONet[T]) FlopsScattered(n, k int) float64 {
	return d.Branch.flops(n) + d.Trunk.flops(n*k) + 2*float64(n)*float64(k)*float64(d.Config.P)
}

// TrainScattered fits d to scattered data as Train fits aligned data: the
// same mini-batches of functions, Adam, schedule, validation and stopping.
// The validation set val is aligned (every function at the same points), so
// that the best step is chosen on the error the test set measures.
func TrainScattered[T Float](d *DeepONet[T], data ScatteredData[T], val Data[T], cfg TrainConfig) (TrainResult, error) {
	if data.M != d.Config.Sensors || data.D2 != d.Config.OutDim {
		return TrainResult{}, fmt.Errorf("nets: data has %d sensors and %d output dimensions, the network takes %d and %d",
			data.M, data.D2, d.Config.Sensors, d.Config.OutDim)
	}
	if cfg.Validation != 0 {
		return TrainResult{}, fmt.Errorf("nets: validation fraction %g: TrainScattered takes an explicit validation set, not a fraction of the training functions", cfg.Validation)
	}
	k, d2 := data.K, data.D2
	if k < 1 || len(data.U) != data.N*data.M || len(data.Y) != data.N*k*d2 || len(data.V) != data.N*k {
		return TrainResult{}, fmt.Errorf("nets: scattered set of %d functions at %d sensors and %d points each needs %d inputs, %d point coordinates and %d targets, got %d, %d and %d",
			data.N, data.M, k, data.N*data.M, data.N*k*d2, data.N*k, len(data.U), len(data.Y), len(data.V))
	}
	if val.N > 0 && (val.M != data.M || val.D2 != d2 || len(val.U) != val.N*val.M || len(val.V) != val.N*val.P || len(val.Y) != val.P*d2) {
		return TrainResult{}, fmt.Errorf("nets: validation set of %d functions at %d sensors and %d points does not fit the training set's %d sensors in %d output dimensions",
			val.N, val.M, val.P, data.M, d2)
	}
	// The training loop draws batches as rows of a target matrix; a
	// function's points travel in its row, after its targets, so that the
	// loop need not know that the points differ between functions.
	w := k * (1 + d2)
	rows := make([]T, data.N*w)
	for i := range data.N {
		copy(rows[i*w:], data.V[i*k:(i+1)*k])
		copy(rows[i*w+k:(i+1)*w], data.Y[i*k*d2:(i+1)*k*d2])
	}
	var by, bv []T
	return fit(model[T]{
		params: d.params, grads: d.grads,
		lossGrad: func(u []T, n int, r []T) float64 {
			by, bv = grow(by, n*k*d2), grow(bv, n*k)
			for i := range n {
				copy(bv[i*k:(i+1)*k], r[i*w:i*w+k])
				copy(by[i*k*d2:(i+1)*k*d2], r[i*w+k:(i+1)*w])
			}
			return d.LossGradScattered(u, n, by[:n*k*d2], k, bv[:n*k])
		},
		forward:  func(u []T, n int) []T { return d.Forward(u, n, val.Y, val.P) },
		flops:    func(n int) float64 { return d.FlopsScattered(n, k) },
		valFlops: func(n int) float64 { return d.Flops(n, val.P) },
	}, "functions", data.N, data.M, w, data.U, rows, val.N, val.U, val.V, cfg)
}
