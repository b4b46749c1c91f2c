package gemm

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// kernelVersion identifies the kernels, packing and blocking a cached choice
// was measured on. Change it whenever any of them changes speed, so that old
// measurements are not reused: packing changes no result, but it is part of
// each set's time, and not the same part for sets of different panel widths.
const kernelVersion = 10

// cacheDir returns the folder of the cached selections; tests point it
// elsewhere.
var cacheDir = func() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "opscale"), nil
}

// cacheKey identifies what a measurement depends on: the CPU model, the
// kernel version and the sets this build and CPU offer. It is "" when the
// CPU cannot be named, and nothing is cached then.
func cacheKey() string {
	cpu := cpuName()
	if cpu == "" {
		return ""
	}
	return fmt.Sprintf("gemm kernels v%d; %s/%s; cpu %s; sets %s",
		kernelVersion, runtime.GOOS, runtime.GOARCH, cpu, strings.Join(setNames(), ","))
}

// cpuName returns the CPU's model name, family and model from /proc/cpuinfo,
// or "" where there is none. A home folder shared by the nodes of a cluster
// then keeps one entry per kind of CPU.
func cpuName() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	var name, family, model string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case k == "model name" && name == "":
			name = v
		case k == "cpu family" && family == "":
			family = v
		case k == "model" && model == "":
			model = v
		case k == "" && name != "":
			// The first processor's block has ended.
			return fmt.Sprintf("%s (family %s model %s)", name, family, model)
		}
	}
	if name == "" {
		return ""
	}
	return fmt.Sprintf("%s (family %s model %s)", name, family, model)
}

// cacheFile is the JSON form of a measured selection.
type cacheFile struct {
	Key    string             `json:"key"`
	Choice map[string]string  `json:"choice"`     // "float64/small": "avx2"
	Micros map[string]float64 `json:"timings_us"` // as selection.micros
}

// cachePath returns where the selection for key is kept, or "" if nowhere.
func cachePath(key string) string {
	if key == "" {
		return ""
	}
	dir, err := cacheDir()
	if err != nil || dir == "" {
		return ""
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return filepath.Join(dir, fmt.Sprintf("gemm-%016x.json", h.Sum64()))
}

// loadCache returns the cached selection for key, or nil if there is none or
// it is unreadable, for another key, or names a set this build lacks.
func loadCache(key string) *selection {
	path := cachePath(key)
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var f cacheFile
	if err := json.Unmarshal(data, &f); err != nil || f.Key != key {
		return nil
	}
	s := &selection{source: "cached", micros: f.Micros}
	for c := range numClasses {
		s.f64[c] = byName(asmF64, f.Choice["float64/"+classNames[c]])
		s.f32[c] = byName(asmF32, f.Choice["float32/"+classNames[c]])
		if s.f64[c] == nil || s.f32[c] == nil {
			return nil
		}
	}
	return s
}

// saveCache keeps s for key, through a temporary file renamed into place so
// that a process reading it meanwhile sees the old file or the new one.
// Failing to save only means measuring again next time.
func saveCache(key string, s *selection) {
	path := cachePath(key)
	if path == "" {
		return
	}
	f := cacheFile{Key: key, Choice: map[string]string{}, Micros: s.micros}
	for c := range numClasses {
		f.Choice["float64/"+classNames[c]] = s.f64[c].name
		f.Choice["float32/"+classNames[c]] = s.f32[c].name
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gemm-*.json")
	if err != nil {
		return
	}
	_, werr := tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
	}
}
