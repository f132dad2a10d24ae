# Balancing: build the book, run the tests.
#   make html   set up .venv (pinned) and build the site into _build/html
#   make test   set up .venv and run the test suite
# Other targets: make help

PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.installed
BUILDDIR   := _build
SPHINXOPTS ?=
SPHINXBUILD = $(BIN)/sphinx-build -c . -d $(BUILDDIR)/doctrees -W --keep-going -n $(SPHINXOPTS)

.DEFAULT_GOAL := help
.PHONY: help venv html test eval eval-embedding bench bench-site bench-service release normalise lint format clean lock

help:  ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

venv: $(STAMP)  ## Create .venv with the pinned dependencies

html: $(STAMP)  ## Build the site into _build/html (warnings are errors)
	$(SPHINXBUILD) -b html book $(BUILDDIR)/html
	@echo "The site is in $(BUILDDIR)/html/index.html"

# axe-core, pinned in tests/browser/package-lock.json, is injected into pages by the browser tests.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the browser tests will be skipped (and fail with CI=true)"; fi

test: $(STAMP) $(AXE)  ## Run the test suite (browser tests need /usr/bin/chromium and npm)
	$(BIN)/python -m pytest

ASSIGNMENTS := $(notdir $(wildcard exercises/source/ch*))
NBGRADER    = cd exercises && PATH="$(abspath $(BIN)):$$PATH" nbgrader

release: $(STAMP)  ## Generate the student versions of every assignment into exercises/release/
	@for a in $(ASSIGNMENTS); do $(NBGRADER) generate_assignment "$$a" --force --log-level=WARN || exit 1; done
	@echo "Released: $(ASSIGNMENTS)"

normalise: $(STAMP)  ## Rewrite the exercise source notebooks in their normalised form
	$(BIN)/python -m autograder.notebooks.normalise exercises/source/*/*.ipynb

eval: $(STAMP)  ## Measure the rubric scorer against the labelled answers (kappa, agreement)
	$(BIN)/python -m autograder.evaluate

EMBED := .venv-embedding
$(EMBED)/.installed: eval/requirements-embedding.txt
	$(PYTHON) -m venv $(EMBED)
	$(EMBED)/bin/python -m pip install --quiet -r eval/requirements-embedding.txt
	touch $@

eval-embedding: $(EMBED)/.installed  ## Measure a sentence-embedding model on the same labelled answers (own .venv-embedding)
	$(EMBED)/bin/python eval/embedding_baseline.py

bench: $(STAMP)  ## Benchmark grade-all against nbgrader autograde (200 notebooks per assignment)
	$(BIN)/python benchmarks/bench_grading.py --n $(or $(N),200)

bench-site: $(STAMP)  ## Benchmark the site: build times, bytes and first paint of a chapter page
	$(BIN)/python benchmarks/bench_site.py

bench-service: $(STAMP)  ## Benchmark the submission service: 200 uploads from 20 clients
	$(BIN)/python benchmarks/bench_service.py

lint: $(STAMP)  ## Check the Python code with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)  ## Format the Python code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: $(STAMP)  ## Refresh requirements.lock from pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip freeze --exclude-editable > requirements.lock

clean:  ## Remove the build output and generated figures (keeps .venv)
	rm -rf $(BUILDDIR) book/_generated
