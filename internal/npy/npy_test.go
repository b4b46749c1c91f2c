package npy

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// image builds a version-1 .npy file by hand, as NumPy would write it.
func image(header string, data []byte) []byte {
	h := header
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(out[8:], uint16(len(h)))
	return append(append(out, h...), data...)
}

func TestWriteReadRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "m.npy")
	want := []float64{1, -2, math.Pi, 0, math.SmallestNonzeroFloat64, math.MaxFloat64}
	if err := Write(p, 2, 3, want); err != nil {
		t.Fatal(err)
	}
	got, r, c, err := Read(p)
	if err != nil || r != 2 || c != 3 || !slices.Equal(got, want) {
		t.Fatalf("got %d×%d %v, %v", r, c, got, err)
	}
	if err := Write(p, 2, 2, want); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("6 values as 2×2: %v", err)
	}
}

// Files as NumPy writes them: version 1, float32, Fortran order.
func TestReadFromNumPy(t *testing.T) {
	dir := t.TempDir()
	// [[1,2,3],[4,5,6]] stored column-major as float32.
	var body []byte
	for _, v := range []float32{1, 4, 2, 5, 3, 6} {
		body = binary.LittleEndian.AppendUint32(body, math.Float32bits(v))
	}
	p := filepath.Join(dir, "f.npy")
	os.WriteFile(p, image("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", body), 0o644)
	got, r, c, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if r != 2 || c != 3 || !slices.Equal(got, []float64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("got %d×%d %v", r, c, got)
	}
}

func TestReadRejectsDamage(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npy")
	if err := Write(good, 3, 4, make([]float64, 12)); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	f8 := func(n int) []byte { return make([]byte, 8*n) }
	cases := map[string][]byte{
		"empty":            {},
		"not npy":          []byte("hello, world, this is text"),
		"truncated header": raw[:20],
		"truncated data":   raw[:len(raw)-5],
		"padded data":      append(slices.Clone(raw), 0, 0, 0, 0, 0, 0, 0, 0),
		"bad version":      append([]byte("\x93NUMPY\x07\x00"), raw[8:]...),
		"huge header":      append([]byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f"), raw[12:]...),
		"no newline":       image("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f8(2))[:10+60],
		"int dtype":        image("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", f8(2)),
		"3D":               image("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 2), }", f8(2)),
		"garbage dict":     image("{'descr': <<<>>>", f8(2)),
		"big-endian":       image("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", f8(2)),
		"no rows":          image("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", nil),
		"no columns":       image("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 0), }", nil),
		// Claimed sizes whose byte count overflows an int: (2³²)²·8 wraps
		// to 0 and (2⁶¹)·8 to 0, which an unchecked product takes for the
		// empty body.
		"2^32 × 2^32": image("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", nil),
		"2^61 × 1":    image("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952, 1), }", nil),
		"2^61 × 1 f4": image("{'descr': '<f4', 'fortran_order': False, 'shape': (2305843009213693952, 1), }", nil),
		"2^62 + 1":    image("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387905,), }", f8(1)),
	}
	for name, img := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".npy")
		os.WriteFile(p, img, 0o644)
		_, _, _, err := Read(p)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
	if _, _, _, err := Read(filepath.Join(dir, "missing.npy")); err == nil {
		t.Error("missing file accepted")
	}
}

// FuzzDecode feeds arbitrary images, seeded with valid and overflowing ones:
// decode must return an error or a matrix whose size its data matches, and
// never panic or allocate what the file does not hold.
func FuzzDecode(f *testing.F) {
	f.Add(image("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", make([]byte, 16)))
	f.Add(image("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", make([]byte, 8)))
	f.Add(image("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", nil))
	f.Add(image("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952, 1), }", nil))
	f.Fuzz(func(t *testing.T, raw []byte) {
		data, r, c, err := decode(raw)
		if err != nil {
			return
		}
		if r <= 0 || c <= 0 || len(data) != r*c || 4*len(data) > len(raw) {
			t.Fatalf("accepted %d×%d with %d values from %d bytes", r, c, len(data), len(raw))
		}
	})
}

// Files written by NumPy itself (testdata/make_npy.py): C and Fortran order,
// float64 and float32, 1D.
func TestReadNumPyFiles(t *testing.T) {
	want := make([]float64, 12)
	for i := range want {
		want[i] = float64(i) / 8
	}
	for _, c := range []struct {
		file       string
		rows, cols int
	}{{"numpy_f64_c.npy", 3, 4}, {"numpy_f32_fortran.npy", 3, 4}, {"numpy_f64_1d.npy", 5, 1}} {
		got, r, cl, err := Read(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if r != c.rows || cl != c.cols || !slices.Equal(got, want[:r*cl]) {
			t.Errorf("%s: %d×%d %v", c.file, r, cl, got)
		}
	}
}
