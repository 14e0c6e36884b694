# Everything a fresh machine needs: `make run` and `make test` create .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint check eval bench bench-discord bench-history clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

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
