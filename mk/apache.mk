# gamestack.aws.apache_prefork_php: molecule scenario (Debian 12 container), render tests for the
# Red Hat family, and playbooks/app_server.yml run from outside the collection.
.PHONY: test-render-apache test-render-apache-2.19 test-render-apache-2.16 test-app-server

TEST_TARGETS += molecule-apache_prefork_php test-render-apache test-app-server

# The render tests run on both controllers: CentOS 7 targets need ansible-core 2.16.
test-render-apache: test-render-apache-2.19 test-render-apache-2.16
test-render-apache-2.19: venv
	$(BIN)/pytest -q tests/render/test_apache_prefork_php.py $(PYTEST_ARGS)
test-render-apache-2.16: venv-2.16
	$(BIN216)/pytest -q tests/render/test_apache_prefork_php.py $(PYTEST_ARGS)

test-app-server: venv docker-up test-image
	$(BIN)/pytest -q tests/integration/roles/test_app_server_outside.py $(PYTEST_ARGS)
