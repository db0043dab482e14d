# Two commands do all the set-up on a fresh machine:
#   make run    execute every notebook headless (offline replay unless credentials say otherwise)
#   make test   every test, always offline
# The rest: make lab | record NB=... | illustrate NB=... | docs | bench | lint | format | clean

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB ?=

# `make test` replays whatever .env or the shell hold: credentials are removed, .env is not read.
OFFLINE := env -u OPENAI_API_KEY -u OPENAI_BASE_URL -u OPENAI_ORG_ID -u OPENAI_PROJECT_ID \
	-u AZURE_OPENAI_API_KEY -u AZURE_OPENAI_KEY -u AZURE_OPENAI_ENDPOINT \
	-u TUTORIAL_MODEL -u TUTORIAL_DEEP_RESEARCH_MODEL \
	TUTORIAL_MODE=replay TUTORIAL_DOTENV=0 PYTHONHASHSEED=0

.PHONY: venv run test lab record illustrate docs bench lint format lock clean figures browser

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
	$(OFFLINE) $(BIN)/python scripts/build_docs.py
	$(OFFLINE) $(BIN)/python -m pytest -p scripts.pytest_startup -n 2 --dist loadfile --nbval --nbval-current-env -q

lab: venv
	$(BIN)/jupyter lab notebooks/

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
