## Demo:
.PHONY: demo demo-clean demo-inventory test-demo

# scripts/demo.py exits non-zero unless every api-production container serves the new release and
# the other instances were left alone.
demo: venv test-image ## moto EC2 API with a small fleet, a container per instance, site.yml, deploy to api-production
	$(BIN)/python scripts/demo.py

demo-clean: ## remove the demo's containers
	-$(BIN)/python scripts/demo.py --clean

demo-inventory: venv ## the inventory part of the demo only: moto fleet, the graph, the hosts of -l api-production
	$(BIN)/python -m tests.harness.demo_fleet

test-demo: venv test-image ## the demo end to end as a test, then its clean-up
	$(BIN)/python scripts/demo.py
	$(BIN)/python scripts/demo.py --clean
