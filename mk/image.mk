## Test hosts:
# A Docker engine and the Debian 12 systemd image built from Debian packages
# (tests/harness/image/build.sh; rebuilt only when its recipe changes).
.PHONY: docker-up test-image

docker-up: controller-packages
	bash tests/harness/docker-up.sh

test-image: docker-up ## Docker and the Debian 12 systemd test image
	bash tests/harness/image/build.sh
