# playbooks/fleet_report.yml and the filters gamestack.aws.fleet_rows / fleet_table: the playbook through the
# real inventory plugin against a moto fleet, compared with golden files (ansible-core 2.19 and 2.16).
# The filters' unit tests (tests/unit/plugins/filter/test_fleet.py) run in test-unit. `make test` runs this file
# through test-tooling (mk/tooling.mk runs all of tests/integration/tooling under 2.19 and 2.16), so it is
# not added to TEST_TARGETS a second time; test-fleet-report runs just this file.

.PHONY: test-fleet-report test-fleet-report-2.19 test-fleet-report-2.16

test-fleet-report: test-fleet-report-2.19 test-fleet-report-2.16
test-fleet-report-2.19: venv
	$(BIN)/pytest -q tests/integration/tooling/test_fleet_report.py $(PYTEST_ARGS)
test-fleet-report-2.16: venv-2.16
	$(BIN216)/pytest -q tests/integration/tooling/test_fleet_report.py $(PYTEST_ARGS)
