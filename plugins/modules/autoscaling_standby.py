#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: autoscaling_standby
short_description: Move an EC2 instance of an Auto Scaling group into Standby and back into service
version_added: 0.2.0
description:
  - Puts one instance of an Auto Scaling group into C(Standby) (the group stops counting it, sends it no
    traffic through its attached load balancers and does not replace it) or back C(InService), and waits
    until the group reports the new state.
  - Changes nothing when the instance is already in the requested state, and does nothing (C(group=null))
    for an instance outside any Auto Scaling group.
  - Fails, changing nothing, when the instance is in any other lifecycle state (C(Pending), C(Terminating), ...).
  - C(amazon.aws.autoscaling_instance) does the same from amazon.aws 8.0.0 on; this module exists because the
    collection supports amazon.aws 7 (the one bundled with ansible-core 2.16), which has no such module.
author:
  - gamestack.aws contributors (@gamestack)
options:
  instance_id:
    description: The EC2 instance, for example C(i-0123456789abcdef0).
    type: str
    required: true
  state:
    description: V(standby) takes the instance out of service, V(in_service) puts it back.
    type: str
    required: true
    choices: [standby, in_service]
  decrement_desired_capacity:
    description:
      - On V(standby), lower the group's desired capacity by one so that it launches no replacement (it is
        raised again on V(in_service)). V(false) lets the group launch a replacement.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the new lifecycle state.
    type: int
    default: 300
extends_documentation_fragment:
  - gamestack.aws.connection
notes:
  - Supports check mode (reports what it would change) and needs C(autoscaling:DescribeAutoScalingInstances),
    C(autoscaling:EnterStandby) and C(autoscaling:ExitStandby).
"""

EXAMPLES = r"""
- name: Take the bake source out of service
  gamestack.aws.autoscaling_standby:
    instance_id: i-0123456789abcdef0
    state: standby

- name: Put it back, whatever happened
  gamestack.aws.autoscaling_standby:
    instance_id: i-0123456789abcdef0
    state: in_service
"""

RETURN = r"""
group:
  description: The Auto Scaling group of the instance, or V(null) when it is in none.
  returned: always
  type: str
  sample: api-production
before:
  description: The lifecycle state found (V(null) outside any group).
  returned: always
  type: str
  sample: InService
after:
  description: The lifecycle state reached (in check mode, the one that would be reached).
  returned: always
  type: str
  sample: Standby
"""

import re
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gamestack.aws.plugins.module_utils import aws

_INSTANCE_ID = re.compile(r"^i-([0-9a-f]{8}|[0-9a-f]{17})$")
_TARGET = {"standby": "Standby", "in_service": "InService"}
_SOURCE = {"standby": "InService", "in_service": "Standby"}


def lifecycle(client, instance_id):
    """(group name, lifecycle state) of the instance, (None, None) outside any group."""
    found = client.describe_auto_scaling_instances(InstanceIds=[instance_id])["AutoScalingInstances"]
    if not found:
        return None, None
    return found[0]["AutoScalingGroupName"], found[0]["LifecycleState"]


def change(module, client, instance_id, state):
    group, before = lifecycle(client, instance_id)
    target = _TARGET[state]
    result = dict(group=group, before=before, after=before, changed=False)
    if group is None or before == target:
        return result
    if before != _SOURCE[state]:
        module.fail_json(msg="%s is %s in %s, not %s: nothing changed" % (instance_id, before, group, _SOURCE[state]),
                         **result)
    result.update(changed=True, after=target)
    if module.check_mode:
        return result
    if state == "standby":
        client.enter_standby(InstanceIds=[instance_id], AutoScalingGroupName=group,
                             ShouldDecrementDesiredCapacity=module.params["decrement_desired_capacity"])
    else:
        client.exit_standby(InstanceIds=[instance_id], AutoScalingGroupName=group)
    deadline = time.monotonic() + module.params["wait_timeout"]
    while True:
        result["after"] = lifecycle(client, instance_id)[1]
        if result["after"] == target:
            return result
        if time.monotonic() > deadline:
            module.fail_json(msg="%s did not reach %s in %s within %s s (it is %s)"
                             % (instance_id, target, group, module.params["wait_timeout"], result["after"]), **result)
        time.sleep(5)


def main():
    argument_spec = aws.connection_argument_spec()
    argument_spec.update(
        instance_id=dict(type="str", required=True),
        state=dict(type="str", required=True, choices=["standby", "in_service"]),
        decrement_desired_capacity=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    instance_id = module.params["instance_id"]
    if not _INSTANCE_ID.match(instance_id):
        module.fail_json(msg="instance_id %r is not an EC2 instance ID (i- and 8 or 17 hex digits)" % instance_id)
    if module.params["wait_timeout"] < 1:
        module.fail_json(msg="wait_timeout must be a positive number of seconds, got %s" % module.params["wait_timeout"])
    with aws.module_failures(module, "autoscaling_standby"):
        factory = aws.factory_from_module_params(module.params, component="autoscaling_standby")
        client = factory.client("autoscaling", module.params["region"])
        result = change(module, client, instance_id, module.params["state"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
