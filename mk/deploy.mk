# rsync_deploy role, playbooks/deploy.yml + publish.yml, the boot-time S3 bootstrap, and their benchmark.
.PHONY: test-deploy test-deploy-2.16 bench-deploy bench-deploy-ssh

TEST_TARGETS += molecule-rsync_deploy test-deploy test-deploy-2.16
BENCH_TARGETS += bench-deploy bench-deploy-ssh

# Role cases, interrupted deploys, publish + bootstrap against moto: one app-tier container
# (gamestack-rsync-host; its Apache/PHP image is built once and cached as gamestack-test/rsync-deploy-host),
# and one more from that image with sshd and a sudo user, reached over ansible.builtin.ssh (gamestack-rsync-ssh).
test-deploy: venv test-image
	$(BIN)/pytest -q tests/integration/deploy $(PYTEST_ARGS)

# The same role cases and the ssh push with ansible-core 2.16 (the last core that manages CentOS 7).
test-deploy-2.16: venv-2.16 test-image
	$(BIN216)/pytest -q tests/integration/deploy/test_rsync_deploy.py tests/integration/deploy/test_rsync_push_ssh.py $(PYTEST_ARGS)

# 2,000 files (~50 MB) to 1 and 4 containers: rsync_deploy vs ansible.builtin.copy vs raw rsync.
bench-deploy: venv test-image
	$(BIN)/python -m tests.bench.deploy

# The same tree to 1 and 4 hosts over ansible.builtin.ssh (a sudo user, ControlPersist): rsync_deploy vs raw rsync over ssh.
bench-deploy-ssh: venv test-image
	$(BIN)/python -m tests.bench.deploy_ssh
