"""Fixtures of the name_tags inventory tests: config files, ansible-inventory runs, seeded fleets."""

from __future__ import annotations

import json
import pathlib

import pytest
import yaml

from tests.conftest import ansible_env, run
from tests.harness.moto import boto3_client, run_instances

HERE = pathlib.Path(__file__).resolve().parent
LIST_HOSTS_PLAYBOOK = HERE / "files" / "list_hosts.yml"
SHOW_VARS_PLAYBOOK = HERE / "files" / "show_vars.yml"


def unwrap(value):
    """ansible-inventory --list prints unsafe strings as {"__ansible_unsafe": "..."}: undo that."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


class Inventory:
    """The parsed output of ansible-inventory --list, with helpers that follow children."""

    def __init__(self, data, raw, stderr):
        self.data = data
        self.raw = raw
        self.stderr = stderr
        self.hostvars = data.get("_meta", {}).get("hostvars", {})

    @property
    def groups(self):
        return {k for k in self.data if k != "_meta"}

    def children(self, group):
        return set(self.data.get(group, {}).get("children", []))

    def direct_hosts(self, group):
        return set(self.data.get(group, {}).get("hosts", []))

    def hosts(self, group):
        """Every host of a group, its child groups included (what -l GROUP selects)."""
        result = set(self.direct_hosts(group))
        for child in self.children(group):
            result |= self.hosts(child)
        return result

    def host_by_id(self, instance_id):
        for host, hostvars in self.hostvars.items():
            if hostvars.get("ec2_instance_id") == instance_id:
                return host
        raise KeyError(instance_id)


def write_config(directory, options=None, name="test.aws_ec2.yml", raw=None):
    """Write an inventory config (plugin gamestack.aws.name_tags, region us-east-1 unless set)."""
    path = pathlib.Path(directory) / name
    if raw is not None:
        path.write_text(raw)
        return path
    config = {"plugin": "gamestack.aws.name_tags", "regions": ["us-east-1"]}
    config.update(options or {})
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def inventory_list(config, env, check=True, extra_args=()):
    proc = run(["ansible-inventory", "-i", str(config), "--list", *extra_args], env, check=check)
    if not check and proc.returncode != 0:
        return proc
    return Inventory(unwrap(json.loads(proc.stdout)), proc.stdout, proc.stderr)


def inventory_graph(config, env, check=True):
    return run(["ansible-inventory", "-i", str(config), "--graph"], env, check=check)


def list_hosts(config, env, limit, playbook=LIST_HOSTS_PLAYBOOK):
    """The hosts that ansible-playbook --list-hosts -l LIMIT targets."""
    proc = run(["ansible-playbook", "-i", str(config), str(playbook), "--list-hosts", "-l", limit], env, check=True)
    lines = proc.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "hosts (" in line)
    return {line.strip() for line in lines[start + 1:] if line.strip()}


# ansible-core only warns when an inventory source fails and goes on with an empty inventory;
# docs/inventory.md recommends this setting so that a failing region stops the run.
UNPARSED_FAILED = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"}


@pytest.fixture
def env(moto):
    """Environment for ansible-* pointed at the (reset) moto server."""
    return ansible_env(moto.endpoint)


def instances(ec2, ids=None):
    """describe_instances as {instance_id: instance}."""
    kwargs = {"InstanceIds": ids} if ids else {}
    found = {}
    for page in ec2.get_paginator("describe_instances").paginate(**kwargs):
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                found[instance["InstanceId"]] = instance
    return found


def seed_standard_fleet(endpoint, region="us-east-1"):
    """api-production x2, api-staging x1, web-production x1 (in an ASG), one untagged, one nonconforming."""
    ec2 = boto3_client("ec2", endpoint, region)
    fleet = {
        "api-production": run_instances(ec2, "api-production", count=2),
        "api-staging": run_instances(ec2, "api-staging"),
        "web-production": run_instances(
            ec2, "web-production", tags={"aws:autoscaling:groupName": "web-production-asg"}
        ),
        "untagged": run_instances(ec2, None),
        "nonconforming": run_instances(ec2, "Legacy Box"),
    }
    return ec2, fleet
