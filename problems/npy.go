package problems

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/sbinet/npyio"
	"gonum.org/v1/gonum/mat"
)

// maxNPYHeader bounds the header length a .npy file may declare; NumPy's
// own headers are a few hundred bytes.
const maxNPYHeader = 1 << 16

// WriteNPY writes the rows×cols row-major matrix data to path as a NumPy
// .npy file of float64 ('<f8', C order). The file appears atomically: it is
// written under a temporary name in the same directory, synced and renamed.
func WriteNPY(path string, rows, cols int, data []float64) error {
	if rows <= 0 || cols <= 0 || len(data) != rows*cols {
		return fmt.Errorf("problems: writing %s: %d values do not form a %d×%d matrix", path, len(data), rows, cols)
	}
	return writeAtomic(path, func(w io.Writer) error {
		return npyio.Write(w, mat.NewDense(rows, cols, data))
	})
}

// writeAtomic writes a file through a temporary file and a rename, so that
// a reader never sees it half-written and a crash leaves no damaged file.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("problems: writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = write(bw); err != nil {
		return fmt.Errorf("problems: writing %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("problems: writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("problems: writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("problems: writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("problems: writing %s: %w", path, err)
	}
	return nil
}

// ReadNPY reads a NumPy .npy file holding a 1D or 2D array of float64
// ('<f8') or float32 ('<f4', widened) in C or Fortran order, and returns its
// values in row-major order with its shape (a 1D array of length n comes back
// as n×1). A malformed, truncated or unsupported file is an error naming it.
func ReadNPY(path string) (data []float64, rows, cols int, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("problems: reading %s: %w", path, err)
	}
	data, rows, cols, err = decodeNPY(raw)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("problems: reading %s: %w", path, err)
	}
	return data, rows, cols, nil
}

// decodeNPY checks the framing of a .npy image itself (the parser trusts
// declared lengths) and lets npyio parse the header dictionary and the data.
func decodeNPY(raw []byte) (data []float64, rows, cols int, err error) {
	if len(raw) < 10 || !bytes.Equal(raw[:6], npyio.Magic[:]) {
		return nil, 0, 0, errors.New("not a NumPy .npy file (bad magic)")
	}
	var hdrLen, start int
	switch raw[6] {
	case 1:
		hdrLen, start = int(binary.LittleEndian.Uint16(raw[8:10])), 10
	case 2, 3:
		if len(raw) < 12 {
			return nil, 0, 0, errors.New("truncated .npy header")
		}
		hdrLen, start = int(binary.LittleEndian.Uint32(raw[8:12])), 12
	default:
		return nil, 0, 0, fmt.Errorf("unsupported .npy format version %d.%d", raw[6], raw[7])
	}
	if hdrLen > maxNPYHeader || start+hdrLen > len(raw) {
		return nil, 0, 0, fmt.Errorf("truncated or malformed .npy header (declares %d bytes, file has %d)", hdrLen, len(raw)-start)
	}
	if hdrLen == 0 || raw[start+hdrLen-1] != '\n' {
		return nil, 0, 0, errors.New("malformed .npy header (no terminating newline)")
	}
	defer func() {
		// The header dictionary is parsed by npyio; turn a panic on a
		// corrupt dictionary into an error rather than crash.
		if r := recover(); r != nil {
			data, err = nil, fmt.Errorf("malformed .npy header: %v", r)
		}
	}()
	rd, err := npyio.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("malformed .npy header: %w", err)
	}
	h := rd.Header.Descr
	switch len(h.Shape) {
	case 1:
		rows, cols = h.Shape[0], 1
	case 2:
		rows, cols = h.Shape[0], h.Shape[1]
	default:
		return nil, 0, 0, fmt.Errorf("array of shape %v: want a matrix (1 or 2 dimensions)", h.Shape)
	}
	if rows < 0 || cols < 0 {
		return nil, 0, 0, fmt.Errorf("array of shape %v: negative size", h.Shape)
	}
	var size int
	dtype := strings.Trim(h.Type, `'"`)
	switch dtype {
	case "<f8":
		size = 8
	case "<f4":
		size = 4
	default:
		return nil, 0, 0, fmt.Errorf("array of dtype %q: want float64 ('<f8') or float32 ('<f4'); convert with .astype('<f8')", dtype)
	}
	body := len(raw) - start - hdrLen
	if want := rows * cols * size; body != want {
		return nil, 0, 0, fmt.Errorf("truncated or padded .npy data: %d bytes for shape %v of %s, want %d", body, h.Shape, dtype, want)
	}
	data = make([]float64, rows*cols)
	if size == 8 {
		err = rd.Read(&data)
	} else {
		f := make([]float32, rows*cols)
		err = rd.Read(&f)
		for i, v := range f {
			data[i] = float64(v)
		}
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("reading .npy data: %w", err)
	}
	if h.Fortran && len(h.Shape) == 2 {
		t := make([]float64, len(data))
		for i := range rows {
			for j := range cols {
				t[i*cols+j] = data[j*rows+i]
			}
		}
		data = t
	}
	return data, rows, cols, nil
}

// Dataset files, as WriteNPY writes them.
var datasetFiles = [...]string{"X.npy", "U.npy", "Y.npy", "V.npy"}

// WriteNPY writes the dataset to dir (created if needed) as X.npy (m×d1
// sensors), U.npy (n×m inputs), Y.npy (P×d2 output points) and V.npy (n×P
// outputs), each atomically.
func (ds *Dataset) WriteNPY(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("problems: %w", err)
	}
	mats := []struct {
		r, c int
		v    []float64
	}{{ds.M, ds.D1, ds.X}, {ds.N, ds.M, ds.U}, {ds.P, ds.D2, ds.Y}, {ds.N, ds.P, ds.V}}
	for i, m := range mats {
		if err := WriteNPY(filepath.Join(dir, datasetFiles[i]), m.r, m.c, m.v); err != nil {
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
		if vals[i], r[i], c[i], err = ReadNPY(filepath.Join(dir, name)); err != nil {
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
