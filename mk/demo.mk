# The full demo (README's first command): moto fleet, a container per instance, site.yml, deploy.yml.
.PHONY: demo-full demo-clean test-demo

DEMO_TARGETS += demo-full

demo-full: venv test-image
	$(BIN)/python scripts/demo.py

demo-clean:
	-$(BIN)/python scripts/demo.py --clean

# The demo itself, end to end, as a test: it exits non-zero unless every api-production container
# serves the new release and the other instances were left alone.
test-demo: venv test-image
	$(BIN)/python scripts/demo.py
	$(BIN)/python scripts/demo.py --clean
TEST_TARGETS += test-demo
