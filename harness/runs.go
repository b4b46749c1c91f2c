package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"opscale/internal/atomicfile"
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
	NTrain     int          `json:"n"`      // training function pairs; older runs (no Validation) counted validation in it
	Seed       uint64       `json:"seed"`
	Precision  string       `json:"precision"`
	Noise      float64      `json:"noise"`
	Setup      Setup        `json:"setup"`
	InputDim   *InputDim    `json:"input_dim,omitempty"`
	Metrics    nets.Metrics `json:"metrics"`
	Train      TrainRecord  `json:"train"`
	WallSec    float64      `json:"wall_seconds"`
	Env        Env          `json:"env"`

	// Validation is the number of validation functions, drawn apart from
	// the training ones and not counted in NTrain; nil in runs recorded
	// before validation had its own stream, whose n included them.
	Validation *int `json:"validation_functions,omitempty"`
	// Prescribed is how a network grown with n was sized; nil for a fixed
	// network and for model sweeps.
	Prescribed *Prescribed `json:"prescribed,omitempty"`
	// Regression is the setup of a dense deep-ReLU regression run; absent
	// for a DeepONet.
	Regression *Regression `json:"regression,omitempty"`
	// TrainPoints is k when every training function was observed at k
	// random points of its own instead of the aligned grid; absent for the
	// grid.
	TrainPoints int `json:"train_points,omitempty"`
	// DataCheckOf names the model sweep whose data this run checks: it ran
	// at the sweep's largest width on twice its training functions, under
	// the experiment id DataCheckID(DataCheckOf), and stays out of every
	// fit. Absent for the runs of a sweep.
	DataCheckOf string `json:"data_check_of,omitempty"`
	// Group is the experiment's regime group in its suite (Experiment.Group),
	// for the report; absent when it has none. It is not part of the run's
	// settings: a run keeps the group it was recorded with until the report
	// reads a suite that regroups it.
	Group string `json:"group,omitempty"`
	// PrecisionCheckOf names the "auto" experiment whose precision this
	// run checks, recorded under Float64CheckID or Float32CheckID of it
	// and kept out of every fit (see harness/precision.go). Absent for the
	// runs of a sweep, the float32 check run among them when float32 was
	// chosen.
	PrecisionCheckOf string `json:"precision_check_of,omitempty"`
	// Lockstep is the number of runs, this one among them, that trained
	// together as the diagonal blocks of one network
	// (nets.TrainDenseLockstep), with the results of each alone, bit for
	// bit; WallSec is then this run's share of their wall time. Absent for
	// a run trained alone.
	Lockstep int `json:"lockstep,omitempty"`
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
	// TargetScale is the root mean square of the training targets that a
	// run with training.scale_targets divided them by; absent otherwise.
	TargetScale float64 `json:"target_scale,omitempty"`
}

// runKey identifies a run: two records with the same key are the same run.
type runKey struct {
	experiment, hash string
	size             int
	seed             uint64
}

func (r *Run) key() runKey { return runKey{r.Experiment, r.ConfigHash, r.Size, r.Seed} }

func (k runKey) String() string {
	return fmt.Sprintf("%s size %d seed %d (settings %s)", k.experiment, k.size, k.seed, k.hash)
}

// Source is where a record was read: a file and a line, counted from 1.
type Source struct {
	File string
	Line int
}

func (s Source) String() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Record is a run as read from a runs file, with where it was read and its
// line as written, so that a merge copies it byte for byte.
type Record struct {
	Run
	Source Source
	raw    []byte
	// split is set when the record shared its line with something else:
	// the line was not one record, even if nothing in it was lost.
	split bool
}

// Rejected is a piece of a runs file that is not one run record: a line torn
// by a crash, two records glued together, or anything else. It is set aside,
// never silently dropped and never allowed to hide a valid record.
type Rejected struct {
	Source Source
	Text   string
	Reason string
}

func (r Rejected) String() string { return fmt.Sprintf("%s: %s", r.Source, r.Reason) }

// recordStart opens every record json.Marshal writes for a Run; it is where
// a record glued onto a torn one begins.
var recordStart = []byte(`{"experiment":`)

