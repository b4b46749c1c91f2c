package harness

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports a sweep as its runs finish: each finished run prints its
// count, the time elapsed and an estimate of the time left. On a terminal
// the count and times sit in a progress bar under the runs' lines; written
// to anything else (a log file, a Slurm output file) each run is one plain
// line, which reads well in a file and greps.
type progress struct {
	mu          sync.Mutex
	w           io.Writer
	bar         *progressbar.ProgressBar
	now         func() time.Time
	start       time.Time
	total, done int
	// The time left is the time so far scaled by the work left over the
	// work done, with work estimated per run (jobCost): the sweep runs its
	// largest runs first, so a count of runs alone would overstate it.
	costDone, costLeft float64
}

func newProgress(w io.Writer, jobs []job, now func() time.Time) *progress {
	p := &progress{w: w, now: now, start: now(), total: len(jobs)}
	for _, j := range jobs {
		p.costLeft += jobCost(j)
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && len(jobs) > 0 {
		p.bar = progressbar.NewOptions(len(jobs),
			progressbar.OptionSetWriter(w),
			progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(false),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetDescription("sweep"),
		)
	}
	return p
}

// jobCost estimates a run's work relative to the others': steps times batch
// times the hidden-to-hidden weights of a layer, Σ width², which dominate a
// training step's products.
func jobCost(j job) float64 {
	var w2 float64
	layers := [][]int{j.e.Network.Branch, j.e.Network.Trunk}
	if g := j.e.Regression; g != nil {
		// A dense network's hidden layers are the widths themselves.
		layers = [][]int{g.hidden(j.e.Sweep, j.size)}
	}
	for _, layers := range layers {
		for _, n := range layers {
			if j.e.Sweep == "N" && j.e.Regression == nil {
				n = j.size
			}
			w2 += float64(n) * float64(n)
		}
	}
	return float64(j.e.Training.Steps) * float64(max(j.e.Training.Batch, 1)) * max(w2, 1)
}

// sizeLabel names a job's size as the suite gives it: n for a data sweep,
// the hidden width for a model sweep.
func sizeLabel(j job) string {
	if j.e.Sweep == "N" {
		return fmt.Sprintf("width=%d", j.size)
	}
	return fmt.Sprintf("n=%d", j.size)
}

// finished reports a run that has been recorded; what describes it.
func (p *progress) finished(j job, what string) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := jobCost(j)
	p.done++
	p.costDone += c
	p.costLeft -= c
	elapsed := p.now().Sub(p.start)
	left := "none"
	if p.done < p.total {
		left = "about " + roundDuration(time.Duration(float64(elapsed)*p.costLeft/p.costDone)).String()
	}
	times := fmt.Sprintf("%s elapsed, %s left", roundDuration(elapsed), left)
	if p.bar == nil {
		fmt.Fprintf(p.w, "[%d/%d] %s %s seed=%d: %s | %s\n", p.done, p.total, j.e.ID, sizeLabel(j), j.seed, what, times)
		return
	}
	progressbar.Bprintf(p.bar, "%s %s seed=%d: %s\n", j.e.ID, sizeLabel(j), j.seed, what)
	p.bar.Describe(times)
	p.bar.Add(1)
}

// printf writes a message between the runs' lines.
func (p *progress) printf(format string, a ...any) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		progressbar.Bprintf(p.bar, format, a...)
		return
	}
	fmt.Fprintf(p.w, format, a...)
}

// close ends the bar's line, so that what follows starts on a line of its
// own.
func (p *progress) close() {
	if p.bar != nil {
		p.bar.Exit()
		fmt.Fprintln(p.w)
		p.bar = nil
	}
}

func roundDuration(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
