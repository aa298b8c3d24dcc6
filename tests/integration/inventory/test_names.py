"""Names from AWS: never templated whatever the naming pattern, never inside a catch-all group, skipped ones listed."""

from __future__ import annotations

from tests.conftest import run
from tests.harness.moto import boto3_client, run_instances

from .conftest import HERE, inventory_list, list_hosts, write_config

SHOW_NAMES_PLAYBOOK = HERE / "files" / "show_names.yml"
LOOSE_PATTERN = r"^(?P<app>.+)-(?P<env>[a-z_]+)$"


def test_loose_pattern_never_makes_a_template_a_host_or_group_name(moto, env, tmp_path):
    """ansible-core 2.16 templates host and group names (inventory_hostname, group_names) like any string."""
    marker = tmp_path / "pwned"
    evil = "{{ lookup('pipe', 'touch %s') }}-production" % marker
    ec2 = boto3_client("ec2", moto.endpoint)
    [evil_id] = run_instances(ec2, evil)
    [good_id] = run_instances(ec2, "api-production")
    config = write_config(tmp_path, {"naming_pattern": LOOSE_PATTERN, "hostnames": "name-id"})

    proc = run(["ansible-playbook", "-i", str(config), str(SHOW_NAMES_PLAYBOOK)], env)
    assert not marker.exists()
    assert "host=%s groups=no_autoscaling_group,nonconforming" % evil_id in proc.stdout
    assert proc.returncode == 0 and "ok=1" in proc.stdout

    inv = inventory_list(config, env)
    assert inv.direct_hosts("nonconforming") == {evil_id}
    assert inv.hostvars[evil_id]["naming"]["app"] is None
    assert inv.direct_hosts("api-production") == {"api-production-" + good_id}
    assert not [name for name in list(inv.groups) + list(inv.hostvars) if "{" in name or " " in name]

    proc = run(["ansible-inventory", "-v", "-i", str(config), "--list"], env, check=True)
    assert "is not a plain identifier" in proc.stdout + proc.stderr


def test_names_of_catch_all_groups_are_nonconforming(moto, env, tmp_path):
    ec2 = boto3_client("ec2", moto.endpoint)
    [untagged] = run_instances(ec2, None)
    colliding = {name: run_instances(ec2, name)[0]
                 for name in ("untagged-production", "api-nonconforming", "all-production", "ungrouped-staging")}
    [good] = run_instances(ec2, "api-production")
    config = write_config(tmp_path)

    assert list_hosts(config, env, "untagged") == {untagged}
    assert list_hosts(config, env, "nonconforming") == set(colliding.values())
    assert list_hosts(config, env, "api") == {good}
    inv = inventory_list(config, env)
    assert not {"untagged-production", "api-nonconforming", "all-production", "ungrouped-staging"} & inv.groups
    assert inv.direct_hosts("all") == set()

    proc = run(["ansible-inventory", "-v", "-i", str(config), "--graph"], env, check=True)
    output = " ".join((proc.stdout + proc.stderr).split())
    assert "Name 'untagged-production' (1 instance(s)) is in group 'nonconforming': app 'untagged' is a reserved" in output
    assert "Name 'api-nonconforming' (1 instance(s)) is in group 'nonconforming': env 'nonconforming' is a reserved" in output

    # With a pattern that allows it, no_autoscaling_group is reserved too; renamed catch-alls are reserved instead.
    [no_asg] = run_instances(ec2, "no_autoscaling_group-production")
    [legacy] = run_instances(ec2, "legacy-production")
    options = {"naming_pattern": r"^(?P<app>[a-z0-9_]+)-(?P<env>[a-z0-9]+)$", "untagged_group": "legacy"}
    inv = inventory_list(write_config(tmp_path, options), env)
    assert {no_asg, legacy} <= inv.direct_hosts("nonconforming")
    assert inv.direct_hosts("legacy") == {untagged}
    assert "untagged-production" in inv.groups  # "untagged" is an ordinary app once the catch-all is renamed


def test_verbose_lists_each_skipped_name_with_reason_and_hint(moto, env, tmp_path):
    ec2 = boto3_client("ec2", moto.endpoint)
    run_instances(ec2, "API-Production", count=2)
    run_instances(ec2, "api-production ")
    run_instances(ec2, "Legacy Box")
    run_instances(ec2, "api-production-20191345-2599")
    run_instances(ec2, "api\tproduction")
    run_instances(ec2, "api-production")
    config = write_config(tmp_path)

    quiet = run(["ansible-inventory", "-i", str(config), "--graph"], env, check=True)
    quiet_output = " ".join((quiet.stdout + quiet.stderr).split())
    assert "6 with a Name outside the naming rule are in group 'nonconforming' (-v lists them)" in quiet_output
    assert "API-Production" not in quiet_output

    proc = run(["ansible-inventory", "-v", "-i", str(config), "--graph"], env, check=True)
    output = " ".join((proc.stdout + proc.stderr).split())
    prefix = "gamestack.aws.name_tags: Name "
    for expected in (
        "'API-Production' (2 instance(s)) is in group 'nonconforming': does not match the naming pattern; it has upper"
        " case: did you mean 'api-production'?",
        "'api-production ' (1 instance(s)) is in group 'nonconforming': does not match the naming pattern; it has"
        " surrounding spaces: did you mean 'api-production'?",
        "'Legacy Box' (1 instance(s)) is in group 'nonconforming': does not match the naming pattern",
        "'api-production-20191345-2599' (1 instance(s)) is in group 'nonconforming': release '20191345-2599' is not a"
        " real date and time",
        # A control character from AWS is shown escaped, never sent to the terminal as is.
        "'api\\tproduction' (1 instance(s)) is in group 'nonconforming': does not match the naming pattern",
    ):
        assert prefix + expected in output, expected
    assert "\t" not in proc.stdout + proc.stderr
