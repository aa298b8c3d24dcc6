#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: image_usage
short_description: Which AMIs of an app-env are in use by its launch template, Auto Scaling groups and instances
version_added: 0.2.0
description:
  - Reads, for one app-env (for example C(api-production)), the launch template named by the rule, the Auto
    Scaling groups that use it (directly or through a mixed instances policy), and the instances that run an
    image named C(app-env-YYYYMMDD-hhmm).
  - Resolves the versions C($Latest) and C($Default) to version numbers and each version in use to its AMI.
  - Returns C(in_use), the image IDs no pruning may remove; the role P(gamestack.aws.bake#role) uses it
    for its plan and its prune step.
  - Reads only; changes nothing. amazon.aws 7 has no launch template info module, and no well-kept module
    resolves the version an Auto Scaling group uses to an image.
author:
  - gamestack.aws contributors (@gamestack)
options:
  app_env:
    description: The app-env, for example C(api-production).
    type: str
    required: true
extends_documentation_fragment:
  - gamestack.aws.connection
notes:
  - Needs C(ec2:DescribeLaunchTemplates), C(ec2:DescribeLaunchTemplateVersions), C(ec2:DescribeImages),
    C(ec2:DescribeInstances) and C(autoscaling:DescribeAutoScalingGroups).
"""

EXAMPLES = r"""
- name: What the prune must keep
  gamestack.aws.image_usage:
    app_env: api-production
  register: usage
"""

RETURN = r"""
template:
  description: The launch template named like the app-env, or V(null).
  returned: always
  type: dict
  contains:
    name:
      description: Its name.
      type: str
    id:
      description: Its ID.
      type: str
    latest_version:
      description: The latest version number.
      type: int
    default_version:
      description: The default version number.
      type: int
    latest_image:
      description: The AMI of the latest version (V(null) when it sets none).
      type: str
groups:
  description: Auto Scaling groups that use the template, by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The group.
      type: str
    version:
      description: The version as the group names it (C(3), C($Latest), C($Default)).
      type: str
    version_number:
      description: The version number it resolves to.
      type: int
    image_id:
      description: The AMI of that version.
      type: str
instances:
  description: "Non-terminated instances that run an image of the app-env, C({instance ID: image ID})."
  returned: always
  type: dict
in_use:
  description: Sorted AMI IDs in use (versions used by groups, the default and latest versions, instances).
  returned: always
  type: list
  elements: str
"""


from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gamestack.aws.plugins.module_utils import aws, naming

try:
    import botocore
except ImportError:  # pragma: no cover - reported by aws.require_boto3
    botocore = None

_LIVE = ["pending", "running", "stopping", "stopped", "shutting-down"]


def template_versions(ec2, name):
    """(template, {version number: image ID or None}) of the template, (None, {}) when there is none."""
    try:
        template = ec2.describe_launch_templates(LaunchTemplateNames=[name])["LaunchTemplates"][0]
    except botocore.exceptions.ClientError as exc:
        if aws.error_code(exc) in ("InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateId.NotFound"):
            return None, {}
        raise
    versions = {}
    for page in ec2.get_paginator("describe_launch_template_versions").paginate(LaunchTemplateId=template["LaunchTemplateId"]):
        for version in page["LaunchTemplateVersions"]:
            versions[int(version["VersionNumber"])] = version.get("LaunchTemplateData", {}).get("ImageId")
    return template, versions


def groups_using(autoscaling, template, versions):
    """The groups whose launch template (or mixed instances policy template) is ``template``."""
    latest, default = int(template["LatestVersionNumber"]), int(template["DefaultVersionNumber"])
    found = []
    for page in autoscaling.get_paginator("describe_auto_scaling_groups").paginate():
        for group in page["AutoScalingGroups"]:
            spec = group.get("LaunchTemplate") or (
                group.get("MixedInstancesPolicy", {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification")
            ) or {}
            if template["LaunchTemplateId"] != spec.get("LaunchTemplateId") and template["LaunchTemplateName"] != spec.get("LaunchTemplateName"):
                continue
            version = str(spec.get("Version") or "$Default")
            number = {"$Latest": latest, "$Default": default}.get(version)
            if number is None:
                number = int(version)
            found.append({"name": group["AutoScalingGroupName"], "version": version, "version_number": number,
                          "image_id": versions.get(number)})
    return sorted(found, key=lambda g: g["name"])


def instances_running(ec2, app_env):
    """{instance ID: image ID} of the live instances that run an image named app-env-YYYYMMDD-hhmm."""
    images = ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [app_env + "-*"]}])["Images"]
    ids = sorted(i["ImageId"] for i in images if (naming.parse_name(i.get("Name", "")) or {}).get("app_env") == app_env)
    found = {}
    for start in range(0, len(ids), 200):
        filters = [{"Name": "image-id", "Values": ids[start:start + 200]},
                   {"Name": "instance-state-name", "Values": _LIVE}]
        for page in ec2.get_paginator("describe_instances").paginate(Filters=filters):
            for reservation in page["Reservations"]:
                for instance in reservation["Instances"]:
                    found[instance["InstanceId"]] = instance["ImageId"]
    return found


def usage(ec2, autoscaling, app_env):
    template, versions = template_versions(ec2, app_env)
    result = {"template": None, "groups": [], "instances": instances_running(ec2, app_env)}
    in_use = set(result["instances"].values())
    if template:
        latest, default = int(template["LatestVersionNumber"]), int(template["DefaultVersionNumber"])
        result["template"] = {"name": template["LaunchTemplateName"], "id": template["LaunchTemplateId"],
                              "latest_version": latest, "default_version": default,
                              "latest_image": versions.get(latest)}
        result["groups"] = groups_using(autoscaling, template, versions)
        in_use.update(versions.get(v) for v in (latest, default))
        in_use.update(g["image_id"] for g in result["groups"])
    result["in_use"] = sorted(i for i in in_use if i)
    return result


def main():
    argument_spec = aws.connection_argument_spec()
    argument_spec.update(app_env=dict(type="str", required=True))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    parsed = naming.parse_name(module.params["app_env"])
    if parsed is None or parsed["release"] is not None:
        module.fail_json(msg="app_env %r is not an app-env name such as api-production" % module.params["app_env"])
    with aws.module_failures(module, "image_usage"):
        factory = aws.factory_from_module_params(module.params, component="image_usage")
        region = module.params["region"]
        result = usage(factory.client("ec2", region), factory.client("autoscaling", region), parsed["app_env"])
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
