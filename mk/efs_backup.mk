# gamestack.aws.efs_backup: molecule scenario on the Debian 12 systemd container (make molecule-efs_backup,
# pattern rule in mk/harness.mk) and the EL/Amazon render test of its vars and templates.
.PHONY: test-efs-backup-render
TEST_TARGETS += molecule-efs_backup test-efs-backup-render

test-efs-backup-render: venv
	$(BIN)/pytest -q tests/render/test_efs_backup.py $(PYTEST_ARGS)
