"""``module_defaults: group/aws`` (what amazon.aws users write) reaches this collection's modules.

ansible-core's ``group/aws`` is its own group that extends ``amazon.aws.aws`` and ``community.aws.aws``;
the collection's action plugins apply its connection options (region, endpoint, credentials) to the
collection's modules too, under the task's own arguments and ``group/gamestack.aws.aws``.
"""

from __future__ import annotations

import sys

from tests.conftest import ansible_env, run
from tests.harness.moto import boto3_client, run_instances


def play(tmp_path, text):
    path = tmp_path / "play.yml"
    path.write_text(text)
    # No AWS_ENDPOINT_URL and no region in the environment: only module_defaults can point at moto.
    env = ansible_env(None, ANSIBLE_INVENTORY_ENABLED="host_list")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        env.pop(name)
    return run(["ansible-playbook", "-i", "localhost,", "-c", "local", "-e",
                "ansible_python_interpreter=%s" % sys.executable, str(path)], env)


def stopped(moto, region):
    ec2 = boto3_client("ec2", moto.endpoint, region=region)
    iid = run_instances(ec2, instance_type="c5.large")[0]
    ec2.stop_instances(InstanceIds=[iid])
    return ec2, iid


def ena(ec2, iid):
    return bool(ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0].get("EnaSupport"))


def enable_ena(tmp_path, iid, module_defaults, task_args="", play_vars=""):
    """Run a play that enables ENA on ``iid`` with these module_defaults (YAML lines); return the process."""
    return play(tmp_path, (
        "- hosts: localhost\n"
        "  gather_facts: false\n"
        "%s"
        "  module_defaults:\n%s"
        "  tasks:\n"
        "    - gamestack.aws.ec2_enhanced_networking:\n%s"
        "        instance_ids: [%s]\n"
        "        ena: true\n" % (play_vars, module_defaults, task_args, iid)))


def test_group_aws_reaches_the_modules(moto, tmp_path):
    ec2, iid = stopped(moto, "eu-west-1")
    proc = enable_ena(tmp_path, iid, play_vars="  vars:\n    moto: %s\n" % moto.endpoint, module_defaults=(
        "    group/aws:\n"
        "      region: eu-west-1\n"
        "      endpoint_url: '{{ moto }}'\n"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ena(ec2, iid) is True


def test_task_arguments_and_the_collection_group_win_over_group_aws(moto, tmp_path):
    ec2, iid = stopped(moto, "eu-west-1")
    proc = enable_ena(tmp_path, iid, task_args="        region: eu-west-1\n", module_defaults=(
        "    group/aws:\n"
        "      aws_region: us-west-2\n"
        "      endpoint_url: http://127.0.0.1:1\n"
        "    group/gamestack.aws.aws:\n"
        "      endpoint_url: %s\n" % moto.endpoint))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ena(ec2, iid) is True
