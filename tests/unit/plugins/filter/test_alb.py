"""Unit tests of gamestack.aws.alb_plan: the checks and the plan of the role alb."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gamestack.aws.plugins.filter.alb import FilterModule, alb_plan

API = {"app": "api", "hosts": ["api.example.com"], "priority": 10, "health_check_path": "/health",
       "health_check_matcher": "200-299"}
WEB = {"app": "web", "hosts": ["www.example.com"], "paths": ["/static/*"], "priority": 20, "port": 8080}
TO_WWW = {"hosts": ["example.com"], "to_host": "www.example.com", "priority": 5}
OLD = {"paths": ["/old/*"], "to_path": "/new/", "priority": 6, "status_code": "HTTP_301", "permanent": True}


def problems(apps=None, redirects=None, env="production", default_app=""):
    apps = [API] if apps is None else apps
    return alb_plan(apps, [] if redirects is None else redirects, env, default_app)["problems"]


def test_the_filter_is_registered():
    assert FilterModule().filters() == {"alb_plan": alb_plan}


def test_plan_of_apps_and_redirects():
    plan = alb_plan([API, WEB], [TO_WWW, OLD], "production")
    assert plan["problems"] == []
    assert plan["default_target_group"] == "api-production"
    assert plan["target_groups"] == [
        {"name": "api-production", "app": "api", "port": 80, "health_check_path": "/health",
         "health_check_matcher": "200-299"},
        {"name": "web-production", "app": "web", "port": 8080, "health_check_path": "/", "health_check_matcher": "200"},
    ]
    assert plan["rules"] == [
        {"Priority": 10, "Conditions": [{"Field": "host-header", "Values": ["api.example.com"]}],
         "Actions": [{"Type": "forward", "TargetGroupName": "api-production"}]},
        {"Priority": 20, "Conditions": [{"Field": "host-header", "Values": ["www.example.com"]},
                                        {"Field": "path-pattern", "Values": ["/static/*"]}],
         "Actions": [{"Type": "forward", "TargetGroupName": "web-production"}]},
        {"Priority": 5, "Conditions": [{"Field": "host-header", "Values": ["example.com"]}],
         "Actions": [{"Type": "redirect", "RedirectConfig": {
             "StatusCode": "HTTP_302", "Protocol": "#{protocol}", "Host": "www.example.com", "Port": "#{port}",
             "Path": "/#{path}", "Query": "#{query}"}}]},
        {"Priority": 6, "Conditions": [{"Field": "path-pattern", "Values": ["/old/*"]}],
         "Actions": [{"Type": "redirect", "RedirectConfig": {
             "StatusCode": "HTTP_301", "Protocol": "#{protocol}", "Host": "#{host}", "Port": "#{port}",
             "Path": "/new/", "Query": "#{query}"}}]},
    ]


def test_an_app_without_hosts_or_paths_gets_a_target_group_and_no_rule():
    plan = alb_plan([{"app": "api"}], [], "staging")
    assert plan["problems"] == []
    assert plan["rules"] == []
    assert plan["target_groups"] == [{"name": "api-staging", "app": "api", "port": 80, "health_check_path": "/",
                                      "health_check_matcher": "200"}]
    assert plan["default_target_group"] == "api-staging"


def test_the_default_app_chooses_the_default_target_group():
    plan = alb_plan([API, WEB], [], "production", "web")
    assert (plan["problems"], plan["default_target_group"]) == ([], "web-production")


def test_accepted_values():
    wildcards = dict(API, hosts=["*.example.com", "api-?.example.com"], paths=["/v1/*", "/a_b/~c.php?x=1"])
    assert problems([dict(wildcards, health_check_matcher=200)]) == []
    assert problems([dict(API, health_check_matcher="200,302")]) == []
    assert problems(redirects=[dict(TO_WWW, to_protocol="HTTPS", to_port="443", to_query="a=1&b=#{query}")]) == []
    assert problems([dict(API, priority=1)], [dict(TO_WWW, priority=50000)]) == []


@pytest.mark.parametrize("apps, redirects", [
    ("api", []),
    ([API, "web"], []),
    ([API], {"hosts": ["example.com"]}),
    ([API], [TO_WWW, None]),
])
def test_settings_of_the_wrong_shape_raise(apps, redirects):
    with pytest.raises(AnsibleFilterError, match="must be a list of dicts"):
        alb_plan(apps, redirects, "production")


@pytest.mark.parametrize("apps, redirects, env, message", [
    # no app at all
    ([], [], "production", "alb_apps: give at least one app"),
    # app and env by the naming rule
    ([dict(API, app="api-v2")], [], "production",
     "app 'api-v2': app 'api-v2' must be lower-case letters and digits only (no hyphen, no empty value)"),
    ([dict(API, app="Api")], [], "production",
     "app 'Api': app 'Api' must be lower-case letters and digits only (no hyphen, no empty value)"),
    # host names, in apps and in redirects
    ([dict(API, hosts=["api example.com"])], [], "production",
     "app 'api': host name 'api example.com' is not a lower-case DNS name (letters, digits, '-', '.', '*', '?')"),
    ([dict(API, hosts=["API.example.com"])], [], "production",
     "app 'api': host name 'API.example.com' is not a lower-case DNS name (letters, digits, '-', '.', '*', '?')"),
    ([dict(API, hosts=["-api.example.com"])], [], "production",
     "app 'api': host name '-api.example.com' is not a lower-case DNS name (letters, digits, '-', '.', '*', '?')"),
    ([dict(API, hosts=["api.example.com\n"])], [], "production",
     "app 'api': host name 'api.example.com\\n' is not a lower-case DNS name (letters, digits, '-', '.', '*', '?')"),
    ([dict(API, hosts=[7])], [], "production",
     "app 'api': host name 7 is not a lower-case DNS name (letters, digits, '-', '.', '*', '?')"),
    ([API], [dict(TO_WWW, hosts=["example.com:443"])], "production",
     "redirect 1 (priority 5): host name 'example.com:443' is not a lower-case DNS name"
     " (letters, digits, '-', '.', '*', '?')"),
    # paths
    ([dict(API, paths=["static/*"])], [], "production", "app 'api': path 'static/*' must start with / and hold no spaces"),
    ([dict(API, paths=["/a b"])], [], "production", "app 'api': path '/a b' must start with / and hold no spaces"),
    ([API], [dict(OLD, paths=["/old/\n"])], "production",
     "redirect 1 (priority 6): path '/old/\\n' must start with / and hold no spaces"),
    # health checks
    ([dict(API, health_check_path="health")], [], "production",
     "app 'api': health_check_path 'health' must start with / and hold no spaces"),
    ([dict(API, health_check_matcher="2xx")], [], "production",
     "app 'api': health_check_matcher '2xx' must be codes such as 200, 200-299 or 200,302"),
    ([dict(API, health_check_matcher="200\n")], [], "production",
     "app 'api': health_check_matcher '200\\n' must be codes such as 200, 200-299 or 200,302"),
    # an app twice
    ([API, dict(API, priority=11, hosts=["api2.example.com"])], [], "production", "app 'api': listed twice"),
    # conditions
    ([API], [{"priority": 5, "to_host": "www.example.com"}], "production",
     "redirect 1 (priority 5): give hosts and/or paths"),
    ([dict(API, hosts=["a.example.com", "b.example.com", "c.example.com"], paths=["/a", "/b", "/c"])], [],
     "production", "app 'api': at most 5 host names and paths together"),
    # priorities
    ([dict(API, priority=None)], [], "production", "app 'api': priority None must be a whole number from 1 to 50000"),
    ([dict(API, priority=0)], [], "production", "app 'api': priority 0 must be a whole number from 1 to 50000"),
    ([dict(API, priority=50001)], [], "production",
     "app 'api': priority 50001 must be a whole number from 1 to 50000"),
    ([dict(API, priority="10")], [], "production", "app 'api': priority '10' must be a whole number from 1 to 50000"),
    ([dict(API, priority=True)], [], "production", "app 'api': priority True must be a whole number from 1 to 50000"),
    ([API], [dict(TO_WWW, priority=10)], "production", "redirect 1 (priority 10): priority 10 is also used by app 'api'"),
    ([API], [TO_WWW, dict(OLD, priority=5)], "production",
     "redirect 2 (priority 5): priority 5 is also used by redirect 1 (priority 5)"),
    # status codes
    ([API], [dict(OLD, permanent=False)], "production",
     "redirect 1 (priority 6): HTTP_301 needs permanent: true (browsers cache a 301 for good)"),
    ([API], [dict(OLD, permanent="yes")], "production",
     "redirect 1 (priority 6): HTTP_301 needs permanent: true (browsers cache a 301 for good)"),
    ([API], [{k: v for k, v in OLD.items() if k != "permanent"}], "production",
     "redirect 1 (priority 6): HTTP_301 needs permanent: true (browsers cache a 301 for good)"),
    ([API], [dict(TO_WWW, status_code="HTTP_307")], "production",
     "redirect 1 (priority 5): status_code 'HTTP_307' must be HTTP_302 or HTTP_301"),
    # redirect targets
    ([API], [dict(TO_WWW, to_host="www example.com")], "production",
     "redirect 1 (priority 5): to_host 'www example.com' holds spaces or characters a redirect cannot carry"),
    ([API], [dict(TO_WWW, to_host="www.example.com\n")], "production",
     "redirect 1 (priority 5): to_host 'www.example.com\\n' holds spaces or characters a redirect cannot carry"),
    ([API], [dict(TO_WWW, to_query="a=<b>")], "production",
     "redirect 1 (priority 5): to_query 'a=<b>' holds spaces or characters a redirect cannot carry"),
    ([API], [dict(TO_WWW, to_protocol="x" * 129)], "production",
     "redirect 1 (priority 5): to_protocol %r holds spaces or characters a redirect cannot carry" % ("x" * 129)),
    ([API], [dict(OLD, to_path="new/")], "production", "redirect 1 (priority 6): to_path 'new/' must start with /"),
])
def test_each_bad_item_is_refused_by_name(apps, redirects, env, message):
    assert problems(apps, redirects, env) == [message]


def test_a_bad_env_is_refused_once_an_app():
    assert problems([API, WEB], [], "Production") == [
        "app 'api': env 'Production' must be lower-case letters and digits only (no hyphen, no empty value)",
        "app 'web': env 'Production' must be lower-case letters and digits only (no hyphen, no empty value)",
    ]


def test_two_bad_apps_are_not_listed_twice():
    assert problems([dict(API, app="api-v2"), dict(WEB, app="web-v2")]) == [
        "app 'api-v2': app 'api-v2' must be lower-case letters and digits only (no hyphen, no empty value)",
        "app 'web-v2': app 'web-v2' must be lower-case letters and digits only (no hyphen, no empty value)",
    ]


def test_a_default_app_that_is_not_an_app_is_refused():
    plan = alb_plan([API, WEB], [], "production", "admin")
    assert plan["problems"] == ["alb_default_app 'admin' is not one of alb_apps"]
    assert plan["default_target_group"] is None


def test_every_bad_item_is_reported_at_once():
    found = problems([dict(API, hosts=["API"]), dict(WEB, paths=["x"])], [dict(OLD, permanent=False)])
    assert found == [
        "app 'api': host name 'API' is not a lower-case DNS name (letters, digits, '-', '.', '*', '?')",
        "app 'web': path 'x' must start with / and hold no spaces",
        "redirect 1 (priority 6): HTTP_301 needs permanent: true (browsers cache a 301 for good)",
    ]
