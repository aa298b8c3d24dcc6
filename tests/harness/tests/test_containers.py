"""tests/harness/containers.py, and extensions/molecule/resources/create.yml (Ansible YAML, so it keeps its
own list) starting the molecule containers with the same `docker run` flags and boot wait."""

import pathlib
import subprocess

import pytest
import yaml

from tests.harness import containers

REPO = pathlib.Path(__file__).resolve().parents[3]
CREATE = REPO / "extensions" / "molecule" / "resources" / "create.yml"


def task(name):
    (play,) = yaml.safe_load(CREATE.read_text())
    (found,) = [t for t in play["tasks"] if t["name"] == name]
    return found


def test_create_yml_runs_containers_with_the_harness_flags():
    argv = task("Start one systemd container per platform")["ansible.builtin.command"]["argv"]
    assert argv[:3] == ["docker", "run", "--detach"]
    assert argv[-2:] == ["{{ item.image }}", "/lib/systemd/systemd"]
    # The flags stand between `--hostname <name>` and the image.
    flags = argv[argv.index("--hostname") + 2:-2]
    # The memory limit is templated there (a platform of molecule.yml may set its own); its default
    # is the harness's default, which start_systemd_container appends after RUN_FLAGS.
    assert flags[-1] == "--memory={{ item.memory | default('%s') }}" % containers.DEFAULT_MEMORY
    assert flags[:-1] == containers.RUN_FLAGS


def test_create_yml_waits_for_the_same_boot_states():
    wait = task("Wait for systemd to finish booting")
    assert wait["ansible.builtin.command"]["argv"][-3:] == ["systemctl", "is-system-running", "--wait"]
    states = list(containers.BOOTED_STATES)
    assert wait["until"] == "gamestack_boot.stdout in %s" % states
    assert wait["failed_when"] == "gamestack_boot.stdout not in %s" % states


class FakeDocker:
    """Stands in for subprocess.run of the docker CLI: answers `systemctl is-system-running` from a list."""

    def __init__(self, states):
        self.states, self.calls = list(states), []

    def __call__(self, cmd, **kwargs):
        self.calls.append(cmd)
        if cmd[-3:] == ["systemctl", "is-system-running", "--wait"]:
            state = self.states.pop(0) if self.states else "starting"
            stderr = "Failed to connect to bus" if not state else ""
            return subprocess.CompletedProcess(cmd, 0 if state == "running" else 1, state + "\n", stderr)
        return subprocess.CompletedProcess(cmd, 0, "", "")


def test_start_systemd_container_replaces_and_waits(monkeypatch):
    fake = FakeDocker(["", "degraded"])  # systemd not on its bus yet, then booted with a failed unit
    monkeypatch.setattr(containers.subprocess, "run", fake)
    monkeypatch.setattr(containers.time, "sleep", lambda _s: None)
    assert containers.start_systemd_container("c1", "img", ["--label", "x=1"], hostname="h") == "c1"
    assert fake.calls[0] == ["docker", "rm", "-f", "-v", "c1"]
    assert fake.calls[1] == ["docker", "run", "--detach", "--name", "c1", "--hostname", "h", *containers.RUN_FLAGS,
                             "--memory=2g", "--label", "x=1", "img", "/lib/systemd/systemd"]
    assert len(fake.calls) == 4  # asked twice


def test_start_systemd_container_without_memory_limit_or_wait(monkeypatch):
    fake = FakeDocker([])
    monkeypatch.setattr(containers.subprocess, "run", fake)
    containers.start_systemd_container("c1", "img", memory=None, wait=False)
    assert fake.calls[1] == ["docker", "run", "--detach", "--name", "c1", "--hostname", "c1", *containers.RUN_FLAGS,
                             "img", "/lib/systemd/systemd"]
    assert len(fake.calls) == 2


def test_wait_booted_gives_up_after_the_timeout(monkeypatch):
    fake = FakeDocker(["", "maintenance"])
    monkeypatch.setattr(containers.subprocess, "run", fake)
    monkeypatch.setattr(containers.time, "sleep", lambda _s: None)
    with pytest.raises(containers.ContainerError, match="c1 did not finish booting"):
        containers.wait_booted("c1", timeout=0.05)


def test_docker_failure_raises_container_error(monkeypatch):
    monkeypatch.setattr(containers.subprocess, "run",
                        lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1, "", "no such image"))
    with pytest.raises(containers.ContainerError, match="docker pull nope failed: no such image"):
        containers.docker("pull", "nope")
    assert containers.docker("pull", "nope", check=False).returncode == 1
