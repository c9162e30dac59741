# Everything runs from a project-local virtual environment that the first target creates.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install generate check-generated lint format typecheck pytest docs docs-strict test demo bench local clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Regenerate the client from openapi.yaml. The output directory is removed first because the
# generator's --overwrite leaves files of deleted operations behind.
generate: $(STAMP)
	rm -rf generated/neurallog_api
	PATH="$(BIN):$$PATH" $(BIN)/openapi-python-client generate \
		--path openapi.yaml \
		--config openapi-python-client.yaml \
		--meta none \
		--output-path generated/neurallog_api \
		--fail-on-warning \
		--custom-template-path templates

check-generated: generate
	@changes="$$(git status --porcelain --untracked-files=all -- generated)"; \
	if [ -n "$$changes" ]; then \
		echo "generated/ does not match openapi.yaml and templates/:"; echo "$$changes"; \
		echo "Run 'make generate' and commit the result."; exit 1; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy neurallog neurallog_local

pytest: $(STAMP)
	$(BIN)/pytest

# The documentation site, built into site/ (open site/index.html).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build

# Warnings are errors: a broken link or API reference fails the build.
docs-strict: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

test: check-generated lint typecheck docs-strict pytest

demo: $(STAMP)
	$(BIN)/python examples/run_demo.py

# The peers the benchmark compares against are installed from its own requirements.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/run.py

local: $(STAMP)
	$(BIN)/neurallog local

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build dist site
