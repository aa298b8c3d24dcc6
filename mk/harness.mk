# Role test harness: a Debian 12 systemd image built from Debian packages and molecule scenarios
# in extensions/molecule/<scenario>/ sharing extensions/molecule/config.yml.
.PHONY: test-image molecule-%

test-image: docker-up
	bash tests/harness/image/build.sh

# `make molecule-<scenario>` runs create -> prepare -> check -> converge -> idempotence -> verify -> destroy.
molecule-%: venv test-image
	cd $(CURDIR) && $(BIN)/molecule test -s $*
