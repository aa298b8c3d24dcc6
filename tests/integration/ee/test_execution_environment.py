"""gamestack.aws in an execution environment (ansible-builder 3).

* the collection tarball ships meta/execution-environment.yml, requirements.txt and bindep.txt;
* requirements.txt declares every third-party module the controller-side plugins import, and
  bindep.txt selects rsync / the SSH client on both dpkg and rpm platforms;
* `ansible-builder create` on an execution-environment.yml (version 3) that lists the collection
  (inline, or through a requirements.yml) writes a complete build context;
* `ansible-builder introspect` on an installed copy finds boto3, botocore and rsync through
  meta/execution-environment.yml;
* the context's galaxy + builder stages are replayed on this machine with the context's own files
  (requirements.yml, scripts/introspect.py), which is what the image build would run.

The image build itself (`ansible-builder build`) is not run: no base image can be pulled here.
"""

from __future__ import annotations

import ast
import hashlib
import pathlib
import sys
import tarfile

import pytest
import yaml
from packaging.requirements import Requirement

from tests.conftest import REPO, ansible_env, run

BASE_IMAGE = "quay.io/ansible/awx-ee:24.6.1"
EE_FILES = ("meta/execution-environment.yml", "requirements.txt", "bindep.txt")
# Imports that are not third-party dependencies of the controller-side plugins.
NOT_DEPENDENCIES = {"ansible", "ansible_collections", "__future__"}


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def requirement_names(lines) -> set[str]:
    names = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(Requirement(line).name.lower())
    return names


def bindep_packages(lines) -> set[str]:
    return {line.split("#", 1)[0].split()[0] for line in lines if line.split("#", 1)[0].strip()}


def write_ee(tmp_path: pathlib.Path, tarball: pathlib.Path, galaxy) -> pathlib.Path:
    """An execution-environment.yml (version 3) that copies the tarball into the context and installs it."""
    definition = {
        "version": 3,
        "images": {"base_image": {"name": BASE_IMAGE}},
        "dependencies": {"galaxy": galaxy},
        "additional_build_files": [{"src": str(tarball), "dest": "collections"}],
    }
    path = tmp_path / "definition" / "execution-environment.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


def builder_create(definition: pathlib.Path, context: pathlib.Path):
    # --output-filename: the default (Containerfile or Dockerfile) depends on whether podman is installed.
    return run(["ansible-builder", "create", "--file", str(definition), "--context", str(context),
                "--output-filename", "Containerfile", "-v", "2"], ansible_env(), check=True)


