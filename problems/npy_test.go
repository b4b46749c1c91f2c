package problems

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDatasetNPYRoundTrip(t *testing.T) {
	s := testSpec(t)
	ds, err := Generate(s, 12, 4, Train, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ds.WriteNPY(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadDatasetNPY(dir)
	if err != nil {
		t.Fatal(err)
	}
	if back.N != ds.N || back.M != ds.M || back.P != ds.P || back.D1 != ds.D1 || back.D2 != ds.D2 {
		t.Fatalf("sizes %+v, want %+v", back, ds)
	}
	for name, p := range map[string][2][]float64{"X": {back.X, ds.X}, "U": {back.U, ds.U}, "Y": {back.Y, ds.Y}, "V": {back.V, ds.V}} {
		if !slices.Equal(p[0], p[1]) {
			t.Errorf("%s differs after the round trip", name)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("directory holds %d files, want 4 (no temporaries left)", len(entries))
	}
}

// npyImage builds a version-1 .npy file by hand, as NumPy would write it.
func npyImage(header string, data []byte) []byte {
	h := header
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(out[8:], uint16(len(h)))
	return append(append(out, h...), data...)
}

// Files as NumPy writes them: version 1, float32, Fortran order.
func TestReadNPYFromNumPy(t *testing.T) {
	dir := t.TempDir()
	// [[1,2,3],[4,5,6]] stored column-major as float32.
	var body []byte
	for _, v := range []float32{1, 4, 2, 5, 3, 6} {
		body = binary.LittleEndian.AppendUint32(body, math.Float32bits(v))
	}
	p := filepath.Join(dir, "f.npy")
	os.WriteFile(p, npyImage("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", body), 0o644)
	got, r, c, err := ReadNPY(p)
	if err != nil {
		t.Fatal(err)
	}
	if r != 2 || c != 3 || !slices.Equal(got, []float64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("got %d×%d %v", r, c, got)
	}
}

func TestReadNPYRejectsDamage(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npy")
	if err := WriteNPY(good, 3, 4, make([]float64, 12)); err != nil {
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
		"no newline":       npyImage("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f8(2))[:10+60],
		"int dtype":        npyImage("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", f8(2)),
		"3D":               npyImage("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 2), }", f8(2)),
		"garbage dict":     npyImage("{'descr': <<<>>>", f8(2)),
		"big-endian":       npyImage("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", f8(2)),
	}
	for name, img := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".npy")
		os.WriteFile(p, img, 0o644)
		_, _, _, err := ReadNPY(p)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
	if _, _, _, err := ReadNPY(filepath.Join(dir, "missing.npy")); err == nil {
		t.Error("missing file accepted")
	}
	// A dataset whose files disagree in shape.
	ds, _ := Generate(testSpec(t), 3, 1, Train, 0)
	dd := filepath.Join(dir, "ds")
	ds.WriteNPY(dd)
	WriteNPY(filepath.Join(dd, "V.npy"), 2, ds.P, make([]float64, 2*ds.P))
	if _, err := ReadDatasetNPY(dd); err == nil || !strings.Contains(err.Error(), "V.npy") {
		t.Errorf("inconsistent dataset: %v", err)
	}
}

func TestCacheHitMissRepair(t *testing.T) {
	s := testSpec(t)
	c := Cache{Dir: t.TempDir()}
	want, err := Generate(s, 20, 9, Train, 0.02)
	if err != nil {
		t.Fatal(err)
	}
	same := func(ds *Dataset) bool {
		return ds.N == want.N && slices.Equal(ds.U, want.U) && slices.Equal(ds.V, want.V) &&
			slices.Equal(ds.X, want.X) && slices.Equal(ds.Y, want.Y)
	}
	for i, wantStatus := range []CacheStatus{CacheMiss, CacheHit} {
		ds, st, err := c.Generate(s, 20, 9, Train, 0.02)
		if err != nil {
			t.Fatal(err)
		}
		if st != wantStatus || !same(ds) {
			t.Fatalf("call %d: status %v, want %v; same data %v", i, st, wantStatus, same(ds))
		}
	}
	path := c.Path(s.Key(20, 9, Train, 0.02))
	raw, _ := os.ReadFile(path)
	for name, img := range map[string][]byte{
		"truncated": raw[:len(raw)/2],
		"bit flip":  func() []byte { b := slices.Clone(raw); b[len(b)/2] ^= 1; return b }(),
		"empty":     {},
	} {
		os.WriteFile(path, img, 0o644)
		ds, st, err := c.Generate(s, 20, 9, Train, 0.02)
		if err != nil {
			t.Fatal(err)
		}
		if st != CacheRepaired || !same(ds) {
			t.Errorf("%s: status %v, same data %v", name, st, same(ds))
		}
		if _, st, _ := c.Generate(s, 20, 9, Train, 0.02); st != CacheHit {
			t.Errorf("%s: file not replaced (status %v)", name, st)
		}
	}
	// Another key never reads this file's data.
	if _, st, _ := c.Generate(s, 20, 10, Train, 0.02); st != CacheMiss {
		t.Errorf("seed 10: status %v, want miss", st)
	}
}

// Files written by NumPy itself (testdata/make_npy.py): C and Fortran order,
// float64 and float32, 1D.
func TestReadNPYNumPyFiles(t *testing.T) {
	want := make([]float64, 12)
	for i := range want {
		want[i] = float64(i) / 8
	}
	for _, c := range []struct {
		file       string
		rows, cols int
	}{{"numpy_f64_c.npy", 3, 4}, {"numpy_f32_fortran.npy", 3, 4}, {"numpy_f64_1d.npy", 5, 1}} {
		got, r, cl, err := ReadNPY(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if r != c.rows || cl != c.cols || !slices.Equal(got, want[:r*cl]) {
			t.Errorf("%s: %d×%d %v", c.file, r, cl, got)
		}
	}
}
