#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: autoscaling_singleton
short_description: Keep one single-purpose server alive with an Auto Scaling group of exactly one
version_added: 0.1.0
author: gamestack.aws contributors (@gamestack)
description:
  - Puts a single-purpose server (a matchmaking or chat process, a batch worker) under Auto Scaling as a
    group with min = max = desired = 1 launched from a launch template, so that AWS replaces the
    instance when it fails.
  - The group is named by the convention, C(app-env) (O(app) and O(env)); the launch template defaults to
    the same name.
  - With O(health_check) the group also watches the process itself, not only the instance. A TCP health
    check on the port the process listens on is set on a Classic Load Balancer (O(health_check.type=elb))
    or on a target group (O(health_check.type=target_group)), the group is attached to it and uses the
    C(ELB) health check type with a grace period, so that an instance whose process stops listening is replaced.
  - Idempotent, the group, the health check and the attachments are read first and only what differs is changed.
  - The module tags every group it creates C(gamestack:managed-by=autoscaling_singleton) and changes or deletes
    only groups that carry this tag. A group of the same name made by someone else (another tool, the console,
    a scaled fleet) is refused unless O(adopt=true). The IAM policy in C(docs/iam/autoscaling-singleton.json)
    enforces the same rule on the AWS side.
options:
  app:
    description: App part of the name (lower-case letters and digits).
    type: str
    required: true
  env:
    description: Env part of the name (lower-case letters and digits).
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the group, V(absent) deletes it (and terminates its instance).
      - V(absent) leaves the load balancer and the target group in place, they may be shared.
    type: str
    choices: [present, absent]
    default: present
  adopt:
    description:
      - Take over an existing group of the name that does not carry the ownership tag
        C(gamestack:managed-by=autoscaling_singleton) by adding the tag, then manage (resize to one, or with
        O(state=absent) delete) it.
      - Without it such a group is refused and left as it is. Adopting a scaled group shrinks it to one instance.
    type: bool
    default: false
  launch_template:
    description: The launch template to launch from. Default, the template named C(app-env), version C($Latest).
    type: dict
    suboptions:
      name:
        description: Launch template name. Mutually exclusive with O(launch_template.id).
        type: str
      id:
        description: Launch template ID (C(lt-...)).
        type: str
      version:
        description: C($Latest), C($Default) or a version number.
        type: str
        default: $Latest
  subnets:
    description:
      - Subnet IDs to launch into (all in one VPC). Required when the group is created; when not given
        on update the group's subnets are left as they are.
    type: list
    elements: str
    aliases: [vpc_zone_identifier]
  grace_period:
    description: Seconds after launch before health checks count (HealthCheckGracePeriod).
    type: int
    default: 300
  propagate_name_tag:
    description:
      - Tag the group C(Name=app-env) and propagate it to the instance at launch, so that the instance
        lands in the C(app-env) group of the gamestack.aws.name_tags inventory.
    type: bool
    default: true
  health_check:
    description:
      - A TCP health check on the port the process listens on. Without it the group uses the C(EC2) health
        check type (instance status only) and load balancer attachments are left as they are.
    type: dict
    suboptions:
      type:
        description:
          - V(elb), a Classic Load Balancer named O(health_check.name); created (internal, one TCP
            listener on O(health_check.port)) when it does not exist. Its health check is set to C(TCP:port).
          - V(target_group), a target group named O(health_check.name), protocol TCP, with a TCP health check
            on the port; created when it does not exist.
        type: str
        choices: [elb, target_group]
        required: true
      port:
        description: The port the process listens on.
        type: int
        required: true
      name:
        description: Name of the load balancer or target group. Default C(app-env).
        type: str
      interval:
        description: Seconds between health checks.
        type: int
        default: 10
      timeout:
        description: Seconds before a check counts as failed.
        type: int
        default: 5
      healthy_threshold:
        description: Consecutive successes before an instance is healthy.
        type: int
        default: 2
      unhealthy_threshold:
        description: Consecutive failures before an instance is unhealthy (and replaced).
        type: int
        default: 2
      scheme:
        description: Scheme of a Classic Load Balancer the module creates.
        type: str
        choices: [internal, internet-facing]
        default: internal
extends_documentation_fragment:
  - gamestack.aws.connection
attributes:
  check_mode:
    support: full
    description: Reads everything and reports what it would change, changes nothing.