// decodeRun decodes one line that must hold exactly one run record.
func decodeRun(b []byte) (Run, error) {
	r, n, err := decodeFirstRun(b)
	if err != nil {
		return r, err
	}
	if rest := bytes.TrimSpace(b[n:]); len(rest) > 0 {
		return r, fmt.Errorf("more than one JSON value on the line (%d bytes after the first record)", len(rest))
	}
	return r, nil
}

// decodeFirstRun decodes the run record that b begins with and says where it
// ends.
func decodeFirstRun(b []byte) (Run, int, error) {
	var r Run
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, 0, fmt.Errorf("not a run record: %v", err)
	}
	if r.Experiment == "" || r.Size <= 0 {
		return r, 0, errors.New("run record without experiment or size")
	}
	return r, int(dec.InputOffset()), nil
}

// parseRecords splits data into lines, the first of which is line first of
// the file name, and decodes each. A line that is not exactly one record is
// rejected; when it holds records glued to a torn one (a file that lost its
// last newline, then had a run appended), each complete record in it is
// kept, so that a torn write never costs a valid run. The last line may lack
// its newline.
func parseRecords(name string, data []byte, first int) ([]Record, []Rejected) {
	var recs []Record
	var rej []Rejected
	line := first - 1
	for len(data) > 0 {
		line++
		b := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			b, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		src := Source{name, line}
		r, err := decodeRun(b)
		if err == nil {
			recs = append(recs, Record{r, src, bytes.Clone(b), false})
			continue
		}
		// Not one record: split the line where records begin and keep
		// each complete record; the rest is set aside.
		starts := indexAll(b, recordStart)
		if len(starts) == 0 || starts[0] != 0 {
			starts = append([]int{0}, starts...)
		}
		for k, s := range starts {
			e := len(b)
			if k+1 < len(starts) {
				e = starts[k+1]
			}
			piece := b[s:e]
			r, n, perr := decodeFirstRun(piece)
			if perr != nil {
				why := "a line torn by a crash, or not a record"
				if len(starts) > 1 {
					why = fmt.Sprintf("piece %d of %d glued on one line", k+1, len(starts))
				}
				rej = append(rej, Rejected{src, string(piece), fmt.Sprintf("%v (%s)", perr, why)})
				continue
			}
			recs = append(recs, Record{r, src, bytes.Clone(piece[:n]), true})
			if rest := bytes.TrimSpace(piece[n:]); len(rest) > 0 {
				rej = append(rej, Rejected{src, string(rest), "more than one JSON value on the line: this follows a complete record, which is kept"})
			}
		}
	}
	return recs, rej
}

func indexAll(b, sep []byte) []int {
	var at []int
	for off := 0; ; {
		i := bytes.Index(b[off:], sep)
		if i < 0 {
			return at
		}
		at = append(at, off+i)
		off += i + len(sep)
	}
}

// ParseRuns decodes runs.jsonl content strictly; name is used in errors. A
// line that is not exactly one run record is an error naming the file and
// line. The Store and ReadRuns are lenient instead: they set such lines
// aside and go on.
func ParseRuns(name string, raw []byte) ([]Run, error) {
	recs, rej := parseRecords(name, raw, 1)
	if len(rej) > 0 {
		return nil, fmt.Errorf("%s (delete the line or the file to rerun it)", rej[0])
	}
	for _, r := range recs {
		if r.split {
			return nil, fmt.Errorf("%s: more than one record on the line (put each on a line of its own)", r.Source)
		}
	}
	runs := make([]Run, len(recs))
	for i := range recs {
		runs[i] = recs[i].Run
	}
	return runs, nil
}

