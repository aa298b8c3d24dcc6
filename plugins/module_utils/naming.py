# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The naming rule ``app-env[-YYYYMMDD-hhmm]``: parse, format and sort by release.

This is the one place where the convention lives. The inventory plugin, the
filters, the lookups, the modules and the roles all call into it. It imports
neither boto3 nor Ansible so that it can be unit tested alone and shipped to
targets as plain module_utils.
"""

from __future__ import annotations

import datetime
import re

DEFAULT_PATTERN = r"^(?P<app>[a-z0-9]+)-(?P<env>[a-z0-9]+)(?:-(?P<release>\d{8}-\d{4}))?$"
RELEASE_FORMAT = "%Y%m%d-%H%M"
_PART = re.compile(r"^[a-z0-9]+$")
_RELEASE = re.compile(r"^\d{8}-\d{4}$")
REQUIRED_GROUPS = ("app", "env")


class NamingError(ValueError):
    """A name, a part of a name or a naming pattern is not acceptable."""


def compile_pattern(pattern=None):
    """Return the compiled naming regex, refusing one without the ``app``/``env`` groups."""
    source = DEFAULT_PATTERN if pattern is None else pattern
    if not isinstance(source, str) or not source:
        raise NamingError("naming pattern must be a non-empty string, got %r" % (source,))
    try:
        compiled = re.compile(source)
    except re.error as exc:
        raise NamingError("naming pattern %r is not a valid regular expression: %s" % (source, exc))
    missing = [g for g in REQUIRED_GROUPS if g not in compiled.groupindex]
    if missing:
        raise NamingError(
            "naming pattern %r lacks the named group(s) %s; it needs (?P<app>...) and (?P<env>...)"
            " and may have (?P<release>...)" % (source, ", ".join(missing))
        )
    return compiled


_DEFAULT = compile_pattern()


def parse_release(release):
    """Return the naive datetime of a ``YYYYMMDD-hhmm`` stamp, or raise NamingError."""
    if not isinstance(release, str) or not _RELEASE.match(release):
        raise NamingError("release %r is not of the form YYYYMMDD-hhmm" % (release,))
    try:
        return datetime.datetime.strptime(release, RELEASE_FORMAT)
    except ValueError as exc:
        raise NamingError("release %r is not a real date and time: %s" % (release, exc))


def parse_name(name, pattern=None):
    """Split a name into ``{'app', 'env', 'release', 'released_at', 'app_env', 'name'}``.

    Returns None when the name does not follow the rule (including a release stamp
    that is not a real date, such as ``20191345-2599``). ``pattern`` may be a
    string or an already compiled regex.
    """
    if not isinstance(name, str):
        return None
    if pattern is None:
        compiled = _DEFAULT
    elif hasattr(pattern, "match"):
        compiled = pattern
    else:
        compiled = compile_pattern(pattern)
    match = compiled.match(name)
    if match is None:
        return None
    parts = match.groupdict()
    release = parts.get("release")
    released_at = None
    if release:
        try:
            released_at = parse_release(release).isoformat()
        except NamingError:
            return None
    else:
        release = None
    app, env = parts["app"], parts["env"]
    return {
        "name": name,
        "app": app,
        "env": env,
        "app_env": "%s-%s" % (app, env),
        "release": release,
        "released_at": released_at,
    }


def format_release(when):
    """Format a datetime (or an already formatted stamp) as ``YYYYMMDD-hhmm``."""
    if isinstance(when, str):
        parse_release(when)
        return when
    if isinstance(when, (datetime.datetime, datetime.date)):
        return when.strftime(RELEASE_FORMAT)
    raise NamingError("release must be a datetime or a YYYYMMDD-hhmm string, got %r" % (when,))


def format_name(app, env, release=None):
    """Build ``app-env`` or ``app-env-YYYYMMDD-hhmm``; each part is validated.

    ``release`` may be None, a ``YYYYMMDD-hhmm`` string, a datetime, or the
    string ``now`` (UTC).
    """
    for label, value in (("app", app), ("env", env)):
        if not isinstance(value, str) or not _PART.match(value):
            raise NamingError(
                "%s %r must be lower-case letters and digits only (no hyphen, no empty value)" % (label, value)
            )
    if release is None or release == "":
        return "%s-%s" % (app, env)
    if release == "now":
        release = datetime.datetime.now(datetime.timezone.utc)
    return "%s-%s-%s" % (app, env, format_release(release))


def release_sort_key(parsed):
    """Sort key for parsed names: released ones by stamp, unreleased last."""
    release = parsed.get("release") if parsed else None
    return (release is not None, release or "")


def newest_first(parsed_names):
    """Return parsed names sorted newest release first; names without a release last."""
    return sorted(parsed_names, key=release_sort_key, reverse=True)
