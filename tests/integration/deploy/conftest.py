"""Fixtures for the rsync_deploy / publish / bootstrap integration tests.

One systemd container (tests/harness/containers.py: the docker flags of the molecule harness,
extensions/molecule/resources/create.yml) runs Apache + mod_php + PHP CLI + rsync, like an app-tier
host. The package install is done once and kept as a local image (tag = hash of the recipe), so
later sessions start in seconds. Tests drive the real `playbooks/deploy.yml` / `playbooks/publish.yml`
with ansible-playbook over the community.docker.docker connection.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import time
import uuid

import pytest

from tests.conftest import REPO, ansible_env, run
from tests.harness.containers import committed_image, docker, start_systemd_container, wait_booted
from tests.harness.moto import MotoServer

BASE_IMAGE = os.environ.get("GAMESTACK_TEST_IMAGE", "gamestack-test/debian12-systemd:latest")
# GAMESTACK_DEPLOY_TEST_PREFIX: another name for the container, so that two checkouts can run these tests at once.
PREFIX = os.environ.get("GAMESTACK_DEPLOY_TEST_PREFIX", "gamestack-rsync-")
PACKAGES = "apache2 libapache2-mod-php php-cli rsync curl python3-boto3"
SITE = """<VirtualHost *:80>
  DocumentRoot /var/www/app/public
  <Directory /var/www/app/public>
    Require all granted
  </Directory>
</VirtualHost>
"""


class Host:
    """A systemd container reached by `docker exec` (tests) and community.docker.docker (Ansible)."""

    def __init__(self, name: str):
        self.name = name

    def sh(self, script: str, check=True, timeout=300) -> subprocess.CompletedProcess:
        proc = docker("exec", self.name, "bash", "-c", script, check=False, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError("in %s: %s\n-> %s %s" % (self.name, script, proc.stdout, proc.stderr))
        return proc

    def wait_booted(self, timeout=90):
        return wait_booted(self.name, timeout=timeout)

    def reboot(self):
        docker("restart", "--time", "5", self.name, timeout=120)
        return self.wait_booted()

    def tree(self, path: str) -> dict:
        """{relative path: sha256} of the regular files under path (marker excluded), plus dirs."""
        out = self.sh(
            "cd %s && find . -mindepth 1 ! -name .release -printf '%%y %%P\\0' | sort -z" % sh_quote(path)
        ).stdout
        entries = [e for e in out.split("\0") if e]
        sums = {}
        files = [e[2:] for e in entries if e.startswith("f ")]
        if files:
            proc = subprocess.run(
                ["docker", "exec", "-i", "-w", path, self.name, "xargs", "-0", "sha256sum", "--"],
                input="\0".join(files).encode(), capture_output=True, check=True,
            )
            for line in proc.stdout.decode().splitlines():
                digest, name = line.split("  ", 1)
                sums[name] = digest
        for e in entries:
            if e.startswith("d "):
                sums[e[2:] + "/"] = "dir"
        return sums

    def read(self, path: str) -> str:
        return self.sh("cat %s" % sh_quote(path)).stdout

    def page(self, path="/") -> str:
        return self.sh("curl -fsS http://127.0.0.1%s" % path).stdout


def sh_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def local_tree(root: pathlib.Path, excludes=()) -> dict:
    sums = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if any(part in excludes for part in rel.split("/")):
            continue
        if path.is_dir():
            sums[rel + "/"] = "dir"
        elif path.is_file():
            sums[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def prepared_image() -> str:
    """Base image + Apache/mod_php/PHP/rsync, built once per recipe and kept as a local image."""
    return committed_image(
        BASE_IMAGE, "gamestack-test/rsync-deploy-host",
        "set -e\napt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends %s\n"
        "cat > /etc/apache2/sites-available/000-default.conf <<'EOF'\n%sEOF\n"
        "mkdir -p /var/www/app/public && systemctl enable apache2 && apt-get clean" % (PACKAGES, SITE))


def start_container(name: str, image: str) -> Host:
    return Host(start_systemd_container(name, image, boot_timeout=90))


SSH_RECIPE = (
    "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openssh-server"
    " && apt-get clean && systemctl enable ssh"
    " && useradd --create-home --shell /bin/bash deploy"
    " && echo 'deploy ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/deploy && chmod 0440 /etc/sudoers.d/deploy"
)


def ssh_image() -> str:
    """The app-tier image plus sshd and a `deploy` user with sudo, built once per recipe."""
    return committed_image(prepared_image(), "gamestack-test/rsync-deploy-ssh", SSH_RECIPE)


def start_ssh_host(name: str, keys: pathlib.Path) -> tuple[Host, str, pathlib.Path]:
    """A container of ssh_image() with a fresh key for `deploy`: (host, its address, the private key).
    A container of that name is replaced."""
    key = keys / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    docker("rm", "-f", "-v", name, check=False)
    host = start_container(name, ssh_image())
    host.sh("install -d -m 0700 -o deploy -g deploy ~deploy/.ssh\n"
            "cat > ~deploy/.ssh/authorized_keys <<'EOF'\n%sEOF\n"
            "chown deploy:deploy ~deploy/.ssh/authorized_keys && chmod 0600 ~deploy/.ssh/authorized_keys\n"
            "systemctl start ssh apache2" % key.with_suffix(".pub").read_text())
    address = docker("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                     name).stdout.strip()
    deadline = time.monotonic() + 60
    while subprocess.run(["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o",
                          "UserKnownHostsFile=/dev/null", "-i", str(key), "deploy@" + address, "true"],
                         capture_output=True, check=False).returncode != 0:
        assert time.monotonic() < deadline, "sshd in %s did not accept the key" % name
        time.sleep(1)
    return host, address, key


def ssh_host_vars(address: str, key: pathlib.Path, control_path_dir: pathlib.Path) -> dict:
    """Inventory variables of a start_ssh_host() container: ssh as `deploy` with its key, become (sudo)."""
    return {
        "ansible_connection": "ansible.builtin.ssh",
        "ansible_host": address,
        "ansible_user": "deploy",
        "ansible_ssh_private_key_file": str(key),
        "ansible_ssh_common_args": "-o UserKnownHostsFile=/dev/null",
        "ansible_control_path_dir": str(control_path_dir),
        "ansible_become": True,
        "naming": {"app": "api", "env": "test"},
    }


@pytest.fixture(scope="session")
def app_host():
    """The app-tier container for the whole session (removed at the end)."""
    name = PREFIX + "host"
    host = start_container(name, prepared_image())
    host.sh("systemctl start apache2")
    yield host
    docker("rm", "-f", "-v", name, check=False)


class Deployer:
    """Runs playbooks/deploy.yml (or another playbook) against the app host."""

    def __init__(self, host: Host, workdir: pathlib.Path, host_vars: dict | None = None):
        """host_vars: the host's inventory variables; default community.docker.docker as root."""
        self.host = host
        self.workdir = workdir
        self.inventory = workdir / "inventory.yml"
        self.inventory.write_text(json.dumps({
            "all": {"hosts": {host.name: host_vars or {
                "ansible_connection": "community.docker.docker",
                "ansible_user": "root",
                "naming": {"app": "api", "env": "test", "release": None},
            }}}
        }))
        self.env = ansible_env(ANSIBLE_FACT_CACHING="memory", ANSIBLE_PIPELINING="True")

    def playbook(self, variables: dict, playbook="playbooks/deploy.yml", extra_args=(), timeout=900):
        vars_file = self.workdir / ("vars-%s.json" % uuid.uuid4().hex[:8])
        vars_file.write_text(json.dumps(variables))
        cmd = ["ansible-playbook", "-i", str(self.inventory), playbook, "-e", "@%s" % vars_file, *extra_args]
        return Result(run(cmd, self.env, timeout=timeout))

    def deploy(self, src, extra_args=(), **variables):
        variables.setdefault("rsync_deploy_src", str(src))
        return self.playbook(variables, extra_args=extra_args)

    def popen(self, variables: dict, log: pathlib.Path) -> subprocess.Popen:
        vars_file = self.workdir / ("vars-%s.json" % uuid.uuid4().hex[:8])
        vars_file.write_text(json.dumps(variables))
        from tests.harness.moto import bin_path

        return subprocess.Popen(
            [bin_path("ansible-playbook"), "-i", str(self.inventory), "playbooks/deploy.yml", "-e", "@%s" % vars_file],
            env=self.env, cwd=REPO, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )


