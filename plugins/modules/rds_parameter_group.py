#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rds_parameter_group
short_description: An RDS DB parameter group or Aurora DB cluster parameter group with given parameter values
version_added: 0.1.0
author: gamestack.aws contributors (@gamestack)
description:
  - Creates a DB parameter group (O(kind=instance)) or a DB cluster parameter group (O(kind=cluster),
    Aurora) of a family and sets the given parameters; only parameters whose value differs are modified.
  - Every input is checked before anything is created or modified; a bad name, a value that is
    not a scalar, a parameter the family does not have (with O(check_names=true)) is an error that names it.
  - Parameters that are not listed are left as they are (never reset).
  - Used by the role gamestack.aws.rds_mysql_params. C(amazon.aws.rds_instance_param_group) checks names
    against the parameter list of the group itself, which moto (the local API used by the tests) does not
    provide; this module asks for the family's engine defaults instead and can skip the check.
options:
  name:
    description: Name of the parameter group (letters, digits, hyphens; starts with a letter).
    type: str
    required: true
  kind:
    description: V(instance) for a DB parameter group, V(cluster) for an Aurora DB cluster parameter group.
    type: str
    choices: [instance, cluster]
    default: instance
  family:
    description:
      - The parameter group family, for example C(mysql8.0), C(mysql8.4) or C(aurora-mysql8.0). Required with
        O(state=present). The family of an existing group cannot change; a different family is an error.
    type: str
  description:
    description: Description of a group the module creates (an existing group's description cannot change).
    type: str
    default: Managed by gamestack.aws
  parameters:
    description:
      - Parameter names and values. Values are sent as strings; V(true)/V(false) become C(1)/C(0).
    type: dict
    default: {}
  apply_method:
    description:
      - How changes are applied. With O(check_names=true) parameters that the engine marks C(static)
        are always applied V(pending-reboot).
    type: str
    choices: [immediate, pending-reboot]
    default: immediate
  check_names:
    description:
      - Check every name against the family's parameters (DescribeEngineDefaultParameters or
        DescribeEngineDefaultClusterParameters) before any change, and refuse parameters that are not modifiable.
      - Set to V(false) where that call is not available (moto does not implement it); AWS itself then
        rejects an unknown name when the group is modified.
    type: bool
    default: true
  state:
    description: V(absent) deletes the group.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - gamestack.aws.connection
attributes:
  check_mode:
    support: full
    description: Reads the group and reports what would change.
  diff_mode:
    support: full
    description: Shows the parameters before and after.
"""

EXAMPLES = r"""
- name: MySQL 8.0 group for fast OLTP
  gamestack.aws.rds_parameter_group:
    name: game-production
    family: mysql8.0
    parameters:
      innodb_flush_log_at_trx_commit: 2

- name: Aurora MySQL 3 cluster-level parameters
  gamestack.aws.rds_parameter_group:
    name: game-production
    kind: cluster
    family: aurora-mysql8.0
    parameters:
      innodb_trx_commit_allow_data_loss: 1
      innodb_flush_log_at_trx_commit: 2
"""

RETURN = r"""
group:
  description: The group, empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Group name.
      type: str
    family:
      description: Parameter group family.
      type: str
    description:
      description: Group description.
      type: str
    arn:
      description: Group ARN.
      type: str
    kind:
      description: V(instance) or V(cluster).
      type: str
parameters:
  description: The values of the given parameters after the run (strings).
  returned: always
  type: dict
  sample: {innodb_flush_log_at_trx_commit: "2"}
modified:
  description: Names of the parameters that were (or in check mode would be) modified.
  returned: always
  type: list
  elements: str
created:
  description: Whether the group was (or would be) created.
  returned: always
  type: bool
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gamestack.aws.plugins.module_utils import aws

try:
    import botocore
except ImportError:  # pragma: no cover - reported by aws.require_boto3
    botocore = None

_GROUP_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?!-)){0,254}$")
_PARAMETER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")
MODIFY_BATCH = 20  # ModifyDBParameterGroup takes at most 20 parameters per call


class Api:
    """The instance and cluster flavours of the RDS parameter group calls, behind one interface."""

    def __init__(self, rds, kind):
        self.rds = rds
        self.kind = kind
        self.cluster = kind == "cluster"

    def describe_group(self, name):
        try:
            if self.cluster:
                groups = self.rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=name)
                groups = groups.get("DBClusterParameterGroups", [])
            else:
                groups = self.rds.describe_db_parameter_groups(DBParameterGroupName=name).get("DBParameterGroups", [])
        except botocore.exceptions.ClientError as exc:
            if aws.error_code(exc) in ("DBParameterGroupNotFound", "DBClusterParameterGroupNotFound"):
                return None
            raise
        if not groups:
            return None
        group = groups[0]
        return {
            "name": name,
            "family": group.get("DBParameterGroupFamily"),
            "description": group.get("Description"),
            "arn": group.get("DBClusterParameterGroupArn" if self.cluster else "DBParameterGroupArn"),
            "kind": self.kind,
        }

    def create_group(self, name, family, description):
        if self.cluster:
            self.rds.create_db_cluster_parameter_group(
                DBClusterParameterGroupName=name, DBParameterGroupFamily=family, Description=description
            )
        else:
            self.rds.create_db_parameter_group(
                DBParameterGroupName=name, DBParameterGroupFamily=family, Description=description
            )

    def delete_group(self, name):
        if self.cluster:
            self.rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName=name)
        else:
            self.rds.delete_db_parameter_group(DBParameterGroupName=name)

    def current_values(self, name):
        """{name: value} of the group's parameters that have a value."""
        values = {}
        marker = None
        while True:
            kwargs = {"Marker": marker} if marker else {}
            if self.cluster:
                page = self.rds.describe_db_cluster_parameters(DBClusterParameterGroupName=name, **kwargs)
            else:
                page = self.rds.describe_db_parameters(DBParameterGroupName=name, **kwargs)
            for param in page.get("Parameters", []):
                if "ParameterValue" in param:
                    values[param["ParameterName"]] = param["ParameterValue"]
            marker = page.get("Marker")
            if not marker:
                return values

    def modify(self, name, parameters):
        for start in range(0, len(parameters), MODIFY_BATCH):
            batch = parameters[start:start + MODIFY_BATCH]
            if self.cluster:
                self.rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=batch)
            else:
                self.rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=batch)

    def engine_defaults(self, family):
        """{name: parameter} of the family, from DescribeEngineDefault(Cluster)Parameters."""
        catalog = {}
        marker = None
        while True:
            kwargs = {"Marker": marker} if marker else {}
            if self.cluster:
                page = self.rds.describe_engine_default_cluster_parameters(DBParameterGroupFamily=family, **kwargs)
            else:
                page = self.rds.describe_engine_default_parameters(DBParameterGroupFamily=family, **kwargs)
            defaults = page.get("EngineDefaults", {})
            for param in defaults.get("Parameters", []):
                catalog[param["ParameterName"]] = param
            marker = defaults.get("Marker")
            if not marker:
                return catalog


