# gamestack.aws developer entry points. `make demo` and `make test` are the two commands
# a newcomer types; everything they need is installed by the targets themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
VENV216 := .venv-2.16
BIN := $(CURDIR)/$(VENV)/bin
BIN216 := $(CURDIR)/$(VENV216)/bin
COLLECTION_LINK := .collections/ansible_collections/gamestack/aws
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)
# Every AWS call the tests make against moto is recorded here; test-iam checks them against docs/iam.
export GAMESTACK_AWS_CALL_LOG := $(CURDIR)/.cache/aws-calls.jsonl
PYTEST_ARGS ?=
# Suites of independent ansible-* subprocess runs use both cores (pytest-xdist); XDIST= runs them serially.
XDIST ?= -n 2

# Each mk/*.mk adds its own targets to these lists.
TEST_TARGETS := test-unit test-inventory
BENCH_TARGETS :=
LINT_TARGETS := lint-ansible lint-sanity
DEMO_TARGETS :=


.PHONY: test-begin test-iam
.PHONY: help venv venv-2.16 collection-link test bench lint demo demo-clean clean \
        test-unit test-inventory test-inventory-2.19 test-inventory-2.16 controller-packages docker-up build-collection

help:
	@echo "make demo        seed a local EC2 API (moto) and show the inventory and the api-production targets"
	@echo "make test        every test: unit, inventory (ansible-core 2.19 and 2.16), roles (molecule), render"
	@echo "make lint        ansible-lint --profile production and ansible-test sanity"
	@echo "make bench       benchmarks; numbers go to docs/benchmarks.md"
	@echo "make venv        .venv with pinned dependencies (ansible-core 2.19); make venv-2.16 for 2.16"

venv: $(VENV)/.installed collection-link
$(VENV)/.installed: requirements/controller-2.19.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements/controller-2.19.txt
	touch $@

venv-2.16: $(VENV216)/.installed collection-link
$(VENV216)/.installed: requirements/controller-2.16.txt
	rm -rf $(VENV216)
	$(PYTHON) -m venv $(VENV216)
	$(VENV216)/bin/pip install -q --disable-pip-version-check -r requirements/controller-2.16.txt
	touch $@

# ansible finds collections under <path>/ansible_collections/<ns>/<name>: link this checkout there.
collection-link: $(COLLECTION_LINK)
$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../.. $@

# The controller's system packages of bindep.txt (rsync, the ssh client), installed when missing.
controller-packages: venv
	bash tests/harness/controller-packages.sh $(BIN)/bindep

docker-up: controller-packages
	bash tests/harness/docker-up.sh

test-unit: venv controller-packages
	$(BIN)/pytest -q tests/unit tests/harness/tests tests/bench/tests $(PYTEST_ARGS)

test-inventory: test-inventory-2.19 test-inventory-2.16
test-inventory-2.19: venv
	$(BIN)/pytest -q $(XDIST) tests/integration/inventory $(PYTEST_ARGS)
test-inventory-2.16: venv-2.16
	$(BIN216)/pytest -q $(XDIST) tests/integration/inventory $(PYTEST_ARGS)

build-collection: venv
	mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

-include mk/*.mk

# test-begin empties the call log, test-iam (last) checks the calls of the whole run.
test: test-begin $(TEST_TARGETS) test-iam
test-begin:
	mkdir -p .cache
	: > $(GAMESTACK_AWS_CALL_LOG)
test-iam: venv
	$(BIN)/pytest -q tests/integration/iam $(PYTEST_ARGS)
bench: $(BENCH_TARGETS)
lint: $(LINT_TARGETS)
demo: $(DEMO_TARGETS)

clean:
	rm -rf build .cache .pytest_cache .collections
