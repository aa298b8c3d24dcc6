## Lint:
# ansible-test sanity runs on a git tree laid out as ansible_collections/gamestack/aws: lint-sanity on a
# copy of the checkout (the tooling and tests included), lint-tarball on the collection installed from
# the built tarball (what users get, with the tests/sanity ignore files it ships).
SANITY_ROOT := $(CURDIR)/build/sanity/ansible_collections/gamestack/aws
TARBALL_ROOT := $(CURDIR)/build/tarball/ansible_collections/gamestack/aws
SANITY_TESTS ?=

.PHONY: lint lint-ansible lint-sanity lint-tarball sanity-tree tarball-tree sanity-pip-bootstrap lint-packages

lint: lint-ansible lint-sanity lint-tarball ## all three below

# ansible-lint puts ~/.ansible/collections before every other collection path: a gamestack.aws
# installed there (an older release) would be linted against instead of this checkout. Its HOME is
# a directory of the checkout's own.
lint-ansible: venv ## ansible-lint --profile production over roles, playbooks and extensions
	mkdir -p $(CURDIR)/.cache/lint-home
	HOME=$(CURDIR)/.cache/lint-home ANSIBLE_INVENTORY=localhost, $(BIN)/ansible-lint --profile production --offline

lint-sanity: venv lint-packages sanity-tree sanity-pip-bootstrap ## ansible-test sanity on a copy of the checkout
	cd $(SANITY_ROOT) && $(BIN)/ansible-test sanity --python 3.11 --requirements --color no $(SANITY_TESTS)

lint-tarball: venv lint-packages tarball-tree sanity-pip-bootstrap ## ansible-test sanity on the collection installed from its tarball
	cd $(TARBALL_ROOT) && $(BIN)/ansible-test sanity --python 3.11 --requirements --color no $(SANITY_TESTS)
##   SANITY_TESTS='--test pep8 --test pylint'   runs only those ansible-test sanity tests

sanity-tree:
	rm -rf $(CURDIR)/build/sanity
	mkdir -p $(SANITY_ROOT)
	git ls-files -z --cached --others --exclude-standard | rsync -a --from0 --files-from=- ./ $(SANITY_ROOT)/
	cd $(SANITY_ROOT) && git init -q && git add -A

# --force: this checkout is itself a gamestack.aws on the configured collections path.
tarball-tree: build
	rm -rf $(CURDIR)/build/tarball
	$(BIN)/ansible-galaxy collection install --force --no-deps -p $(CURDIR)/build/tarball $(TARBALL)
	cd $(TARBALL_ROOT) && git init -q && git add -A

# ansible-test bootstraps pip in its venvs with a script from a host we cannot reach: put our
# stand-in (ensurepip, then the pinned pip from the package index) where it looks first.
sanity-pip-bootstrap: venv
	v=$$($(BIN)/python -c "from ansible_test._internal.python_requirements import get_venv_packages as g; from types import SimpleNamespace as N; print(g(N(version='3.11'))['pip'])"); \
	mkdir -p $$HOME/.ansible/test/cache && \
	cp tests/harness/get_pip_offline.py $$HOME/.ansible/test/cache/get_pip_$${v//./_}.py

# shellcheck: without it ansible-test skips its shellcheck test (a warning, not a failure).
lint-packages: $(VENV_2.19)/.installed
	bash tests/harness/controller-packages.sh $(BINDEP) tests/harness/bindep-lint.txt
