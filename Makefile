# coprod: `make demo` builds the demo film end to end, `make test` runs the tests.
# Both create .venv, install coprod into it, and install missing system packages.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := projects/demo
FILM   ?= $(DEMO)
SYSTEM_PACKAGES := ffmpeg espeak-ng fonts-dejavu-core
# The openai-whisper engine without triton (~1 GB that the CPU path never uses): the package
# itself without dependencies, then the ones it really imports, torch pinned to the CPU build.
OPENAI_WHISPER := openai-whisper==20250625

.PHONY: all demo test lint film review system system-test venv venv-test clean-demo help

all: help

help:
	@echo "make demo                      build the demo film end to end (projects/demo)"
	@echo "make test                      run the test suite"
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

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[openai-whisper-deps,cluster]'
	$(BIN)/pip install -q --no-deps $(OPENAI_WHISPER)
	@touch $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

test: system system-test venv-test
	HF_HUB_OFFLINE=1 COPROD_REQUIRE_BROWSER=1 $(BIN)/pytest -q

lint: venv
	$(BIN)/ruff check pipeline captions consent tests bench projects
	$(BIN)/mypy --strict captions consent pipeline

film: system venv
	HF_HUB_OFFLINE=1 $(BIN)/coprod --quiet build $(FILM)

review: system venv
	$(BIN)/coprod review $(FILM)

demo: system venv
	$(BIN)/python $(DEMO)/make_footage.py $(DEMO)/raw
	HF_HUB_OFFLINE=1 $(BIN)/python $(DEMO)/run_demo.py $(DEMO)

clean-demo:
	rm -rf $(DEMO)/raw $(DEMO)/footage $(DEMO)/captions $(DEMO)/consent $(DEMO)/build $(DEMO)/film.yaml
