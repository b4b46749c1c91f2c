package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"

	"codeberg.org/sbinet/npyio"
	"gonum.org/v1/gonum/mat"

	"opscale/internal/atomicfile"
)

// maxHeader bounds the header length a .npy file may declare; NumPy's own
// headers are a few hundred bytes.
const maxHeader = 1 << 16

// Write writes the rows×cols row-major matrix data to path as a NumPy .npy
// file of float64 ('<f8', C order), atomically (see atomicfile).
func Write(path string, rows, cols int, data []float64) error {
	if rows <= 0 || cols <= 0 || len(data) != rows*cols {
		return fmt.Errorf("npy: writing %s: %d values do not form a %d×%d matrix", path, len(data), rows, cols)
	}
	var b bytes.Buffer
	b.Grow(8*len(data) + 128)
	if err := npyio.Write(&b, mat.NewDense(rows, cols, data)); err != nil {
		return fmt.Errorf("npy: writing %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, b.Bytes()); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	return nil
}

// Read reads a NumPy .npy file holding a 1D or 2D array of float64 ('<f8')
// or float32 ('<f4', widened) in C or Fortran order, and returns its values
// in row-major order with its shape (a 1D array of length n comes back as
// n×1). A malformed, truncated or unsupported file is an error naming it.
func Read(path string) (data []float64, rows, cols int, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("npy: reading %s: %w", path, err)
	}
	data, rows, cols, err = decode(raw)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("npy: reading %s: %w", path, err)
	}
	return data, rows, cols, nil
}

// decode checks the framing of a .npy image itself (the parser trusts
// declared lengths) and lets npyio parse the header dictionary and the data.
func decode(raw []byte) (data []float64, rows, cols int, err error) {
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
	if hdrLen > maxHeader || start+hdrLen > len(raw) {
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
	if rows <= 0 || cols <= 0 {
		return nil, 0, 0, fmt.Errorf("array of shape %v: want at least one row and one column", h.Shape)
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
	// Compare the claimed shape with the bytes present by division, so that
	// a shape whose product overflows an int, like (2³², 2³²) or (2⁶¹, 1)
	// in 8-byte values, cannot wrap round to the size of the body.
	body := len(raw) - start - hdrLen
	if body%size != 0 || rows > body/size/cols || rows*cols != body/size {
		return nil, 0, 0, fmt.Errorf("truncated or padded .npy data: %d bytes for shape %v of %s", body, h.Shape, dtype)
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
