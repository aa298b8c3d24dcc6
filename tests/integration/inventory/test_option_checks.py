"""Option values that the option types let through are refused with a message naming the option."""

from __future__ import annotations

import pytest

from tests.conftest import ansible_env, run
from tests.harness.moto import boto3_client, free_port, run_instances

from .conftest import UNPARSED_FAILED, write_config


@pytest.mark.parametrize(
    "options, expected",
    [
        ({"max_attempts": -3}, "option max_attempts: must be 1 or more, got -3"),
        ({"read_timeout": 0}, "option read_timeout: must be 1 or more, got 0"),
        ({"instance_states": ["running", "bogus"]}, "option instance_states: unknown state(s) 'bogus'"),
        ({"untagged_group": "all"}, "option untagged_group: 'all' is one of ansible-core's own groups"),
        ({"nonconforming_group": "ungrouped"}, "option nonconforming_group: 'ungrouped' is one of ansible-core's own"),
        ({"no_autoscaling_group": "all"}, "option no_autoscaling_group: 'all' is one of ansible-core's own groups"),
        ({"nonconforming_group": "untagged"},
         "option nonconforming_group: 'untagged' is already the group of option untagged_group"),
        ({"no_autoscaling_group": "nonconforming"},
         "option no_autoscaling_group: 'nonconforming' is already the group of option nonconforming_group"),
        ({"untagged_group": ""}, "option untagged_group: must be a group name, not empty"),
        ({"untagged_group": "no name"}, "option untagged_group: 'no name' is not a plain group name"),
    ],
    ids=["negative-attempts", "zero-timeout", "bogus-state", "untagged-all", "nonconforming-ungrouped",
         "no-asg-all", "same-as-untagged", "same-as-nonconforming", "empty-untagged", "untagged-with-space"],
)
def test_misleading_option_values_are_refused(moto, env, tmp_path, options, expected):
    run_instances(boto3_client("ec2", moto.endpoint), "api-production")
    proc = run(["ansible-inventory", "-i", str(write_config(tmp_path, options)), "--list"], dict(env, **UNPARSED_FAILED))
    assert proc.returncode != 0
    error = " ".join(proc.stderr.split())
    assert expected in error, error
    assert "api-production" not in proc.stdout


def test_max_attempts_from_the_environment_is_checked_too(moto, tmp_path):
    env = ansible_env(moto.endpoint, AWS_MAX_ATTEMPTS="0", **UNPARSED_FAILED)
    proc = run(["ansible-inventory", "-i", str(write_config(tmp_path)), "--list"], env)
    assert proc.returncode != 0
    assert "option max_attempts: must be 1 or more, got 0" in " ".join(proc.stderr.split())


def test_refused_connection_is_not_retried_and_names_each_region(moto, tmp_path):
    """The count of attempts is checked in tests/unit/plugins/module_utils/test_aws_fail_fast.py."""
    dead = "http://127.0.0.1:%d" % free_port()
    options = {"regions": ["ap-south-1", "eu-west-1"], "endpoint_url": dead, "max_attempts": 10}
    proc = run(["ansible-inventory", "-i", str(write_config(tmp_path, options)), "--list"],
               ansible_env(moto.endpoint, **UNPARSED_FAILED))
    assert proc.returncode != 0
    error = " ".join(proc.stderr.split())
    for region in ("ap-south-1", "eu-west-1"):
        assert "region %s: EndpointConnectionError: Could not connect to the endpoint URL" % region in error
