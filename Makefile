# gamestack.aws developer entry points. `make demo` and `make test` are the two commands a newcomer
# types; every target installs what it needs. `make help` lists the targets: each line of it is the
# `## ` comment of a target (or a `## ` line) in this file and in mk/*.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3

## Usage: make <target> [VARIABLE=value ...]; `make demo` and `make test` install what they need.
.PHONY: help clean
help: ## this list
	@awk '/^## [A-Z].*:$$/ { print "" } \
	     /^## / { print substr($$0, 4); next } \
	     /^[A-Za-z0-9_%.<>-]+:.*## / { split($$0, t, ":"); gsub(/%/, "<role>", t[1]); sub(/^.*## /, ""); printf "  make %-24s %s\n", t[1], $$0 }' \
	     $(MAKEFILE_LIST)
	@echo; echo "Molecule scenarios: $(SCENARIOS)"

clean: ## remove build output, caches and the collection link (not the venvs)
	rm -rf build .cache .pytest_cache .collections

## Variables:
##   CORE=2.16         run a suite with ansible-core 2.16 (the last core that manages CentOS 7) instead of 2.19
##   PYTEST_ARGS=...   passed to pytest, e.g. PYTEST_ARGS='-k efs_backup' or PYTEST_ARGS=-x
##   XDIST=            run suites of ansible-* subprocesses serially instead of on two pytest-xdist workers
CORE ?= 2.19
CORES := 2.19 2.16
# One virtualenv per controller version, pinned by requirements/controller-<core>.txt.
VENV_2.19 := .venv
VENV_2.16 := .venv-2.16
VENV := $(VENV_$(CORE))
ifeq ($(VENV),)
$(error CORE=$(CORE) is not one of: $(CORES))
endif
BIN := $(CURDIR)/$(VENV)/bin
COLLECTION_LINK := .collections/ansible_collections/gamestack/aws
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)
# Every AWS call the tests make against moto is recorded here; test-iam checks them against docs/iam.
export GAMESTACK_AWS_CALL_LOG := $(CURDIR)/.cache/aws-calls.jsonl
PYTEST_ARGS ?=
XDIST ?= -n 2

include mk/venv.mk mk/image.mk mk/demo.mk mk/test.mk mk/lint.mk mk/build.mk mk/bench.mk
