## Tests (each suite runs under CORE; `make test` runs them all):
# `make test` runs every suite below under ansible-core 2.19, then the suites whose code path depends on
# the controller version again under 2.16, then test-iam over the AWS calls of the whole run. The demo
# is not part of it: .ci/run runs `make demo` first, which fails the same way test-demo does.
TESTS_2.19 := test-unit test-build test-inventory test-modules test-tooling test-render test-ee test-deploy \
              test-app-server test-awx test-roles
TESTS_2.16 := test-inventory test-modules test-tooling test-render test-deploy

# The molecule scenarios: extensions/molecule/<role>/ (`default` is a stub molecule loads first).
SCENARIOS := $(patsubst extensions/molecule/%/converge.yml,%,$(wildcard extensions/molecule/*/converge.yml))

# The ansible-core 2.16 run of test-deploy: the role cases, the ssh push, and deploy.yml publishing (its plays
# delegate an include_role loop to the controller): a boot after the deploy, a failed rollout. Not the role
# cases that only exercise what runs on the host (check-dest.sh's refusals, file names rsync and activate.sh
# handle, the checksum comparison): the controller's templating plays no part in them, and 2.19 runs them.
DEPLOY_TESTS_2.19 := tests/integration/deploy
DEPLOY_TESTS_2.16 := tests/integration/deploy/test_rsync_deploy.py tests/integration/deploy/test_rsync_push_ssh.py \
  tests/integration/deploy/test_deploy_publish.py::test_an_instance_booted_after_the_deploy_installs_the_fleets_release \
  tests/integration/deploy/test_deploy_publish.py::test_a_failed_deploy_leaves_current_on_the_release_the_fleet_serves \
  $(addprefix --deselect tests/integration/deploy/test_rsync_deploy.py::, \
    test_a_destination_that_could_hurt_is_refused_with_nothing_changed test_names_with_spaces_and_non_ascii \
    test_names_with_a_newline_a_leading_dash_or_shell_syntax_are_ordinary_files \
    test_a_change_with_the_same_size_and_mtime_is_deployed)

ANSIBLE_BUILDER_VERSION := 3.2.0

.PHONY: test test-begin test-iam test-unit test-build test-inventory test-modules test-tooling test-render \
        test-ee test-deploy test-app-server test-awx test-roles ee-builder

# The sub-makes run the suites; both virtualenvs are brought up to date here first, once.
test: venvs test-begin ## every suite under ansible-core 2.19, the controller-dependent ones under 2.16, then test-iam
	$(MAKE) --no-print-directory -o $(VENV_2.19)/.installed -o $(VENV_2.16)/.installed CORE=2.19 $(TESTS_2.19)
	$(MAKE) --no-print-directory -o $(VENV_2.19)/.installed -o $(VENV_2.16)/.installed CORE=2.16 $(TESTS_2.16)
	$(MAKE) --no-print-directory -o $(VENV_2.19)/.installed -o $(VENV_2.16)/.installed CORE=2.19 test-iam

# test-begin empties the call log that test-iam (last) checks.
test-begin:
	mkdir -p .cache
	: > $(GAMESTACK_AWS_CALL_LOG)

test-iam: venv ## every AWS call recorded since test-begin is allowed by its job's policy in docs/iam
	$(BIN)/pytest -q tests/integration/iam $(PYTEST_ARGS)

test-unit: venv controller-packages ## unit tests: tests/unit (plugins, role scripts), tests/harness/tests, tests/bench/tests
	$(BIN)/pytest -q tests/unit tests/harness/tests tests/bench/tests $(PYTEST_ARGS)

test-build: venv ## build the tarball, install it elsewhere, use the installed plugin
	$(BIN)/pytest -q tests/integration/test_build_install.py $(PYTEST_ARGS)

test-inventory: venv ## the name_tags inventory plugin against moto over HTTP (tests/integration/inventory)
	$(BIN)/pytest -q $(XDIST) tests/integration/inventory $(PYTEST_ARGS)

test-modules: venv ## modules against moto over HTTP, as ansible subprocesses (tests/integration/modules)
	$(BIN)/pytest -q $(XDIST) tests/integration/modules $(PYTEST_ARGS)

test-tooling: venv ## lookups, modules, filters and fleet_report.yml on the naming rule (tests/integration/tooling)
	$(BIN)/pytest -q $(XDIST) tests/integration/tooling $(PYTEST_ARGS)

# Each render test is one ansible-playbook run that mostly waits on its subprocess.
test-render: venv ## each role's vars, preflight and templates with CentOS 7, Rocky 9, AL2023, Debian 12 facts
	$(BIN)/pytest -q $(XDIST) tests/render $(PYTEST_ARGS)

# One app-tier container (gamestack-rsync-host, its image cached as gamestack-test/rsync-deploy-host) and
# one more from that image with sshd and a sudo user, reached over ansible.builtin.ssh (gamestack-rsync-ssh),
# one that boots from S3 after a publishing deploy (gamestack-rsync-boot) and four more (gamestack-rsync-lb-1..4)
# behind a moto target group for the load test of deploy.yml (2.19 only).
test-deploy: venv test-image ## rsync_deploy, deploy.yml (and its load test behind a target group), publish.yml and the boot-time S3 bootstrap (2.16: a subset)
	$(BIN)/pytest -q $(DEPLOY_TESTS_$(CORE)) $(PYTEST_ARGS)

# Starts (and always removes) the container gamestack-appserver-test.
test-app-server: venv test-image ## playbooks/app_server.yml run from outside the collection
	$(BIN)/pytest -q tests/integration/roles/test_app_server_outside.py $(PYTEST_ARGS)

# Containers gamestack-awx-<instance id> (label gamestack-awx-test=1), always removed; ansible-runner is
# in the 2.19 virtualenv only.
test-awx: venv test-image ## name_tags and deploy.yml run the way AWX runs them: ansible-runner transmit | worker | process
	$(BIN)/pytest -q tests/integration/awx $(PYTEST_ARGS)

# ansible-builder is pinned in requirements/controller-2.19.txt; installed here if that pin is missing.
ee-builder: venv
	@$(BIN)/ansible-builder --version 2>/dev/null | grep -qx '$(ANSIBLE_BUILDER_VERSION)' || \
		$(BIN)/pip install -q --disable-pip-version-check 'ansible-builder==$(ANSIBLE_BUILDER_VERSION)'

# ansible-builder create on an execution-environment.yml listing the built tarball, introspection of an
# installed copy, and a replay of the context's galaxy/builder stages. The image build itself is not run.
test-ee: ee-builder ## the execution environment's build context (ansible-builder create)
	$(BIN)/pytest -q tests/integration/ee $(PYTEST_ARGS)

test-roles: $(addprefix molecule-,$(SCENARIOS)) ## every molecule scenario

# create -> prepare -> check -> converge -> idempotence -> verify -> destroy on a Debian 12 systemd container.
molecule-%: venv test-image ## one role's molecule scenario (extensions/molecule/<role>)
	$(BIN)/molecule test -s $*
