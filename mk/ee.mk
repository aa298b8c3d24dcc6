# Issue 8: execution environment (ansible-builder) and the fleet benchmark.
.PHONY: test-ee bench-fleet ee-builder

TEST_TARGETS += test-ee
BENCH_TARGETS += bench-fleet

ANSIBLE_BUILDER_VERSION := 3.2.0

# ansible-builder in .venv (pinned in requirements/controller-2.19.txt; installed here if that pin is missing).
ee-builder: venv
	@$(BIN)/ansible-builder --version 2>/dev/null | grep -qx '$(ANSIBLE_BUILDER_VERSION)' || \
		$(BIN)/pip install -q --disable-pip-version-check 'ansible-builder==$(ANSIBLE_BUILDER_VERSION)'

# ansible-builder create on an execution-environment.yml listing the built tarball, introspection of an
# installed copy, and a replay of the context's galaxy/builder stages. The image build itself is not run.
test-ee: ee-builder
	$(BIN)/pytest -q tests/integration/ee $(PYTEST_ARGS)

# deploy.yml to 1, 4 and 8 systemd containers with the shipped ansible.cfg; numbers to docs/benchmarks.md.
bench-fleet: venv test-image
	$(BIN)/python -m tests.bench.fleet
