"""Unit tests of the AWS layer filters: gamestack.aws.target_memberships and gamestack.aws.image_prune_plan."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gamestack.aws.plugins.filter.aws_layer import bake_source, image_prune_plan, target_memberships

ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/%s/0123456789abcdef"


def group(name, *targets):
    return {"target_group_arn": ARN % name, "targets": [{"target_id": i, "target_port": p} for i, p in targets]}


GROUPS = [
    group("api-production", ("i-1111aaaa", 80)),
    group("api-production-20250301-0930", ("i-1111aaaa", 8080), ("i-2222bbbb", 8080)),
    group("api-productionx", ("i-1111aaaa", 80)),
    group("web-production", ("i-1111aaaa", 80)),
]


def test_auto_keeps_the_app_envs_groups_by_the_rule():
    found = target_memberships(GROUPS, "i-1111aaaa", "api-production")
    assert [(f["name"], f["port"]) for f in found] == [("api-production", 80), ("api-production-20250301-0930", 8080)]


def test_named_groups_must_list_the_instance():
    assert [f["name"] for f in target_memberships(GROUPS, "i-1111aaaa", names=["web-production"])] == ["web-production"]
    with pytest.raises(AnsibleFilterError, match="not registered in the target group.s. api-staging"):
        target_memberships(GROUPS, "i-1111aaaa", names=["web-production", "api-staging"])


@pytest.mark.parametrize("app_env", ["", "api", "api-production-20250301-0930", "API-production", None])
def test_auto_needs_an_app_env(app_env):
    with pytest.raises(AnsibleFilterError, match="is not an app-env name"):
        target_memberships(GROUPS, "i-1111aaaa", app_env)


def test_a_malformed_arn_is_refused():
    with pytest.raises(AnsibleFilterError, match="is not a target group ARN"):
        target_memberships([{"target_group_arn": "arn:x/../y", "targets": []}], "i-1111aaaa", "api-production")


def test_groups_can_be_named_by_arn():
    found = target_memberships(GROUPS, "i-1111aaaa", names=[ARN % "web-production"])
    assert [(f["name"], f["port"]) for f in found] == [("web-production", 80)]


def test_remembered_registrations_are_kept_and_count_as_listing_the_instance():
    left_out = {"arn": ARN % "api-staging", "name": "api-staging", "port": 8080}
    again = {"arn": ARN % "api-production", "name": "api-production", "port": 80}
    found = target_memberships(GROUPS, "i-1111aaaa", "api-production", remembered=[left_out, again])
    assert [(f["name"], f["port"]) for f in found] == [
        ("api-production", 80), ("api-production-20250301-0930", 8080), ("api-staging", 8080)]
    named = target_memberships(GROUPS, "i-1111aaaa", names=["api-staging"], remembered=[left_out])
    assert [(f["name"], f["port"]) for f in named] == [("api-staging", 8080)]


@pytest.mark.parametrize("item", [{"arn": "arn:x/../y", "port": 80}, {"arn": ARN % "api-production", "port": "80; x"}, "api"])
def test_a_malformed_remembered_registration_is_refused(item):
    with pytest.raises(AnsibleFilterError, match="remembered registrations must be dicts|is not a registration"):
        target_memberships(GROUPS, "i-1111aaaa", "api-production", remembered=[item])


def image(image_id, name, snapshot="snap-1"):
    return {"image_id": image_id, "name": name, "block_device_mappings": [{"ebs": {"snapshot_id": snapshot}}]}


IMAGES = [
    image("ami-1", "api-production-20250101-0000", "snap-a"),
    image("ami-2", "api-production-20250201-0000"),
    image("ami-3", "api-production-20250301-0000"),
    image("ami-4", "api-production-20250401-0000"),
    image("ami-5", "api-production"),  # no release: never pruned
    image("ami-6", "web-production-20240101-0000"),  # another app-env
    image("ami-7", "api-production-20251399-0000"),  # not a real date: not ours
]


def test_prune_keeps_the_newest_and_the_images_in_use():
    plan = image_prune_plan(IMAGES, "api-production", 2, ["ami-1"])
    assert [(k["image_id"], k["reason"]) for k in plan["keep"]] == [
        ("ami-4", "newest 2"), ("ami-3", "newest 2"), ("ami-1", "in use")]
    assert [(p["image_id"], p["snapshots"]) for p in plan["prune"]] == [("ami-2", ["snap-1"])]


@pytest.mark.parametrize("keep", [-1, True, "2", None])
def test_prune_refuses_a_bad_keep(keep):
    with pytest.raises(AnsibleFilterError, match="keep must be a whole number"):
        image_prune_plan(IMAGES, "api-production", keep)


def test_prune_refuses_in_use_that_is_not_a_list():
    with pytest.raises(AnsibleFilterError, match="in_use must be a list"):
        image_prune_plan(IMAGES, "api-production", 2, "ami-1")


def instance(instance_id, name, state="running", **tags):
    return {"instance_id": instance_id, "state": {"name": state}, "tags": dict(tags, Name=name)}


def health_group(name, **states):
    return {"target_group_name": name, "targets_health_description": [
        {"target": {"id": i, "port": 80}, "target_health": {"state": s}} for i, s in states.items()]}


INSTANCES = [
    instance("i-3333cccc", "api-production-20250301-0930"),
    instance("i-1111aaaa", "api-production", release="20250301-0930"),
    instance("i-2222bbbb", "api-production"),
    instance("i-4444dddd", "api-production", state="stopped"),
    instance("i-0000ffff", "api-productionx"),
]


def test_bake_source_is_the_first_healthy_instance():
    groups = [health_group("api-production", **{"i-1111aaaa": "draining", "i-2222bbbb": "healthy", "i-3333cccc": "healthy"})]
    assert bake_source(INSTANCES, groups, "api-production") == {
        "instance_id": "i-2222bbbb", "name": "api-production", "release": ""}
    chosen = bake_source(INSTANCES, groups, "api-production", "i-3333cccc")
    assert chosen["release"] == "20250301-0930"


@pytest.mark.parametrize("source", ["i-4444dddd", "i-0000ffff", "i-9999eeee"])
def test_bake_source_must_be_a_running_instance_of_the_app_env(source):
    with pytest.raises(AnsibleFilterError, match="is not a running instance of api-production"):
        bake_source(INSTANCES, [], "api-production", source)


def test_bake_source_never_takes_the_last_healthy_target():
    groups = [health_group("api-production", **{"i-2222bbbb": "healthy", "i-1111aaaa": "unhealthy"})]
    with pytest.raises(AnsibleFilterError, match="would leave api-production without a healthy target"):
        bake_source(INSTANCES, groups, "api-production")
    assert bake_source(INSTANCES, groups, "api-production", allow_last=True)["instance_id"] == "i-2222bbbb"


def test_bake_source_without_target_groups_and_without_instances():
    assert bake_source(INSTANCES, [health_group("web-production")], "api-production")["instance_id"] == "i-1111aaaa"
    with pytest.raises(AnsibleFilterError, match="no running instance is named"):
        bake_source(INSTANCES, [], "web-production")
