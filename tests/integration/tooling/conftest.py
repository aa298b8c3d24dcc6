"""Fixtures for the tooling tests: AWS clients on the (per test reset) moto server."""

from __future__ import annotations

import pytest

from tests.harness.moto import boto3_client


@pytest.fixture
def aws(moto):
    """boto3 clients on the freshly reset moto server: aws('ec2'), aws('rds', region='eu-west-1')."""

    def client(service, region="us-east-1"):
        return boto3_client(service, moto.endpoint, region=region)

    client.endpoint = moto.endpoint
    return client
