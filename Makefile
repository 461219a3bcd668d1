# The two commands of the README: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test lint check bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load the demo into an empty database, show the aging, run
## today's collection cycle and the worker once (emails go to mail/ as .eml, letters to letters/)
## then serve the web app and the API at http://127.0.0.1:8000 until Ctrl-C
# The demo signs portal links (one in every message) with a key kept in .secret-key, made once;
# set COBRO_SECRET_KEY yourself to use your own.
run: export COBRO_SECRET_KEY ?= $(shell test -s .secret-key || $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(32))" > .secret-key; cat .secret-key)
run: $(STAMP)
	$(BIN)/cobro db upgrade
	$(BIN)/cobro demo --if-missing
	$(BIN)/cobro aging --top 5
	@# the collection ranking learns from the demo's paid invoices, then grades every customer
	@# (a ledger with too little history says so and keeps the rule-based grades)
	-$(BIN)/cobro model train
	$(BIN)/cobro model score
	$(BIN)/cobro cycle
	$(BIN)/cobro worker --once
	@echo
	@echo "Next steps:"
	@echo "  $(BIN)/cobro tasks                          # calls to make, failures to look at"
	@echo "  $(BIN)/cobro bank review                    # payments waiting for a person (Bank page)"
	@echo "  $(BIN)/cobro templates preview firm --customer <id> --lang es"
	@echo "  $(BIN)/cobro invoices list --overdue        # what is late today"
	@echo "  $(BIN)/cobro customers show <id>           # one debtor"
	@echo "  $(BIN)/cobro import invoices FILE.csv      # your own ledger (see docs/user-guide.md)"
	@echo "  $(BIN)/cobro --help"
	@echo
	$(BIN)/cobro demo --if-missing --logins
	$(BIN)/cobro serve --host 127.0.0.1 --port 8000

## make lint: formatting, lint, types and the import contracts
lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## make test: lint, then the whole suite on SQLite and on PostgreSQL (side by side)
test: lint
	scripts/test-both $(BIN)/pytest "$(PG_TEST_URL)"

## make bench: every benchmark in bench/ (prints figures; not part of the tests)
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
