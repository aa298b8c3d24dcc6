# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters gamestack.aws.parse_name and gamestack.aws.format_name: thin wrappers over module_utils/naming.py.

Their documentation is in parse_name.yml and format_name.yml next to this file.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.gamestack.aws.plugins.module_utils import naming


def parse_name(name, pattern=None, strict=True):
    """``'api-production-20190411-1459' | gamestack.aws.parse_name`` -> dict (or None when not strict)."""
    if not isinstance(name, str):
        raise AnsibleFilterError("parse_name: the input must be a string, got %s %r" % (type(name).__name__, name))
    try:
        parsed = naming.parse_name(name, pattern)
    except naming.NamingError as exc:
        raise AnsibleFilterError("parse_name: %s" % exc)
    if parsed is None and strict:
        raise AnsibleFilterError(
            "parse_name: %r does not follow the naming rule app-env[-YYYYMMDD-hhmm]%s"
            % (str(name), "" if pattern is None else " (pattern %r)" % (str(pattern),))
        )
    return parsed


def format_name(app, env=None, release=None):
    """``'api' | gamestack.aws.format_name('production')`` or ``parsed | gamestack.aws.format_name``."""
    if isinstance(app, Mapping):
        if env is not None:
            raise AnsibleFilterError("format_name: give either a mapping with app/env/release or app and env, not both")
        parts = app
        missing = [k for k in ("app", "env") if not parts.get(k)]
        if missing:
            raise AnsibleFilterError("format_name: the mapping %r lacks %s" % (dict(parts), ", ".join(missing)))
        app, env, release = parts["app"], parts["env"], parts.get("release")
    elif env is None:
        raise AnsibleFilterError("format_name: env is missing for app %r (use app | format_name(env))" % (app,))
    if not (release is None or isinstance(release, (str, datetime.datetime, datetime.date))):
        raise AnsibleFilterError("format_name: release %r must be a YYYYMMDD-hhmm string, a datetime or 'now'" % (release,))
    try:
        return naming.format_name(app, env, release)
    except naming.NamingError as exc:
        raise AnsibleFilterError("format_name: %s" % exc)


class FilterModule:
    def filters(self):
        return {"parse_name": parse_name, "format_name": format_name}
