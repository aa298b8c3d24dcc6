"""Unit tests of gamestack.aws.drift_rows and drift_app_envs (the drift view)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gamestack.aws.plugins.filter.drift import drift_app_envs, drift_rows
from ansible_collections.gamestack.aws.plugins.filter.fleet import fleet_table
from tests.unit.trust import untrusted

APP_ENV = "api-production"


def pointer(contents, app_env=APP_ENV):
    return {"item": app_env, "contents": contents, "failed": False}


def missing(app_env=APP_ENV):
    return {"item": app_env, "failed": True, "msg": "Key api-production/current does not exist."}


def usage(*image_ids, app_env=APP_ENV, latest=None):
    return {"item": app_env, "template": {"name": app_env, "latest_image": latest or image_ids[0]},
            "groups": [{"name": app_env, "image_id": i} for i in image_ids]}


def image(image_id, release):
    return {"image_id": image_id, "name": "%s-20250301-1200" % APP_ENV, "tags": {"release": release} if release else {}}


def hosts(*names, state="running"):
    found = {}
    for number, name in enumerate(names):
        app, env, release = (name.split("-", 2) + [None])[:3]
        found["host%d" % number] = {"ec2_instance_id": "i-%d" % number, "ec2_state": state,
                                    "naming": {"app": app, "env": env, "release": release}}
    return found


def row(current, images=(("ami-1", "20250301-0930"),), instances=("api-production-20250301-0930",), **extra):
    hostvars = hosts(*instances)
    (found,) = drift_rows([APP_ENV], current=[current], usage=[usage(*[i for i, _r in images])],
                          images=[image(i, r) for i, r in images], hostvars=hostvars, **extra)
    return found


def test_all_agree_is_no_drift():
    found = row(pointer("api-production-20250301-0930\n"))
    assert found == {"app_env": APP_ENV, "current": "20250301-0930", "image": "20250301-0930",
                     "instances": "20250301-0930 x1", "drift": "no", "reason": None}


def test_current_newer_than_the_image_is_drift():
    found = row(pointer("api-production-20250401-1000\n"), instances=("api-production-20250401-1000",))
    assert (found["drift"], found["reason"]) == ("yes", "image has 20250301-0930")


def test_an_instance_behind_is_drift_and_counted():
    found = row(pointer("api-production-20250301-0930"),
                instances=("api-production-20250301-0930", "api-production-20250201-0000", "api-production-20250201-0000"))
    assert found["instances"] == "20250201-0000 x2, 20250301-0930 x1"
    assert (found["drift"], found["reason"]) == ("yes", "2 instance(s) run 20250201-0000")


def test_groups_on_two_images_show_both():
    found = row(pointer("api-production-20250301-0930"), images=(("ami-1", "20250301-0930"), ("ami-2", "20250201-0000")))
    assert found["image"] == "20250301-0930, 20250201-0000"
    assert found["reason"] == "image has 20250201-0000"


def test_missing_current_is_none_and_drift():
    found = row(missing())
    assert (found["current"], found["drift"], found["reason"]) == ("none", "yes", "no S3 current")


def test_missing_current_still_compares_image_and_instances():
    found = row(missing(), instances=("api-production-20250201-0000",))
    assert found["reason"] == "no S3 current; image and instances disagree: 20250201-0000, 20250301-0930"


@pytest.mark.parametrize("contents", [
    "{{ lookup('pipe', 'id') }}",
    "api-production-20250301-0930\napi-production-20250401-1000\n",  # two releases: not what publish writes
    "web-production-20250301-0930",  # another app-env's release
    "api-production",  # no release
    "api-production-20251345-2599",  # not a date
])
def test_odd_current_is_shown_as_it_is_and_drift(contents):
    found = row(pointer(contents))
    assert found["current"] == contents
    assert found["drift"] == "yes"
    assert found["reason"] == "S3 current is not a release of api-production"


@pytest.mark.parametrize("contents", ["", " \n"])
def test_empty_current_is_drift(contents):
    found = row(pointer(contents))
    assert (found["current"], found["drift"], found["reason"]) == ("empty", "yes", "S3 current is empty")


def test_odd_current_is_unsafe_and_one_escaped_line_in_the_table():
    hostile = "{{ lookup('pipe', 'id') }}\nsecond"
    found = row(pointer(hostile))
    assert untrusted(found["current"]) and untrusted(found["reason"])
    (header, line) = fleet_table([found], "text", lines=True)
    assert "{{ lookup('pipe', 'id') }}\\nsecond" in line
    assert header.split()[:2] == ["APP_ENV", "CURRENT"]


def test_a_long_current_is_cut():
    found = row(pointer("x" * 5000))
    assert len(found["current"]) < 120 and found["current"].endswith("...")


def test_an_image_without_a_release_tag_is_unknown_not_drift():
    found = row(pointer("api-production-20250301-0930"), images=(("ami-1", None),))
    assert found["image"] == "ami-1 (release unknown)"
    assert (found["drift"], found["reason"]) == ("unknown", "image ami-1 (release unknown)")


def test_an_image_with_an_odd_release_tag_is_unknown():
    found = row(pointer("api-production-20250301-0930"), images=(("ami-1", "{{ 7 * 7 }}"),))
    assert found["image"] == "ami-1 (release {{ 7 * 7 }})"
    assert found["drift"] == "unknown"


def test_an_instance_without_a_release_is_unknown():
    found = row(pointer("api-production-20250301-0930"), instances=("api-production",))
    assert found["instances"] == "unknown x1"
    assert found["drift"] == "unknown"


def test_no_template_and_no_instances_is_none():
    (found,) = drift_rows([APP_ENV], current=[pointer("api-production-20250301-0930")], usage=[], images=[],
                          hostvars={})
    assert (found["image"], found["instances"], found["drift"]) == ("none", "none", "no")


def test_stopped_instances_and_other_app_envs_are_left_out():
    hostvars = hosts("api-production-20240101-0000", state="stopped")
    hostvars.update({"other": {"ec2_instance_id": "i-9", "naming": {"app": "web", "env": "production", "release": "x"}},
                     "localhost": {}})
    (found,) = drift_rows([APP_ENV], current=[pointer("api-production-20250301-0930")], hostvars=hostvars)
    assert found["instances"] == "none"


def test_app_envs_come_from_the_inventory_sorted():
    hostvars = hosts("web-production-20250301-0930", "api-production-20250301-0930", "api-production")
    hostvars["localhost"] = {}
    assert drift_app_envs(hostvars) == ["api-production", "web-production"]


@pytest.mark.parametrize("app_envs", ["api-production", ["api-production-20250301-0930"], ["../etc"], [None]])
def test_bad_app_envs_are_refused(app_envs):
    with pytest.raises(AnsibleFilterError, match="drift_rows"):
        drift_rows(app_envs)


def test_an_unknown_host_is_refused():
    with pytest.raises(AnsibleFilterError, match="'nope' is not in hostvars"):
        drift_rows([APP_ENV], hostvars={}, hosts=["nope"])


# Release markers read on the hosts (drift_read_markers): results of `head -c 256 <marker>`, per host.
def marker(stdout):
    return {"rc": 0, "stdout": stdout, "failed": False}


NO_MARKER = {"rc": 1, "stdout": "", "stderr": "head: cannot open '/var/www/app/.release'", "failed": False}
UNREACHABLE = {"unreachable": True, "msg": "Failed to connect to the host via ssh"}
CURRENT = "api-production-20250301-0930"


def test_without_markers_the_instances_column_is_unchanged():
    assert row(pointer(CURRENT))["instances"] == "20250301-0930 x1"


def test_a_marker_release_wins_over_the_name_tag():
    found = row(pointer(CURRENT), instances=("api-production-20250301-0930",) * 2,
                markers={"host0": marker("api-production-20250201-0000\n")})
    assert found["instances"] == "20250201-0000 x1 (marker), 20250301-0930 x1 (name tag)"
    assert (found["drift"], found["reason"]) == ("yes", "1 instance(s) run 20250201-0000")


def test_markers_that_agree_are_no_drift():
    found = row(pointer(CURRENT), instances=("api-production-20250201-0000",),
                markers={"host0": marker("api-production-20250301-0930\n")})
    assert (found["instances"], found["drift"], found["reason"]) == ("20250301-0930 x1 (marker)", "no", None)


def test_only_the_first_line_of_a_marker_counts():
    found = row(pointer(CURRENT), markers={"host0": marker(" api-production-20250301-0930 \nanything else")})
    assert (found["instances"], found["drift"]) == ("20250301-0930 x1 (marker)", "no")


def test_no_marker_or_not_asked_keeps_the_name_tag():
    found = row(pointer(CURRENT), instances=("api-production-20250301-0930",) * 3,
                markers={"host0": NO_MARKER, "host1": {"skipped": True}})
    assert (found["instances"], found["drift"]) == ("20250301-0930 x3 (name tag)", "no")


def test_an_unreachable_host_keeps_its_name_tag_and_says_so():
    found = row(pointer(CURRENT), instances=("api-production-20250301-0930", "api-production-20250201-0000"),
                markers={"host0": marker("api-production-20250301-0930"), "host1": UNREACHABLE})
    assert found["instances"] == "20250201-0000 x1 (unreachable), 20250301-0930 x1 (marker)"
    assert found["reason"] == "1 instance(s) run 20250201-0000"


@pytest.mark.parametrize("stdout, shown", [
    ("{{ lookup('pipe', 'id') }}\napi-production-20250301-0930", "{{ lookup('pipe', 'id') }}"),
    ("web-production-20250301-0930\n", "web-production-20250301-0930"),  # another app-env's release
    ("api-production\n", "api-production"),  # no release
    ("api-production-20251345-2599", "api-production-20251345-2599"),  # not a date
    ("", "empty"),
    ("x" * 256, "x" * 100 + "..."),
])
def test_a_bad_marker_is_shown_inert_and_drift(stdout, shown):
    found = row(pointer(CURRENT), markers={"host0": marker(stdout)})
    assert found["instances"] == "unknown x1 (marker)"
    assert found["drift"] == "yes"
    assert found["reason"] == "release marker %r is not a release of api-production" % shown
    assert untrusted(found["reason"]) and untrusted(found["instances"])


def test_a_hostile_marker_is_one_escaped_line_in_the_table():
    found = row(pointer(CURRENT), markers={"host0": marker("{{ lookup('pipe', 'id') }}\\n\x1b[2J")})
    (_header, line) = fleet_table([found], "text", lines=True)
    assert "\x1b" not in line and "{{ lookup('pipe', 'id') }}" in line


def test_markers_of_the_wrong_shape_are_refused():
    with pytest.raises(AnsibleFilterError, match="markers must be a mapping"):
        row(pointer(CURRENT), markers=["host0"])
