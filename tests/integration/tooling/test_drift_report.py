"""playbooks/drift_report.yml through the real inventory plugin gamestack.aws.name_tags against moto over HTTP.

Each app-env of the seed shows one case: all agree, the image behind S3 current, an instance behind, no
current object, and a current object holding a template and a newline (shown escaped, never run).
"""

from __future__ import annotations

import json
import pathlib
import socket
import sys

import yaml

from tests.conftest import REPO, ansible_env, run
from tests.harness.moto import run_instances
from tests.integration.tooling.helpers import PlayResult, register_images

PLAYBOOK = REPO / "playbooks" / "drift_report.yml"
BUCKET = "gamestack-releases"
MARKER = pathlib.Path("/tmp/gamestack-drift-injected")
HOSTILE = "{{ lookup('pipe', 'touch %s') }}\nevil-production-20250301-0930\n" % MARKER

# app-env: (S3 current or None, release tag of the template's image, [Name tags of running instances])
FLEET = {
    "api-production": ("api-production-20250301-0930\n", "20250301-0930",
                       ["api-production-20250301-0930", "api-production-20250301-0930"]),
    "web-production": ("web-production-20250401-1000\n", "20250301-0930", ["web-production-20250401-1000"]),
    "game-production": ("game-production-20250301-0930\n", "20250301-0930",
                        ["game-production-20250301-0930", "game-production-20250201-0000"]),
    "chat-production": (None, "20250301-0930", ["chat-production-20250301-0930"]),
    "evil-production": (HOSTILE, "20250301-0930", ["evil-production-20250301-0930"]),
}


def seed(aws):
    ec2, s3, autoscaling = aws("ec2"), aws("s3"), aws("autoscaling")
    s3.create_bucket(Bucket=BUCKET)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    for app_env, (current, image_release, names) in FLEET.items():
        if current is not None:
            s3.put_object(Bucket=BUCKET, Key=app_env + "/current", Body=current.encode())
        image_name = "%s-20250301-1200" % app_env
        image = register_images(ec2, [image_name])[image_name]
        ec2.create_tags(Resources=[image], Tags=[{"Key": "release", "Value": image_release}])
        ec2.create_launch_template(LaunchTemplateName=app_env,
                                   LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"})
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=app_env, LaunchTemplate={"LaunchTemplateName": app_env, "Version": "$Latest"},
            MinSize=0, MaxSize=2, DesiredCapacity=0, VPCZoneIdentifier=subnet)
        for name in names:
            run_instances(ec2, name, image_id=image)


