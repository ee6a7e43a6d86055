# perfloop — every set-up step lives here, so a fresh machine needs only `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test lint format typecheck importlint bench demo migrate messages clean system-packages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

system-packages:
	@bash scripts/ensure-system-packages.sh

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput -v0

## make run: install, migrate the SQLite file in var/, load the demo company if empty, serve on :8000
run: $(STAMP)
	$(BIN)/perfloop run 127.0.0.1:8000

demo: $(STAMP) migrate
	$(BIN)/python manage.py demo --summary

## make test: the whole suite (SQLite; PostgreSQL when DATABASE_URL is set), then lint and architecture checks
test: $(STAMP) system-packages
	@# the migration check reads models only: run it on the embedded default, before any test database exists
	DATABASE_URL= $(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(MAKE) --no-print-directory lint
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python -m pytest -n 2 --dist loadfile --create-db $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy perfloop
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=benchmarks
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

## make bench: every benchmark at its default size; each ends with one JSON line
bench: $(STAMP)
	$(BIN)/python -m benchmarks.scoring
	$(BIN)/python -m benchmarks.goals
	$(BIN)/python -m benchmarks.template_assign
	$(BIN)/python -m benchmarks.close
	$(BIN)/python -m benchmarks.imports
	$(BIN)/python -m benchmarks.roster
	$(BIN)/python -m benchmarks.pages

clean:
	rm -rf $(VENV) var artifacts
