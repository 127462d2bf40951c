# Two commands do everything on a fresh machine (python3, make, node/npm):
#   make site   — install pinned dependencies, run the whole build, write site/
#   make test   — install pinned dependencies, run the test suite
# Variants: `make serve` (build, then serve site/ on http://127.0.0.1:8000), `make bench`, `make lock`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCKS := requirements-uv.lock requirements.lock package-lock.json
STAMP := $(VENV)/.installed-$(shell cat $(LOCKS) 2>/dev/null | sha256sum | cut -c1-12)
PORT ?= 8000

.PHONY: site serve test bench lock clean

# pip installs the pinned installer (uv), which installs the pinned libraries in a fraction of
# pip's time; both check every file against the lock's hashes. Bytecode is compiled once here, so
# that no process compiles it again (nor on a machine that forbids writing it, PYTHONDONTWRITEBYTECODE).
$(STAMP): $(LOCKS)
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-uv.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes --no-deps --compile-bytecode -r requirements.lock
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	touch $@

site: $(STAMP)
	$(BIN)/python -m scripts build

serve: site
	$(BIN)/python -m http.server --directory site --bind 127.0.0.1 $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

BENCH_TOOLS := tools/bench-tools
bench: $(STAMP) site
	@if [ ! -x $(BENCH_TOOLS)/node_modules/.bin/lighthouse ]; then npm ci --prefix $(BENCH_TOOLS) --no-audit --no-fund --loglevel=error; fi
	$(BIN)/python -m tools.bench

# Re-pin after editing requirements.in or requirements-uv.in (needs network access to PyPI).
lock: $(STAMP)
	$(BIN)/uv pip compile requirements.in --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile requirements-uv.in --python-version 3.11 --generate-hashes -o requirements-uv.lock

clean:
	rm -rf $(VENV) site .cache node_modules
