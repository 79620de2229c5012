# mlnotes: the entry points. Every target installs what it needs first, so a fresh
# clone needs no other step than `make html` or `make test`.

SHELL       := /bin/bash
PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
BUILD       := _build
# fetched and assembled assets (the browser's Python, the chalkboard): a preview shares them
ASSETS      := $(BUILD)
SPHINXOPTS  ?= -W --keep-going
SPHINX      := $(BIN)/sphinx-build -c . $(SPHINXOPTS)
export MLNOTES_BUILD := $(abspath $(BUILD))
export MLNOTES_ASSETS := $(abspath $(ASSETS))
STAMP       := $(VENV)/.installed
NODE_STAMP  := node_modules/.package-lock.json
PORT        ?= 8000

LIVE        := $(ASSETS)/live
LIVE_ASSETS := $(LIVE)/static/mlnotes-editor.js $(LIVE)/site/pyodide/mlnotes-live.json

# The notebook kernels' environment, given to the recipes that start kernels: the
# builds, and `make test`, whose site tests run every downloadable notebook (its unit
# tests run under it too; the kernel benchmarks choose their own threads):
# - JUPYTER_PATH: the virtual environment's kernelspec first (`make install` puts it
#   there), so that the "python3" kernel is this interpreter, the one with mlnotes;
# - MPLBACKEND: figures as inline images;
# - OMP_NUM_THREADS: one thread per kernel, the one place the pages' thread count is
#   set. The pages train tiny models, where a second torch thread costs more in
#   synchronisation than it saves (measured 10x slower on a busy 2-core machine);
# - PYTHONPATH: the pages import mlnotes from this checkout, even if the install is stale.
KERNEL_TARGETS := inventory slides book test
$(KERNEL_TARGETS): export JUPYTER_PATH := $(abspath $(VENV))/share/jupyter$(if $(JUPYTER_PATH),:$(JUPYTER_PATH))
$(KERNEL_TARGETS): export MPLBACKEND := module://matplotlib_inline.backend_inline
$(KERNEL_TARGETS): export OMP_NUM_THREADS := 1
$(KERNEL_TARGETS): export PYTHONPATH := $(CURDIR)/src$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: help install browser html inventory book slides test check lint serve clean preview \
        handouts bench live-assets deck-assets math-assets

help:
	@echo "make html    build the book (_build/html) and the decks (_build/html/slides)"
	@echo "make test    lint, build with -W, run unit tests, doctests and site tests (what CI runs;"
	@echo "             it installs Debian's chromium for the browser tests when it is missing)"
	@echo "make check   lint, unit tests and doctests only: the quick inner loop (under a minute on 2 cores)"
	@echo "make serve   serve _build/html on http://127.0.0.1:$(PORT)"
	@echo "make handouts  print every deck to a PDF in _build/handouts"
	@echo "make handouts INK=ink.json  print the ink's deck with its drawings"
	@echo "make clean   remove builds and caches"

# ------------------------------------------------------------------------- install

install: $(STAMP) $(NODE_STAMP)

# torch is pinned in constraints.txt to the CPU wheel this machine kind keeps on
# disk, so installing is quick and reproducible; pyproject.toml only states lower
# bounds. The kernelspec goes into the venv, so the notebooks run this interpreter.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,docs]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (mlnotes)" >/dev/null
	touch $@

# MathJax is served from the build, never from a CDN.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# The formulas: MathJax's TeX-to-CommonHTML bundle for the book (1.2 MB, where the
# all-in-one SVG bundle was 2.3 MB), with what it loads beside itself when a page needs it:
# the TeX extensions that are not in the bundle (\boldsymbol, \cancel, ...) and the fonts
# of the characters shown. The decks keep the all-in-one SVG bundle (DECK_MATHJAX): with
# CommonHTML a deck printed to PDF on a busy machine was laid out differently from one
# print to the next. Each build publishes its own folder as _static/mathjax (conf.py), so
# neither ships the other's files.
MATH_BOOK := $(ASSETS)/vendor/math/book/mathjax
MATH_DECK := $(ASSETS)/vendor/math/deck/mathjax
DECK_MATHJAX := mathjax/tex-svg-full.js
MATHJAX := node_modules/mathjax/es5
math-assets: $(MATH_BOOK)/tex-chtml.js $(MATH_DECK)/tex-svg-full.js

