"""Fixtures for the execution-environment tests: the collection tarball, built once per session."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, ansible_env, run


@pytest.fixture(scope="session")
def tarball(tmp_path_factory):
    """`ansible-galaxy collection build` of this checkout into a temporary directory."""
    out = tmp_path_factory.mktemp("ee-build")
    run(["ansible-galaxy", "collection", "build", "--output-path", str(out), str(REPO)], ansible_env(), check=True)
    [built] = out.glob("gamestack-aws-*.tar.gz")
    return built


@pytest.fixture
def user_env(tmp_path):
    """An ansible environment without this checkout's ansible.cfg (its collections_path already holds
    gamestack.aws, which would make `ansible-galaxy collection install` a no-op)."""
    cfg = tmp_path / "user-ansible.cfg"
    cfg.write_text("[defaults]\n")
    return dict(ansible_env(), ANSIBLE_CONFIG=str(cfg), ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "unused"))
