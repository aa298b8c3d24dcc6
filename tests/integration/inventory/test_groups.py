"""gamestack.aws.name_tags against a moto server: groups, host variables, hostnames, addresses."""

from __future__ import annotations

import pytest

from tests.conftest import ansible_env, run
from tests.harness.moto import boto3_client, run_instances

from .conftest import UNPARSED_FAILED, instances, inventory_graph, inventory_list, list_hosts, seed_standard_fleet, write_config


def test_groups_parents_and_limit(moto, env, tmp_path):
    ec2, fleet = seed_standard_fleet(moto.endpoint)
    config = write_config(tmp_path)
    inv = inventory_list(config, env)

    assert inv.direct_hosts("api-production") == set(fleet["api-production"])
    assert inv.direct_hosts("api-staging") == set(fleet["api-staging"])
    assert inv.direct_hosts("web-production") == set(fleet["web-production"])
    assert inv.children("api") == {"api-production", "api-staging"}
    assert inv.children("web") == {"web-production"}
    assert inv.children("production") == {"api-production", "web-production"}
    assert inv.children("staging") == {"api-staging"}
    # No instance dropped: every instance is a host, once.
    assert set(inv.hostvars) == {i for ids in fleet.values() for i in ids}
    assert "api_production" not in inv.groups

    graph = inventory_graph(config, env, check=True).stdout
    for line in ("@api-production:", "@api:", "@production:", "@untagged:", "@nonconforming:"):
        assert line in graph

    assert list_hosts(config, env, "api-production") == set(fleet["api-production"])
    assert list_hosts(config, env, "production") == set(fleet["api-production"] + fleet["web-production"])


