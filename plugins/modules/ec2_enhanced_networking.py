#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_enhanced_networking
short_description: Set the ENA and Intel 82599 VF enhanced networking attributes of EC2 instances
version_added: 0.1.0
description:
  - Sets C(enaSupport) and/or C(sriovNetSupport) on existing EC2 instances, the API equivalent of
    C(aws ec2 modify-instance-attribute --ena-support) and C(--sriov-net-support simple).
  - Reads the current state first and changes nothing when it is already as requested.
  - AWS only accepts these attributes on a stopped instance. A running instance is refused unless
    O(stop_if_needed=true); then the module stops it, waits until it is stopped, sets the attributes,
    starts it again and (with O(wait=true)) waits until it runs.
  - Knows which instance families support ENA, the Intel 82599 VF (C(ixgbevf)) or neither, and refuses
    an unsupported combination naming the instance and its type. An instance family that is not in
    its table is refused too.
  - Every requested instance is checked before anything is changed. If any of them is unknown,
    terminated or unsupported, the module fails and no instance is touched.
  - Set the attribute only after the operating system has the driver (and has it in its initramfs);
    otherwise the instance is unreachable after the next start. The role
    P(gamestack.aws.enhanced_networking#role) prepares the host and then calls this module.
author:
  - gamestack.aws contributors (@gamestack)
options:
  instance_ids:
    description:
      - IDs of the instances to change.
      - Mutually exclusive with O(filters); one of the two is required.
    type: list
    elements: str
  filters:
    description:
      - "EC2 C(DescribeInstances) filters selecting the instances, for example
        C({'tag:Name': 'api-production', 'instance-state-name': ['running', 'stopped']})."
      - Terminated and shutting-down instances that match are ignored.
      - An empty dict, or a filter with an empty list of values, is refused, because it would select every
        instance of the region.
      - Mutually exclusive with O(instance_ids); one of the two is required.
    type: dict
  ena:
    description:
      - V(true) sets C(enaSupport), V(false) clears it. Unset leaves it alone.
      - V(false) is refused on Nitro instance types, where ENA is the only network device.
    type: bool
  sriov_net_support:
    description:
      - V(simple) enables the Intel 82599 Virtual Function (C(ixgbevf)) on instance types that have it
        (c3, c4, d2, i2, m4 except m4.16xlarge, r3).
      - AWS cannot switch C(sriovNetSupport) off again once it is set, so there is no value to unset it.
    type: str
    choices: [simple]
  stop_if_needed:
    description:
      - Stop running instances that need a change, set the attributes, and start them again.
      - When V(false), a running instance that needs a change makes the module fail (and change nothing).
    type: bool
    default: false
  allow_autoscaling_members:
    description:
      - An instance that must be stopped and is a member of an Auto Scaling group is refused unless this is
        V(true), because Auto Scaling counts a stopped member as unhealthy and replaces (terminates) it.
      - When V(true), the C(HealthCheck) and C(ReplaceUnhealthy) processes of each such group are suspended
        before the stop and resumed once the instances run again (processes that were already suspended stay
        suspended). The module then waits until the instances run, whatever O(wait) says.
      - Other processes (scaling policies, scheduled actions, C(AZRebalance)) keep running; a scale-in during the
        change may still pick the instance.
    type: bool
    default: false
  wait:
    description:
      - Wait until the instances that were started again are running.
      - Stopping always waits, because AWS only accepts the attributes on a stopped instance.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each state change (stopped, running).
    type: int
    default: 600
extends_documentation_fragment:
  - gamestack.aws.connection
notes:
  - Supports check mode (reports the plan, changes nothing) and diff mode.
  - Stopping an instance loses its instance store data and changes its public IPv4 address unless it
    has an Elastic IP.
  - When a stop or an attribute change fails, the instances already stopped are still started again; a stop
    that did not finish in time is waited for (O(wait_timeout)) first, because AWS starts only a stopped
    instance. The error then names what failed while stopping and what failed while starting.
attributes:
  check_mode:
    support: full
    description: Reads the instances, reports the plan (stop, attribute, start) and changes nothing.
  diff_mode:
    support: full
    description: The state of each instance before and after, keyed by instance ID.
"""

EXAMPLES = r"""
- name: Enable ENA on two stopped instances
  gamestack.aws.ec2_enhanced_networking:
    instance_ids: [i-0123456789abcdef0, i-0fedcba9876543210]
    ena: true

- name: Enable ENA on the realtime production fleet, stopping and starting where needed
  gamestack.aws.ec2_enhanced_networking:
    filters:
      "tag:Name": realtime-production
      instance-state-name: [running, stopped]
    ena: true
    stop_if_needed: true
    wait_timeout: 900
  register: en

- name: Intel 82599 VF on a c4 instance
  gamestack.aws.ec2_enhanced_networking:
    instance_ids: [i-0123456789abcdef0]
    sriov_net_support: simple
    stop_if_needed: true
"""

RETURN = r"""
instances:
  description: One entry per selected instance, in the order given (or found).
  returned: always
  type: list
  elements: dict
  contains:
    instance_id:
      description: The instance ID.
      type: str
      sample: i-0123456789abcdef0
    instance_type:
      description: The instance type.
      type: str
      sample: c5.large
    driver:
      description: The enhanced networking the type supports, V(ena), V(ixgbevf) or V(none).
      type: str
      sample: ena
    before:
      description: State read before any change.
      type: dict
      contains:
        ena_support:
          description: Whether C(enaSupport) is set.
          type: bool
        sriov_net_support:
          description: The C(sriovNetSupport) value, V(simple) or null.
          type: str
        state:
          description: The instance state name.
          type: str
      sample: {"ena_support": false, "sriov_net_support": null, "state": "running"}
    after:
      description: State read after the change (in check mode, the predicted state).
      type: dict
      sample: {"ena_support": true, "sriov_net_support": null, "state": "running"}
    changed:
      description: Whether this instance was (or in check mode would be) changed.
      type: bool
    actions:
      description: What was (or in check mode would be) done, in order.
      type: list
      elements: str
      sample: ["stop", "enaSupport=true", "start"]
changed:
  description: Whether any instance was (or would be) changed.
  returned: always
  type: bool
"""

import re
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gamestack.aws.plugins.module_utils import aws
from ansible_collections.gamestack.aws.plugins.module_utils import instance_families

try:
    import botocore.exceptions
except ImportError:  # pragma: no cover - reported through aws.require_boto3()
    botocore = None

INSTANCE_ID = re.compile(r"^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
RUNNING_STATES = ("pending", "running")
REPLACEMENT_PROCESSES = ("HealthCheck", "ReplaceUnhealthy")
GONE_STATES = ("shutting-down", "terminated")
POLL_SECONDS = 5


class EnhancedNetworkingError(Exception):
    pass


AWS_ERRORS = (EnhancedNetworkingError,) + (
    (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) if botocore else ())


def state_of(instance):
    return {
        "ena_support": bool(instance.get("EnaSupport", False)),
        "sriov_net_support": instance.get("SriovNetSupport") or None,
        "state": instance["State"]["Name"],
    }


def describe(ec2, instance_ids=None, filters=None):
    """Instances by ID (in that order, missing ones absent) or by filters; a dict id -> instance."""
    kwargs = {}
    if instance_ids is not None:
        # A filter instead of InstanceIds: AWS then answers for the IDs that exist instead of
        # failing on the first unknown one, so the error can name every unknown ID at once.
        kwargs["Filters"] = [{"Name": "instance-id", "Values": list(instance_ids)}]
    else:
        kwargs["Filters"] = filters
    found = {}
    for page in ec2.get_paginator("describe_instances").paginate(**kwargs):
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                found[instance["InstanceId"]] = instance
    return found


def filter_list(filters):
    """amazon.aws style filters dict -> boto3 Filters list (values may be a scalar or a list).

    An empty selection is refused: DescribeInstances without filters answers every instance of the region."""
    if not filters:
        raise EnhancedNetworkingError("filters is empty: it would select every instance of the region;"
                                      " name the instances with instance_ids or filters")
    result = []
    for name, value in filters.items():
        values = value if isinstance(value, list) else [value]
        if not values:
            raise EnhancedNetworkingError("filter %r has no values: it would not narrow the selection" % name)
        result.append({"Name": str(name), "Values": [str(v).lower() if isinstance(v, bool) else str(v) for v in values]})
    return result


def plan_instance(instance, ena, sriov, stop_if_needed):
    """Return (plan, problems) for one instance. The plan lists the attribute changes and stop/start."""
    iid = instance["InstanceId"]
    itype = instance.get("InstanceType", "?")
    before = state_of(instance)
    problems = []
    try:
        info = instance_families.classify(itype)
        problems.extend("%s: %s" % (iid, p) for p in instance_families.request_problems(itype, ena, sriov))
    except instance_families.InstanceTypeError as exc:
        return None, ["%s: %s" % (iid, exc)]
    if before["state"] in GONE_STATES:
        problems.append("%s (%s) is %s; its attributes cannot be changed" % (iid, itype, before["state"]))
    changes = []
    if ena is not None and before["ena_support"] != ena:
        changes.append(("enaSupport", "true" if ena else "false"))
    if sriov is not None and before["sriov_net_support"] != sriov:
        changes.append(("sriovNetSupport", sriov))
    must_stop = bool(changes) and before["state"] in RUNNING_STATES
    if must_stop and not stop_if_needed:
        problems.append(
            "%s (%s) is %s; AWS sets %s only on a stopped instance. Stop it first or set stop_if_needed=true"
            % (iid, itype, before["state"], " and ".join(name for name, _value in changes))
        )
    actions = (["stop"] if must_stop else []) + ["%s=%s" % c for c in changes] + (["start"] if must_stop else [])
    after = dict(before)
    if ena is not None:
        after["ena_support"] = ena
    if sriov is not None:
        after["sriov_net_support"] = sriov
    plan = {
        "instance_id": iid,
        "instance_type": itype,
        "driver": info["driver"],
        "before": before,
        "after": after,
        "changed": bool(changes),
        "actions": actions,
        "_changes": changes,
        "_must_stop": must_stop,
        "_wait_stopped": bool(changes) and before["state"] == "stopping",
    }
    return plan, problems


def wait_for_state(ec2, instance_ids, wanted, timeout):
    """Poll until every instance is in state ``wanted``; raise naming the ones that are not."""
    deadline = time.monotonic() + timeout
    pending = set(instance_ids)
    while True:
        current = describe(ec2, instance_ids=sorted(pending))
        pending = {iid for iid in pending if current.get(iid, {}).get("State", {}).get("Name") != wanted}
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise EnhancedNetworkingError(
                "timed out after %ss waiting for %s to be %s (states: %s)"
                % (timeout, ", ".join(sorted(pending)), wanted,
                   ", ".join("%s=%s" % (i, current.get(i, {}).get("State", {}).get("Name", "missing"))
                             for i in sorted(pending)))
            )
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def autoscaling_groups_of(autoscaling, instance_ids):
    """{instance id: Auto Scaling group name} of those of ``instance_ids`` that are group members."""
    groups = {}
    ids = sorted(instance_ids)
    for start in range(0, len(ids), 50):  # DescribeAutoScalingInstances takes at most 50 IDs
        answer = autoscaling.describe_auto_scaling_instances(InstanceIds=ids[start:start + 50])
        for member in answer["AutoScalingInstances"]:
            groups[member["InstanceId"]] = member["AutoScalingGroupName"]
    return groups


def suspend_replacement(autoscaling, groups):
    """Suspend the health check replacement of ``groups``; return {group: processes this call suspended}."""
    suspended = {}
    for name in groups:
        found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        already = {p["ProcessName"] for g in found for p in g.get("SuspendedProcesses", [])}
        processes = [p for p in REPLACEMENT_PROCESSES if p not in already]
        if processes:
            autoscaling.suspend_processes(AutoScalingGroupName=name, ScalingProcesses=processes)
            suspended[name] = processes
    return suspended


def apply(ec2, plans, wait, wait_timeout, autoscaling=None):
    """Stop what must be stopped, set the attributes, start again; raise naming every step that failed.

    What was stopped is always started again, after waiting for ``stopped`` when the stop phase failed (AWS
    starts only a stopped instance), so that a stop that timed out is reported, not hidden by the start's error.
    """
    todo = [p for p in plans if p["changed"]]
    to_stop = [p["instance_id"] for p in todo if p["_must_stop"]]
    to_wait = to_stop + [p["instance_id"] for p in todo if p["_wait_stopped"]]
    groups = sorted({p["_autoscaling_group"] for p in todo if p["_must_stop"] and p.get("_autoscaling_group")})
    errors, stopped, suspended = [], [], {}
    try:
        try:
            if groups:
                suspended = suspend_replacement(autoscaling, groups)
            if to_stop:
                ec2.stop_instances(InstanceIds=to_stop)
                stopped = list(to_stop)
            if to_wait:
                wait_for_state(ec2, to_wait, "stopped", wait_timeout)
            for plan in todo:
                for attribute, value in plan["_changes"]:
                    # Attribute/Value form on purpose: EnaSupport={'Value': ...} is not honoured everywhere
                    # (moto ignores it and drops the security groups).
                    ec2.modify_instance_attribute(InstanceId=plan["instance_id"], Attribute=attribute, Value=value)
        except AWS_ERRORS as exc:
            errors.append("while stopping and setting the attributes: %s" % exc)
        if stopped:
            try:
                if errors:
                    wait_for_state(ec2, stopped, "stopped", wait_timeout)
                ec2.start_instances(InstanceIds=stopped)
                if wait or groups:
                    wait_for_state(ec2, stopped, "running", wait_timeout)
            except AWS_ERRORS as exc:
                errors.append("while starting %s again: %s" % (", ".join(stopped), exc))
    finally:
        for name, processes in sorted(suspended.items()):
            try:
                autoscaling.resume_processes(AutoScalingGroupName=name, ScalingProcesses=processes)
            except AWS_ERRORS as exc:
                errors.append("while resuming %s of Auto Scaling group %s: %s" % (", ".join(processes), name, exc))
    if errors:
        raise EnhancedNetworkingError("; ".join(errors))


def public(plan):
    return {k: v for k, v in plan.items() if not k.startswith("_")}


def main():
    argument_spec = aws.connection_argument_spec()
    argument_spec.update(
        instance_ids=dict(type="list", elements="str"),
        filters=dict(type="dict"),
        ena=dict(type="bool"),
        sriov_net_support=dict(type="str", choices=["simple"]),
        stop_if_needed=dict(type="bool", default=False),
        allow_autoscaling_members=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("instance_ids", "filters")],
        required_one_of=[("instance_ids", "filters"), ("ena", "sriov_net_support")],
        supports_check_mode=True,
    )
    params = module.params
    ena, sriov = params["ena"], params["sriov_net_support"]
    if params["wait_timeout"] <= 0:
        module.fail_json(msg="wait_timeout must be a positive number of seconds, got %s" % params["wait_timeout"])

    instance_ids = None
    if params["instance_ids"] is not None:
        instance_ids = []
        for iid in params["instance_ids"]:
            iid = (iid or "").strip()
            if iid not in instance_ids:
                instance_ids.append(iid)
        malformed = [i for i in instance_ids if not INSTANCE_ID.match(i)]
        if malformed:
            module.fail_json(msg="malformed instance ID(s): %s (expected i- and 8 or 17 hex digits); nothing changed"
                             % ", ".join(repr(i) for i in malformed))
        if not instance_ids:
            module.fail_json(msg="instance_ids is empty; nothing to do")

    with aws.module_failures(module, "ec2_enhanced_networking"):
        factory = aws.factory_from_module_params(params, component="ec2_enhanced_networking")
        ec2 = factory.client("ec2", params["region"])
        if instance_ids is not None:
            found = describe(ec2, instance_ids=instance_ids)
            missing = [i for i in instance_ids if i not in found]
            if missing:
                module.fail_json(msg="instance ID(s) not found: %s; nothing changed" % ", ".join(missing),
                                 missing_instance_ids=missing)
            instances = [found[i] for i in instance_ids]
        else:
            try:
                filters = filter_list(params["filters"])
            except EnhancedNetworkingError as exc:
                module.fail_json(msg="refused, nothing changed: %s" % exc)
            found = describe(ec2, filters=filters)
            instances = [i for i in found.values() if i["State"]["Name"] not in GONE_STATES]

        plans, problems = [], []
        for instance in instances:
            plan, instance_problems = plan_instance(instance, ena, sriov, params["stop_if_needed"])
            problems.extend(instance_problems)
            if plan:
                plans.append(plan)
        autoscaling = None
        must_stop = [p for p in plans if p["_must_stop"]]
        if must_stop:
            autoscaling = factory.client("autoscaling", params["region"])
            members = autoscaling_groups_of(autoscaling, [p["instance_id"] for p in must_stop])
            for plan in must_stop:
                group = members.get(plan["instance_id"])
                plan["autoscaling_group"] = plan["_autoscaling_group"] = group
                if group and not params["allow_autoscaling_members"]:
                    problems.append(
                        "%s is a member of the Auto Scaling group %s, which replaces a stopped member; set"
                        " allow_autoscaling_members=true to suspend its health check replacement around the stop"
                        % (plan["instance_id"], group))
        if problems:
            module.fail_json(msg="refused, nothing changed: " + "; ".join(problems), problems=problems,
                             instances=[public(p) for p in plans])
        if not instances:
            module.warn("no instance matched the filters %s" % params["filters"])

        changed = any(p["changed"] for p in plans)
        if changed and not module.check_mode:
            try:
                apply(ec2, plans, params["wait"], params["wait_timeout"], autoscaling)
            except AWS_ERRORS as exc:
                module.fail_json(
                    msg="failed while changing %s; some of them may be changed, stopped or starting: %s"
                    % (", ".join(p["instance_id"] for p in plans if p["changed"]), exc),
                    changed=True, instances=[public(p) for p in plans])
            now = describe(ec2, instance_ids=[p["instance_id"] for p in plans if p["changed"]])
            for plan in plans:
                if plan["changed"] and plan["instance_id"] in now:
                    plan["after"] = state_of(now[plan["instance_id"]])

    result = dict(changed=changed, instances=[public(p) for p in plans])
    if module._diff:
        result["diff"] = {
            "before": {p["instance_id"]: p["before"] for p in plans},
            "after": {p["instance_id"]: p["after"] for p in plans},
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
