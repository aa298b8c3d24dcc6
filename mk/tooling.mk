# Tooling on the naming rule (issue 7): lookup latest_image, modules image_catalog,
# autoscaling_singleton, rds_parameter_group, role rds_mysql_params, filter cloudfront_pop.
# Against moto over HTTP, as ansible-playbook subprocesses, with both controller versions.
# (The cloudfront filter's and rds_parameter_group's unit tests run in test-unit.)
TEST_TARGETS += test-tooling

.PHONY: test-tooling test-tooling-2.19 test-tooling-2.16

test-tooling: test-tooling-2.19 test-tooling-2.16
test-tooling-2.19: venv
	$(BIN)/pytest -q $(XDIST) tests/integration/tooling $(PYTEST_ARGS)
test-tooling-2.16: venv-2.16
	$(BIN216)/pytest -q $(XDIST) tests/integration/tooling $(PYTEST_ARGS)
