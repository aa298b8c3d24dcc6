"""Regression guard of the inventory at fleet scale (counts, not timings): per-run work grows linearly with the fleet.

API calls are one DescribeInstances per page per region whatever the fleet size; nothing is
templated unless compose/groups/keyed_groups are configured, and then a fixed number per host.
"""

from __future__ import annotations

import json

from tests.conftest import ansible_env, run
from tests.harness.fault_proxy import FaultProxy
from tests.harness.moto import bin_path, boto3_client, run_instances

from .conftest import HERE, write_config

N = 6
REGIONS = ["us-east-1", "eu-west-1"]


def _seed(endpoint, per_region):
    for region in REGIONS:
        ec2 = boto3_client("ec2", endpoint, region)
        run_instances(ec2, "api-production", count=per_region - 1)
        run_instances(ec2, "web-staging-20200101-0000")


def _work(config, env):
    proc = run([bin_path("python"), str(HERE / "files" / "count_work.py"), str(config)], env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_api_calls_and_templating_grow_linearly(moto, tmp_path):
    plain = write_config(tmp_path, {"regions": REGIONS}, name="plain.aws_ec2.yml")
    constructed = write_config(tmp_path, {
        "regions": REGIONS,
        "compose": {"app_name": "naming.app", "zone": "ec2_availability_zone"},
        "keyed_groups": [{"key": "ec2_instance_type", "prefix": "type"}],
    }, name="constructed.aws_ec2.yml")
    results = {}
    added = 0
    with FaultProxy(moto.endpoint) as proxy:
        env = ansible_env(proxy.endpoint)
        for size in (N, 4 * N):
            _seed(moto.endpoint, size - added)
            added = size
            hosts = size * len(REGIONS)
            for name, config in (("plain", plain), ("constructed", constructed)):
                proxy.reset()
                work = _work(config, env)
                assert work["hosts"] == hosts
                work["describe_instances"] = proxy.count(action="DescribeInstances")
                work["other_calls"] = len(proxy.seen) - work["describe_instances"]
                results[name, hosts] = work

    small, large = N * len(REGIONS), 4 * N * len(REGIONS)
    for name in ("plain", "constructed"):
        for hosts in (small, large):
            work = results[name, hosts]
            # One page per region (pages hold 1000 instances), nothing else.
            assert work["describe_instances"] == len(REGIONS), work
            assert work["other_calls"] == 0, work
            # The 14 variables per host (ansible_host, naming, 12 ec2_*) go in with one dict update per
            # host (core's set_variable costs a name check and a deep origin-tagging visit per call), so
            # set_variable is only called for the inventory_file and inventory_dir that ansible-core's
            # add_host sets (and for the 2 composed ones).
            assert work["set_variable"] == (2 + (2 if name == "constructed" else 0)) * hosts, work
            assert work["hostvars_per_host"] == 16 + (2 if name == "constructed" else 0), work
            # Each distinct Name is parsed once (2 per region here), whatever the fleet size.
            assert work["check_name"] == 2, work
    assert results["plain", small]["templates"] == 0
    assert results["plain", large]["templates"] == 0
    # compose (2 expressions) + keyed_groups (1 key; parent_group unset) per host, nothing per run or per group.
    per_host_small = results["constructed", small]["templates"] / small
    per_host_large = results["constructed", large]["templates"] / large
    assert per_host_small == per_host_large, results
    assert 3 <= per_host_small <= 4, results