def drift_report(tmp_path, endpoint, **extra_vars):
    inventory = tmp_path / "fleet.aws_ec2.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "gamestack.aws.name_tags", "regions": ["us-east-1"],
                                         "endpoint_url": endpoint}))
    env = ansible_env(endpoint, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    cmd = ["ansible-playbook", "-i", str(inventory), str(PLAYBOOK),
           "-e", json.dumps(dict({"drift_report_bucket": BUCKET}, **extra_vars))]
    return PlayResult(run(cmd, env))


def rows(result):
    return {row["app_env"]: row for row in result.task("Compare the releases")["ansible_facts"]["drift_report_rows"]}


def test_drift_report_flags_each_disagreement(aws, tmp_path):
    MARKER.unlink(missing_ok=True)
    seed(aws)
    out = drift_report(tmp_path, aws.endpoint)
    assert out.rc == 0, out.output
    found = rows(out)
    assert sorted(found) == sorted(FLEET)

    assert found["api-production"] == {
        "app_env": "api-production", "current": "20250301-0930", "image": "20250301-0930",
        "instances": "20250301-0930 x2", "drift": "no", "reason": None}
    assert found["web-production"]["drift"] == "yes"
    assert found["web-production"]["reason"] == "image has 20250301-0930"
    assert found["game-production"]["drift"] == "yes"
    assert found["game-production"]["reason"] == "1 instance(s) run 20250201-0000"
    assert found["chat-production"]["current"] == "none"
    assert found["chat-production"]["drift"] == "yes"
    assert found["chat-production"]["reason"] == "no S3 current"
    assert found["evil-production"]["current"] == HOSTILE
    assert found["evil-production"]["reason"] == "S3 current is not a release of evil-production"

    printed = out.task("Print the drift table")["msg"]
    assert printed[0].split() == ["APP_ENV", "CURRENT", "IMAGE", "INSTANCES", "DRIFT", "REASON"]
    assert len(printed) == 1 + len(FLEET), "a value broke a row over two lines:\n" + "\n".join(printed)
    (evil,) = [line for line in printed if line.startswith("evil-production")]
    assert "{{ lookup('pipe', 'touch %s') }}\\nevil-production-20250301-0930\\n" % MARKER in evil
    assert not MARKER.exists(), "a value from S3 was templated"


def test_drift_report_can_fail_a_job_on_drift(aws, tmp_path):
    seed(aws)
    agree = drift_report(tmp_path, aws.endpoint, drift_report_app_envs=["api-production"],
                         drift_report_fail_on_drift=True)
    assert agree.rc == 0, agree.output
    drifted = drift_report(tmp_path, aws.endpoint, drift_report_app_envs=["api-production", "web-production"],
                           drift_report_fail_on_drift=True)
    assert drifted.rc != 0
    assert drifted.failure() == "drift in web-production"


def test_drift_report_refuses_a_missing_bucket(aws, tmp_path):
    seed(aws)
    out = drift_report(tmp_path, aws.endpoint, drift_report_bucket="no-such-bucket")
    # A wrong bucket is an error, not a report that says "none" for every app-env.
    # (amazon.aws 7, with ansible-core 2.16, reports it as a module failure with the reason in its stderr.)
    assert out.rc != 0
    assert "Bucket 'no-such-bucket' not found" in out.output
    assert "drift_report_rows" not in out.output, "a report was made"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_drift_report_reads_the_release_markers_of_the_reachable_hosts(aws, tmp_path):
    """One host of api-production and one of game-production are `local` hosts with a marker in a temp dir;
    the other instances point at a closed port on 127.0.0.1, so they are unreachable."""
    MARKER.unlink(missing_ok=True)
    seed(aws)
    ids = {}
    for reservation in aws("ec2").describe_instances()["Reservations"]:
        for instance in reservation["Instances"]:
            name = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}["Name"]
            ids.setdefault(name, []).append(instance["InstanceId"])
    deployed = sorted(ids["api-production-20250301-0930"])[0]  # deployed 20250401-1000 since its Name was set
    hostile = ids["game-production-20250201-0000"][0]
    markers = {deployed: "api-production-20250401-1000\n",
               hostile: "{{ lookup('pipe', 'touch %s') }}\ngame-production-20250301-0930\n" % MARKER}
    for instance_id, content in markers.items():
        (tmp_path / instance_id).mkdir()
        (tmp_path / instance_id / ".release").write_text(content)
    inventory = tmp_path / "fleet.aws_ec2.yml"
    inventory.write_text(yaml.safe_dump({
        "plugin": "gamestack.aws.name_tags", "regions": ["us-east-1"], "endpoint_url": aws.endpoint,
        "compose": {
            "ansible_connection": "'local' if ec2_instance_id in %s else 'ssh'" % sorted(markers),
            "ansible_host": "'127.0.0.1'", "ansible_port": str(free_port()),
            "drift_marker_path": "'%s/' ~ ec2_instance_id ~ '/.release'" % tmp_path}}))
    env = ansible_env(aws.endpoint, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
                      ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    out = PlayResult(run(["ansible-playbook", "-i", str(inventory), str(PLAYBOOK), "-e", json.dumps({
        "drift_report_bucket": BUCKET, "drift_read_markers": True,
        "drift_report_app_envs": ["api-production", "game-production"]})], env))
    assert out.rc == 0, out.output
    found = rows(out)
    assert sorted(found) == ["api-production", "game-production"]

    api = found["api-production"]
    assert api["instances"] == "20250301-0930 x1 (unreachable), 20250401-1000 x1 (marker)"
    assert (api["drift"], api["reason"]) == ("yes", "1 instance(s) run 20250401-1000")
    game = found["game-production"]
    assert game["instances"] == "20250301-0930 x1 (unreachable), unknown x1 (marker)"
    assert game["drift"] == "yes"
    assert game["reason"] == "release marker %r is not a release of game-production" % (
        "{{ lookup('pipe', 'touch %s') }}" % MARKER)
    printed = out.task("Print the drift table")["msg"]
    assert len(printed) == 3, "\n".join(printed)
    assert not MARKER.exists(), "a marker's content was templated"
