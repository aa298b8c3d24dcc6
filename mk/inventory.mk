# The inventory plugin gamestack.aws.name_tags (issue 2): demo, build/install test.
# Its integration tests run under both controllers through test-inventory (Makefile).
.PHONY: demo-inventory test-build

# (demo-inventory is the inventory-only part; `make demo` runs the full demo in mk/demo.mk)
TEST_TARGETS += test-build

# A moto EC2 API on 127.0.0.1 with a small fleet, the inventory graph, the hosts of -l api-production.
demo-inventory: venv
	$(BIN)/python -m tests.harness.demo_fleet

# ansible-galaxy collection build + install into a temporary directory, and the installed plugin at work.
test-build: venv
	$(BIN)/pytest -q tests/integration/test_build_install.py $(PYTEST_ARGS)
