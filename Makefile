# opscale: `make bench` regenerates results/ and REPORT.md; `make test` runs the checks.
GO ?= go
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty)
LDFLAGS := -X opscale/harness.Commit=$(COMMIT)
BIN := bin/opscale
QUICK ?= $(or $(TMPDIR),/tmp)/opscale-quick

.PHONY: test vet build bench bench-quick bench-quick-clean FORCE

test: vet
	$(GO) test ./...

vet:
	$(GO) vet ./...

build: $(BIN)

$(BIN): FORCE
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/opscale

# The full suite from scratch: results/ and REPORT.md are rewritten.
bench: $(BIN)
	rm -rf results/runs.jsonl results/tables results/plots
	$(BIN) sweep -suite harness/suites/full.toml -results results
	$(BIN) report -results results -out REPORT.md

# The quick suite into a scratch folder; REPORT.md is left alone. Rerunning
# resumes where an interrupted run stopped; `make bench-quick-clean` restarts.
bench-quick: $(BIN)
	$(BIN) sweep -suite harness/suites/quick.toml -results $(QUICK)
	$(BIN) report -results $(QUICK) -out $(QUICK)/REPORT.md
	@echo "quick report: $(QUICK)/REPORT.md"

bench-quick-clean:
	rm -rf $(QUICK)
