# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``deploy_report``: the end-of-batch lines of playbooks/deploy.yml (documentation: deploy_report.yml)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.utils.unsafe_proxy import wrap_var

NEXT_RUN = "the next run of deploy.yml deploys it and registers it again"


def _groups(registrations):
    return ", ".join("%s:%s" % (r.get("name"), r.get("port")) for r in registrations or [])


def deploy_report(hostvars, hosts, check_mode=False):
    """``hostvars | deploy_report(ansible_play_hosts_all, ansible_check_mode)`` -> one line a host."""
    lines = []
    for host in hosts or []:
        facts = hostvars[host] if host in hostvars else {}
        facts = facts if isinstance(facts, Mapping) else {}
        serves = facts.get("__deploy_serves")
        out = facts.get("__deploy_out") or []
        problem = facts.get("__deploy_problem")
        if serves is None:
            lines.append("%s: not deployed by this run" % host)
            continue
        line = "%s: serves %s" % (host, serves)
        if check_mode:
            line += " (check mode: nothing was changed)"
        elif not out:
            line += ", no target group"
        elif facts.get("__deploy_back"):
            line += ", registered in %s" % _groups(out)
        else:
            line += ", LEFT DEREGISTERED from %s: %s" % (_groups(out), NEXT_RUN)
        if problem:
            line += "; FAILED: %s" % problem
        lines.append(line)
    return wrap_var(lines)


class FilterModule:
    def filters(self):
        return {"deploy_report": deploy_report}
