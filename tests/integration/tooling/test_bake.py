"""playbooks/bake.yml (role gamestack.aws.bake) against moto over HTTP, through ansible-playbook."""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import REPO, ansible_env, run
from tests.harness.fault_proxy import Fault, FaultProxy
from tests.integration.tooling.helpers import PlayResult, register_images, serving_group, target_states

OLD = ["api-production-20250101-0000", "api-production-20250201-0000",
       "api-production-20250301-0000", "api-production-20250401-0000"]


def bake(endpoint, check=False, **extra_vars):
    cmd = ["ansible-playbook", "-i", "localhost,", str(REPO / "playbooks" / "bake.yml"),
           "-e", json.dumps(dict({"bake_app": "api", "bake_env": "production"}, **extra_vars))]
    if check:
        cmd.append("--check")
    env = ansible_env(endpoint, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    return PlayResult(run(cmd, env))


def lifecycle(aws, instance):
    (found,) = aws("autoscaling").describe_auto_scaling_instances(InstanceIds=[instance])["AutoScalingInstances"]
    return found["LifecycleState"]


def images(aws):
    return {i["Name"]: i for i in aws("ec2").describe_images(Owners=["self"])["Images"]}


def test_bake_rolls_out_and_prunes_what_is_not_in_use(aws):
    fleet = serving_group(aws)
    ec2 = aws("ec2")
    old = register_images(ec2, OLD)
    # An instance outside the group still runs the oldest image: it is in use and must be kept.
    ec2.run_instances(ImageId=old[OLD[0]], MinCount=1, MaxCount=1, InstanceType="t3.micro")
    snapshots = {n: i["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"] for n, i in images(aws).items()}

    plan = bake(aws.endpoint, check=True, bake_keep=2)
    assert plan.rc == 0, plan.output
    shown = plan.task("Print the plan")["msg"]
    assert shown["source"].startswith(fleet["instances"][0])
    assert shown["launch_template"] == "api-production version 2 (from version 1)"
    assert shown["auto_scaling_group"] == "api-production from version 1 to 2"
    assert shown["prune"] == [OLD[2], OLD[1]]
    assert set(images(aws)) == set(OLD), "check mode made or removed an image"

    out = bake(aws.endpoint, bake_keep=2, bake_release="20261206-1200")
    assert out.rc == 0, out.output
    made = out.task("Create the image and wait until it is available")
    image = images(aws)[made["name"]]
    assert made["name"].startswith("api-production-2")
    tags = {t["Key"]: t["Value"] for t in image["Tags"]}
    assert tags == {"Name": made["name"], "app": "api", "env": "production", "release": "20261206-1200",
                    "source_instance": fleet["instances"][0]}
    (snap,) = ec2.describe_snapshots(SnapshotIds=[image["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]])["Snapshots"]
    assert {t["Key"]: t["Value"] for t in snap["Tags"]} == tags

    versions = ec2.describe_launch_template_versions(LaunchTemplateName="api-production")["LaunchTemplateVersions"]
    newest = max(versions, key=lambda v: v["VersionNumber"])
    assert (newest["VersionNumber"], newest["LaunchTemplateData"]["ImageId"]) == (2, image["ImageId"])
    # The rest of the version is copied from the latest one by AWS (SourceVersion), which moto ignores.
    group = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["api-production"])["AutoScalingGroups"][0]
    assert group["LaunchTemplate"]["Version"] == "2"
    assert (group["MinSize"], group["MaxSize"], group["DesiredCapacity"]) == (2, 2, 2)

    # Back in service: InService in the group, healthy in the target group.
    assert lifecycle(aws, fleet["instances"][0]) == "InService"
    assert target_states(aws, fleet["tg"]) == {i: "healthy" for i in fleet["instances"]}

    left = images(aws)
    assert set(left) == {made["name"], OLD[3], OLD[0]}
    gone = {snapshots[OLD[1]], snapshots[OLD[2]]}
    assert not gone & {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}


def test_a_failure_while_the_image_is_pending_returns_the_source_to_service(aws):
    fleet = serving_group(aws)
    source = fleet["instances"][0]
    # Once the image is requested, every DescribeImages (the wait for 'available') is refused.
    refused = Fault(status=400, code="UnauthorizedOperation", message="injected while pending",
                    action="DescribeImages", after="CreateImage", count=None)
    with FaultProxy(aws.endpoint, [refused]) as proxy:
        out = bake(proxy.endpoint)
        assert proxy.count(action="CreateImage") == 1
    assert out.rc != 0
    # amazon.aws 10 reports the injected error; amazon.aws 7 (ansible-core 2.16) fails with MODULE FAILURE.
    assert out.task("Create the image and wait until it is available")["failed"] is True
    assert out.task("Put the source instance back in service")["changed"] is True
    assert lifecycle(aws, source) == "InService"
    assert target_states(aws, fleet["tg"]) == {i: "healthy" for i in fleet["instances"]}
    group = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["api-production"])["AutoScalingGroups"][0]
    assert group["LaunchTemplate"]["Version"] == "1" and group["DesiredCapacity"] == 2


REFRESH_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
NS = 'xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"'
STARTED = ("<StartInstanceRefreshResponse %s><StartInstanceRefreshResult><InstanceRefreshId>%s</InstanceRefreshId>"
           "</StartInstanceRefreshResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>"
           "</StartInstanceRefreshResponse>" % (NS, REFRESH_ID)).encode()
DESCRIBED = ("<DescribeInstanceRefreshesResponse %s><DescribeInstanceRefreshesResult><InstanceRefreshes><member>"
             "<InstanceRefreshId>%s</InstanceRefreshId><AutoScalingGroupName>api-production</AutoScalingGroupName>"
             "<Status>Pending</Status><Preferences><MinHealthyPercentage>75</MinHealthyPercentage></Preferences>"
             "</member></InstanceRefreshes></DescribeInstanceRefreshesResult><ResponseMetadata><RequestId>r2"
             "</RequestId></ResponseMetadata></DescribeInstanceRefreshesResponse>" % (NS, REFRESH_ID)).encode()


def test_refresh_is_started_after_the_rollout(aws):
    # moto answers StartInstanceRefresh / DescribeInstanceRefreshes with HTTP 500: the proxy answers them.
    serving_group(aws)
    canned = [Fault.answer("StartInstanceRefresh", STARTED), Fault.answer("DescribeInstanceRefreshes", DESCRIBED)]
    with FaultProxy(aws.endpoint, canned) as proxy:
        out = bake(proxy.endpoint, bake_refresh=True, bake_refresh_min_healthy=75, bake_prune=False)
        assert proxy.count(action="StartInstanceRefresh") == 1
        assert proxy.count(action="UpdateAutoScalingGroup") == 1
    assert out.rc == 0, out.output
    refresh = out.task("Start an instance refresh of the Auto Scaling group")
    assert refresh["instance_refreshes"]["instance_refresh_id"] == REFRESH_ID
    assert refresh["invocation"]["module_args"]["preferences"]["min_healthy_percentage"] == 75


@pytest.mark.parametrize("bad, message", [
    ({"bake_source_instance": "i-1234abcd; reboot"}, "bad bake settings"),
    ({"bake_keep": 0}, "bad bake settings"),
    ({"bake_app": "API"}, "must be lower-case letters and digits only"),
])
def test_bad_settings_are_refused_before_any_change(aws, bad, message):
    fleet = serving_group(aws)
    out = bake(aws.endpoint, **bad)
    assert out.rc != 0
    assert message in out.failure()
    assert lifecycle(aws, fleet["instances"][0]) == "InService"
    assert images(aws) == {}
