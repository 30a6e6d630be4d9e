# glmnotes: every command a reader, instructor or contributor needs.
#   make book    set up .venv, execute every chapter, build the HTML into _build/html
#   make pdf     the whole book as one PDF (LaTeX, xelatex) into _build/pdf/glmnotes.pdf
#   make test    set up .venv, lint, build the book (warnings are errors), run every test, and
#                run every chapter as downloaded from the site in a clean environment, under other
#                numeric environments (make portability); then how long each phase took
#   make record  re-execute the chapters into tests/notebooks/ (the outputs nbval compares against)
#   make serve   preview the built site on http://127.0.0.1:8000
#   make lab     JupyterLab on http://127.0.0.1:8888 (LAB_PORT), every book/*.md a notebook
#   make bench   benchmarks beside the reference libraries (printed ratios; not tests)
#   make bench-book  build timings: clean, no-op, one chapter touched, each chapter's execution
#   make clean   remove the build

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
ORACLE := $(VENV)/.oracle
JOBS ?= 2
PORT ?= 8000
LAB_PORT ?= 8888

.PHONY: all book pdf test test-phases portability record serve lab bench bench-book lint clean \
    setup lock

# Timing of `make test`'s phases: `@$(TIMING) start PHASE` opens a phase's recipe and
# `@$(TIMING) end PHASE` closes it, noted in $(TIMINGS) (tools/timings.py). A no-op (`true`)
# unless TIMING_FILE is set, which only `make test` does.
TIMINGS := _build/.timings
TIMING = $(if $(TIMING_FILE),$(PYTHON) tools/timings.py $(TIMING_FILE),true)

# `make` alone builds the book.
all: book

# The environment alone.
setup: $(STAMP)

# The environment: Python venv + every dependency at the exact version in requirements.lock.
# glmnotes/__init__.py holds the version: a new one reinstalls the package's metadata.
$(STAMP): requirements.lock pyproject.toml glmnotes/__init__.py
	@$(TIMING) start install
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# --no-compile: no .pyc for the thousands of modules nothing imports; what runs is compiled once,
	@# on first import.
	$(PIP) install --quiet --no-compile -r requirements.lock
	$(PIP) install --quiet --no-deps -e .
	@# Build matplotlib's font cache now, so its one-off stderr notice never lands in a chapter.
	$(PY) -c "import matplotlib.pyplot"
	@touch $(STAMP)
	@$(TIMING) end install

# PyTorch: an optional independent oracle for the gradient tests and the benchmarks.
# On the project's machines this exact spec resolves to a local CPU wheel; elsewhere it may pull a
# multi-GB CUDA build, so hosts without that wheel run `make test TORCH_SPEC=` (oracle tests skip).
TORCH_SPEC ?= torch==2.13.0
$(ORACLE): $(STAMP)
	@$(TIMING) start install
	@if [ -n "$(TORCH_SPEC)" ]; then \
	    $(PIP) install --quiet "$(TORCH_SPEC)" \
	    || echo "PyTorch could not be installed: its oracle tests will be skipped"; \
	else echo "TORCH_SPEC is empty: PyTorch oracle tests will be skipped"; fi
	@touch $(ORACLE)
	@$(TIMING) end install

# The chapters run the package: outputs cached under an older glmnotes are stale. A change to any
# source of the package empties the execution cache and Sphinx's environments (which would
# otherwise re-read only the chapters whose text changed), so every chapter runs again.
PACKAGE_SOURCES := $(shell find glmnotes -name '*.py' 2>/dev/null)
PACKAGE_STAMP := _build/.glmnotes-sources
$(PACKAGE_STAMP): $(PACKAGE_SOURCES)
	rm -rf _build/.jupyter_cache _build/.doctrees _build/.doctrees-latex
	@mkdir -p _build && touch $@

# The "Check your own step" playground (Pyodide, sympy, glmnotes in the reader's browser) needs
# npm to fetch the pinned Pyodide core; without npm the book is built without it.
book: $(STAMP) $(PACKAGE_STAMP)
	@$(TIMING) start book
	@if command -v npm >/dev/null 2>&1; then $(PY) tools/playground_assets.py; \
	else rm -rf _build/playground/site; \
	    echo "npm not found: building the book without the 'Check your own step' playground"; fi
	$(PY) tools/site_packages.py
	$(VENV)/bin/jupyter-book build . -W --keep-going
	@$(TIMING) end book
	@echo "The book is at $(CURDIR)/_build/html/index.html (make serve to preview it)"

# The PDF: LaTeX from Debian (.ci/run installs it). Built before the HTML in `make test`, so the
# site links it and the link checks see it; without TeX, `make test` skips tests/test_pdf.py.
TEX_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra \
    texlive-fonts-recommended texlive-plain-generic latexmk fonts-freefont-otf fonts-texgyre-math
