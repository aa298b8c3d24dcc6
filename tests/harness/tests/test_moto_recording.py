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