class Result:
    RECAP = re.compile(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")

    def __init__(self, proc):
        self.proc = proc
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        found = self.RECAP.findall(proc.stdout)
        self.ok, self.changed, self.unreachable, self.failed = (int(x) for x in found[-1]) if found else (0, 0, 0, 0)

    def assert_ok(self):
        assert self.rc == 0 and self.failed == 0, self.output
        return self

    def assert_failed(self, *needles):
        assert self.rc != 0, self.output
        for needle in needles:
            assert needle in self.output, "%r not in output:\n%s" % (needle, self.output)
        return self


@pytest.fixture
def deployer(app_host, tmp_path):
    return Deployer(app_host, tmp_path)


def bridge_gateway(app_host) -> str:
    """The host's address on the container's network: the container's default gateway (docker0)."""
    route = app_host.sh("ip -4 route show default").stdout.split()
    assert route[:2] == ["default", "via"], route
    return route[2]


@pytest.fixture(scope="module")
def bridge_moto(app_host):
    """A moto server (recording, tests/harness/moto_recording.py) that the containers reach on the docker bridge."""
    with MotoServer(host=bridge_gateway(app_host)) as server:
        yield server


def write_tree(root: pathlib.Path, files: dict) -> pathlib.Path:
    """Create files {relative path: text} under root (replacing root)."""
    if root.exists():
        shutil.rmtree(root)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


APP_FILES = {
    "public/index.php": "<?php\nrequire __DIR__ . '/../lib/version.php';\nheader('Content-Type: text/plain');\n"
                        "echo 'version=' . APP_VERSION . \"\\n\";\n"
                        "echo 'release=' . trim((string) @file_get_contents(__DIR__ . '/../.release')) . \"\\n\";\n",
    "lib/version.php": "<?php\nconst APP_VERSION = 'v1';\n",
    "lib/util.php": "<?php\nfunction util() { return 42; }\n",
    "public/style.css": "body { color: #333; }\n",
}
