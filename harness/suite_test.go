package harness

import (
	"strings"
	"testing"
)

// TrainRun checks the run's settings before it makes any data or trains.
// The suite's seeds are 0 and 2⁶³−1, the largest TOML can write: only seeds
// that wrapped round from a negative number (see TestLoadSuiteNamesBadFields)
// are refused.
func TestTrainRunRejectsBadSettings(t *testing.T) {
	body := strings.Replace(tinySuite, `seeds = [1, 2]`, `seeds = [0, 9223372036854775807]`, 1)
	s, err := LoadSuite(writeSuite(t, body))
	if err != nil {
		t.Fatalf("seeds 0 and 2⁶³−1 rejected: %v", err)
	}
	for _, bad := range []struct {
		set  func(e *Experiment)
		want string
	}{
		{func(e *Experiment) { e.Noise = -1 }, "noise"},
		{func(e *Experiment) { e.TestSize = 0 }, "test_functions"},
	} {
		e := s.Experiments[0]
		bad.set(&e)
		if _, err := TrainRun(&e, 8, 1); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("error %v, want one naming %q", err, bad.want)
		}
	}
	if _, err := TrainRun(&s.Experiments[0], 0, 1); err == nil {
		t.Error("size 0 accepted")
	}
}