// ReadRuns reads the runs file at path without changing it, under the
// store's lock when the folder has one, so that it never sees half of an
// append. Lines that are not one record are returned as rejected, not as an
// error.
func ReadRuns(path string) ([]Record, []Rejected, error) {
	if lf, err := os.Open(path + lockSuffix); err == nil {
		defer lf.Close()
		if err := lockFile(lf, false); err != nil {
			return nil, nil, fmt.Errorf("locking %s: %w", lf.Name(), err)
		}
		defer unlockFile(lf)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	recs, rej := parseRecords(path, raw, 1)
	return recs, rej, nil
}

// sameRun reports whether two records of one key hold the same result: the
// metrics and the training record, bit for bit. Wall time and environment
// may differ between two honest runs of it.
func sameRun(a, b *Run) bool {
	ja, _ := json.Marshal(struct {
		M nets.Metrics
		T TrainRecord
	}{a.Metrics, a.Train})
	jb, _ := json.Marshal(struct {
		M nets.Metrics
		T TrainRecord
	}{b.Metrics, b.Train})
	return bytes.Equal(ja, jb)
}

const (
	lockSuffix     = ".lock"
	rejectedSuffix = ".rejected"
)

// Store is results/runs.jsonl: the record of every finished run, one JSON
// line each.
//
// An append is one write(2) of one line to the file opened with O_APPEND,
// then an fsync: O(1) per run, and a crash leaves at worst a torn last line,
// which the next reader sets aside.
//
// Writers serialise on an flock(2) of runs.jsonl.lock beside the file, held
// only while a line is read or written, never while a run trains. One file
// with a lock was chosen over one file per writer merged on read because
// every reader (report, merge, a person with jq) keeps reading one file, and
// a writer needs no name unique across machines and restarts. On Linux, flock
// on NFS is carried out as a POSIX lock, so a shared folder works where the
// server supports locks; the cluster recipes in deploy/ give each task its
// own folder and merge them anyway.
//
// Under the lock each writer first reads what others appended since it last
// looked, so two sweeps of one suite in one folder skip each other's runs and
// never record one run twice.
type Store struct {
	path string
	log  io.Writer

	mu   sync.Mutex
	lock *os.File
	file os.FileInfo // the runs file as last read, to notice it replaced
	off  int64       // bytes of it read
	line int         // lines of it read
	open bool        // its last line read lacks its newline
	runs []Run
	src  map[runKey]Source
}

// OpenStore opens the runs file at path, creating its folder, and reads it.
// Messages about lines set aside or duplicates met are discarded; use
// OpenStoreLog to see them.
func OpenStore(path string) (*Store, error) { return OpenStoreLog(path, nil) }

// OpenStoreLog is OpenStore with messages about lines set aside and
// duplicates met written to log.
//
// It fails, naming the folder, unless the folder and the runs file in it can
// be written, so that a sweep stops before it trains anything it could not
// record.
func OpenStoreLog(path string, log io.Writer) (*Store, error) {
	dir := filepath.Dir(path)
	notWritable := func(err error) error {
		return fmt.Errorf("results folder %s is not writable: %w (choose another with -results)", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, notWritable(err)
	}
	lf, err := os.OpenFile(path+lockSuffix, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, notWritable(err)
	}
	s := &Store{path: path, log: log, lock: lf, src: map[runKey]Source{}}
	err = s.locked(func() error {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return notWritable(err)
		}
		f.Close()
		return s.catchUp()
	})
	if err != nil {
		lf.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the lock file. The store must not be used after.
func (s *Store) Close() error { return s.lock.Close() }

// locked runs f holding s.mu and the exclusive file lock.
func (s *Store) locked(f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := lockFile(s.lock, true); err != nil {
		return fmt.Errorf("locking %s: %w", s.lock.Name(), err)
	}
	defer unlockFile(s.lock)
	return f()
}

func (s *Store) logf(format string, a ...any) {
	if s.log != nil {
		fmt.Fprintf(s.log, format, a...)
	}
}

// catchUp reads what was appended to the runs file since it was last read,
// or all of it if it was replaced. Lines that are not one record are set
// aside: the file is rewritten without them (rare, so the rewrite does not
// cost appends their O(1)) and they go to runs.jsonl.rejected with the
// reason. The caller holds the lock.
func (s *Store) catchUp() error {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.reset(nil)
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if s.file == nil || !os.SameFile(s.file, st) || st.Size() < s.off {
		s.reset(st)
	}
	if st.Size() == s.off {
		return nil
	}
	data := make([]byte, st.Size()-s.off)
	if _, err := f.ReadAt(data, s.off); err != nil {
		return fmt.Errorf("reading %s: %w", s.path, err)
	}
	// After a last line that lacked its newline, the next bytes read
	// begin with the rest of that line, not a line of their own.
	first := s.line + 1
	if s.open {
		first = s.line
	}
	recs, rej := parseRecords(s.path, data, first)
	if len(rej) > 0 || anySplit(recs) {
		return s.setAside()
	}
	s.add(recs)
	lines := bytes.Count(data, []byte{'\n'})
	// A complete record missing only its newline is kept; Append writes
	// the newline before its own line.
	s.open = data[len(data)-1] != '\n'
	if s.open {
		lines++
	}
	s.off, s.line = st.Size(), first-1+lines
	return nil
}

func anySplit(recs []Record) bool {
	for _, r := range recs {
		if r.split {
			return true
		}
	}
	return false
}

func (s *Store) reset(st os.FileInfo) {
	s.file, s.off, s.line, s.open, s.runs = st, 0, 0, false, nil
	clear(s.src)
}

// add takes in records read from the file: a duplicate of a recorded run is
// used once, with a message, since it can only come from a copy (cat of two
// shards) or from a writer that did not lock.
func (s *Store) add(recs []Record) {
	for i := range recs {
		r := &recs[i]
		k := r.key()
		if first, ok := s.src[k]; ok {
			what := "identical to"
			if !sameRun(&r.Run, &s.runs[s.index(k)]) {
				what = "CONFLICTS with"
			}
			s.logf("warning: %s: %s is a duplicate %s %s; the first is used\n", r.Source, k, what, first)
			continue
		}
		s.src[k] = r.Source
		s.runs = append(s.runs, r.Run)
	}
}

func (s *Store) index(k runKey) int {
	for i := range s.runs {
		if s.runs[i].key() == k {
			return i
		}
	}
	return -1
}

// setAside rewrites the runs file with one record per line and without the
// pieces that are not records, appends those pieces to runs.jsonl.rejected, and rereads it.
func (s *Store) setAside() error {
	raw, err := os.ReadFile(s.path)
	if err != nil {
		return err
	}
	recs, rej := parseRecords(s.path, raw, 1)
	var clean bytes.Buffer
	for _, r := range recs {
		if r.split {
			s.logf("warning: %s: a record that shared its line is kept on a line of its own\n", r.Source)
		}
		clean.Write(r.raw)
		clean.WriteByte('\n')
	}
	for _, r := range rej {
		s.logf("warning: %s; set aside in %s\n", r, s.path+rejectedSuffix)
	}
	if err := setAsideElsewhere(s.path+rejectedSuffix, rej); err != nil {
		return fmt.Errorf("setting lines aside in %s: %w", s.path+rejectedSuffix, err)
	}
	// The rejected pieces are safe before the runs file loses them.
	if err := atomicfile.WriteFile(s.path, clean.Bytes()); err != nil {
		return err
	}
	s.reset(nil)
	return s.catchUp()
}

// Has reports whether the run is recorded, as of the last time the store
// read the file.
func (s *Store) Has(r *Run) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.src[r.key()]
	return ok
}

// Refresh reads what other writers appended since the store last looked.
func (s *Store) Refresh() error { return s.locked(s.catchUp) }

// Runs returns the recorded runs, each once.
func (s *Store) Runs() []Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Run(nil), s.runs...)
}