notes:
  - A target group runs its health checks only while a Network Load Balancer listener forwards to it.
    The module attaches the target group to the group but does not create a load balancer for it; when
    the target group is used by no load balancer it warns and returns C(health_check.load_balancers=[]).
  - The module does not wait for the instance to be in service.
  - Tested against moto over HTTP (create, update, delete, Classic ELB health check, target groups,
    attachments). moto does not run health checks, so the replacement of an unhealthy instance is AWS's
    part and is not tested here.
"""

EXAMPLES = r"""
- name: Keep the matchmaker of production alive, replaced when port 7777 stops answering
  gamestack.aws.autoscaling_singleton:
    app: match
    env: production
    subnets: [subnet-0a1b2c3d, subnet-4e5f6a7b]
    health_check:
      type: elb
      port: 7777
    grace_period: 180

- name: Same with a target group (for an NLB that forwards to it)
  gamestack.aws.autoscaling_singleton:
    app: chat
    env: production
    launch_template:
      name: chat-production
      version: "3"
    subnets: "{{ private_subnets }}"
    health_check:
      type: target_group
      port: 5222

- name: Remove it
  gamestack.aws.autoscaling_singleton:
    app: match
    env: staging
    state: absent
"""

RETURN = r"""
group:
  description: The Auto Scaling group as describe_auto_scaling_groups returns it (snake_case keys); empty when absent.
  returned: always
  type: dict
  sample:
    auto_scaling_group_name: match-production
    min_size: 1
    max_size: 1
    desired_capacity: 1
    health_check_type: ELB
    health_check_grace_period: 180
    launch_template: {launch_template_id: lt-0123456789abcdef0, launch_template_name: match-production, version: $Latest}
    load_balancer_names: [match-production]
    vpc_zone_identifier: subnet-0a1b2c3d,subnet-4e5f6a7b
health_check:
  description: The health check in use; empty without O(health_check).
  returned: always
  type: dict
  contains:
    type:
      description: V(elb) or V(target_group).
      type: str
    name:
      description: Load balancer or target group name.
      type: str
    target:
      description: C(TCP:port).
      type: str
    target_group_arn:
      description: ARN of the target group (type target_group).
      type: str
    load_balancers:
      description: ARNs of the load balancers that use the target group (type target_group).
      type: list
      elements: str
changes:
  description: What was (or in check mode would be) changed, one line each.
  returned: always
  type: list
  elements: str
  sample: ["create group match-production", "attach load balancer match-production"]
