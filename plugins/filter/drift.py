# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift view: ``drift_rows`` compares, per app-env, the release in S3 ``current``, the release of the
image in the launch template its Auto Scaling groups use, and the releases in the instances' Name tags (or in
their release markers, when the hosts' markers were read).

Documentation: drift_rows.yml next to this file. Everything compared comes from S3, AWS and the hosts, so it is data
only: compared and formatted in Python, never templated, and returned marked unsafe. Print the rows with
gamestack.aws.fleet_table, which shows odd values (a newline, a leading space) escaped or quoted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.gamestack.aws.plugins.module_utils import naming

NONE = "none"
UNKNOWN = "unknown"
# Where an instance's release came from.
MARKER, NAME_TAG, UNREACHABLE = "marker", "name tag", "unreachable"
# An odd value is shown (escaped by fleet_table), but never longer than this.
_SHOWN = 100


def _text(value):
    return None if value is None else str(value)


def _shown(value):
    text = str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _app_env(app_env):
    parsed = naming.parse_name(app_env) if isinstance(app_env, str) else None
    if parsed is None or parsed["release"] is not None:
        raise AnsibleFilterError("drift_rows: %r is not an app-env name such as api-production" % (app_env,))
    return parsed["app_env"]


def _by_item(results, what):
    """{app-env: result} from the results of a loop over app-envs (``register`` of a loop: its ``results``)."""
    if isinstance(results, Mapping):
        results = results.get("results", [])
    if isinstance(results, str) or not isinstance(results, Sequence):
        raise AnsibleFilterError("drift_rows: %s must be the results of a loop over the app-envs, got %s"
                                 % (what, type(results).__name__))
    found = {}
    for result in results:
        if isinstance(result, Mapping) and isinstance(result.get("item"), str):
            found[str(result["item"])] = result
    return found


def pointer_release(app_env, result):
    """(release stamp or None, shown value, problem or None) of the S3 ``current`` object of an app-env.

    The bootstrap's reading: the first line, stripped, must be a release of this app-env.
    """
    if not result or result.get("skipped"):
        return None, NONE, "S3 current not read"
    if result.get("failed"):
        return None, NONE, "no S3 current"
    content = _text(result.get("contents"))
    if content is None:
        return None, NONE, "no S3 current"
    if not content.strip():
        return None, "empty", "S3 current is empty"
    lines = content.splitlines()
    first = lines[0].strip() if lines else ""
    parsed = naming.parse_name(first)
    if len(lines) > 1 and any(line.strip() for line in lines[1:]):
        parsed = None  # more than one release named: not what publish.yml writes
    if parsed is None or parsed["app_env"] != app_env or parsed["release"] is None:
        return None, _shown(content), "S3 current is not a release of %s" % app_env
    return parsed["release"], parsed["release"], None


def image_releases(app_env, usage, images):
    """[(release or None, shown)] of the images the app-env's groups (or, with no group,
    the template's latest version) launch."""
    if not usage or usage.get("failed") or usage.get("skipped"):
        return []
    image_ids = [g.get("image_id") for g in usage.get("groups") or []]
    if not image_ids and usage.get("template"):
        image_ids = [usage["template"].get("latest_image")]
    found = []
    for image_id in sorted(set(_text(i) or "" for i in image_ids)):
        image = images.get(image_id)
        if not image_id or image is None:
            found.append((None, image_id or NONE))
            continue
        tags = image.get("tags") or {}
        release = _text(tags.get("release") if isinstance(tags, Mapping) else None)
        if release is not None and naming.parse_name("%s-%s" % (app_env, release)) is not None:
            found.append((release, release))
        else:
            found.append((None, "%s (release %s)" % (image_id, _shown(release) if release else UNKNOWN)))
    return found


def marker_release(app_env, result):
    """(release or None, source, shown bad marker or None) of a host, from the result of reading its marker.

    ``result`` is the registered result of ``head -c 256 <marker>`` on the host (None: not read). The
    marker's first line, stripped, must be a release of this app-env (what rsync_deploy writes); a host
    without a marker, or not asked, keeps its Name tag's release.
    """
    if not isinstance(result, Mapping) or result.get("skipped"):
        return None, NAME_TAG, None
    if result.get("unreachable"):
        return None, UNREACHABLE, None
    if result.get("rc") != 0:
        return None, NAME_TAG, None  # no marker (never deployed by rsync) or not readable
    content = _text(result.get("stdout")) or ""
    lines = content.splitlines()
    first = lines[0].strip() if lines else ""
    parsed = naming.parse_name(first)
    if parsed is None or parsed["app_env"] != app_env or parsed["release"] is None:
        return None, MARKER, _shown(lines[0] if lines else "empty")
    return parsed["release"], MARKER, None


