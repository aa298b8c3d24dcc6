"""The filters gamestack.aws.parse_name / format_name (thin wrappers over module_utils/naming.py)."""

from __future__ import annotations

import datetime

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import given, strategies as st

from ansible_collections.gamestack.aws.plugins.filter.naming import FilterModule, format_name, parse_name

PART = st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True)
STAMP = st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2099, 12, 31)).map(
    lambda d: d.strftime("%Y%m%d-%H%M")
)


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"parse_name", "format_name"}


def test_parse_name():
    assert parse_name("api-production-20190411-1459") == {
        "name": "api-production-20190411-1459", "app": "api", "env": "production", "app_env": "api-production",
        "release": "20190411-1459", "released_at": "2019-04-11T14:59:00",
    }
    assert parse_name("web-staging")["release"] is None
    assert parse_name("Legacy Box", strict=False) is None


@pytest.mark.parametrize("bad, message", [
    ("Legacy Box", "'Legacy Box' does not follow the naming rule"),
    ("api-production-20191345-2599", "'api-production-20191345-2599' does not follow"),
    (42, "must be a string, got int 42"),
    (None, "must be a string, got NoneType"),
])
def test_parse_name_errors_name_the_item(bad, message):
    with pytest.raises(AnsibleFilterError, match=message.replace("(", r"\(")):
        parse_name(bad)


def test_parse_name_pattern():
    assert parse_name("game_eu1", r"^(?P<app>[a-z]+)_(?P<env>[a-z0-9]+)$")["app_env"] == "game-eu1"
    with pytest.raises(AnsibleFilterError, match="lacks the named group"):
        parse_name("x-y", r"^(?P<app>.+)$")
    with pytest.raises(AnsibleFilterError, match="not a valid regular expression"):
        parse_name("x-y", r"^(?P<app>[a-z+)$")


def test_format_name():
    assert format_name("api", "production") == "api-production"
    assert format_name("api", "production", "20190411-1459") == "api-production-20190411-1459"
    assert format_name("api", "production", datetime.datetime(2019, 4, 11, 14, 59)) == "api-production-20190411-1459"
    assert parse_name(format_name("api", "production", "now"))["release"] is not None
    assert format_name({"app": "web", "env": "staging", "release": None}) == "web-staging"


@pytest.mark.parametrize("args, message", [
    (("API", "production"), "app 'API' must be lower-case"),
    (("api", "prod-eu"), "env 'prod-eu' must be lower-case"),
    (("api",), "env is missing for app 'api'"),
    (("api", "production", "2019-04-11"), "release '2019-04-11' is not of the form YYYYMMDD-hhmm"),
    (("api", "production", 20190411), "release 20190411 must be"),
    (({"app": "api"},), "lacks env"),
    (({"app": "api", "env": "x"}, "y"), "either a mapping"),
])
def test_format_name_errors_name_the_item(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        format_name(*args)


@given(PART, PART, st.one_of(st.none(), STAMP))
def test_round_trip(app, env, release):
    name = format_name(app, env, release)
    assert format_name(parse_name(name)) == name
    assert parse_name(name)["app_env"] == "%s-%s" % (app, env)
