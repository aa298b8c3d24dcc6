# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the probe of gamestack.aws.rsync_deploy found on a host, and the problems it shows.

``rsync_deploy_setting_problems`` checks the role's settings before the probe runs (with any problem it does
not run); ``rsync_deploy_probe`` reads the probe's keyed lines (``gamestack-probe:<key>:<value>``) into one
mapping; ``rsync_deploy_host_problems`` turns that mapping and the role's settings into the refusal messages.
Documentation: rsync_deploy_setting_problems.yml, rsync_deploy_probe.yml and rsync_deploy_host_problems.yml
next to this file.

Python rather than Jinja in the role's vars: every task of the role that reads a role variable templates it
again in its own worker process. Written as Jinja, the parse and these checks made the include after the
probe take 0.35-0.49 s for 4 hosts against 0.09-0.11 s for the same include without them (profile_tasks,
2026-12-02, 2 cores); as one function call each it took 0.23-0.25 s. Everything read from the host is data:
returned marked unsafe, so that no later templating evaluates a path or a line the host printed.
"""

from __future__ import annotations

import json
import os.path
import re
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.gamestack.aws.plugins.module_utils import naming

#: Every key the probe prints, once each (tasks/preflight.yml).
PROBE_KEYS = ("dest_refused", "dest", "staging", "previous", "rsync", "php", "dest_stat", "inflight", "marker",
              "validate_timestamps", "live")
_LINE = re.compile(r"^gamestack-probe:([a-z_]+):(.*)$")
_OFF = ("0", "off", "false", "no")
_MARKER = re.compile(r"[A-Za-z0-9._-]+")
_CHMOD = re.compile(r"[DF0-7ugoa,+=rwxXst-]+")


def _shown(value):
    """A setting as a message shows it: its text as a JSON string (quotes, escapes)."""
    return json.dumps(str(value))


def _is_list(value):
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def rsync_deploy_setting_problems(dest, src="", excludes=(), rsync_opts=(), opcache_reset="reload",
                                  validate_timestamps="auto", marker=".release", chmod="D0755,F0644",
                                  rollback=False, release_name="", reset_token=""):
    """The role's settings -> one message a problem (empty: none). Checked on the controller before the probe."""
    rollback = _flag(rollback, "rollback", "rsync_deploy_setting_problems")
    problems = []
    text = dest if isinstance(dest, str) else ""
    # Which directories a deploy may own is decided on the host, where symlinks resolve (the probe runs
    # files/check-dest.sh); here only what no host can make right.
    if not (text.startswith("/") and ".." not in text.split("/") and text.isprintable()):
        problems.append("rsync_deploy_dest must be an absolute path without '..' segments (got %s)."
                        % _shown(dest))
    if not (_is_list(excludes) and _is_list(rsync_opts)):
        problems.append("rsync_deploy_excludes and rsync_deploy_rsync_opts must be lists.")
    if opcache_reset not in ("reload", "reset", "none"):
        problems.append("rsync_deploy_opcache_reset must be one of reload, reset, none (got %s)."
                        % _shown(opcache_reset))
    if str(validate_timestamps).lower() not in ("auto", "true", "false"):
        problems.append("rsync_deploy_opcache_validate_timestamps must be auto, true or false (got %s)."
                        % _shown(validate_timestamps))
    if not (isinstance(marker, str) and _MARKER.fullmatch(marker)):
        problems.append("rsync_deploy_marker must be a plain file name (got %s)." % _shown(marker))
    if not (isinstance(chmod, str) and _CHMOD.fullmatch(chmod)):
        problems.append("rsync_deploy_chmod must be an rsync --chmod value (got %s)." % _shown(chmod))
    if not rollback:  # a rollback restores the previous tree: no build, no new release name
        if not (isinstance(src, str) and src and os.path.isdir(src)):
            problems.append("rsync_deploy_src %s is not a directory on the controller: set it to the built tree"
                            " to deploy." % _shown(src))
        parsed = naming.parse_name(release_name)  # None for a non-string or a name off the rule
        if release_name == "":
            problems.append("no release name: set rsync_deploy_app and rsync_deploy_env (the release is named"
                            " app-env-YYYYMMDD-hhmm from them; the gamestack.aws.name_tags inventory plugin sets"
                            " them through the host's `naming` variable), or rsync_deploy_release to a full name.")
        elif not (parsed and parsed["release"]):
            problems.append("rsync_deploy_release %s is not a release name of the form app-env-YYYYMMDD-hhmm."
                            % _shown(release_name))
    if opcache_reset == "reset" and len(str(reset_token or "")) < 16:
        problems.append("rsync_deploy_opcache_reset is 'reset' but rsync_deploy_opcache_reset_token is missing or"
                        " shorter than 16 characters; the reset script only answers requests carrying that token.")
    return wrap_var(problems)


def _lines(value):
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise AnsibleFilterError("rsync_deploy_probe: expected the probe's stdout_lines (a list), got %s"
                                 % type(value).__name__)
    return [str(line) for line in value]


