# The two commands of the README: `make demo` and `make test`. Everything else
# (the virtual environment, the npm mock servers) is built on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOOLS := .tools
PRISM := $(TOOLS)/node_modules/.bin/prism

.PHONY: install demo test lint bench eval tools clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(PRISM):
	mkdir -p $(TOOLS)
	cd $(TOOLS) && [ -f package.json ] || (cd $(TOOLS) && npm init -y >/dev/null)
	cd $(TOOLS) && npm install --no-audit --no-fund --silent @stoplight/prism-cli@5.14.2

tools: $(PRISM)

demo: $(STAMP)
	$(BIN)/distributor run

test: $(STAMP) $(PRISM)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check distributor tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m benchmarks

eval: $(STAMP)
	$(BIN)/python -m benchmarks.eval_extract

clean:
	rm -rf $(VENV) $(TOOLS) out var
