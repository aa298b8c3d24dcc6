"""Regions are listed at the same time, not one after another, shown without timing.

The proxy in front of moto holds the first DescribeInstances of every region until the first call of
every other region has arrived too (a barrier). A plugin that lists regions one after another never
gets there: its first call is refused after the barrier's timeout and the inventory fails.
"""

from __future__ import annotations

import threading

import botocore.exceptions
import pytest

from tests.conftest import ansible_env
from tests.harness.fault_proxy import FaultProxy
from tests.harness.moto import boto3_client, run_instances

from .conftest import inventory_list, write_config

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1", "us-west-2"]


def first_calls_meet(regions, timeout):
    """A proxy `hold` that lets the first DescribeInstances of each region through only together."""
    barrier = threading.Barrier(len(regions), timeout=timeout)
    seen, lock = set(), threading.Lock()

    def hold(region, action):
        if action != "DescribeInstances":
            return
        with lock:
            if region in seen:
                return
            seen.add(region)
        barrier.wait()  # BrokenBarrierError after `timeout`: the proxy answers with an error

    return hold


def test_every_region_is_asked_before_any_answer(moto, tmp_path):
    fleet = {r: run_instances(boto3_client("ec2", moto.endpoint, r), "api-production", count=2) for r in REGIONS}
    with FaultProxy(moto.endpoint, hold=first_calls_meet(REGIONS, timeout=60)) as proxy:
        inv = inventory_list(write_config(tmp_path, {"regions": REGIONS}), ansible_env(proxy.endpoint))
        assert proxy.count(action="DescribeInstances", faulted=True) == 0
        assert {r: proxy.count(action="DescribeInstances", region=r) for r in REGIONS} == {r: 1 for r in REGIONS}
    assert set(inv.hostvars) == {i for ids in fleet.values() for i in ids}
    assert inv.direct_hosts("api-production") == set(inv.hostvars)


def test_the_barrier_refuses_regions_asked_one_after_another(moto):
    """The check above can fail: a client that asks the regions in turn is refused at the first call."""
    with FaultProxy(moto.endpoint, hold=first_calls_meet(REGIONS, timeout=2)) as proxy:
        client = boto3_client("ec2", proxy.endpoint, REGIONS[0])
        with pytest.raises(botocore.exceptions.ClientError, match="HeldRequestFailed"):
            client.describe_instances()
