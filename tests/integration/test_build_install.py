"""ansible-galaxy collection build, then install of the tarball, then the installed plugin at work."""

from __future__ import annotations

import json
import tarfile

from tests.conftest import ansible_env, run
from tests.harness.moto import boto3_client, run_instances

# Development files that must stay out of the tarball (galaxy.yml build_ignore).
NOT_SHIPPED = (".venv", ".venv-2.16", ".collections", ".cache", ".hypothesis", ".pytest_cache", ".git", "tests",
               "mk", "Makefile", "requirements", "pytest.ini", "build")


def test_build_install_and_use(moto, tmp_path):
    build = tmp_path / "build"
    env = ansible_env(moto.endpoint)
    run(["ansible-galaxy", "collection", "build", "--output-path", str(build)], env, check=True)
    [tarball] = build.glob("gamestack-aws-*.tar.gz")

    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    tops = {n.split("/", 1)[0] for n in names}
    assert not tops & set(NOT_SHIPPED), sorted(tops & set(NOT_SHIPPED))
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
