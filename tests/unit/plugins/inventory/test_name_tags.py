"""gamestack.aws.name_tags in-process: request shape with botocore Stubber, grouping and hostname logic.

The integration tests (tests/integration/inventory) run the real ansible-inventory against moto; these
check the pieces in isolation and fast.
"""

from __future__ import annotations

import datetime

import boto3
import pytest
from ansible.errors import AnsibleError
from botocore.stub import Stubber

from ansible_collections.gamestack.aws.plugins.inventory.name_tags import ec2_filters
from ansible_collections.gamestack.aws.plugins.module_utils.ec2_instances import instance_record
from ansible_collections.gamestack.aws.plugins.module_utils import naming
from tests.unit.plugins.inventory.name_tags_harness import Plugin


def api_instance(instance_id, name=None, ip="10.0.0.1", tags=None, **extra):
    tag_list = [{"Key": k, "Value": v} for k, v in (tags or {}).items()]
    if name is not None:
        tag_list.append({"Key": "Name", "Value": name})
    instance = {
        "InstanceId": instance_id,
        "InstanceType": "t3.micro",
        "Placement": {"AvailabilityZone": "us-east-1a"},
        "PrivateIpAddress": ip,
        "PrivateDnsName": "ip-%s.ec2.internal" % ip.replace(".", "-"),
        "PublicDnsName": "",
        "ImageId": "ami-12345678",
        "LaunchTime": datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.timezone.utc),
        "State": {"Code": 16, "Name": "running"},
        "Tags": tag_list,
    }
    instance.update(extra)
    return instance


def record(instance_id, name=None, **kwargs):
    return instance_record(api_instance(instance_id, name, **kwargs), "us-east-1")


def stubbed_client(region, pages, error=None):
    client = boto3.client("ec2", region_name=region, aws_access_key_id="a", aws_secret_access_key="b")
    stubber = Stubber(client)
    filters = [{"Name": "instance-state-name", "Values": ["running"]}]
    if error:
        stubber.add_client_error("describe_instances", service_error_code=error, http_status_code=401)
    for number, instances in enumerate(pages):
        expected = {"Filters": filters, "MaxResults": 1000}
        if number:
            expected["NextToken"] = "page%d" % number
        response = {"Reservations": [{"ReservationId": "r-1", "Instances": instances}]}
        if number + 1 < len(pages):
            response["NextToken"] = "page%d" % (number + 1)
        stubber.add_response("describe_instances", response, expected)
    stubber.activate()
    return client, stubber


class FakeFactory:
    def __init__(self, clients):
        self.clients = clients
        self.session = type("S", (), {"region_name": None})()

    def client(self, service, region):
        return self.clients[region]


def test_fetch_pages_and_regions(monkeypatch):
    east, east_stub = stubbed_client("us-east-1", [[api_instance("i-1", "api-production")], [api_instance("i-2")]])
    west, west_stub = stubbed_client("eu-west-1", [[api_instance("i-3", "web-staging", ip="10.0.0.3")]])
    plugin = Plugin(regions=["us-east-1", "eu-west-1"])
    monkeypatch.setattr(plugin, "_client_factory", lambda: FakeFactory({"us-east-1": east, "eu-west-1": west}))
    records = plugin._fetch()
    east_stub.assert_no_pending_responses()
    west_stub.assert_no_pending_responses()
    found = sorted((r["id"], r["region"]) for r in records)
    assert found == [("i-1", "us-east-1"), ("i-2", "us-east-1"), ("i-3", "eu-west-1")]
    first = next(r for r in records if r["id"] == "i-1")
    assert first["launch_time"] == "2026-01-05T09:30:00+00:00"
    assert first["public_dns"] is None  # EC2's empty string means "none"
    assert first["tags"] == {"Name": "api-production"}


@pytest.mark.parametrize("strict", [True, False])
def test_failing_region(monkeypatch, strict):
    east = stubbed_client("us-east-1", [[api_instance("i-1", "api-production")]])[0]
    west = stubbed_client("eu-west-1", [], error="OptInRequired")[0]
    plugin = Plugin(regions=["us-east-1", "eu-west-1"], strict=strict)
    monkeypatch.setattr(plugin, "_client_factory", lambda: FakeFactory({"us-east-1": east, "eu-west-1": west}))
    if strict:
        with pytest.raises(AnsibleError, match="region eu-west-1: OptInRequired"):
            plugin._fetch()
    else:
        assert [r["id"] for r in plugin._fetch()] == ["i-1"]


