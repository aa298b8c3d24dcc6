# gamestack.aws.apache_prefork_php: molecule scenario (Debian 12 container), and playbooks/app_server.yml
# run from outside the collection. Its render tests (tests/render/test_apache_prefork_php.py) run in
# `make test-render` (mk/render.mk); test-render-apache runs only them, on both controllers.
.PHONY: test-render-apache test-app-server

TEST_TARGETS += molecule-apache_prefork_php test-app-server

test-render-apache: venv venv-2.16
	$(BIN)/pytest -q tests/render/test_apache_prefork_php.py $(PYTEST_ARGS)
	$(BIN216)/pytest -q tests/render/test_apache_prefork_php.py $(PYTEST_ARGS)

# Starts (and always removes) the container gamestack-appserver-test.
test-app-server: venv docker-up test-image
	$(BIN)/pytest -q tests/integration/roles/test_app_server_outside.py $(PYTEST_ARGS)

# The same scenario driven by ansible-core 2.16 (not in `make test`; about 6 minutes).
.PHONY: molecule-apache_prefork_php-2.16
molecule-apache_prefork_php-2.16: venv-2.16 test-image
	cd $(CURDIR) && PATH=$(BIN216):$$PATH $(BIN216)/molecule test -s apache_prefork_php
