# coprod: `make demo` builds the demo film end to end, `make test` runs the tests.
# Both create .venv, install coprod into it, and install missing system packages.
# Python packages come from the lock files at the exact versions the tests passed with
# (tools/lock.py writes them): requirements-demo.lock for coprod alone (make demo, film, review),
# requirements.lock adding the openai-whisper engine, Dask and the test tools (make test, lint).
# --no-deps: pip installs exactly what the lock names (so no triton for openai-whisper).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := projects/demo
FILM   ?= $(DEMO)
SYSTEM_PACKAGES := ffmpeg espeak-ng fonts-dejavu-core
# What make test-fast leaves out: Whisper and long renders, Chromium, Dask clusters.
FAST := not slow and not browser and not cluster

.PHONY: all demo test test-fast lint film review system system-test venv venv-test clean-demo help

all: help

help:
	@echo "make demo                      build the demo film end to end (projects/demo)"
	@echo "make test                      run the test suite (the 15 slowest tests listed)"
	@echo "make test-fast                 the tests without Whisper, long renders, browser, cluster"
	@echo "make lint                      ruff, and mypy --strict on captions/, consent/ and pipeline/"
	@echo "make film FILM=projects/NAME   build a film, re-rendering only what changed"
	@echo "make review FILM=projects/NAME the contributors' review page for a film"

# System packages: installed with apt-get when running as root, else the exact command to run.
system:
	@missing=""; \
	command -v ffmpeg >/dev/null 2>&1 || missing="$$missing ffmpeg"; \
	command -v ffprobe >/dev/null 2>&1 || missing="$$missing ffmpeg"; \
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	missing=$$(echo $$missing | tr ' ' '\n' | sort -u | xargs); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "coprod needs system packages that are missing. Install them with:"; \
	    echo "  sudo apt-get install -y $$missing"; \
	    exit 1; \
	  fi; \
	fi

# The browser the review page's tests drive (Playwright cannot download one here): Debian's
# chromium, installed the same way as the packages above; and melt, which renders the Kdenlive
# projects `coprod export-edit` writes, as a real consumer's check. Only `make test` needs them.
system-test:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	command -v melt >/dev/null 2>&1 || missing="$$missing melt"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "the browser and editor-interchange tests need$$missing. Install with:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements-demo.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --no-deps -r requirements-demo.lock
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

$(VENV)/.installed-test: requirements.lock $(VENV)/.installed
	$(BIN)/pip install -q --no-deps -r requirements.lock
	@touch $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

test: system system-test venv-test
	HF_HUB_OFFLINE=1 COPROD_REQUIRE_BROWSER=1 $(BIN)/pytest -q --durations=15

test-fast: system venv-test
	HF_HUB_OFFLINE=1 $(BIN)/pytest -q -m "$(FAST)" --durations=15

lint: venv-test
	$(BIN)/ruff check pipeline captions consent safeio tests bench projects tools
	$(BIN)/mypy --strict captions consent pipeline safeio

film: system venv
	HF_HUB_OFFLINE=1 $(BIN)/coprod --quiet build $(FILM)

review: system venv
	$(BIN)/coprod review $(FILM)

demo: system venv
	$(BIN)/python $(DEMO)/make_footage.py $(DEMO)/raw
	HF_HUB_OFFLINE=1 $(BIN)/python $(DEMO)/run_demo.py $(DEMO)

clean-demo:
	rm -rf $(DEMO)/raw $(DEMO)/footage $(DEMO)/captions $(DEMO)/consent $(DEMO)/build $(DEMO)/film.yaml
