"""The API-call recorder of the moto server: recording never turns into an API error.

`make demo` on a fresh clone once failed with HTTP 500 on its first EC2 call because the recorder
appended to a file in a directory that only `make test` created.
"""

from __future__ import annotations

import json

import pytest

from tests.harness.moto import MotoServer, boto3_client


@pytest.fixture
def call_log(monkeypatch, tmp_path):
    def use(path):
        monkeypatch.setenv("GAMESTACK_AWS_CALL_LOG", str(path))
        return path
    return use


def test_creates_the_directory_of_its_log(call_log, tmp_path):
    log = call_log(tmp_path / "not" / "yet" / "there" / "calls.jsonl")
    with MotoServer() as moto:
        regions = boto3_client("ec2", moto.endpoint).describe_regions()["Regions"]
    assert regions
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert {"service": "ec2", "action": "DescribeRegions"}.items() <= calls[0].items()


def test_a_log_it_cannot_write_is_reported_and_the_call_still_answered(call_log, tmp_path, capfd):
    log = call_log(tmp_path / "a-directory")
    log.mkdir()
    with MotoServer() as moto:
        ec2 = boto3_client("ec2", moto.endpoint)
        assert ec2.describe_regions()["Regions"]
        assert ec2.describe_instances()["Reservations"] == []
    err = capfd.readouterr().err
    assert err.count("moto_recording: cannot record API calls to %s" % log) == 1


def test_target_calls_name_their_targets_and_every_call_its_time(call_log, tmp_path):
    log = call_log(tmp_path / "calls.jsonl")
    with MotoServer() as moto:
        ec2 = boto3_client("ec2", moto.endpoint)
        elbv2 = boto3_client("elbv2", moto.endpoint)
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        arn = elbv2.create_target_group(Name="api-test", Protocol="HTTP", Port=80, VpcId=vpc,
                                        TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.0.2"}, {"Id": "10.0.0.1"}])
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    registered = [c for c in calls if c["action"] == "RegisterTargets"]
    assert [(c["targets"], c["target_group"]) for c in registered] == [(["10.0.0.1", "10.0.0.2"], arn)]
    assert all(isinstance(c["time"], float) for c in calls)
    assert [c["time"] for c in calls] == sorted(c["time"] for c in calls)