// Append records a finished run durably: when it returns nil, the run's line
// is on disk. A run that another writer has recorded meanwhile is not
// recorded again.
func (s *Store) Append(r Run) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.locked(func() error {
		if err := s.catchUp(); err != nil {
			return err
		}
		if _, ok := s.src[r.key()]; ok {
			return nil
		}
		f, err := os.OpenFile(s.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		buf := make([]byte, 0, len(line)+2)
		if st.Size() > 0 {
			last := make([]byte, 1)
			if _, err := f.ReadAt(last, st.Size()-1); err != nil {
				return err
			}
			if last[0] != '\n' {
				buf = append(buf, '\n')
			}
		}
		buf = append(append(buf, line...), '\n')
		if _, err := f.Write(buf); err != nil {
			// Leave no torn line behind when the write fails part way
			// (a full disk); if even this fails, the next reader sets it
			// aside.
			f.Truncate(st.Size())
			return fmt.Errorf("appending to %s: %w", s.path, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("syncing %s: %w", s.path, err)
		}
		if st.Size() == 0 {
			syncDir(filepath.Dir(s.path))
		}
		if s.file == nil {
			s.file = st
		}
		s.off = st.Size() + int64(len(buf))
		s.line, s.open = s.line+1, false
		s.src[r.key()] = Source{s.path, s.line}
		s.runs = append(s.runs, r)
		return nil
	})
}

// syncDir makes a new file's name durable. Errors are ignored: some file
// systems cannot sync a folder, and the data itself is synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
