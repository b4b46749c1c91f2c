// Command opscale generates operator-learning problems, trains networks across
// sizes, and reports measured scaling exponents beside the theory's.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
)

// command runs one subcommand with its arguments; output goes to stdout,
// diagnostics (flag errors and help, progress) to commandStderr.
type command struct {
	run     func(args []string, stdout io.Writer) error
	summary string
}

// commands maps subcommand names to their implementations, registered by
// the init function of the file that implements them (train.go holds train
// and benchtrain).
var commands = map[string]command{}

// commandStderr is the stderr that run was given, for the commands' flag
// sets and progress lines, so that a caller capturing run's stderr (the
// tests) sees all of it.
var commandStderr io.Writer = os.Stderr

func main() {
	stop, err := startProfile(os.Getenv("OPSCALE_CPUPROFILE"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "opscale: OPSCALE_CPUPROFILE: %v\n", err)
		os.Exit(2)
	}
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// startProfile writes a CPU profile of the whole command to path, for
// finding where a sweep's time goes without rebuilding; "" profiles nothing.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "opscale: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	commandStderr = stderr
	defer func() { commandStderr = os.Stderr }()
	if err := c.run(args[1:], stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "opscale %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: opscale <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'opscale <command> -h' for its flags.")
}

// newFlagSet returns a flag set that reports errors instead of exiting, so
// that a bad flag or value becomes an error naming it.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("opscale "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// repoFile returns the path of a file given relative to the repository's
// root (the folder of opscale's go.mod), found by walking up from the working
// folder, so that a default like harness/suites/quick.toml works from any
// folder inside the repository. Outside it, rel is returned unchanged and
// read relative to the working folder.
func repoFile(rel string) string {
	dir, err := os.Getwd()
	if err != nil {
		return rel
	}
	for {
		if mod, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(mod, []byte("module opscale\n")) {
			return filepath.Join(dir, rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return rel
		}
		dir = parent
	}
}

// parseFlags parses args and rejects stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags come as -name value)", fs.Arg(0))
	}
	return nil
}
