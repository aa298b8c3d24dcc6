"""Throttling, failing regions, bad configurations and the inventory cache."""

from __future__ import annotations

import pytest

from tests.conftest import ansible_env, run
from tests.harness.fault_proxy import Fault, FaultProxy
from tests.harness.moto import MotoServer, boto3_client, free_port, run_instances

from .conftest import UNPARSED_FAILED, inventory_list, seed_standard_fleet, write_config


@pytest.mark.parametrize(
    "fault",
    [Fault.throttle(count=3, status=503), Fault.throttle(count=2, status=400), Fault.server_error(count=2, status=500)],
    ids=["RequestLimitExceeded-503", "RequestLimitExceeded-400", "InternalError-500"],
)
def test_throttling_and_server_errors_are_retried(moto, tmp_path, fault):
    ec2, fleet = seed_standard_fleet(moto.endpoint)
    with FaultProxy(moto.endpoint, [fault]) as proxy:
        inv = inventory_list(write_config(tmp_path), ansible_env(proxy.endpoint))
        assert proxy.count(action="DescribeInstances", faulted=True) == fault.count
        assert proxy.count(action="DescribeInstances", faulted=False) == 1
    assert set(inv.hostvars) == {i for ids in fleet.values() for i in ids}
    assert inv.direct_hosts("api-production") == set(fleet["api-production"])


def _two_region_fleet(endpoint):
    east = run_instances(boto3_client("ec2", endpoint, "us-east-1"), "api-production")
    west = run_instances(boto3_client("ec2", endpoint, "eu-west-1"), "api-production")
    return east, west


@pytest.mark.parametrize("fault", ["opt-in", "server-error"])
def test_failing_region_is_named_and_skipped_when_not_strict(moto, tmp_path, fault):
    east, west = _two_region_fleet(moto.endpoint)
    rule = Fault.opt_in_required("eu-west-1") if fault == "opt-in" else Fault.server_error(count=None, region="eu-west-1")
    code = "OptInRequired" if fault == "opt-in" else "InternalError"
    with FaultProxy(moto.endpoint, [rule]) as proxy:
        env = ansible_env(proxy.endpoint)
        options = {"regions": ["us-east-1", "eu-west-1"], "max_attempts": 2}
        config = write_config(tmp_path, options)
        proc = run(["ansible-inventory", "-i", str(config), "--list"], dict(env, **UNPARSED_FAILED))
        assert proc.returncode != 0
        error = " ".join(proc.stderr.split())
        assert "could not list EC2 instances in region eu-west-1: %s" % code in error
        assert "region us-east-1" not in error
        if fault == "server-error":
            # max_attempts per parse, then the error; core's `auto` plugin parses the file a second time.
            assert proxy.count(region="eu-west-1", faulted=True) in (2, 4)
        # ansible-core's default only warns about a source that fails, and lists nothing from it.
        proc = run(["ansible-inventory", "-i", str(config), "--list"], env)
        assert "region eu-west-1: %s" % code in " ".join(proc.stderr.split())
        assert "api-production" not in proc.stdout

        inv = inventory_list(write_config(tmp_path, dict(options, strict=False)), env)
        assert set(inv.hostvars) == set(east)
        warning = " ".join(inv.stderr.split())
        assert "skipped 1 region(s)" in warning and "region eu-west-1: %s" % code in warning


def test_unreachable_endpoint_is_an_error_naming_the_region(moto, tmp_path):
    dead = "http://127.0.0.1:%d" % free_port()
    options = {"regions": ["ap-south-1"], "endpoint_url": dead, "max_attempts": 1}
    proc = run(["ansible-inventory", "-i", str(write_config(tmp_path, options)), "--list"],
               ansible_env(moto.endpoint, **UNPARSED_FAILED))
    assert proc.returncode != 0
    assert "region ap-south-1: EndpointConnectionError" in " ".join(proc.stderr.split())


@pytest.mark.parametrize(
    "options, expected",
    [
        ({"regoins": ["us-east-1"]}, "unknown option(s) regoins"),
        ({"naming_pattern": "^(?P<app>[a-z0-9+)-(?P<env>[a-z0-9]+)$"}, "is not a valid regular expression"),
        ({"naming_pattern": "^(?P<app>[a-z0-9]+)-([a-z0-9]+)$"}, "lacks the named group(s) env"),
        ({"naming_pattern": "^(?P<name>.+)$"}, "lacks the named group(s) app, env"),
        ({"hostnames": "tag:Name"}, "hostnames"),
        ({"ansible_host": "elastic-ip"}, "ansible_host"),
        ({"parent_groups": ["app", "team"]}, "parent_groups"),
    ],
    ids=["unknown-option", "invalid-regex", "no-env-group", "no-groups", "bad-hostnames", "bad-ansible-host",
         "bad-parent"],
)
def test_bad_configs_are_clear_errors(moto, env, tmp_path, options, expected):
    run_instances(boto3_client("ec2", moto.endpoint), "api-production")
    config = write_config(tmp_path, options)
    proc = run(["ansible-inventory", "-i", str(config), "--list"], dict(env, **UNPARSED_FAILED))
    assert proc.returncode != 0
    error = " ".join(proc.stderr.split())
    assert expected in error, error
    assert "api-production" not in proc.stdout


def test_cache_second_run_makes_no_api_call(tmp_path):
    """A dedicated moto server: stopped after the first run, the cached inventory still lists the fleet."""
    cache_dir = tmp_path / "cache"
    options = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache_dir),
               "cache_timeout": 3600}
    config = write_config(tmp_path, options)
    with MotoServer() as server:
        ec2, fleet = seed_standard_fleet(server.endpoint)
        env = ansible_env(server.endpoint, **UNPARSED_FAILED)
        first = inventory_list(config, env)
        assert first.direct_hosts("api-production") == set(fleet["api-production"])
        assert any(cache_dir.iterdir())
    # The cache holds plain instance data: nothing carried over from the config file (on ansible-core 2.19
    # a region option is a tagged, template-trusted string; stored per record it made reading the cache
    # slower than asking AWS).
    for entry in cache_dir.iterdir():
        assert "__ansible_type" not in entry.read_text() and "Trusted" not in entry.read_text(), entry.name
    # The server is gone: only the cache can answer now.
    second = inventory_list(config, env)
    assert second.data == first.data
    # Proof that the API is really unreachable: without the cache (or for another query) the same run fails.
    uncached = write_config(tmp_path, dict(options, cache=False, max_attempts=1), name="uncached.aws_ec2.yml")
    proc = run(["ansible-inventory", "-i", str(uncached), "--list"], env)
    assert proc.returncode != 0 and "EndpointConnectionError" in proc.stderr
    other = write_config(tmp_path, dict(options, filters={"tag:team": "ops"}, max_attempts=1), name="other.aws_ec2.yml")
    assert run(["ansible-inventory", "-i", str(other), "--list"], env).returncode != 0
