package harness

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"opscale/internal/atomicfile"
)

// MergeResult says what Merge did.
type MergeResult struct {
	Path      string // the runs file written
	Sources   int
	Read      int // records read, the destination's own included
	Written   int // distinct runs in the merged file
	Collapsed int // identical duplicates dropped
	Rejected  []Rejected
	// Flags name records kept from another commit or under other settings
	// of an experiment than most of its runs: they are not errors, but a
	// report mixes them only if asked to.
	Flags []string
}

// Conflict is two records of one run (experiment, settings, size and seed)
// that disagree on its metrics or training record.
type Conflict struct {
	Key  string
	A, B Source
}

// ConflictError is a merge refused because some runs were recorded twice
// with different results.
type ConflictError struct{ Conflicts []Conflict }

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d runs recorded twice with different metrics or training records; nothing was written:", len(e.Conflicts))
	for i, c := range e.Conflicts {
		if i == 10 {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Conflicts)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s: %s and %s", c.Key, c.A, c.B)
	}
	b.WriteString("\n(keep the source you trust, delete the other's line, and merge again)")
	return b.String()
}

// runsPath is the runs file of a source given as a folder or as a file.
func runsPath(src string) (string, error) {
	st, err := os.Stat(src)
	if err != nil {
		return "", fmt.Errorf("source %s: %w", src, err)
	}
	if !st.IsDir() {
		return src, nil
	}
	p := filepath.Join(src, "runs.jsonl")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("source %s holds no runs.jsonl (give a results folder or a runs file)", src)
	}
	return p, nil
}

