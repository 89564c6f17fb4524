# PAM edge daemon. `make help` lists the targets.
GO      ?= go
# 0.2.0 on a tag, 0.2.0+git5.1a2b3c4 after it: see packaging/version.
VERSION ?= $(shell packaging/version 2>/dev/null || echo 0.0.0+unknown)
LDFLAGS := -s -w -X main.Version=$(VERSION)
BIN     := bin/pamd
DATA    ?= ./data
PKGS    := ./...
# The packages that run goroutines of their own (writer and checks, sync
# loop and pull pipeline, HTTP server, fan-out, daemon lifecycle): `make
# test` runs their tests under the race detector, the others without it.
# Measured on a 2-core box shared with other work (load average 5-6): the
# race run alone 4m40s wall (with localstore/demo, since left out), the whole
# `make test` 6m13s; sync/replica is the longest race package (~200 s).
RACE_PKGS  := ./localstore ./sync/... ./agent/api ./agent/notify ./agent/insights ./agent/jobs ./cmd/pamd
OTHER_PKGS  = $(filter-out $(shell $(GO) list $(RACE_PKGS)),$(shell $(GO) list $(PKGS)))
# The race run is -short: these tests (real kill -9, a latency proxy, the
# longer oracle and concurrency runs, 200 notification sockets) skip there and run here without the
# race detector. sync/replica alone took 362 s under -race with them, near
# the 9-minute package timeout on a shared 2-core box.
LONG_TESTS := ^(TestKill9DuringWrites|TestSyncCrashPoints|TestSlowLink|TestOracle|TestOracleAdopted|TestConcurrentDevicesAdopted|TestNotificationFanOut)$$

.PHONY: help run build build-arm64 deb test bench lint pg-up deps clean

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: build ## build, fill the demo data on first start, serve on 127.0.0.1:8000
	PAM_LOG_FORMAT=text $(BIN) serve --data-dir $(DATA) --demo

build: ## build bin/pamd for this machine (static, CGO off)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/pamd

build-arm64: ## build a static linux/arm64 binary: bin/pamd-linux-arm64
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/pamd-linux-arm64 ./cmd/pamd

deb: ## build Debian packages for amd64 and arm64 into bin/
	VERSION=$(VERSION) packaging/build-deb amd64
	VERSION=$(VERSION) packaging/build-deb arm64

test: lint pg-up deps ## run every test (-race on the concurrent packages), including the Postgres ones, and every benchmark once
	$(GO) test -race -short -count=1 -timeout 9m $(RACE_PKGS)
	$(GO) test -count=1 -timeout 9m $(OTHER_PKGS)
	$(GO) test -count=1 -timeout 9m -run '$(LONG_TESTS)' $(RACE_PKGS)
	$(GO) test -p 1 -count=1 -run '^$$' -bench . -benchtime 1x -timeout 9m $(PKGS)

bench: pg-up ## run the benchmarks and print their figures
	$(GO) test -p 1 -run '^$$' -bench . -benchtime 2s -timeout 30m $(PKGS)

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

pg-up: ## start the local PostgreSQL (127.0.0.1:5432) if it is down
	@.ci/pg-up

deps: ## install what the tests need when missing: pgbouncer, chromium (apt), axe-core (npm, into ~/.cache/pamd)
	@.ci/deps

clean: ## remove build output and the make-run data
	rm -rf bin $(DATA)
