SHELL := /bin/bash
# Zoetrope — build, test and run. `make test` and `make studio` work on a fresh Debian/Ubuntu machine:
# they install missing system packages themselves (apt-get, with sudo when not root).

SWIFT        ?= swift
CONFIG       ?= release
SWIFTFLAGS   ?= -c $(CONFIG)
VENV         ?= .venv
PYTHON       ?= python3
# Debian packages: C libraries the modules link, and the independent tools tests compare against.
DEB_PACKAGES := pkg-config libncurses-dev libpng-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
                libopenblas-dev ffmpeg libsixel-dev libsixel-bin xvfb xterm imagemagick tmux
# Python packages for reference fixtures (installed into $(VENV); see tools/).
PY_PACKAGES  := numpy scikit-image safetensors
PY_PACKAGES  += pillow scipy  # tools/reference/imaging_fixtures.py (Pillow resize, scipy Gaussian)
# Optional: diffusers + torch for the sampling fixtures (tools/reference/sampling_fixtures.py); `make sampling-fixtures`.
PY_PACKAGES_DIFFUSERS := torch==2.13.0+cpu diffusers  # the CPU wheel; PyPI's default torch is a multi-GB CUDA build

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test test-swift venv fixtures torch-fixtures sampling-fixtures parity fuzz tsan studio bench clean help

all: build

help:
	@echo "make studio   open the studio on the bundled demo project"
	@echo "make test     install what is missing, build, run the whole test suite"
	@echo "make parity   regenerate reference fixtures with Python (PyTorch, scikit-image, diffusers) and compare live"
	@echo "make bench    run the benchmarks against their peers"

## deps: install missing Debian packages (only the missing ones; nothing when all are present)
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null || \
	  { echo "error: apt-get could not install:$$missing" >&2; exit 1; }; \
	fi

build: deps
	$(SWIFT) build $(SWIFTFLAGS)

## test: the whole suite (Swift tests, which include the end-to-end tests that drive the built binary)
test: deps
	$(SWIFT) build $(SWIFTFLAGS) --product zoetrope
	ZOETROPE_BIN="$$($(SWIFT) build $(SWIFTFLAGS) --show-bin-path)/zoetrope" $(SWIFT) test $(SWIFTFLAGS) 2>&1 | tee .test.log; \
	  status=$${PIPESTATUS[0]}; \
	  echo; echo "== summary =="; grep -E "Test run with|Executed [0-9]+ tests|error:|✘" .test.log | tail -20; \
	  exit $$status

## venv: Python environment for reference fixtures (ignored by git)
$(VENV)/.ready:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q $(PY_PACKAGES)
	touch $@

venv: $(VENV)/.ready

## fixtures: regenerate the reference values that tests compare against
fixtures: venv
	@for s in tools/reference/*.py; do [ -f "$$s" ] || continue; echo "== $$s"; $(VENV)/bin/python "$$s" || exit 1; done

## sampling-fixtures: regenerate Tests/EngineTests/Sampling/Fixtures with diffusers; keeps the committed ones when
## diffusers/torch cannot be installed (CI runs this before the tests)
sampling-fixtures:
	@py=$(VENV)/bin/python; \
	if ! $$py -c "import diffusers, torch" 2>/dev/null; then \
	  { [ -x $$py ] || $(PYTHON) -m venv $(VENV); } >/dev/null 2>&1 && \
	  $(VENV)/bin/pip install -q $(PY_PACKAGES) $(PY_PACKAGES_DIFFUSERS) >/dev/null 2>&1; fi; \
	if $$py -c "import diffusers, torch" 2>/dev/null; then $$py tools/reference/sampling_fixtures.py; \
	else echo "sampling-fixtures: diffusers/torch not installable here; using the committed fixtures"; fi

## torch-fixtures: regenerate the PyTorch reference fixtures (tools/torch/make_*.py) when torch can be installed
torch-fixtures: venv
	@if $(VENV)/bin/python -c "import torch" 2>/dev/null || $(VENV)/bin/pip install -q "torch==2.13.0+cpu" diffusers 2>/dev/null; then \
	  for s in tools/torch/make_*.py; do echo "== $$s"; $(VENV)/bin/python "$$s" || exit 1; done; \
	else echo "torch-fixtures: skipped (pip cannot find torch==2.13.0+cpu); tests use the committed fixtures"; fi

## parity: regenerate fixtures with the independent implementations, then run the tests against them
parity: fixtures sampling-fixtures torch-fixtures test

## fuzz: libFuzzer on the safetensors header parser for FUZZ_SECONDS (default 60), corpus = the test fixtures
FUZZ_SECONDS ?= 60
fuzz:
	$(SWIFT) build -c release --product fuzz-safetensors --build-path .build-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	mkdir -p .build-fuzz/corpus && cp Tests/EngineTests/Fixtures/*.safetensors .build-fuzz/corpus/
	.build-fuzz/release/fuzz-safetensors .build-fuzz/corpus -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -rss_limit_mb=1024 -malloc_limit_mb=64

## tsan: the engine's concurrency tests (generation session, parallel loops) under the thread sanitizer; a debug
## build in its own build folder. Any data race TSan reports fails the run (halt_on_error).
TSAN_FILTER ?= GenerationSession|ComputeThreads|ClipGenerator|DirectConv|AttentionKernel|LinearKernel
tsan:
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $(TSAN_OPTIONS)" \
	  $(SWIFT) test --sanitize=thread --build-path .build-tsan --filter '$(TSAN_FILTER)'

## studio: open the studio on the bundled demo project; it starts generating at once.
studio: deps
	$(SWIFT) build $(SWIFTFLAGS) --product zoetrope
	@[ -f demo/demo.zoetrope.json ] || { echo "error: demo/demo.zoetrope.json is missing (the demo project comes with the trained demo model)" >&2; exit 1; }
	"$$($(SWIFT) build $(SWIFTFLAGS) --show-bin-path)/zoetrope" studio demo/demo.zoetrope.json

clean:
	rm -rf .build .test.log
