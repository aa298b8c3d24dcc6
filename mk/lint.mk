# make lint: ansible-lint (production profile) over roles, playbooks and extensions, and
# ansible-test sanity on a copy of the collection laid out as ansible_collections/gamestack/aws.
SANITY_ROOT := $(CURDIR)/build/sanity/ansible_collections/gamestack/aws
SANITY_TESTS ?=

.PHONY: lint-ansible lint-sanity sanity-tree sanity-pip-bootstrap lint-packages

# ansible-lint puts ~/.ansible/collections before every other collection path: a gamestack.aws
# installed there (an older release) would be linted against instead of this checkout. Its HOME is
# a directory of the checkout's own.
lint-ansible: venv
	mkdir -p $(CURDIR)/.cache/lint-home
	HOME=$(CURDIR)/.cache/lint-home ANSIBLE_INVENTORY=localhost, $(BIN)/ansible-lint --profile production --offline

sanity-tree:
	rm -rf $(CURDIR)/build/sanity
	mkdir -p $(SANITY_ROOT)
	git ls-files -z --cached --others --exclude-standard | rsync -a --from0 --files-from=- ./ $(SANITY_ROOT)/
	cd $(SANITY_ROOT) && git init -q && git add -A

# ansible-test bootstraps pip in its venvs with a script from a host we cannot reach: put our
# stand-in (ensurepip, then the pinned pip from the package index) where it looks first.
sanity-pip-bootstrap: venv
	v=$$($(BIN)/python -c "from ansible_test._internal.python_requirements import get_venv_packages as g; from types import SimpleNamespace as N; print(g(N(version='3.11'))['pip'])"); \
	mkdir -p $$HOME/.ansible/test/cache && \
	cp tests/harness/get_pip_offline.py $$HOME/.ansible/test/cache/get_pip_$${v//./_}.py

# shellcheck: without it ansible-test skips its shellcheck test (a warning, not a failure).
lint-packages: venv
	bash tests/harness/controller-packages.sh $(BIN)/bindep tests/harness/bindep-lint.txt

lint-sanity: venv lint-packages sanity-tree sanity-pip-bootstrap
	cd $(SANITY_ROOT) && $(BIN)/ansible-test sanity --python 3.11 --requirements --color no $(SANITY_TESTS)
