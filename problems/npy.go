package problems

import (
	"fmt"
	"path/filepath"

	"opscale/internal/npy"
)

// Dataset files, as Dataset.WriteNPY writes them.
var datasetFiles = [...]string{"X.npy", "U.npy", "Y.npy", "V.npy"}

// WriteNPY writes the dataset to dir (created if needed) as X.npy (m×d1
// sensors), U.npy (n×m inputs), Y.npy (P×d2 output points) and V.npy (n×P
// outputs), each atomically.
func (ds *Dataset) WriteNPY(dir string) error {
	return writeNPY(dir, [4]npyMatrix{{ds.M, ds.D1, ds.X}, {ds.N, ds.M, ds.U}, {ds.P, ds.D2, ds.Y}, {ds.N, ds.P, ds.V}})
}

// WriteNPY writes the scattered set to dir in the files of Dataset.WriteNPY,
// with each function's own points: Y.npy is n·K×d2 (function i's points in
// rows i·K to i·K+K−1) and V.npy n×K, the outputs at them.
func (s *Scattered) WriteNPY(dir string) error {
	return writeNPY(dir, [4]npyMatrix{{s.M, s.D1, s.X}, {s.N, s.M, s.U}, {s.N * s.K, s.D2, s.Y}, {s.N, s.K, s.V}})
}

type npyMatrix struct {
	r, c int
	v    []float64
}

func writeNPY(dir string, mats [4]npyMatrix) error {
	for i, m := range mats {
		if err := npy.Write(filepath.Join(dir, datasetFiles[i]), m.r, m.c, m.v); err != nil {
			return err
		}
	}
	return nil
}

// ReadDatasetNPY reads a dataset written by WriteNPY (or by NumPy in the same
// layout) and checks that the four shapes agree.
func ReadDatasetNPY(dir string) (*Dataset, error) {
	var vals [4][]float64
	var r, c [4]int
	for i, name := range datasetFiles {
		var err error
		if vals[i], r[i], c[i], err = npy.Read(filepath.Join(dir, name)); err != nil {
			return nil, err
		}
	}
	ds := &Dataset{N: r[1], M: r[0], D1: c[0], P: r[2], D2: c[2], X: vals[0], U: vals[1], Y: vals[2], V: vals[3]}
	switch {
	case c[1] != ds.M:
		return nil, fmt.Errorf("problems: %s: U.npy has %d columns but X.npy lists %d sensors", dir, c[1], ds.M)
	case r[3] != ds.N:
		return nil, fmt.Errorf("problems: %s: V.npy has %d rows but U.npy has %d functions", dir, r[3], ds.N)
	case c[3] != ds.P:
		return nil, fmt.Errorf("problems: %s: V.npy has %d columns but Y.npy lists %d points", dir, c[3], ds.P)
	}
	return ds, nil
}
