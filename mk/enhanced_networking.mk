# Enhanced networking (issue 5): module gamestack.aws.ec2_enhanced_networking and role enhanced_networking.
TEST_TARGETS += test-enhanced-networking-module

.PHONY: test-enhanced-networking-module test-enhanced-networking-module-2.19 test-enhanced-networking-module-2.16

# The module against moto over HTTP, run as `ansible` subprocesses with both controller versions,
# plus the instance family table's unit tests.
test-enhanced-networking-module: test-enhanced-networking-module-2.19 test-enhanced-networking-module-2.16
test-enhanced-networking-module-2.19: venv
	$(BIN)/pytest -q tests/unit/test_instance_families.py tests/integration/modules/test_ec2_enhanced_networking.py $(PYTEST_ARGS)
test-enhanced-networking-module-2.16: venv-2.16
	$(BIN216)/pytest -q tests/integration/modules/test_ec2_enhanced_networking.py $(PYTEST_ARGS)
