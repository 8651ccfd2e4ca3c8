# The two commands of the README: `make demo` and `make test`. Everything else
# (the virtual environment, the npm mock servers) is built on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOOLS := .tools
PRISM := $(TOOLS)/node_modules/.bin/prism
MJML_NPM := $(TOOLS)/node_modules/.bin/mjml

.PHONY: install demo test test-fast lint bench eval tools clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# `npm init -y` rejects the folder name ".tools", so write the manifest directly.
$(TOOLS)/package.json:
	mkdir -p $(TOOLS)
	echo '{"name": "distributor-tools", "private": true}' > $@

$(PRISM): | $(TOOLS)/package.json
	cd $(TOOLS) && npm install --no-audit --no-fund --silent @stoplight/prism-cli@5.14.2

# The official MJML compiler, only for the email benchmark's comparison.
$(MJML_NPM): | $(TOOLS)/package.json
	cd $(TOOLS) && npm install --no-audit --no-fund --silent mjml@5.4.1

tools: $(PRISM) $(MJML_NPM)

demo: $(STAMP)
	$(BIN)/distributor run

test: $(STAMP) $(PRISM)
	$(BIN)/pytest -q

# The inner loop: SQLite only, no browser, no Prism, nothing marked slow, four at a time
# (about 40 s). `make test` is the whole suite, as CI runs it.
test-fast: $(STAMP)
	$(BIN)/pytest -q -n 4 -m "not slow and not browser and not postgres"

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
