# Issue 6: the inventory plugin at fleet scale against amazon.aws.aws_ec2; table in docs/benchmarks.md.
# Seeding moto takes about 4 minutes (15,000 instances), aws_ec2 runs take minutes each at 10,000.
# Smaller run: make bench-inventory BENCH_INVENTORY_ARGS="--sizes 1000,5000,5000x4 --runs 3 --aws-ec2-runs 1"
.PHONY: bench-inventory
BENCH_TARGETS += bench-inventory
BENCH_INVENTORY_ARGS ?= --sizes 1000,5000,10000,5000x4 --runs 3

bench-inventory: venv
	$(BIN)/python -m tests.bench.bench_inventory $(BENCH_INVENTORY_ARGS)
