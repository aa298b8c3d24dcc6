"""playbooks/alb.yml (role gamestack.aws.alb) against moto over HTTP, through ansible-playbook."""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import REPO, ansible_env, run
from tests.integration.tooling.helpers import PlayResult, serving_group, target_states

APPS = [
    {"app": "api", "hosts": ["api.example.com"], "priority": 10, "health_check_path": "/health",
     "health_check_matcher": "200-299"},
    {"app": "web", "hosts": ["www.example.com"], "paths": ["/static/*"], "priority": 20},
]
REDIRECTS = [
    {"hosts": ["example.com"], "to_host": "www.example.com", "priority": 5},
    {"paths": ["/old/*"], "to_path": "/new/", "priority": 6, "status_code": "HTTP_301", "permanent": True},
]


def alb(endpoint, subnets, check=False, **extra_vars):
    settings = {"alb_env": "production", "alb_subnets": subnets, "alb_apps": APPS, "alb_redirects": REDIRECTS}
    cmd = ["ansible-playbook", "-i", "localhost,", str(REPO / "playbooks" / "alb.yml"),
           "-e", json.dumps(dict(settings, **extra_vars))]
    if check:
        cmd.append("--check")
    env = ansible_env(endpoint, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    return PlayResult(run(cmd, env))


def rules(aws, name="production"):
    elbv2 = aws("elbv2")
    (lb,) = elbv2.describe_load_balancers(Names=[name])["LoadBalancers"]
    (listener,) = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    found = elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
    return listener, {r["Priority"]: r for r in found}


def groups(aws):
    return {g["TargetGroupName"]: g for g in aws("elbv2").describe_target_groups()["TargetGroups"]}


def fleet_without_target_group(aws, app_env):
    """An Auto Scaling group named ``app_env`` in no target group: the role makes the group and attaches it."""
    fleet = serving_group(aws, app_env)
    aws("autoscaling").detach_load_balancer_target_groups(AutoScalingGroupName=app_env, TargetGroupARNs=[fleet["tg"]])
    aws("elbv2").delete_target_group(TargetGroupArn=fleet["tg"])
    return fleet


def test_alb_target_groups_rules_and_redirects_read_back(aws):
    fleet = fleet_without_target_group(aws, "web-production")
    elbv2 = aws("elbv2")

    out = alb(aws.endpoint, fleet["subnets"])
    assert out.rc == 0, out.output
    found = groups(aws)
    assert sorted(found) == ["api-production", "web-production"]
    api = found["api-production"]
    assert (api["HealthCheckPath"], api["Matcher"]["HttpCode"]) == ("/health", "200-299")
    assert found["web-production"]["HealthCheckPath"] == "/"
    tags = elbv2.describe_tags(ResourceArns=[api["TargetGroupArn"]])["TagDescriptions"][0]["Tags"]
    assert {"Key": "gamestack:managed-by", "Value": "alb"} in tags

    listener, by_priority = rules(aws)
    assert listener["DefaultActions"][0]["TargetGroupArn"] == api["TargetGroupArn"]
    assert by_priority["10"]["Conditions"][0]["Values"] == ["api.example.com"]
    assert by_priority["10"]["Actions"][0]["TargetGroupArn"] == api["TargetGroupArn"]
    assert sorted(c["Field"] for c in by_priority["20"]["Conditions"]) == ["host-header", "path-pattern"]
    redirect = by_priority["5"]["Actions"][0]
    assert redirect["Type"] == "redirect"
    assert (redirect["RedirectConfig"]["StatusCode"], redirect["RedirectConfig"]["Host"]) == ("HTTP_302", "www.example.com")
    assert by_priority["6"]["Actions"][0]["RedirectConfig"]["StatusCode"] == "HTTP_301"

    web = found["web-production"]["TargetGroupArn"]
    group = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["web-production"])["AutoScalingGroups"][0]
    assert group["TargetGroupARNs"] == [web]
    assert sorted(target_states(aws, web)) == fleet["instances"]

    again = alb(aws.endpoint, fleet["subnets"])
    assert again.rc == 0, again.output
    assert again.stats["changed"] == 0, again.output


def test_rules_of_others_are_kept(aws):
    fleet = fleet_without_target_group(aws, "api-production")
    assert alb(aws.endpoint, fleet["subnets"]).rc == 0
    elbv2 = aws("elbv2")
    listener = rules(aws)[0]
    elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=900,
                      Conditions=[{"Field": "path-pattern", "Values": ["/by-hand/*"]}],
                      Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503"}}])
    out = alb(aws.endpoint, fleet["subnets"], alb_redirects=[])
    assert out.rc == 0, out.output
    assert {"900", "5", "6"} <= set(rules(aws)[1])


