"""autoscaling_singleton against moto over HTTP, through ansible-playbook."""

from __future__ import annotations

import json

import pytest

from tests.harness.moto import default_ami
from tests.integration.tooling.helpers import playbook


@pytest.fixture
def network(aws):
    """A launch template named match-production and two subnets of the default VPC."""
    ec2 = aws("ec2")
    ec2.create_launch_template(
        LaunchTemplateName="match-production",
        LaunchTemplateData={"ImageId": default_ami(ec2), "InstanceType": "t3.micro"},
    )
    vpc = [v for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")][0]["VpcId"]
    subnets = sorted(s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] == vpc)[:2]
    return {"vpc": vpc, "subnets": subnets}


def singleton_task(name="singleton", **options):
    return "- name: %s\n  gamestack.aws.autoscaling_singleton: %s\n  register: out\n" % (name, json.dumps(options))


def group(aws, name="match-production"):
    groups = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    return groups[0] if groups else None


def test_create_then_rerun_is_unchanged(aws, network, tmp_path):
    task = singleton_task(app="match", env="production", subnets=network["subnets"], grace_period=180)
    first = playbook(tmp_path, aws.endpoint, task)
    assert first.rc == 0, first.output
    assert first.task("singleton")["changed"] is True
    made = group(aws)
    assert (made["MinSize"], made["MaxSize"], made["DesiredCapacity"]) == (1, 1, 1)
    assert made["LaunchTemplate"]["LaunchTemplateName"] == "match-production"
    assert made["LaunchTemplate"]["Version"] == "$Latest"
    assert made["HealthCheckType"] == "EC2" and made["HealthCheckGracePeriod"] == 180
    assert set(made["VPCZoneIdentifier"].split(",")) == set(network["subnets"])
    assert {(t["Key"], t["Value"], t["PropagateAtLaunch"]) for t in made["Tags"]} == {
        ("Name", "match-production", True), ("gamestack:managed-by", "autoscaling_singleton", False)
    }
    assert first.task("singleton")["group"]["auto_scaling_group_name"] == "match-production"

    second = playbook(tmp_path, aws.endpoint, task)
    assert second.rc == 0, second.output
    assert second.task("singleton")["changed"] is False
    assert second.task("singleton")["changes"] == []


def test_check_mode_makes_nothing(aws, network, tmp_path):
    task = singleton_task(app="match", env="production", subnets=network["subnets"],
                          health_check={"type": "target_group", "port": 7777})
    result = playbook(tmp_path, aws.endpoint, task, check=True)
    assert result.rc == 0, result.output
    out = result.task("singleton")
    assert out["changed"] is True
    assert "create group match-production" in " ".join(out["changes"])
    assert "create target group match-production (TCP 7777)" in out["changes"]
    assert group(aws) is None
    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []


def test_update_only_what_differs(aws, network, tmp_path):
    playbook(tmp_path, aws.endpoint, singleton_task(app="match", env="production", subnets=network["subnets"][:1]))
    aws("autoscaling").update_auto_scaling_group(AutoScalingGroupName="match-production", MaxSize=3, DesiredCapacity=2)
    task = singleton_task(app="match", env="production", subnets=network["subnets"],
                          launch_template={"name": "match-production", "version": "1"})
    check = playbook(tmp_path, aws.endpoint, task, check=True)
    assert group(aws)["MaxSize"] == 3, "check mode changed the group"
    (line,) = check.task("singleton")["changes"]
    assert line.startswith("update group match-production:")
    for part in ("DesiredCapacity=1", "MaxSize=1", "LaunchTemplate=match-production 1", "VPCZoneIdentifier="):
        assert part in line
    assert "MinSize" not in line and "HealthCheckGracePeriod" not in line

    result = playbook(tmp_path, aws.endpoint, task)
    assert result.task("singleton")["changes"] == check.task("singleton")["changes"]
    updated = group(aws)
    assert (updated["MaxSize"], updated["DesiredCapacity"], updated["LaunchTemplate"]["Version"]) == (1, 1, "1")
    assert set(updated["VPCZoneIdentifier"].split(",")) == set(network["subnets"])
    assert playbook(tmp_path, aws.endpoint, task).task("singleton")["changed"] is False


