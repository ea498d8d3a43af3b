# newsspider: every target sets up what it needs first (Python 3.11, no network but PyPI).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup crawl demo test lint check-seeds bench cassettes clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## The main job: refresh the archive in seeds/ from the live site.
crawl: setup
	$(BIN)/scrapy crawl rfi

## Watch a whole crawl offline: replays cassettes/demo.yaml against a copy of seeds/.
demo: setup
	rm -rf build/demo-archive && mkdir -p build && cp -r seeds build/demo-archive
	$(BIN)/scrapy crawl rfi -s VCR_CASSETTE=cassettes/demo.yaml -s ARCHIVE_DIR=build/demo-archive

## Lint, then the whole test suite, offline.
test: setup lint
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-seeds: setup
	$(BIN)/scrapy archive check seeds

bench: setup
	$(BIN)/python bench/archive_open.py
	$(BIN)/python bench/normalize.py
	$(BIN)/python bench/refresh_schedule.py
	$(BIN)/python bench/distributed.py

## Rebuild the shipped cassettes from ../shared (see cassettes/README.md).
cassettes: setup
	$(BIN)/python -m tests.cassette_factory

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
