"""gamestack.aws.ec2_enhanced_networking run for real (ansible subprocesses) against moto over HTTP.

A small recording proxy sits between the module and moto, so that the tests can see which EC2
calls were made and in which order (stop before modify before start; nothing at all in check mode
or when a request is refused), not only the end state.
"""

from __future__ import annotations

import http.server
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import ansible_env, run
from tests.harness.moto import run_instances

MODULE = "gamestack.aws.ec2_enhanced_networking"
# Only the host_list inventory plugin: these tests use `-i localhost,` and must not depend on others.
MUTATING = {"StopInstances", "StartInstances", "ModifyInstanceAttribute"}


class RecordingProxy:
    """Forwards every request to moto and records the EC2 ``Action`` of each."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.actions = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]
                instance_ids = [v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()
                                if k.startswith("InstanceId")]
                proxy.actions.append((action, instance_ids))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                req = urllib.request.Request(proxy.upstream + self.path, data=body, headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(req, timeout=60) as resp:
                        status, data, ctype = resp.status, resp.read(), resp.headers.get("Content-Type")
                except urllib.error.HTTPError as err:
                    status, data, ctype = err.code, err.read(), err.headers.get("Content-Type")
                self.send_response(status)
                self.send_header("Content-Type", ctype or "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def mutations(self):
        return [a for a in self.actions if a[0] in MUTATING]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(moto):
    p = RecordingProxy(moto.endpoint)
    yield p
    p.close()


def run_module(endpoint, args, check=False, diff=False, env_extra=None, env_drop=()):
    """Run the module once with `ansible` ad hoc on localhost; return (rc, result dict)."""
    cmd = ["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", MODULE, "-a", json.dumps(args),
           "-e", "ansible_python_interpreter=%s" % sys.executable]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    env = ansible_env(endpoint, ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="json",
                      ANSIBLE_INVENTORY_ENABLED="host_list", **(env_extra or {}))
    for name in env_drop:
        env.pop(name, None)
    proc = run(cmd, env)
    try:
        # ansible.cfg's profile_tasks prints a timestamp before and a recap after the json document.
        start = proc.stdout.index("\n{\n") + 1
        output = json.JSONDecoder().raw_decode(proc.stdout[start:])[0]
        result = output["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        raise AssertionError("unexpected output (rc %s)\nstdout:\n%s\nstderr:\n%s" % (proc.returncode, proc.stdout,
                                                                                      proc.stderr))
    return proc.returncode, result


def instance(ec2, iid):
    return ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]


def ena_of(ec2, iid):
    return bool(instance(ec2, iid).get("EnaSupport", False))


def state(ec2, iid):
    return instance(ec2, iid)["State"]["Name"]


def stopped_instance(ec2, instance_type="c5.large", **kwargs):
    iid = run_instances(ec2, instance_type=instance_type, **kwargs)[0]
    ec2.stop_instances(InstanceIds=[iid])
    assert state(ec2, iid) == "stopped"
    return iid


def test_enables_ena_on_a_stopped_instance(ec2, proxy):
    iid = stopped_instance(ec2)
    assert ena_of(ec2, iid) is False
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True})
    assert rc == 0, result
    assert result["changed"] is True
    (entry,) = result["instances"]
    assert entry["instance_id"] == iid and entry["instance_type"] == "c5.large" and entry["driver"] == "ena"
    assert entry["before"] == {"ena_support": False, "sriov_net_support": "simple", "state": "stopped"}
    assert entry["after"]["ena_support"] is True and entry["after"]["state"] == "stopped"
    assert entry["actions"] == ["enaSupport=true"]
    assert ena_of(ec2, iid) is True
    assert state(ec2, iid) == "stopped"
    assert proxy.mutations() == [("ModifyInstanceAttribute", [iid])]


def test_running_instance_is_refused_without_stop_if_needed(ec2, proxy):
    iid = run_instances(ec2, instance_type="m5.large")[0]
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True})
    assert rc != 0
    assert result.get("failed") is True
    assert iid in result["msg"] and "m5.large" in result["msg"]
    assert "running" in result["msg"] and "stop_if_needed" in result["msg"]
    assert "nothing changed" in result["msg"]
    assert ena_of(ec2, iid) is False
    assert state(ec2, iid) == "running"
    assert proxy.mutations() == []


def test_running_instance_is_stopped_set_and_started_with_stop_if_needed(ec2, proxy):
    iid = run_instances(ec2, instance_type="r5.large")[0]
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True, "stop_if_needed": True,
                                             "wait_timeout": 60})
    assert rc == 0, result
    assert result["changed"] is True
    (entry,) = result["instances"]
    assert entry["actions"] == ["stop", "enaSupport=true", "start"]
    assert entry["before"]["state"] == "running" and entry["before"]["ena_support"] is False
    assert entry["after"] == {"ena_support": True, "sriov_net_support": "simple", "state": "running"}
    assert ena_of(ec2, iid) is True
    assert state(ec2, iid) == "running"
    assert proxy.mutations() == [
        ("StopInstances", [iid]),
        ("ModifyInstanceAttribute", [iid]),
        ("StartInstances", [iid]),
    ]


def test_already_set_is_not_changed(ec2, proxy):
    iid = run_instances(ec2, instance_type="c6i.large")[0]
    ec2.stop_instances(InstanceIds=[iid])
    ec2.modify_instance_attribute(InstanceId=iid, Attribute="enaSupport", Value="true")
    ec2.start_instances(InstanceIds=[iid])
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True})
    assert rc == 0, result
    assert result["changed"] is False
    (entry,) = result["instances"]
    assert entry["changed"] is False and entry["actions"] == []
    assert entry["before"] == entry["after"] == {"ena_support": True, "sriov_net_support": "simple",
                                                 "state": "running"}
    assert proxy.mutations() == []
    assert state(ec2, iid) == "running"


def test_unknown_instance_id_is_named_and_nothing_changes(ec2, proxy):
    good = stopped_instance(ec2)
    unknown = "i-0123456789abcdef0"
    rc, result = run_module(proxy.endpoint, {"instance_ids": [good, unknown], "ena": True})
    assert rc != 0
    assert unknown in result["msg"] and "not found" in result["msg"]
    assert good not in result["msg"]
    assert result["missing_instance_ids"] == [unknown]
    assert ena_of(ec2, good) is False
    assert proxy.mutations() == []


def test_malformed_instance_id_is_named(ec2, proxy):
    rc, result = run_module(proxy.endpoint, {"instance_ids": ["web-1"], "ena": True})
    assert rc != 0
    assert "'web-1'" in result["msg"] and "malformed" in result["msg"]
    assert proxy.actions == []


def test_unsupported_instance_type_is_refused_and_nothing_changes(ec2, proxy):
    good = stopped_instance(ec2, "c5.large")
    old = stopped_instance(ec2, "t2.micro")
    intel = stopped_instance(ec2, "c4.large")
    rc, result = run_module(proxy.endpoint, {"instance_ids": [good, old, intel], "ena": True})
    assert rc != 0
    assert "%s: t2.micro does not support ENA" % old in result["msg"]
    assert "%s: c4.large does not support ENA" % intel in result["msg"]
    assert "ixgbevf" in result["msg"]
    assert len(result["problems"]) == 2
    assert good not in result["msg"]
    assert ena_of(ec2, good) is False
    assert proxy.mutations() == []


def test_sriov_refused_on_ena_type_and_ena_off_refused_on_nitro(ec2, proxy):
    nitro = stopped_instance(ec2, "c5.large")
    rc, result = run_module(proxy.endpoint, {"instance_ids": [nitro], "sriov_net_support": "simple"})
    assert rc != 0
    assert nitro in result["msg"] and "c5.large does not support the Intel 82599 VF" in result["msg"]
    rc, result = run_module(proxy.endpoint, {"instance_ids": [nitro], "ena": False})
    assert rc != 0
    assert nitro in result["msg"] and "Nitro" in result["msg"]
    assert proxy.mutations() == []


def test_sriov_on_intel_type_and_ena_off_on_xen_type(ec2, proxy):
    # moto marks every instance sriovNetSupport=simple from the start: already set, so no change.
    intel = stopped_instance(ec2, "c4.large")
    rc, result = run_module(proxy.endpoint, {"instance_ids": [intel], "sriov_net_support": "simple"})
    assert rc == 0, result
    assert result["changed"] is False
    assert result["instances"][0]["driver"] == "ixgbevf"
    # r4 is Xen with optional ENA: switching it off is allowed there.
    xen = stopped_instance(ec2, "r4.large")
    ec2.modify_instance_attribute(InstanceId=xen, Attribute="enaSupport", Value="true")
    rc, result = run_module(proxy.endpoint, {"instance_ids": [xen], "ena": False})
    assert rc == 0, result
    assert result["changed"] is True
    assert ena_of(ec2, xen) is False
    assert proxy.mutations() == [("ModifyInstanceAttribute", [xen])]


def test_invalid_sriov_value_is_refused(ec2, proxy):
    iid = stopped_instance(ec2, "c4.large")
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "sriov_net_support": "none"})
    assert rc != 0
    assert "sriov_net_support" in result["msg"] and "simple" in result["msg"]
    assert proxy.actions == []


def test_terminated_instance_is_refused(ec2, proxy):
    iid = run_instances(ec2, instance_type="c5.large")[0]
    ec2.terminate_instances(InstanceIds=[iid])
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True})
    assert rc != 0
    assert iid in result["msg"] and "terminated" in result["msg"]
    assert proxy.mutations() == []


def test_check_mode_reports_the_plan_and_changes_nothing(ec2, proxy):
    iid = run_instances(ec2, instance_type="m6i.large")[0]
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True, "stop_if_needed": True},
                            check=True, diff=True)
    assert rc == 0, result
    assert result["changed"] is True
    (entry,) = result["instances"]
    assert entry["actions"] == ["stop", "enaSupport=true", "start"]
    assert entry["after"]["ena_support"] is True
    assert result["diff"]["before"][iid]["ena_support"] is False
    assert result["diff"]["after"][iid]["ena_support"] is True
    assert proxy.mutations() == []
    assert ena_of(ec2, iid) is False
    assert state(ec2, iid) == "running"


def test_check_mode_still_refuses_a_running_instance_without_stop_if_needed(ec2, proxy):
    iid = run_instances(ec2, instance_type="m6i.large")[0]
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True}, check=True)
    assert rc != 0
    assert iid in result["msg"]


def test_filters_select_only_matching_instances(ec2, proxy):
    wanted = run_instances(ec2, name="realtime-production", count=2, instance_type="c5n.large")
    ec2.stop_instances(InstanceIds=wanted)
    other = stopped_instance(ec2, "c5n.large", name="api-production")
    rc, result = run_module(proxy.endpoint, {"filters": {"tag:Name": "realtime-production",
                                                         "instance-state-name": ["stopped"]}, "ena": True})
    assert rc == 0, result
    assert sorted(e["instance_id"] for e in result["instances"]) == sorted(wanted)
    assert all(ena_of(ec2, i) for i in wanted)
    assert ena_of(ec2, other) is False
    assert sorted(a[1][0] for a in proxy.mutations()) == sorted(wanted)


def test_filters_matching_nothing_warn_and_change_nothing(ec2, proxy):
    run_instances(ec2, name="api-production", instance_type="c5.large")
    rc, result = run_module(proxy.endpoint, {"filters": {"tag:Name": "nobody-here"}, "ena": True})
    assert rc == 0, result
    assert result["changed"] is False and result["instances"] == []
    assert any("no instance matched" in w for w in result.get("warnings", []))


def test_instance_ids_and_filters_are_mutually_exclusive(ec2, proxy):
    rc, result = run_module(proxy.endpoint, {"instance_ids": ["i-0123456789abcdef0"], "filters": {"a": "b"},
                                             "ena": True})
    assert rc != 0
    assert "mutually exclusive" in result["msg"]
    rc, result = run_module(proxy.endpoint, {"instance_ids": ["i-0123456789abcdef0"]})
    assert rc != 0
    assert "ena" in result["msg"] and "sriov_net_support" in result["msg"]


def test_action_group_module_defaults_reach_the_module(ec2, proxy, tmp_path):
    """meta/runtime.yml lists the module in group/gamestack.aws.aws, so module_defaults apply."""
    iid = stopped_instance(ec2)
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "  module_defaults:\n"
        "    group/gamestack.aws.aws:\n"
        "      endpoint_url: %s\n"
        "  tasks:\n"
        "    - gamestack.aws.ec2_enhanced_networking:\n"
        "        instance_ids: [%s]\n"
        "        ena: true\n" % (proxy.endpoint, iid)
    )
    # No AWS_ENDPOINT_URL in the environment: only module_defaults can point the module at moto.
    env = ansible_env(None, ANSIBLE_INVENTORY_ENABLED="host_list")
    proc = run(["ansible-playbook", "-i", "localhost,", "-c", "local", "-e",
                "ansible_python_interpreter=%s" % sys.executable, str(playbook)], env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "changed=1" in proc.stdout
    assert ena_of(ec2, iid) is True


def test_empty_filters_are_refused_instead_of_selecting_every_instance(ec2, proxy):
    iid = run_instances(ec2, name="api-production", instance_type="c5.large")[0]
    for filters, reason in (({}, "every instance of the region"), ({"tag:Name": []}, "filter 'tag:Name' has no values")):
        rc, result = run_module(proxy.endpoint, {"filters": filters, "ena": True, "stop_if_needed": True})
        assert rc != 0, result
        assert reason in result["msg"] and "nothing changed" in result["msg"], result["msg"]
    assert proxy.mutations() == []
    assert state(ec2, iid) == "running"


@pytest.fixture
def autoscaling_member(ec2, moto):
    """The one running c5.large instance of the Auto Scaling group api-production."""
    from tests.harness.moto import boto3_client, default_ami

    asg = boto3_client("autoscaling", moto.endpoint)
    ec2.create_launch_template(LaunchTemplateName="api-production",
                               LaunchTemplateData={"ImageId": default_ami(ec2), "InstanceType": "c5.large"})
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    asg.create_auto_scaling_group(AutoScalingGroupName="api-production", MinSize=1, MaxSize=1, DesiredCapacity=1,
                                  LaunchTemplate={"LaunchTemplateName": "api-production", "Version": "$Latest"},
                                  VPCZoneIdentifier=subnet)
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["api-production"])["AutoScalingGroups"][0]
    return asg, group["Instances"][0]["InstanceId"]


def test_autoscaling_member_is_refused_by_default(ec2, proxy, autoscaling_member):
    _asg, iid = autoscaling_member
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True, "stop_if_needed": True})
    assert rc != 0, result
    assert iid in result["msg"] and "api-production" in result["msg"], result["msg"]
    assert "allow_autoscaling_members" in result["msg"]
    assert proxy.mutations() == []
    assert state(ec2, iid) == "running"


def test_autoscaling_member_with_allow_suspends_health_check_replacement(ec2, proxy, autoscaling_member):
    asg, iid = autoscaling_member
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True, "stop_if_needed": True,
                                             "allow_autoscaling_members": True, "wait_timeout": 60})
    assert rc == 0, result
    assert ena_of(ec2, iid) is True and state(ec2, iid) == "running"
    actions = [a for a, _ids in proxy.actions]
    order = [actions.index(a) for a in ("SuspendProcesses", "StopInstances", "StartInstances", "ResumeProcesses")]
    assert order == sorted(order), actions
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["api-production"])["AutoScalingGroups"][0]
    assert group["SuspendedProcesses"] == []


def test_region_comes_from_aws_region(ec2, proxy, moto):
    """The docs say AWS_REGION works; without AWS_DEFAULT_REGION it is the only region given."""
    from tests.harness.moto import boto3_client

    eu = boto3_client("ec2", moto.endpoint, region="eu-west-1")
    iid = stopped_instance(eu)
    rc, result = run_module(proxy.endpoint, {"instance_ids": [iid], "ena": True},
                            env_extra={"AWS_REGION": "eu-west-1"}, env_drop=("AWS_DEFAULT_REGION",))
    assert rc == 0, result
    assert ena_of(eu, iid) is True
