// Package nets trains the networks opscale measures: dense ReLU networks and
// unstacked DeepONets, with forward and backward passes written by hand on
// batched matrices, He initialisation and Adam.
//
// # Layout
//
// Matrices are row-major. A batch of b inputs of width w is a b×w matrix, and
// a dense layer from w to v stores its weights as a w×v matrix W, so that the
// layer computes H·W + 1·bᵀ. Every product goes through the one function of
// package nets/internal/gemm. Dense and DeepONet share one layer stack, MLP,
// and so one forward and one backward pass.
//
// # The training step
//
// A step is LossGrad followed by Adam.Step. Besides the products it makes
// one pass over each layer's output in the forward direction (bias and ReLU
// together) and one in the backward direction (the ReLU's mask and the bias
// gradient together); the loss pass also adds the DeepONet's output bias.
// These passes and Adam's update are the AVX2 kernels of
// nets/internal/vec. Workspaces are kept in the network and reused, so that
// a step in steady state allocates nothing of its own.
//
// # Parameters
//
// A network keeps all its parameters in one flat slice, and their gradients
// in another of the same layout, so that the optimiser, the parameter count
// and checkpoints treat them as one vector. Params returns it.
//
// # Determinism
//
// Initialisation, batch order and every reduction follow a fixed order given
// by the seed, and the products never split a sum across threads, so a run
// gives the same bits whatever the number of threads.
package nets
