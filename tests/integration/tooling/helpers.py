"""Helpers for the tooling tests: seed AMIs, run a localhost play, read its results."""

from __future__ import annotations

import json
import sys
import textwrap

from tests.conftest import ansible_env, run


def register_images(ec2, names):
    """Register one own AMI per name (moto: OwnerId is the account, so Owners=['self'] finds them)."""
    ids = {}
    for name in names:
        ids[name] = ec2.register_image(
            Name=name,
            RootDeviceName="/dev/xvda",
            Architecture="x86_64",
            BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}],
        )["ImageId"]
    return ids


class PlayResult:
    """An ansible-playbook run read through the ansible.posix.json stdout callback."""

    def __init__(self, proc):
        self.proc = proc
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        try:
            # profile_tasks (enabled in ansible.cfg) prints its timings around the JSON document.
            self.data = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{"):])[0]
        except ValueError:
            raise AssertionError("ansible-playbook did not print JSON (rc=%s):\n%s" % (self.rc, self.output))

    @property
    def stats(self):
        """{'ok': n, 'changed': n, 'failures': n, ...} of localhost."""
        return self.data["stats"]["localhost"]

    def task(self, name):
        """The localhost result of the task called ``name`` (in a role: ``role : name``)."""
        for play in self.data["plays"]:
            for task in play["tasks"]:
                if task["task"]["name"] == name or task["task"]["name"].endswith(" : " + name):
                    return task["hosts"]["localhost"]
        raise AssertionError("no task %r in the run:\n%s" % (name, self.output))

    def failure(self):
        """The message of the first failed task (or '')."""
        for play in self.data["plays"]:
            for task in play["tasks"]:
                result = task["hosts"].get("localhost", {})
                if result.get("failed"):
                    # A loop: the messages of the failed items, after the summary.
                    items = [r.get("msg", "") for r in result.get("results", []) if r.get("failed")]
                    return "\n".join([result.get("msg", "")] + items) or json.dumps(result)
        return ""


def playbook(tmp_path, endpoint, tasks, check=False, extra_args=(), env_extra=None, play_vars=None, name="play.yml",
             module_defaults=None):
    """Run a localhost play holding ``tasks`` (YAML text) with ansible-playbook; return a PlayResult."""
    play = "- hosts: localhost\n  gather_facts: false\n  vars: %s\n" % json.dumps(play_vars or {})
    if module_defaults:
        play += "  module_defaults: %s\n" % json.dumps(module_defaults)
    play += "  tasks:\n"
    path = tmp_path / name
    path.write_text(play + textwrap.indent(textwrap.dedent(tasks), "    "))
    cmd = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(path)]
    if check:
        cmd.append("--check")
    cmd.extend(extra_args)
    env = ansible_env(
        endpoint,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        **(env_extra or {})
    )
    return PlayResult(run(cmd, env))


def job_user_agent(job):
    """module_defaults that name the job in the user agent of amazon.aws / community.aws calls (the IAM test)."""
    defaults = {"aws_config": {"user_agent_extra": "gamestack.aws/" + job}}
    return {"group/amazon.aws.aws": defaults, "group/community.aws.aws": defaults}


def serving_group(aws, app_env="api-production", size=2):
    """A launch template, target group and Auto Scaling group named ``app_env`` (the rule), ``size`` instances.

    Returns {'tg': target group ARN, 'instances': [instance IDs], 'image': the template's AMI, 'subnets': [...]}.
    """
    from tests.harness.moto import default_ami

    ec2, elbv2, autoscaling = aws("ec2"), aws("elbv2"), aws("autoscaling")
    vpc = [v for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")][0]["VpcId"]
    subnets = sorted(s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] == vpc)[:2]
    tg = elbv2.create_target_group(Name=app_env, Protocol="HTTP", Port=80, VpcId=vpc,
                                   TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    image = default_ami(ec2)
    ec2.create_launch_template(LaunchTemplateName=app_env,
                               LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"})
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=app_env, LaunchTemplate={"LaunchTemplateName": app_env, "Version": "1"},
        MinSize=size, MaxSize=size, DesiredCapacity=size, VPCZoneIdentifier=",".join(subnets),
        TargetGroupARNs=[tg], Tags=[{"Key": "Name", "Value": app_env, "PropagateAtLaunch": True}],
    )
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[app_env])["AutoScalingGroups"][0]
    return {"tg": tg, "instances": sorted(i["InstanceId"] for i in group["Instances"]), "image": image,
            "subnets": subnets, "vpc": vpc}


def target_states(aws, tg):
    """{instance ID: health state} of a target group."""
    health = aws("elbv2").describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    return {h["Target"]["Id"]: h["TargetHealth"]["State"] for h in health}
