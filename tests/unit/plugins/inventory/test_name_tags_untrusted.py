"""gamestack.aws.name_tags in-process: host and group names from untrusted AWS data."""

from __future__ import annotations

import re

import pytest
from ansible.errors import AnsibleParserError

from ansible_collections.gamestack.aws.plugins.module_utils import naming

from .name_tags_harness import Plugin

EVIL = "{{ lookup('pipe', 'id') }}"


def record(instance_id, name=None, **fields):
    result = {"id": instance_id, "region": "us-east-1", "type": "t3.micro", "az": "us-east-1a",
              "private_ip": "10.0.0.1", "public_ip": None, "private_dns": "ip-10-0-0-1.ec2.internal",
              "public_dns": None, "image": "ami-1", "launch_time": None, "state": "running", "ena": True,
              "sriov": None, "tags": {"Name": name} if name else {}}
    result.update(fields)
    return result


def hostnames(plugin, records):
    parsed = [naming.parse_name(r["tags"].get("Name"), plugin._pattern) for r in records]
    return plugin._hostnames(records, parsed, {"all", "ungrouped"})


@pytest.mark.parametrize("kind, field", [("private-dns-name", "private_dns"), ("public-dns-name", "public_dns"),
                                         ("private-ip-address", "private_ip")])
def test_an_address_with_template_syntax_is_never_a_hostname(kind, field):
    records = [record("i-1", "api-production", **{field: EVIL + ".example"}), record("i-2", **{field: "10.0.0.2"})]
    assert hostnames(Plugin(hostnames=kind), records) == ["api-production-i-1", "10.0.0.2"]


def test_an_instance_id_with_template_syntax_becomes_a_plain_name():
    records = [record(EVIL, "api-production"), record("i-2", "api-production")]
    [evil, plain] = hostnames(Plugin(hostnames="instance-id"), records)
    assert plain == "i-2"
    assert evil == re.sub(r"[^A-Za-z0-9_.:-]", "_", EVIL) + "-0"


def test_a_loose_pattern_keeps_template_syntax_out_of_groups_and_hostnames():
    plugin = Plugin(naming_pattern=r"^(?P<app>.+)-(?P<env>[a-z]+)$", hostnames="name-id")
    plugin._populate([record("i-1", EVIL + "-production"), record("i-2", "api-production")])
    names = list(plugin.inventory.groups) + list(plugin.inventory.hosts)
    assert not [name for name in names if "{" in name]
    assert [h.name for h in plugin.inventory.groups["nonconforming"].hosts] == ["i-1"]


@pytest.mark.parametrize("name", ["untagged-production", "api-nonconforming", "all-production", "api-ungrouped"])
def test_an_app_or_env_named_like_a_catch_all_is_nonconforming(name):
    plugin = Plugin()
    plugin._populate([record("i-1", name), record("i-2")])
    groups = plugin.inventory.groups
    assert [h.name for h in groups["nonconforming"].hosts] == ["i-1"]
    assert [h.name for h in groups["untagged"].get_hosts()] == ["i-2"]
    assert name not in groups


def test_no_autoscaling_group_null_reserves_nothing():
    plugin = Plugin(naming_pattern=r"^(?P<app>[a-z_]+)-(?P<env>[a-z]+)$", no_autoscaling_group=None)
    plugin._no_asg_group = None
    plugin._populate([record("i-1", "no_autoscaling_group-production")])
    assert "no_autoscaling_group-production" in plugin.inventory.groups


@pytest.mark.parametrize(
    "options, message",
    [
        ({"max_attempts": 0}, "option max_attempts: must be 1 or more, got 0"),
        ({"instance_states": ["Running"]}, "option instance_states: unknown state(s) 'Running'"),
        ({"untagged_group": "all"}, "option untagged_group: 'all' is one of ansible-core's own groups"),
        ({"no_autoscaling_group": "untagged"}, "'untagged' is already the group of option untagged_group"),
        ({"nonconforming_group": EVIL}, "option nonconforming_group: %r is not a plain group name" % EVIL),
    ],
)
def test_check_options(options, message):
    plugin = Plugin(**options)
    with pytest.raises(AnsibleParserError) as caught:
        plugin._check_options("inv.aws_ec2.yml")
    assert str(caught.value).startswith("inv.aws_ec2.yml: ") and message in str(caught.value)


def test_check_options_accepts_the_defaults_and_an_empty_state_list():
    Plugin()._check_options("inv.aws_ec2.yml")
    Plugin(instance_states=[], no_autoscaling_group="")._check_options("inv.aws_ec2.yml")
