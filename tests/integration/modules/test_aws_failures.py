"""What the collection's AWS modules report when AWS cannot be reached or no region is set.

Each runs its AWS work inside aws.module_failures: the message names the module and, for an AWS error, the
error code; never a traceback. Run as a play, with the modules' action plugins, under the running core.
"""

from __future__ import annotations

import json
import socket
import sys

import pytest

from tests.conftest import ansible_env, run
from tests.integration.tooling.helpers import PlayResult

TASKS = {
    "image_catalog": {"app": "api", "env": "production"},
    "ec2_enhanced_networking": {"instance_ids": ["i-0123456789abcdef0"], "ena": True},
    "rds_parameter_group": {"name": "gs-params", "family": "mysql8.0", "parameters": {"max_connections": 100},
                            "check_names": False},
    "autoscaling_singleton": {"app": "api", "env": "production", "state": "absent"},
}


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def failures(tmp_path, region):
    """{module: its failure message}, each module run once against a closed port on 127.0.0.1."""
    args = {"aws_config": {"retries": {"max_attempts": 1}}}
    if region:
        args["region"] = region
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": module, "gamestack.aws.%s" % module: dict(options, **args), "ignore_errors": True}
        for module, options in TASKS.items()]}]
    path = tmp_path / "play.yml"
    path.write_text(json.dumps(play))
    env = ansible_env("http://127.0.0.1:%d" % closed_port(), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        env.pop(name, None)
    out = PlayResult(run(["ansible-playbook", "-i", "localhost,", "-c", "local", "-e",
                          "ansible_python_interpreter=%s" % sys.executable, str(path)], env))
    found = {}
    for module in TASKS:
        result = out.task(module)
        assert result.get("failed") is True, (module, result)
        assert "Traceback" not in json.dumps(result), (module, result)
        found[module] = result["msg"]
    return found


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory):
    return failures(tmp_path_factory.mktemp("unreachable"), "us-east-1")


@pytest.fixture(scope="module")
def no_region(tmp_path_factory):
    return failures(tmp_path_factory.mktemp("no_region"), None)


@pytest.mark.parametrize("module", sorted(TASKS))
def test_an_unreachable_endpoint_names_the_module_and_the_error(unreachable, module):
    prefix = "rds_parameter_group gs-params" if module == "rds_parameter_group" else module
    assert unreachable[module].startswith("%s: AWS error (EndpointConnectionError): " % prefix), unreachable[module]


@pytest.mark.parametrize("module", sorted(TASKS))
def test_no_region_names_the_module_and_the_settings(no_region, module):
    prefix = "rds_parameter_group gs-params" if module == "rds_parameter_group" else module
    assert no_region[module] == "%s: no region; set region or AWS_REGION" % prefix
