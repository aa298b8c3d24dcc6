# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: latest_image
author: gamestack.aws contributors (@gamestack)
short_description: The newest own AMI of an app-env, by the release stamp in its name
description:
  - Finds the newest AMI named C(app-env-YYYYMMDD-hhmm) for each term (an C(app-env) name such as C(api-production)).
  - Images are ordered by the release stamp parsed from the name (C(gamestack.aws) naming rule),
    not by their creation date, which changes when an image is copied between regions.
  - AMI names that do not follow the rule, or that have no release stamp, are ignored.
  - Replaces C(aws ec2 describe-images --owners self | jq ... | sort | tail -1).
options:
  _terms:
    description: One or more C(app-env) names.
    required: true
    type: list
    elements: str
  owners:
    description: Image owners to search (account IDs, C(self), C(amazon), ...).
    type: list
    elements: str
    default: [self]
  record:
    description:
      - Return the whole record (a dict with C(image_id), C(name), C(app), C(env), C(release),
        C(released_at), C(creation_date)) instead of the image ID.
    type: bool
    default: false
notes:
  - No image found for a term is an error that names the app-env and the region; a term that is not an
    C(app-env) name is an error too.
  - Values come from the EC2 API and are marked unsafe (never templated).
extends_documentation_fragment:
  - gamestack.aws.connection.plugins
  - gamestack.aws.connection.region
seealso:
  - module: gamestack.aws.image_catalog
"""

EXAMPLES = r"""
- name: Launch from the newest api-production image
  ansible.builtin.debug:
    msg: "{{ lookup('gamestack.aws.latest_image', 'api-production') }}"

- name: The whole record, in another region
  ansible.builtin.set_fact:
    api_image: "{{ lookup('gamestack.aws.latest_image', 'api-production', record=true, region='ap-northeast-1') }}"

- name: Several app-envs at once (one image ID each)
  ansible.builtin.debug:
    msg: "{{ query('gamestack.aws.latest_image', 'api-production', 'web-staging') }}"
"""

RETURN = r"""
_raw:
  description:
    - One entry per term, the image ID (C(ami-...)), or with O(record=true) a dict.
  type: list
  elements: raw
  contains:
    image_id:
      description: The AMI ID.
      type: str
    name:
      description: The AMI name.
      type: str
    app:
      description: The app part of the name.
      type: str
    env:
      description: The env part of the name.
      type: str
    release:
      description: The release stamp C(YYYYMMDD-hhmm).
      type: str
    released_at:
      description: The release stamp as an ISO 8601 date and time (no time zone).
      type: str
    creation_date:
      description: CreationDate reported by EC2.
      type: str
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.gamestack.aws.plugins.module_utils import aws, images, naming

try:
    import botocore
except ImportError:  # pragma: no cover - reported by aws.require_boto3
    botocore = None


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            factory = aws.ClientFactory(component="latest_image", **aws.connection_options(self.get_option))
            ec2 = factory.client("ec2", self.get_option("region"))
        except aws.AwsSetupError as exc:
            raise AnsibleLookupError("gamestack.aws.latest_image: %s" % exc)
        except botocore.exceptions.NoRegionError:
            raise AnsibleLookupError("gamestack.aws.latest_image: no region; set region= or AWS_REGION")
        region = ec2.meta.region_name
        owners = self.get_option("owners") or images.DEFAULT_OWNERS
        results = []
        for term in terms:
            try:
                app, env = images.parse_app_env(term)
            except naming.NamingError as exc:
                raise AnsibleLookupError("gamestack.aws.latest_image: %s" % exc)
            app_env = "%s-%s" % (app, env)
            try:
                found = images.describe_images(ec2, owners=owners, name_prefix=app_env)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
                raise AnsibleLookupError(
                    "gamestack.aws.latest_image: describe_images for %s in %s failed: %s" % (app_env, region, exc)
                )
            records, _ignored = images.split_images(found)
            records = images.filter_records(records, app=app, env=env)
            if not records:
                raise AnsibleLookupError(
                    "gamestack.aws.latest_image: no image named %s-YYYYMMDD-hhmm owned by %s in region %s"
                    % (app_env, ", ".join(owners), region)
                )
            newest = records[0]
            if self.get_option("record"):
                result = dict((k, v) for k, v in newest.items() if k != "app_env")
            else:
                result = newest["image_id"]
            results.append(wrap_var(result))
        return results
