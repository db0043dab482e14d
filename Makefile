# Two commands do all the set-up on a fresh machine:
#   make run    execute every notebook headless (offline replay unless credentials say otherwise)
#   make test   every test, always offline
# The rest: make lab | relay | record NB=... | illustrate NB=... | docs | bench | lint | format | clean

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB ?=

# `make test` runs as a fresh clone with no key and no .env, whatever the shell or .env hold, so it
# can never go live and the outputs it checks are what a learner sees: every credential is removed,
# TUTORIAL_MODE is unset (auto, which replays without credentials), and .env is not read
# (TUTORIAL_DOTENV names a file that cannot exist). conftest.py sets the same for any pytest run.
OFFLINE := env -u OPENAI_API_KEY -u OPENAI_BASE_URL -u OPENAI_ORG_ID -u OPENAI_PROJECT_ID \
	-u AZURE_OPENAI_API_KEY -u AZURE_OPENAI_KEY -u AZURE_OPENAI_ENDPOINT \
	-u TUTORIAL_MODEL -u TUTORIAL_DEEP_RESEARCH_MODEL -u TUTORIAL_MODE \
	TUTORIAL_DOTENV=/dev/null/.env PYTHONHASHSEED=0

.PHONY: venv run test lab relay record illustrate docs bench lint format lock clean figures browser

# scripts/bootstrap.py creates .venv with uv (from PATH, or installed under build/uv from the package
# index pip is configured with), or with pip when uv cannot be had; INSTALLER=pip forces pip.
$(STAMP): requirements.txt pyproject.toml scripts/bootstrap.py
	$(PYTHON) scripts/bootstrap.py --venv $(VENV) --installer $(or $(INSTALLER),auto)
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/python scripts/run_notebooks.py $(NB)

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_postgres.sh
	$(OFFLINE) $(BIN)/python scripts/build_docs.py
	$(OFFLINE) $(BIN)/python -m pytest -p scripts.pytest_startup -n 2 --dist loadfile --nbval --nbval-current-env -q

lab: venv
	$(BIN)/python scripts/lab.py

# The research relay of notebook 10 on RELAY_HOST:RELAY_PORT (127.0.0.1:8080), live with the key
# in .env, else replaying notebooks/recordings/10_relay.json; RELAY_* settings in relay/settings.py.
relay: venv
	$(BIN)/python -m relay

record: venv
	@test -n "$(NB)" || { echo "usage: make record NB=notebooks/01_basics.ipynb"; exit 2; }
	$(BIN)/python scripts/record.py $(NB)

illustrate: venv
	@test -n "$(NB)" || { echo "usage: make illustrate NB=notebooks/01_basics.ipynb"; exit 2; }
	$(OFFLINE) $(BIN)/python scripts/illustrate.py $(NB)

figures: venv
	$(BIN)/python scripts/draw_figures.py

docs: venv
	$(OFFLINE) $(BIN)/python scripts/build_docs.py

bench: venv
	$(OFFLINE) $(BIN)/python scripts/bench.py
	$(OFFLINE) $(BIN)/python scripts/bench_relay.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# uv pip compile of pyproject.toml (dev extra), keeping today's pins where they fit; pip freeze without uv.
lock: venv
	$(PYTHON) scripts/bootstrap.py --lock --venv $(VENV) --installer $(or $(INSTALLER),auto)

clean:
	rm -rf build
