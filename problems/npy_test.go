package problems

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"opscale/internal/npy"
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

// A dataset whose files disagree in shape is rejected, naming the file.
func TestReadDatasetNPYRejectsMismatch(t *testing.T) {
	ds, err := Generate(testSpec(t), 3, 1, Train, 0)
	if err != nil {
		t.Fatal(err)
	}
	dd := t.TempDir()
	if err := ds.WriteNPY(dd); err != nil {
		t.Fatal(err)
	}
	if err := npy.Write(filepath.Join(dd, "V.npy"), 2, ds.P, make([]float64, 2*ds.P)); err != nil {
		t.Fatal(err)
	}
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
