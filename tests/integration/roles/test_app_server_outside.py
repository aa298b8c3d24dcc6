"""playbooks/app_server.yml and the three host roles used from OUTSIDE the collection, as another
team would: the collection is built into a tarball and installed into a temporary directory, and
ansible-playbook runs from that directory (no ansible.cfg of ours, ANSIBLE_COLLECTIONS_PATH pointing at
the installed copy) against a Debian 12 systemd container started here with the molecule flags
(tests/harness/containers.py).

First run: ``ansible-playbook gamestack.aws.app_server`` (the collection's playbook, by FQCN).
Second run: the team's own playbook that lists the roles by FQCN; it must change nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile

import pytest

from tests.conftest import REPO
from tests.harness.containers import start_systemd_container
from tests.harness.moto import bin_path

CONTAINER = "gamestack-appserver-test"
IMAGE = os.environ.get("GAMESTACK_TEST_IMAGE", "gamestack-test/debian12-systemd:latest")
TEAM_PLAYBOOK = """\
---
- name: Our app servers, configured with gamestack.aws roles
  hosts: app
  become: true
  roles:
    - role: gamestack.aws.tcp_tuning
    - role: gamestack.aws.nscd
    - role: gamestack.aws.apache_prefork_php
"""
FETCH = "import urllib.request as u; r = u.urlopen('http://127.0.0.1/', timeout=10); print(r.headers['Server']); print(r.read().decode())"


def sh(cmd, check=True, timeout=600, **kwargs):
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError("%s failed (%s):\n%s\n%s" % (" ".join(cmd), proc.returncode, proc.stdout, proc.stderr))
    return proc


def in_container(*argv, check=True):
    return sh(["docker", "exec", CONTAINER, *argv], check=check)


@pytest.fixture(scope="module")
def container():
    try:
        # The flags of extensions/molecule/resources/create.yml (--privileged does not work here).
        start_systemd_container(CONTAINER, IMAGE, hostname="appserver")
        in_container("apt-get", "update", "-qq")
        yield CONTAINER
    finally:
        sh(["docker", "rm", "--force", "--volumes", CONTAINER], check=False)


@pytest.fixture(scope="module")
def team_dir(tmp_path_factory):
    """A directory outside the checkout with the collection installed from its built tarball."""
    team = tmp_path_factory.mktemp("other-team")
    assert REPO not in team.parents
    build = team / "build"
    sh([bin_path("ansible-galaxy"), "collection", "build", "--output-path", str(build), str(REPO)], cwd=str(team))
    (tarball,) = build.glob("gamestack-aws-*.tar.gz")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    for role in ("tcp_tuning", "nscd", "apache_prefork_php"):
        assert f"roles/{role}/tasks/main.yml" in names, f"{role} missing from the collection tarball"
    assert "playbooks/app_server.yml" in names
    # --force: a copy elsewhere (molecule links the checkout into ~/.ansible/collections) must not
    # make ansible-galaxy skip the install.
    sh([bin_path("ansible-galaxy"), "collection", "install", "--offline", "--no-deps", "--force",
        "-p", str(team / "collections"), str(tarball)], cwd=str(team), env=team_env(team))
    (team / "inventory.ini").write_text(
        "[app]\n%s ansible_connection=community.docker.docker ansible_user=root\n" % CONTAINER
    )
    (team / "site.yml").write_text(TEAM_PLAYBOOK)
    return team


def team_env(team):
    """A clean environment: nothing of this checkout's ansible.cfg, only the installed collection
    (community.docker and friends come from the `ansible` package of the running venv)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(team / "collections"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_LOCAL_TEMP=str(team / "tmp"),
        PATH=os.path.dirname(bin_path("python")) + os.pathsep + env.get("PATH", ""),
    )
    return env


def recap(stdout):
    match = re.search(r"^%s\s*:\s*(.*)$" % re.escape(CONTAINER), stdout, re.M)
    assert match, stdout
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(1))}


def playbook(team, *args):
    return sh([bin_path("ansible-playbook"), "-i", "inventory.ini", *args], check=False, cwd=str(team),
              env=team_env(team), timeout=1200)


def test_app_server_from_another_teams_directory(container, team_dir):
    # The collection resolves from the installed copy, not from this checkout.
    listed = sh([bin_path("ansible-galaxy"), "collection", "list", "gamestack.aws", "--format", "json"],
                cwd=str(team_dir), env=team_env(team_dir))
    assert list(json.loads(listed.stdout)) == [str(team_dir / "collections" / "ansible_collections")]

    first = playbook(team_dir, "gamestack.aws.app_server", "-e", "app_server_hosts=app")
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first.stdout)["failed"] == 0
    assert recap(first.stdout)["changed"] > 0

    # The deploy role's job in real life: an application page in the DocumentRoot.
    in_container("sh", "-c", "echo '<?php echo \"answer=\" . (6 * 7);' > /var/www/app/public/index.php")

    second = playbook(team_dir, "site.yml")
    assert second.returncode == 0, second.stdout + second.stderr
    assert recap(second.stdout)["changed"] == 0, second.stdout

    # What the three roles promise, seen inside the container.
    server, body = in_container("python3", "-c", FETCH).stdout.split("\n", 1)
    assert server == "Apache"
    assert body.strip() == "answer=42"
    modules = in_container("apache2ctl", "-M").stdout
    assert "mpm_prefork_module" in modules and "php_module" in modules
    assert "mpm_event_module" not in modules and "mpm_worker_module" not in modules
    assert in_container("sysctl", "-n", "net.ipv4.tcp_tw_reuse").stdout.strip() == "1"
    assert in_container("sysctl", "-n", "net.ipv4.tcp_fin_timeout").stdout.strip() == "15"
    assert in_container("systemctl", "is-active", "nscd").stdout.strip() == "active"
    assert in_container("systemctl", "is-active", "apache2").stdout.strip() == "active"