def test_host_variables(moto, env, tmp_path):
    ec2, fleet = seed_standard_fleet(moto.endpoint)
    ec2.modify_instance_attribute(InstanceId=fleet["api-staging"][0], Attribute="enaSupport", Value="true")
    described = instances(ec2)
    inv = inventory_list(write_config(tmp_path), env)

    for instance_id, instance in described.items():
        hostvars = inv.hostvars[instance_id]
        assert hostvars["ec2_instance_id"] == instance_id
        assert hostvars["ec2_instance_type"] == instance["InstanceType"]
        assert hostvars["ec2_availability_zone"] == instance["Placement"]["AvailabilityZone"]
        assert hostvars["ec2_private_ip"] == instance["PrivateIpAddress"]
        assert hostvars["ec2_public_ip"] == instance.get("PublicIpAddress")
        assert hostvars["ec2_image_id"] == instance["ImageId"]
        assert hostvars["ec2_launch_time"] == instance["LaunchTime"].isoformat()
        assert hostvars["ec2_state"] == "running"
        assert hostvars["ec2_tags"] == {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
        assert hostvars["ec2_sriov_net_support"] == instance.get("SriovNetSupport")
        assert hostvars["ansible_host"] == instance["PrivateIpAddress"]
    assert inv.hostvars[fleet["api-staging"][0]]["ec2_ena_support"] is True
    assert inv.hostvars[fleet["api-production"][0]]["ec2_ena_support"] is None

    assert inv.hostvars[fleet["api-production"][0]]["naming"] == {
        "app": "api", "env": "production", "release": None, "released_at": None,
    }
    for group in ("untagged", "nonconforming"):
        assert inv.hostvars[fleet[group][0]]["naming"] == {"app": None, "env": None, "release": None, "released_at": None}


def test_release_stamped_names(moto, env, tmp_path):
    ec2 = boto3_client("ec2", moto.endpoint)
    plain = run_instances(ec2, "api-production")
    released = run_instances(ec2, "api-production-20190411-1459")
    not_a_date = run_instances(ec2, "api-production-20191345-2599")

    inv = inventory_list(write_config(tmp_path), env)
    assert inv.direct_hosts("api-production") == set(plain + released)
    assert "api-production-20190411-1459" not in inv.groups
    assert inv.hostvars[released[0]]["naming"] == {
        "app": "api", "env": "production", "release": "20190411-1459", "released_at": "2019-04-11T14:59:00",
    }
    assert inv.direct_hosts("nonconforming") == set(not_a_date)

    config = write_config(tmp_path, {"release_groups": True})
    inv = inventory_list(config, env)
    assert inv.direct_hosts("api-production-20190411-1459") == set(released)
    assert "api-production-20190411-1459" in inv.children("api-production")
    assert inv.hosts("api-production") == set(plain + released)
    assert list_hosts(config, env, "api-production") == set(plain + released)
    assert list_hosts(config, env, "api-production-20190411-1459") == set(released)


def test_untagged_and_nonconforming(moto, env, tmp_path):
    ec2 = boto3_client("ec2", moto.endpoint)
    good = run_instances(ec2, "api-production")
    untagged = run_instances(ec2, None, count=2) + run_instances(ec2, None, tags={"team": "ops"})
    empty_name = run_instances(ec2, "")
    bad = run_instances(ec2, "API-Production") + run_instances(ec2, "api_production") + run_instances(ec2, "api")

    inv = inventory_list(write_config(tmp_path), env)
    assert inv.direct_hosts("untagged") == set(untagged + empty_name)
    assert inv.direct_hosts("nonconforming") == set(bad)
    assert inv.direct_hosts("api-production") == set(good)
    assert len(inv.hostvars) == 8
    warnings = [line for line in inv.stderr.splitlines() if "name_tags" in line and "WARNING" in line]
    assert len(warnings) == 1, inv.stderr
    assert "4 instance(s) without a Name tag" in inv.stderr.replace("\n", " ")
    assert "3 with a Name outside" in inv.stderr.replace("\n", " ")

    inv = inventory_list(write_config(tmp_path, {"untagged_group": "no_name", "nonconforming_group": "odd_names"}), env)
    assert inv.direct_hosts("no_name") == set(untagged + empty_name)
    assert inv.direct_hosts("odd_names") == set(bad)
    assert "untagged" not in inv.groups and "nonconforming" not in inv.groups


def test_no_untagged_warning_on_a_clean_fleet(moto, env, tmp_path):
    run_instances(boto3_client("ec2", moto.endpoint), "api-production")
    inv = inventory_list(write_config(tmp_path), env)
    assert "without a Name tag" not in inv.stderr
    assert "untagged" not in inv.groups and "nonconforming" not in inv.groups


def test_duplicate_names_never_merge(moto, env, tmp_path):
    ec2 = boto3_client("ec2", moto.endpoint)
    twins = run_instances(ec2, "web-production") + run_instances(ec2, "web-production")
    for hostnames in ("instance-id", "name-id"):
        inv = inventory_list(write_config(tmp_path, {"hostnames": hostnames}), env)
        assert len(inv.direct_hosts("web-production")) == 2
        assert {inv.hostvars[h]["ec2_instance_id"] for h in inv.direct_hosts("web-production")} == set(twins)


def _same_private_ip_pair(ec2, name="web-production"):
    """Two instances in two VPCs with the same private IP and private DNS name, no public address."""
    ids = []
    for _vpc in range(2):
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
        ids += run_instances(ec2, name, SubnetId=subnet, PrivateIpAddress="10.9.1.10")
    return ids


@pytest.mark.parametrize("hostnames", ["private-ip-address", "private-dns-name", "public-dns-name"])
def test_colliding_or_missing_hostnames_fall_back_to_name_id(moto, env, tmp_path, hostnames):
    ec2 = boto3_client("ec2", moto.endpoint)
    pair = _same_private_ip_pair(ec2)
    inv = inventory_list(write_config(tmp_path, {"hostnames": hostnames}), env)
    assert inv.direct_hosts("web-production") == {"web-production-%s" % i for i in pair}


def test_each_hostname_option(moto, env, tmp_path):
    ec2, fleet = seed_standard_fleet(moto.endpoint)
    described = instances(ec2)
    names = {i: next((t["Value"] for t in inst.get("Tags", []) if t["Key"] == "Name"), None) for i, inst in described.items()}
    expected = {
        "instance-id": {i: i for i in described},
        "private-ip-address": {i: inst["PrivateIpAddress"] for i, inst in described.items()},
        "private-dns-name": {i: inst["PrivateDnsName"] for i, inst in described.items()},
        "public-dns-name": {i: inst["PublicDnsName"] for i, inst in described.items()},
        # Untagged and nonconforming instances get their instance ID.
        "name-id": {
            i: i if i in fleet["untagged"] + fleet["nonconforming"] else "%s-%s" % (names[i], i) for i in described
        },
    }
    for option, by_id in expected.items():
        assert len(set(by_id.values())) == len(by_id), "moto gave duplicate %s; the test needs unique ones" % option
        inv = inventory_list(write_config(tmp_path, {"hostnames": option}), env)
        got = {v["ec2_instance_id"]: host for host, v in inv.hostvars.items()}
        assert got == by_id, option
    assert any(h.startswith("api-production-i-") for h in expected["name-id"].values())


def test_hostname_never_equals_a_group_name(moto, env, tmp_path):
    ec2 = boto3_client("ec2", moto.endpoint)
    [first] = run_instances(ec2, "api-production")
    dns = instances(ec2, [first])[first]["PrivateDnsName"]  # ip-10-x-y-z.ec2.internal
    # A second instance whose Name, under a pattern that allows dots, makes a group called like that DNS name.
    [second] = run_instances(ec2, dns)
    options = {"hostnames": "private-dns-name", "naming_pattern": r"^(?P<app>[a-z0-9]+)-(?P<env>[a-z0-9.-]+)$"}
    inv = inventory_list(write_config(tmp_path, options), env)
    assert dns in inv.groups
    assert dns not in inv.hostvars
    assert inv.host_by_id(first) == "api-production-%s" % first
    assert inv.direct_hosts(dns) == {instances(ec2, [second])[second]["PrivateDnsName"]}


def test_ansible_host_options(moto, env, tmp_path):
    ec2, fleet = seed_standard_fleet(moto.endpoint)
    [no_public] = _same_private_ip_pair(ec2, "db-production")[:1]
    described = instances(ec2)
    fields = {
        None: "PrivateIpAddress",
        "private-ip-address": "PrivateIpAddress",
        "public-ip-address": "PublicIpAddress",
        "public-dns-name": "PublicDnsName",
        "private-dns-name": "PrivateDnsName",
    }
    for option, field in fields.items():
        inv = inventory_list(write_config(tmp_path, {"ansible_host": option} if option else {}), env)
        for instance_id, instance in described.items():
            want = instance.get(field) or instance["PrivateIpAddress"]
            assert inv.hostvars[instance_id]["ansible_host"] == want, (option, instance_id)
        if option and option.startswith("public"):
            assert inv.hostvars[no_public]["ansible_host"] == "10.9.1.10"


def test_parent_groups_option(moto, env, tmp_path):
    ec2, fleet = seed_standard_fleet(moto.endpoint)
    inv = inventory_list(write_config(tmp_path, {"parent_groups": ["app"]}), env)
    assert inv.children("api") == {"api-production", "api-staging"}
    assert "production" not in inv.groups and "staging" not in inv.groups
    inv = inventory_list(write_config(tmp_path, {"parent_groups": []}), env)
    assert not {"api", "web", "production", "staging"} & inv.groups
    assert inv.direct_hosts("api-production") == set(fleet["api-production"])


def test_no_autoscaling_group(moto, env, tmp_path):
    ec2, fleet = seed_standard_fleet(moto.endpoint)
    in_asg = fleet["web-production"][0]
    inv = inventory_list(write_config(tmp_path), env)
    assert inv.direct_hosts("no_autoscaling_group") == set(inv.hostvars) - {in_asg}
    assert inv.hostvars[in_asg]["ec2_autoscaling_group"] == "web-production-asg"
    assert inv.hostvars[fleet["api-production"][0]]["ec2_autoscaling_group"] is None

    inv = inventory_list(write_config(tmp_path, {"no_autoscaling_group": "lonely"}), env)
    assert inv.direct_hosts("lonely") == set(inv.hostvars) - {in_asg}
    assert "no_autoscaling_group" not in inv.groups
    for off in ("", None):
        inv = inventory_list(write_config(tmp_path, {"no_autoscaling_group": off}), env)
        assert not {"no_autoscaling_group", "lonely"} & inv.groups
        assert len(inv.hostvars) == 6


def test_two_regions(moto, tmp_path):
    env = ansible_env(moto.endpoint)
    east = run_instances(boto3_client("ec2", moto.endpoint, "us-east-1"), "api-production", count=2)
    west = run_instances(boto3_client("ec2", moto.endpoint, "eu-west-1"), "api-production")
    west_staging = run_instances(boto3_client("ec2", moto.endpoint, "eu-west-1"), "api-staging")
    inv = inventory_list(write_config(tmp_path, {"regions": ["us-east-1", "eu-west-1"]}), env)
    assert inv.direct_hosts("api-production") == set(east + west)
    assert inv.direct_hosts("api-staging") == set(west_staging)
    assert inv.hostvars[west[0]]["ec2_availability_zone"].startswith("eu-west-1")
    assert inv.hostvars[east[0]]["ec2_availability_zone"].startswith("us-east-1")


def test_filters_and_instance_states(moto, env, tmp_path):
    ec2 = boto3_client("ec2", moto.endpoint)
    gameplay = run_instances(ec2, "api-production", tags={"team": "gameplay"})
    ops = run_instances(ec2, "api-production", tags={"team": "ops"})
    stopped = run_instances(ec2, "api-production", tags={"team": "gameplay"})
    ec2.stop_instances(InstanceIds=stopped)

    inv = inventory_list(write_config(tmp_path), env)
    assert set(inv.hostvars) == set(gameplay + ops)
    inv = inventory_list(write_config(tmp_path, {"filters": {"tag:team": "gameplay"}}), env)
    assert set(inv.hostvars) == set(gameplay)
    inv = inventory_list(write_config(tmp_path, {"filters": {"tag:team": ["gameplay"]}, "instance_states": []}), env)
    assert set(inv.hostvars) == set(gameplay + stopped)
    assert inv.hostvars[stopped[0]]["ec2_state"] == "stopped"
    inv = inventory_list(write_config(tmp_path, {"instance_states": ["stopped"]}), env)
    assert set(inv.hostvars) == set(stopped)


def test_config_file_names(moto, env, tmp_path):
    run_instances(boto3_client("ec2", moto.endpoint), "api-production")
    for name in ("fleet.aws_ec2.yaml", "name_tags.yml", "prod.name_tags.yaml", "aws_ec2.yml"):
        inv = inventory_list(write_config(tmp_path, name=name), env)
        assert "api-production" in inv.groups, name
    # Another file name is not ours: the plugin declines it.
    proc = run(["ansible-inventory", "-i", str(write_config(tmp_path, name="fleet.yml")), "--list"],
               dict(env, **UNPARSED_FAILED))
    assert proc.returncode != 0
    assert "api-production" not in proc.stdout
