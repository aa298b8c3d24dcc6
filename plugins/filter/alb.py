# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter gamestack.aws.alb_plan: checks the settings of the role alb and builds its target groups and rules.

Its documentation is in alb_plan.yml next to this file. Target group names are formatted only through
module_utils/naming.py.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.gamestack.aws.plugins.module_utils import naming

# The patterns are used with fullmatch: with match, $ also matches before a trailing newline.
# A host-header condition value: DNS labels, with the ALB wildcards * and ?.
_HOST = re.compile(r"^[a-z0-9*?]([a-z0-9*?-]{0,61}[a-z0-9*?])?(\.[a-z0-9*?]([a-z0-9*?-]{0,61}[a-z0-9*?])?)*$")
# A path-pattern value or a health check path: a leading /, no spaces or control characters.
_PATH = re.compile(r"^/[A-Za-z0-9_.~!$&'()*+,;=:@%?/-]{0,127}$")
_MATCHER = re.compile(r"^[0-9]{3}(-[0-9]{3})?(,[0-9]{3}(-[0-9]{3})?)*$")
_REDIRECT_PART = re.compile(r"^[A-Za-z0-9_.~!$&'()*+,;=:@%/#{}-]{1,128}$")
MAX_PRIORITY = 50000
MAX_CONDITION_VALUES = 5


def _priority(item, label, seen, problems):
    priority = item.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= MAX_PRIORITY:
        problems.append("%s: priority %r must be a whole number from 1 to %d" % (label, priority, MAX_PRIORITY))
    elif priority in seen:
        problems.append("%s: priority %d is also used by %s" % (label, priority, seen[priority]))
    else:
        seen[priority] = label


def _conditions(item, label, problems, required):
    hosts, paths = list(item.get("hosts") or []), list(item.get("paths") or [])
    for host in hosts:
        if not isinstance(host, str) or not _HOST.fullmatch(host):
            problems.append("%s: host name %r is not a lower-case DNS name (letters, digits, '-', '.', '*', '?')"
                            % (label, host))
    for path in paths:
        if not isinstance(path, str) or not _PATH.fullmatch(path):
            problems.append("%s: path %r must start with / and hold no spaces" % (label, path))
    if required and not hosts and not paths:
        problems.append("%s: give hosts and/or paths" % label)
    if len(hosts) + len(paths) > MAX_CONDITION_VALUES:
        problems.append("%s: at most %d host names and paths together" % (label, MAX_CONDITION_VALUES))
    conditions = []
    if hosts:
        conditions.append({"Field": "host-header", "Values": hosts})
    if paths:
        conditions.append({"Field": "path-pattern", "Values": paths})
    return conditions


def _target_group(app, env, problems):
    try:
        return naming.format_name(app, env)
    except naming.NamingError as exc:
        problems.append("app %r: %s" % (app, exc))
        return None


def _apps(apps, env, seen, problems):
    groups, rules = [], []
    for app in apps:
        label = "app %r" % (app.get("app"),)
        name = _target_group(app.get("app"), env, problems)
        health = app.get("health_check_path", "/")
        if not isinstance(health, str) or not _PATH.fullmatch(health):
            problems.append("%s: health_check_path %r must start with / and hold no spaces" % (label, health))
        matcher = str(app.get("health_check_matcher", "200"))
        if not _MATCHER.fullmatch(matcher):
            problems.append("%s: health_check_matcher %r must be codes such as 200, 200-299 or 200,302"
                            % (label, matcher))
        if name is not None and name in [group["name"] for group in groups]:
            problems.append("%s: listed twice" % label)
        groups.append({"name": name, "app": app.get("app"), "port": app.get("port", 80),
                       "health_check_path": health, "health_check_matcher": matcher})
        conditions = _conditions(app, label, problems, required=False)
        if conditions:
            _priority(app, label, seen, problems)
            rules.append({"Priority": app.get("priority"), "Conditions": conditions,
                          "Actions": [{"Type": "forward", "TargetGroupName": name}]})
    return groups, rules


def _redirects(redirects, seen, problems):
    rules = []
    for index, redirect in enumerate(redirects):
        label = "redirect %d (priority %r)" % (index + 1, redirect.get("priority"))
        conditions = _conditions(redirect, label, problems, required=True)
        _priority(redirect, label, seen, problems)
        status = redirect.get("status_code", "HTTP_302")
        if status not in ("HTTP_302", "HTTP_301"):
            problems.append("%s: status_code %r must be HTTP_302 or HTTP_301" % (label, status))
        elif status == "HTTP_301" and redirect.get("permanent") is not True:
            problems.append("%s: HTTP_301 needs permanent: true (browsers cache a 301 for good)" % label)
        config = {"StatusCode": status}
        for key, field, default in (("to_protocol", "Protocol", "#{protocol}"), ("to_host", "Host", "#{host}"),
                                    ("to_port", "Port", "#{port}"), ("to_path", "Path", "/#{path}"),
                                    ("to_query", "Query", "#{query}")):
            value = str(redirect.get(key) or default)
            if not _REDIRECT_PART.fullmatch(value):
                problems.append("%s: %s %r holds spaces or characters a redirect cannot carry" % (label, key, value))
            config[field] = value
        if not config["Path"].startswith("/"):
            problems.append("%s: to_path %r must start with /" % (label, config["Path"]))
        rules.append({"Priority": redirect.get("priority"), "Conditions": conditions,
                      "Actions": [{"Type": "redirect", "RedirectConfig": config}]})
    return rules


def alb_plan(apps, redirects, env, default_app=""):
    """Check the role's settings and build {'problems', 'target_groups', 'rules', 'default_target_group'}."""
    if not isinstance(apps, list) or not all(isinstance(app, dict) for app in apps):
        raise AnsibleFilterError("alb_plan: the apps must be a list of dicts, got %r" % (apps,))
    if not isinstance(redirects, list) or not all(isinstance(item, dict) for item in redirects):
        raise AnsibleFilterError("alb_plan: the redirects must be a list of dicts, got %r" % (redirects,))
    problems, seen = [], {}
    if not apps:
        problems.append("alb_apps: give at least one app")
    groups, rules = _apps(apps, env, seen, problems)
    rules += _redirects(redirects, seen, problems)
    default = default_app or (apps[0].get("app") if apps else None)
    # The group's name as formatted above: a bad app or env is reported once, by its app.
    default_group = next((group["name"] for group in groups if group["app"] == default), None)
    if apps and default not in [group["app"] for group in groups]:
        problems.append("alb_default_app %r is not one of alb_apps" % (default,))
    return {"problems": problems, "target_groups": groups, "rules": rules,
            "default_target_group": default_group}


class FilterModule:
    def filters(self):
        return {"alb_plan": alb_plan}
