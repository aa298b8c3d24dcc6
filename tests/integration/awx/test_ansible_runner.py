"""The AWX path with AWX's own engine: ansible-runner, streamed transmit | worker | process.

AWX does not run ansible-playbook itself: the controller packs a private data directory (project,
inventory, env/envvars, env/extravars) with ansible-runner's transmit (its Python API, as AWX calls it), the
execution node runs it with `ansible-runner worker`, and the controller reads the job events back with
`ansible-runner process`. These tests run the three as separate processes joined by pipes, as AWX's receptor
mesh joins them, for the two jobs of docs/awx.md:

1. the inventory update: `ansible-inventory --list --export` on the project's gamestack.aws.name_tags source
   (what AWX imports into its database);
2. the job template: `playbooks/deploy.yml -l api-production` on that imported inventory, which AWX hands to
   the job as an executable inventory script in the private data directory.

The collection is installed from its built tarball into a separate directory, the "execution environment",
reached through ANSIBLE_COLLECTIONS_PATH in env/envvars (the project checkout has no .collections link). The
AWS API is a moto server on 127.0.0.1; each instance is a systemd container of the deploy test image
(Apache + PHP), named gamestack-awx-<instance id>, reached with the docker connection. The assertions are on
what AWX would show: the job status and events (hosts, changed, failed, unreachable) and the page served.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import uuid

import pytest
import yaml
from ansible.release import __version__ as ANSIBLE_CORE_VERSION

from tests.conftest import REPO, ansible_env, run
from tests.harness.containers import docker, start_systemd_container, wait_booted
from tests.harness.moto import FAKE_CREDENTIALS, MotoServer, bin_path, boto3_client, run_instances
from tests.integration.deploy.conftest import prepared_image

if ANSIBLE_CORE_VERSION.startswith("2.16."):
    pytest.skip("ansible-runner is pinned in the ansible-core 2.19 controller environment only "
                "(requirements/controller-2.19.txt)", allow_module_level=True)

PREFIX = "gamestack-awx-"
LABEL = "gamestack-awx-test=1"
FLEET = (("api-production", 2), ("api-staging", 1))
SOURCE = "inventory/awx.aws_ec2.yml"
# The inventory source of the AWX project: the demo's (examples/demo/demo.aws_ec2.yml), with this test's
# container names.
SOURCE_CONFIG = {
    "plugin": "gamestack.aws.name_tags",
    "regions": ["us-east-1"],
    "compose": {
        "ansible_connection": "'community.docker.docker'",
        "ansible_host": "'%s' ~ ec2_instance_id" % PREFIX,
        "ansible_python_interpreter": "'/usr/bin/python3'",
    },
}
JOB_TIMEOUT = 900
# The controller's side of `ansible-runner transmit`: AWX calls the Python API (the command line requires a
# playbook, which an inventory update does not have).
TRANSMIT = ("import json, sys, ansible_runner\n"
            "ansible_runner.run(streamer='transmit', _output=sys.stdout.buffer, quiet=True, **json.loads(sys.argv[1]))\n")


def node_env() -> dict:
    """The execution node's own environment: no ANSIBLE_* or AWS_* settings of the test run; everything the job
    needs comes from the private data directory, as in AWX."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "AWS_"))}
    env["PATH"] = os.path.dirname(bin_path("python")) + os.pathsep + env.get("PATH", "")
    return env