def instance_releases(app_env, hostvars, hosts, markers=None):
    """Counter of (release, source) of each running EC2 host of the app-env, and the bad markers shown.

    The release is the Name tag's (source ``name tag``), or the release marker's when ``markers`` holds the
    host's (``marker``); an unreachable host keeps its Name tag's (``unreachable``). None: no release.
    """
    releases, bad = Counter(), []
    for host in hosts:
        hv = hostvars[host]
        names = hv.get("naming") or {}
        if not hv.get("ec2_instance_id") or not isinstance(names, Mapping) or names.get("app") is None:
            continue
        if "%s-%s" % (names.get("app"), names.get("env")) != app_env:
            continue
        state = hv.get("ec2_state")
        if state is not None and str(state) not in ("running", "pending"):
            continue
        release, source, shown = marker_release(app_env, (markers or {}).get(host))
        if shown is not None:
            bad.append(shown)
        elif source != MARKER:
            release = _text(names.get("release"))
        releases[(release, source)] += 1
    return releases, bad


def _counted(releases, sources):
    parts = []
    by_release = sorted(releases.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1]))
    for (release, source), count in by_release:
        parts.append("%s x%d%s" % (release or UNKNOWN, count, " (%s)" % source if sources else ""))
    return ", ".join(parts) or NONE


def _by_release(releases):
    counted = Counter()
    for (release, _source), count in releases.items():
        counted[release] += count
    return counted


def drift_row(app_env, pointer, usage, images, found, sources=False):
    """One row; ``found`` is what instance_releases returns, ``sources`` adds where each release came from."""
    by_source, bad_markers = found
    releases = _by_release(by_source)
    current, shown_current, problem = pointer_release(app_env, pointer)
    reasons = [problem] if problem else []
    unknown = []
    in_images = image_releases(app_env, usage, images)
    for release, shown in in_images:
        if release is None:
            unknown.append("image %s" % shown)
        elif current is not None and release != current:
            reasons.append("image has %s" % release)
    for shown in bad_markers:
        reasons.append("release marker %r is not a release of %s" % (shown, app_env))
    for release, count in sorted(releases.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        if release is None:
            count -= len(bad_markers)
            if count:
                unknown.append("%d instance(s) without a release in the Name tag" % count)
        elif current is not None and release != current:
            reasons.append("%d instance(s) run %s" % (count, release))
    if current is None:
        # Nothing to compare with: the image and the instances must at least agree among themselves.
        known = set(r for r, _s in in_images if r) | set(r for r in releases if r)
        if len(known) > 1:
            reasons.append("image and instances disagree: %s" % ", ".join(sorted(known)))
    drift = "yes" if reasons else (UNKNOWN if unknown else "no")
    return {
        "app_env": app_env,
        "current": shown_current,
        "image": ", ".join(shown for _r, shown in in_images) or NONE,
        "instances": _counted(by_source, sources),
        "drift": drift,
        "reason": "; ".join(reasons + unknown) or None,
    }


def drift_rows(app_envs, current=None, usage=None, images=None, hostvars=None, hosts=None, markers=None):
    """``app_envs | gamestack.aws.drift_rows(current=s3.results, usage=usage.results, images=ami.images,
    hostvars=hostvars, hosts=groups['all'], markers={host: result})`` -> one row per app-env, sorted (unsafe values).

    With ``markers`` (even empty), the instances column says where each release came from."""
    if isinstance(app_envs, str) or not isinstance(app_envs, Sequence):
        raise AnsibleFilterError("drift_rows: the input must be a list of app-envs such as ['api-production'], got %r"
                                 % (app_envs,))
    wanted = sorted(set(_app_env(a) for a in app_envs))
    pointers = _by_item(current or [], "current")
    usages = _by_item(usage or [], "usage")
    by_id = {}
    for image in images or []:
        if isinstance(image, Mapping) and image.get("image_id"):
            by_id[str(image["image_id"])] = image
    hostvars = hostvars or {}
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("drift_rows: hostvars must be a mapping of host to variables")
    if hosts is None:
        hosts = list(hostvars.keys())
    for host in hosts:
        if host not in hostvars:
            raise AnsibleFilterError("drift_rows: host %r is not in hostvars" % (host,))
    if markers is not None and not isinstance(markers, Mapping):
        raise AnsibleFilterError("drift_rows: markers must be a mapping of host to the result of reading its marker")
    rows = [drift_row(a, pointers.get(a), usages.get(a), by_id, instance_releases(a, hostvars, hosts, markers),
                      sources=markers is not None) for a in wanted]
    return wrap_var(rows)


def drift_app_envs(hostvars, hosts=None):
    """``hostvars | gamestack.aws.drift_app_envs(groups['all'])`` -> sorted app-envs of the EC2 hosts."""
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("drift_app_envs: the input must be hostvars")
    found = set()
    for host in hosts if hosts is not None else hostvars.keys():
        names = hostvars[host].get("naming") or {}
        if isinstance(names, Mapping) and names.get("app") is not None and names.get("env") is not None:
            found.add("%s-%s" % (names["app"], names["env"]))
    return wrap_var(sorted(found))


class FilterModule:
    def filters(self):
        return {"drift_rows": drift_rows, "drift_app_envs": drift_app_envs}