def test_classic_elb_tcp_health_check(aws, network, tmp_path):
    task = singleton_task(app="match", env="production", subnets=network["subnets"],
                          health_check={"type": "elb", "port": 7777})
    result = playbook(tmp_path, aws.endpoint, task)
    assert result.rc == 0, result.output
    elb = aws("elb").describe_load_balancers(LoadBalancerNames=["match-production"])["LoadBalancerDescriptions"][0]
    assert elb["HealthCheck"]["Target"] == "TCP:7777"
    assert elb["ListenerDescriptions"][0]["Listener"]["InstancePort"] == 7777
    assert elb["Scheme"] == "internal"
    made = group(aws)
    assert made["HealthCheckType"] == "ELB" and made["HealthCheckGracePeriod"] == 300
    assert made["LoadBalancerNames"] == ["match-production"]
    assert result.task("singleton")["health_check"] == {"type": "elb", "name": "match-production", "target": "TCP:7777"}
    assert playbook(tmp_path, aws.endpoint, task).task("singleton")["changed"] is False

    # Someone changed the health check by hand: only that is put back.
    aws("elb").configure_health_check(LoadBalancerName="match-production", HealthCheck={
        "Target": "HTTP:80/", "Interval": 30, "Timeout": 5, "HealthyThreshold": 2, "UnhealthyThreshold": 2})
    fixed = playbook(tmp_path, aws.endpoint, task).task("singleton")
    assert fixed["changes"] == ["set health check of match-production to TCP:7777"]
    elb = aws("elb").describe_load_balancers(LoadBalancerNames=["match-production"])["LoadBalancerDescriptions"][0]
    assert elb["HealthCheck"]["Target"] == "TCP:7777"


def test_target_group_tcp_health_check_on_existing_group(aws, network, tmp_path):
    playbook(tmp_path, aws.endpoint, singleton_task(app="match", env="production", subnets=network["subnets"]))
    task = singleton_task(app="match", env="production", grace_period=120,
                          health_check={"type": "target_group", "port": 7777, "name": "match-prod-7777"})
    result = playbook(tmp_path, aws.endpoint, task)
    assert result.rc == 0, result.output
    out = result.task("singleton")
    assert out["changes"][0] == "create target group match-prod-7777 (TCP 7777)"
    assert "attach target group match-prod-7777" in out["changes"]
    tg = aws("elbv2").describe_target_groups(Names=["match-prod-7777"])["TargetGroups"][0]
    assert (tg["Protocol"], tg["Port"], tg["HealthCheckProtocol"], tg["HealthCheckPort"]) == ("TCP", 7777, "TCP", "7777")
    assert tg["VpcId"] == network["vpc"]
    made = group(aws)
    assert made["TargetGroupARNs"] == [tg["TargetGroupArn"]]
    assert made["HealthCheckType"] == "ELB" and made["HealthCheckGracePeriod"] == 120
    assert any("used by no load balancer" in w for w in out.get("warnings", []))
    assert playbook(tmp_path, aws.endpoint, task).task("singleton")["changed"] is False


def test_absent_deletes_the_group_and_keeps_the_load_balancer(aws, network, tmp_path):
    playbook(tmp_path, aws.endpoint, singleton_task(app="match", env="production", subnets=network["subnets"],
                                                    health_check={"type": "elb", "port": 7777}))
    task = singleton_task(app="match", env="production", state="absent")
    check = playbook(tmp_path, aws.endpoint, task, check=True)
    assert check.task("singleton")["changed"] is True and group(aws) is not None
    gone = playbook(tmp_path, aws.endpoint, task)
    assert gone.task("singleton")["changes"] == ["delete group match-production and its instance"]
    assert group(aws) is None
    assert aws("elb").describe_load_balancers()["LoadBalancerDescriptions"][0]["LoadBalancerName"] == "match-production"
    assert playbook(tmp_path, aws.endpoint, task).task("singleton")["changed"] is False


BAD_INPUT = [
    ({"app": "match-x", "env": "production"}, "app 'match-x' must be lower-case letters and digits"),
    ({"app": "match", "env": "Prod"}, "env 'Prod' must be lower-case letters and digits"),
    ({"app": "chat", "env": "production"}, "launch template chat-production not found"),
    ({"app": "match", "env": "production", "launch_template": {"version": "latest"}},
     "launch template version 'latest' must be $Latest, $Default or a number"),
    ({"app": "match", "env": "production"}, "subnets are required to create the group match-production"),
    ({"app": "match", "env": "production", "subnets": ["subnet-00000000000000000"]},
     "subnet subnet-00000000000000000 not found"),
    ({"app": "match", "env": "production", "health_check": {"type": "elb", "port": 70000}, "subnets": "SUBNETS"},
     "health_check.port 70000 is not a TCP port"),
]


