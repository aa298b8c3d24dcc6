"""playbooks/deploy.yml behind a target group: the load test that proves a zero-downtime rolling deploy.

Four app containers (the deploy test image) are the four instances of one target group `api-test` on a
moto server on 127.0.0.1; the inventory maps each container to its instance ID (`ec2_instance_id`, as
gamestack.aws.name_tags sets it). The containers never talk to moto: only the controller's tasks do.

The load client does what the ALB does for each request: it asks moto which targets are registered and
healthy (describe_target_health) right before the request, picks one of them in turn and GETs the page
from that target's container. The page is two PHP files that each print the build's label, so a response
shows one release or a mix of two. PHP checks the files' times on every request (opcache.revalidate_freq=0):
with the default 2 s, opcache keeps serving the old pair until the deploy's graceful reload, which hides
most of the window in which old and new files are mixed on disk. moto's ELBv2 reports a registered target healthy at once and removes a
deregistered one at once (the group's deregistration delay is set to 2 s all the same).

Every moto call is recorded with its time and target IDs (tests/harness/moto_recording.py) into a log of
this module; the log is appended to the run's call log at the end (test-iam checks the deploy job's calls
against docs/iam/deploy.json). Apache logs each request's start time in microseconds, so the order of
deregistration, first file change on the host, health check and registration is read from the calls and
from the hosts themselves.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import REPO, ansible_env, run
from tests.harness.containers import docker, start_systemd_container, wait_booted
from tests.harness.fault_proxy import Fault, FaultProxy
from tests.harness.moto import MotoServer, bin_path, boto3_client, run_instances

from .conftest import PREFIX, Host, Result, prepared_image, write_tree

SIZE = 4
GROUP = "api-test"
MARKER = "/var/lib/gamestack-deploy-deregistered.json"
# Each request's start (microseconds since the epoch), status, request line and user agent.
TIMED_LOG = ('LogFormat "%{usec}t %>s \\"%r\\" \\"%{User-Agent}i\\"" gamestack_timed\n'
             "CustomLog ${APACHE_LOG_DIR}/timed.log gamestack_timed\n")
RESULTS = []  # (name, sent, failed, mixed) of the measured runs, printed at the end of the module


def build(root: pathlib.Path, label: str, status: int = 200) -> pathlib.Path:
    """A build whose page is two PHP files, each printing `label`; `status` is what `/` answers."""
    files = {
        # The work between its two files (as a request that loads its classes on demand) takes 100 ms.
        "public/index.php": "<?php\nhttp_response_code(%d);\nheader('Content-Type: text/plain');\n"
                            "echo \"index=%s\\n\";\nusleep(100000);\nrequire __DIR__ . '/../lib/part.php';\n"
                            % (status, label),
        "lib/part.php": "<?php\necho \"part=%s\\n\";\n" % label,
    }
    for i in range(40):  # enough files that the live sync takes a moment
        files["lib/filler/f%02d.php" % i] = "<?php\n// %s\nfunction f%02d() { return %d; }\n" % (label, i, i)
    return write_tree(root / label, files)


def page_labels(body: str) -> dict:
    return dict(re.findall(r"^(index|part)=(\S+)$", body, re.M))


class Fleet:
    def __init__(self, moto, call_log, hosts, instances, addresses, tg, workdir):
        self.moto, self.call_log, self.hosts, self.tg, self.workdir = moto, call_log, hosts, tg, workdir
        self.instances = instances  # container name -> instance ID
        self.addresses = addresses  # instance ID -> container address
        self.elbv2 = boto3_client("elbv2", moto.endpoint)
        self.inventory = workdir / "inventory.json"
        self.inventory.write_text(json.dumps({"all": {"hosts": {host.name: {
            "ansible_connection": "community.docker.docker",
            "ansible_user": "root",
            "naming": {"app": "api", "env": "test", "release": None},
            "ec2_instance_id": instances[host.name],
        } for host in hosts}}}))

    def env(self, endpoint=None):
        return ansible_env(endpoint or self.moto.endpoint, ANSIBLE_FACT_CACHING="memory", ANSIBLE_PIPELINING="True")

    def command(self, variables: dict, extra_args=()):
        vars_file = self.workdir / ("vars-%d.json" % time.monotonic_ns())
        vars_file.write_text(json.dumps(variables))
        return ["ansible-playbook", "-i", str(self.inventory), "playbooks/deploy.yml", "-e", "@%s" % vars_file,
                *extra_args]

    def deploy(self, src, stamp, extra_args=(), endpoint=None, **variables):
        variables = dict(rsync_deploy_src=str(src), deploy_release_stamp=stamp, deploy_batch_size=2, **variables)
        return Result(run(self.command(variables, extra_args), self.env(endpoint), timeout=900))

    def states(self) -> dict:
        health = self.elbv2.describe_target_health(TargetGroupArn=self.tg)["TargetHealthDescriptions"]
        return {h["Target"]["Id"]: h["TargetHealth"]["State"] for h in health}

    def calls(self, since=0.0, action=None) -> list[dict]:
        calls = [json.loads(line) for line in self.call_log.read_text().splitlines() if line.strip()]
        return [c for c in calls if c["time"] >= since and (action is None or c["action"] == action)]

    def target_calls(self, action, instance, since) -> list[float]:
        return [c["time"] for c in self.calls(since, action) if instance in c.get("targets", [])]

    def page(self, host: Host) -> dict:
        return page_labels(host.sh("curl -sS http://127.0.0.1/").stdout)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, request):
    workdir = tmp_path_factory.mktemp("lb")
    call_log = workdir / "aws-calls.jsonl"
    image = prepared_image()
    names = ["%slb-%d" % (PREFIX, i) for i in range(1, SIZE + 1)]
    saved = os.environ.get("GAMESTACK_AWS_CALL_LOG")
    os.environ["GAMESTACK_AWS_CALL_LOG"] = str(call_log)
    try:
        moto = MotoServer().start()
    finally:
        if saved is None:
            os.environ.pop("GAMESTACK_AWS_CALL_LOG")
        else:
            os.environ["GAMESTACK_AWS_CALL_LOG"] = saved
    try:
        for name in names:
            start_systemd_container(name, image, wait=False)
        hosts = [Host(name) for name in names]
        for host in hosts:
            wait_booted(host.name, timeout=120)
            host.sh("cat > /etc/apache2/conf-enabled/zz-timed-log.conf <<'EOF'\n%sEOF\n"
                    "for d in /etc/php/*/apache2/conf.d; do echo 'opcache.revalidate_freq=0' > $d/99-revalidate.ini; done\n"
                    "systemctl start apache2" % TIMED_LOG)
        ec2, elbv2 = boto3_client("ec2", moto.endpoint), boto3_client("elbv2", moto.endpoint)
        ids = run_instances(ec2, GROUP, count=SIZE)
        vpc = [v for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")][0]["VpcId"]
        tg = elbv2.create_target_group(Name=GROUP, Protocol="HTTP", Port=80, VpcId=vpc,
                                       TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
        elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": i, "Port": 80} for i in ids])
        elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": "2"}])
        addresses = {}
        for name, instance in zip(names, ids):
            addresses[instance] = docker("inspect", "--format",
                                         "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name).stdout.strip()
        fleet = Fleet(moto, call_log, hosts, dict(zip(names, ids)), addresses, tg, workdir)
        first = fleet.deploy(build(workdir, "v0"), "20261207-0000")
        assert first.rc == 0, first.output
        yield fleet
    finally:
        docker("rm", "-f", "-v", *names, check=False)
        moto.stop()
        if saved and call_log.is_file():
            with open(saved, "a", encoding="utf-8") as log:
                log.write(call_log.read_text())
        # On the terminal even without -s (pytest's capture is off for these lines).
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        for name, sent, failed, mixed in RESULTS:
            line = "load test, %s: %d requests sent, %d failed, %d mixed" % (name, sent, failed, mixed)
            if reporter and capture:
                with capture.global_and_fixture_disabled():
                    reporter.write_line(line)
            else:
                print(line)


class Load:
    """Clients that route each request as the ALB would: only to targets moto reports registered and healthy."""

    def __init__(self, fleet, clients=4):
        self.fleet = fleet
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent = self.failed = self.mixed = 0
        self.problems = []
        self.labels = set()
        self.threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(clients)]

    def client(self, n):
        elbv2 = boto3_client("elbv2", self.fleet.moto.endpoint)
        turn = n
        while not self.stop.is_set():
            health = elbv2.describe_target_health(TargetGroupArn=self.fleet.tg)["TargetHealthDescriptions"]
            healthy = sorted(h["Target"]["Id"] for h in health if h["TargetHealth"]["State"] == "healthy")
            problem = labels = None
            if not healthy:
                problem = "no healthy target"
            else:
                turn += 1
                target = healthy[turn % len(healthy)]
                try:
                    with urllib.request.urlopen("http://%s/" % self.fleet.addresses[target], timeout=5) as answer:
                        labels = page_labels(answer.read().decode())
                except (urllib.error.URLError, OSError) as err:
                    problem = "%s: %s" % (target, err)
                if labels is not None and set(labels) != {"index", "part"}:
                    problem, labels = "%s: incomplete page %r" % (target, labels), None
            with self.lock:
                self.sent += 1
                if problem:
                    self.failed += 1
                    self.problems.append(problem)
                elif len(set(labels.values())) > 1:
                    self.mixed += 1
                    self.problems.append("%s: mixed %r" % (target, labels))
                else:
                    self.labels.update(labels.values())

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        time.sleep(1)
        return self

    def __exit__(self, *exc):
        time.sleep(1)
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def first_change(host: Host) -> float:
    """When the deploy changed the first file of the live tree (the oldest inode change of the build's files)."""
    out = host.sh("find /var/www/app/public/index.php /var/www/app/lib -type f -printf '%C@\\n'").stdout
    return min(float(x) for x in out.split())


def health_checks(host: Host, since: float) -> list[tuple[float, int]]:
    """(time, status) of the deploy's health checks (ansible.builtin.uri) after `since`."""
    checks = []
    for line in host.read("/var/log/apache2/timed.log").splitlines():
        parts = line.split(" ", 2)
        if "ansible-httpget" in line and int(parts[0]) / 1e6 >= since:
            checks.append((int(parts[0]) / 1e6, int(parts[1])))
    return checks


def test_rolling_deploy_behind_the_target_group_fails_and_mixes_nothing(fleet, tmp_path):
    src = build(tmp_path, "v1")
    start = time.time()
    with Load(fleet) as load:
        result = fleet.deploy(src, "20261207-0001")
    RESULTS.append(("deploy_target_groups auto (2 batches)", load.sent, load.failed, load.mixed))
    result.assert_ok()
    assert load.sent >= 50, "too few requests to prove anything: %d" % load.sent
    assert (load.failed, load.mixed) == (0, 0), load.problems[:20]
    assert {"v0", "v1"} <= load.labels
    assert set(fleet.states().values()) == {"healthy"} and len(fleet.states()) == SIZE
    for host in fleet.hosts:
        instance = fleet.instances[host.name]
        assert fleet.page(host) == {"index": "v1", "part": "v1"}
        assert host.read("/var/www/app/.release").strip() == "api-test-20261207-0001"
        assert host.sh("test -e %s" % MARKER, check=False).returncode != 0, "the marker is left on " + host.name
        (out,) = fleet.target_calls("DeregisterTargets", instance, start)
        (back,) = fleet.target_calls("RegisterTargets", instance, start)
        changed = first_change(host)
        passed = [t for t, status in health_checks(host, changed) if status == 200]
        assert out < changed, "%s: a file changed before it was deregistered" % host.name
        assert passed and changed < passed[0] < back, "%s: registered before its health check passed" % host.name
    # Two batches: the second batch leaves only once the first one is back.
    order = sorted((fleet.target_calls(a, fleet.instances[h.name], start)[0], a, h.name)
                   for h in fleet.hosts for a in ("DeregisterTargets", "RegisterTargets"))
    assert [a for _, a, _ in order] == ["DeregisterTargets"] * 2 + ["RegisterTargets"] * 2 + \
        ["DeregisterTargets"] * 2 + ["RegisterTargets"] * 2, order
    assert "registered in api-test:80" in result.output


def test_the_same_load_without_the_load_balancer_steps_is_measured(fleet, tmp_path):
    """deploy_target_groups: [] (the deploy before this feature): reported, not asserted, but the count."""
    src = build(tmp_path, "v2")
    start = time.time()
    with Load(fleet) as load:
        result = fleet.deploy(src, "20261207-0002", deploy_target_groups=[])
    RESULTS.append(("deploy_target_groups [] (2 batches)", load.sent, load.failed, load.mixed))
    result.assert_ok()
    assert load.sent >= 50
    assert [c for c in fleet.calls(start) if "gamestack.aws/deploy" in c["agent"]] == [], "[] called AWS"
    for host in fleet.hosts:
        assert fleet.page(host) == {"index": "v2", "part": "v2"}


def test_a_failed_health_check_rolls_back_and_stops_after_the_first_batch(fleet, tmp_path):
    good = build(tmp_path, "v3")
    assert fleet.deploy(good, "20261207-0003").rc == 0
    broken = build(tmp_path, "v4-broken", status=500)
    start = time.time()
    with Load(fleet) as load:
        result = fleet.deploy(broken, "20261207-0004", deploy_health_timeout=4)
    result.assert_failed("the health check of http://127.0.0.1/ failed", "rolled back to the previous release, which passes the check")
    assert (load.failed, load.mixed) == (0, 0), load.problems[:20]
    assert "v4-broken" not in load.labels
    first, second = fleet.hosts[:2], fleet.hosts[2:]
    states = fleet.states()
    for host in first:
        instance = fleet.instances[host.name]
        assert fleet.page(host) == {"index": "v3", "part": "v3"}, "%s does not serve the previous release" % host.name
        assert host.read("/var/www/app/.release").strip() == "api-test-20261207-0003"
        assert states[instance] == "healthy"
        assert len(fleet.target_calls("DeregisterTargets", instance, start)) == 1
        assert "%s: serves api-test-20261207-0003, registered in api-test:80; FAILED" % host.name in result.output
    for host in second:
        instance = fleet.instances[host.name]
        assert fleet.target_calls("DeregisterTargets", instance, start) == [], "%s was deregistered" % host.name
        assert states[instance] == "healthy"
        assert fleet.page(host) == {"index": "v3", "part": "v3"}
        assert "%s: not deployed by this run" % host.name in result.output


def test_check_mode_deregisters_nothing_and_says_what_it_would_do(fleet, tmp_path):
    start = time.time()
    result = fleet.deploy(build(tmp_path, "v5"), "20261207-0005", extra_args=["--check"])
    result.assert_ok()
    assert "would deregister %s from api-test and wait until it is drained" % fleet.instances[fleet.hosts[0].name] \
        in result.output
    assert [c["action"] for c in fleet.calls(start) if "gamestack.aws/deploy" in c["agent"]
            and not c["action"].startswith("Describe")] == []
    assert set(fleet.states().values()) == {"healthy"}
    for host in fleet.hosts:
        assert host.sh("test -e %s" % MARKER, check=False).returncode != 0


def test_a_run_lost_after_the_deregistration_is_finished_by_the_next_run(fleet, tmp_path):
    """The controller dies (SIGKILL) while its first batch is out: the next run deploys those hosts and puts
    them back in the groups that no longer list them."""
    src = build(tmp_path, "v6")
    start = time.time()
    log = tmp_path / "killed.log"
    cmd = fleet.command(dict(rsync_deploy_src=str(src), deploy_release_stamp="20261207-0006", deploy_batch_size=2))
    proc = subprocess.Popen([bin_path(cmd[0])] + cmd[1:], env=fleet.env(), cwd=REPO, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while len(fleet.calls(start, "DeregisterTargets")) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    left_out = {i for c in fleet.calls(start, "DeregisterTargets") for i in c["targets"]}
    assert len(left_out) == 2 and set(fleet.states()) == set(fleet.instances.values()) - left_out
    out_hosts = [h for h in fleet.hosts if fleet.instances[h.name] in left_out]
    for host in out_hosts:
        assert host.sh("test -s %s" % MARKER, check=False).returncode == 0

    again = fleet.deploy(src, "20261207-0006")
    again.assert_ok()
    assert "an earlier deploy deregistered" in again.output
    states = fleet.states()
    assert len(states) == SIZE and set(states.values()) == {"healthy"}
    for host in fleet.hosts:
        assert fleet.page(host) == {"index": "v6", "part": "v6"}
        assert host.sh("test -e %s" % MARKER, check=False).returncode != 0


def test_a_missing_permission_names_the_action_and_the_option(fleet, tmp_path):
    before = {h.name: fleet.page(h) for h in fleet.hosts}
    denied = Fault(status=403, code="AccessDenied", count=None, action="DescribeTargetGroups",
                   message="User is not authorized to perform: elasticloadbalancing:DescribeTargetGroups")
    with FaultProxy(fleet.moto.endpoint, [denied]) as proxy:
        result = fleet.deploy(build(tmp_path, "v7"), "20261207-0007", endpoint=proxy.endpoint)
    result.assert_failed("may not call elasticloadbalancing:DescribeTargetGroups",
                         "set deploy_target_groups: [] to deploy without the load balancer steps")
    assert {h.name: fleet.page(h) for h in fleet.hosts} == before
    assert set(fleet.states().values()) == {"healthy"} and len(fleet.states()) == SIZE


def test_auto_without_a_group_of_the_app_env_is_a_plain_rolling_deploy(fleet, tmp_path):
    """No target group of the host's app-env lists it: deployed without touching the load balancer."""
    host = fleet.hosts[0]
    instance = fleet.instances[host.name]
    start = time.time()
    result = fleet.deploy(build(tmp_path, "v8"), "20261207-0008", deploy_hosts=host.name, deploy_app_env="api-staging")
    result.assert_ok()
    assert "no target group of api-staging lists %s: a plain deploy" % instance in result.output
    assert "%s: serves api-test-20261207-0008, no target group" % host.name in result.output
    assert fleet.page(host) == {"index": "v8", "part": "v8"}
    assert [c["action"] for c in fleet.calls(start) if "gamestack.aws/deploy" in c["agent"]
            and not c["action"].startswith("Describe")] == []
    assert fleet.states()[instance] == "healthy"
