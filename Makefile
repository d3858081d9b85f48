# The two commands of the README: `make run` starts Regie, `make test` runs every test.
# Both need only Python 3.11+, pip and make; everything else is installed here.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test test-sqlite test-postgresql test-waiting chromium clean

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
# once: what they add over the route tests is the browser, not the database. The tests marked
# `waiting` spend most of their minute on a server's clock (a killed worker's work retried after
# its 60 s limit, histories the dev server takes its time to remove): they run on both databases
# in a third stream, beside the two passes, instead of lengthening each. The three streams run
# at the same time; each prints its output when it ends, and the command fails if any fails.
#
# An async test that runs over 15 minutes is cancelled and fails with where it waited
# (tests/bounded.py); a pytest run that is still going after 40 minutes is interrupted as Ctrl-C
# would, so it prints what it has, and killed a minute later if it is still there. A pass takes
# 5 to 8 minutes here. Each run's output is also kept in build/tests/, and the command ends with
# every run's result line and failures, so the end of the output tells how all of them went.
test: $(VENV)/.test-installed chromium
	@echo "Three streams run at once; each prints its report when it ends."
	@rm -rf $(LOGS) && mkdir -p $(LOGS)
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-sqlite test-postgresql test-waiting; \
	status=$$?; echo "The results (the whole reports: $(LOGS)/):"; \
	for log in $(LOGS)/*.log; do \
	  grep -H -E '^(FAILED|ERROR) |^=* ?([0-9]+ [a-z]+|no tests ran).* in [0-9.]+s' $$log \
	    || echo "$$log: ended without a result"; \
	done; exit $$status

PYTEST := timeout --foreground --signal=INT --kill-after=60 40m $(BIN)/pytest
LOGS   := build/tests

# $(call pytest,NAME,ARGUMENTS): pytest, its output also kept in build/tests/NAME.log
pytest = (mkdir -p $(LOGS); echo '$(1): pytest $(2)'; \
	{ $(PYTEST) $(2); echo $$? > $(LOGS)/$(1).rc; } 2>&1 | tee -i $(LOGS)/$(1).log; \
	exit $$(cat $(LOGS)/$(1).rc))

test-sqlite:
	@$(call pytest,sqlite,-m "not waiting")

test-postgresql:
	@export REGIE_TEST_DATABASE=postgresql; \
	$(call pytest,postgresql,-m "not browser and not waiting")

test-waiting:
	@$(call pytest,waiting-sqlite,-m "waiting"); sqlite=$$?; \
	export REGIE_TEST_DATABASE=postgresql; \
	$(call pytest,waiting-postgresql,-m "waiting and not browser") && exit $$sqlite

# Browser tests use Debian's chromium; install it where it is missing (as root, or through sudo).
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) data