class Job:
    """One AWX job: a private data directory on the controller, streamed to a worker and processed back."""

    def __init__(self, root: pathlib.Path, name: str, envvars: dict, extravars: dict | None = None):
        self.ident = "%s-%s" % (name, uuid.uuid4().hex[:8])
        self.dir = root / name
        self.worker_dir = root / (name + "-worker")
        (self.dir / "env").mkdir(parents=True)
        (self.dir / "env" / "envvars").write_text(yaml.safe_dump(envvars))
        if extravars is not None:
            (self.dir / "env" / "extravars").write_text(yaml.safe_dump(extravars))
        self.output = ""

    @property
    def artifacts(self) -> pathlib.Path:
        return self.dir / "artifacts" / self.ident

    def run(self, **job: str) -> "Job":
        """transmit (ansible_runner's API, as AWX's controller calls it) | ansible-runner worker |
        ansible-runner process, each its own process, joined by pipes."""
        runner = bin_path("ansible-runner")
        env = node_env()
        job = dict(job, private_data_dir=str(self.dir), ident=self.ident)
        transmit = subprocess.Popen([sys.executable, "-c", TRANSMIT, json.dumps(job)], stdout=subprocess.PIPE, env=env)
        worker = subprocess.Popen([runner, "worker", "--private-data-dir", str(self.worker_dir), "--delete"],
                                  stdin=transmit.stdout, stdout=subprocess.PIPE, env=env)
        transmit.stdout.close()
        process = subprocess.Popen([runner, "process", str(self.dir), "--ident", self.ident], stdin=worker.stdout,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        worker.stdout.close()
        try:
            self.output = process.communicate(timeout=JOB_TIMEOUT)[0]
            for proc in (transmit, worker):
                proc.wait(timeout=60)  # the worker cleans up (--delete) after its last message
        finally:
            for proc in (transmit, worker, process):
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        assert transmit.returncode == 0 and process.returncode == 0, self.output
        # The worker exits with the job's own exit code, which process wrote to the artifacts.
        assert worker.returncode == self.rc, (worker.returncode, self.output)
        return self

    @property
    def status(self) -> str:
        return (self.artifacts / "status").read_text().strip()

    @property
    def rc(self) -> int:
        return int((self.artifacts / "rc").read_text())

    def events(self) -> list[dict]:
        events = [json.loads(path.read_text()) for path in (self.artifacts / "job_events").glob("*.json")]
        return sorted(events, key=lambda event: event["counter"])

    def stats(self) -> dict:
        (stats,) = [event["event_data"] for event in self.events() if event["event"] == "playbook_on_stats"]
        return stats

    def hosts_of(self, *names: str) -> set[str]:
        return {event["event_data"]["host"] for event in self.events()
                if event["event"] in names and event["event_data"].get("host")}


def served(container: str) -> str:
    proc = docker("exec", container, "curl", "-sS", "http://127.0.0.1/", check=False)
    return proc.stdout


def www_state(container: str) -> str:
    """Every path under /var/www with its type, size and modification time."""
    return docker("exec", container, "find", "/var/www", "-printf", "%y %s %T@ %p\\n").stdout


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """moto with 2 api-production + 1 api-staging instances, a deploy-host container per instance, and the
    collection built and installed into the execution environment directory."""
    image = prepared_image()
    root = tmp_path_factory.mktemp("awx")
    ee = root / "ee-collections"
    build = root / "build"
    env = ansible_env()
    run(["ansible-galaxy", "collection", "build", "--output-path", str(build)], env, check=True)
    [tarball] = build.glob("gamestack-aws-*.tar.gz")
    run(["ansible-galaxy", "collection", "install", "--no-deps", "-p", str(ee), str(tarball)],
        dict(env, ANSIBLE_COLLECTIONS_PATH=str(ee)), cwd=root, check=True)

    started = []
    with MotoServer() as moto:
        try:
            ec2 = boto3_client("ec2", moto.endpoint)
            instances = {}
            for name, count in FLEET:
                for instance_id in run_instances(ec2, name, count=count):
                    instances[instance_id] = name
            for instance_id, name in instances.items():
                container = PREFIX + instance_id
                started.append(container)
                start_systemd_container(container, image, ["--label", LABEL, "--label", "gamestack-awx-name=" + name],
                                        wait=False)
            for container in started:
                wait_booted(container, timeout=120)
                docker("exec", container, "systemctl", "start", "apache2")
            yield {"ee": ee, "moto": moto, "instances": instances}
        finally:
            if started:
                docker("rm", "-f", "-v", *started, check=False)


def project(root: pathlib.Path) -> pathlib.Path:
    """The AWX project: what a Git checkout of the repository holds (ansible.cfg, playbooks) and the inventory
    source; no .collections link, no venv."""
    path = root / "project"
    path.mkdir()
    shutil.copy(REPO / "ansible.cfg", path / "ansible.cfg")
    shutil.copytree(REPO / "playbooks", path / "playbooks")
    (path / "inventory").mkdir()
    (path / SOURCE).write_text(yaml.safe_dump(SOURCE_CONFIG))
    return path


def envvars(fleet) -> dict:
    """What AWX injects: the AWS credential's variables, and the execution environment's collections."""
    return dict(FAKE_CREDENTIALS, AWS_ENDPOINT_URL=fleet["moto"].endpoint, ANSIBLE_COLLECTIONS_PATH=str(fleet["ee"]),
                ANSIBLE_NOCOLOR="1")


def inventory_update(fleet, root: pathlib.Path) -> dict:
    """The inventory source's update job; returns the inventory AWX would import."""
    job = Job(root, "inventory-update", envvars(fleet))
    shutil.copytree(project(root), job.dir / "project")
    output = job.artifacts / "output.json"
    worker_output = job.worker_dir / "artifacts" / job.ident / "output.json"
    job.run(binary="ansible-inventory", cmdline="--list --export --playbook-dir . -i %s --output %s" % (SOURCE, worker_output))
    assert (job.status, job.rc) == ("successful", 0), job.output
    return json.loads(output.read_text())


def deploy_job(fleet, root: pathlib.Path, imported: dict, app: pathlib.Path) -> Job:
    """The job template: playbooks/deploy.yml, limit api-production, on the imported inventory."""
    job = Job(root, "deploy", envvars(fleet), {"rsync_deploy_src": str(app)})
    shutil.copytree(project(root), job.dir / "project")
    # AWX gives a job its inventory as an executable script that prints the imported JSON.
    script = job.dir / "inventory" / "hosts"
    script.parent.mkdir()
    script.write_text("#!/usr/bin/env python3\nimport sys\nsys.stdout.write(%r)\n" % json.dumps(imported))
    script.chmod(0o755)
    return job.run(playbook="playbooks/deploy.yml", limit="api-production")


def plain(value):
    """A value of `ansible-inventory --export`: ansible-core 2.19 writes data from AWS as
    {"__ansible_unsafe": value} (and reads it back as untrusted when the job's inventory script prints it)."""
    return value["__ansible_unsafe"] if isinstance(value, dict) and set(value) == {"__ansible_unsafe"} else value


def by_group(imported: dict, group: str) -> dict:
    """{inventory hostname: container} of the imported group."""
    hostvars = imported["_meta"]["hostvars"]
    return {host: PREFIX + plain(hostvars[host]["ec2_instance_id"]) for host in imported[group]["hosts"]}


def test_deploy_job_through_the_runner_mesh(fleet, tmp_path):
    imported = inventory_update(fleet, tmp_path / "update")
    production = by_group(imported, "api-production")
    staging = by_group(imported, "api-staging")
    assert len(production) == 2 and len(staging) == 1, imported
    assert {c[len(PREFIX):] for c in [*production.values(), *staging.values()]} == set(fleet["instances"])
    assert "api-production" in imported["production"]["children"]
    staging_before = {c: www_state(c) for c in staging.values()}

    app = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "app", app)
    job = deploy_job(fleet, tmp_path / "deploy", imported, app)

    assert (job.status, job.rc) == ("successful", 0), job.output
    stats = job.stats()
    assert set(stats["processed"]) == set(production), stats
    assert stats["failures"] == {} and stats["dark"] == {}, stats
    assert set(stats["changed"]) == set(production) and all(stats["changed"].values()), stats
    assert job.hosts_of("runner_on_ok") >= set(production)
    assert not job.hosts_of("runner_on_failed", "runner_on_unreachable"), job.output
    assert not job.hosts_of("runner_on_ok", "runner_on_failed", "runner_on_skipped") & set(staging)

    for host, container in production.items():
        page = served(container)
        assert "release=api-production-" in page, (host, page)
    for container, before in staging_before.items():
        assert www_state(container) == before, "api-staging was touched"