$(MATH_BOOK)/tex-chtml.js: $(NODE_STAMP) Makefile
	rm -rf $(ASSETS)/vendor/math/mathjax  # the shared folder of earlier builds
	rm -rf $(MATH_BOOK) && mkdir -p $(MATH_BOOK)/input/tex $(MATH_BOOK)/output/chtml/fonts
	cp -r $(MATHJAX)/input/tex/extensions $(MATH_BOOK)/input/tex/
	cp -r $(MATHJAX)/output/chtml/fonts/woff-v2 $(MATH_BOOK)/output/chtml/fonts/
	cp node_modules/mathjax/LICENSE $(MATHJAX)/tex-chtml.js $(MATH_BOOK)/

$(MATH_DECK)/tex-svg-full.js: $(NODE_STAMP) Makefile
	rm -rf $(MATH_DECK) && mkdir -p $(MATH_DECK)
	cp node_modules/mathjax/LICENSE $(MATHJAX)/tex-svg-full.js $(MATH_DECK)/

# Live cells (mlnotes_site/live): the editor, bundled by esbuild into one classic
# script (it must load from file:// too), and the Python that runs in the browser:
# Pyodide's runtime and its verified wheels, with wheels of mlnotes (rebuilt when
# the package changes) and array-api-compat; see tools/pyodide_assets.py.
live-assets: $(LIVE_ASSETS)

$(LIVE)/static/mlnotes-editor.js: mlnotes_site/live/editor.js $(NODE_STAMP)
	node_modules/.bin/esbuild $< --bundle --minify --format=iife --legal-comments=eof \
	  --log-level=warning --outfile=$@

$(LIVE)/site/pyodide/mlnotes-live.json: tools/pyodide_assets.py tools/pyodide_compile.py \
    tools/pyodide_compile.mjs pyproject.toml constraints.txt \
    $(NODE_STAMP) $(STAMP) $(shell find src/mlnotes -name '*.py')
	$(BIN)/python tools/pyodide_assets.py $(LIVE)/site/pyodide

# The lecturer's chalkboard: reveal.js-plugins' chalkboard plugin (MIT), taken from
# npm's tarball and checked against its SHA-256. (Not a package.json dependency: that
# package declares a dependency on npm 6 itself, 33 MB and a second npm binary.)
CHALKBOARD_NPM    := reveal.js-plugins@4.6.0
CHALKBOARD_PKG    := reveal.js-plugins-4.6.0.tgz
CHALKBOARD_SHA256 := f2133296982507c2241e72a62e3e660711d009d64e0da0b6c3a0ab2edb96a49d
CHALKBOARD        := $(ASSETS)/vendor/deck/chalkboard
VENDOR_TMP        := $(ASSETS)/vendor/tmp

deck-assets: $(CHALKBOARD)/plugin.js

$(CHALKBOARD)/plugin.js: Makefile
	rm -rf $(VENDOR_TMP) && mkdir -p $(VENDOR_TMP)
	cd $(VENDOR_TMP) && npm pack --silent $(CHALKBOARD_NPM) >/dev/null
	echo "$(CHALKBOARD_SHA256)  $(VENDOR_TMP)/$(CHALKBOARD_PKG)" | sha256sum --check --quiet
	tar -xzf $(VENDOR_TMP)/$(CHALKBOARD_PKG) -C $(VENDOR_TMP)
	rm -rf $(CHALKBOARD) && mkdir -p $(CHALKBOARD)
	cp -r $(VENDOR_TMP)/package/chalkboard/plugin.js $(VENDOR_TMP)/package/chalkboard/style.css \
	  $(VENDOR_TMP)/package/chalkboard/img $(VENDOR_TMP)/package/LICENSE $(CHALKBOARD)/
	rm -rf $(VENDOR_TMP)

# The browser tests drive Debian's Chromium (a test browser cannot be downloaded).
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core; }

# --------------------------------------------------------------------------- build

html: slides book

# A failed build (an error, or a warning under -W) drops its saved environment. Sphinx
# saves the environment once the pages are read, before they are written, and reports a
# page's warnings only when it reads or writes that page: after a failure an unchanged
# page would be neither, and the next build would pass without the warning. Without the
# saved environment the next build reads, writes and judges every page again (the cells
# come from the execution cache). $(call or_forget,<doctrees folder>) ends a recipe line.
or_forget = || { rm -f $(1)/environment.pickle; exit 1; }