def rsync_deploy_probe(lines, dest, staging, previous):
    """The probe's lines -> {paths: [{path, kind}] (dest, staging, previous), rsync, php, dest_stat,
    inflight, marker, validate_timestamps, live, missing, unread}."""
    lines = _lines(lines)
    probed = {}
    for line in lines:
        match = _LINE.match(line)
        if match and match.group(1) in PROBE_KEYS:
            probed[match.group(1)] = match.group(2).strip()
    host = {
        # why files/check-dest.sh refused the destination on the host (empty: it did not)
        "dest_refused": probed.get("dest_refused", ""),
        "paths": [{"path": str(path), "kind": probed.get(key) or "absent"}
                  for key, path in (("dest", dest), ("staging", staging), ("previous", previous))],
        "rsync": probed.get("rsync") == "yes",
        "php": probed.get("php") == "yes",
        # owner:group mode of the destination, to skip its (remote) file task when nothing would change
        "dest_stat": probed.get("dest_stat", ""),
        # an interrupted deploy left its in-flight mark
        "inflight": probed.get("inflight") == "yes",
        # the first line of the release marker in the live tree (empty when there is none)
        "marker": probed.get("marker", ""),
        "validate_timestamps": probed.get("validate_timestamps", "").lower(),
        # the live tree against the staging copy: same, differs, or unknown (either is missing, or no rsync)
        "live": probed.get("live") or "unknown",
        # the probe's keys that did not answer, and then its lines (else both empty)
        "missing": [key for key in PROBE_KEYS if key not in probed],
        "unread": [] if len(probed) == len(PROBE_KEYS) else lines,
    }
    return wrap_var(host)


def _flag(value, name, where="rsync_deploy_host_problems"):
    """A boolean setting as the role's argument spec takes it (ansible's own boolean())."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AnsibleFilterError("%s: %s must be a boolean, got %r" % (where, name, value))


def _truncate(text, length=300):
    return text if len(text) <= length else text[:length - 3] + "..."


def rsync_deploy_host_problems(host, rollback=False, php_lint=True, php_bin="php", check_mode=False,
                               opcache_reset="reload", validate_timestamps="auto", dest=None):
    """What the probe found (rsync_deploy_probe) and the settings -> one message a problem (empty: none).
    dest: rsync_deploy_dest as it was set, for the message (default: the probed path)."""
    if not isinstance(host, Mapping) or "paths" not in host:
        raise AnsibleFilterError("rsync_deploy_host_problems: expected the mapping of rsync_deploy_probe")
    rollback = _flag(rollback, "rollback")
    php_lint = _flag(php_lint, "php_lint")
    check_mode = _flag(check_mode, "check_mode")
    problems = []
    if host["missing"]:
        problems.append("the probe of the host gave no answer that it can read: %s."
                        % json.dumps(_truncate(" | ".join(str(line) for line in host["unread"]))))
    paths = [(str(p["path"]), str(p["kind"])) for p in host["paths"]]
    # a destination that is itself a symlink is named below with the way out; any other refusal here
    if host["dest_refused"] and not paths[0][1].startswith("link "):
        problems.append("rsync_deploy_dest %s is refused: it %s." % (_shown(paths[0][0] if dest is None else dest), host["dest_refused"]))
    links = [(path, kind[5:]) for path, kind in paths if kind.startswith("link ")]
    if links:
        problems.append(
            " ".join("%s is a symlink (to %s): replace it with a real directory, for example `rm %s && cp -a %s %s`."
                     % (path, target, path, target, path) for path, target in links)
            + " rsync_deploy writes into a real directory on purpose: PHP opcache keys its cache by realpath,"
              " so a symlink switch leaves PHP serving the old release. Deploy again after that.")
    others = [path for path, kind in paths if kind == "other"]
    if others:
        problems.append(" ".join("%s exists but is not a directory." % path for path in others))
    if rollback and paths[2][1] != "dir":
        problems.append("rsync_deploy_rollback is true but %s does not exist: there is no previous release to"
                        " restore (it is kept by the deploy before the last one)." % paths[2][0])
    if php_lint and not rollback and not check_mode and not host["php"]:
        problems.append("rsync_deploy_php_lint is true but %s is not installed on the host: install PHP first"
                        " (gamestack.aws.apache_prefork_php) or set rsync_deploy_php_lint: false." % php_bin)
    setting = str(validate_timestamps).strip().lower()
    validates = host["validate_timestamps"] not in _OFF if setting == "auto" else setting == "true"
    if opcache_reset == "none" and not validates:
        problems.append("opcache.validate_timestamps is off on this host, so PHP would keep serving the old code"
                        " after the sync: set rsync_deploy_opcache_reset to reload or reset.")
    return wrap_var(problems)


class FilterModule:
    """gamestack.aws rsync_deploy probe filters."""

    def filters(self):
        return {
            "rsync_deploy_setting_problems": rsync_deploy_setting_problems,
            "rsync_deploy_probe": rsync_deploy_probe,
            "rsync_deploy_host_problems": rsync_deploy_host_problems,
        }
