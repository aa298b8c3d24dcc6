# Enhanced networking (issue 5): module gamestack.aws.ec2_enhanced_networking and role enhanced_networking.
TEST_TARGETS += test-enhanced-networking-module

.PHONY: test-enhanced-networking-module test-enhanced-networking-module-2.19 test-enhanced-networking-module-2.16

# The module against moto over HTTP, run as `ansible` subprocesses with both controller versions,
# plus the instance family table's unit tests.
test-enhanced-networking-module: test-enhanced-networking-module-2.19 test-enhanced-networking-module-2.16
test-enhanced-networking-module-2.19: venv
	$(BIN)/pytest -q $(XDIST) tests/unit/plugins/module_utils/test_instance_families.py tests/integration/modules/test_ec2_enhanced_networking.py $(PYTEST_ARGS)
test-enhanced-networking-module-2.16: venv-2.16
	$(BIN216)/pytest -q $(XDIST) tests/integration/modules/test_ec2_enhanced_networking.py $(PYTEST_ARGS)

# The role: molecule on the Debian 12 systemd container (pattern rule molecule-% in mk/harness.mk:
# converge, idempotence, testinfra verify incl. the missing-driver refusal and the attribute step
# against moto on the controller). Its render tests (tests/render/test_enhanced_networking_render.py)
# run in `make test-render`; test-enhanced-networking-render runs only them.
TEST_TARGETS += molecule-enhanced_networking
.PHONY: test-enhanced-networking-render test-enhanced-networking lint-enhanced-networking
test-enhanced-networking-render: venv venv-2.16
	$(BIN)/pytest -q tests/render/test_enhanced_networking_render.py $(PYTEST_ARGS)
	$(BIN216)/pytest -q tests/render/test_enhanced_networking_render.py $(PYTEST_ARGS)
lint-enhanced-networking: venv
	$(BIN)/ansible-lint --profile production --offline roles/enhanced_networking playbooks/enhanced_networking.yml
# Everything of issue 5 in one go.
test-enhanced-networking: test-enhanced-networking-module test-enhanced-networking-render molecule-enhanced_networking
