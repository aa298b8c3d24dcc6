#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: image_catalog
short_description: Every own AMI parsed by the naming rule, newest release first
version_added: 0.1.0
author: gamestack.aws contributors (@gamestack)
description:
  - Lists the AMIs of O(owners) (default the account itself) and parses each name with the
    C(app-env-YYYYMMDD-hhmm) rule into app, env and release.
  - Images are sorted by release stamp, newest first (ties broken by name, then image ID), and can be
    filtered by app and env.
  - Images whose name does not follow the rule, or has no release stamp, are not dropped; they are
    returned under RV(nonconforming) with the reason.
  - Replaces C(aws ec2 describe-images --owners self | jq -r '.Images[] | [.Name, .ImageId] | @tsv' | awk -F- ... | sort -r).
options:
  app:
    description: Only images of this app (the first part of the name).
    type: str
  env:
    description: Only images of this env (the second part of the name).
    type: str
  owners:
    description: Image owners to list (account IDs, C(self), ...).
    type: list
    elements: str
    default: [self]
extends_documentation_fragment:
  - gamestack.aws.connection
attributes:
  check_mode:
    support: full
    description: The module only reads.
notes:
  - Nonconforming images are never filtered by O(app) / O(env), since they have neither.
  - When O(app) and O(env) are both set, only names C(app-env-*) are requested from the API.
"""

EXAMPLES = r"""
- name: All own images, newest first
  gamestack.aws.image_catalog:
  register: catalog

- name: Images of api in production
  gamestack.aws.image_catalog:
    app: api
    env: production
  register: api_images

- name: Deregister all but the three newest api-production images
  amazon.aws.ec2_ami:
    image_id: "{{ item.image_id }}"
    state: absent
  loop: "{{ api_images.images[3:] }}"
"""

RETURN = r"""
images:
  description: Conforming images, newest release first.
  returned: always
  type: list
  elements: dict
  contains:
    image_id:
      description: The AMI ID.
      type: str
      sample: ami-0123456789abcdef0
    name:
      description: The AMI name.
      type: str
      sample: api-production-20240501-0930
    app:
      description: App part of the name.
      type: str
      sample: api
    env:
      description: Env part of the name.
      type: str
      sample: production
    app_env:
      description: C(app-env).
      type: str
      sample: api-production
    release:
      description: Release stamp.
      type: str
      sample: 20240501-0930
    released_at:
      description: Release stamp as ISO 8601 (no time zone).
      type: str
      sample: "2024-05-01T09:30:00"
    creation_date:
      description: CreationDate reported by EC2.
      type: str
      sample: "2024-05-01T09:41:12.000Z"
nonconforming:
  description: Images whose name does not follow C(app-env-YYYYMMDD-hhmm).
  returned: always
  type: list
  elements: dict
  contains:
    image_id:
      description: The AMI ID.
      type: str
    name:
      description: The AMI name (may be empty).
      type: str
    creation_date:
      description: CreationDate reported by EC2.
      type: str
    reason:
      description: Why the name does not conform.
      type: str
region:
  description: The region that was listed.
  returned: always
  type: str
  sample: us-east-1
"""


from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gamestack.aws.plugins.module_utils import aws, images, naming


def validate_filters(module, app, env):
    """app/env must be valid name parts: a typo such as ``API`` or ``api-production`` is an error, not 0 images."""
    try:
        naming.format_name(app if app is not None else "x", env if env is not None else "x")
    except naming.NamingError as exc:
        module.fail_json(msg="image_catalog: %s" % exc)


def main():
    argument_spec = dict(
        app=dict(type="str"),
        env=dict(type="str"),
        owners=dict(type="list", elements="str", default=["self"]),
    )
    argument_spec.update(aws.connection_argument_spec())
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    app, env = module.params["app"], module.params["env"]
    validate_filters(module, app, env)
    with aws.module_failures(module, "image_catalog"):
        factory = aws.factory_from_module_params(module.params, component="image_catalog")
        ec2 = factory.client("ec2", module.params["region"])
        prefix = "%s-%s" % (app, env) if app and env else None
        found = images.describe_images(ec2, owners=module.params["owners"], name_prefix=prefix)
    records, nonconforming = images.split_images(found)
    module.exit_json(
        changed=False,
        images=images.filter_records(records, app=app, env=env),
        nonconforming=nonconforming,
        region=ec2.meta.region_name,
    )


if __name__ == "__main__":
    main()
