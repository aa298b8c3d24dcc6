"""ansible-galaxy collection build, then install of the tarball, then the installed plugin at work."""

from __future__ import annotations

import ast
import json
import subprocess
import tarfile

import pytest

from tests.conftest import ansible_env, run
from tests.harness.moto import boto3_client, run_instances

# Development files and tooling that must stay out of the tarball (galaxy.yml build_ignore): they run
# from a checkout only (the demo driver and the molecule scenarios load tests/harness).
NOT_SHIPPED = (".venv", ".venv-2.16", ".collections", ".cache", ".hypothesis", ".pytest_cache", ".git", ".ci",
               "mk", "Makefile", "requirements", "pytest.ini", "build", "scripts", "extensions")
# The only part of tests/ that ships: the ignore files ansible-test sanity reads in the installed copy.
SHIPPED_TESTS = "tests/sanity/"


def imported_tops(source: str) -> set[str]:
    """The top-level package of every module a Python source imports."""
    tops = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops.add(node.module.split(".")[0])
    return tops


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The collection tarball, built once for this module by ansible-galaxy collection build."""
    build = tmp_path_factory.mktemp("build")
    run(["ansible-galaxy", "collection", "build", "--output-path", str(build)], ansible_env(), check=True)
    [built] = build.glob("gamestack-aws-*.tar.gz")
    return built


def test_tarball_ships_no_tooling(tarball):
    """Every Python file in the tarball works without the checkout: none imports the test tooling."""
    with tarfile.open(tarball) as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
        tops = {m.name.split("/", 1)[0] for m in members}
        assert not tops & set(NOT_SHIPPED), sorted(tops & set(NOT_SHIPPED))
        tests = sorted(m.name for m in members if m.name.startswith("tests/"))
        assert tests and all(name.startswith(SHIPPED_TESTS) for name in tests), tests
        for member in members:
            if member.name.endswith(".py"):
                source = archive.extractfile(member).read().decode()
                assert not imported_tops(source) & {"tests", "scripts"}, member.name


def test_installed_tarball_passes_shebang_sanity(tarball, tmp_path):
    """ansible-test sanity's shebang test on the collection installed from its tarball: it reads the
    tests/sanity ignore files that the tarball ships. `make lint-tarball` runs every sanity test."""
    env = ansible_env()
    collections = tmp_path / "collections"
    run(["ansible-galaxy", "collection", "install", "--force", "--no-deps", "-p", str(collections), str(tarball)],
        env, cwd=tmp_path, check=True)
    installed = collections / "ansible_collections" / "gamestack" / "aws"
    subprocess.run(["git", "init", "-q"], cwd=installed, check=True)
    subprocess.run(["git", "add", "-A"], cwd=installed, check=True)
    run(["ansible-test", "sanity", "--test", "shebang", "--color", "no"], env, cwd=installed, check=True)


def test_build_install_and_use(moto, tarball, tmp_path):
    env = ansible_env(moto.endpoint)
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    for shipped in ("MANIFEST.json", "FILES.json", "plugins/inventory/name_tags.py", "plugins/module_utils/naming.py",
                    "plugins/filter/naming.py", "plugins/filter/parse_name.yml", "meta/runtime.yml"):
        assert shipped in names, shipped

    # A user's setup: no ansible.cfg of this checkout, only the installed copy (and the venv's bundled collections).
    collections = tmp_path / "collections"
    empty_cfg = tmp_path / "ansible.cfg"
    empty_cfg.write_text("[defaults]\n")
    user_env = dict(env, ANSIBLE_CONFIG=str(empty_cfg), ANSIBLE_COLLECTIONS_PATH=str(collections))
    # --no-deps: Galaxy is unreachable here; amazon.aws & co come from the venv's ansible package.
    run(["ansible-galaxy", "collection", "install", "--no-deps", "-p", str(collections), str(tarball)], user_env,
        cwd=tmp_path, check=True)
    installed = collections / "ansible_collections" / "gamestack" / "aws"
    assert (installed / "plugins" / "inventory" / "name_tags.py").is_file()
    doc = run(["ansible-doc", "-t", "inventory", "--json", "gamestack.aws.name_tags"], user_env, cwd=tmp_path, check=True)
    assert json.loads(doc.stdout)["gamestack.aws.name_tags"]["doc"]["filename"].startswith(str(installed))

    ec2 = boto3_client("ec2", moto.endpoint)
    ids = run_instances(ec2, "api-production", count=2)
    config = tmp_path / "fleet.aws_ec2.yml"
    config.write_text("plugin: gamestack.aws.name_tags\nregions: [us-east-1]\n")
    proc = run(["ansible-inventory", "-i", str(config), "--list"], user_env, cwd=tmp_path, check=True)
    data = json.loads(proc.stdout)
    assert set(data["api-production"]["hosts"]) == set(ids)
    assert data["api"]["children"] == ["api-production"]
    proc = run(["ansible", "localhost", "-m", "ansible.builtin.debug", "-a",
                "msg={{ 'api' | gamestack.aws.format_name('production') }}"], user_env, cwd=tmp_path, check=True)
    assert '"msg": "api-production"' in proc.stdout
