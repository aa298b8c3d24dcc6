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
# What a parsed app, env or release may hold whatever the pattern: it becomes a group or host name,
# so nothing that a template engine or a host pattern would read (braces, spaces, quotes, colons, ...).
IDENTIFIER = re.compile(r"^[A-Za-z0-9_.-]+$")
IDENTIFIER_CHARS = "letters, digits, '_', '.' and '-'"
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
    that is not a real date, such as ``20191345-2599``, and parts that are not plain
    identifiers, see ``check_name``). ``pattern`` may be a string or an already compiled regex.
    """
    return check_name(name, pattern)[0]


def _compiled(pattern):
    if pattern is None:
        return _DEFAULT
    if hasattr(pattern, "match"):
        return pattern
    return compile_pattern(pattern)


def _split(name, compiled):
    """``(parsed, None)`` or ``(None, reason)`` for a name, without hints or reserved names."""
    match = compiled.match(name)
    if match is None:
        return None, "does not match the naming pattern"
    parts = match.groupdict()
    app, env, release = parts["app"], parts["env"], parts.get("release") or None
    for label, value in (("app", app), ("env", env), ("release", release)):
        if value is not None and not IDENTIFIER.match(value):
            return None, "%s %r is not a plain identifier (%s only)" % (label, value, IDENTIFIER_CHARS)
    if not IDENTIFIER.match(name):  # a pattern may match more than its groups; the name is a group and host name too
        return None, "the name holds characters other than %s" % IDENTIFIER_CHARS
    released_at = None
    if release:
        try:
            released_at = parse_release(release).isoformat()
        except NamingError as exc:
            return None, str(exc)
    return {
        "name": name,
        "app": app,
        "env": env,
        "app_env": "%s-%s" % (app, env),
        "release": release,
        "released_at": released_at,
    }, None


def _hint(name, compiled):
    """What a near miss probably meant: surrounding spaces or upper case, when fixing them would match."""
    stripped = name.strip()
    for candidate, what in ((stripped, "surrounding spaces"), (name.lower(), "upper case"),
                            (stripped.lower(), "surrounding spaces and upper case")):
        if candidate != name and _split(candidate, compiled)[0] is not None:
            return "; it has %s: did you mean %r?" % (what, candidate)
    return ""


def check_name(name, pattern=None, reserved=()):
    """``(parsed, None)`` when ``name`` follows the rule, else ``(None, reason)``.

    ``parsed`` is what ``parse_name`` returns. Whatever the pattern, ``app``, ``env`` and
    ``release`` must be plain identifiers (``IDENTIFIER``). A name whose app, env or
    app-env is in ``reserved`` (group names with another meaning) does not follow the rule
    either. The reason says why, with a hint for near misses (``API-Production``,
    ``'api-production '``); it quotes the name's parts with repr.
    """
    if not isinstance(name, str) or not name:
        return None, "no name"
    compiled = _compiled(pattern)
    parsed, reason = _split(name, compiled)
    if parsed is None:
        if compiled.match(name) is None:
            reason += _hint(name, compiled)
        return None, reason
    for label in ("app", "env", "app_env"):
        if parsed[label] in reserved:
            return None, "%s %r is a reserved group name" % (label.replace("_", "-"), parsed[label])
    return parsed, None


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
