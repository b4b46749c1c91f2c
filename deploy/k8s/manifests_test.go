package k8s

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The types below are the part of the Kubernetes API the manifests use.
// Decoding is strict, so a misspelt or unexpected field fails the test, as
// kubectl's strict validation would fail the apply.

type objectMeta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

type envVar struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		FieldRef *struct {
			FieldPath string `yaml:"fieldPath"`
		} `yaml:"fieldRef"`
	} `yaml:"valueFrom"`
}

type container struct {
	Name      string   `yaml:"name"`
	Image     string   `yaml:"image"`
	Command   []string `yaml:"command"`
	Args      []string `yaml:"args"`
	Env       []envVar `yaml:"env"`
	Resources struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type job struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    *int   `yaml:"completions"`
		Parallelism    *int   `yaml:"parallelism"`
		BackoffLimit   *int   `yaml:"backoffLimit"`
		Template       struct {
			Metadata objectMeta `yaml:"metadata"`
			Spec     struct {
				RestartPolicy  string      `yaml:"restartPolicy"`
				InitContainers []container `yaml:"initContainers"`
				Containers     []container `yaml:"containers"`
				Volumes        []struct {
					Name                  string `yaml:"name"`
					PersistentVolumeClaim *struct {
						ClaimName string `yaml:"claimName"`
					} `yaml:"persistentVolumeClaim"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type claim struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       struct {
		AccessModes []string `yaml:"accessModes"`
		Resources   struct {
			Requests map[string]string `yaml:"requests"`
		} `yaml:"resources"`
	} `yaml:"spec"`
}

func decode(t *testing.T, file string, v any) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// expand does what the kubelet does to $(NAME) in args, for the given
// variables.
func expand(s string, vars map[string]string) string {
	return regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// flagValue returns the value after -name in args.
func flagValue(t *testing.T, args []string, name string) string {
	t.Helper()
	for i, a := range args {
		if a == "-"+name && i+1 < len(args) {
			return args[i+1]
		}
	}
	t.Fatalf("args %q lack -%s", args, name)
	return ""
}

// mountedClaim returns the claim mounted at the folder holding path.
func mountedClaim(t *testing.T, j *job, c *container, path string) string {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if path == m.MountPath || strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/") {
			for _, v := range j.Spec.Template.Spec.Volumes {
				if v.Name == m.Name && v.PersistentVolumeClaim != nil {
					return v.PersistentVolumeClaim.ClaimName
				}
			}
			t.Fatalf("%s: volume %q of mount %s is no persistent volume claim", c.Name, m.Name, m.MountPath)
		}
	}
	t.Fatalf("%s: %s is on no mounted volume", c.Name, path)
	return ""
}

func TestManifestsWiring(t *testing.T) {
	var pvc claim
	var sweep, merge job
	decode(t, "pvc.yaml", &pvc)
	decode(t, "sweep-job.yaml", &sweep)
	decode(t, "merge-job.yaml", &merge)

	if pvc.Kind != "PersistentVolumeClaim" || pvc.APIVersion != "v1" {
		t.Errorf("pvc.yaml is a %s %s", pvc.APIVersion, pvc.Kind)
	}
	if !strings.Contains(strings.Join(pvc.Spec.AccessModes, ","), "ReadWriteMany") {
		t.Errorf("the results claim is %v: pods on several nodes need ReadWriteMany", pvc.Spec.AccessModes)
	}
	for _, j := range []*job{&sweep, &merge} {
		if j.Kind != "Job" || j.APIVersion != "batch/v1" {
			t.Errorf("%s is a %s %s, want a batch/v1 Job", j.Metadata.Name, j.APIVersion, j.Kind)
		}
		if p := j.Spec.Template.Spec.RestartPolicy; p != "Never" && p != "OnFailure" {
			t.Errorf("%s: restartPolicy %q is not allowed in a Job", j.Metadata.Name, p)
		}
	}

	// The sweep: one shard per completion index, all at once.
	s := &sweep.Spec
	if s.CompletionMode != "Indexed" {
		t.Fatalf("completionMode %q: the sweep needs an Indexed Job for JOB_COMPLETION_INDEX", s.CompletionMode)
	}
	if s.Completions == nil || s.Parallelism == nil {
		t.Fatal("the sweep job lacks completions or parallelism")
	}
	k := *s.Completions
	if *s.Parallelism != k {
		t.Errorf("parallelism %d ≠ completions %d: shards would wait for each other", *s.Parallelism, k)
	}
	if len(s.Template.Spec.Containers) != 1 {
		t.Fatalf("the sweep pod has %d containers, want 1", len(s.Template.Spec.Containers))
	}
	c := &s.Template.Spec.Containers[0]
	if c.Image == "" || strings.Join(c.Command, " ") != "opscale" || len(c.Args) == 0 || c.Args[0] != "sweep" {
		t.Fatalf("the sweep container runs %q %q %q, want the opscale image running opscale sweep", c.Image, c.Command, c.Args)
	}
	index := ""
	for _, e := range c.Env {
		if e.Name == "JOB_COMPLETION_INDEX" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			index = e.ValueFrom.FieldRef.FieldPath
		}
	}
	if index != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("JOB_COMPLETION_INDEX comes from %q, not the completion index annotation", index)
	}
	claimName := pvc.Metadata.Name
	var shardDirs []string
	seen := map[string]bool{}
	for i := range k {
		args := make([]string, len(c.Args))
		for a := range c.Args {
			args[a] = expand(c.Args[a], map[string]string{"JOB_COMPLETION_INDEX": fmt.Sprint(i)})
		}
		if got, want := flagValue(t, args, "shard"), fmt.Sprintf("%d/%d", i, k); got != want {
			t.Errorf("index %d runs -shard %s, want %s (completions = shard count)", i, got, want)
		}
		dir := flagValue(t, args, "results")
		if seen[dir] {
			t.Errorf("two indexes write %s", dir)
		}
		seen[dir] = true
		shardDirs = append(shardDirs, dir)
		if got := mountedClaim(t, &sweep, c, dir); got != claimName {
			t.Errorf("index %d writes to claim %q, not the shared %q", i, got, claimName)
		}
	}
	suite := flagValue(t, c.Args, "suite")
	checkSuiteInImage(t, suite)

	// The merge: every shard folder, then the report, on the same volume
	// and image.
	ms := &merge.Spec.Template.Spec
	if len(ms.InitContainers) != 1 || len(ms.Containers) != 1 {
		t.Fatalf("the merge pod has %d init containers and %d containers, want 1 and 1", len(ms.InitContainers), len(ms.Containers))
	}
	mc, rc := &ms.InitContainers[0], &ms.Containers[0]
	for _, x := range []*container{mc, rc} {
		if x.Image != c.Image || strings.Join(x.Command, " ") != "opscale" {
			t.Errorf("%s runs %q in image %q, want opscale in the sweep's %q", x.Name, x.Command, x.Image, c.Image)
		}
	}
	if len(mc.Args) < 3 || mc.Args[0] != "merge" || mc.Args[1] != "-o" {
		t.Fatalf("the merge container runs %q, want merge -o DIR SRC...", mc.Args)
	}
	out, srcs := mc.Args[2], mc.Args[3:]
	if strings.Join(srcs, " ") != strings.Join(shardDirs, " ") {
		t.Errorf("merge reads %q, want every shard's folder %q", srcs, shardDirs)
	}
	for _, p := range append([]string{out}, srcs...) {
		if got := mountedClaim(t, &merge, mc, p); got != claimName {
			t.Errorf("merge reaches %s on claim %q, not %q", p, got, claimName)
		}
	}
	if len(rc.Args) == 0 || rc.Args[0] != "report" || flagValue(t, rc.Args, "results") != out {
		t.Errorf("the report container runs %q, want report -results %s", rc.Args, out)
	}
	if got := flagValue(t, rc.Args, "suite"); got != suite {
		t.Errorf("the report picks the runs of %s, the sweep ran %s", got, suite)
	}
	if got := mountedClaim(t, &merge, rc, flagValue(t, rc.Args, "out")); got != claimName {
		t.Errorf("the report is written to claim %q, not %q", got, claimName)
	}
}

// checkSuiteInImage checks that the suite path the jobs use is a suite of
// the repository that the Dockerfile copies into the image.
func checkSuiteInImage(t *testing.T, suite string) {
	t.Helper()
	rel, ok := strings.CutPrefix(suite, "/opscale/")
	if !ok {
		t.Fatalf("suite %s is not under /opscale/, where the Dockerfile puts the suites", suite)
	}
	if _, err := os.Stat(filepath.Join("..", "..", rel)); err != nil {
		t.Errorf("suite %s: no %s in the repository", suite, rel)
	}
	docker, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(docker), "/src/"+filepath.Dir(rel)+" /opscale/"+filepath.Dir(rel)) {
		t.Errorf("the Dockerfile does not copy %s into /opscale/%s", filepath.Dir(rel), filepath.Dir(rel))
	}
}
