package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"opscale/internal/npy"
	"opscale/problems"
)

func TestGenThenDim(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	err := runGen([]string{"-problem", "poisson1d", "-family", "subspace", "-bu", "3", "-n", "300",
		"-sensors", "20", "-points", "9", "-out", dir, "-cache", filepath.Join(dir, "cache")}, &out)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := problems.ReadDatasetNPY(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ds.N != 300 || ds.M != 20 || ds.P != 9 {
		t.Fatalf("read back %d×%d, P=%d", ds.N, ds.M, ds.P)
	}
	// -rows 0 uses all rows; -rows 100 the first 100.
	for _, rows := range []string{"0", "100"} {
		out.Reset()
		if err := runDim([]string{"-rows", rows, filepath.Join(dir, "U.npy")}, &out); err != nil {
			t.Fatal(err)
		}
		used := map[string]string{"0": "300 rows used", "100": "100 rows used"}[rows]
		for _, want := range []string{used, "99% energy:   3", "99.9% energy: 3", "TwoNN", "MLE"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("dim -rows %s output lacks %q:\n%s", rows, want, out.String())
			}
		}
	}
}

func TestGenDimErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.npy")
	os.WriteFile(bad, []byte("\x93NUMPY\x01\x00garbage"), 0o644)
	// Headers whose claimed size overflows an int once multiplied out:
	// (2³², 2³²) made dim panic, (2⁶¹, 1) wrapped to an empty body.
	huge := filepath.Join(dir, "huge.npy")
	os.WriteFile(huge, npyHeader("(4294967296, 4294967296)"), 0o644)
	wraps := filepath.Join(dir, "wraps.npy")
	os.WriteFile(wraps, npyHeader("(2305843009213693952, 1)"), 0o644)
	for name, tc := range map[string]struct {
		run  func([]string, *bytes.Buffer) error
		args []string
		want string
	}{
		"no out":         {gen, []string{"-problem", "poisson1d", "-family", "subspace", "-bu", "1"}, "-out"},
		"unknown family": {gen, []string{"-problem", "poisson1d", "-family", "gauss", "-out", dir}, "gauss"},
		"b_U = 0":        {gen, []string{"-problem", "poisson1d", "-family", "subspace", "-out", dir}, "BU"},
		"n = 0":          {gen, []string{"-problem", "poisson1d", "-family", "subspace", "-bu", "1", "-n", "0", "-out", dir}, "n = 0"},
		"bad split":      {gen, []string{"-problem", "poisson1d", "-family", "subspace", "-bu", "1", "-split", "dev", "-out", dir}, "split"},
		"sigma NaN":      {gen, []string{"-problem", "poisson1d", "-family", "subspace", "-bu", "1", "-sigma", "NaN", "-out", dir}, "-sigma"},
		"sigma Inf":      {gen, []string{"-problem", "poisson1d", "-family", "subspace", "-bu", "1", "-sigma", "Inf", "-out", dir}, "-sigma"},
		"sigma < 0":      {gen, []string{"-problem", "poisson1d", "-family", "subspace", "-bu", "1", "-sigma", "-1", "-out", dir}, "-sigma"},
		"points < 0":     {gen, []string{"-problem", "poisson1d", "-family", "subspace", "-bu", "1", "-train-points", "-2", "-out", dir}, "-train-points"},
		"points on test": {gen, []string{"-problem", "poisson1d", "-family", "subspace", "-bu", "1", "-train-points", "2", "-split", "test", "-out", dir}, "-train-points"},
		"rows < 0":       {dim, []string{"-rows", "-1", bad}, "-rows"},
		"2^32 × 2^32":    {dim, []string{"-rows", "0", huge}, huge},
		"2^61 × 1":       {dim, []string{wraps}, wraps},
		"no file":        {dim, nil, "FILE"},
		"malformed npy":  {dim, []string{bad}, bad},
		"missing npy":    {dim, []string{filepath.Join(dir, "none.npy")}, "none.npy"},
	} {
		err := tc.run(tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %q", name, err, tc.want)
		}
	}
}

func gen(a []string, b *bytes.Buffer) error { return runGen(a, b) }
func dim(a []string, b *bytes.Buffer) error { return runDim(a, b) }

// npyHeader is a version-1 .npy image of float64 claiming shape and holding
// no data.
func npyHeader(shape string) []byte {
	h := "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }"
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	return append([]byte{0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, byte(len(h)), byte(len(h) >> 8)}, h...)
}

// gen -train-points exports the scattered training set a suite's
// train_points experiment trains on: each function at K points of its own,
// with the same input functions as the aligned set of that seed.
func TestGenScattered(t *testing.T) {
	grid, scat := t.TempDir(), t.TempDir()
	args := []string{"-problem", "poisson1d", "-family", "subspace", "-bu", "2", "-n", "40", "-sensors", "16", "-points", "9", "-seed", "7", "-sigma", "0.1"}
	var out bytes.Buffer
	if err := runGen(append(args, "-out", grid), &out); err != nil {
		t.Fatal(err)
	}
	if err := runGen(append(args, "-out", scat, "-train-points", "3"), &out); err != nil {
		t.Fatal(err)
	}
	read := func(dir, name string) ([]float64, int, int) {
		v, r, c, err := npy.Read(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return v, r, c
	}
	if _, r, c := read(scat, "Y.npy"); r != 120 || c != 1 {
		t.Errorf("Y.npy is %d×%d, want 120×1 (n·K points)", r, c)
	}
	if _, r, c := read(scat, "V.npy"); r != 40 || c != 3 {
		t.Errorf("V.npy is %d×%d, want 40×3", r, c)
	}
	ug, _, _ := read(grid, "U.npy")
	us, _, _ := read(scat, "U.npy")
	if !slices.Equal(ug, us) {
		t.Errorf("the scattered set's inputs differ from the aligned set's of the same seed")
	}
}
