package harness

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"opscale/nets"
)

// Commit is the source revision, set at build time by the Makefile
// (-ldflags "-X opscale/harness.Commit=…"); build info is the fallback.
var Commit = ""

// Env describes where a run was made.
type Env struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	GoMaxProcs int    `json:"gomaxprocs"`
	Go         string `json:"go"`
	OSArch     string `json:"os_arch"`
	Commit     string `json:"commit"`
	GEMM       string `json:"gemm"`
	// GEMMChoice says how the kernels in GEMM were chosen (measured,
	// cached, or set by OPSCALE_GEMM) and from which timings. The assembly
	// sets agree bit for bit, so it bears on speed, not on results.
	GEMMChoice string `json:"gemm_choice,omitempty"`
	Time       string `json:"time"`
}

// CurrentEnv reads the machine's description.
func CurrentEnv() Env {
	return Env{
		CPU:        cpuModel(),
		Cores:      runtime.NumCPU(),
		GoMaxProcs: runtime.GOMAXPROCS(0),
		Go:         runtime.Version(),
		OSArch:     runtime.GOOS + "/" + runtime.GOARCH,
		Commit:     commit(),
		GEMM:       nets.GEMMPath(),
		GEMMChoice: nets.GEMMSelection(),
		Time:       time.Now().UTC().Format(time.RFC3339),
	}
}

func commit() string {
	if Commit != "" {
		return Commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
	}
	return "unknown"
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
