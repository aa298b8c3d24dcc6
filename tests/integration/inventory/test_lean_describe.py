"""The lean DescribeInstances reader against a real (moto) EC2 API over HTTP.

It must give the records botocore's own parser gives, page after page, and leave error answers to botocore.
"""

from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.gamestack.aws.plugins.module_utils import ec2_instances
from tests.harness.moto import boto3_client, run_instances


def botocore_records(ec2, region, page_size):
    records = []
    for page in ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": page_size}):
        assert ec2_instances.RECORDS_KEY not in page
        records.extend(ec2_instances.page_records(page, region))
    return records


def test_lean_pages_equal_botocore_pages(moto):
    plain = boto3_client("ec2", moto.endpoint, "eu-west-1")
    # One reservation each: moto pages by reservation.
    for _index in range(7):
        run_instances(plain, "api-production-20190411-1459",
                      tags={"team": "a & b <c>", "empty": "", "aws:autoscaling:groupName": "api-asg"})
    for _index in range(3):
        run_instances(plain, None)
    stopped = run_instances(plain, "web-staging") + run_instances(plain, "web-staging")
    plain.stop_instances(InstanceIds=stopped)

    lean = boto3_client("ec2", moto.endpoint, "eu-west-1")
    pages = []
    lean.meta.events.register("after-call.ec2.DescribeInstances",
                              lambda parsed, **kw: pages.append(ec2_instances.RECORDS_KEY in parsed))
    got = ec2_instances.list_instances(lean, "eu-west-1", page_size=5)
    # 12 instances in pages of 5: three calls, every one read by the lean reader, next tokens kept.
    assert pages == [True, True, True]
    assert len(got) == 12 and len({r["id"] for r in got}) == 12
    assert sorted(got, key=lambda r: r["id"]) == sorted(botocore_records(plain, "eu-west-1", 5), key=lambda r: r["id"])
    assert {r["state"] for r in got} == {"running", "stopped"}


def test_filters_reach_the_api(moto):
    ec2 = boto3_client("ec2", moto.endpoint)
    wanted = run_instances(ec2, "api-production", count=2)
    run_instances(ec2, "web-production")
    got = ec2_instances.list_instances(ec2, "us-east-1", [{"Name": "tag:Name", "Values": ["api-production"]}])
    assert sorted(r["id"] for r in got) == sorted(wanted)


def test_error_answers_stay_botocore_errors(moto):
    ec2 = ec2_instances.use_lean_describe_instances(boto3_client("ec2", moto.endpoint), "us-east-1")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        ec2.describe_instances(InstanceIds=["i-0123456789abcdef0"])
    assert caught.value.response["Error"]["Code"] == "InvalidInstanceID.NotFound"
