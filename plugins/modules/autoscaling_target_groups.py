#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: autoscaling_target_groups
short_description: Attach target groups to an existing Auto Scaling group, and nothing else
version_added: 0.2.0
description:
  - Attaches the given target groups to an existing Auto Scaling group with C(AttachLoadBalancerTargetGroups),
    only those not attached yet. The group then registers its instances in them.
  - Never detaches a target group, and changes no other setting of the group.
  - C(amazon.aws.autoscaling_group) can attach target groups too, but it manages the whole group (sizes,
    launch template, health checks, and it detaches every target group not listed), so a play that only wants
    the attachment would reset what other tools set.
author:
  - gamestack.aws contributors (@gamestack)
options:
  name:
    description: The Auto Scaling group, for example C(api-production).
    type: str
    required: true
  target_group_arns:
    description: The target groups the group must be attached to (others stay as they are).
    type: list
    elements: str
    required: true
  missing_ok:
    description: Do nothing (RV(found=false)) instead of failing when there is no such group.
    type: bool
    default: false
extends_documentation_fragment:
  - gamestack.aws.connection
notes:
  - Supports check mode and needs C(autoscaling:DescribeAutoScalingGroups) and
    C(autoscaling:AttachLoadBalancerTargetGroups).
"""

EXAMPLES = r"""
- name: Attach the group named by the rule to its target group
  gamestack.aws.autoscaling_target_groups:
    name: api-production
    target_group_arns:
      - arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-production/0123456789abcdef
"""

RETURN = r"""
found:
  description: Whether the Auto Scaling group exists.
  returned: always
  type: bool
attached:
  description: The target groups this run attached (in check mode, would attach).
  returned: always
  type: list
  elements: str
target_group_arns:
  description: All target groups of the Auto Scaling group after the run.
  returned: always
  type: list
  elements: str
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gamestack.aws.plugins.module_utils import aws

_TG_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$")
_GROUP = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")


def attach(module, client, name, wanted):
    groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    if not groups and module.params["missing_ok"]:
        return dict(changed=False, found=False, attached=[], target_group_arns=[])
    if not groups:
        module.fail_json(msg="there is no Auto Scaling group %s: nothing changed" % name)
    current = list(groups[0].get("TargetGroupARNs", []))
    missing = [arn for arn in wanted if arn not in current]
    result = dict(changed=bool(missing), found=True, attached=missing, target_group_arns=current + missing)
    if missing and not module.check_mode:
        client.attach_load_balancer_target_groups(AutoScalingGroupName=name, TargetGroupARNs=missing)
    return result


def main():
    argument_spec = aws.connection_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        target_group_arns=dict(type="list", elements="str", required=True),
        missing_ok=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    name = module.params["name"]
    if not _GROUP.match(name):
        module.fail_json(msg="name %r is not an Auto Scaling group name (letters, digits, '_', '.', '-')" % name)
    bad = [arn for arn in module.params["target_group_arns"] if not _TG_ARN.match(arn)]
    if bad:
        module.fail_json(msg="not target group ARNs: %s" % ", ".join(repr(arn) for arn in bad))
    wanted = list(dict.fromkeys(module.params["target_group_arns"]))
    with aws.module_failures(module, "autoscaling_target_groups"):
        factory = aws.factory_from_module_params(module.params, component="autoscaling_target_groups")
        client = factory.client("autoscaling", module.params["region"])
        result = attach(module, client, name, wanted)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