def test_a_host_down_fails_the_job_names_it_and_stops_the_rollout(fleet, tmp_path):
    """One api-production container stopped: the job fails, its events name that host, and no host changes
    (deploy.yml's default deploy_max_fail_percentage 0 stops the rollout at the first failed host)."""
    imported = inventory_update(fleet, tmp_path / "update")
    production = by_group(imported, "api-production")
    staging = by_group(imported, "api-staging")
    down, container = sorted(production.items())[0]
    staging_before = {c: www_state(c) for c in staging.values()}
    app = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "app", app)
    docker("stop", "--time", "5", container)
    try:
        job = deploy_job(fleet, tmp_path / "deploy", imported, app)
    finally:
        docker("start", container)
        wait_booted(container, timeout=120)
        docker("exec", container, "systemctl", "start", "apache2")

    assert (job.status, job.rc) == ("failed", 2), job.output
    stats = job.stats()
    # The docker connection reports a stopped container as a failed task (not unreachable).
    assert set(stats["failures"]) | set(stats["dark"]) == {down}, stats
    assert down in job.hosts_of("runner_on_failed", "runner_on_unreachable")
    assert stats["changed"] == {}, stats
    assert set(stats["processed"]) == set(production), stats
    for container, before in staging_before.items():
        assert www_state(container) == before, "api-staging was touched"
