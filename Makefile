# opscale: `make bench` regenerates results/ and REPORT.md; `make test` runs the checks.
GO ?= go

.PHONY: test vet bench bench-quick

test: vet
	$(GO) test ./...

vet:
	$(GO) vet ./...
