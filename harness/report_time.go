package harness

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"opscale/internal/table"
)

// timeRow is the runs of one network shape: its architecture, batch and
// precision decide how fast a training step goes, whatever the experiment.
type timeRow struct {
	network   string
	batch     int
	precision string
	runs      int
	wall      float64 // run time, summed
	work      float64 // float64-equivalent GFLOP: float32 counts half
}

// timeShown is how much of the summed run time the table's rows cover
// before the rest is folded into one row: enough to name every shape that
// matters, without listing a hundred small ones.
const timeShown = 0.9

// writeTimeShare writes where the suite's training time went and how much
// of the FMA peak each network shape reached in it: a run's rate is its
// training GFLOP over its own wall time (its share of a lockstep group's),
// so the rows show which shapes hold the suite's efficiency down, and the
// summed run time against the sweep's wall time on all cores shows what the
// cores spent outside runs.
func writeTimeShare(doc *bytes.Buffer, runs []Run, eff *Efficiency) error {
	byShape := map[timeRow]*timeRow{}
	var total timeRow
	for _, r := range runs {
		key := timeRow{network: r.Setup.Network, batch: r.Setup.Training.Batch, precision: r.Precision}
		row := byShape[key]
		if row == nil {
			row = &key
			byShape[key] = row
		}
		w := r.Train.GFlop
		if r.Precision == "float32" {
			w /= 2
		}
		for _, t := range []*timeRow{row, &total} {
			t.runs++
			t.wall += r.WallSec
			t.work += w
		}
	}
	if total.wall <= 0 {
		return nil
	}
	rows := make([]*timeRow, 0, len(byShape))
	for _, r := range byShape {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b *timeRow) int {
		return cmp.Or(cmp.Compare(b.wall, a.wall), cmp.Compare(a.network, b.network), cmp.Compare(a.batch, b.batch), cmp.Compare(a.precision, b.precision))
	})
	shown, covered := 0, 0.0
	for shown < len(rows) && covered < timeShown*total.wall {
		covered += rows[shown].wall
		shown++
	}
	rest := timeRow{network: fmt.Sprintf("the other %d shapes", len(rows)-shown)}
	for _, r := range rows[shown:] {
		rest.runs += r.runs
		rest.wall += r.wall
		rest.work += r.work
	}
	rows = rows[:shown]
	if rest.runs > 0 {
		rows = append(rows, &rest)
	}
	total.network = "all runs"
	rows = append(rows, &total)

	peak, peakWhat := 0.0, ""
	if eff != nil {
		peak, peakWhat = eff.PeakGFlops, "the FMA peak measured before and after the sweep"
		if eff.PeakProbes > 0 {
			peak, peakWhat = eff.PeakMedian, "the median FMA peak measured beside the runs"
		}
	}
	header := []string{"network", "batch", "precision", "runs", "run time", "share of run time", "GFLOP/s per run (float64-equivalent)"}
	if peak > 0 {
		header = append(header, "share of the FMA peak")
	}
	var cells [][]string
	for _, r := range rows {
		batch := ""
		if r.batch > 0 {
			batch = fmt.Sprint(r.batch)
		}
		c := []string{r.network, batch, r.precision, fmt.Sprint(r.runs), fmt.Sprintf("%.0f s", r.wall),
			fmt.Sprintf("%.1f%%", 100*r.wall/total.wall), fmt.Sprintf("%.1f", r.work/r.wall)}
		if peak > 0 {
			c = append(c, fmt.Sprintf("%.1f%%", 100*r.work/r.wall/peak))
		}
		cells = append(cells, c)
	}

	fmt.Fprintf(doc, "### Where the training time went\n\n")
	fmt.Fprintf(doc, "The runs grouped by the shape of their training step (network, batch of training functions or rows, precision), the largest first until %.0f%% of the summed run time is named. A run's rate is its training GFLOP over its own wall time, float32 counted half", 100*timeShown)
	if peak > 0 {
		fmt.Fprintf(doc, ", read against %s (%.1f GFLOP/s per core)", peakWhat, peak)
	}
	doc.WriteString(". A shape's share of the peak is what its step reaches on one core with the other cores training; the suite efficiency above is lower by that and by the time the cores spent outside runs")
	// A shard's wall time is not the merged runs', nor a resumed sweep's the
	// runs it found done: the share is claimed only for the runs it timed.
	if eff != nil && !eff.Shard && eff.Runs == len(runs) && eff.WallSec > 0 && eff.Cores > 0 {
		fmt.Fprintf(doc, ": the runs took %.1f%% of the sweep's wall time on %d cores", 100*total.wall/(eff.WallSec*float64(eff.Cores)), eff.Cores)
	}
	doc.WriteString(".\n\n")
	if err := table.Markdown(doc, header, cells); err != nil {
		return err
	}
	doc.WriteString("\n")
	return nil
}
