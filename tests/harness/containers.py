"""Debian systemd test containers, started with the docker CLI.

The one home of the `docker run` flags that let systemd boot in an unprivileged container on our
build machines (``--privileged`` does not work there, and the Docker API refuses
``systempaths=unconfined``, hence the CLI). Used by scripts/demo.py, the benchmarks in tests/bench and
the integration tests. extensions/molecule/resources/create.yml is Ansible YAML and keeps its own copy
of the list; tests/harness/tests/test_containers.py checks that the two agree.

This module imports nothing from the checkout, so it can also be loaded by path (the molecule verify
steps do, see extensions/molecule/resources/gamestack_verify.py).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time

RUN_FLAGS = [
    "--cap-add=SYS_ADMIN",
    "--cap-add=NET_ADMIN",
    "--security-opt=seccomp=unconfined",
    "--security-opt=apparmor=unconfined",
    "--security-opt=systempaths=unconfined",
    "--cgroupns=host",
    "--volume=/sys/fs/cgroup:/sys/fs/cgroup:rw",
    "--tmpfs=/run",
    "--tmpfs=/run/lock",
]
#: The memory limit of a container unless the caller says otherwise (create.yml's default too).
DEFAULT_MEMORY = "2g"
#: What `systemctl is-system-running --wait` says once boot is over and the host is usable.
BOOTED_STATES = ("running", "degraded")


def docker_host_vars(app: str, env: str) -> dict:
    """Inventory variables of a container reached over community.docker.docker, named for app-env (the
    benchmarks' hosts). No ansible_user: the containers run as root anyway, and with a remote user set
    the docker connection runs `docker version` twice before every task on every host (to learn whether
    `docker exec -u` works): in a 4-host probe round here, 0.27 s of the controller's CPU against 0.10 s
    without, plus dockerd's share. No SSH connection pays that, and the raw rsync floor does not either."""
    return {"ansible_connection": "community.docker.docker", "naming": {"app": app, "env": env}}


class ContainerError(AssertionError):
    """A docker command failed or a container did not boot. An AssertionError, so that a test that
    meets it fails rather than errors; scripts turn it into SystemExit."""


def docker(*args, check=True, input=None, timeout=300) -> subprocess.CompletedProcess:
    """Run `docker ARGS...` (text output captured); with check, a non-zero exit raises ContainerError."""
    proc = subprocess.run(["docker", *args], check=False, capture_output=True, text=True, input=input,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise ContainerError("docker %s failed: %s%s" % (" ".join(args), proc.stdout, proc.stderr))
    return proc


def start_systemd_container(name: str, image: str, extra_flags=(), *, hostname: str | None = None,
                            memory: str | None = DEFAULT_MEMORY, wait: bool = True, boot_timeout: float = 180) -> str:
    """Replace any container called ``name`` with a fresh one of ``image`` running /lib/systemd/systemd.

    hostname: default ``name``; memory: a --memory value, None for no limit; extra_flags: more
    `docker run` options (labels, published ports, volumes...). With wait (default), returns once
    systemd has booted (see wait_booted). Returns the name.
    """
    flags = list(RUN_FLAGS)
    if memory:
        flags.append("--memory=" + memory)
    docker("rm", "-f", "-v", name, check=False)
    docker("run", "--detach", "--name", name, "--hostname", hostname or name, *flags, *extra_flags,
           image, "/lib/systemd/systemd")
    if wait:
        wait_booted(name, timeout=boot_timeout)
    return name


def wait_booted(name: str, timeout: float = 180, interval: float = 0.5) -> str:
    """Wait until systemd in the container has finished booting; returns its state ("running" or
    "degraded", BOOTED_STATES). Right after `docker run` or `docker restart` systemd may not answer on
    its bus yet ("Failed to connect to bus"), so this asks again until ``timeout`` seconds have passed;
    then ContainerError."""
    deadline = time.monotonic() + timeout
    state = detail = ""
    while True:
        try:
            proc = docker("exec", name, "systemctl", "is-system-running", "--wait", check=False,
                          timeout=max(1.0, deadline - time.monotonic()))
            state, detail = proc.stdout.strip(), proc.stderr.strip()
        except subprocess.TimeoutExpired:
            state, detail = "", "still booting after %ss" % timeout
        if state in BOOTED_STATES:
            return state
        if time.monotonic() >= deadline:
            raise ContainerError("%s did not finish booting (systemd: %s)" % (name, state or detail or "?"))
        time.sleep(interval)


def committed_image(base: str, repository: str, script: str, timeout: float = 900) -> str:
    """``repository:<hash>``: ``base`` with the bash ``script`` run in a booted container of it, committed
    as a local image. The tag is a hash of the base image's ID and the script, so the image is built
    once per recipe and rebuilt when either changes. Returns the image reference."""
    base_id = docker("image", "inspect", "--format", "{{.Id}}", base).stdout.strip()
    image = "%s:%s" % (repository, hashlib.sha256((base_id + script).encode()).hexdigest()[:12])
    if docker("image", "inspect", image, check=False).returncode == 0:
        return image
    name = "gamestack-image-build-%s" % image.rsplit(":", 1)[1]
    print("image: building %s (about a minute or two)" % image, file=sys.stderr, flush=True)
    start_systemd_container(name, base)
    try:
        docker("exec", name, "bash", "-c", script, timeout=timeout)
        docker("commit", "--change", 'CMD ["/lib/systemd/systemd"]', name, image, timeout=timeout)
    finally:
        docker("rm", "-f", "-v", name, check=False)
    return image
