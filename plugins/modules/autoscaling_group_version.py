#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: autoscaling_group_version
short_description: Set the launch template version of an Auto Scaling group, and nothing else
version_added: 0.2.0
description:
  - Sets the launch template (and its version) that an existing Auto Scaling group launches new instances
    from, with one C(UpdateAutoScalingGroup) call that names only the launch template. Changes nothing when
    the group already uses that version.
  - Running instances are not replaced; start an instance refresh for that.
  - C(amazon.aws.autoscaling_group) can set the version too, but every update it makes also sends the health
    check type and grace period, the cooldown, the termination policies and the metrics collection, resetting
    them to the module's defaults unless each is repeated; this module touches the launch template only.
author:
  - gamestack.aws contributors (@gamestack)
options:
  name:
    description: The Auto Scaling group.
    type: str
    required: true
  launch_template:
    description: The launch template name.
    type: str
    required: true
  version:
    description: The version, a number or C($Latest) or C($Default).
    type: str
    required: true
extends_documentation_fragment:
  - gamestack.aws.connection
notes:
  - Supports check mode. Needs C(autoscaling:DescribeAutoScalingGroups) and C(autoscaling:UpdateAutoScalingGroup)
    (and C(ec2:RunInstances) / C(iam:PassRole) as AWS requires for a launch template change).
"""

EXAMPLES = r"""
- name: Launch new instances of api-production from version 7
  gamestack.aws.autoscaling_group_version:
    name: api-production
    launch_template: api-production
    version: "7"
"""

RETURN = r"""
before:
  description: The launch template and version the group used, C({name, version}) (V(null) for a launch configuration).
  returned: always
  type: dict
after:
  description: The launch template and version it uses now (in check mode, would use).
  returned: always
  type: dict
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gamestack.aws.plugins.module_utils import aws

_VERSION = re.compile(r"^([1-9][0-9]{0,9}|\$Latest|\$Default)$")


def main():
    argument_spec = aws.connection_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        launch_template=dict(type="str", required=True),
        version=dict(type="str", required=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    name, template, version = module.params["name"], module.params["launch_template"], module.params["version"]
    if not _VERSION.match(version):
        module.fail_json(msg="version %r must be a version number, $Latest or $Default" % version)
    with aws.module_failures(module, "autoscaling_group_version"):
        factory = aws.factory_from_module_params(module.params, component="autoscaling_group_version")
        client = factory.client("autoscaling", module.params["region"])
        groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        if not groups:
            module.fail_json(msg="no Auto Scaling group %s" % name)
        current = groups[0].get("LaunchTemplate")
        before = {"name": current["LaunchTemplateName"], "version": current["Version"]} if current else None
        after = {"name": template, "version": version}
        changed = before != after
        if changed and not module.check_mode:
            client.update_auto_scaling_group(AutoScalingGroupName=name,
                                             LaunchTemplate={"LaunchTemplateName": template, "Version": version})
    module.exit_json(changed=changed, before=before, after=after)


if __name__ == "__main__":
    main()
