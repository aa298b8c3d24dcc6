"""The naming filters as ansible-core loads them (both controller versions run this file)."""

from __future__ import annotations

import json

from tests.conftest import ansible_env, run


def _debug(expression):
    env = ansible_env(None)
    proc = run(["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", "ansible.builtin.debug",
                "-a", "msg={{ %s }}" % expression], env)
    return proc, proc.stdout


def test_filters_in_ansible():
    proc, out = _debug("'api-production-20190411-1459' | gamestack.aws.parse_name | gamestack.aws.format_name")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"msg": "api-production-20190411-1459"' in out
    proc, out = _debug("'api-production-20190411-1459' | gamestack.aws.parse_name")
    result = json.loads(out.split("=>", 1)[1])["msg"]  # ad-hoc output: localhost | SUCCESS => {...}
    assert result["released_at"] == "2019-04-11T14:59:00" and result["app_env"] == "api-production"


def test_filter_error_names_the_item():
    proc, out = _debug("'Legacy Box' | gamestack.aws.parse_name")
    assert proc.returncode != 0
    assert "'Legacy Box' does not follow the naming rule" in out + proc.stderr
