# opscale: `make bench` regenerates results/ and REPORT.md; `make test` runs the checks.
GO ?= go
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty)
LDFLAGS := -X opscale/harness.Commit=$(COMMIT)
BIN := bin/opscale
QUICK ?= $(or $(TMPDIR),/tmp)/opscale-quick
GEMM := nets/internal/gemm
VEC := nets/internal/vec

.PHONY: test vet build bench bench-quick bench-quick-clean bench-slurm test-slurm asm asm-check bench-gemm bench-train bench-ab FORCE

test: vet asm-check
	$(GO) test ./...
	$(GO) test -tags purego ./$(GEMM) ./$(VEC)
	OPSCALE_GEMM=purego $(GO) test ./$(GEMM) ./$(VEC)

vet:
	$(GO) vet ./...

build: $(BIN)

$(BIN): FORCE
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/opscale

# The full suite from scratch: results/ and REPORT.md are rewritten. The
# planner checks fit opscale plan's law on the smaller half of a sweep and
# score its predictions at the larger sizes; the report's "Planner check"
# section reads them.
PLANCHECK := -n 2000 -steps 2000
bench: $(BIN)
	rm -rf results/runs.jsonl results/runs.jsonl.lock results/tables results/plots results/efficiency.json results/plancheck-*
	$(BIN) sweep -suite harness/suites/full.toml -results results
	$(BIN) plan -check -problem poisson1d -family subspace -bu 2 $(PLANCHECK) -out results/plancheck-poisson1d
	$(BIN) plan -check -problem antiderivative -family subspace -bu 4 $(PLANCHECK) -out results/plancheck-antiderivative
	$(BIN) plan -check -problem tightness -family subspace -bu 2 $(PLANCHECK) -out results/plancheck-tightness
	$(BIN) report -results results -out REPORT.md

# The quick suite into a scratch folder; REPORT.md is left alone. Rerunning
# resumes where an interrupted run stopped; `make bench-quick-clean` restarts.
bench-quick: $(BIN)
	$(BIN) sweep -suite harness/suites/quick.toml -results $(QUICK)
	$(BIN) report -results $(QUICK) -out $(QUICK)/REPORT.md
	@echo "quick report: $(QUICK)/REPORT.md"

bench-quick-clean:
	rm -rf $(QUICK)

# bench-slurm submits the full suite to the Slurm cluster this machine talks
# to, as an array of SLURM_SHARDS tasks and a dependent merge-and-report job
# (deploy/slurm). SLURM_RESULTS must be a folder every node sees; extra
# sbatch options go in SBATCH_OPTS, e.g. SBATCH_OPTS="-p long -t 12:00:00".
SLURM_SHARDS ?= 8
SLURM_RESULTS ?= $(CURDIR)/results-slurm
bench-slurm: $(BIN)
	OPSCALE=$(CURDIR)/$(BIN) deploy/slurm/submit.sh harness/suites/full.toml $(SLURM_RESULTS) $(SLURM_SHARDS) $(SBATCH_OPTS)

# test-slurm starts a one-node Slurm cluster on localhost (installing
# slurm-wlm and munge if missing; needs root), runs a tiny suite as a 3-task
# array, merges, and checks the result against a one-machine sweep bit for
# bit. It stops only the daemons it started.
test-slurm: $(BIN)
	deploy/slurm/test.sh $(CURDIR)/$(BIN)

# asm regenerates the GEMM micro-kernels from their avo generator.
asm:
	cd $(GEMM)/_asm && $(GO) run . -out ../kernel_amd64.s -stubs ../kernel_amd64.go -parts ../kernel_parts_amd64.go -pkg gemm
	cd $(VEC)/_asm && $(GO) run . -out ../vec_amd64.s -stubs ../vec_amd64.go -pkg vec

# asm-check fails when the committed kernels differ from what the generator
# makes now.
asm-check: asm
	git diff --exit-code -- $(GEMM)/kernel_amd64.s $(GEMM)/kernel_amd64.go $(GEMM)/kernel_parts_amd64.go $(VEC)/vec_amd64.s $(VEC)/vec_amd64.go

# bench-ab times the working tree against the commit BASE (default: the last
# commit) on the sample suite harness/suites/ab.toml, AB_ROUNDS sweeps of each
# taken in turn, and prints the medians, the median ratio of wall times and
# whether both builds gave the same results bit for bit.
BASE ?= HEAD
AB_ROUNDS ?= 5
bench-ab:
	GO=$(GO) scripts/bench-ab.sh $(BASE) $(AB_ROUNDS)

# bench-gemm measures ours against gonum on square and training shapes, on one
# and two threads, and prints the table.
bench-gemm:
	$(GO) test -run '^$$' -bench 'Gemm|FMAPeak' -benchtime 250ms -count 3 -cpu 1,2 -timeout 20m ./$(GEMM) | tee /tmp/opscale-bench-gemm.txt | $(GO) run ./$(GEMM)/internal/benchtable

# bench-train times a training step of the reference networks on one and two
# threads beside PyTorch's (measured in the same run when Debian's
# python3-torch is installed), then trains the antiderivative network of the
# DeepONet paper for 10,000 steps and reports its test error.
bench-train: $(BIN)
	$(BIN) benchtrain
	$(BIN) train
