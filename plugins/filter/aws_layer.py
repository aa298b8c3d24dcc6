# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the AWS layer: gamestack.aws.target_memberships, bake_source and image_prune_plan.

Their documentation is in target_memberships.yml, bake_source.yml and image_prune_plan.yml next to this file. Names are
parsed only through module_utils/naming.py; everything read from AWS is copied as data and returned
marked unsafe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.gamestack.aws.plugins.module_utils import naming

_TG_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/([A-Za-z0-9-]{1,32})/[0-9a-f]+$")


def _app_env(app_env):
    parsed = naming.parse_name(app_env) if isinstance(app_env, str) else None
    if parsed is None or parsed["release"] is not None:
        raise AnsibleFilterError("%r is not an app-env name such as api-production" % (app_env,))
    return parsed["app_env"]


def _remembered(remembered):
    """Registrations an earlier run left deregistered ([{arn, name, port}]), checked like elb_target_info's."""
    kept = []
    for item in remembered or []:
        if not isinstance(item, Mapping):
            raise AnsibleFilterError("target_memberships: remembered registrations must be dicts, got %r" % (item,))
        match = _TG_ARN.match(str(item.get("arn", "")))
        port = item.get("port")
        if not match or isinstance(port, bool) or not str(port).isdigit():
            raise AnsibleFilterError("target_memberships: %r is not a registration (arn, name, port)" % (dict(item),))
        kept.append({"arn": str(item["arn"]), "name": match.group(1), "port": int(port)})
    return kept


def target_memberships(target_groups, instance_id, app_env=None, names=None, remembered=None):
    """``elb_target_info.instance_target_groups | target_memberships(id, app_env, names)`` -> [{arn, name, port}]."""
    if not isinstance(instance_id, str) or not instance_id:
        raise AnsibleFilterError("target_memberships: the instance ID is missing")
    wanted = [str(n) for n in (names or [])]
    if not wanted:
        app_env = _app_env(app_env)
    found = []
    for group in target_groups or []:
        match = _TG_ARN.match(str(group.get("target_group_arn", "")))
        if not match:
            raise AnsibleFilterError("target_memberships: %r is not a target group ARN" % (group.get("target_group_arn"),))
        name = match.group(1)
        if wanted:
            if name not in wanted and str(group["target_group_arn"]) not in wanted:
                continue
        else:
            parsed = naming.parse_name(name)
            if parsed is None or parsed["app_env"] != app_env:
                continue
        for target in group.get("targets") or []:
            if str(target.get("target_id")) == instance_id:
                found.append({"arn": str(group["target_group_arn"]), "name": name, "port": int(target["target_port"])})
    # An earlier run deregistered the instance from these and did not register it again: they no longer list
    # it, and they are its groups all the same (whatever the choice says, so that it is never left out).
    for item in _remembered(remembered):
        if not any(f["arn"] == item["arn"] and f["port"] == item["port"] for f in found):
            found.append(item)
    missing = sorted(set(wanted) - {m["name"] for m in found} - {m["arn"] for m in found})
    if missing:
        raise AnsibleFilterError(
            "target_memberships: %s is not registered in the target group(s) %s" % (instance_id, ", ".join(missing))
        )
    return wrap_var(sorted(found, key=lambda m: (m["name"], m["port"])))


def _health(target_groups, app_env):
    """{instance ID: [health state in each target group of the app-env that lists it]}."""
    health = {}
    for group in target_groups or []:
        parsed = naming.parse_name(str(group.get("target_group_name", "")))
        if parsed is None or parsed["app_env"] != app_env:
            continue
        for target in group.get("targets_health_description") or []:
            health.setdefault(str(target["target"]["id"]), []).append(str(target["target_health"]["state"]))
    return health


def bake_source(instances, target_groups, app_env, source="", allow_last=False):
    """``ec2_instance_info.instances | bake_source(tg_info.target_groups, 'api-production')`` -> the instance to bake."""
    app_env = _app_env(app_env)
    candidates = {}
    for instance in instances or []:
        name = (instance.get("tags") or {}).get("Name")
        parsed = naming.parse_name(str(name)) if name is not None else None
        if parsed and parsed["app_env"] == app_env and (instance.get("state") or {}).get("name") == "running":
            candidates[str(instance["instance_id"])] = {
                "instance_id": str(instance["instance_id"]), "name": parsed["name"],
                "release": parsed["release"] or str((instance.get("tags") or {}).get("release") or ""),
            }
    health = _health(target_groups, app_env)
    serving = sorted(i for i in candidates if health.get(i) and all(s == "healthy" for s in health[i]))
    if source:
        if source not in candidates:
            raise AnsibleFilterError("bake_source: %s is not a running instance of %s" % (source, app_env))
        chosen = source
    elif health:
        if not serving:
            raise AnsibleFilterError("bake_source: no running instance of %s is healthy in its target groups" % app_env)
        chosen = serving[0]
    elif candidates:
        chosen = sorted(candidates)[0]
    else:
        raise AnsibleFilterError("bake_source: no running instance is named %s or %s-YYYYMMDD-hhmm" % (app_env, app_env))
    if health and not allow_last and not [i for i in serving if i != chosen]:
        raise AnsibleFilterError(
            "bake_source: taking %s out of service would leave %s without a healthy target; add an instance "
            "or set bake_allow_last_instance: true" % (chosen, app_env))
    return wrap_var(candidates[chosen])


def _in_use(value):
    if not isinstance(value, (list, tuple, set)):
        raise AnsibleFilterError("image_prune_plan: in_use must be a list of image IDs, got %r" % (value,))
    return {str(v) for v in value if v}


def image_prune_plan(images, app_env, keep, in_use=()):
    """``ec2_ami_info.images | image_prune_plan('api-production', 3, in_use_ids)`` -> {keep: [...], prune: [...]}."""
    app_env = _app_env(app_env)
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
        raise AnsibleFilterError("image_prune_plan: keep must be a whole number (0 or more), got %r" % (keep,))
    used = _in_use(in_use)
    ours = []
    for image in images or []:
        if not isinstance(image, Mapping):
            raise AnsibleFilterError("image_prune_plan: %r is not an image" % (image,))
        parsed = naming.parse_name(str(image.get("name", "")))
        if parsed is None or parsed["app_env"] != app_env or parsed["release"] is None:
            continue
        snapshots = sorted(
            str(m["ebs"]["snapshot_id"])
            for m in image.get("block_device_mappings") or []
            if isinstance(m.get("ebs"), Mapping) and m["ebs"].get("snapshot_id")
        )
        ours.append((parsed["release"], str(image["image_id"]), parsed["name"], snapshots))
    ours.sort(reverse=True)
    plan = {"keep": [], "prune": []}
    for index, (release, image_id, name, snapshots) in enumerate(ours):
        row = {"image_id": image_id, "name": name, "release": release, "snapshots": snapshots}
        if index < keep:
            row["reason"] = "newest %d" % keep
        elif image_id in used:
            row["reason"] = "in use"
        else:
            plan["prune"].append(row)
            continue
        plan["keep"].append(row)
    return wrap_var(plan)


class FilterModule:
    def filters(self):
        return {
            "target_memberships": target_memberships,
            "image_prune_plan": image_prune_plan,
            "bake_source": bake_source,
        }
