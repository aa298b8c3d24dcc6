## Benchmarks (numbers go to docs/benchmarks.md; never run in `make test`):
.PHONY: bench bench-inventory bench-deploy bench-deploy-ssh bench-fleet

# Seeding moto takes minutes at 15,000 instances, and each aws_ec2 run takes minutes at 10,000. A smaller run:
# make bench-inventory BENCH_INVENTORY_ARGS="--sizes 1000,5000,5000x4 --runs 3 --aws-ec2-runs 1"
BENCH_INVENTORY_ARGS ?= --sizes 1000,5000,10000,5000x4 --runs 3

bench: bench-inventory bench-deploy bench-deploy-ssh bench-fleet ## every benchmark below

bench-inventory: venv ## the name_tags plugin at fleet scale against amazon.aws.aws_ec2 (BENCH_INVENTORY_ARGS)
	$(BIN)/python -m tests.bench.bench_inventory $(BENCH_INVENTORY_ARGS)

bench-deploy: venv test-image ## 2,000 files to 1 and 4 containers: rsync_deploy vs ansible.builtin.copy vs raw rsync
	$(BIN)/python -m tests.bench.deploy

bench-deploy-ssh: venv test-image ## the same tree over ansible.builtin.ssh (sudo user, ControlPersist): rsync_deploy vs raw rsync
	$(BIN)/python -m tests.bench.deploy_ssh

bench-fleet: venv test-image ## deploy.yml to 1, 4 and 8 systemd containers with the shipped ansible.cfg
	$(BIN)/python -m tests.bench.fleet