def test_bad_input_is_a_clear_error_and_changes_nothing(aws, network, tmp_path):
    """One play, one task per bad input (ignore_errors), so that each case is checked on its own."""
    tasks = ""
    for number, (options, _message) in enumerate(BAD_INPUT):
        if options.get("subnets") == "SUBNETS":
            options = dict(options, subnets=network["subnets"])
        tasks += singleton_task("bad %d" % number, **options) + "  ignore_errors: true\n"
    result = playbook(tmp_path, aws.endpoint, tasks)
    for number, (_options, message) in enumerate(BAD_INPUT):
        out = result.task("bad %d" % number)
        assert out.get("failed") is True, out
        assert message in out["msg"], out["msg"]
    assert result.stats["ignored"] == len(BAD_INPUT)
    assert aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert aws("elb").describe_load_balancers()["LoadBalancerDescriptions"] == []


OWNER_TAG = ("gamestack:managed-by", "autoscaling_singleton")


def tags_of(made):
    return {t["Key"]: t["Value"] for t in made.get("Tags", [])}


@pytest.fixture
def foreign_group(aws, network):
    """A 3/6/3 group named api-production that someone else made (no ownership tag)."""
    ec2 = aws("ec2")
    ec2.create_launch_template(
        LaunchTemplateName="api-production",
        LaunchTemplateData={"ImageId": default_ami(ec2), "InstanceType": "t3.micro"},
    )
    aws("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="api-production", MinSize=3, MaxSize=6, DesiredCapacity=3,
        LaunchTemplate={"LaunchTemplateName": "api-production", "Version": "$Latest"},
        VPCZoneIdentifier=",".join(network["subnets"]),
    )
    return "api-production"


def test_created_group_carries_the_ownership_tag(aws, network, tmp_path):
    result = playbook(tmp_path, aws.endpoint, singleton_task(app="match", env="production", subnets=network["subnets"]))
    assert result.rc == 0, result.output
    assert tags_of(group(aws))[OWNER_TAG[0]] == OWNER_TAG[1]


def test_foreign_group_is_neither_changed_nor_deleted(aws, network, foreign_group, tmp_path):
    tasks = (singleton_task("update", app="api", env="production", subnets=network["subnets"])
             + "  ignore_errors: true\n"
             + singleton_task("delete", app="api", env="production", state="absent")
             + "  ignore_errors: true\n")
    result = playbook(tmp_path, aws.endpoint, tasks)
    for name in ("update", "delete"):
        out = result.task(name)
        assert out.get("failed") is True, out
        assert "api-production" in out["msg"] and "adopt" in out["msg"], out["msg"]
        assert "gamestack:managed-by=autoscaling_singleton" in out["msg"], out["msg"]
    kept = group(aws, foreign_group)
    assert (kept["MinSize"], kept["MaxSize"], kept["DesiredCapacity"]) == (3, 6, 3)
    assert OWNER_TAG[0] not in tags_of(kept)


def test_check_mode_also_refuses_a_foreign_group(aws, network, foreign_group, tmp_path):
    result = playbook(tmp_path, aws.endpoint, singleton_task(app="api", env="production"), check=True)
    assert result.rc != 0
    assert "adopt" in result.failure()


def test_adopt_tags_the_group_then_manages_it(aws, network, foreign_group, tmp_path):
    task = singleton_task(app="api", env="production", adopt=True)
    result = playbook(tmp_path, aws.endpoint, task)
    assert result.rc == 0, result.output
    changes = result.task("singleton")["changes"]
    assert changes[0] == "adopt group api-production (tag gamestack:managed-by=autoscaling_singleton)", changes
    made = group(aws, foreign_group)
    assert (made["MinSize"], made["MaxSize"], made["DesiredCapacity"]) == (1, 1, 1)
    assert tags_of(made)[OWNER_TAG[0]] == OWNER_TAG[1]
    # Once adopted, it is the module's own: no adopt needed any more.
    again = playbook(tmp_path, aws.endpoint, singleton_task(app="api", env="production"))
    assert again.rc == 0, again.output
    assert again.task("singleton")["changed"] is False


def test_invalid_region_is_a_message_not_a_traceback(aws, network, tmp_path):
    result = playbook(tmp_path, aws.endpoint, singleton_task(app="match", env="production", region="us east 1"))
    assert result.rc != 0
    message = result.failure()
    assert "region 'us east 1'" in message, message
    assert "Traceback" not in result.output and "MODULE FAILURE" not in message, result.output
