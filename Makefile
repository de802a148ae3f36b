# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo docs glossary bench bench-ingest bench-build bench-writeback \
	bench-landing bench-soak bench-web bench-access bench-refresh clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Style, the package layers of docs/architecture.md (pyproject.toml [tool.importlinter]) and the
# dbt SQL's style (.sqlfluff; `$(BIN)/sqlfluff fix` with the same paths applies the layout fixes;
# the dbt templater compiles the project first, ~20 s).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

# Two workers: the machine CI runs on has two cores.
test: install lint
	$(BIN)/pytest -n 2

# The fake Intercom's demo workspace -> ingest -> build -> summaries; leaves data/warehouse.duckdb,
# then serves the report web app on http://127.0.0.1:8000/ until Ctrl-C.
demo: install
	$(BIN)/coach demo

# The dbt docs site (models, lineage, glossary) on http://127.0.0.1:8080/.
docs: install
	$(BIN)/coach docs

# The README's glossary is generated from dbt_project/docs/glossary.md.
glossary: install
	$(BIN)/python -m warehouse.glossary --write

# The headline comparison: reports read from Intercom directly vs. from the warehouse, and the
# cost of keeping it current, at small and medium (BENCH_SIZES=small,medium,large adds large).
# Writes bench/results.json, bench/results.md and the README's benchmark block (~15 minutes;
# the first run also generates and caches the medium workspace, about a minute more).
bench: install
	$(BIN)/python -m bench

# Full and incremental build times, report query times (writes bench/results/build.json).
bench-build: install
	$(BIN)/python -m bench.build

# Backfill of a medium workspace against the fake in its own process, then an incremental run;
# writes bench/results/ingest.json and the table in the README (a few minutes; the first run
# also generates and caches the medium workspace, about a minute more).
bench-ingest: install
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.readme

# 10,000 contacts written back against the fake (its own process, 150 ms latency, 1,000 requests
# per 10 s); writes bench/results/writeback.json. Fills and builds a medium warehouse first (a few
# minutes; the first run also generates and caches the medium workspace).
bench-writeback: install
	$(BIN)/python -m bench.writeback

# Peak memory of landing changed records against the table's size, the records landed and the
# batch, with the raw tables' old key index and without (issue 16); writes
# bench/results/landing_memory.json and the README table (~20 minutes).
bench-landing: install
	$(BIN)/python -m bench.landing_memory

# The large workspace kept current (issue 16): backfill, seven simulated days of 2% and a few
# hourly changes, a `coach run` after each; writes bench/results/soak.json and the README table
# (about an hour; the first run of a day also generates and caches the large workspace, ~8 min).
bench-soak: install
	$(BIN)/python -m bench.soak

# The web app at the large workspace: 20 concurrent clients on every page, the full engagement
# export as CSV, pages during a publish (writes bench/results/web.json and the README's table;
# the first run fills and builds a large warehouse in bench/work/web/, about 15 minutes).
bench-web: install
	$(BIN)/python -m bench.web

# What one `coach run` costs after nothing changed, an hour's and a day's changes (issue 15), at
# small, medium and large (BENCH_SIZES=small,medium to leave out large, whose backfill alone takes
# about 7 minutes); writes bench/results/refresh.json and the README's table.
bench-refresh: install
	$(BIN)/python -m bench.refresh

# What access control costs: argon2 log-in time, and page p95 with and without the access gate
# (session check and access-log row per request) over bench-web's large warehouse; writes the
# `access` block of bench/results/web.json and the README's table.
bench-access: install
	$(BIN)/python -m bench.web_access

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs .pytest_cache .ruff_cache
