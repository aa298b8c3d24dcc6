# gamestack.aws.efs_backup: the molecule scenario on the Debian 12 systemd container (make molecule-efs_backup,
# pattern rule in mk/harness.mk). Its EL/Amazon render test tests/render/test_efs_backup.py runs in
# test-render (both controller versions); test-efs-backup-render runs just that file.
.PHONY: test-efs-backup-render
TEST_TARGETS += molecule-efs_backup

test-efs-backup-render: venv
	$(BIN)/pytest -q tests/render/test_efs_backup.py $(PYTEST_ARGS)