def normalize_values(parameters):
    """Return ({name: str value}, [errors]) for the user's parameters dict."""
    values, errors = {}, []
    for name, value in sorted((parameters or {}).items()):
        if not isinstance(name, str) or not _PARAMETER_NAME.match(name):
            errors.append("parameter name %r is not a valid parameter name" % (name,))
            continue
        if isinstance(value, bool):
            values[name] = "1" if value else "0"
        elif isinstance(value, (int, float, str)) and value != "":
            values[name] = str(value)
        else:
            errors.append("parameter %s has value %r; a value must be a non-empty string or a number" % (name, value))
    return values, errors


def check_against_catalog(values, catalog, family):
    """Errors for names the family does not have or cannot modify; and the names that are static."""
    errors, static = [], set()
    for name in sorted(values):
        param = catalog.get(name)
        if param is None:
            errors.append("parameter %s does not exist in family %s" % (name, family))
        elif param.get("IsModifiable") is False:
            errors.append("parameter %s is not modifiable in family %s" % (name, family))
        elif param.get("ApplyType") == "static":
            static.add(name)
    return errors, static


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        kind=dict(type="str", choices=["instance", "cluster"], default="instance"),
        family=dict(type="str"),
        description=dict(type="str", default="Managed by gamestack.aws"),
        parameters=dict(type="dict", default={}),
        apply_method=dict(type="str", choices=["immediate", "pending-reboot"], default="immediate"),
        check_names=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    argument_spec.update(aws.connection_argument_spec())
    module = AnsibleModule(
        argument_spec=argument_spec, supports_check_mode=True, required_if=[("state", "present", ["family"])]
    )
    p = module.params
    name, kind, family = p["name"], p["kind"], p["family"]

    def fail(msg, **extra):
        module.fail_json(msg="rds_parameter_group %s: %s" % (name, msg), **extra)

    if not _GROUP_NAME.match(name) or name.endswith("-"):
        fail("%r is not a valid parameter group name (letters, digits and single hyphens, starting with a letter,"
             " at most 255 characters)" % name)
    values, errors = normalize_values(p["parameters"])
    if errors:
        fail("; ".join(errors))
    with aws.module_failures(module, "rds_parameter_group %s" % name):
        factory = aws.factory_from_module_params(p, component="rds_parameter_group")
        api = Api(factory.client("rds", p["region"]), kind)
        group = api.describe_group(name)
        if p["state"] == "absent":
            if group and not module.check_mode:
                api.delete_group(name)
            module.exit_json(changed=bool(group), group={}, parameters={}, modified=[], created=False)

        if group and group["family"] != family:
            fail("the group exists with family %s; the family cannot change to %s (use another name)"
                 % (group["family"], family))
        static = set()
        if p["check_names"] and values:
            try:
                catalog = api.engine_defaults(family)
            except aws.aws_errors() as exc:  # an AWS error or an unparsable answer: the names cannot be checked
                fail("could not list the parameters of family %s to check the names (%s: %s); a family that does"
                     " not exist fails here too; set check_names=false to skip the check" % (family, aws.error_code(exc), exc))
            if not catalog:
                fail("family %s has no parameters (is it a %s parameter group family?)" % (family, kind))
            errors, static = check_against_catalog(values, catalog, family)
            if errors:
                fail("; ".join(errors))

        current = api.current_values(name) if group else {}
        modified = sorted(n for n, v in values.items() if current.get(n) != v)
        created = group is None
        if not module.check_mode:
            if created:
                api.create_group(name, family, p["description"])
            if modified:
                api.modify(name, [
                    {"ParameterName": n, "ParameterValue": values[n],
                     "ApplyMethod": "pending-reboot" if n in static else p["apply_method"]}
                    for n in modified
                ])
            group = api.describe_group(name)
        elif created:
            group = {"name": name, "family": family, "description": p["description"], "arn": None, "kind": kind}

    before = {n: current.get(n) for n in values if n in current}
    module.exit_json(
        changed=created or bool(modified),
        group=group,
        parameters=values,
        modified=modified,
        created=created,
        diff={"before": {"group": None if created else name, "parameters": before},
              "after": {"group": name, "parameters": values}},
    )


if __name__ == "__main__":
    main()