"""

import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.gamestack.aws.plugins.module_utils import aws, naming

try:
    import botocore
except ImportError:  # pragma: no cover - reported by aws.require_boto3
    botocore = None

SIZE = 1
OWNER_KEY = "gamestack:managed-by"
OWNER_VALUE = "autoscaling_singleton"
_VERSION = re.compile(r"^(\$Latest|\$Default|[1-9][0-9]*)$")


class Singleton:
    def __init__(self, module, factory, region):
        self.module = module
        self.params = module.params
        self.check = module.check_mode
        self.asg = factory.client("autoscaling", region)
        self.ec2 = factory.client("ec2", region)
        self.elb = factory.client("elb", region)
        self.elbv2 = factory.client("elbv2", region)
        self.changes = []
        try:
            self.name = naming.format_name(self.params["app"], self.params["env"])
        except naming.NamingError as exc:
            module.fail_json(msg="autoscaling_singleton: %s" % exc)

    def fail(self, msg):
        self.module.fail_json(msg="autoscaling_singleton: %s" % msg, changes=self.changes)

    def change(self, what):
        self.changes.append(what)
        return not self.check

    # -- reading -------------------------------------------------------------------------------

    def describe_group(self):
        groups = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[self.name])["AutoScalingGroups"]
        return groups[0] if groups else None

    def resolve_launch_template(self):
        spec = self.params["launch_template"] or {}
        if spec.get("name") and spec.get("id"):
            self.fail("launch_template takes a name or an id, not both")
        version = spec.get("version") or "$Latest"
        if not _VERSION.match(version):
            self.fail("launch template version %r must be $Latest, $Default or a number" % version)
        try:
            if spec.get("id"):
                found = self.ec2.describe_launch_templates(LaunchTemplateIds=[spec["id"]])["LaunchTemplates"]
            else:
                found = self.ec2.describe_launch_templates(
                    LaunchTemplateNames=[spec.get("name") or self.name]
                )["LaunchTemplates"]
        except botocore.exceptions.ClientError as exc:
            found = []
            if aws.error_code(exc) not in ("InvalidLaunchTemplateName.NotFoundException",
                                           "InvalidLaunchTemplateId.NotFound",
                                           "InvalidLaunchTemplateId.Malformed",
                                           "InvalidLaunchTemplateName.MalformedException"):
                raise
        if not found:
            self.fail("launch template %s not found" % (spec.get("id") or spec.get("name") or self.name))
        return {"LaunchTemplateId": found[0]["LaunchTemplateId"], "Version": version}, found[0]["LaunchTemplateName"]

    def check_subnets(self, subnets):
        """Return the VPC of ``subnets``; every subnet must exist and all must share one VPC."""
        found = {}
        for subnet in subnets:
            try:
                answer = self.ec2.describe_subnets(SubnetIds=[subnet])["Subnets"]
            except botocore.exceptions.ClientError as exc:
                if aws.error_code(exc) in ("InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed"):
                    self.fail("subnet %s not found" % subnet)
                raise
            if not answer:
                self.fail("subnet %s not found" % subnet)
            found[subnet] = answer[0]["VpcId"]
        vpcs = sorted(set(found.values()))
        if len(vpcs) > 1:
            self.fail("subnets must be in one VPC, got %s" % ", ".join("%s in %s" % kv for kv in sorted(found.items())))
        return vpcs[0] if vpcs else None

    # -- health check --------------------------------------------------------------------------

    def ensure_classic_elb(self, hc, name, subnets):
        target = "TCP:%d" % hc["port"]
        wanted = {
            "Target": target,
            "Interval": hc["interval"],
            "Timeout": hc["timeout"],
            "HealthyThreshold": hc["healthy_threshold"],
            "UnhealthyThreshold": hc["unhealthy_threshold"],
        }
        try:
            current = self.elb.describe_load_balancers(LoadBalancerNames=[name])["LoadBalancerDescriptions"][0]
        except botocore.exceptions.ClientError as exc:
            if aws.error_code(exc) not in ("LoadBalancerNotFound", "AccessPointNotFound"):
                raise
            current = None
        if current is None:
            if not subnets:
                self.fail("classic load balancer %s does not exist and no subnets are given to create it in" % name)
            if self.change("create classic load balancer %s (TCP %d)" % (name, hc["port"])):
                self.elb.create_load_balancer(
                    LoadBalancerName=name,
                    Listeners=[{"Protocol": "TCP", "LoadBalancerPort": hc["port"], "InstanceProtocol": "TCP",
                                "InstancePort": hc["port"]}],
                    Subnets=list(subnets),
                    Scheme=hc["scheme"],
                )
        if current is None or current.get("HealthCheck") != wanted:
            if current is not None:
                self.change("set health check of %s to %s" % (name, target))
            if not self.check:
                self.elb.configure_health_check(LoadBalancerName=name, HealthCheck=wanted)
        return {"type": "elb", "name": name, "target": target}

    def ensure_target_group(self, hc, name, vpc_id):
        wanted = {
            "HealthCheckProtocol": "TCP",
            "HealthCheckPort": str(hc["port"]),
            "HealthCheckIntervalSeconds": hc["interval"],
            "HealthCheckTimeoutSeconds": hc["timeout"],
            "HealthyThresholdCount": hc["healthy_threshold"],
            "UnhealthyThresholdCount": hc["unhealthy_threshold"],
        }
        try:
            current = self.elbv2.describe_target_groups(Names=[name])["TargetGroups"][0]
        except botocore.exceptions.ClientError as exc:
            if aws.error_code(exc) != "TargetGroupNotFound":
                raise
            current = None
        arn = current["TargetGroupArn"] if current else None
        if current is None:
            if vpc_id is None:
                self.fail("target group %s does not exist and no subnets are given to find its VPC" % name)
            if self.change("create target group %s (TCP %d)" % (name, hc["port"])):
                arn = self.elbv2.create_target_group(
                    Name=name, Protocol="TCP", Port=hc["port"], VpcId=vpc_id, TargetType="instance",
                    HealthCheckEnabled=True, **wanted
                )["TargetGroups"][0]["TargetGroupArn"]
        else:
            if current.get("Protocol") not in ("TCP", "TCP_UDP", "TLS"):
                self.fail("target group %s has protocol %s, a TCP health check needs a TCP target group"
                          % (name, current.get("Protocol")))
            differs = {k: v for k, v in wanted.items() if current.get(k) != v}
            if differs and self.change("set health check of target group %s to TCP:%d" % (name, hc["port"])):
                self.elbv2.modify_target_group(TargetGroupArn=arn, HealthCheckEnabled=True, **differs)
        load_balancers = list(current.get("LoadBalancerArns", [])) if current else []
        if not load_balancers:
            self.module.warn("target group %s is used by no load balancer: its health checks only run once a"
                             " Network Load Balancer listener forwards to it" % name)
        return {"type": "target_group", "name": name, "target": "TCP:%d" % hc["port"],
                "target_group_arn": arn, "load_balancers": load_balancers}

    # -- group ---------------------------------------------------------------------------------

    def owner_tag(self):
        return {"ResourceId": self.name, "ResourceType": "auto-scaling-group", "Key": OWNER_KEY,
                "Value": OWNER_VALUE, "PropagateAtLaunch": False}

    def wanted_tags(self):
        tags = [self.owner_tag()]
        if self.params["propagate_name_tag"]:
            tags.append({"ResourceId": self.name, "ResourceType": "auto-scaling-group", "Key": "Name",
                         "Value": self.name, "PropagateAtLaunch": True})
        return tags

    def claim(self, group):
        """Refuse a group without the ownership tag, or with adopt: tag it (first, so that a policy that allows
        changes only on owned groups allows the rest)."""
        if any(t.get("Key") == OWNER_KEY and t.get("Value") == OWNER_VALUE for t in group.get("Tags", [])):
            return
        if not self.params["adopt"]:
            self.fail("group %s exists but was not made by this module (it has no tag %s=%s); it is left as it is"
                      " (min %s, max %s, desired %s). Use another app-env, or set adopt: true to take it over"
                      % (self.name, OWNER_KEY, OWNER_VALUE, group.get("MinSize"), group.get("MaxSize"),
                         group.get("DesiredCapacity")))
        if self.change("adopt group %s (tag %s=%s)" % (self.name, OWNER_KEY, OWNER_VALUE)):
            self.asg.create_or_update_tags(Tags=[self.owner_tag()])
        group["Tags"] = list(group.get("Tags", [])) + [self.owner_tag()]

    def present(self):
        subnets = self.params["subnets"]
        hc = self.params["health_check"]
        template, template_name = self.resolve_launch_template()
        vpc_id = self.check_subnets(subnets) if subnets else None
        group = self.describe_group()
        if group is not None:
            self.claim(group)
        if group is None and not subnets:
            self.fail("subnets are required to create the group %s" % self.name)
        if hc is not None:
            if hc["port"] < 1 or hc["port"] > 65535:
                self.fail("health_check.port %d is not a TCP port" % hc["port"])
            if vpc_id is None and group is not None and group.get("VPCZoneIdentifier"):
                vpc_id = self.check_subnets(group["VPCZoneIdentifier"].split(","))
            lb_name = hc.get("name") or self.name
            if hc["type"] == "elb":
                health = self.ensure_classic_elb(hc, lb_name, subnets or (group or {}).get("VPCZoneIdentifier", "").split(","))
            else:
                health = self.ensure_target_group(hc, lb_name, vpc_id)
        else:
            health = {}

        wanted = {
            "MinSize": SIZE, "MaxSize": SIZE, "DesiredCapacity": SIZE,
            "LaunchTemplate": template,
            "HealthCheckType": "ELB" if hc is not None else "EC2",
            "HealthCheckGracePeriod": self.params["grace_period"],
        }
        if subnets:
            wanted["VPCZoneIdentifier"] = ",".join(subnets)

        if group is None:
            params = dict(wanted, AutoScalingGroupName=self.name)
            if health.get("type") == "elb":
                params["LoadBalancerNames"] = [health["name"]]
            elif health.get("type") == "target_group" and health.get("target_group_arn"):
                params["TargetGroupARNs"] = [health["target_group_arn"]]
            params["Tags"] = self.wanted_tags()
            if self.change("create group %s (min=max=desired=1, template %s %s)"
                           % (self.name, template_name, template["Version"])):
                self.asg.create_auto_scaling_group(**params)
        else:
            self.update(group, wanted, template_name)
            self.attach(group, health)
            self.tag(group)
        return health

    def update(self, group, wanted, template_name):
        differs = {}
        for key in ("MinSize", "MaxSize", "DesiredCapacity", "HealthCheckType", "HealthCheckGracePeriod"):
            if group.get(key) != wanted[key]:
                differs[key] = wanted[key]
        current_template = group.get("LaunchTemplate") or {}
        if (current_template.get("LaunchTemplateId"), current_template.get("Version")) != (
                wanted["LaunchTemplate"]["LaunchTemplateId"], wanted["LaunchTemplate"]["Version"]):
            differs["LaunchTemplate"] = wanted["LaunchTemplate"]
        if "VPCZoneIdentifier" in wanted:
            current_subnets = set(filter(None, (group.get("VPCZoneIdentifier") or "").split(",")))
            if current_subnets != set(wanted["VPCZoneIdentifier"].split(",")):
                differs["VPCZoneIdentifier"] = wanted["VPCZoneIdentifier"]
        if differs:
            what = ", ".join("%s=%s" % (k, template_name + " " + v["Version"] if k == "LaunchTemplate" else v)
                             for k, v in sorted(differs.items()))
            if self.change("update group %s: %s" % (self.name, what)):
                self.asg.update_auto_scaling_group(AutoScalingGroupName=self.name, **differs)

    def attach(self, group, health):
        if health.get("type") == "elb" and health["name"] not in group.get("LoadBalancerNames", []):
            if self.change("attach load balancer %s" % health["name"]):
                self.asg.attach_load_balancers(AutoScalingGroupName=self.name, LoadBalancerNames=[health["name"]])
        if health.get("type") == "target_group":
            arn = health.get("target_group_arn")
            if arn is None or arn not in group.get("TargetGroupARNs", []):
                if self.change("attach target group %s" % health["name"]):
                    self.asg.attach_load_balancer_target_groups(AutoScalingGroupName=self.name, TargetGroupARNs=[arn])

    def tag(self, group):
        for tag in self.wanted_tags():
            current = [t for t in group.get("Tags", []) if t.get("Key") == tag["Key"]]
            if (not current or current[0].get("Value") != tag["Value"]
                    or bool(current[0].get("PropagateAtLaunch")) != tag["PropagateAtLaunch"]):
                if self.change("tag group %s %s=%s%s" % (self.name, tag["Key"], tag["Value"],
                                                         " (propagated at launch)" if tag["PropagateAtLaunch"] else "")):
                    self.asg.create_or_update_tags(Tags=[tag])

    def absent(self):
        group = self.describe_group()
        if group is None:
            return
        self.claim(group)
        if self.change("delete group %s and its instance" % self.name):
            self.asg.delete_auto_scaling_group(AutoScalingGroupName=self.name, ForceDelete=True)

    def run(self):
        # A failure reports the changes made before it.
        with aws.module_failures(self.module, "autoscaling_singleton", changes=self.changes):
            if self.params["state"] == "absent":
                self.absent()
                health = {}
            else:
                health = self.present()
            group = self.describe_group() if self.params["state"] == "present" else None
        self.module.exit_json(
            changed=bool(self.changes),
            changes=self.changes,
            group=group_result(group),
            health_check=health,
        )


def group_result(group):
    if not group:
        return {}
    group = dict(group)
    if hasattr(group.get("CreatedTime"), "isoformat"):
        group["CreatedTime"] = group["CreatedTime"].isoformat()
    return camel_dict_to_snake_dict(group, ignore_list=["Tags"])


def main():
    argument_spec = dict(
        app=dict(type="str", required=True),
        env=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        adopt=dict(type="bool", default=False),
        launch_template=dict(
            type="dict",
            options=dict(name=dict(type="str"), id=dict(type="str"), version=dict(type="str", default="$Latest")),
            mutually_exclusive=[["name", "id"]],
        ),
        subnets=dict(type="list", elements="str", aliases=["vpc_zone_identifier"]),
        grace_period=dict(type="int", default=300),
        propagate_name_tag=dict(type="bool", default=True),
        health_check=dict(
            type="dict",
            options=dict(
                type=dict(type="str", choices=["elb", "target_group"], required=True),
                port=dict(type="int", required=True),
                name=dict(type="str"),
                interval=dict(type="int", default=10),
                timeout=dict(type="int", default=5),
                healthy_threshold=dict(type="int", default=2),
                unhealthy_threshold=dict(type="int", default=2),
                scheme=dict(type="str", choices=["internal", "internet-facing"], default="internal"),
            ),
        ),
    )
    argument_spec.update(aws.connection_argument_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    with aws.module_failures(module, "autoscaling_singleton"):
        factory = aws.factory_from_module_params(module.params, component="autoscaling_singleton")
        singleton = Singleton(module, factory, module.params["region"])
    singleton.run()


if __name__ == "__main__":
    main()