HAVE_TEX := $(and $(shell command -v xelatex),$(shell command -v latexmk))
ifeq ($(filter pdf,$(MAKECMDGOALS))$(HAVE_TEX),pdf)
$(error make pdf needs LaTeX (xelatex, latexmk): apt-get install -y $(TEX_PACKAGES))
endif
pdf: $(STAMP) $(PACKAGE_STAMP)
	@$(TIMING) start pdf
	$(PY) _ext/pdf_build.py
	@$(TIMING) end pdf

# Ruff over the Python, then the chapters' own rules.
lint: $(STAMP)
	@$(TIMING) start lint
	$(VENV)/bin/ruff check glmnotes tests bench tools _ext
	$(VENV)/bin/ruff format --check glmnotes tests bench tools _ext
	$(PY) tools/lint_chapters.py
	@$(TIMING) end lint

# `make test`: the phases (test-phases, below) in a sub-make whose recipes note when each phase
# starts and ends, then a table of how long each took, printed also when one failed.
test:
	@$(PYTHON) tools/timings.py $(TIMINGS) reset
	@$(MAKE) --no-print-directory test-phases TIMING_FILE=$(TIMINGS); status=$$?; \
	    $(PYTHON) tools/timings.py $(TIMINGS) report install="up to date" lint \
	        $(if $(HAVE_TEX),pdf,pdf="no TeX (xelatex, latexmk)") book \
	        pytest portability; \
	    exit $$status

# The phases of `make test`, in order. Every chapter runs twice: once in the book build
# (tests/test_site_outputs.py compares those outputs with the reference notebooks) and once more
# as a reader downloads it, in a clean environment that installs glmnotes from the served site,
# under other numeric environments (tools/portability.py: nbval against the reference notebooks).
# A run always ends and says why: pytest-timeout fails a test that runs too long (pyproject.toml);
# a crashed worker fails the run at once, naming its test (--max-worker-restart=0: no replacement
# worker); tests/xdist_watchdog.py kills a worker that takes too much memory or hangs inside one C
# call, and prints every worker's peak resident memory.
test-phases: $(STAMP) $(ORACLE) lint $(if $(HAVE_TEX),pdf) book
	@$(TIMING) start pytest
	$(PY) -m pytest -n $(JOBS) --dist loadfile --max-worker-restart=0 --durations=25 tests
	@$(TIMING) end pytest
	@$(TIMING) start portability
	JOBS=$(JOBS) $(PY) tools/portability.py
	@$(TIMING) end portability

# Download every chapter's notebook from the served site into a clean environment, which its first
# cell fills; execute it under another CPU's kernels, without numpy's SIMD paths, single-threaded
# and with the checker's budgets cut to a quarter; compare with the reference notebooks (nbval).
# `make portability EACH=1` runs each environment alone as well.
portability: book
	JOBS=$(JOBS) $(PY) tools/portability.py $(if $(EACH),--each,)

# Re-record the reference notebooks (after a deliberate change of a chapter's outputs).
record: $(STAMP)
	$(PY) tools/chapters.py record

# Preview the built site locally.
serve: book
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# JupyterLab on this checkout for instructors (tools/lab.py): on 127.0.0.1:$(LAB_PORT) only, no
# browser opened, nothing requested from other hosts; jupytext serves every book/*.md as a notebook
# and the kernel imports this glmnotes. Prints the address to open, with its token.
lab: $(STAMP)
	$(PY) tools/lab.py --port $(LAB_PORT)

# Benchmarks beside the reference libraries: printed ratios, not tests.
bench: $(STAMP) $(ORACLE)
	@for script in bench/bench_glm.py bench/bench_glm_dask.py bench/bench_nn.py bench/bench_verify.py; do \
	    echo "== $$script"; $(PY) $$script || exit 1; done

# Build timings: clean, no-op, one chapter touched, each chapter's execution.
bench-book: $(STAMP)
	$(PY) bench/bench_book.py

# Regenerate requirements.lock from requirements.in in a throw-away environment.
lock:
	rm -rf /tmp/glmnotes-lock && $(PYTHON) -m venv /tmp/glmnotes-lock
	/tmp/glmnotes-lock/bin/pip install --quiet -r requirements.in
	( head -n 2 requirements.lock; /tmp/glmnotes-lock/bin/pip freeze --all --exclude-editable \
	    | grep -viE '^(torch|nvidia|triton|glmnotes)' | grep -v '^pip==' ) > requirements.lock.new
	mv requirements.lock.new requirements.lock

# Remove the build (the environment in .venv stays).
clean:
	rm -rf _build