@pytest.mark.parametrize("kind", ["load balancer", "target group"])
def test_a_foreign_load_balancer_or_target_group_is_not_changed_without_adopt(aws, kind):
    elbv2 = aws("elbv2")
    if kind == "target group":
        fleet = serving_group(aws, "api-production")  # its target group api-production has no tag of the collection
    else:
        fleet = fleet_without_target_group(aws, "api-production")
        elbv2.create_load_balancer(Name="production", Subnets=fleet["subnets"])
    before = groups(aws)
    out = alb(aws.endpoint, fleet["subnets"])
    assert out.rc != 0
    assert "%s %s exist(s) without the tag" % (kind, "production" if kind == "load balancer" else "api-production") \
        in out.failure()
    assert groups(aws) == before
    if kind == "load balancer":
        (lb,) = elbv2.describe_load_balancers(Names=["production"])["LoadBalancers"]
        assert elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"] == []

    adopted = alb(aws.endpoint, fleet["subnets"], alb_adopt=True)
    assert adopted.rc == 0, adopted.output
    assert "web-production" in groups(aws)


@pytest.mark.parametrize("change, message", [
    ({"alb_apps": [dict(APPS[0], hosts=["api example.com"])]}, "host name 'api example.com' is not"),
    ({"alb_apps": [dict(APPS[0], paths=["static/*"])]}, "path 'static/*' must start with /"),
    ({"alb_apps": [dict(APPS[0], app="api-v2")]}, "app 'api-v2': app 'api-v2' must be lower-case"),
    ({"alb_env": "Production"}, "env 'Production' must be lower-case"),
    ({"alb_redirects": [dict(REDIRECTS[1], permanent=False)]}, "HTTP_301 needs permanent: true"),
    ({"alb_redirects": [dict(REDIRECTS[0], priority=10)]}, "priority 10 is also used by app 'api'"),
])
def test_bad_settings_are_refused_before_any_change(aws, change, message):
    fleet = serving_group(aws, "api-production")
    before = groups(aws)
    out = alb(aws.endpoint, fleet["subnets"], **change)
    assert out.rc != 0
    assert message in out.failure(), out.failure()
    assert groups(aws) == before
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []


def test_check_mode_changes_nothing(aws):
    fleet = fleet_without_target_group(aws, "api-production")
    before = groups(aws)
    out = alb(aws.endpoint, fleet["subnets"], check=True)
    assert out.rc == 0, out.output
    assert out.stats["changed"] >= 1
    assert groups(aws) == before
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []


def test_https_listener_with_a_certificate_reads_back(aws):
    fleet = fleet_without_target_group(aws, "api-production")
    certificate = aws("acm").request_certificate(DomainName="api.example.com")["CertificateArn"]
    https = {"alb_listener_protocol": "HTTPS", "alb_listener_port": 443, "alb_certificate_arn": certificate,
             "alb_tags": {"team": "games"}}

    out = alb(aws.endpoint, fleet["subnets"], **https)
    assert out.rc == 0, out.output
    listener, by_priority = rules(aws)
    api = groups(aws)["api-production"]["TargetGroupArn"]
    assert (listener["Protocol"], listener["Port"]) == ("HTTPS", 443)
    assert [c["CertificateArn"] for c in listener["Certificates"]] == [certificate]
    assert listener["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert [(a["Type"], a["TargetGroupArn"]) for a in listener["DefaultActions"]] == [("forward", api)]
    assert by_priority["10"]["Actions"][0]["TargetGroupArn"] == api
    # alb_tags without gamestack:managed-by: the role still marks the load balancer as its own
    (lb,) = aws("elbv2").describe_load_balancers(Names=["production"])["LoadBalancers"]
    tags = aws("elbv2").describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"]
    assert {"Key": "gamestack:managed-by", "Value": "alb"} in tags and {"Key": "team", "Value": "games"} in tags

    again = alb(aws.endpoint, fleet["subnets"], **https)
    assert again.rc == 0, again.output
    assert again.stats["changed"] == 0, again.output


def test_an_https_listener_without_a_certificate_is_refused(aws):
    fleet = serving_group(aws, "api-production")
    out = alb(aws.endpoint, fleet["subnets"], alb_listener_protocol="HTTPS", alb_listener_port=443)
    assert out.rc != 0
    assert "an HTTPS listener needs alb_certificate_arn" in out.failure(), out.failure()
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []
