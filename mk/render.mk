# Render tests (tests/render): each role's vars cascade, preflight and templates run with the facts of
# CentOS 7, Rocky 9, Amazon Linux 2023 and Debian 12, under ansible-core 2.19 and 2.16
# (2.16 is the last core that manages CentOS 7 targets). Each test is one ansible-playbook run that
# mostly waits on its subprocess: two workers (pytest-xdist, in .venv only) halve the wall time.
.PHONY: test-render test-render-2.19 test-render-2.16
TEST_TARGETS += test-render
RENDER_PYTEST_ARGS ?= -n 2

test-render: test-render-2.19 test-render-2.16
test-render-2.19: venv
	$(BIN)/pytest -q tests/render $(RENDER_PYTEST_ARGS) $(PYTEST_ARGS)
test-render-2.16: venv-2.16
	$(BIN216)/pytest -q tests/render $(RENDER_PYTEST_ARGS) $(PYTEST_ARGS)
