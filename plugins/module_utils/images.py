# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Own AMIs read through the naming rule: shared by the latest_image lookup and image_catalog.

An AMI name is expected to be ``app-env-YYYYMMDD-hhmm``. The release stamp is what orders
images (never CreationDate, which changes when an image is copied between regions).
A name without a stamp, or one that does not follow the rule at all, is *nonconforming*.
"""

from __future__ import annotations

from ansible_collections.gamestack.aws.plugins.module_utils import naming

DEFAULT_OWNERS = ["self"]


def describe_images(ec2, owners=None, name_prefix=None):
    """All images of ``owners`` (default: own), optionally only names ``<name_prefix>-*``.

    The Name filter is only there to cut traffic on accounts with many images; the caller
    still parses every returned name.
    """
    params = {"Owners": list(owners or DEFAULT_OWNERS)}
    if name_prefix:
        params["Filters"] = [{"Name": "name", "Values": ["%s-*" % name_prefix]}]
    images = []
    for page in ec2.get_paginator("describe_images").paginate(**params):
        images.extend(page.get("Images", []))
    return images


def image_record(image, parsed):
    return {
        "image_id": image.get("ImageId"),
        "name": image.get("Name"),
        "app": parsed["app"],
        "env": parsed["env"],
        "app_env": parsed["app_env"],
        "release": parsed["release"],
        "released_at": parsed["released_at"],
        "creation_date": image.get("CreationDate"),
    }


def nonconforming_record(image, reason):
    return {
        "image_id": image.get("ImageId"),
        "name": image.get("Name"),
        "creation_date": image.get("CreationDate"),
        "reason": reason,
    }


def split_images(images, pattern=None):
    """Return ``(records newest first, nonconforming)`` for a list of describe_images entries."""
    records = []
    nonconforming = []
    for image in images:
        name = image.get("Name")
        parsed = naming.parse_name(name, pattern) if name else None
        if parsed is None:
            nonconforming.append(nonconforming_record(image, "name does not follow app-env-YYYYMMDD-hhmm"))
        elif parsed["release"] is None:
            nonconforming.append(nonconforming_record(image, "name has no release stamp (-YYYYMMDD-hhmm)"))
        else:
            records.append(image_record(image, parsed))
    # Same stamp twice (two apps released together, a re-registered image): name, then image ID,
    # break the tie so that the order never depends on the API's answer order.
    records.sort(key=lambda r: (r["name"] or "", r["image_id"] or ""))
    records = naming.newest_first(records)  # a stable sort: ties keep the order above
    nonconforming.sort(key=lambda r: (r["name"] or "", r["image_id"] or ""))
    return records, nonconforming


def filter_records(records, app=None, env=None):
    return [r for r in records if (app is None or r["app"] == app) and (env is None or r["env"] == env)]


def parse_app_env(term):
    """``api-production`` → (``api``, ``production``); raise NamingError for anything else."""
    parsed = naming.parse_name(term) if isinstance(term, str) else None
    if parsed is None or parsed["release"] is not None:
        raise naming.NamingError(
            "%r is not an app-env name such as api-production (lower-case letters and digits,"
            " one hyphen, no release stamp)" % (term,)
        )
    return parsed["app"], parsed["env"]