def test_filters():
    assert ec2_filters({"tag:team": "ops", "vpc-id": ["a", "b"]}, ["running"]) == [
        {"Name": "tag:team", "Values": ["ops"]},
        {"Name": "vpc-id", "Values": ["a", "b"]},
        {"Name": "instance-state-name", "Values": ["running"]},
    ]
    assert ec2_filters({"instance-state-name": "stopped"}, ["running"]) == [
        {"Name": "instance-state-name", "Values": ["stopped"]}
    ]
    assert ec2_filters({}, []) == []


def groups_of(inventory):
    return {name: sorted(h.name for h in group.hosts) for name, group in inventory.groups.items()}


def children_of(inventory, name):
    return sorted(g.name for g in inventory.groups[name].child_groups)


def test_groups_and_release_groups():
    records = [
        record("i-1", "api-production"),
        record("i-2", "api-production-20190411-1459"),
        record("i-3", "web-staging", tags={"aws:autoscaling:groupName": "asg"}),
        record("i-4"),
        record("i-5", "Legacy"),
    ]
    plugin = Plugin()
    plugin._populate(records)
    groups = groups_of(plugin.inventory)
    assert groups["api-production"] == ["i-1", "i-2"]
    assert children_of(plugin.inventory, "api") == ["api-production"]
    assert children_of(plugin.inventory, "staging") == ["web-staging"]
    assert groups["untagged"] == ["i-4"] and groups["nonconforming"] == ["i-5"]
    assert groups["no_autoscaling_group"] == ["i-1", "i-2", "i-4", "i-5"]
    assert plugin.inventory.get_host("i-3").vars["ec2_autoscaling_group"] == "asg"

    plugin = Plugin(release_groups=True, parent_groups=["env"])
    plugin._populate(records)
    groups = groups_of(plugin.inventory)
    assert groups["api-production-20190411-1459"] == ["i-2"]
    assert children_of(plugin.inventory, "api-production") == ["api-production-20190411-1459"]
    assert "api" not in groups


def test_hostname_collisions_fall_back():
    records = [
        record("i-1", "web-production", ip="10.0.0.9"),
        record("i-2", "web-production", ip="10.0.0.9"),
        record("i-3", None, ip="10.0.0.9"),
        record("i-4", "api-production", ip="10.0.0.4"),
    ]
    plugin = Plugin(hostnames="private-ip-address")
    names = plugin._hostnames(records, [naming.parse_name(r["tags"].get("Name")) if r["tags"].get("Name") else None
                                        for r in records], {"all", "ungrouped"})
    assert names == ["web-production-i-1", "web-production-i-2", "i-3", "10.0.0.4"]


def test_hostname_equal_to_a_group_falls_back():
    records = [record("i-1", "api-production"), record("i-2", "api-production")]
    parsed = [naming.parse_name("api-production")] * 2
    plugin = Plugin(hostnames="instance-id")
    assert plugin._hostnames(records, parsed, {"i-1"}) == ["api-production-i-1", "i-2"]


def test_host_variables_do_not_depend_on_other_hosts():
    plugin = Plugin(ansible_host="public-ip-address")
    plugin._populate([record("i-1", "api-production-20190411-1459", PublicIpAddress="54.0.0.1"), record("i-2")])
    one = plugin.inventory.get_host("i-1").vars
    assert one["ansible_host"] == "54.0.0.1"
    assert one["naming"] == {"app": "api", "env": "production", "release": "20190411-1459",
                             "released_at": "2019-04-11T14:59:00"}
    assert plugin.inventory.get_host("i-2").vars["ansible_host"] == "10.0.0.1"  # no public IP: the private one


def test_plugin_import_leaves_boto3_for_the_api_path():
    """An inventory answered from its cache never needs boto3: the plugin imports it on the first API call."""
    import subprocess
    import sys

    from tests.conftest import REPO

    collections_root = str(REPO / ".collections")
    code = ("import sys; from ansible_collections.gamestack.aws.plugins.inventory import name_tags; "
            "print(sorted(m for m in ('boto3', 'botocore') if m in sys.modules)); "
            "name_tags.aws.require_boto3(); print('boto3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": collections_root, "PATH": "/usr/bin:/bin"}).stdout.split()
    assert out == ["[]", "True"]


@pytest.mark.parametrize("options, seconds", [({}, 60), ({"read_timeout": 900}, 900)])
def test_read_timeout_reaches_the_clients(options, seconds):
    factory = Plugin(endpoint_url="http://127.0.0.1:1", access_key="a", secret_key="b", **options)._client_factory()
    assert factory.config.read_timeout == seconds
    assert factory.client("ec2", "us-east-1").meta.config.read_timeout == seconds
