package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A short run of the antiderivative benchmark learns: it removes at least
// half of the test error of predicting zero, whose relative L² error is 1.
func TestTrainAntiderivative(t *testing.T) {
	var out bytes.Buffer
	err := runTrain([]string{"-n", "40", "-ntest", "20", "-steps", "300", "-lr", "3e-3", "-precision", "float64"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`mean relative L2 ([0-9.e+-]+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no test error in:\n%s", out.String())
	}
	rel, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", out.String())
	if !(rel < 0.5) {
		t.Errorf("mean relative L2 %g after 300 steps: not learning", rel)
	}
}

// Every bad flag is rejected before any data is made or trained on.
func TestTrainFlagErrors(t *testing.T) {
	wantRejected(t, runTrain, []flagCase{
		{[]string{"-branch", "40,x"}, "-branch"},
		{[]string{"-trunk", "40,30"}, "same width p"},
		{[]string{"-precision", "float16"}, "-precision"},
		{[]string{"-threads", "-1"}, "-threads"},
		{[]string{"-family", "grf", "-length", "-1"}, "Length"},
		{[]string{"-ntest", "0"}, "-ntest"},
		{[]string{"-n", "0"}, "flag -n "},
		{[]string{"-steps", "0"}, "-steps"},
		{[]string{"-lr", "NaN"}, "-lr"},
		{[]string{"-lr", "+Inf"}, "-lr"},
		{[]string{"-lr", "0"}, "-lr"},
		{[]string{"-final-lr", "NaN"}, "-final-lr"},
		{[]string{"-final-lr", "-Inf"}, "-final-lr"},
		{[]string{"-final-lr", "0"}, "-final-lr"},
	})
}

// Without PyTorch the table shows opscale's figures alone.
func TestBenchTrainWithoutTorch(t *testing.T) {
	var out bytes.Buffer
	err := runBenchTrain([]string{"-torch=false", "-only", "antiderivative", "-rounds", "1", "-time", "20ms"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if strings.Count(s, "antiderivative") != 4 || strings.Contains(s, "PyTorch") {
		t.Errorf("want four antiderivative rows and no PyTorch column:\n%s", s)
	}
	if err := runBenchTrain([]string{"-only", "resnet"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "resnet") {
		t.Errorf("unknown model: error %v", err)
	}
}
