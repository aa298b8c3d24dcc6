"""Helpers for the enhanced_networking verify step: ansible-playbook against the molecule container,
and a moto EC2 API on the controller for the attribute step (which runs on the controller)."""

from __future__ import annotations

import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "resources"))
# Run by hand outside molecule, the container is still this scenario's (gamestack_verify reads the name).
os.environ.setdefault("MOLECULE_SCENARIO_NAME", "enhanced_networking")

import gamestack_verify  # noqa: E402

CONTAINER = gamestack_verify.CONTAINER
moto_harness = gamestack_verify.harness("moto")


def run_playbook(playbook: str, extra_env: dict | None = None, timeout: int = 600):
    """gamestack_verify.run_playbook without the caller's AWS_* variables and with the ini inventory
    plugin only; extra_env (controller_env: moto endpoint and credentials) comes last."""
    return gamestack_verify.run_playbook(playbook, timeout=timeout, drop_env_prefixes=("AWS_",),
                                         extra_env={"ANSIBLE_INVENTORY_ENABLED": "ini", **(extra_env or {})})


def role_play(role_vars: dict) -> str:
    lines = ["- hosts: all", "  gather_facts: true", "  roles:", "    - role: gamestack.aws.enhanced_networking"]
    if role_vars:
        lines.append("      vars:")
        lines += ["        %s: %s" % (k, v) for k, v in role_vars.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def moto_ec2():
    """(endpoint, ec2 client) of a moto server on the controller's 127.0.0.1."""
    with moto_harness.MotoServer() as server:
        yield server, moto_harness.boto3_client("ec2", server.endpoint)


def controller_env(endpoint: str) -> dict:
    env = dict(moto_harness.FAKE_CREDENTIALS)
    env["AWS_ENDPOINT_URL"] = endpoint
    return env