def test_tarball_ships_the_ee_metadata(tarball):
    with tarfile.open(tarball) as archive:
        for name in EE_FILES:
            member = archive.extractfile(name)
            assert member is not None, "%s missing from %s" % (name, tarball.name)
            assert member.read() == (REPO / name).read_bytes(), name
        meta = yaml.safe_load(archive.extractfile("meta/execution-environment.yml"))
    assert meta["version"] == 1
    assert meta["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}


def test_requirements_txt_declares_every_third_party_import_of_the_plugins():
    """Controller-side code (plugins/) runs in the EE: each third-party import must be in requirements.txt.
    Code under roles/*/files runs on the managed hosts and is not an EE dependency."""
    declared = requirement_names((REPO / "requirements.txt").read_text().splitlines())
    imported = {}
    for path in sorted((REPO / "plugins").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in NOT_DEPENDENCIES:
                    imported.setdefault(top.lower(), path.relative_to(REPO).as_posix())
    assert {"boto3", "botocore"} <= set(imported), imported  # the scan itself sees the AWS SDK
    missing = {name: where for name, where in imported.items() if name not in declared}
    assert not missing, "imported by plugins but not in requirements.txt: %s" % missing


@pytest.mark.parametrize("profile, expected", [
    ("platform:dpkg", {"rsync", "openssh-client"}),
    ("platform:rpm", {"rsync", "openssh-clients"}),
])
def test_bindep_selects_rsync_and_ssh_per_platform(profile, expected):
    from bindep.depends import Depends

    rules = Depends((REPO / "bindep.txt").read_text()).active_rules([profile])
    assert {rule[0] for rule in rules} == expected


@pytest.mark.parametrize("style", ["inline", "requirements-file"])
def test_builder_create_writes_a_complete_context(tarball, tmp_path, style):
    entry = {"name": "collections/%s" % tarball.name, "type": "file"}
    if style == "inline":
        galaxy = {"collections": [entry]}
    else:
        requirements = tmp_path / "definition" / "requirements.yml"
        requirements.parent.mkdir(parents=True)
        requirements.write_text(yaml.safe_dump({"collections": [
            entry, {"name": "amazon.aws"}, {"name": "ansible.posix"}, {"name": "community.general"}]}))
        galaxy = "requirements.yml"  # relative to the definition file
    context = tmp_path / "context"
    builder_create(write_ee(tmp_path, tarball, galaxy), context)

    build = context / "_build"
    # The tarball is in the context, byte for byte, where requirements.yml expects it (WORKDIR /build).
    assert sha256(build / "collections" / tarball.name) == sha256(tarball)
    requirements = yaml.safe_load((build / "requirements.yml").read_text())
    assert entry in requirements["collections"]
    if style == "requirements-file":
        names = [c["name"] for c in requirements["collections"]]
        assert names[1:] == ["amazon.aws", "ansible.posix", "community.general"]
    for script in ("introspect.py", "assemble", "install-from-bindep", "check_galaxy", "check_ansible"):
        assert (build / "scripts" / script).is_file(), script

    containerfile = (context / "Containerfile").read_text()
    steps = [
        'ARG EE_BASE_IMAGE="%s"' % BASE_IMAGE,
        "FROM $EE_BASE_IMAGE AS base",
        "COPY _build /build",
        "WORKDIR /build",
        "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml "
        '--collections-path "/usr/share/ansible/collections"',
        "/output/scripts/introspect.py introspect --write-bindep=/tmp/src/bindep.txt --write-pip=/tmp/src/requirements.txt",
        "RUN /output/scripts/assemble",
        "RUN /output/scripts/install-from-bindep",
    ]
    positions = []
    for step in steps:
        assert step in containerfile, "%r not in the Containerfile:\n%s" % (step, containerfile)
        positions.append(containerfile.index(step))
    assert positions == sorted(positions), "Containerfile steps out of order"


def test_missing_tarball_is_caught_by_the_galaxy_stage_not_by_create(tmp_path, user_env):
    """Pitfall: `ansible-builder create` (3.2) does not check additional_build_files sources; a wrong tarball
    path gives a context without the tarball, and the image build fails later in the galaxy stage, naming it.
    docs/awx.md says to check _build/collections/ after create."""
    missing = tmp_path / "nowhere" / "gamestack-aws-9.9.9.tar.gz"
    definition = write_ee(tmp_path, missing, {"collections": [{"name": "collections/" + missing.name, "type": "file"}]})
    context = tmp_path / "context"
    builder_create(definition, context)
    assert not (context / "_build" / "collections" / missing.name).exists()
    proc = run(["ansible-galaxy", "collection", "install", "--no-deps", "-r", "requirements.yml", "--collections-path",
                str(tmp_path / "share")], user_env, cwd=context / "_build")
    assert proc.returncode != 0
    assert "collections/gamestack-aws-9.9.9.tar.gz" in proc.stdout + proc.stderr


def test_introspect_finds_requirements_through_the_installed_collection(tarball, tmp_path, user_env):
    collections = tmp_path / "collections"
    run(["ansible-galaxy", "collection", "install", "--no-deps", "-p", str(collections), str(tarball)], user_env,
        cwd=tmp_path, check=True)
    installed = collections / "ansible_collections" / "gamestack" / "aws"
    assert (installed / "meta" / "execution-environment.yml").is_file()

    proc = run(["ansible-builder", "introspect", str(collections)], user_env, cwd=tmp_path, check=True)
    data = yaml.safe_load(proc.stdout)
    assert all(line.endswith("# from collection gamestack.aws") for line in data["python"] + data["system"]), data
    assert requirement_names(data["python"]) == {"boto3", "botocore"}
    assert {str(Requirement(line.split("#")[0])) for line in data["python"]} == {"boto3>=1.28.0", "botocore>=1.31.0"}
    assert bindep_packages(data["system"]) == {"rsync", "openssh-client", "openssh-clients"}
    assert "rsync [platform:rpm platform:dpkg]" in [line.split("#")[0].strip() for line in data["system"]]


def test_introspect_without_the_ee_metadata_finds_nothing(tarball, tmp_path, user_env):
    """Control for the test above: the dependencies come from meta/execution-environment.yml."""
    collections = tmp_path / "collections"
    run(["ansible-galaxy", "collection", "install", "--no-deps", "-p", str(collections), str(tarball)], user_env,
        cwd=tmp_path, check=True)
    installed = collections / "ansible_collections" / "gamestack" / "aws"
    (installed / "meta" / "execution-environment.yml").unlink()
    (installed / "requirements.txt").rename(installed / "requirements.txt.off")
    (installed / "bindep.txt").rename(installed / "bindep.txt.off")
    data = yaml.safe_load(run(["ansible-builder", "introspect", str(collections)], user_env, cwd=tmp_path,
                              check=True).stdout)
    assert data == {"python": [], "system": []}


def test_context_galaxy_and_builder_stages_replayed_here(tarball, tmp_path, user_env):
    """Run what the image build would run, with the context's own files: the galaxy stage's
    `ansible-galaxy collection install -r requirements.yml` in _build/ (WORKDIR /build; --no-deps because
    Galaxy is unreachable here: it only skips amazon.aws & co), then the builder stage's
    scripts/introspect.py writing the pip and bindep lists that assemble / install-from-bindep consume."""
    context = tmp_path / "context"
    builder_create(write_ee(tmp_path, tarball, {"collections": [
        {"name": "collections/%s" % tarball.name, "type": "file"}]}), context)
    build = context / "_build"
    share = tmp_path / "usr-share-ansible-collections"
    run(["ansible-galaxy", "collection", "install", "--no-deps", "-r", "requirements.yml", "--collections-path",
         str(share)], user_env, cwd=build, check=True)
    installed = share / "ansible_collections" / "gamestack" / "aws"
    assert (installed / "plugins" / "inventory" / "name_tags.py").is_file()
    assert (installed / "roles" / "rsync_deploy" / "tasks" / "main.yml").is_file()

    pip_out, bindep_out = tmp_path / "src" / "requirements.txt", tmp_path / "src" / "bindep.txt"
    run([sys.executable, str(build / "scripts" / "introspect.py"), "introspect", "--write-bindep", str(bindep_out),
         "--write-pip", str(pip_out), str(share)], user_env, cwd=tmp_path, check=True)
    assert requirement_names(pip_out.read_text().splitlines()) == {"boto3", "botocore"}
    written_bindep = bindep_out.read_text()
    assert bindep_packages(written_bindep.splitlines()) == {"rsync", "openssh-client", "openssh-clients"}
    # bindep evaluates the written list for this (Debian, dpkg) machine the way install-from-bindep would.
    proc = run(["bindep", "--file", str(bindep_out), "--list_all", "newline"], user_env, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr  # 1 = something is missing here; the list is still printed
    assert set(proc.stdout.split()) == {"rsync", "openssh-client"}
