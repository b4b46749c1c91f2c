package gemm

// Panic messages, kept constant so that tests can match them.
const (
	errNegM   = "gemm: m < 0"
	errNegN   = "gemm: n < 0"
	errNegK   = "gemm: k < 0"
	errBadLdA = "gemm: bad lda"
	errBadLdB = "gemm: bad ldb"
	errBadLdC = "gemm: bad ldc"
	errShortA = "gemm: insufficient length of a"
	errShortB = "gemm: insufficient length of b"
	errShortC = "gemm: insufficient length of c"

	errReLUNoBias = "gemm: epilogue ReLU without Bias"
	errShortBias  = "gemm: insufficient length of epilogue Bias"
	errBadLdMask  = "gemm: bad epilogue LDMask"
	errShortMask  = "gemm: insufficient length of epilogue Mask"
)
