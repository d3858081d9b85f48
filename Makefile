# The two commands of the README: `make run` starts Regie, `make test` runs every test.
# Both need only Python 3.11+, pip and make; everything else is installed here.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test test-sqlite test-postgresql chromium clean

$(VENV)/.run-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.run-installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

run: $(VENV)/.run-installed
	$(BIN)/regie run

# The whole suite on SQLite, and again on the local PostgreSQL server (127.0.0.1:5432, user
# postgres): every test's database becomes a fresh PostgreSQL database. The browser tests run
# once: what they add over the route tests is the browser, not the database. The two passes run
# at the same time (most of a pass waits on servers, not on the processor); each prints its
# output when it ends, and the command fails if either fails.
test: $(VENV)/.test-installed chromium
	@echo "Both passes run at once; each prints its report when it ends."
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

test-sqlite:
	$(BIN)/pytest

test-postgresql:
	REGIE_TEST_DATABASE=postgresql $(BIN)/pytest -m "not browser"

# Browser tests use Debian's chromium; install it where it is missing (as root, or through sudo).
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) data
