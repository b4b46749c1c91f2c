# opscale: `make bench` regenerates results/ and REPORT.md; `make test` runs the checks.
GO ?= go
GEMM := nets/internal/gemm

.PHONY: test vet bench bench-quick asm asm-check bench-gemm

test: vet asm-check
	$(GO) test ./...
	$(GO) test -tags purego ./$(GEMM)
	OPSCALE_GEMM=purego $(GO) test ./$(GEMM)

vet:
	$(GO) vet ./...

# asm regenerates the GEMM micro-kernels from their avo generator.
asm:
	cd $(GEMM)/_asm && $(GO) run . -out ../kernel_amd64.s -stubs ../kernel_amd64.go -pkg gemm

# asm-check fails when the committed kernels differ from what the generator
# makes now.
asm-check: asm
	git diff --exit-code -- $(GEMM)/kernel_amd64.s $(GEMM)/kernel_amd64.go

# bench-gemm measures ours against gonum on square and training shapes, on one
# and two threads, and prints the table.
bench-gemm:
	$(GO) test -run '^$$' -bench 'Gemm|FMAPeak' -benchtime 250ms -count 3 -cpu 1,2 -timeout 20m ./$(GEMM) | tee /tmp/opscale-bench-gemm.txt | $(GO) run ./$(GEMM)/internal/benchtable
