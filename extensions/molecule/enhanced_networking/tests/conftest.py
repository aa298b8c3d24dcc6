"""Helpers for the enhanced_networking verify step: ansible-playbook against the molecule container,
and a moto EC2 API on the controller for the attribute step (which runs on the controller)."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[4]
CONTAINER = "gamestack-%s-instance" % os.environ.get("MOLECULE_SCENARIO_NAME", "enhanced_networking")


def _load_moto_harness():
    spec = importlib.util.spec_from_file_location("gamestack_moto_harness", REPO / "tests" / "harness" / "moto.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


moto_harness = _load_moto_harness()


def run_playbook(playbook: str, extra_env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a playbook text against the scenario's container, from the venv running pytest."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_", "AWS_"))}
    env.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_INVENTORY_ENABLED="ini")
    env.update(extra_env or {})
    with tempfile.TemporaryDirectory() as tmp:
        (pathlib.Path(tmp) / "inventory.ini").write_text(
            f"{CONTAINER} ansible_connection=community.docker.docker ansible_user=root\n"
        )
        (pathlib.Path(tmp) / "play.yml").write_text(playbook)
        return subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
             "-i", f"{tmp}/inventory.ini", f"{tmp}/play.yml"],
            cwd=REPO, env=env, check=False, capture_output=True, text=True, timeout=timeout,
        )


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
