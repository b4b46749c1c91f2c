// Package npy reads and writes NumPy .npy files holding one float matrix,
// the format in which opscale hands datasets to Python and takes matrices
// back from it.
//
// It lives apart from the operators because it is a file format, not
// mathematics: problems/ writes its datasets through it and the dim command
// reads arbitrary matrices through it, and neither should reach into the
// other for that. It sits under internal/ because problems/ may import no
// other opscale package but a small shared utility, and because it is no API
// of its own: npyio does the parsing, this package the checks npyio leaves to
// its caller (declared sizes against the bytes present, overflow, dtype).
package npy
