# One command to install and run, one to test. See README.md.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

MODEL := models/jobmatch-esco
EXPORT := $(MODEL)/onnx/export.json

.PHONY: install export run lint test test-slow client bench clean

install: $(STAMP)

# ONNX Runtime export of the served model, checked against torch on texts the repository ships; int8 or
# fp32 as the model's release.json records (the same on every machine, with or without ../shared).
export: $(EXPORT)

# torch first: the pinned CPU build; an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev,train]"
	touch $(STAMP)

$(EXPORT): $(STAMP) $(MODEL)/jobmatch.json $(MODEL)/adapter_model.safetensors $(MODEL)/head.pt $(MODEL)/release.json
	$(BIN)/jobmatch-export-onnx --model $(MODEL)

run: install $(EXPORT)
	$(BIN)/uvicorn --factory app.main:create_app_from_env --host $(HOST) --port $(PORT)

# ruff (lint + format) and mypy, then the fast tier; CI (.ci/run) runs the slow tier too
lint: install
	$(BIN)/ruff check app scripts tests
	$(BIN)/ruff format --check app scripts tests
	$(BIN)/mypy app

test: lint $(EXPORT)
	$(BIN)/python -m pytest -q

# the heavy tests: ONNX export, training runs, servers killed mid-import
test-slow: install $(EXPORT)
	$(BIN)/python -m pytest -q -m slow

# regenerate the TypeScript types from the OpenAPI document (tests/api/test_typescript_client.py checks them)
client: install
	$(BIN)/jobmatch-openapi build/openapi.json
	cd clients/typescript && npm ci --no-audit --no-fund && npm run -s generate

clean:
	rm -rf $(VENV) data $(MODEL)/onnx
