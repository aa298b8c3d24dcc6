"""Shared fixtures: a moto server over HTTP, an environment for ansible subprocesses."""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest

from tests.harness.moto import FAKE_CREDENTIALS, MotoServer, bin_path, boto3_client

REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def moto_server():
    """One moto server for the session; use the ``moto`` fixture to get it reset per test."""
    with MotoServer() as server:
        yield server


@pytest.fixture
def moto(moto_server):
    moto_server.reset()
    return moto_server


@pytest.fixture
def ec2(moto):
    return boto3_client("ec2", moto.endpoint)


def ansible_env(endpoint: str | None = None, **extra) -> dict:
    """Environment for ansible-* subprocesses: this checkout's ansible.cfg, fake credentials."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("ANSIBLE_") and key != "ANSIBLE_CONFIG":
            env.pop(key)
    env.update(FAKE_CREDENTIALS)
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    env["PATH"] = os.path.dirname(bin_path("python")) + os.pathsep + env.get("PATH", "")
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env["ANSIBLE_LOCAL_TEMP"] = str(REPO / ".cache" / "tmp")
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    else:
        env.pop("AWS_ENDPOINT_URL", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(cmd, env, cwd=None, check=False, timeout=600) -> subprocess.CompletedProcess:
    """Run an ansible command line (list) from the venv of the running Python."""
    if not os.path.isabs(cmd[0]):
        cmd = [bin_path(cmd[0])] + list(cmd[1:])
    proc = subprocess.run(cmd, env=env, cwd=cwd or REPO, capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(
            "%s failed (%s)\nstdout:\n%s\nstderr:\n%s" % (" ".join(cmd), proc.returncode, proc.stdout, proc.stderr)
        )
    return proc


# Make `ansible_collections.gamestack.aws` importable from this checkout (make venv links it).
import sys  # noqa: E402

_COLLECTIONS = str(REPO / ".collections")
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
