# gamestack.aws.apache_prefork_php: molecule scenario (Debian 12 container), render tests for the
# Red Hat family, and playbooks/app_server.yml run from outside the collection.
.PHONY: test-render-apache test-app-server

TEST_TARGETS += molecule-apache_prefork_php test-render-apache test-app-server

test-render-apache: venv
	$(BIN)/pytest -q tests/render/test_apache_prefork_php.py $(PYTEST_ARGS)

test-app-server: venv docker-up test-image
	$(BIN)/pytest -q tests/integration/roles/test_app_server_outside.py $(PYTEST_ARGS)
