"""Untrusted AWS data is never evaluated; credentials never printed; constructed groups keep hyphens."""

from __future__ import annotations

import json
import re

from tests.conftest import ansible_env, run
from tests.harness.fault_proxy import Fault, FaultProxy
from tests.harness.moto import boto3_client, run_instances

from .conftest import SHOW_VARS_PLAYBOOK, UNPARSED_FAILED, inventory_graph, inventory_list, seed_standard_fleet, write_config


def test_tag_values_are_never_evaluated(moto, env, tmp_path):
    marker = tmp_path / "pwned"
    evil = "{{ lookup('pipe', 'touch %s') }}" % marker
    ec2 = boto3_client("ec2", moto.endpoint)
    [tagged] = run_instances(ec2, "api-production", tags={"Evil": evil})
    [evil_name] = run_instances(ec2, evil)
    options = {
        "hostnames": "name-id",
        "strict": False,
        "compose": {"evil_copy": "ec2_tags.Evil", "evil_name": "ec2_tags.Name"},
        "keyed_groups": [{"key": "ec2_tags.Evil", "prefix": "evil", "separator": "-"}],
        "groups": {"evil_match": "'pipe' in (ec2_tags.Evil | default(''))"},
    }
    config = write_config(tmp_path, options)

    inv = inventory_list(config, env)
    assert not marker.exists()
    tagged_host = inv.host_by_id(tagged)
    assert inv.hostvars[tagged_host]["ec2_tags"]["Evil"] == evil
    assert inv.hostvars[tagged_host]["evil_copy"] == evil
    # A nonconforming (evil) Name never becomes part of a hostname or an app-env group.
    assert inv.host_by_id(evil_name) == evil_name
    assert inv.direct_hosts("nonconforming") == {evil_name}
    assert inv.hostvars[evil_name]["evil_name"] == evil
    # keyed_groups replaces what is not a word character or a hyphen, and evaluates nothing.
    evil_group = re.sub(r"[^\w-]", "_", "evil-" + evil)
    assert evil_group.startswith("evil-___lookup__pipe")
    assert inv.direct_hosts(evil_group) == {tagged_host}
    assert inv.direct_hosts("evil_match") == {tagged_host}

    graph = inventory_graph(config, env).stdout
    assert "@" + evil_group in graph
    assert not marker.exists()

    proc = run(["ansible-playbook", "-i", str(config), str(SHOW_VARS_PLAYBOOK), "-l", "api-production:nonconforming"],
               env, check=True)
    assert not marker.exists()
    assert "evil=" + evil in proc.stdout
    assert "composed=" + evil in proc.stdout
    assert json.dumps(evil)[1:-1] in proc.stdout  # the var dump shows the literal too
    assert "ok=3" in proc.stdout


def test_constructed_groups_keep_hyphens_with_core_default(moto, tmp_path):
    ec2, fleet = seed_standard_fleet(moto.endpoint)
    ec2.create_tags(Resources=fleet["api-production"], Tags=[{"Key": "team", "Value": "game-play"}])
    options = {
        "strict": False,
        "compose": {"app_env": "naming.app ~ '-' ~ naming.env if naming.app else 'none'"},
        "keyed_groups": [
            {"key": "ec2_tags.team", "prefix": "team", "separator": "-"},
            {"key": "ec2_instance_type | replace('.', '-')", "prefix": "type", "separator": "-"},
            {"key": "app_env", "prefix": "", "separator": "", "parent_group": "by-app-env"},
        ],
        "groups": {"api-or-web": "naming.app in ['api', 'web']"},
    }
    config = write_config(tmp_path, options)
    # ansible-core's default (the shipped ansible.cfg says "ignore", which only silences the warning).
    env = ansible_env(moto.endpoint, ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS="never")
    inv = inventory_list(config, env)
    assert inv.direct_hosts("team-game-play") == set(fleet["api-production"])
    assert inv.direct_hosts("type-t3-micro") == set(inv.hostvars)
    assert inv.direct_hosts("api-or-web") == set(fleet["api-production"] + fleet["api-staging"] + fleet["web-production"])
    assert {"api-production", "api-staging", "web-production"} <= inv.children("by-app-env")
    assert inv.direct_hosts("api-production") == set(fleet["api-production"])
    assert not {g for g in inv.groups if "_" in g} - {"no_autoscaling_group"}

    # With the shipped ansible.cfg there is no warning about the hyphens at all.
    inv = inventory_list(config, ansible_env(moto.endpoint))
    assert "Invalid characters" not in inv.stderr
    assert inv.direct_hosts("team-game-play") == set(fleet["api-production"])


def test_credentials_never_printed(moto, tmp_path):
    secret = "SecretFromConfig0123456789abcdefghijKLMN"
    token = "TokenFromConfigZYXWVUT987654321"
    env_secret = "SecretFromEnvironment99887766554433"
    ec2, fleet = seed_standard_fleet(moto.endpoint)
    env = ansible_env(moto.endpoint, AWS_SECRET_ACCESS_KEY=env_secret, AWS_SESSION_TOKEN="TokenFromEnvironment1122")
    options = {"access_key": "AKIAFROMCONFIG000001", "secret_key": secret, "session_token": token}
    config = write_config(tmp_path, options)
    outputs = []
    for args in (["--list"], ["--graph"], ["--host", fleet["api-production"][0]]):
        proc = run(["ansible-inventory", "-vvvv", "-i", str(config), *args], env, check=True)
        outputs.append(proc.stdout + proc.stderr)
    assert fleet["api-production"][0] in outputs[0]
    proc = run(["ansible-playbook", "-vvvv", "-i", str(config), str(SHOW_VARS_PLAYBOOK), "-l", "api-production"], env,
               check=True)
    outputs.append(proc.stdout + proc.stderr)
    # Environment credentials only, and a failing region: the error path must not print them either.
    with FaultProxy(moto.endpoint, [Fault.opt_in_required("eu-west-1")]) as proxy:
        env_only = write_config(tmp_path, {"regions": ["us-east-1", "eu-west-1"], "endpoint_url": proxy.endpoint},
                                name="env.aws_ec2.yml")
        proc = run(["ansible-inventory", "-vvvv", "-i", str(env_only), "--list"], dict(env, **UNPARSED_FAILED))
        assert proc.returncode != 0
        assert "eu-west-1" in proc.stderr
        outputs.append(proc.stdout + proc.stderr)
    for output in outputs:
        for credential in (secret, token, env_secret, "TokenFromEnvironment1122"):
            assert credential not in output
            assert credential[:16] not in output
