## Build:
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := build/gamestack-aws-$(VERSION).tar.gz
.PHONY: build

# galaxy.yml's build_ignore leaves the make build, the test suites, the molecule scenarios and scripts/ out.
build: venv ## the collection tarball, build/gamestack-aws-<version>.tar.gz
	mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .
