package harness

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"opscale/nets"
)

// Run is one finished training run: one line of results/runs.jsonl.
type Run struct {
	Experiment string `json:"experiment"`
	// Order is the experiment's place in its suite, which the report keeps.
	Order int `json:"order"`
	// ConfigHash identifies the experiment's settings; a run recorded under
	// other settings is not reused.
	ConfigHash string       `json:"config_hash"`
	Theorem    string       `json:"theorem"`
	Problem    string       `json:"problem"`
	Family     string       `json:"family"`
	D1         int          `json:"d1"`
	D2         int          `json:"d2"`
	BU         int          `json:"b_u"`
	Sweep      string       `json:"sweep"`
	Size       int          `json:"size"`   // the swept variable's value
	Params     int          `json:"params"` // N, trainable parameters
	NTrain     int          `json:"n"`      // training function pairs, validation included
	Seed       uint64       `json:"seed"`
	Precision  string       `json:"precision"`
	Noise      float64      `json:"noise"`
	Setup      Setup        `json:"setup"`
	InputDim   *InputDim    `json:"input_dim,omitempty"`
	Metrics    nets.Metrics `json:"metrics"`
	Train      TrainRecord  `json:"train"`
	WallSec    float64      `json:"wall_seconds"`
	Env        Env          `json:"env"`

	// Regression is the setup of a dense deep-ReLU regression run; absent
	// for a DeepONet.
	Regression *Regression `json:"regression,omitempty"`
}

// Setup records what a run was trained and scored on, so that a report can
// describe an experiment from the runs file alone.
type Setup struct {
	Network  string   `json:"network"`
	Sensors  int      `json:"sensors"`
	Points   int      `json:"points"`
	TestSize int      `json:"test_functions"`
	Training Training `json:"training"`
}

// InputDim is the intrinsic dimension of an experiment's input functions,
// measured on a sample of them at the sensors. Estimates the sample cannot
// support are absent.
type InputDim struct {
	Sample int      `json:"sample"`
	PCA99  int      `json:"pca99"`
	PCA999 int      `json:"pca999"`
	TwoNN  *float64 `json:"twonn,omitempty"`
	MLE    *float64 `json:"mle,omitempty"`
}

// TrainRecord is what the optimiser reports about a run.
type TrainRecord struct {
	Steps     int      `json:"steps"`
	BestStep  int      `json:"best_step"`
	TrainLoss float64  `json:"train_loss"`
	ValLoss   *float64 `json:"val_loss,omitempty"`
	Diverged  bool     `json:"diverged"`
	Stopped   bool     `json:"stopped_early"`
	GFlop     float64  `json:"gflop"`
}

// runKey identifies a run within a results file.
type runKey struct {
	experiment, hash string
	size             int
	seed             uint64
}

func (r *Run) key() runKey { return runKey{r.Experiment, r.ConfigHash, r.Size, r.Seed} }

// Store is results/runs.jsonl: the record of every finished run. Appends
// rewrite the file through a temporary file and a rename, so a crash leaves
// either the old file or the new one, never half a line.
type Store struct {
	path string
	mu   sync.Mutex
	runs []Run
	raw  []byte
	done map[runKey]bool
}

// OpenStore reads the runs file at path, or starts an empty one if it does
// not exist. A line that is not a run is an error naming the file and line.
func OpenStore(path string) (*Store, error) {
	s := &Store{path: path, done: map[runKey]bool{}}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	runs, err := ParseRuns(path, raw)
	if err != nil {
		return nil, err
	}
	s.raw, s.runs = raw, runs
	for i := range runs {
		s.done[runs[i].key()] = true
	}
	return s, nil
}

// ParseRuns decodes runs.jsonl content; name is used in errors.
func ParseRuns(name string, raw []byte) ([]Run, error) {
	var runs []Run
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var r Run
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("%s:%d: not a run record: %v (delete the line or the file to rerun it)", name, line, err)
		}
		if r.Experiment == "" || r.Size <= 0 {
			return nil, fmt.Errorf("%s:%d: run record without experiment or size", name, line)
		}
		runs = append(runs, r)
	}
	return runs, sc.Err()
}

// Has reports whether the run is already recorded.
func (s *Store) Has(r *Run) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done[r.key()]
}

// Runs returns the recorded runs.
func (s *Store) Runs() []Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Run(nil), s.runs...)
}

// Append records a finished run durably.
func (s *Store) Append(r Run) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	raw := append(append(bytes.Clone(s.raw), line...), '\n')
	if err := WriteFileAtomic(s.path, raw); err != nil {
		return err
	}
	s.raw = raw
	s.runs = append(s.runs, r)
	s.done[r.key()] = true
	return nil
}

// WriteFileAtomic writes data to path through a synced temporary file in the
// same folder and a rename, creating the folder if needed.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
