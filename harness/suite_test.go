package harness

import (
	"strings"
	"testing"
)

// Values that decode but cannot be run are rejected when the suite is
// loaded, before any training, naming the field: non-finite numbers (which
// would train and then fail to be written as JSON) and negative seeds (which
// the TOML decoder wraps round into uint64).
func TestLoadSuiteRejectsNonFiniteAndNegative(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{`noise = 0.01`, `noise = nan`, "noise"},
		{`noise = 0.01`, `noise = inf`, "noise"},
		{`lr = 1e-3`, `lr = nan`, "training.lr"},
		{`lr = 1e-3`, `lr = inf`, "training.lr"},
		{`lr = 1e-3`, "lr = 1e-3\nfinal_lr = nan", "training.final_lr"},
		{`lr = 1e-3`, "lr = 1e-3\nfinal_lr = -inf", "training.final_lr"},
		{`validation = 0.25`, `validation = nan`, "training.validation"},
		{`validation = 0.25`, `validation = -inf`, "training.validation"},
		{`seeds = [1, 2]`, `seeds = [1, -1]`, "field seeds: seed -1 is negative"},
		{`seeds = [1, 2]`, `seeds = [-9223372036854775808]`, "field seeds"},
		{`precision = "float64"`, "precision = \"float64\"\ntest_seed = -5", "test_seed"},
		{`[experiment.network]`, "[experiment.params]\nprobeseed = -2\n\n[experiment.network]", "probe_seed"},
	} {
		body := strings.Replace(tinySuite, tc.old, tc.new, 1)
		if body == tinySuite {
			t.Fatalf("%q is not in the test suite", tc.old)
		}
		_, err := LoadSuite(writeSuite(t, body))
		if err == nil {
			t.Errorf("%s: accepted", tc.new)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not name %q", tc.new, err, tc.want)
		}
	}
	// The largest seed TOML can write is accepted.
	body := strings.Replace(tinySuite, `seeds = [1, 2]`, `seeds = [0, 9223372036854775807]`, 1)
	if _, err := LoadSuite(writeSuite(t, body)); err != nil {
		t.Errorf("seeds 0 and 2⁶³−1 rejected: %v", err)
	}
}

// TrainRun checks the run's settings before it makes any data or trains.
func TestTrainRunRejectsBadSettings(t *testing.T) {
	s, err := LoadSuite(writeSuite(t, tinySuite))
	if err != nil {
		t.Fatal(err)
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