# The order of the builds. The book's claims ledger reads which slides show each
# claim, and its links to the decks read the decks' inventory: decks first. The decks'
# links into the book read the book's inventory, which the inventory pass writes
# first: the book read with no cell run and no page written, into $(BUILD)/inventory/book
# (not published), with its own saved environment, so a rebuild re-reads only the
# changed pages (mlnotes_site/links.py). It is quiet (-Q): the book's own build reports
# the same pages' warnings, and without outputs some would be spurious (no lexer).
inventory: install live-assets math-assets
	$(BIN)/sphinx-build -c . -Q -b inventory -D nb_execution_mode=off \
	  -d $(BUILD)/doctrees/inventory docs $(BUILD)/inventory/book

book: install live-assets math-assets slides
	$(SPHINX) -b html -d $(BUILD)/doctrees/book docs $(BUILD)/html \
	  $(call or_forget,$(BUILD)/doctrees/book)

# The decks are built beside the site, into $(DECKS), and then copied into it: myst-nb
# writes a build's cell outputs into the parent of its output folder, which must not be
# the site. sphinx-revealjs is not parallel-read safe: never pass -j here.
DECKS := $(BUILD)/decks/slides
slides: install live-assets deck-assets math-assets inventory
	$(SPHINX) -b revealjs -D mathjax_path=$(DECK_MATHJAX) -d $(BUILD)/doctrees/slides slides $(DECKS) \
	  $(call or_forget,$(BUILD)/doctrees/slides)
	rm -rf $(BUILD)/html/slides && mkdir -p $(BUILD)/html && cp -r $(DECKS) $(BUILD)/html/slides

# ---------------------------------------------------------------------------- test

lint: install
	$(BIN)/ruff check .

# pytest-xdist spreads the tests over the cores (a worker per core, each with its own
# browser and test server); the ten slowest are reported, so a slow new test is seen.
# One thread per worker: torch (OpenMP) and NumPy's OpenBLAS otherwise start a thread
# per core in every worker, and on 2 cores 2 workers' 4 spinning threads made small
# tensor operations up to ten times slower (make check's tests: 92 s, now 59 s).
PYTEST := OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n auto --doctest-modules

test: install browser lint html
	$(PYTEST) --durations=10 tests src

# The inner loop: lint, unit tests and doctests, no build and no browser.
check: install lint
	$(PYTEST) -q --ignore=tests/site tests src

serve:
	@test -d $(BUILD)/html || { echo "nothing built yet: run make html"; exit 1; }
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(BUILD)/html $(PORT)

clean:
	rm -rf $(BUILD) jupyter_execute .pytest_cache .hypothesis .ruff_cache

# One page and its deck, with the indexes and the API pages, into _build/preview/PAGE
# (PAGE=a,b for several): the same builds as `make html` into a folder of their own,
# with their own caches and the shared assets; quick to iterate on, and safe to run
# for several pages at once.
preview: install live-assets deck-assets
	@test -n "$(PAGE)" || { echo "usage: make preview PAGE=softmax"; exit 1; }
	MLNOTES_ONLY=$(PAGE) $(MAKE) --no-print-directory html BUILD=$(BUILD)/preview/$(PAGE) \
	  ASSETS=$(ASSETS)

# PDF handouts of every deck, one slide per page, into _build/handouts; with
# INK=path/to/ink.json (saved in a deck with D), that deck with its ink: <deck>-ink.pdf
handouts: html browser
	$(BIN)/python tools/handouts.py $(if $(INK),--ink $(INK)) $(BUILD)/html $(BUILD)/handouts

# ---------------------------------------------------------------------------- bench

# Two tables: build times (cold, no-op, one page touched, make test; medians of RUNS
# runs, built into $(BUILD)/bench/site, never into $(BUILD)/html) and our kernels
# against torch's in one process. Results: benchmarks/results.json (shown by
# docs/performance.md) and $(BUILD)/bench/results.json. Quick run: make bench RUNS=1
bench: install
	$(BIN)/python -m benchmarks.run --build-folder $(BUILD) $(if $(RUNS),--runs $(RUNS))