// Merge merges the runs of srcs (results folders, or runs files) into
// dst/runs.jsonl, which keeps the runs it already holds. Records of one run
// that agree are written once; records that disagree make Merge fail,
// naming both, and write nothing. Records from another commit or under
// other settings are kept and flagged in the result. The merged file is
// written whole, under the destination's lock, so a sweep appending to it
// meanwhile loses nothing.
func Merge(dst string, srcs []string, log io.Writer) (*MergeResult, error) {
	if len(srcs) == 0 {
		return nil, errors.New("no sources to merge")
	}
	paths := make([]string, len(srcs))
	for i, src := range srcs {
		p, err := runsPath(src)
		if err != nil {
			return nil, err
		}
		paths[i] = p
	}
	out := filepath.Join(dst, "runs.jsonl")
	store, err := OpenStoreLog(out, log)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	res := &MergeResult{Path: out, Sources: len(srcs)}
	err = store.locked(func() error {
		if err := store.catchUp(); err != nil {
			return err
		}
		raw, err := os.ReadFile(out)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		all, _ := parseRecords(out, raw, 1) // clean: catchUp set aside the rest
		outSt, _ := os.Stat(out)
		seen := map[string]bool{}
		for _, p := range paths {
			if st, err := os.Stat(p); err == nil && outSt != nil && os.SameFile(st, outSt) {
				continue // the destination, already read
			}
			abs, _ := filepath.Abs(p)
			if seen[abs] {
				continue
			}
			seen[abs] = true
			recs, rej, err := ReadRuns(p)
			if err != nil {
				return err
			}
			all = append(all, recs...)
			res.Rejected = append(res.Rejected, rej...)
		}
		res.Read = len(all)
		kept, collapsed, conflicts := dedupe(all)
		if len(conflicts) > 0 {
			return &ConflictError{conflicts}
		}
		res.Collapsed, res.Written = collapsed, len(kept)
		res.Flags = flag(kept)
		if err := setAsideElsewhere(out+rejectedSuffix, res.Rejected); err != nil {
			return err
		}
		var buf bytes.Buffer
		for _, r := range kept {
			buf.Write(r.raw)
			buf.WriteByte('\n')
		}
		if err := atomicfile.WriteFile(out, buf.Bytes()); err != nil {
			return err
		}
		store.reset(nil)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// dedupe keeps the first record of each run, in order, counts identical
// duplicates, and lists the conflicting ones.
func dedupe(recs []Record) (kept []Record, identical int, conflicts []Conflict) {
	first := map[runKey]int{}
	for _, r := range recs {
		k := r.key()
		i, ok := first[k]
		if !ok {
			first[k] = len(kept)
			kept = append(kept, r)
			continue
		}
		if sameRun(&kept[i].Run, &r.Run) {
			identical++
		} else {
			conflicts = append(conflicts, Conflict{k.String(), kept[i].Source, r.Source})
		}
	}
	return kept, identical, conflicts
}

// flag names the runs recorded by another commit than most, and the runs of
// an experiment recorded under other settings than most of its runs.
func flag(recs []Record) []string {
	var flags []string
	commits := group(recs, func(r *Record) string { return r.Env.Commit })
	if len(commits) > 1 {
		main := commits[0]
		for _, g := range commits[1:] {
			flags = append(flags, fmt.Sprintf("%d runs from commit %q, not %q like the other %d (first at %s): kept", len(g.recs), g.value, main.value, len(main.recs), g.recs[0].Source))
		}
	}
	byExp := map[string][]Record{}
	var ids []string
	for _, r := range recs {
		if _, ok := byExp[r.Experiment]; !ok {
			ids = append(ids, r.Experiment)
		}
		byExp[r.Experiment] = append(byExp[r.Experiment], r)
	}
	for _, id := range ids {
		hashes := group(byExp[id], func(r *Record) string { return r.ConfigHash })
		for _, g := range hashes[1:] {
			flags = append(flags, fmt.Sprintf("%d runs of %s under other settings (%s, first at %s) than its other %d (%s): kept; 'opscale report -suite' picks the suite's", len(g.recs), id, g.value, g.recs[0].Source, len(hashes[0].recs), hashes[0].value))
		}
	}
	return flags
}

type recGroup struct {
	value string
	recs  []Record
}

// group groups records by a value, largest group first, ties in the order
// met.
func group(recs []Record, by func(*Record) string) []recGroup {
	var gs []recGroup
	at := map[string]int{}
	for i := range recs {
		v := by(&recs[i])
		j, ok := at[v]
		if !ok {
			j = len(gs)
			at[v] = j
			gs = append(gs, recGroup{value: v})
		}
		gs[j].recs = append(gs[j].recs, recs[i])
	}
	sort.SliceStable(gs, func(a, b int) bool { return len(gs[a].recs) > len(gs[b].recs) })
	return gs
}

// setAsideElsewhere appends pieces rejected from other files to path, with
// where each came from.
func setAsideElsewhere(path string, rej []Rejected) error {
	if len(rej) == 0 {
		return nil
	}
	var b bytes.Buffer
	for _, r := range rej {
		fmt.Fprintf(&b, "# %s\n%s\n", r, r.Text)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// reportRuns reads the runs a report is made from. Lines that are not one
// record are skipped, and duplicates of a run used once, each with a warning
// to log; given a suite, only the runs of its experiments under its
// settings, sizes and seeds are kept.
func reportRuns(path string, suite *Suite, log io.Writer) ([]Run, error) {
	warn := func(format string, a ...any) {
		if log != nil {
			fmt.Fprintf(log, "warning: "+format+"\n", a...)
		}
	}
	recs, rej, err := ReadRuns(path)
	if err != nil {
		return nil, fmt.Errorf("reading the runs: %w (run 'opscale sweep' first)", err)
	}
	for _, r := range rej {
		warn("%s; skipped (opening the folder with 'opscale sweep' sets it aside)", r)
	}
	kept, identical, conflicts := dedupe(recs)
	if identical > 0 {
		warn("%s: %d runs recorded more than once with the same results; each is used once ('opscale merge' cleans the file)", path, identical)
	}
	for _, c := range conflicts {
		warn("%s recorded twice with different results, %s and %s; the first is used ('opscale merge' refuses this)", c.Key, c.A, c.B)
	}
	runs := make([]Run, len(kept))
	for i := range kept {
		runs[i] = kept[i].Run
	}
	if suite == nil {
		return runs, nil
	}
	picked, other, missing := suite.pick(runs)
	if other > 0 {
		warn("%d runs in %s are not the suite %s's (other experiments, settings, sizes or seeds): left out", other, path, suite.Name)
	}
	if missing > 0 {
		warn("%d runs of the suite %s are not in %s yet ('opscale sweep' runs them)", missing, suite.Name, path)
	}
	if len(picked) == 0 {
		return nil, fmt.Errorf("%s holds no run of the suite %s under its settings (run 'opscale sweep -suite' with that suite first)", path, suite.Name)
	}
	return picked, nil
}

// pick keeps the runs that the suite's experiments, as they are now, would
// record: the same id and settings, a size and a seed of its lists; a data
// check's and a precision check's runs too. Each kept run takes the
// experiment's place in this suite.
func (s *Suite) pick(runs []Run) (picked []Run, other, missing int) {
	type want struct {
		order int
		group string
		hash  string
		sizes map[int]bool
		seeds map[uint64]bool
		// optional runs are not missing when absent: a precision check's
		// float32 run is recorded under its own id only if float64 won.
		optional bool
	}
	wants := map[string]want{}
	total := 0
	for i := range s.Experiments {
		exps := s.Experiments[i].planned()
		if e := &s.Experiments[i]; e.Precision == PrecisionAuto {
			exps = append(exps, e.precisionCheck("float64"), e.precisionCheck("float32"))
		}
		for _, e := range exps {
			w := want{i, e.Group, e.hash(), map[int]bool{}, map[uint64]bool{}, e.Precision == "float32" && e.precisionOf != ""}
			for _, n := range e.Sizes {
				w.sizes[n] = true
			}
			for _, seed := range e.Seeds {
				w.seeds[seed] = true
			}
			wants[e.ID] = w
			if !w.optional {
				total += len(e.Sizes) * len(e.Seeds)
			}
		}
	}
	found := 0
	for _, r := range runs {
		w, ok := wants[r.Experiment]
		if !ok || r.ConfigHash != w.hash || !w.sizes[r.Size] || !w.seeds[r.Seed] {
			other++
			continue
		}
		// The suite's order and groups are presentation: they hold
		// whatever the runs were recorded with.
		r.Order, r.Group = w.order, w.group
		picked = append(picked, r)
		if !w.optional {
			found++
		}
	}
	return picked, other, total - found
}
