# shipdesk — the two commands anyone needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast browser lint format bench lock clean

install: $(STAMP)

# Reinstall only when the lock or the project metadata changed (idempotent).
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The demo keeps its data in ./var of the checkout (SHIPDESK_HOME overrides it).
# Other ports than 8000 (web UI) and 8765 (sandbox): `make demo PORT=8001 SANDBOX_PORT=8766`.
demo: install
	SHIPDESK_HOME="$${SHIPDESK_HOME:-var}" $(BIN)/shipdesk demo \
		$(if $(PORT),--port $(PORT)) $(if $(SANDBOX_PORT),--sandbox-port $(SANDBOX_PORT))

# Every test, the browser tests included: a Chromium is found, or installed, first.
test: install lint browser
	$(BIN)/pytest -q

# The quick loop while working: no browser, no long-running tests.
test-fast: install lint
	$(BIN)/pytest -q -m "not browser and not slow"

browser: install
	$(BIN)/python tests/browser.py --install

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install
	$(BIN)/python bench/run.py

# Re-pin every dependency to the versions installed in .venv.
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^shipdesk' > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache
