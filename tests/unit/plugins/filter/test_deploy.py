"""Unit tests of gamestack.aws.deploy_report, the end-of-batch lines of playbooks/deploy.yml."""

from __future__ import annotations

from ansible_collections.gamestack.aws.plugins.filter.deploy import deploy_report

OUT = [{"arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-test/0123456789abcdef",
        "name": "api-test", "port": 80}]


def test_one_line_a_host_in_play_order():
    hostvars = {
        "web-1": {"__deploy_serves": "api-test-20261207-0001", "__deploy_out": OUT, "__deploy_back": True},
        "web-2": {"__deploy_serves": "api-test-20261207-0000", "__deploy_out": OUT, "__deploy_back": True,
                  "__deploy_problem": "the health check of http://127.0.0.1/ failed"},
        "web-3": {"__deploy_serves": "api-test-20261207-0000", "__deploy_out": OUT,
                  "__deploy_problem": "the deploy failed: boom"},
        "web-4": {"__deploy_serves": "api-test-20261207-0001"},
        "web-5": {},
    }
    assert deploy_report(hostvars, ["web-1", "web-2", "web-3", "web-4", "web-5", "gone"]) == [
        "web-1: serves api-test-20261207-0001, registered in api-test:80",
        "web-2: serves api-test-20261207-0000, registered in api-test:80; FAILED: the health check of "
        "http://127.0.0.1/ failed",
        "web-3: serves api-test-20261207-0000, LEFT DEREGISTERED from api-test:80: the next run of deploy.yml "
        "deploys it and registers it again; FAILED: the deploy failed: boom",
        "web-4: serves api-test-20261207-0001, no target group",
        "web-5: not deployed by this run",
        "gone: not deployed by this run",
    ]


def test_check_mode_says_nothing_changed():
    hostvars = {"web-1": {"__deploy_serves": "api-test-20261207-0000"}}
    assert deploy_report(hostvars, ["web-1"], True) == ["web-1: serves api-test-20261207-0000 (check mode: nothing was changed)"]
