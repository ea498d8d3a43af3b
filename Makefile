# newsspider: every target sets up what it needs first (Python 3.11, no network but PyPI).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup browser redis crawl demo changes-demo test lint check-seeds bench cassettes clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## Headless Chromium and Chinese fonts for the browser test (Debian packages, as root;
## elsewhere the test is skipped and says why).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "browser: installing Debian chromium and fonts-noto-cjk"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } \
	    || echo "browser: apt-get failed; the browser test will be skipped"; \
	  else \
	    echo "browser: chromium or a Chinese font is missing and cannot be installed here"; \
	  fi; \
	fi

## Redis for the tests of a run over Redis (Debian's redis-server, as root). A crawl does
## not need it here: its Redis runs wherever REDIS_URL points.
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "redis: installing Debian redis-server"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis: redis-server is missing and cannot be installed here (install it as root)" >&2; \
	    exit 1; \
	  fi; }

## The main job: refresh the archive in seeds/ from the live site.
crawl: setup
	$(BIN)/scrapy crawl rfi

## Watch a whole crawl offline: replays cassettes/demo.yaml against a copy of the entries
## (and history/) of seeds/, never its .newsspider/ state nor its reports/, so the demo
## checks the seed whatever earlier runs left in seeds/.
DEMO_SEEDS ?= seeds
DEMO_ARCHIVE ?= build/demo-archive
demo: setup
	@test "$(abspath $(DEMO_ARCHIVE))" != "$(abspath $(DEMO_SEEDS))" \
	    || { echo "make demo: DEMO_ARCHIVE is DEMO_SEEDS; it would be wiped" >&2; exit 2; }
	rm -rf $(DEMO_ARCHIVE) && mkdir -p $(DEMO_ARCHIVE)
	find $(DEMO_SEEDS) -maxdepth 1 -type f \( -name '*.txt' -o -name '*.md' \) \
	    ! -name '.*' -exec cp {} $(DEMO_ARCHIVE)/ \;
	if [ -d $(DEMO_SEEDS)/history ]; then cp -r $(DEMO_SEEDS)/history $(DEMO_ARCHIVE)/; fi
	$(BIN)/scrapy crawl rfi -s VCR_CASSETTE=cassettes/demo.yaml -s ARCHIVE_DIR=$(DEMO_ARCHIVE)

## An archive with an edit, a new and a gone article (real samples), to try show/diff/log/publish.
changes-demo: setup
	$(BIN)/python -m tests.changes_archive build/changes-demo

## Lint, then the whole test suite, offline.
test: setup lint browser redis
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-seeds: setup
	$(BIN)/scrapy archive check seeds

bench: setup redis
	$(BIN)/python bench/archive_open.py
	$(BIN)/python bench/normalize.py
	$(BIN)/python bench/refresh_schedule.py
	$(BIN)/python bench/page_path.py
	$(BIN)/python bench/frontier.py
	$(BIN)/python bench/e2e.py --quick
	$(BIN)/python bench/distributed.py

## Rebuild the shipped cassettes from ../shared (see cassettes/README.md).
cassettes: setup
	$(BIN)/python -m tests.cassette_factory

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
