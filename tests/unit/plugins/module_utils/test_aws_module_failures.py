"""aws.module_failures: what the AWS modules report when AWS, or the way to it, fails."""

from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.gamestack.aws.plugins.module_utils import aws


class Failed(Exception):
    pass


class Module:
    def fail_json(self, msg, **kwargs):
        self.result = kwargs
        raise Failed(msg)


def failure_of(exc):
    with pytest.raises(Failed) as caught:
        with aws.module_failures(Module(), "image_usage"):
            raise exc
    return str(caught.value)


def test_a_missing_region_names_the_module_and_the_settings():
    assert failure_of(botocore.exceptions.NoRegionError()) == "image_usage: no region; set region or AWS_REGION"


def test_an_aws_error_names_the_module_and_the_error_code():
    exc = botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeImages")
    assert failure_of(exc).startswith("image_usage: AWS error (AccessDenied): ")


def test_a_setup_error_is_reported_as_it_is():
    assert failure_of(aws.AwsSetupError("region 'x y' is not an AWS region name")) == \
        "region 'x y' is not an AWS region name"


def test_a_bug_keeps_its_traceback():
    with pytest.raises(KeyError):
        with aws.module_failures(Module(), "image_usage"):
            raise KeyError("not an AWS failure")


def test_the_result_so_far_goes_into_the_failure():
    module, changes = Module(), []
    with pytest.raises(Failed):
        with aws.module_failures(module, "autoscaling_singleton", changes=changes):
            changes.append("create group api-production")
            raise botocore.exceptions.ClientError({"Error": {"Code": "Throttling", "Message": "slow"}}, "UpdateX")
    assert module.result == {"changes": ["create group api-production"]}
