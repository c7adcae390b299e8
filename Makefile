# flowtap: see README.md. Targets run as root where they load BPF programs.
GO ?= go
PKGS := ./...

.PHONY: all help build generate check-generate test bench deps vet hwtest faults fuzz-live soak

all: build

# What an operator new to the tree types first. Kept here, beside the
# targets, so that a target added without a line here shows up in review.
help:
	@echo 'flowtap make targets (as root; README.md says more):'
	@echo '  make qemu            build the image and boot it under QEMU (TCG) with demo traffic,'
	@echo '                       a host collector (nfcapd, out/flows) and SSH/SNMP forwarded; Ctrl-A X ends it'
	@echo '  make image           build out/vmlinuz and out/initramfs.cpio.gz only (image/README.md)'
	@echo '  make build           build every command into out/bin/ (flowtapd, flowtap, ...)'
	@echo '  make test            install the test dependencies (make deps), then run every test (long; root)'
	@echo '  make deps            install what the tests need (.ci/deps)'
	@echo '  make vet             go vet, staticcheck and gofmt'
	@echo '  make generate        rebuild the committed bpf2go output from datapath/bpf/*.c'
	@echo '  make check-generate  CI: fail if the committed bpf2go output is stale'
	@echo '  make hwtest          the QEMU hardware tests alone'
	@echo '  make faults          the fault suite at full length'
	@echo '  make soak            a daemon under churn, round after round, checked for leaks (SOAK_ROUNDS=30: ~10 min)'
	@echo '  make fuzz-live       fuzz the SNMP agent of a running flowtapd over UDP (crash, hang, panic)'
	@echo '  make bench           benchmarks, as ratios against same-run baselines'

build:
	$(GO) build -o out/bin/ $(PKGS)

# Rebuild the committed bpf2go output (needs clang and libbpf headers).
generate:
	$(GO) generate ./datapath/...

# CI: the committed BPF objects must equal a fresh build.
check-generate: generate
	@git diff --exit-code --stat -- datapath/ || { echo "datapath/: committed bpf2go output is stale: run make generate and commit"; exit 1; }

# staticcheck, pinned: go run fetches this one version through the module
# proxy and checks its sum, without adding its dependencies to go.mod.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

vet:
	$(GO) vet $(PKGS)
	$(STATICCHECK) $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

# Everything a fresh Debian machine needs for the tests (root).
deps:
	./.ci/deps

# The fuzz runs below have budgets in calls, not durations. A -fuzztime duration
# fails now and then with a bare "context deadline exceeded" on a loaded
# machine: Go's fuzz coordinator (go1.26, golang/go#75804) can see its
# deadline before the workers' context is cancelled and report it as an
# error. A count sets no deadline. Minimizing is capped too: by default
# each new interesting input is minimized for up to 60 s, and on the
# config parsers' seed files that took the whole budget.
test: deps
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	$(GO) vet $(PKGS)
	@# The timeout is a hang guard: the e2e package (real daemons, real
	@# collectors, one after another) took 28 min on this 2-core machine
	@# under other load, and the next run was stopped by a 30 min one.
	$(GO) test -count=1 -timeout 60m $(PKGS)
	@# The parsers and the SNMP request path face untrusted input: a brief
	@# fuzz run each on top of their seed corpora.
	$(GO) test -run '^$$' -fuzz '^FuzzParseIOS$$' -fuzztime 30000x -fuzzminimizetime 100x ./appliance/config/
	$(GO) test -run '^$$' -fuzz '^FuzzParseJunOS$$' -fuzztime 30000x -fuzzminimizetime 100x ./appliance/config/
	$(GO) test -run '^$$' -fuzz '^FuzzRequest$$' -fuzztime 200000x -fuzzminimizetime 100x -parallel 1 ./mgmt/snmp/

# The SNMP agent of a running flowtapd fuzzed over its socket, with crash,
# hang and recovered-panic detection (about a minute; not in make test:
# the daemon is another process, so the fuzzer mutates blindly there and
# FuzzRequest above is the coverage-guided one).
fuzz-live: deps
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	$(GO) test -run '^$$' -fuzz '^FuzzLiveSNMP$$' -fuzztime 150000x -fuzzminimizetime 100x -parallel 1 ./appliance/cmd/flowtapd/

# The fault suite in full: each TestFault* runs as long as its issue asks
# (make test runs the same tests in a short form) and logs its FIGUREs.
faults: deps
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	FLOWTAP_FAULTS=full $(GO) test -count=1 -v -timeout 60m -run '^TestFault' $(PKGS)

# A box left up for months, compressed: one flowtapd under churn (flows,
# OpenSSH logins, net-snmp walks, configuration changes, a collector
# going away and back, clear commands), sampled after every round for
# what a leak grows (goroutines, descriptors, heap, pinned map entries,
# the log buffer, the host cache). About 20 s a round; not in make test.
SOAK_ROUNDS ?= 30
soak: deps
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	FLOWTAP_SOAK=$(SOAK_ROUNDS) $(GO) test -count=1 -v -timeout 60m -run '^TestSoak' ./appliance/cmd/flowtapd/

# The QEMU hardware tests alone (make test runs them too).
hwtest: deps
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	$(GO) test -count=1 -v -timeout 30m ./hwtest/

# Speed and memory figures, each with its same-run baseline or ratio.
bench: deps
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	@# Live: trafgen's table (BenchmarkLive), the live-frames generator's
	@# (BenchmarkLiveFrames), one and two queues (BenchmarkLiveQueues).
	$(GO) test -run '^$$' -bench Live -benchtime 1x ./datapath/
	$(GO) test -run '^$$' -bench Datapath -benchtime 1x ./datapath/
	$(GO) test -run '^$$' -bench 'Table(Memory|Pages|Rounds)' -benchtime 1x ./datapath/
	$(GO) test -run '^$$' -bench HarvestToWire -benchtime 1x ./appliance/pipeline/
	$(GO) test -run '^$$' -bench Encode -benchmem ./appliance/export/
	$(GO) test -run '^$$' -bench . -benchtime 300ms -benchmem ./appliance/asmap/

# The appliance image and `make qemu`.
include mk/image.mk
