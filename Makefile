# Everything a fresh machine needs is Python 3.11+ and make: `make run` and `make test` build .venv
# on first use. A venv from the first Python 3.11+ on PATH, uv (pinned) installed into it from PyPI,
# then `uv sync --locked`: exactly the versions in uv.lock, dev tools included.
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.synced
# The same uv as the dev group of pyproject.toml pins (tests/test_packaging.py checks that they agree).
UV_VERSION := 0.13.9
OLDEST := (3, 11)

# The first of these that is Python 3.11 or newer; `make PYTHON=/path/to/python3.12` picks one yourself.
PYTHON ?= $(firstword $(foreach p,python3 python3.13 python3.12 python3.11,$(if $(shell $(p) -c 'import sys; print(sys.version_info >= $(OLDEST))' 2>/dev/null | grep True),$(p))) python3)

# uv uses the venv's Python and never downloads one.
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint check eval bench bench-discord bench-history venv clean

# A .venv made by an older Python (3.10, say) or whose Python no longer runs is rebuilt, not kept.
ifneq ($(shell $(PY) -c 'import sys; print(sys.version_info >= $(OLDEST))' 2>/dev/null),True)
.PHONY: $(STAMP)
endif

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < $(OLDEST))' 2>/dev/null \
		|| { echo "make: Python 3.11 or newer is needed; none found as python3, python3.13, python3.12 or python3.11." >&2; \
		     echo "make: install one, or name it: make PYTHON=/path/to/python3.12" >&2; exit 1; }
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info < $(OLDEST))' 2>/dev/null; then \
		echo "make: (re)building $(VENV) with $(PYTHON)"; rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); fi
	@[ -x $(UV) ] || $(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --locked --quiet --python $(PY)
	@touch $(STAMP)

venv: $(STAMP)

# Discord when DISCORD_TOKEN is set, the console chat otherwise.
run: $(STAMP)
	$(PY) -m bot $(if $(DISCORD_TOKEN),run,chat)

# The store's tests need a PostgreSQL server: scripts/with-postgres.sh starts a throwaway one on
# loopback for the run (or uses TEST_DATABASE_URL when it is set, as .ci/run does).
test: $(STAMP) lint
	$(PY) -m bot check
	scripts/with-postgres.sh $(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/hadolint Dockerfile

check: $(STAMP)
	$(PY) -m bot check

eval: $(STAMP)
	$(PY) -m bot eval ../shared/eval/dev-questions.jsonl

bench: $(STAMP)
	$(PY) -m bot bench

bench-discord: $(STAMP)
	$(PY) bench/discord_latency.py

bench-history: $(STAMP)
	scripts/with-postgres.sh $(PY) bench/recording.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
